#!/usr/bin/env bats
# SCMP_ACT_NOTIFY and linux.seccomp.listenerPath: for each process whose
# filter has notify rules, ocirun connects to the listener, sends the
# container process state with the notify fd, and the process goes on only
# once the listener has it. tests/tools/seccomp-agent is the listener: it
# logs what it received and answers every notified syscall with a fixed
# errno (or lets it run).

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
	AGENT_SOCKET="$TEST_TMP/agent.sock"
	AGENT_LOG="$TEST_TMP/agent.log"
}

teardown() {
	teardown_common
}

# start_agent ANSWER: the listener at $AGENT_SOCKET, answering ANSWER (an
# errno number, or "continue"). teardown_common kills it.
start_agent() {
	"$TEST_TOOLS/seccomp-agent" "$AGENT_SOCKET" "$AGENT_LOG" "$1" 3>&- &
	TEST_PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -S "$AGENT_SOCKET" ]] && return 0
		sleep 0.05
	done
	fail "the seccomp agent did not listen at $AGENT_SOCKET"
}

# notify_bundle EXTRA-PYTHON ARGS...: a bundle running ARGS whose filter
# notifies mkdir and mkdirat to the agent; EXTRA-PYTHON edits it further.
notify_bundle() {
	local extra=$1
	shift
	container_bundle "$BUNDLE" "$@"
	edit_config "$BUNDLE" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$AGENT_SOCKET', 'listenerMetadata': 'test-metadata', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}
$extra"
}

# The JSON of the Nth message (from 1) the agent logged.
agent_message() {
	sed -n "$((2 * $1 - 1))p" "$AGENT_LOG"
}

@test "seccomp notify: the listener gets the container process state and the fd, and answers the notified syscalls" {
	start_agent 28
	notify_bundle "" sh -c 'mkdir /notified 2>&1; touch /allowed && echo touch-ok'
	ocirun_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	# The listener has it by the time create returns.
	[[ -s "$AGENT_LOG" ]] || fail "the agent got nothing during create"
	assert_equal "$(sed -n 2p "$AGENT_LOG")" "fds 1" "the fds passed with the message"
	json_assert "$(agent_message 1)" '
pid = int(sys.argv[2])
eq(sorted(d), ["fds", "metadata", "ociVersion", "pid", "state"], "the fields")
eq(d["fds"], ["seccompFd"], "fds")
eq(d["pid"], pid, "pid")
eq(d["metadata"], "test-metadata", "metadata")
eq(d["ociVersion"], d["state"]["ociVersion"], "ociVersion")
s = d["state"]
eq((s["id"], s["status"], s["pid"], s["bundle"]), ("c1", "creating", pid, sys.argv[3]), "state")
' "$(cat "$TEST_TMP/pid")" "$BUNDLE"
	schema_assert "$(agent_message 1 | "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["state"]))')" state-schema.json

	run --separate-stderr ocirun start c1
	assert_status 0
	wait_for_status c1 stopped
	assert_output_equals ""
	assert_equal "$(cat "$TEST_TMP/detached.out")" "mkdir: can't create directory '/notified': No space left on device
touch-ok" "the container's output"
	[[ ! -e "$BUNDLE/rootfs/notified" ]] || fail "mkdir ran although the agent answered ENOSPC"
}

@test "seccomp notify: an answer of continue lets the syscall run" {
	start_agent continue
	notify_bundle "" mkdir /notified
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	[[ -d "$BUNDLE/rootfs/notified" ]] || fail "mkdir did not run"
}

@test "seccomp notify: with noNewPrivileges the filter goes in, and to the listener, before create returns" {
	start_agent 28
	notify_bundle "c['process']['noNewPrivileges'] = True" \
		sh -c 'mkdir /notified 2>&1; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t" " "'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "mkdir: can't create directory '/notified': No space left on device
NoNewPrivs: 1
Seccomp: 2"
	assert_equal "$(wc -l <"$AGENT_LOG")" 2 "lines the agent logged (one message)"
}

@test "seccomp notify: a non-root user without capabilities, TSYNC and other rules alongside" {
	start_agent 28
	notify_bundle "c['process']['user'] = {'uid': 1000, 'gid': 1000}
c['process']['capabilities'] = {}
c['linux']['seccomp']['flags'] = ['SECCOMP_FILTER_FLAG_TSYNC']
c['linux']['seccomp']['syscalls'].append({'names': ['rmdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13})" \
		sh -c 'mkdir /tmp/notified 2>&1; rmdir /tmp 2>&1; id -u'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "mkdir: can't create directory '/tmp/notified': No space left on device
rmdir: '/tmp': Permission denied
1000"
}

@test "seccomp notify: each exec'd process gets its own connection, with the running container's state" {
	start_agent 28
	notify_bundle "" sleep 1000
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun exec --pid-file "$TEST_TMP/exec-pid" c1 sh -c 'mkdir /from-exec 2>&1; echo exec-ok'
	assert_status 0
	assert_output_equals "mkdir: can't create directory '/from-exec': No space left on device
exec-ok"
	json_assert "$(agent_message 2)" '
eq(d["pid"], int(sys.argv[2]), "the exec process pid")
eq((d["state"]["status"], d["state"]["pid"]), ("running", int(sys.argv[3])), "the state")
' "$(cat "$TEST_TMP/exec-pid")" "$(cat "$TEST_TMP/pid")"
	run --separate-stderr ocirun exec --no-new-privs c1 sh -c 'mkdir /again 2>&1'
	assert_output_equals "mkdir: can't create directory '/again': No space left on device"
	assert_equal "$(grep -c '^fds 1$' "$AGENT_LOG")" 3 "connections the agent got"
}

@test "seccomp notify: write can be notified: the runtime's own messages after the filter do not go through write" {
	local nnp answer expected agent=""
	for nnp in True False; do
		for answer in continue 28; do
			rm -rf "$BUNDLE"
			[[ -z "$agent" ]] || kill_our_pid "$agent"
			rm -f "$AGENT_SOCKET" "$AGENT_LOG"
			start_agent "$answer"
			agent=${TEST_PIDS[-1]}
			notify_bundle "c['process']['noNewPrivileges'] = $nnp
c['linux']['seccomp']['syscalls'][0]['names'] = ['write']" \
				sh -c 'echo to-stdout || echo failed >&2; exit 3'
			run --separate-stderr ocirun run --bundle "$BUNDLE" c1
			assert_status 3
			expected=to-stdout
			[[ "$answer" == continue ]] || expected=""
			assert_output_equals "$expected"
		done
	done
}

@test "seccomp notify: with the ENOSYS stub in front, notified syscalls still reach the listener" {
	[[ "$(uname -m)" == x86_64 ]] || skip "the probe's numbers are x86_64's"
	start_agent 28
	container_bundle "$BUNDLE" /syscall-probe 110 1000 39
	cp "$TEST_TOOLS/syscall-probe" "$BUNDLE/rootfs/syscall-probe"
	# Allowed: what the init and the static probe need; getppid (110) is
	# notified; the rest gets EPERM, or ENOSYS above faccessat2 (439).
	edit_config "$BUNDLE" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64'], 'listenerPath': '$AGENT_SOCKET', 'syscalls': [
    {'names': ['read', 'write', 'close', 'fstat', 'newfstatat', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'poll', 'ppoll', 'getpid', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg', 'execve', 'exit', 'exit_group', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'readlink', 'readlinkat', 'getrandom', 'futex', 'fcntl', 'openat', 'faccessat', 'faccessat2', 'capget', 'capset', 'prctl', 'chdir', 'setresuid', 'setresgid', 'setgroups', 'setsid', 'close_range'], 'action': 'SCMP_ACT_ALLOW'},
    {'names': ['getppid'], 'action': 'SCMP_ACT_NOTIFY'}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "110 ENOSPC
1000 ENOSYS
39 ok"
	assert_equal "$(grep -c '^fds 1$' "$AGENT_LOG")" 1 "connections the agent got"
}

@test "seccomp notify: no listener at listenerPath fails create with its reason, leaving nothing" {
	notify_bundle "" true
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_equal "$stderr" "ocirun: create c1: linux.seccomp.listenerPath: connect to \`$AGENT_SOCKET\`: No such file or directory"
	assert_nothing_left c1
}

@test "seccomp notify: an exec whose listener is gone fails, and the container runs on" {
	start_agent 28
	notify_bundle "" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	kill_our_pid "${TEST_PIDS[-1]}"
	rm -f "$AGENT_SOCKET"
	run --separate-stderr ocirun exec c1 touch /should-not-run
	assert_status 255
	assert_stderr_equals "ocirun: exec c1: linux.seccomp.listenerPath: connect to \`$AGENT_SOCKET\`: No such file or directory"
	[[ ! -e "$BUNDLE/rootfs/should-not-run" ]] || fail "the exec'd process ran"
	assert_equal "$(container_status c1)" running "the container's status"
}

@test "seccomp notify: an empty listenerPath is no listener, as in runc: fine without notify rules" {
	notify_bundle "c['linux']['seccomp']['listenerPath'] = ''
del c['linux']['seccomp']['listenerMetadata']
c['linux']['seccomp']['syscalls'][0]['action'] = 'SCMP_ACT_ERRNO'" sh -c 'mkdir /blocked 2>&1'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "mkdir: can't create directory '/blocked': Operation not permitted"
	assert_stderr_empty
}

# refused EXTRA-PYTHON MESSAGE: create fails with the one line MESSAGE and
# leaves nothing behind.
refused() {
	rm -rf "$BUNDLE"
	notify_bundle "$1" true
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_equal "$stderr" "ocirun: $2"
	assert_nothing_left c1
}

@test "seccomp notify: configs the protocol cannot serve are refused naming the field" {
	refused "del c['linux']['seccomp']['listenerPath']" \
		'config.json: linux.seccomp.listenerMetadata: needs listenerPath'
	refused "del c['linux']['seccomp']['listenerPath']; del c['linux']['seccomp']['listenerMetadata']" \
		'config.json: linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY (syscalls[0])'
	refused "c['linux']['seccomp']['listenerPath'] = ''; del c['linux']['seccomp']['listenerMetadata']" \
		'config.json: linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY (syscalls[0])'
	refused "c['linux']['seccomp']['listenerPath'] = 'agent.sock'" \
		'config.json: linux.seccomp.listenerPath: must be an absolute path, not "agent.sock"'
	refused "c['linux']['seccomp']['listenerPath'] = '/' + 'x' * 120" \
		'config.json: linux.seccomp.listenerPath: longer than a unix socket path can be (107 bytes)'
	refused "c['linux']['seccomp']['defaultAction'] = 'SCMP_ACT_NOTIFY'" \
		"config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: the runtime's own syscalls would wait for a listener that has no fd yet"
	refused "c['linux']['seccomp']['syscalls'][0]['names'].append('sendmsg')" \
		'config.json: linux.seccomp.syscalls[0].names[2]: SCMP_ACT_NOTIFY cannot apply to sendmsg: ocirun hands the listener its fd with it'
}
