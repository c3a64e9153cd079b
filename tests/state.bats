#!/usr/bin/env bats
# `ocirun state` and `ocirun list` over hand-written state directories (no
# `create` yet): the status is derived from the init pid and its start time,
# container ids are validated, and broken entries are reported or skipped.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# start_zombie: a child of a python3 process (ours) that has exited but is
# not reaped: ZOMBIE_PID and its start time ZOMBIE_START. The parent waits
# for the exit with WNOWAIT, so no polling is needed, and reports through a
# fifo.
start_zombie() {
	mkfifo "$TEST_TMP/zombie.fifo"
	"$PYTHON3" -c '
import os, sys, time
child = os.fork()
if child == 0:
    os._exit(0)
stat = open("/proc/%d/stat" % child).read()
os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)
with open(sys.argv[1], "w") as fifo:
    fifo.write("%d %s\n" % (child, stat.rsplit(")", 1)[1].split()[19]))
time.sleep(1000)
' "$TEST_TMP/zombie.fifo" </dev/null >/dev/null 2>&1 3>&- &
	TEST_PIDS+=("$!")
	read -r -t 60 ZOMBIE_PID ZOMBIE_START <"$TEST_TMP/zombie.fifo" ||
		fail "the zombie maker did not report"
}

proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

HEADER="ID          PID         STATUS      BUNDLE      CREATED     OWNER"

# ---------------------------------------------------------------------------
# state

@test "state of a running container prints pretty JSON with its pid and without initStartTime" {
	running_fixture c1
	run --separate-stderr ocirun state c1
	assert_status 0
	assert_stderr_empty
	[[ ${#lines[@]} -gt 5 ]] || fail "not pretty-printed: $output"
	[[ "${lines[1]}" == $'\t"'* ]] || fail "not indented with a tab: ${lines[1]}"
	[[ "$output" != *initStartTime* ]] || fail "initStartTime is private but was printed"
	json_assert "$output" '
eq(d["ociVersion"], "1.3.0", "ociVersion")
eq(d["id"], "c1", "id")
eq(d["status"], "running", "status")
eq(d["pid"], int(sys.argv[2]), "pid")
eq(d["bundle"], "/b", "bundle")
eq(d["rootfs"], "/b/rootfs", "rootfs")
eq(d["created"], sys.argv[3], "created")
eq(d["owner"], "root", "owner")
check("initStartTime" not in d, "initStartTime in the output")
' "$SLEEP_PID" "$FIXTURE_CREATED"
}

@test "state's output is valid against the OCI state schema" {
	running_fixture c1
	run --separate-stderr ocirun state c1
	assert_status 0
	schema_assert "$output" state-schema.json
}

@test "state reports stopped and pid 0 once the init has exited and been reaped" {
	running_fixture c1
	stop_sleep "$SLEEP_PID"
	run --separate-stderr ocirun state c1
	assert_status 0
	assert_stderr_empty
	json_assert "$output" '
eq(d["status"], "stopped", "status")
eq(d["pid"], 0, "pid")
'
}

@test "state reports stopped for an init that has exited but is not reaped yet" {
	start_zombie
	[[ "$(proc_state "$ZOMBIE_PID")" == Z ]] || fail "precondition: $ZOMBIE_PID is not a zombie"
	write_state c1 running "$ZOMBIE_PID" "$ZOMBIE_START"
	run --separate-stderr ocirun state c1
	assert_status 0
	json_assert "$output" '
eq(d["status"], "stopped", "status")
eq(d["pid"], 0, "pid")
'
}

@test "state reports stopped when the pid now belongs to another process (start time differs)" {
	start_sleep
	local start
	start=$(proc_start_time "$SLEEP_PID")
	write_state c1 running "$SLEEP_PID" "$((start + 1))"
	run --separate-stderr ocirun state c1
	assert_status 0
	json_assert "$output" '
eq(d["status"], "stopped", "status")
eq(d["pid"], 0, "pid")
'
}

@test "state keeps status created while the created init is alive" {
	start_sleep
	write_state c1 created "$SLEEP_PID" "$(proc_start_time "$SLEEP_PID")"
	run --separate-stderr ocirun state c1
	assert_status 0
	json_assert "$output" '
eq(d["status"], "created", "status")
eq(d["pid"], int(sys.argv[2]), "pid")
' "$SLEEP_PID"

	stop_sleep "$SLEEP_PID"
	run --separate-stderr ocirun state c1
	assert_status 0
	json_assert "$output" 'eq(d["status"], "stopped", "status after the init died")'
}

@test "state of an id that has no state directory: container does not exist" {
	running_fixture other
	run --separate-stderr ocirun state nosuch
	assert_error 'container `nosuch` does not exist'
}

@test "state when the runtime root does not exist: container does not exist" {
	run --separate-stderr ocirun state nosuch
	assert_error 'container `nosuch` does not exist'
	[[ ! -e "$OCIRUN_ROOT" ]] || fail "state created the runtime root"
}

@test "state rejects ids that could escape the root or are not plain names" {
	# A valid container right where `../x` would lead from the root.
	OCIRUN_ROOT="$TEST_TMP/x" running_fixture .
	mkdir -p "$OCIRUN_ROOT"
	local id
	for id in ../x .hidden a/b /abs -dash _under a:b 'a b' $'a\nb' ..; do
		run --separate-stderr ocirun state -- "$id"
		assert_status 1
		assert_stdout_empty
		assert_line_count 1 stderr
		[[ "${stderr_lines[0]}" == "ocirun: invalid container id "*": it must start with a letter or digit and contain only letters, digits, '_', '.', '+' and '-'" ]] ||
			{ print_run; fail "id [$id] was not rejected as invalid"; }
	done
	run --separate-stderr ocirun state ../x
	assert_error "invalid container id \"../x\": it must start with a letter or digit and contain only letters, digits, '_', '.', '+' and '-'"
}

@test "state rejects an empty id" {
	run --separate-stderr ocirun state ""
	assert_error "container id must not be empty"
}

@test "state rejects an id longer than 1024 bytes but accepts a long valid one" {
	local long
	long=$(printf 'a%.0s' {1..1025})
	run --separate-stderr ocirun state "$long"
	assert_status 1
	assert_stdout_empty
	assert_line_count 1 stderr
	[[ "$stderr" == "ocirun: invalid container id "*": longer than 1024 bytes" ]] || { print_run; fail "not rejected as too long"; }

	# 255 bytes, the longest directory name: valid, and simply not there.
	long=$(printf 'b%.0s' {1..255})
	run --separate-stderr ocirun state "$long"
	assert_error "container \`$long\` does not exist"
	running_fixture "$long"
	run --separate-stderr ocirun state "$long"
	assert_status 0
	json_assert "$output" 'eq(d["id"], sys.argv[2], "id")' "$long"
}

@test "state accepts ids with every allowed character: letters, digits, _ . + -" {
	local id="Az09_.+-x"
	running_fixture "$id"
	run --separate-stderr ocirun state "$id"
	assert_status 0
	assert_stderr_empty
	json_assert "$output" 'eq(d["id"], sys.argv[2], "id")' "$id"
}

@test "state with a corrupt state.json fails naming state.json and the problem" {
	install -d -m 0700 "$OCIRUN_ROOT" "$OCIRUN_ROOT/trunc" "$OCIRUN_ROOT/badpid"
	printf '{"ociVersion":"1.3.0","id":"trunc","status":"run' >"$OCIRUN_ROOT/trunc/state.json"
	printf '{"ociVersion":"1.3.0","id":"badpid","status":"running","pid":"abc","bundle":"/b"}' >"$OCIRUN_ROOT/badpid/state.json"

	run --separate-stderr ocirun state trunc
	assert_status 1
	assert_stdout_empty
	assert_line_count 1 stderr
	assert_stderr_contains "state.json"
	assert_stderr_contains "trunc"

	run --separate-stderr ocirun state badpid
	assert_status 1
	assert_stdout_empty
	assert_line_count 1 stderr
	assert_stderr_contains "state.json"
	assert_stderr_contains "pid"
}

@test "state of a state directory without state.json: still being created" {
	install -d -m 0700 "$OCIRUN_ROOT" "$OCIRUN_ROOT/c1"
	run --separate-stderr ocirun state c1
	assert_error 'container `c1` is still being created'
}

@test "state --help prints its usage" {
	run --separate-stderr ocirun state --help
	assert_status 0
	assert_stderr_empty
	[[ "${lines[0]}" == "Usage: ocirun state"* ]] || fail "not state's usage: ${lines[0]}"
}

# ---------------------------------------------------------------------------
# list

@test "list with no runtime root: only the header, [] as json, nothing with -q" {
	run --separate-stderr ocirun list
	assert_status 0
	assert_stderr_empty
	assert_output_equals "$HEADER"
	run --separate-stderr ocirun list --format json
	assert_status 0
	assert_stderr_empty
	assert_output_equals "[]"
	run --separate-stderr ocirun list -q
	assert_status 0
	assert_stderr_empty
	assert_stdout_empty
	[[ ! -e "$OCIRUN_ROOT" ]] || fail "list created the runtime root"
}

@test "list with an empty runtime root: only the header, [] as json, nothing with -q" {
	install -d -m 0700 "$OCIRUN_ROOT"
	run --separate-stderr ocirun list
	assert_status 0
	assert_output_equals "$HEADER"
	run --separate-stderr ocirun list --format json
	assert_status 0
	assert_output_equals "[]"
	run --separate-stderr ocirun list --quiet
	assert_status 0
	assert_stdout_empty
}

@test "list prints a table sorted by id, columns padded like Go's tabwriter" {
	local long_bundle=/some/much/longer/bundle/path
	running_fixture alpha
	local alpha_pid=$SLEEP_PID
	running_fixture beta-long-container-id "$long_bundle"
	stop_sleep "$SLEEP_PID"
	start_sleep
	write_state gamma created "$SLEEP_PID" "$(proc_start_time "$SLEEP_PID")"
	local gamma_pid=$SLEEP_PID

	run --separate-stderr ocirun list
	assert_status 0
	assert_stderr_empty
	# Widths: max(12, widest cell + 3); the last column is not padded.
	local row='%-25s%-12s%-12s%-32s%-33s%s'
	local expected
	expected=$(
		printf "$row\n" ID PID STATUS BUNDLE CREATED OWNER
		printf "$row\n" alpha "$alpha_pid" running /b "$FIXTURE_CREATED" root
		printf "$row\n" beta-long-container-id 0 stopped "$long_bundle" "$FIXTURE_CREATED" root
		printf "$row\n" gamma "$gamma_pid" created /b "$FIXTURE_CREATED" root
	)
	assert_output_equals "$expected"
}

@test "list --format json prints one compact line: an array of what state prints" {
	running_fixture b1
	running_fixture a1
	stop_sleep "$SLEEP_PID"
	local form
	for form in "--format json" "--format=json" "-f json"; do
		# shellcheck disable=SC2086
		run --separate-stderr ocirun list $form
		assert_status 0
		assert_stderr_empty
		assert_line_count 1
		json_assert "$output" '
eq(json.dumps(d, separators=(",", ":"), ensure_ascii=False), sys.argv[1], "compact form")
eq([c["id"] for c in d], ["a1", "b1"], "ids")
eq(d[0], json.loads(sys.argv[2]), "a1 as in state")
eq(d[1], json.loads(sys.argv[3]), "b1 as in state")
eq(d[0]["status"], "stopped", "a1 status")
eq(d[0]["pid"], 0, "a1 pid")
check(all("initStartTime" not in c for c in d), "initStartTime in the list")
' "$(ocirun state a1)" "$(ocirun state b1)"
	done
}

@test "list -q prints only the ids, sorted" {
	local id
	for id in b C a10 a2; do
		running_fixture "$id"
	done
	run --separate-stderr ocirun list -q
	assert_status 0
	assert_stderr_empty
	assert_output_equals "C
a10
a2
b"
	run --separate-stderr ocirun list --quiet --format json
	assert_status 0
	assert_output_equals "C
a10
a2
b"
}

@test "list skips entries that are not valid ids, are not directories or have no state.json" {
	running_fixture good
	local pid=$SLEEP_PID start
	start=$(proc_start_time "$pid")
	write_state .hidden running "$pid" "$start"
	write_state _under running "$pid" "$start"
	write_state -dash running "$pid" "$start"
	install -d -m 0700 "$OCIRUN_ROOT/pending"
	echo '{}' >"$OCIRUN_ROOT/plainfile"
	ln -s good "$OCIRUN_ROOT/link"

	run --separate-stderr ocirun list -q
	assert_status 0
	assert_stderr_empty
	assert_output_equals good
	run --separate-stderr ocirun list --format json
	assert_status 0
	json_assert "$output" 'eq([c["id"] for c in d], ["good"], "ids")'
}

@test "list skips a container whose state.json is corrupt and still succeeds" {
	running_fixture good
	install -d -m 0700 "$OCIRUN_ROOT/broken"
	printf '{"ociVersion":' >"$OCIRUN_ROOT/broken/state.json"
	run --separate-stderr ocirun list -q
	assert_status 0
	assert_output_equals good
	run --separate-stderr ocirun list
	assert_status 0
	assert_line_count 2
	[[ "${lines[1]}" == good* ]] || fail "the good container is not listed: ${lines[1]}"
}

@test "list --format with a value other than table or json is a usage error" {
	run --separate-stderr ocirun list --format xml
	assert_usage_error list 'list: invalid --format `xml`: expected table or json'
	run --separate-stderr ocirun list --format
	assert_usage_error list 'list: option "--format" needs a value'
}

@test "list --format table is the default table" {
	running_fixture c1
	local table
	table=$(ocirun list)
	run --separate-stderr ocirun list --format table
	assert_status 0
	assert_output_equals "$table"
	[[ "${lines[0]}" == "ID "*" OWNER" ]] || fail "no header: ${lines[0]}"
}
