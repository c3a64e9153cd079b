#!/usr/bin/env bats
# Many containers at once: commands on different ids must not block or
# disturb each other (each takes only its own container's lock). 50 bundles
# share one read-only rootfs; all are started in parallel, listed, and
# force-deleted in parallel, and nothing of them may remain.

load helpers

N=50

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# in_parallel VERB: runs `ocirun VERB... pN` for every container at once,
# each in the background with its own output files (nothing of bats' own
# stdio), and fails naming every one that failed. Each is bounded by a
# timeout so a deadlock fails the test instead of hanging it.
in_parallel() {
	local -a job_pids=()
	local i failed=""
	for i in $(seq "$N"); do
		local args=()
		case $1 in
		run) args=(run --detach --pid-file "$TEST_TMP/p$i.pid" --bundle "$TEST_TMP/b$i") ;;
		delete) args=(delete --force) ;;
		*) fail "in_parallel: unknown verb $1" ;;
		esac
		timeout 120 "$OCIRUN" --root "$OCIRUN_ROOT" "${args[@]}" "p$i" \
			</dev/null >"$TEST_TMP/$1-$i.out" 2>"$TEST_TMP/$1-$i.err" 3>&- &
		job_pids[i]=$!
	done
	for i in $(seq "$N"); do
		local code=0
		wait "${job_pids[i]}" || code=$?
		if [[ "$code" -ne 0 || -s "$TEST_TMP/$1-$i.err" ]]; then
			failed+="
  p$i: exit status $code: $(cat "$TEST_TMP/$1-$i.err")"
		fi
	done
	[[ -z "$failed" ]] || fail "$1 failed for:$failed"
}

@test "$N containers started in parallel all run, are listed, and are all force-deleted in parallel" {
	# One rootfs, shared read-only by every container.
	make_bundle "$TEST_TMP/shared"
	local i
	for i in $(seq "$N"); do
		mkdir "$TEST_TMP/b$i"
		cp "$TEST_TMP/shared/config.json" "$TEST_TMP/b$i/config.json"
		edit_config "$TEST_TMP/b$i" "c['process']['args'] = ['sleep', '1000']
c['root'] = {'path': '$TEST_TMP/shared/rootfs', 'readonly': True}
c['hostname'] = 'p$i'
c['linux']['cgroupsPath'] = '/$TEST_CGROUP_PREFIX/p$i'"
	done

	in_parallel run

	# Every container has its own live init, in its own pid namespace.
	local -A seen=()
	local pid
	for i in $(seq "$N"); do
		pid=$(cat "$TEST_TMP/p$i.pid")
		[[ -d "/proc/$pid" ]] || fail "p$i's init $pid is gone"
		[[ -z "${seen[$pid]:-}" ]] || fail "p$i and ${seen[$pid]} have the same init $pid"
		seen[$pid]=p$i
		assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "p$i's process"
	done

	run --separate-stderr ocirun list -q
	assert_status 0
	assert_line_count "$N"
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" "$(for i in $(seq "$N"); do echo "p$i"; done | sort)" "the ids list -q shows"
	run --separate-stderr ocirun list --format json
	assert_status 0
	json_assert "$output" '
n = int(sys.argv[2])
eq(len(d), n, "containers listed")
eq(sorted(c["id"] for c in d), sorted("p%d" % i for i in range(1, n + 1)), "ids")
for c in d:
    eq(c["status"], "running", c["id"] + " status")
' "$N"

	in_parallel delete

	run --separate-stderr ocirun list -q
	assert_status 0
	assert_output_equals ""
	for i in $(seq "$N"); do
		[[ ! -e "$OCIRUN_ROOT/p$i" ]] || fail "p$i's state directory is left"
		pid=$(cat "$TEST_TMP/p$i.pid")
		local state
		state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null) || true
		[[ -z "$state" || "$state" == Z* ]] || fail "p$i's init $pid still runs: $state"
	done
	local left
	left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -path "*$TEST_CGROUP_PREFIX*/*" 2>/dev/null)
	[[ -z "$left" ]] || fail "cgroups left behind: $left"
}
