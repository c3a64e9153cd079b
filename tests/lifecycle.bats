#!/usr/bin/env bats
# The container lifecycle end to end: create, start, state, kill, delete,
# run (foreground, detached, --keep), exit statuses, pid files, and that a
# failed create leaves nothing behind.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}

# No cgroup directory of this test may remain in any hierarchy.
assert_no_cgroup_left() {
	local left
	left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -path "*$TEST_CGROUP_PREFIX*/*" 2>/dev/null)
	[[ -z "$left" ]] || fail "cgroups left behind: $left"
}

@test "run in the foreground prints the container's output and nothing of its own" {
	container_bundle "$BUNDLE" echo hello from the container
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "hello from the container"
	assert_stderr_empty
}

@test "run exits with the container's exit status" {
	container_bundle "$BUNDLE" sh -c 'exit 7'
	run ocirun run --bundle "$BUNDLE" c1
	assert_status 7
}

@test "run exits with 128+N when the container is killed by signal N" {
	container_bundle "$BUNDLE" sleep 1000
	# The init of a pid namespace ignores signals sent from inside it, so
	# the kill comes from outside, through ocirun.
	ocirun run --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1 >/dev/null 2>&1 </dev/null &
	local run_pid=$!
	for _ in $(seq 100); do [[ "$(container_status c1 2>/dev/null)" == running ]] && break; sleep 0.05; done
	ocirun kill c1 KILL
	local code=0
	wait "$run_pid" || code=$?
	assert_equal "$code" 137 "run's exit status"
}

@test "run removes the container, its state and its cgroup when it exits" {
	container_bundle "$BUNDLE" true
	run ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_cgroup_left
	run ocirun list -q
	assert_output_equals ""
}

@test "run --keep leaves a stopped container that delete removes" {
	container_bundle "$BUNDLE" true
	run ocirun run --keep --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$(container_status c1)" stopped
	run ocirun delete c1
	assert_status 0
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_cgroup_left
}

@test "create, start, kill and delete walk the states created, running, stopped" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	assert_equal "$(container_status c1)" created
	ocirun state c1 | grep -q "\"pid\": $pid" || fail "state does not name pid $pid"

	ocirun_detached start c1
	assert_status 0
	assert_equal "$(container_status c1)" running
	[[ "$(cat /proc/$pid/comm)" == sleep ]] || fail "pid $pid is not the container's sleep"

	run ocirun kill c1 KILL
	assert_status 0
	wait "$pid" 2>/dev/null || true
	assert_equal "$(container_status c1)" stopped
	run ocirun delete c1
	assert_status 0
	assert_no_cgroup_left
}

@test "start of a container that is not created is an error" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	run --separate-stderr ocirun start c1
	assert_status 1
	assert_stderr_contains "cannot start container \`c1\`: it is running"
	ocirun delete --force c1
}

@test "delete of a running container needs --force" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	run --separate-stderr ocirun delete c1
	assert_status 1
	assert_stderr_contains "it is running"
	run ocirun delete --force c1
	assert_status 0
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_cgroup_left
}

@test "delete of a missing container fails unless --force" {
	run --separate-stderr ocirun delete nosuch
	assert_status 1
	assert_stderr_contains "container \`nosuch\` does not exist"
	run ocirun delete --force nosuch
	assert_status 0
}

@test "a created container can be deleted: its waiting init is killed" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	run ocirun delete c1
	assert_status 0
	wait "$pid" 2>/dev/null || true
	[[ ! -e /proc/$pid ]] || [[ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" == Z ]] || fail "the init still runs"
	assert_no_cgroup_left
}

@test "kill takes signal names with and without SIG, and numbers" {
	container_bundle "$BUNDLE" sh -c 'trap "echo got USR1 > /usr1" USR1; trap "exit 3" TERM; while :; do sleep 0.1; done'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	run ocirun kill c1 SIGUSR1
	assert_status 0
	for _ in $(seq 50); do [[ -e "$BUNDLE/rootfs/usr1" ]] && break; sleep 0.1; done
	[[ -e "$BUNDLE/rootfs/usr1" ]] || fail "the container did not get SIGUSR1"
	run ocirun kill c1 15
	assert_status 0
	run --separate-stderr ocirun kill c1 NOSUCH
	assert_status 1
	assert_stderr_contains "unknown signal \`NOSUCH\`"
	ocirun delete --force c1
}

@test "kill of a stopped container is an error" {
	container_bundle "$BUNDLE" true
	ocirun run --keep --bundle "$BUNDLE" c1
	run --separate-stderr ocirun kill c1 KILL
	assert_status 1
	assert_stderr_contains "container \`c1\` is not running"
}

@test "ps --format json lists the container's pids" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	run ocirun ps --format json c1
	assert_status 0
	assert_output_equals "[$(cat "$TEST_TMP/pid")]"
	run ocirun ps c1
	assert_status 0
	assert_output_contains "sleep 1000"
	ocirun delete --force c1
}

@test "a missing executable fails create with the reason and leaves nothing behind" {
	container_bundle "$BUNDLE" nosuch-program
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains 'exec "nosuch-program": executable file not found in $PATH'
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_cgroup_left
}

@test "a failed exec is told in the words engines map to exit 127 and 126" {
	# Docker and podman look for Go's errno text in the runtime's error.
	container_bundle "$BUNDLE" /no/such/program
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_error 'create c1: exec "/no/such/program": no such file or directory'
	assert_nothing_left c1
	edit_config "$BUNDLE" "c['process']['args'] = ['/etc/passwd']"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_error 'create c1: exec "/etc/passwd": permission denied'
	assert_nothing_left c1
}

@test "a bad config fails create naming the field, before anything is made" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["process"]["cwd"] = "relative"'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: process.cwd: must be an absolute path"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_cgroup_left
}

@test "creating an existing container is an error" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "container \`c1\` already exists"
	ocirun delete --force c1
}

@test "start, exec and delete use the config create read, not the bundle's later edits" {
	container_bundle "$BUNDLE" sleep 1000
	edit_config "$BUNDLE" 'c["process"]["env"].append("FROM_CREATE=1")'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/bin"]'
	run ocirun exec c1 sh -c 'echo $FROM_CREATE'
	assert_status 0
	assert_output_equals "1"
	ocirun delete --force c1
}

@test "kill takes RTMIN and RTMAX with and without an offset" {
	container_bundle "$BUNDLE" sh -c 'trap "" RTMIN RTMAX 35 36; while :; do sleep 0.1; done'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	for sig in RTMIN SIGRTMIN RTMIN+1 RTMAX RTMAX-1; do
		run --separate-stderr ocirun kill c1 "$sig"
		assert_status 0
	done
	run --separate-stderr ocirun kill c1 RTMAX+1
	assert_status 1
	ocirun delete --force c1
}

@test "the init leads a session of its own, as runc's does" {
	# Field 6 of /proc/PID/stat is the session; the init is pid 1 of its
	# pid namespace. (CRIU refuses to dump a container whose session
	# leader is outside it.)
	container_bundle "$BUNDLE" sh -c 'cut -d" " -f6 /proc/1/stat'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1 </dev/null
	assert_status 0
	assert_output_equals 1
}

@test "stdio that is the host's /dev/null becomes the container's /dev/null" {
	# The host's device node is on a mount the container cannot see (which
	# CRIU cannot dump); the init reopens it on the container's own.
	container_bundle "$BUNDLE" sh -c 'for fd in 0 2; do stat -L -c %d:%i /proc/1/fd/$fd; done; stat -L -c %d:%i /dev/null'
	ocirun run --bundle "$BUNDLE" c1 </dev/null 2>/dev/null >"$TEST_TMP/out" || fail "run failed"
	mapfile -t lines <"$TEST_TMP/out"
	assert_equal "${#lines[@]}" 3 "lines printed"
	assert_equal "${lines[0]}" "${lines[2]}" "stdin is the container's /dev/null"
	assert_equal "${lines[1]}" "${lines[2]}" "stderr is the container's /dev/null"
	[[ "${lines[2]}" != "$(stat -L -c %d:%i /dev/null)" ]] || fail "the container's /dev/null is the host's"
}
