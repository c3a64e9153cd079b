#!/usr/bin/env bats
# exec: a new process in a running container joins its namespaces and
# cgroup, with its own user, env, cwd and capabilities.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	container_bundle "$BUNDLE" sleep 1000
	edit_config "$BUNDLE" 'c["process"]["env"].append("FROM_CONFIG=yes")'
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	INIT_PID=$(cat "$TEST_TMP/pid")
}

teardown() {
	ocirun delete --force c1 >/dev/null 2>&1 || true
	teardown_common
}

@test "exec runs a command in the container and returns its output and status" {
	run --separate-stderr ocirun exec c1 sh -c 'echo inside; exit 5'
	assert_status 5
	assert_output_equals "inside"
}

@test "exec joins every namespace of the container's init" {
	local ns
	for ns in mnt pid net ipc uts cgroup; do
		run ocirun exec c1 readlink /proc/self/ns/$ns
		assert_status 0
		assert_equal "$output" "$(readlink /proc/$INIT_PID/ns/$ns)" "$ns namespace"
	done
}

@test "exec'd processes see the container's pid 1 and are in its cgroup" {
	run ocirun exec c1 cat /proc/1/comm
	assert_status 0
	assert_output_equals "sleep"
	# Inside, the container's cgroup namespace is rooted at its cgroup.
	run ocirun exec c1 sh -c 'grep pids /proc/self/cgroup'
	assert_status 0
	assert_output_equals "$(grep pids "/proc/$INIT_PID/cgroup" | cut -d: -f1-2):/"
	# From the host, the exec'd process is in the init's cgroup.
	ocirun_detached exec --detach --pid-file "$TEST_TMP/exec.pid" c1 sleep 100
	assert_status 0
	assert_equal "$(cat "/proc/$(cat "$TEST_TMP/exec.pid")/cgroup")" "$(cat "/proc/$INIT_PID/cgroup")" "the exec'd process's cgroups seen from the host"
}

@test "exec takes the container's env and adds --env, --cwd and --user" {
	run ocirun exec --env EXTRA=1 --cwd /tmp --user 1000:1000 c1 sh -c 'echo $FROM_CONFIG $EXTRA; pwd; id -u; id -g'
	assert_status 0
	assert_equal "${lines[0]}" "yes 1"
	assert_equal "${lines[1]}" "/tmp"
	assert_equal "${lines[2]}" "1000"
	assert_equal "${lines[3]}" "1000"
}

@test "exec --user refuses anything but numbers" {
	for bad in root 1000: 0:0:0 -1 1000:x; do
		run --separate-stderr ocirun exec --user "$bad" c1 true
		assert_status 1
		assert_stderr_contains "expected UID or UID:GID"
	done
}

@test "exec --process runs the process JSON" {
	cat >"$TEST_TMP/process.json" <<-'JSON'
	{"args": ["sh", "-c", "echo $A; pwd"], "cwd": "/etc", "env": ["A=from-json", "PATH=/bin"]}
	JSON
	run ocirun exec --process "$TEST_TMP/process.json" c1
	assert_status 0
	assert_equal "${lines[0]}" "from-json"
	assert_equal "${lines[1]}" "/etc"
}

@test "exec --process with a bad field names the file and the field" {
	echo '{"args": ["true"], "cwd": "/", "user": {"uid": "root"}}' >"$TEST_TMP/process.json"
	run --separate-stderr ocirun exec --process "$TEST_TMP/process.json" c1
	assert_status 255
	assert_stderr_contains "process.json: user.uid: expected integer, got string"
}

@test "exec --detach returns at once and --pid-file names the process" {
	ocirun_detached exec --detach --pid-file "$TEST_TMP/exec.pid" c1 sleep 77
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	[[ "$(tr '\0' ' ' </proc/$pid/cmdline)" == "sleep 77 " ]] || fail "pid $pid is not the exec'd sleep"
	run ocirun ps --format json c1
	[[ "$output" == *"$pid"* ]] || fail "ps does not list $pid: $output"
}

@test "exec of a missing program fails with the reason" {
	run --separate-stderr ocirun exec c1 nosuch
	assert_status 255
	assert_stderr_contains 'exec "nosuch": executable file not found in $PATH'
}

@test "exec exits 255 when it fails itself, 1 for a usage error, else the process's status" {
	# As runc: the caller tells exec's own failure from a process that ran.
	run --separate-stderr ocirun exec nosuch true
	assert_error_status 255 "container \`nosuch\` does not exist"
	run --separate-stderr ocirun exec --cwd /nonexistent c1 true
	assert_status 255
	assert_stderr_contains "/nonexistent"
	run --separate-stderr ocirun exec c1 /etc
	assert_status 255
	run --separate-stderr ocirun exec --no-such-flag c1 true
	assert_status 1
	run --separate-stderr ocirun exec c1 sh -c 'exit 255'
	assert_status 255
	run --separate-stderr ocirun exec c1 sh -c 'kill -9 $$'
	assert_status 137
	run --separate-stderr ocirun exec c1 sh -c 'exit 3'
	assert_status 3
}

@test "exec --user with a --cwd only root may search starts there, as in runc" {
	mkdir -p "$BUNDLE/rootfs/private"
	chmod 0700 "$BUNDLE/rootfs/private"
	run --separate-stderr ocirun exec --user 1000:1000 --cwd /private c1 sh -c 'pwd; id -u; ls . >/dev/null 2>&1 || echo cannot list'
	assert_status 0
	assert_output_equals "/private
1000
cannot list"
}

@test "exec in a stopped container is an error" {
	ocirun kill c1 KILL
	wait_for_status c1 stopped
	run --separate-stderr ocirun exec c1 true
	assert_status 255
	assert_stderr_contains "container \`c1\`"
}

@test "exec refuses the ids that setresuid reads as 'unchanged' and signs" {
	for bad in 4294967295 0:4294967295 +5 " 5"; do
		run --separate-stderr ocirun exec --user "$bad" c1 id -u
		assert_status 1
		assert_stderr_contains "expected UID or UID:GID"
	done
}

@test "exec -t in the foreground returns the process's status" {
	run timeout -s KILL 20 script -qec "$OCIRUN --root $OCIRUN_ROOT exec -t c1 sh -c 'echo out; exit 5'" /dev/null </dev/null
	assert_status 5
	assert_output_contains "out"
}

@test "exec -t --user 1000:1000: the process's pty is its own, as runc's" {
	run timeout -s KILL 20 script -qec "$OCIRUN --root $OCIRUN_ROOT exec -t -u 1000:1000 c1 sh -c 'stat -L -c \"%u %g %a\" \$(tty)'" /dev/null </dev/null
	assert_status 0
	assert_output_contains "1000 5 620"
}

@test "exec --process and a command exclude each other" {
	echo '{"args": ["true"], "cwd": "/"}' >"$TEST_TMP/p.json"
	run --separate-stderr ocirun exec --process "$TEST_TMP/p.json" c1 extra-arg
	assert_status 1
	assert_stderr_contains "a command and --process exclude each other"
}

@test "exec --console-socket without a terminal is refused" {
	run --separate-stderr ocirun exec --console-socket "$TEST_TMP/nobody-listens.sock" c1 true
	assert_status 255
	assert_stderr_equals "ocirun: exec: --console-socket needs a terminal (--tty or process.terminal)"
}
