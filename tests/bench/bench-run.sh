#!/bin/bash
# Times N sequential `run` of /bin/true in a busybox bundle for ocirun and,
# side by side, Debian's crun and runc (installed here if missing), runs
# interleaved so machine noise hits all alike; prints the median wall time,
# the ratio to ocirun and the median peak RSS of each runtime.
# Until ocirun has a `run` command it benchmarks the JSON layer instead.
# Usage: tests/bench/bench-run.sh [N]   (as root; make bench runs it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
OCIRUN=${OCIRUN:-$top/src/ocirun}
N=${1:-100}

if ! "$OCIRUN" --help | grep -q '^  run '; then
        echo "ocirun has no run command yet: benchmarking libocispec instead"
        exec "$top/tests/bench/bench-parse" "$top/tests/unit/data/runtime-spec/test/config/good/spec-example.json" 10000
fi

missing=()
for pkg in crun runc time; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]} for the comparison"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# shellcheck source=crun-hybrid.bash
source "$here/crun-hybrid.bash"
work=$(mktemp -d /tmp/ocirun-bench.XXXXXX)
cleanup() {
        crun_hybrid_end
        for d in /sys/fs/cgroup/*/ocirun-bench /sys/fs/cgroup/unified/ocirun-bench; do
                [ -d "$d" ] && rmdir "$d" 2>/dev/null
        done
        rm -rf "$work"
}
trap cleanup EXIT

# The bundle: busybox-static as /bin/true, config from `ocirun spec`
# without a terminal, with its cgroup under a parent named for ocirun.
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,etc,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/true"
ln -s busybox "$rootfs/bin/sh"
"$OCIRUN" spec --bundle "$work/bundle"
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["/bin/true"]
# Debian's crun 1.8.1 refuses versions it does not know, such as 1.3.0.
config["ociVersion"] = "1.0.2"
config["linux"]["cgroupsPath"] = "/ocirun-bench/bench"
json.dump(config, open(path, "w"), indent=1)
PY

runtimes=("$OCIRUN")
command -v crun >/dev/null && runtimes+=(crun)
command -v runc >/dev/null && runtimes+=(runc)

if [[ " ${runtimes[*]} " == *" crun "* ]]; then
        crun_hybrid_begin "$work"
fi

declare -A times rss
run_once() { # run_once RUNTIME INDEX
        local rt=$1 i=$2 name
        name=$(basename "$rt")
        local start=$EPOCHREALTIME
        if ! "$rt" --root "$work/root-$name" run --bundle "$work/bundle" "bench-$i" >/dev/null 2>"$work/stderr" </dev/null; then
                echo "$name run failed: $(cat "$work/stderr")" >&2
                exit 1
        fi
        local end=$EPOCHREALTIME
        times[$name]+="$(((${end/./} - ${start/./})))"$'\n'
}

echo "timing $N sequential runs of /bin/true, interleaved: ${runtimes[*]##*/}"
for ((i = 0; i < N; i++)); do
        for rt in "${runtimes[@]}"; do
                run_once "$rt" "$i"
        done
done
for rt in "${runtimes[@]}"; do
        name=$(basename "$rt")
        for ((i = 0; i < 9; i++)); do
                rss[$name]+="$(/usr/bin/time -f %M "$rt" --root "$work/root-$name" run --bundle "$work/bundle" "rss-$i" 2>&1 >/dev/null </dev/null | tail -1)"$'\n'
        done
done

base=$(printf '%s' "${times[ocirun]}" | median)
printf '%-8s %12s %10s %12s\n' runtime "median (us)" "vs ocirun" "peak RSS KiB"
for rt in "${runtimes[@]}"; do
        name=$(basename "$rt")
        m=$(printf '%s' "${times[$name]}" | median)
        r=$(printf '%s' "${rss[$name]}" | median)
        printf '%-8s %12d %10s %12d\n' "$name" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')" "$r"
done
