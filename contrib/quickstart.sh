#!/bin/bash
# The README's first quick-start command: installs the Debian packages,
# builds ocirun, and prepares a busybox bundle with `ocirun spec` in a
# temporary directory. (It will run the container there once `ocirun run`
# lands; see the status table in README.md.)
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
./src/ocirun --version
echo "demo bundle: $bundle (config.json from \`ocirun spec\`, busybox rootfs)"
