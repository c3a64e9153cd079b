#!/bin/bash
# Times `checkpoint` and `restore -d` of a small counting container for
# ocirun and, side by side, Debian's runc, N rounds each, interleaved; prints
# the median wall time of each step and the ratio to ocirun. Debian's criu
# 3.17 cannot dump on a kernel much newer than Debian's own, so on such a
# host the script runs itself in the test VM (tests/vm/run.sh), where the
# guest's qemu emulation (TCG) makes every number several times slower than
# on hardware: compare the runtimes, not the absolute times.
# Usage: tests/bench/bench-checkpoint.sh [N]   (as root; make bench runs it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
OCIRUN=${OCIRUN:-$top/src/ocirun}
RUNC=${RUNC:-/usr/bin/runc}
N=${1:-5}

for pkg in criu runc; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || {
		echo "installing $pkg for the benchmark"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
	}
done
if ! criu check >/dev/null 2>&1; then
	[ "${OCIRUN_TEST_VM:-}" != 1 ] || {
		echo "criu check fails in the VM too: $(criu check 2>&1 | tail -1)" >&2
		exit 1
	}
	echo "criu cannot dump on this kernel ($(uname -r)): running in the test VM"
	exec "$top/tests/vm/run.sh" --command "OCIRUN=$(printf %q "$OCIRUN") $(printf %q "$0") $N"
fi

work=$(mktemp -d /tmp/ocirun-bench-criu.XXXXXX)
cleanup() {
	for runtime in "$OCIRUN" "$RUNC"; do
		"$runtime" --root "$work/root-${runtime##*/}" delete --force bench >/dev/null 2>&1 || true
	done
	for d in /sys/fs/cgroup/ocirun-bench-criu /sys/fs/cgroup/*/ocirun-bench-criu; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,etc,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
ln -s busybox "$rootfs/bin/sleep"
"$OCIRUN" spec --bundle "$work/bundle"
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["sh", "-c", "i=0; while :; do i=$((i+1)); sleep 0.2; done"]
config["ociVersion"] = "1.0.2"  # what Debian's runc 1.1 knows
config["root"]["readonly"] = False
config["linux"]["cgroupsPath"] = "/ocirun-bench-criu/bench"
json.dump(config, open(path, "w"), indent=1)
PY

now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A times
for ((i = 0; i < N; i++)); do
	for runtime in "$OCIRUN" "$RUNC"; do
		name=${runtime##*/}
		root=$work/root-$name
		images=$work/images-$name-$i
		"$runtime" --root "$root" run -d --bundle "$work/bundle" bench </dev/null >/dev/null 2>&1
		sleep 0.5
		t0=$(now)
		"$runtime" --root "$root" checkpoint --image-path "$images" bench
		t1=$(now)
		"$runtime" --root "$root" restore -d --image-path "$images" --bundle "$work/bundle" bench \
			</dev/null >/dev/null 2>&1
		t2=$(now)
		"$runtime" --root "$root" delete --force bench
		times[$name.checkpoint]+="$(((t1 - t0) / 1000000)) "
		times[$name.restore]+="$(((t2 - t1) / 1000000)) "
	done
done

printf '%-8s %-12s %14s %8s\n' runtime step "median (ms)" "vs ocirun"
for step in checkpoint restore; do
	base=$(printf '%s\n' ${times[ocirun.$step]} | median)
	for name in ocirun runc; do
		m=$(printf '%s\n' ${times[$name.$step]} | median)
		printf '%-8s %-12s %14s %8s\n' "$name" "$step" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
	done
done
echo "($N rounds, $(uname -r), criu $(criu --version | awk '/Version/ { print $2 }'))"
