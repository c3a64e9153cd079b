#!/usr/bin/env bats
# checkpoint and restore through CRIU. The tests that need a CRIU able to
# dump run in the VM stage (tests/vm/tests.list), where Debian's criu works
# on Debian's own kernel; on a host where `criu check` fails (Debian's criu
# 3.17 on a newer kernel) they skip naming that, and what runs there is the
# failure side: CRIU's reason in the error, nothing left behind.
#
# The container of most tests counts in its rootfs, appending 1, 2, 3... to
# /tmp/counts (on disk, not in a tmpfs): a restored one goes on from the
# number it had reached, so the file stays one unbroken run of numbers.

load helpers

setup_file() {
	if criu check >/dev/null 2>&1; then
		export CRIU_WORKS=1
	else
		export CRIU_WORKS=0
		CRIU_CHECK_ERROR=$(criu check 2>&1 | grep -m1 'Error' | sed 's/^Error ([^)]*): //')
		export CRIU_CHECK_ERROR
	fi
}

setup() {
	setup_common
	B="$TEST_TMP/c1"
	BUNDLE=$B # for assert_nothing_left
	IMG="$TEST_TMP/images"
	COUNTS="$B/rootfs/tmp/counts"
}

teardown() {
	teardown_common
}

require_criu() {
	[[ "$CRIU_WORKS" == 1 ]] ||
		skip "machine limit: criu cannot dump on this kernel (criu check: $CRIU_CHECK_ERROR); the VM stage runs this"
}

# counter_bundle: the bundle $B of a container that appends 1, 2, 3... to
# /tmp/counts (and prints them), one every 0.3 s.
counter_bundle() {
	container_bundle "$B" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >>/tmp/counts; echo $i; sleep 0.3; done'
}

# start_counter ID: runs the counter detached and waits until it counted 3.
# Its stdio is /dev/null (the init reopens it on the container's own): CRIU
# can dump no fd of a file on a host mount the container does not see, so
# a detached container's stdio must be that, pipes, or a terminal.
start_counter() {
	ocirun run -d --bundle "$B" --pid-file "$TEST_TMP/pid" "$1" </dev/null >/dev/null 2>&1 3>&- ||
		fail "run -d $1 failed: $(ocirun run -d --bundle "$B" "$1" 2>&1 </dev/null)"
	wait_count_above 2
}

count() {
	local last
	last=$(tail -n 1 "$COUNTS" 2>/dev/null)
	echo "${last:-0}"
}

# wait_count_above N: up to 20 s (the VM runs under emulation) for the
# count to pass N.
wait_count_above() {
	local _
	for _ in $(seq 400); do
		(($(count) > $1)) && return 0
		sleep 0.05
	done
	fail "the count stayed at $(count), not above $1"
}

# assert_count_continued REACHED: the restored counter goes on past
# REACHED, and /tmp/counts is still 1, 2, 3... without a gap or a restart.
assert_count_continued() {
	wait_count_above $(($1 + 1))
	local broken
	broken=$(awk 'NR != $1 { print "line " NR " is " $1; exit }' "$COUNTS")
	[[ -z "$broken" ]] || fail "the count did not continue from $1: $broken ($(tr '\n' ' ' <"$COUNTS"))"
}

# assert_gone ID: no state, and no process left from the init in PID_FILE.
assert_gone() {
	run --separate-stderr ocirun state "$1"
	assert_status 1
	assert_stderr_contains "container \`$1\` does not exist"
	local pid
	pid=$(cat "$TEST_TMP/pid")
	if [[ -d /proc/$pid ]] && [[ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ]]; then
		fail "the checkpointed init $pid still runs"
	fi
}

# restored_pid ID: the init pid `state` reports.
restored_pid() {
	ocirun state "$1" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["pid"])'
}

@test "checkpoint saves the container and removes it; restore continues its count" {
	require_criu
	counter_bundle
	# stdout a pipe, as engines give it: restore hands the container the
	# restoring command's stdout in its place (descriptors.json).
	ocirun run -d --bundle "$B" --pid-file "$TEST_TMP/pid" c1 </dev/null 2>/dev/null 3>&- \
		> >(exec cat >"$TEST_TMP/before.out")
	TEST_PIDS+=("$!")
	wait_count_above 2
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	assert_gone c1
	[[ -f "$IMG/inventory.img" && -f "$IMG/dump.log" && -f "$IMG/descriptors.json" ]] ||
		fail "the image directory lacks inventory.img, dump.log or descriptors.json: $(ls "$IMG")"
	local reached
	reached=$(count)
	sleep 1
	assert_equal "$(count)" "$reached" "the count while checkpointed"

	grep -q '"pipe:\[' "$IMG/descriptors.json" || fail "descriptors.json has no pipe: $(cat "$IMG/descriptors.json")"
	ocirun restore --detach --image-path "$IMG" --bundle "$B" --pid-file "$TEST_TMP/restored.pid" c1 \
		</dev/null 2>"$TEST_TMP/restore.err" 3>&- > >(exec cat >"$TEST_TMP/after.out") ||
		fail "restore failed: $(cat "$TEST_TMP/restore.err")"
	TEST_PIDS+=("$!")
	assert_equal "$(container_status c1)" running
	assert_equal "$(restored_pid c1)" "$(cat "$TEST_TMP/restored.pid")" "state's pid and --pid-file"
	assert_count_continued "$reached"
	[[ -f "$IMG/restore.log" ]] || fail "no restore.log in the image directory"
	# The restored counter prints to the pipe of the restoring command.
	local _
	for _ in $(seq 100); do
		grep -qx "$((reached + 1))" "$TEST_TMP/after.out" && break
		sleep 0.1
	done
	grep -qx "$((reached + 1))" "$TEST_TMP/after.out" ||
		fail "restore's stdout did not get $((reached + 1)): $(tr '\n' ' ' <"$TEST_TMP/after.out")"
	run --separate-stderr ocirun delete --force c1
	assert_status 0
}

@test "restore makes the container under another id from the same images" {
	require_criu
	counter_bundle
	start_counter c1
	run --separate-stderr ocirun checkpoint --image-path "$IMG" --work-path "$TEST_TMP/work" c1
	assert_status 0
	[[ -f "$TEST_TMP/work/dump.log" ]] || fail "--work-path: no dump.log in it"
	local reached
	reached=$(count)
	ocirun_detached restore -d --image-path "$IMG" --work-path "$TEST_TMP/work" -b "$B" other
	assert_status 0
	assert_equal "$(container_status other)" running
	run --separate-stderr ocirun list -q
	assert_equal "$output" other
	assert_count_continued "$reached"
	# The network namespace comes back empty (as runc, ocirun leaves the
	# network to the engine), with lo up as at create.
	run --separate-stderr ocirun exec other ip link show lo
	assert_status 0
	[[ "$output" == *"<LOOPBACK,UP,"* ]] || fail "lo is not up after restore: $output"
	run --separate-stderr ocirun kill other KILL
	assert_status 0
	wait_for_status other stopped
	run --separate-stderr ocirun delete other
	assert_status 0
}

@test "checkpoint --leave-running saves the container and keeps it running" {
	require_criu
	counter_bundle
	start_counter c1
	run --separate-stderr ocirun checkpoint --leave-running --image-path "$IMG" c1
	assert_status 0
	[[ -f "$IMG/inventory.img" ]] || fail "no images in $IMG"
	assert_equal "$(container_status c1)" running
	local now
	now=$(count)
	wait_count_above "$now"
	# The same container can be checkpointed again, this time for good.
	run --separate-stderr ocirun checkpoint --image-path "$TEST_TMP/again" c1
	assert_status 0
	assert_gone c1
}

@test "a paused container is checkpointed as it is, as containerd asks; restore continues it" {
	require_criu
	counter_bundle
	start_counter c1
	# containerd's `ctr task checkpoint` pauses the task before it calls
	# the runtime, so the rootfs diff and the images agree.
	run --separate-stderr ocirun pause c1
	assert_status 0
	run --separate-stderr ocirun checkpoint --leave-running --image-path "$TEST_TMP/paused" c1
	assert_status 0
	[[ -f "$TEST_TMP/paused/inventory.img" ]] || fail "no images in $TEST_TMP/paused"
	assert_equal "$(container_status c1)" paused "the status after checkpoint --leave-running"
	local reached
	reached=$(count)
	sleep 1
	assert_equal "$(count)" "$reached" "the count of the paused container"
	# The final dump of a paused container takes it down as for a running one.
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	assert_gone c1
	ocirun restore --detach --image-path "$IMG" --bundle "$B" --pid-file "$TEST_TMP/restored.pid" c1 \
		</dev/null >/dev/null 2>"$TEST_TMP/restore.err" 3>&- ||
		fail "restore failed: $(cat "$TEST_TMP/restore.err")"
	assert_equal "$(container_status c1)" running "the restored container's status"
	assert_count_continued "$reached"
	run --separate-stderr ocirun delete --force c1
	assert_status 0
}

@test "checkpoint --pre-dump, then a dump with --parent-path, restores" {
	require_criu
	counter_bundle
	start_counter c1
	run --separate-stderr ocirun checkpoint --pre-dump --image-path "$TEST_TMP/pre" c1
	assert_status 0
	assert_equal "$(container_status c1)" running
	[[ -f "$TEST_TMP/pre/pre-dump.log" ]] || fail "no pre-dump.log"
	run --separate-stderr ocirun checkpoint --parent-path ../pre --image-path "$IMG" c1
	assert_status 0
	assert_gone c1
	assert_equal "$(readlink "$IMG/parent")" ../pre "the parent link CRIU made"
	local reached
	reached=$(count)
	ocirun_detached restore -d --image-path "$IMG" -b "$B" c1
	assert_status 0
	assert_count_continued "$reached"
}

@test "a restored container is in its cgroup, with the config's limits" {
	require_criu
	counter_bundle
	edit_config "$B" 'c["linux"]["resources"] = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
	start_counter c1
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	[[ ! -d "$(container_cgroup pids)" ]] || fail "the cgroup outlived the checkpoint"
	ocirun_detached restore -d --image-path "$IMG" -b "$B" c1
	assert_status 0
	local pid
	pid=$(restored_pid c1)
	local memory pids
	memory=$(container_cgroup memory)
	pids=$(container_cgroup pids)
	if [[ "$(cgroup_version memory)" == v2 ]]; then
		assert_equal "$(cat "$memory/memory.max")" 67108864 "memory.max"
	else
		assert_equal "$(cat "$memory/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
	fi
	assert_equal "$(cat "$pids/pids.max")" 40 "pids.max"
	grep -qx "$pid" "$pids/cgroup.procs" || fail "the restored init $pid is not in $pids: $(cat "$pids/cgroup.procs")"
	run --separate-stderr ocirun ps --format json c1
	assert_status 0
	[[ "$output" == *"$pid"* ]] || fail "ps does not list the restored init $pid: $output"
}

@test "restore makes the mount points a new rootfs lacks, and mounts the bind sources" {
	require_criu
	counter_bundle
	echo "from the host" >"$TEST_TMP/hosts-file"
	edit_config "$B" "c['mounts'].append({'destination': '/etc/extra', 'type': 'bind', 'source': '$TEST_TMP/hosts-file', 'options': ['bind', 'ro']})"
	start_counter c1
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	# As an engine restoring into a fresh overlay: the file create made
	# for the bind mount is not there.
	rm "$B/rootfs/etc/extra"
	ocirun_detached restore -d --image-path "$IMG" -b "$B" c1
	assert_status 0
	run --separate-stderr ocirun exec c1 cat /etc/extra
	assert_status 0
	assert_output_equals "from the host"
}

# receive_console NAME SECONDS: a unix socket server at $TEST_TMP/NAME.sock
# that takes one pty master (SCM_RIGHTS) and copies what the terminal shows
# to $TEST_TMP/NAME.out for SECONDS (or until the slave side closes). The
# master stays open meanwhile: closing it would hang up the container.
receive_console() {
	cat >"$TEST_TMP/receiver.py" <<-'EOF'
		import fcntl, os, signal, socket, struct, sys, time
		path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
		server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		server.bind(path)
		server.listen(1)
		signal.alarm(int(seconds) + 60)
		connection, _ = server.accept()
		_, fds, _, _ = socket.recv_fds(connection, 1024, 4)
		if len(fds) != 1:
		    sys.exit("expected one fd, got %d" % len(fds))
		fcntl.ioctl(fds[0], 0x80045430, b"\0" * 4)  # TIOCGPTN: a pty master
		os.set_blocking(fds[0], False)
		end = time.time() + seconds
		with open(out, "wb", buffering=0) as f:
		    while time.time() < end:
		        try:
		            chunk = os.read(fds[0], 4096)
		        except BlockingIOError:
		            time.sleep(0.05)
		            continue
		        except OSError:  # EIO: every slave fd is closed
		            break
		        if not chunk:
		            break
		        f.write(chunk)
	EOF
	local socket="$TEST_TMP/$1.sock"
	"$PYTHON3" "$TEST_TMP/receiver.py" "$socket" "$TEST_TMP/$1.out" "$2" </dev/null >/dev/null 2>"$TEST_TMP/$1.err" 3>&- &
	TEST_PIDS+=("$!")
	RECEIVER_PID=$!
	for _ in $(seq 200); do [[ -S "$socket" ]] && return 0; sleep 0.05; done
	fail "the console receiver did not listen on $socket: $(cat "$TEST_TMP/$1.err")"
}

@test "a container with a terminal is restored with a new pty sent to --console-socket" {
	require_criu
	counter_bundle
	edit_config "$B" 'c["process"]["terminal"] = True'
	receive_console before 600
	ocirun_detached run -d --console-socket "$TEST_TMP/before.sock" --bundle "$B" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	wait_count_above 2
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	local reached
	reached=$(count)
	receive_console after 4
	ocirun_detached restore -d --console-socket "$TEST_TMP/after.sock" --image-path "$IMG" -b "$B" c1
	assert_status 0
	wait "$RECEIVER_PID" || fail "the console receiver failed: $(cat "$TEST_TMP/after.err")"
	# What the restored counter printed reached the new terminal.
	tr -d '\r' <"$TEST_TMP/after.out" | grep -qx "$((reached + 1))" ||
		fail "the new terminal did not show $((reached + 1)): $(tr -d '\r' <"$TEST_TMP/after.out" | tr '\n' ' ')"
}

@test "restore in the foreground waits for the container and exits with its status" {
	require_criu
	counter_bundle
	start_counter c1
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 0
	ocirun restore --image-path "$IMG" -b "$B" c1 </dev/null >"$TEST_TMP/fg.out" 2>"$TEST_TMP/fg.err" 3>&- &
	local restore=$!
	TEST_PIDS+=("$restore")
	wait_for_status c1 running
	run --separate-stderr ocirun kill c1 KILL
	assert_status 0
	local code=0
	wait "$restore" || code=$?
	assert_equal "$code" 137 "restore's exit status (128 + SIGKILL)"
	run --separate-stderr ocirun state c1
	assert_status 1
}

# ---------------------------------------------------------------------------
# Failures: clear errors, nothing left behind (these run everywhere)

@test "checkpoint of a container that is not running is refused" {
	container_bundle "$B" sleep 100
	ocirun_detached create --bundle "$B" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	TEST_PIDS+=("$(cat "$TEST_TMP/pid")")
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_error "cannot checkpoint container \`c1\`: it is created"
	run --separate-stderr ocirun checkpoint --image-path "$IMG" nosuch
	assert_error "container \`nosuch\` does not exist"
}

@test "checkpoint and restore reject bad flags with usage errors" {
	run --separate-stderr ocirun checkpoint
	assert_usage_error checkpoint "checkpoint: expected exactly one container id"
	run --separate-stderr ocirun checkpoint --empty-ns pid c1
	assert_usage_error checkpoint "checkpoint: --empty-ns: \`pid\` is not supported (only network)"
	run --separate-stderr ocirun checkpoint --lazy-pages --pre-dump c1
	assert_usage_error checkpoint "checkpoint: --lazy-pages and --pre-dump exclude each other"
	run --separate-stderr ocirun checkpoint --manage-cgroups-mode sometimes c1
	assert_error "--manage-cgroups-mode: \`sometimes\` is not one of soft, full, strict, ignore"
	run --separate-stderr ocirun restore a b
	assert_usage_error restore "restore: expected exactly one container id"
	run --separate-stderr ocirun restore --bogus c1
	assert_usage_error restore "restore: unknown option \"--bogus\""
}

@test "checkpoint without a CRIU binary names it; the container keeps running" {
	container_bundle "$B" sleep 100
	ocirun_detached run -d --bundle "$B" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --criu "$TEST_TMP/no-criu" checkpoint --image-path "$IMG" c1
	assert_error "checkpoint c1: run \`$TEST_TMP/no-criu\` (the CRIU binary; install the Debian package criu or name it with --criu): No such file or directory"
	assert_equal "$(container_status c1)" running
}

@test "where CRIU cannot dump, checkpoint fails with CRIU's reason and its log" {
	[[ "$CRIU_WORKS" == 0 ]] ||
		skip "machine limit: criu works on this kernel, so its failure is tested on the host, where it cannot dump"
	container_bundle "$B" sleep 100
	ocirun_detached run -d --bundle "$B" --pid-file "$TEST_TMP/pid" c1
	assert_status 0
	run --separate-stderr ocirun checkpoint --image-path "$IMG" c1
	assert_status 1
	local reason
	reason=$(grep -m1 'Error (' "$IMG/dump.log" | sed 's/^.*Error ([^)]*): //')
	[[ -n "$reason" ]] || fail "CRIU logged no error in $IMG/dump.log"
	assert_stderr_equals "ocirun: checkpoint c1: criu dump failed: $reason (log: $IMG/dump.log)"
	assert_equal "$(container_status c1)" running "the container after the failed checkpoint"
}

@test "restore from a missing image directory fails before making anything" {
	container_bundle "$B" sleep 100
	run --separate-stderr ocirun restore -d --image-path "$TEST_TMP/none" -b "$B" c1
	assert_error "restore c1: image path \`$TEST_TMP/none\`: No such file or directory"
	assert_nothing_left c1
}

@test "restore from a directory that holds no checkpoint fails in CRIU and leaves nothing" {
	container_bundle "$B" sleep 100
	mkdir -p "$IMG"
	local before
	before=$(host_mount_table)
	run --separate-stderr ocirun restore -d --image-path "$IMG" -b "$B" c1
	assert_status 1
	assert_stderr_contains "ocirun: restore c1: criu restore failed"
	assert_stderr_contains "log: $IMG/restore.log)"
	assert_nothing_left c1
	assert_equal "$(host_mount_table)" "$before" "the host's mounts after the failed restore"
}

@test "restore of a terminal checkpoint without a console socket is refused up front" {
	container_bundle "$B" sleep 100
	edit_config "$B" 'c["process"]["terminal"] = True'
	mkdir -p "$IMG"
	run --separate-stderr ocirun restore -d --image-path "$IMG" -b "$B" c1
	assert_error "config.json: process.terminal: a terminal needs --console-socket (or \`run\` in the foreground)"
	assert_nothing_left c1
}
