#!/usr/bin/env bats
# The global frame of the CLI: version, usage, global options, how errors
# look on stderr and in the --log file (text and JSON), exit statuses.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# Checks every line of a --log-format json file: one JSON object per line,
# exactly the keys level, msg and time, time in RFC 3339 UTC with
# nanoseconds and close to now. Prints the parsed lines as one JSON array.
JSON_LOG_CHECK='
data = open(sys.argv[2], "rb").read()
check(data.endswith(b"\n"), "the log does not end with a newline: %r" % data[-80:])
entries = []
now = datetime.datetime.now(datetime.timezone.utc)
for raw in data[:-1].split(b"\n"):
    entry = json.loads(raw.decode("utf-8"))  # strict: one object per line, UTF-8
    check(isinstance(entry, dict), "not an object: %r" % raw)
    eq(sorted(entry), ["level", "msg", "time"], "keys of %r" % raw)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", entry["time"]),
          "time is not RFC 3339 UTC with nanoseconds: %r" % entry["time"])
    when = datetime.datetime.fromisoformat(entry["time"][:26] + "+00:00")
    check(abs((now - when).total_seconds()) < 600, "time %s is not now (%s)" % (entry["time"], now))
    entries.append(entry)
print(json.dumps(entries))
'

@test "--version prints exactly the version, spec, libseccomp and build features lines" {
	run --separate-stderr "$OCIRUN" --version
	assert_status 0
	assert_stderr_empty
	assert_line_count 4
	assert_equal "${lines[0]}" "ocirun version 0.1.0" "line 1"
	assert_equal "${lines[1]}" "spec: 1.3.0" "line 2"
	[[ "${lines[2]}" =~ ^libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "line 3 is not 'libseccomp: X.Y.Z': ${lines[2]}"
	# +CRIU when checkpoint and restore are built in (make check says so).
	local criu=""
	[[ "${OCIRUN_BUILT_WITH_CRIU:-}" == yes ]] && criu=" +CRIU"
	assert_equal "${lines[3]}" "+CAP$criu +SECCOMP +YAJL" "line 4"
}

@test "-v prints the same as --version" {
	local long
	long=$("$OCIRUN" --version)
	run --separate-stderr "$OCIRUN" -v
	assert_status 0
	assert_stderr_empty
	assert_output_equals "$long"
}

@test "no arguments prints the usage on stdout and exits 0" {
	run --separate-stderr "$OCIRUN"
	assert_status 0
	assert_stderr_empty
	[[ "${lines[0]}" == Usage:* ]] || fail "first line is not a usage line: ${lines[0]}"
	local help
	help=$("$OCIRUN" --help)
	assert_output_equals "$help"
}

@test "--help and -h print a usage that lists the spec, features, state and list commands" {
	local flag cmd
	for flag in --help -h; do
		run --separate-stderr "$OCIRUN" "$flag"
		assert_status 0
		assert_stderr_empty
		[[ "${lines[0]}" == "Usage: ocirun "* ]] || fail "$flag: first line is not a usage line: ${lines[0]}"
		for cmd in spec features state list; do
			printf '%s\n' "${lines[@]}" | grep -qE "^[[:space:]]+${cmd}[[:space:]]" ||
				{ print_run; fail "$flag does not list the $cmd command"; }
		done
		# Every global option is documented.
		for cmd in --root --log --log-format --debug --systemd-cgroup --rootless --criu --version; do
			assert_output_contains "$cmd"
		done
	done
}

@test "help prints the global usage, and help COMMAND, COMMAND --help and -h that command's usage" {
	local help cmd commands
	help=$("$OCIRUN" --help)
	run --separate-stderr "$OCIRUN" help
	assert_status 0
	assert_stderr_empty
	assert_output_equals "$help"

	# Every command the usage lists, as runc answers -h and --help for each.
	commands=$(sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' <<<"$help")
	[[ $(wc -w <<<"$commands") -ge 17 ]] || fail "the usage lists too few commands: $commands"
	for cmd in $commands; do
		run --separate-stderr "$OCIRUN" help "$cmd"
		assert_status 0
		assert_stderr_empty
		[[ "${lines[0]}" == "Usage: ocirun $cmd"* ]] || fail "help $cmd: first line is not its usage: ${lines[0]}"
		local via_help=$output
		run --separate-stderr "$OCIRUN" "$cmd" --help
		assert_status 0
		assert_stderr_empty
		assert_output_equals "$via_help"
		run --separate-stderr "$OCIRUN" "$cmd" -h
		assert_status 0
		assert_output_equals "$via_help"
	done
}

@test "an unknown command is a usage error naming it" {
	run --separate-stderr ocirun nosuch
	assert_usage_error "" 'unknown command `nosuch`'
}

@test "an unknown global option is a usage error naming it" {
	run --separate-stderr "$OCIRUN" --bogus
	assert_usage_error "" 'ocirun: unknown option "--bogus"'

	run --separate-stderr "$OCIRUN" --bogus=1 list
	assert_status 1
	assert_stdout_empty
	assert_line_count 2 stderr
	assert_equal "${stderr_lines[1]}" "Run 'ocirun --help' for usage." "hint"
}

@test "an unknown short global option is a usage error naming it" {
	run --separate-stderr "$OCIRUN" -x list
	assert_status 1
	assert_stdout_empty
	assert_line_count 2 stderr
	[[ "${stderr_lines[0]}" == "ocirun: "*"unknown option"*"-x"* ]] || fail "message does not name -x: ${stderr_lines[0]}"
	assert_equal "${stderr_lines[1]}" "Run 'ocirun --help' for usage." "hint"
}

@test "every global option that takes a value is a usage error without one" {
	local opt
	for opt in --root --log --log-format --rootless --criu; do
		run --separate-stderr "$OCIRUN" "$opt"
		assert_usage_error "" "ocirun: option \"$opt\" needs a value"
	done
}

@test "global options take their value both as --opt=value and as --opt value" {
	running_fixture c1
	run --separate-stderr "$OCIRUN" --root="$OCIRUN_ROOT" list -q
	assert_status 0
	assert_stderr_empty
	assert_output_equals c1
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" list -q
	assert_status 0
	assert_output_equals c1

	run --separate-stderr ocirun --log="$TEST_TMP/a.log" --log-format=json nosuch
	assert_status 1
	run --separate-stderr ocirun --log "$TEST_TMP/b.log" --log-format json nosuch
	assert_status 1
	local f
	for f in a b; do
		[[ -s "$TEST_TMP/$f.log" ]] || fail "--log did not write $f.log"
		json_file_assert "$TEST_TMP/$f.log" 'eq(d["level"], "error", "level")'
	done
}

@test "--log-format with a value other than text or json is a usage error" {
	run --separate-stderr ocirun --log-format xml spec --bundle "$TEST_TMP"
	assert_usage_error "" 'invalid --log-format `xml`: expected text or json'
	[[ ! -e "$TEST_TMP/config.json" ]] || fail "spec ran despite the bad --log-format"
}

@test "--rootless accepts auto, true and false and rejects anything else" {
	local value
	for value in auto true false; do
		run --separate-stderr ocirun --rootless "$value" list -q
		assert_status 0
		assert_stderr_empty
		run --separate-stderr ocirun --rootless="$value" list -q
		assert_status 0
		assert_stderr_empty
	done
	run --separate-stderr ocirun --rootless maybe list
	assert_usage_error "" 'invalid --rootless `maybe`: expected auto, true or false'
}

@test "--systemd-cgroup is a global option that commands other than create take silently" {
	running_fixture c1
	run --separate-stderr ocirun --systemd-cgroup list -q
	assert_status 0
	assert_output_equals c1
	assert_stderr_empty
}

@test "--criu PATH is accepted without complaint" {
	running_fixture c1
	run --separate-stderr ocirun --criu /usr/sbin/criu list -q
	assert_status 0
	assert_stderr_empty
	assert_output_equals c1
}

@test "--debug does not change what a command prints on stdout" {
	running_fixture c1
	run --separate-stderr ocirun --debug list -q
	assert_status 0
	assert_output_equals c1
	run --separate-stderr ocirun --debug --log "$TEST_TMP/debug.log" list -q
	assert_status 0
	assert_output_equals c1
	# With a log file, debug messages go there, not to stderr.
	assert_stderr_empty
	grep -q 'level=debug' "$TEST_TMP/debug.log" || fail "no debug line in the log: $(cat "$TEST_TMP/debug.log")"
}

@test "a usage error inside a command names the command and points at its --help" {
	run --separate-stderr ocirun spec --bogus
	assert_usage_error spec 'spec: unknown option "--bogus"'
	run --separate-stderr ocirun state
	assert_status 1
	assert_stdout_empty
	assert_line_count 2 stderr
	assert_equal "${stderr_lines[1]}" "Run 'ocirun state --help' for usage." "hint"
	run --separate-stderr ocirun state a b
	assert_status 1
	assert_line_count 2 stderr
	assert_equal "${stderr_lines[1]}" "Run 'ocirun state --help' for usage." "hint"
	run --separate-stderr ocirun features extra
	assert_status 1
	assert_line_count 2 stderr
	assert_equal "${stderr_lines[1]}" "Run 'ocirun features --help' for usage." "hint"
	run --separate-stderr ocirun list extra
	assert_status 1
	assert_line_count 2 stderr
	assert_equal "${stderr_lines[1]}" "Run 'ocirun list --help' for usage." "hint"
}

@test "--log appends each error as a logrus text line and still prints it on stderr" {
	local log="$TEST_TMP/ocirun.log" time_re='^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z" '
	echo "an earlier line" >"$log"
	run --separate-stderr ocirun --log "$log" nosuch
	assert_usage_error "" 'unknown command `nosuch`'
	run --separate-stderr ocirun --log "$log" state missing
	assert_error 'container `missing` does not exist'

	mapfile -t log_lines <"$log"
	assert_equal "${#log_lines[@]}" 3 "number of lines in the log"
	assert_equal "${log_lines[0]}" "an earlier line" "the line that was there before"
	[[ "${log_lines[1]}" =~ $time_re ]] || fail "no logrus time field: ${log_lines[1]}"
	[[ "${log_lines[1]}" == *'" level=error msg="unknown command `nosuch`"' ]] || fail "line 2: ${log_lines[1]}"
	[[ "${log_lines[2]}" =~ $time_re ]] || fail "no logrus time field: ${log_lines[2]}"
	[[ "${log_lines[2]}" == *'" level=error msg="container `missing` does not exist"' ]] || fail "line 3: ${log_lines[2]}"
}

@test "--log-format json writes each error as one {level,msg,time} line matching stderr" {
	local log="$TEST_TMP/ocirun.json"
	run --separate-stderr ocirun --log "$log" --log-format json nosuch
	assert_usage_error "" 'unknown command `nosuch`'
	run --separate-stderr ocirun --log "$log" --log-format json state missing
	assert_error 'container `missing` does not exist'

	run --separate-stderr env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE$JSON_LOG_CHECK" - "$log"
	assert_status 0
	json_assert "$output" '
eq(len(d), 2, "number of log lines")
eq(d[0]["level"], "error", "level")
eq(d[0]["msg"], "unknown command `nosuch`", "msg")
eq(d[1]["level"], "error", "level")
eq(d[1]["msg"], "container `missing` does not exist", "msg")
'
}

@test "--debug with --log-format json also writes valid debug lines" {
	local log="$TEST_TMP/ocirun.json"
	run --separate-stderr ocirun --debug --log "$log" --log-format json list -q
	assert_status 0
	assert_stderr_empty
	run --separate-stderr ocirun --debug --log "$log" --log-format json state missing
	assert_error 'container `missing` does not exist'

	run --separate-stderr env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE$JSON_LOG_CHECK" - "$log"
	assert_status 0
	json_assert "$output" '
levels = [e["level"] for e in d]
check("debug" in levels, "no debug line: %r" % d)
check(set(levels) <= {"debug", "info", "warning", "error"}, "unknown level: %r" % levels)
eq(d[-1], dict(d[-1], level="error", msg="container `missing` does not exist"), "last line")
'
}

@test "an error message with a quote and a newline stays one escaped line on stderr and in both logs" {
	local name=$'a"b\nc'
	run --separate-stderr ocirun --log "$TEST_TMP/text.log" "$name"
	assert_status 1
	assert_stdout_empty
	# The message itself is one line: the newline is shown escaped.
	assert_line_count 2 stderr
	[[ "${stderr_lines[0]}" == "ocirun: unknown command "* ]] || fail "message: ${stderr_lines[0]}"
	[[ "${stderr_lines[0]}" == *'\x0a'* ]] || { print_run; fail "the newline is not shown as \\x0a"; }
	assert_equal "${stderr_lines[1]}" "Run 'ocirun --help' for usage." "hint"
	local message=${stderr_lines[0]#ocirun: }

	# logrus text: one line whose msg unquotes to the same message.
	run --separate-stderr env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE"'
lines = open(sys.argv[1], "rb").read().decode("utf-8").split("\n")
eq(len(lines), 2, "lines in the text log (with the empty one after the last newline)")
m = re.fullmatch(r"time=\"[^\"]+\" level=error msg=\"((?:[^\"\\]|\\.)*)\"", lines[0])
check(m, "not a logrus text line: %r" % lines[0])
eq(m.group(1).encode("ascii").decode("unicode_escape"), sys.argv[2], "unquoted msg")
' "$TEST_TMP/text.log" "$message"
	assert_status 0

	run --separate-stderr ocirun --log "$TEST_TMP/json.log" --log-format json "$name"
	assert_status 1
	run --separate-stderr env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE$JSON_LOG_CHECK" - "$TEST_TMP/json.log"
	assert_status 0
	json_assert "$output" '
eq(len(d), 1, "number of log lines")
eq(d[0]["msg"], sys.argv[2], "msg")
' "$message"
}

@test "an error message with bytes that are not UTF-8 still gives a valid UTF-8 JSON log line" {
	local name=$'bad\xff\xfename'
	run --separate-stderr ocirun --log "$TEST_TMP/json.log" --log-format json "$name"
	assert_status 1
	assert_line_count 2 stderr
	run --separate-stderr env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE$JSON_LOG_CHECK" - "$TEST_TMP/json.log"
	assert_status 0
	json_assert "$output" '
eq(len(d), 1, "number of log lines")
eq(d[0]["level"], "error", "level")
check(d[0]["msg"].startswith("unknown command "), "msg: %r" % d[0]["msg"])
'
}

@test "a failed write to stdout is an error, not a silent exit 0" {
	version_to_full() { "$OCIRUN" --version >/dev/full; }
	features_to_full() { "$OCIRUN" features >/dev/full; }
	local f
	for f in version_to_full features_to_full; do
		run --separate-stderr "$f"
		assert_status 1
		assert_line_count 1 stderr
		[[ "$stderr" == "ocirun: "*"No space left on device" ]] || { print_run; fail "$f: the error does not say why"; }
	done
}
