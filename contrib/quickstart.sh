#!/bin/bash
# The README's first quick-start command: installs the Debian packages,
# builds ocirun, makes a busybox bundle with `ocirun spec` in a temporary
# directory and runs a container from it.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"

bundle=$(mktemp -d /tmp/ocirun-demo.XXXXXX)
mkdir -p "$bundle"/rootfs/{bin,proc,sys,dev,etc,tmp}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
./src/ocirun spec --bundle "$bundle"
# No terminal (this may run without one), a cgroup under a parent named for
# ocirun, and a command that shows where it runs.
python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["sh", "-c", "echo hello from $(hostname): pid $$, uid $(id -u); ls /"]
config["linux"]["cgroupsPath"] = "/ocirun-demo/demo"
json.dump(config, open(path, "w"), indent="\t")
PY
./src/ocirun --version
./src/ocirun --root "$bundle/state" run --bundle "$bundle" demo
echo "demo bundle: $bundle (busybox rootfs; try: ./src/ocirun --root $bundle/state run --bundle $bundle demo)"
