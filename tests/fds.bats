#!/usr/bin/env bats
# File descriptors: --preserve-fds N passes the caller's fds 3..3+N-1; systemd
# socket activation (LISTEN_FDS, LISTEN_PID) passes the listening fds the way
# runc does; no other fd, of the caller or of the runtime, reaches the
# container (CVE-2024-21626 class); --pid-file names the init.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	for n in 1 2 3; do
		echo "content $n" >"$TEST_TMP/file$n"
	done
}

teardown() {
	teardown_common
}

# The container's pid 1 (the shell itself, in its new pid namespace) reports
# its fds, their targets and its environment. No pipe or command
# substitution: the shell's end of one would be in the list.
report_fds_bundle() {
	container_bundle "$BUNDLE" sh -c 'echo fds-begin; ls -1 /proc/1/fd; echo fds-end; ls -l /proc/1/fd; env'
}

# The reported fd numbers, in numeric order on one line.
reported_fds() {
	printf '%s\n' "${lines[@]}" | sed -n '/^fds-begin$/,/^fds-end$/p' | grep -x '[0-9]*' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# assert_fd_target FD PATH: what the report says FD points to.
assert_fd_target() {
	local target
	target=$(printf '%s\n' "${lines[@]}" | sed -n "s|.* $1 -> ||p")
	assert_equal "$target" "$2" "fd $1's target"
}

# The LISTEN_ variables of the reported environment.
reported_listen_env() {
	printf '%s\n' "${lines[@]}" | grep '^LISTEN_' | sort
}

@test "--preserve-fds N passes fds 3 to 3+N-1, and only those" {
	report_fds_bundle
	run --separate-stderr ocirun run --preserve-fds 2 --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4<"$TEST_TMP/file2" 5<"$TEST_TMP/file3"
	assert_status 0
	assert_equal "$(reported_fds)" "0 1 2 3 4" "the container's fds"
	assert_fd_target 3 "$TEST_TMP/file1"
	assert_fd_target 4 "$TEST_TMP/file2"
}

@test "the preserved fds are usable in the container" {
	container_bundle "$BUNDLE" sh -c 'cat <&3; echo "written through 4" >&4'
	: >"$TEST_TMP/out"
	run --separate-stderr ocirun run --preserve-fds 2 --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4>"$TEST_TMP/out"
	assert_status 0
	assert_output_equals "content 1"
	assert_equal "$(cat "$TEST_TMP/out")" "written through 4" "what the container wrote to fd 4"
}

@test "without --preserve-fds, no fd of the caller above 2 reaches the container" {
	report_fds_bundle
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4<"$TEST_TMP/file2" 9<"$TEST_TMP/file3"
	assert_status 0
	assert_equal "$(reported_fds)" "0 1 2" "the container's fds"
}

@test "no fd of the runtime leaks into the container: a running container holds only 0, 1, 2 and the preserved fd" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --preserve-fds 1 --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 7<"$TEST_TMP/file2"
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	local fds=("/proc/$pid/fd/"*)
	assert_equal "$(printf '%s\n' "${fds[@]##*/}" | sort -n | tr '\n' ' ')" "0 1 2 3 " "the fds of the container's process, seen from outside"
	assert_equal "$(readlink "/proc/$pid/fd/3")" "$TEST_TMP/file1" "fd 3"
	ocirun delete --force c1
}

@test "a created container's init holds no fd of the caller" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4<"$TEST_TMP/file2"
	assert_status 0
	local pid fd target
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	for fd in "/proc/$pid/fd/"*; do
		target=$(readlink "$fd")
		[[ "$target" != "$TEST_TMP/file"* ]] || fail "the created init holds the caller's fd ${fd##*/} -> $target"
	done
	ocirun delete --force c1
}

@test "LISTEN_FDS=1 for ocirun (LISTEN_PID its pid) passes fd 3 to the container" {
	report_fds_bundle
	run --separate-stderr bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' _ \
		"$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4<"$TEST_TMP/file2"
	assert_status 0
	assert_equal "$(reported_fds)" "0 1 2 3" "the container's fds"
	assert_fd_target 3 "$TEST_TMP/file1"
}

@test "LISTEN_FDS: the container's process gets LISTEN_FDS=N and LISTEN_PID=1, as runc sets them" {
	report_fds_bundle
	run --separate-stderr bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' _ \
		"$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1"
	assert_status 0
	assert_equal "$(reported_listen_env)" "LISTEN_FDS=1
LISTEN_PID=1" "the container's LISTEN_ variables"
}

@test "LISTEN_FDS with --preserve-fds: the listening fds come first, the preserved ones after" {
	report_fds_bundle
	run --separate-stderr bash -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' _ \
		"$OCIRUN" --root "$OCIRUN_ROOT" run --preserve-fds 1 --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1" 4<"$TEST_TMP/file2" 5<"$TEST_TMP/file3"
	assert_status 0
	assert_equal "$(reported_fds)" "0 1 2 3 4" "the container's fds"
	assert_fd_target 3 "$TEST_TMP/file1"
	assert_fd_target 4 "$TEST_TMP/file2"
}

@test "LISTEN_FDS meant for another process (LISTEN_PID not ocirun's) passes no fd" {
	# sd_listen_fds(3): the variables are for the process LISTEN_PID names;
	# runc ignores them otherwise, so fds a parent left open by mistake do
	# not reach the container.
	report_fds_bundle
	run --separate-stderr env LISTEN_PID=1 LISTEN_FDS=1 \
		"$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1 3<"$TEST_TMP/file1"
	assert_status 0
	assert_equal "$(reported_fds)" "0 1 2" "the container's fds"
	assert_equal "$(reported_listen_env)" "" "the container's LISTEN_ variables"
}

@test "--pid-file holds exactly the init's pid, as state reports it" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	# Only digits, no newline (runc writes none either).
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "the pid file holds [$pid]"
	assert_equal "$(wc -c <"$TEST_TMP/pid")" "${#pid}" "the pid file's size"
	json_assert "$(ocirun state c1)" 'eq(d["pid"], int(sys.argv[2]), "state pid")' "$pid"
	# It is the container's init: in the container's pid namespace as its pid 1.
	assert_equal "$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$pid/status" | awk '{print $NF}')" 1 "the pid inside the container"
	compgen -G "$TEST_TMP/pid?*" >/dev/null && fail "a temporary pid file was left: $(compgen -G "$TEST_TMP/pid?*")"
	ocirun start c1
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "the pid's command line after start"
	ocirun delete --force c1
}

@test "--pid-file: a relative path is relative to the caller's directory, and an existing file is replaced" {
	container_bundle "$BUNDLE" sleep 1000
	mkdir "$TEST_TMP/here"
	echo "999999999 old content" >"$TEST_TMP/here/init.pid"
	cd "$TEST_TMP/here"
	ocirun_detached run --detach --pid-file init.pid --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/here/init.pid")
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "the pid file holds [$pid]"
	json_assert "$(ocirun state c1)" 'eq(d["pid"], int(sys.argv[2]), "state pid")' "$pid"
	ocirun delete --force c1
}

@test "--preserve-fds past the fds ocirun was given is refused: ocirun's own fds are never passed on" {
	container_bundle "$BUNDLE" true
	run --separate-stderr ocirun run --preserve-fds 3 --bundle "$BUNDLE" c1 3<&- 4<&- 5<&-
	assert_status 1
	assert_stderr_contains "fd 3 was not open when ocirun started"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
}
