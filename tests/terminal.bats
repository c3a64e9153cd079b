#!/usr/bin/env bats
# process.terminal: with --console-socket the pty master is sent over the
# unix socket (SCM_RIGHTS) and the container's stdio, controlling terminal
# and /dev/console are the pty's slave, sized by process.consoleSize; without
# a socket create refuses; `run` in the foreground proxies its own terminal.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	SOCKET="$TEST_TMP/console.sock"
	TTY_OUT="$TEST_TMP/tty.out"
}

teardown() {
	teardown_common
}


# start_console_receiver: a unix socket server at $SOCKET that accepts one
# connection, takes the fd sent with SCM_RIGHTS (the text that comes with it
# is only a label, different in every runtime: it goes to $TTY_OUT.label),
# writes the pty number of the fd (TIOCGPTN: it must be a pty
# master) to $TTY_OUT.ptn, and everything read from it until the slave side
# is closed to $TTY_OUT. It gives up after 20 s. Its pid is RECEIVER_PID.
start_console_receiver() {
	cat >"$TEST_TMP/receiver.py" <<-'EOF'
		import fcntl, os, signal, socket, struct, sys
		signal.alarm(20)
		path, out = sys.argv[1], sys.argv[2]
		server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		server.bind(path)
		server.listen(1)
		connection, _ = server.accept()
		message, fds, _, _ = socket.recv_fds(connection, 1024, 4)
		if len(fds) != 1:
		    sys.exit("expected one fd, got %d" % len(fds))
		with open(out + ".label", "wb") as f:
		    f.write(message)
		TIOCGPTN = 0x80045430
		number, = struct.unpack("I", fcntl.ioctl(fds[0], TIOCGPTN, b"\0" * 4))
		with open(out + ".ptn", "w") as f:
		    f.write("%d\n" % number)
		data = b""
		while True:
		    try:
		        chunk = os.read(fds[0], 4096)
		    except OSError:  # EIO: every slave fd is closed
		        break
		    if not chunk:
		        break
		    data += chunk
		with open(out, "wb") as f:
		    f.write(data)
	EOF
	"$PYTHON3" "$TEST_TMP/receiver.py" "$SOCKET" "$TTY_OUT" </dev/null >/dev/null 2>"$TEST_TMP/receiver.err" 3>&- &
	RECEIVER_PID=$!
	TEST_PIDS+=("$RECEIVER_PID")
	for _ in $(seq 100); do [[ -S "$SOCKET" ]] && return 0; sleep 0.05; done
	fail "the console receiver did not listen on $SOCKET: $(cat "$TEST_TMP/receiver.err")"
}

# wait_console_receiver: waits for it to finish; its output, with the pty's
# \r\n made \n, in lines.
wait_console_receiver() {
	local code=0
	wait "$RECEIVER_PID" || code=$?
	[[ "$code" -eq 0 ]] || fail "the console receiver failed ($code): $(cat "$TEST_TMP/receiver.err")"
	mapfile -t lines < <(tr -d '\r' <"$TTY_OUT")
}

# run_with_console ARGS...: a terminal container running ARGS, created with
# --console-socket and started (CONSOLE_SIZE and PROCESS_USER, when set, go
# into the config, CREATE_GLOBAL_FLAGS before create); what it wrote to its
# terminal in lines, create's stderr in $TEST_TMP/detached.err.
run_with_console() {
	container_bundle "$BUNDLE" "$@"
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	[[ -z "${CONSOLE_SIZE:-}" ]] || edit_config "$BUNDLE" "c['process']['consoleSize'] = $CONSOLE_SIZE"
	[[ -z "${PROCESS_USER:-}" ]] || edit_config "$BUNDLE" "c['process']['user'] = $PROCESS_USER"
	start_console_receiver
	# shellcheck disable=SC2086 # CREATE_GLOBAL_FLAGS: words, or nothing
	ocirun_detached ${CREATE_GLOBAL_FLAGS:-} create --console-socket "$SOCKET" --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	TEST_PIDS+=("$(cat "$TEST_TMP/pid")")
	run ocirun start c1
	assert_status 0
	wait_console_receiver
}

@test "--console-socket receives the pty master; stdin, stdout and stderr are its slave" {
	run_with_console sh -c 'tty; for fd in 0 1 2; do if test -t $fd; then echo "fd $fd: tty"; else echo "fd $fd: not a tty"; fi; done'
	assert_equal "${lines[0]}" "/dev/pts/$(cat "$TTY_OUT.ptn")" "tty (the slave of the master received)"
	assert_equal "${lines[1]}" "fd 0: tty"
	assert_equal "${lines[2]}" "fd 1: tty"
	assert_equal "${lines[3]}" "fd 2: tty"
}

@test "--debug without --log: the init's debug lines go to create's stderr, not the container's terminal" {
	CREATE_GLOBAL_FLAGS=--debug run_with_console echo hello
	assert_equal "${lines[*]}" hello "what the terminal got"
	grep -q 'level=debug msg="init: ready; start will exec /bin/echo' "$TEST_TMP/detached.err" ||
		fail "no line of the init on create's stderr: $(cat "$TEST_TMP/detached.err")"
}

@test "with a terminal, the pty is the process's controlling terminal and /dev/console" {
	# The tty_nr field (7) of /proc/self/stat is the controlling terminal;
	# stat prints device numbers in hex.
	run_with_console sh -c 'echo "ctty $(cut -d" " -f7 /proc/self/stat)"; stat -L -c "console %t:%T %F" /dev/console; stat -L -c "tty %t:%T" "$(tty)"'
	local major minor
	read -r _ major_minor _ <<<"$(printf '%s\n' "${lines[@]}" | grep '^tty ')"
	major=$((16#${major_minor%:*}))
	minor=$((16#${major_minor#*:}))
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep '^ctty ')" "ctty $((major << 8 | minor))" "the controlling terminal"
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep '^console ')" "console $major_minor character special file" "/dev/console"
	# Unix98 pty slaves have majors 136..143.
	((major >= 136 && major <= 143)) || fail "the tty is not a pty slave: major $major"
}

@test "the pty of a process that is not root is owned by its uid, as runc's" {
	PROCESS_USER="{'uid': 1000, 'gid': 1000}"
	run_with_console sh -c 'stat -L -c "%u %a" "$(tty)"'
	assert_equal "${lines[0]}" "1000 620" "owner and mode of the process's tty"
}

@test "process.consoleSize sets the pty's window size" {
	CONSOLE_SIZE='{"height": 33, "width": 111}'
	run_with_console stty size
	assert_equal "${lines[0]}" "33 111" "stty size"
}

@test "a terminal container's process exits and the container stops" {
	run_with_console sh -c 'echo bye; exit 7'
	assert_equal "${lines[0]}" bye
	wait_for_status c1 stopped
	assert_equal "$(container_status c1)" stopped "the container's status"
	run ocirun delete c1
	assert_status 0
}

@test "process.terminal without --console-socket fails create with a clear message, leaving nothing" {
	container_bundle "$BUNDLE" tty
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_equals "ocirun: config.json: process.terminal: a terminal needs --console-socket (or \`run\` in the foreground)"
	assert_nothing_left c1
}

@test "run --detach of a terminal container without --console-socket fails the same way" {
	container_bundle "$BUNDLE" tty
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "process.terminal: a terminal needs --console-socket"
	assert_nothing_left c1
}

@test "--console-socket without process.terminal is refused, as runc does, leaving nothing" {
	container_bundle "$BUNDLE" true
	ocirun_detached create --console-socket "$TEST_TMP/nobody-listens.sock" --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_equals "ocirun: --console-socket needs a terminal: config.json: process.terminal is false"
	assert_nothing_left c1
}

@test "run in the foreground with a terminal, under script(1): the process has a working tty" {
	command -v script >/dev/null || fail "script (util-linux) is not installed"
	container_bundle "$BUNDLE" sh -c 'tty; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty; read -r line; echo "got [$line]"; exit 3'
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	# script's stdin is a fifo that this shell holds open for writing: it
	# never sees end of file (script would send an EOF character into the
	# terminal), and the test can type into it.
	mkfifo "$TEST_TMP/typed"
	local typed code=0
	exec {typed}<>"$TEST_TMP/typed"
	echo "hello there" >&"$typed"
	timeout 30 script -qec "$(printf '%q ' "$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1)" /dev/null \
		<"$TEST_TMP/typed" >"$TEST_TMP/script.out" 2>&1 3>&- || code=$?
	exec {typed}>&-
	mapfile -t lines < <(tr -d '\r' <"$TEST_TMP/script.out")
	assert_equal "$code" 3 "the exit status (the container's)"
	# The typed line comes back first, echoed by the terminals.
	printf '%s\n' "${lines[@]}" | grep -qx '/dev/pts/[0-9]*' || fail "tty printed no pty: $(cat -A "$TEST_TMP/script.out")"
	printf '%s\n' "${lines[@]}" | grep -qx stdin-tty || fail "stdin is not a tty: $(cat -A "$TEST_TMP/script.out")"
	printf '%s\n' "${lines[@]}" | grep -qx stdout-tty || fail "stdout is not a tty: $(cat -A "$TEST_TMP/script.out")"
	printf '%s\n' "${lines[@]}" | grep -qx 'got \[hello there\]' || fail "the typed line did not arrive: $(cat -A "$TEST_TMP/script.out")"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "run left the container behind"
}
