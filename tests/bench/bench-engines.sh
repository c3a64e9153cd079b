#!/bin/bash
# Times `podman run --rm` and `ctr run --rm` of /bin/true through ocirun,
# Debian's crun and Debian's runc: N runs per engine, the runtimes
# interleaved so machine noise hits all alike. The engines run as the
# engine suite runs them (tests/engines/engines.bash: private roots and
# sockets, cgroups under /ocirun-engines). Prints the median wall time of
# each and the ratio to ocirun: what a user of the engine waits for.
# Usage: tests/bench/bench-engines.sh [N]   (as root; make bench runs it)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${1:-30}
export OCIRUN=${OCIRUN:-$top/src/ocirun}

"$top/tests/engines/install-engines.sh" || exit 1
dpkg-query -W -f='${Status}' crun 2>/dev/null | grep -q "install ok installed" || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq crun >/dev/null
}

# engines.bash is written for bats; outside it, its version check is moot.
bats_require_minimum_version() { :; }
BATS_SUITE_TMPDIR=$(mktemp -d /tmp/ocirun-bench-engines.XXXXXX)
# shellcheck source=../engines/setup_suite.bash
source "$top/tests/engines/setup_suite.bash"
# shellcheck source=crun-hybrid.bash
source "$here/crun-hybrid.bash"

ENGINE=""
cleanup() {
        [ -n "$ENGINE" ] && engine_teardown_file
        crun_hybrid_end
        rm -rf "$BATS_SUITE_TMPDIR"
}
trap cleanup EXIT
setup_suite || exit 1
crun_hybrid_begin "$BATS_SUITE_TMPDIR"

runtimes=(ocirun /usr/bin/crun runc)
declare -A times
time_engine() { # time_engine ENGINE: N runs per runtime, interleaved
        local engine=$1 i rt start end
        engine_setup_file "$engine" || exit 1
        for ((i = 0; i < N; i++)); do
                for rt in "${runtimes[@]}"; do
                        export RUNTIME=$rt
                        start=$EPOCHREALTIME
                        if [ "$engine" = podman ]; then
                                eng-run --rm "$IMAGE" true
                        else
                                eng-run --rm "$IMAGE" "bench-$i" true
                        fi >/dev/null 2>"$BATS_SUITE_TMPDIR/stderr" || {
                                echo "$engine with ${rt##*/} failed: $(cat "$BATS_SUITE_TMPDIR/stderr")" >&2
                                exit 1
                        }
                        end=$EPOCHREALTIME
                        times[$engine ${rt##*/}]+="$(((${end/./} - ${start/./}) / 1000))"$'\n'
                done
        done
        engine_teardown_file
        ENGINE=""
}

echo "timing $N runs of /bin/true per engine and runtime, interleaved"
printf '%-22s %12s %10s\n' "engine runtime" "median (ms)" "vs ocirun"
for engine in podman containerd; do
        time_engine "$engine"
        base=$(printf '%s' "${times[$engine ocirun]}" | median)
        for rt in "${runtimes[@]}"; do
                m=$(printf '%s' "${times[$engine ${rt##*/}]}" | median)
                printf '%-22s %12d %10s\n' "$engine ${rt##*/}" "$m" \
                        "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')"
        done
done
