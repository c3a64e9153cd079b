#!/bin/bash
# Runs every test ocirun has, from a bare checkout: installs the Debian
# packages, configures (warnings as errors), builds, runs make check (the C
# unit tests, the fuzz corpus replayed under sanitizers, the bats suites),
# the format check and make distcheck. Ends with one line "N passed, N failed"
# counting every test case and every whole-tree check; exits non-zero if
# anything failed.
set -u
cd "$(dirname "$0")/.."
top=$PWD
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
grep -h -E '^(FAIL|ERROR|XPASS):' $(find tests -name '*.log' ! -name 'test-suite.log') 2>/dev/null | head -50

step "clang-format" make check-format
step "make distcheck" sh -c "make -j$jobs distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >/dev/null 2>&1 || { echo 'make distcheck failed; rerun it to see why'; exit 1; }"

summary
