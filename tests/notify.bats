#!/usr/bin/env bats
# NOTIFY_SOCKET (sd_notify), proxied as runc does: the container's process
# finds its own socket at /run/notify/notify.sock; `start` (and `run`)
# wait for its READY=1 and pass its messages on to the caller's
# NOTIFY_SOCKET with MAINPID set to the pid the service manager must watch:
# the init for create/start and run --detach, ocirun itself for a
# foreground run. A listener on the host records what arrives, one file per
# datagram.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
	[[ -x "$TEST_TOOLS/sd-notify" ]] || fail "$TEST_TOOLS/sd-notify is missing: run make check"
	HOST_SOCKET="$TEST_TMP/host.sock"
	MESSAGES="$TEST_TMP/messages"
	mkdir -p "$MESSAGES"
	"$PYTHON3" -c '
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
n = 0
while True:
    data = s.recv(65536)
    n += 1
    with open(os.path.join(out, "tmp"), "wb") as f:
        f.write(data)
    os.rename(os.path.join(out, "tmp"), os.path.join(out, "%03d" % n))
' "$HOST_SOCKET" "$MESSAGES" </dev/null >/dev/null 2>&1 3>&- &
	TEST_PIDS+=("$!")
	for _ in $(seq 100); do
		[[ -S "$HOST_SOCKET" ]] && break
		sleep 0.05
	done
	[[ -S "$HOST_SOCKET" ]] || fail "the host listener did not bind $HOST_SOCKET"
}

teardown() {
	teardown_common
}

# notify_bundle DIR ARGS...: a busybox bundle with sd-notify in /bin.
notify_bundle() {
	container_bundle "$@"
	cp "$TEST_TOOLS/sd-notify" "$1/rootfs/bin/sd-notify"
}

# The datagrams received so far, "---" between them.
messages() {
	local f first=true
	for f in "$MESSAGES"/[0-9]*; do
		[[ -e "$f" ]] || continue
		$first || echo ---
		first=false
		cat "$f"
	done
}

@test "notify: start waits for READY=1 and passes it on with the init's pid as MAINPID" {
	notify_bundle "$BUNDLE" sh -c 'echo "$NOTIFY_SOCKET" >/env; sd-notify STATUS=warming; sleep 0.3; sd-notify READY=1 MAINPID=7 STATUS=serving; exec sleep 100'
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	NOTIFY_SOCKET=$HOST_SOCKET run ocirun start c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	# start returned only once READY=1 had been passed on.
	run messages
	assert_output_equals "MAINPID=$pid
STATUS=warming
---
MAINPID=$pid
READY=1
STATUS=serving"
	assert_equal "$(cat "$BUNDLE/rootfs/env")" /run/notify/notify.sock "NOTIFY_SOCKET in the container"
	assert_equal "$(container_status c1)" running
	run ocirun delete --force c1
	assert_status 0
	assert_nothing_left c1
}

@test "notify: the socket is mounted read-only, nosuid, nodev, noexec and a non-root user can notify" {
	notify_bundle "$BUNDLE" sh -c 'grep " /run/notify " /proc/self/mountinfo >/mountinfo; id -u >/uid; sd-notify READY=1; exec sleep 100'
	edit_config "$BUNDLE" "c['process']['user'] = {'uid': 1000, 'gid': 1000}"
	chmod 0777 "$BUNDLE/rootfs"
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$(cat "$BUNDLE/rootfs/uid")" 1000 "the process's uid"
	run messages
	assert_output_contains "READY=1"
	local options
	options=$(awk '{print $6}' "$BUNDLE/rootfs/mountinfo")
	for o in ro nosuid nodev noexec; do
		[[ ",$options," == *",$o,"* ]] || fail "/run/notify is mounted $options, not $o"
	done
}

@test "notify: run --detach passes READY=1 on with the init's pid" {
	notify_bundle "$BUNDLE" sh -c 'sd-notify READY=1; exec sleep 100'
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	run messages
	assert_output_equals "MAINPID=$(cat "$TEST_TMP/pid")
READY=1"
}

@test "notify: a foreground run names ocirun itself as MAINPID and still exits with the container's status" {
	notify_bundle "$BUNDLE" sh -c 'sd-notify READY=1; while [ ! -e /done ]; do sleep 0.05; done; exit 7'
	NOTIFY_SOCKET=$HOST_SOCKET "$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1 \
		</dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" 3>&- &
	local ocirun_pid=$! code=0
	TEST_PIDS+=("$ocirun_pid")
	for _ in $(seq 200); do
		[[ -e "$MESSAGES/001" ]] && break
		sleep 0.05
	done
	run messages
	assert_output_equals "MAINPID=$ocirun_pid
READY=1"
	touch "$BUNDLE/rootfs/done"
	wait "$ocirun_pid" || code=$?
	assert_equal "$code" 7 "run's exit status"
	assert_equal "$(cat "$TEST_TMP/err")" "" "run's stderr"
	assert_nothing_left c1
}

@test "notify: start without NOTIFY_SOCKET does not wait" {
	notify_bundle "$BUNDLE" sleep 100
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	run -0 ocirun start c1
	assert_equal "$(container_status c1)" running
	run messages
	assert_output_equals ""
}

@test "notify: a container that exits before READY=1 ends the wait with a warning" {
	notify_bundle "$BUNDLE" true
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	NOTIFY_SOCKET=$HOST_SOCKET run --separate-stderr ocirun start c1
	assert_status 0
	assert_stderr_contains "exited before it sent READY=1"
	run -0 ocirun delete c1
	assert_nothing_left c1
}

@test "notify: an abstract NOTIFY_SOCKET (@name) is reached too" {
	local name="@ocirun-test-notify-$$-$BATS_SUITE_TEST_NUMBER"
	"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
s.settimeout(30)
open(sys.argv[2], "wb").write(s.recv(65536))
' "$name" "$TEST_TMP/abstract" </dev/null >/dev/null 2>&1 3>&- &
	local listener=$!
	TEST_PIDS+=("$listener")
	sleep 0.2
	notify_bundle "$BUNDLE" sh -c 'sd-notify READY=1; exec sleep 100'
	NOTIFY_SOCKET=$name ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	wait "$listener"
	assert_equal "$(cat "$TEST_TMP/abstract")" "MAINPID=$(cat "$TEST_TMP/pid")
READY=1" "the message"
}

@test "notify: a NOTIFY_SOCKET that is not an absolute path is an error naming it, and nothing is left" {
	notify_bundle "$BUNDLE" sh -c 'sd-notify READY=1; exec sleep 100'
	NOTIFY_SOCKET=relative.sock ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 1
	[[ "$stderr" == *"NOTIFY_SOCKET \`relative.sock\`: not an absolute path"* ]] || fail "stderr: $stderr"
	assert_nothing_left c1
}

@test "notify: works with a read-only root and in a user namespace" {
	# The socket's directory is in ocirun's state directory (mode 0700),
	# which the container's root (host uid 100000) cannot reach: create
	# clones it before the init enters the user namespace.
	notify_bundle "$BUNDLE" sh -c 'grep " /run/notify " /proc/self/mountinfo >/dev/shm/mountinfo; sd-notify READY=1; exec sleep 100'
	edit_config "$BUNDLE" "c['root']['readonly'] = True
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
	shift_rootfs_owner "$BUNDLE/rootfs" 100000
	allow_search_to "$BUNDLE"
	NOTIFY_SOCKET=$HOST_SOCKET ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	run messages
	assert_output_equals "MAINPID=$(cat "$TEST_TMP/pid")
READY=1"
	local options
	options=$(awk '{print $6}' "/proc/$(cat "$TEST_TMP/pid")/root/dev/shm/mountinfo")
	for o in ro nosuid nodev noexec; do
		[[ ",$options," == *",$o,"* ]] || fail "/run/notify is mounted $options, not $o"
	done
}
