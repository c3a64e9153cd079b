#!/usr/bin/env bats
# --debug: what run and exec did, as logrus debug lines (text or JSON), on
# stderr without --log and in the log file with it, from the container's
# init as well as from the ocirun process; none without --debug; and the
# fd they are written to never reaches the container's processes.

# status, output, lines and stderr are set by bats' `run` and
# ocirun_detached; backticks in single quotes are the messages' own.
# shellcheck disable=SC2154,SC2016

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	container_bundle "$BUNDLE" sleep 1000
	TEXT_RE='^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z" level=debug msg="(.*)"$'
}

teardown() {
	teardown_common
}

# assert_text_debug_lines TEXT: every line of TEXT is a logrus text debug
# line; their messages (unquoted) in MESSAGES, one a line.
assert_text_debug_lines() {
	local line
	MESSAGES=
	[[ -n "$1" ]] || fail "no debug lines"
	while IFS= read -r line; do
		[[ "$line" =~ $TEXT_RE ]] || fail "not a logrus text debug line: $line"
		MESSAGES+="${BASH_REMATCH[1]//\\\"/\"}"$'\n'
	done <<<"$1"
}

# assert_message TEXT: a line of MESSAGES contains TEXT.
assert_message() {
	[[ "$MESSAGES" == *"$1"* ]] || fail "no debug message with: $1
--- messages ---
$MESSAGES"
}

# The messages of create, the init and start for c1 from $BUNDLE.
assert_run_messages() {
	assert_message "command run, root $OCIRUN_ROOT"
	assert_message "create c1: config loaded from $BUNDLE/config.json"
	assert_message "create c1: cgroup /$TEST_CGROUP_PREFIX/c1"
	assert_message "create c1: cloned the init, pid "
	# These come from the init, after the clone.
	assert_message "init: child process in init, pid 1"
	assert_message "init: rootfs $BUNDLE/rootfs and its "
	assert_message "init: pivot_root into $BUNDLE/rootfs done"
	assert_message 'init: ready; start will exec /bin/sleep with args "sleep" "1000"'
	assert_message "create c1: the init is ready"
	assert_message "start c1: told the init (pid "
}

# fds_of PID: the fd numbers PID holds, space separated.
fds_of() {
	local fd list=
	for fd in /proc/"$1"/fd/*; do
		list+="${fd##*/} "
	done
	echo "${list% }"
}

init_pid() {
	ocirun state c1 | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["pid"])'
}

@test "--debug without --log: run and exec write logrus text debug lines to stderr, the init's too" {
	ocirun_detached --debug run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_text_debug_lines "$stderr"
	assert_run_messages

	run --separate-stderr ocirun --debug exec c1 echo hi
	assert_status 0
	assert_output_equals hi
	assert_text_debug_lines "$stderr"
	assert_message "exec c1: joining the namespaces (flags 0x"
	assert_message ") of pid $(init_pid)"
	# From the exec'd child, in the container's namespaces.
	assert_message 'exec: joined the container'"'"'s namespaces, exec /bin/echo with args "echo" "hi"'
	assert_message "exec c1: process "
}

@test "--debug --log FILE: the lines go to the file, the init's too, nothing to stderr" {
	local log="$TEST_TMP/debug.log"
	ocirun_detached --debug --log "$log" run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_stderr_empty
	assert_text_debug_lines "$(cat "$log")"
	assert_run_messages

	: >"$log"
	run --separate-stderr ocirun --debug --log "$log" exec c1 true
	assert_status 0
	assert_stderr_empty
	assert_stdout_empty
	assert_text_debug_lines "$(cat "$log")"
	assert_message 'exec /bin/true with args "true"'
}

@test "--debug --log-format json: each line a {level: debug, msg, time} object, the time RFC 3339" {
	local log="$TEST_TMP/debug.json"
	ocirun_detached --debug --log "$log" --log-format json run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_stderr_empty
	run --separate-stderr ocirun --debug --log "$log" --log-format json exec c1 true
	assert_status 0
	assert_stderr_empty
	json_assert '{}' '
import datetime, re
data = open(sys.argv[2], "rb").read()
check(data.endswith(b"\n"), "the log does not end with a newline")
now = datetime.datetime.now(datetime.timezone.utc)
messages = []
for raw in data[:-1].split(b"\n"):
    entry = json.loads(raw.decode("utf-8"))
    eq(sorted(entry), ["level", "msg", "time"], "keys of %r" % raw)
    eq(entry["level"], "debug", "level of %r" % raw)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", entry["time"]), "time %r" % entry["time"])
    when = datetime.datetime.fromisoformat(entry["time"][:26] + "+00:00")
    check(abs((now - when).total_seconds()) < 600, "time %s is not now" % entry["time"])
    messages.append(entry["msg"])
for wanted in ("create c1: config loaded from " + sys.argv[3] + "/config.json",
               "init: child process in init, pid 1",
               "init: ready; start will exec /bin/sleep with args \"sleep\" \"1000\"",
               "exec /bin/true with args \"true\""):
    check(any(wanted in m for m in messages), "no message with %r in %r" % (wanted, messages))
' "$log" "$BUNDLE"
}

@test "without --debug: no debug line on stderr or in the log" {
	local log="$TEST_TMP/quiet.log"
	ocirun_detached --log "$log" run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_stderr_empty
	run --separate-stderr ocirun --log "$log" exec c1 true
	assert_status 0
	assert_stderr_empty
	run --separate-stderr ocirun exec c1 true
	assert_status 0
	assert_stderr_empty
	[[ ! -s "$log" ]] || fail "the log has lines: $(cat "$log")"
}

@test "--debug: the fd debug lines go to never reaches the container's processes" {
	local log="$TEST_TMP/debug.log" pid
	ocirun_detached --debug --log "$log" run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$(fds_of "$(init_pid)")" "0 1 2" "the init's fds (--log)"
	ocirun_detached --debug --log "$log" exec --detach --pid-file "$TEST_TMP/exec.pid" c1 sleep 1000
	assert_status 0
	assert_equal "$(fds_of "$(cat "$TEST_TMP/exec.pid")")" "0 1 2" "an exec'd process's fds (--log)"
	ocirun delete --force c1

	# Without --log the lines go to a copy of stderr.
	ocirun_detached --debug run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$(fds_of "$(init_pid)")" "0 1 2" "the init's fds (stderr)"
	ocirun_detached --debug exec --detach --pid-file "$TEST_TMP/exec.pid" c1 sleep 1000
	assert_status 0
	assert_equal "$(fds_of "$(cat "$TEST_TMP/exec.pid")")" "0 1 2" "an exec'd process's fds (stderr)"
}

@test "--debug: a hook that runs is a debug line" {
	edit_config "$BUNDLE" "c['hooks'] = {'createRuntime': [{'path': '/bin/true', 'args': ['true']}]}"
	ocirun_detached --debug run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_text_debug_lines "$stderr"
	assert_message "hooks: run createRuntime hook 0: /bin/true"
}
