#!/usr/bin/env bats
# --pidfd-socket (create, run, exec), as runc 1.2 takes it: the engine
# listening on the socket gets a pidfd of the container's init, or of the
# exec'd process, with the word runc sends ("standard" or "setns"), and can
# signal that very process through it.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
	SOCKET="$TEST_TMP/pidfd.sock"
	RECEIVED="$TEST_TMP/received"
	container_bundle "$BUNDLE" sleep 1000
}

teardown() {
	ocirun delete --force c1 >/dev/null 2>&1 || true
	teardown_common
}

# start_receiver SIGNAL: listens at $SOCKET for one pidfd, writes "MESSAGE
# PID" to $RECEIVED (the pid the kernel says the pidfd refers to), then,
# once signal_through_pidfd asks, sends SIGNAL through the pidfd.
# teardown_common kills it.
start_receiver() {
	"$PYTHON3" - "$SOCKET" "$RECEIVED" "$1" 3>&- <<'PY' &
import os, signal, socket, sys, time
path, out, sig = sys.argv[1], sys.argv[2], getattr(signal, sys.argv[3])
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
conn, _ = server.accept()
message, fds, _, _ = socket.recv_fds(conn, 64, 1)
pid = [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fds[0]) if l.startswith("Pid:")][0]
with open(out + ".tmp", "w") as f:
    f.write("%s %s\n" % (message.decode(), pid))
os.rename(out + ".tmp", out)
while not os.path.exists(out + ".go"):
    time.sleep(0.05)
signal.pidfd_send_signal(fds[0], sig)
PY
	TEST_PIDS+=($!)
	local _
	for _ in $(seq 100); do
		[[ -S "$SOCKET" ]] && return 0
		sleep 0.05
	done
	fail "the receiver did not listen at $SOCKET"
}

signal_through_pidfd() {
	touch "$RECEIVED.go"
}

# wait_received: up to 5 s for the receiver's line.
wait_received() {
	local _
	for _ in $(seq 100); do
		[[ -f "$RECEIVED" ]] && return 0
		sleep 0.05
	done
	fail "no pidfd arrived at $SOCKET"
}

@test "create --pidfd-socket sends a pidfd of the init, which the engine can signal" {
	start_receiver SIGKILL
	ocirun_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" --pidfd-socket "$SOCKET" c1
	assert_status 0
	wait_received
	assert_equal "$(cat "$RECEIVED")" "standard $(cat "$TEST_TMP/pid")" "the message and the pidfd's process"
	signal_through_pidfd
	wait_for_status c1 stopped
}

@test "run -d --pidfd-socket sends a pidfd of the running init" {
	# SIGKILL: the init is pid 1 of its namespace, which ignores SIGTERM.
	start_receiver SIGKILL
	ocirun_detached run -d --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" --pidfd-socket "$SOCKET" c1
	assert_status 0
	wait_received
	assert_equal "$(cat "$RECEIVED")" "standard $(cat "$TEST_TMP/pid")" "the message and the pidfd's process"
	signal_through_pidfd
	wait_for_status c1 stopped
}

@test "exec --pidfd-socket sends a pidfd of the exec'd process, not of the init" {
	ocirun_detached run -d --bundle "$BUNDLE" c1
	assert_status 0
	start_receiver SIGKILL
	ocirun_detached exec -d --pid-file "$TEST_TMP/exec.pid" --pidfd-socket "$SOCKET" c1 sleep 999
	assert_status 0
	wait_received
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	assert_equal "$(cat "$RECEIVED")" "setns $pid" "the message and the pidfd's process"
	signal_through_pidfd
	local _
	for _ in $(seq 100); do
		[[ -d /proc/$pid && "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ]] || break
		sleep 0.05
	done
	[[ ! -d /proc/$pid || "$(awk '{print $3}' /proc/$pid/stat)" == Z ]] || fail "the exec'd process $pid still runs"
	assert_equal "$(container_status c1)" running "the container after its exec'd process was killed"
}

@test "--pidfd-socket that nobody listens on fails create and exec naming it, and leaves nothing" {
	ocirun_detached create --bundle "$BUNDLE" --pidfd-socket "$TEST_TMP/nobody.sock" c1
	assert_status 1
	assert_stderr_contains "connect to pidfd socket \`$TEST_TMP/nobody.sock\`: No such file or directory"
	assert_nothing_left c1

	ocirun_detached run -d --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun exec --pidfd-socket "$TEST_TMP/nobody.sock" c1 sleep 998
	assert_status 255
	assert_stderr_contains "connect to pidfd socket \`$TEST_TMP/nobody.sock\`: No such file or directory"
	run ocirun ps c1
	[[ "$output" != *"sleep 998"* ]] || fail "the exec'd process was left running: $output"
}
