#!/bin/bash
# Runs every test ocirun has, from a bare checkout: installs the Debian
# packages, configures (warnings as errors), builds, runs make check (the C
# unit tests, the fuzz corpus replayed under sanitizers, the bats suites),
# the cgroup v2 VM stage and the systemd stages (tests/vm), the engine suites (tests/engines), the
# format check and make distcheck. Ends with one line "N passed, N failed"
# counting every test case and every whole-tree check; exits non-zero if
# anything failed.
set -u
cd "$(dirname "$0")/.." || exit 1
jobs=$(nproc 2>/dev/null || echo 2)

passed=0
failed=0
failures=()

record() { # record NAME STATUS
        if [ "$2" -eq 0 ]; then
                passed=$((passed + 1))
        else
                failed=$((failed + 1))
                failures+=("$1")
        fi
}

step() { # step NAME COMMAND...: runs a whole-tree check, counted as one test
        local name=$1
        shift
        echo "== $name"
        "$@"
        local status=$?
        record "$name" "$status"
        return "$status"
}

summary() {
        if [ ${#failures[@]} -gt 0 ]; then
                echo "failed:"
                printf '  %s\n' "${failures[@]}"
        fi
        echo "$passed passed, $failed failed"
        [ "$failed" -eq 0 ]
        exit
}

step "install Debian packages" contrib/install-deps.sh || summary
if [ ! -f Makefile ] || [ configure.ac -nt Makefile ] || [ Makefile.am -nt Makefile ]; then
        step "configure" sh -c './autogen.sh >/dev/null && ./configure --enable-werror >/dev/null' ||
                summary
fi
step "build" make -j"$jobs" >/dev/null || summary

# make check: every unit test case and bats test is one TAP line; automake's
# tap driver writes a .trs file with one :test-result: line per case.
echo "== make check"
make -j"$jobs" check >/dev/null 2>&1
while IFS= read -r -d '' trs; do
        log=${trs%.trs}.log
        while read -r result; do
                case $result in
                PASS | XFAIL) passed=$((passed + 1)) ;;
                SKIP)
                        # A skip is a failure unless it names the machine limit behind it.
                        if grep -q '^SKIP:.*# SKIP .*machine limit' "$log"; then
                                passed=$((passed + 1))
                        else
                                failed=$((failed + 1))
                                failures+=("$log: a test skipped without naming a machine limit")
                        fi
                        ;;
                *)
                        failed=$((failed + 1))
                        failures+=("$log")
                        ;;
                esac
        done < <(sed -n 's/^:test-result: //p' "$trs")
done < <(find tests -name '*.trs' -print0)
find tests -name '*.log' ! -name 'test-suite.log' -exec grep -h -E '^(FAIL|ERROR|XPASS):' {} + 2>/dev/null | head -50

# count_tap LOG STATUS WHAT: counts the TAP results in LOG like make check's,
# with the same rule for skips; a run that exited non-zero (STATUS) without a
# failing test counts as one failure.
count_tap() {
        local log=$1 status=$2 what=$3 line tap_failed=0
        while IFS= read -r line; do
                case $line in
                "not ok "*)
                        tap_failed=$((tap_failed + 1))
                        failures+=("$log: $line")
                        ;;
                *" # skip"*)
                        if [[ "$line" == *"machine limit"* ]]; then
                                passed=$((passed + 1))
                        else
                                tap_failed=$((tap_failed + 1))
                                failures+=("$log: a test skipped without naming a machine limit: $line")
                        fi
                        ;;
                *) passed=$((passed + 1)) ;;
                esac
        done < <(grep -E '^(ok|not ok) ' "$log")
        failed=$((failed + tap_failed))
        if [ "$status" -ne 0 ] && [ "$tap_failed" -eq 0 ]; then
                record "$what exited with status $status (see $log)" 1
        fi
}

# The cgroup v2 stage: this host mounts cgroup v1 controllers, so the bats
# files listed in tests/vm/tests.list run in a qemu guest booted without
# them (tests/vm/run.sh). Each TAP result the guest reports counts like one
# of make check's, with the same rule for skips; a guest that did not boot,
# timed out or failed without a failing test counts as one failure.
echo "== vm stage (tests/vm/tests.list in a cgroup v2 guest)"
vm_log=tests/vm/run.log
tests/vm/run.sh >"$vm_log" 2>&1
vm_status=$?
count_tap "$vm_log" "$vm_status" "vm stage: tests/vm/run.sh"
grep -E '^not ok |^ocirun-vm: ' "$vm_log" | head -50

# The systemd stage: the driver and the engines' systemd cgroup managers
# need systemd as PID 1, which this host does not run. The files of
# tests/vm/systemd-tests.list run in a guest whose PID 1 is systemd on cgroup
# v2; the driver's own file runs again on a hybrid layout, where systemd
# drives the v1 controllers.
echo "== systemd stage (tests/vm/systemd-tests.list in a systemd guest, v2; tests/systemd.bats on hybrid)"
systemd_log=tests/vm/systemd.log
tests/vm/run.sh --systemd >"$systemd_log" 2>&1
count_tap "$systemd_log" $? "systemd stage: tests/vm/run.sh --systemd"
grep -E '^not ok |^ocirun-vm: ' "$systemd_log" | head -50
hybrid_log=tests/vm/systemd-hybrid.log
tests/vm/run.sh --systemd --hybrid tests/vm/systemd-stage.bats tests/systemd.bats >"$hybrid_log" 2>&1
count_tap "$hybrid_log" $? "systemd hybrid stage: tests/vm/run.sh --systemd --hybrid"
grep -E '^not ok |^ocirun-vm: ' "$hybrid_log" | head -50

# The engines: podman, Docker and containerd (ctr) run their everyday
# commands through ocirun and through Debian's runc (tests/engines).
echo "== engines (tests/engines: podman, docker, containerd)"
engines_log=tests/engines/run.log
tests/engines/run.sh >"$engines_log" 2>&1
count_tap "$engines_log" $? "engines: tests/engines/run.sh"
grep -E '^not ok ' "$engines_log" | head -50

step "clang-format" make check-format
# The tarball builds, installs and passes the C tests; the bats suites, which
# make check ran above, are not run a second time (BATS_CHECKS=).
step "make distcheck" sh -c "make -j$jobs distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror BATS_CHECKS= >/tmp/ocirun-distcheck.log 2>&1 || { echo 'make distcheck failed:'; grep -E '^(FAIL|ERROR)|Error|error:' /tmp/ocirun-distcheck.log | head -20; exit 1; }"

summary
