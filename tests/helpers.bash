# Shared by every .bats file: where the runtime under test is, a private
# runtime root and scratch directory per test, a busybox bundle maker, JSON
# checks through python3, state.json fixtures, and a teardown that undoes
# whatever a test left behind (its processes, mounts, cgroups, containers)
# even when the test failed half-way.
#
# Point OCIRUN at another runtime (runc, crun) to check the tests themselves.

# status, output, lines, stderr and stderr_lines are set by bats' `run`.
# shellcheck disable=SC2154

# run --separate-stderr and run -N need bats 1.5; setup_suite needs it too.
bats_require_minimum_version 1.5.0

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCIRUN=${OCIRUN:-$TESTS_DIR/../src/ocirun}
SCHEMADIR=${SCHEMADIR:-$TESTS_DIR/../libocispec/schemas}
# Static helper programs built by make check (tests/tools/*.c).
TEST_TOOLS=${TEST_TOOLS:-$TESTS_DIR/tools}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Debian's python3 (with python3-jsonschema), not whatever is first on PATH.
if [[ -z "${PYTHON3:-}" ]]; then
	if [[ -x /usr/bin/python3 ]]; then
		PYTHON3=/usr/bin/python3
	else
		PYTHON3=python3
	fi
fi
ROOTFS_TEMPLATE=${BATS_SUITE_TMPDIR:-/nonexistent}/rootfs-template

# ---------------------------------------------------------------------------
# Per-test setup and teardown

setup_common() {
	TEST_TMP="$BATS_TEST_TMPDIR/ocirun-test"
	OCIRUN_ROOT="$TEST_TMP/root"
	# Cgroups a test creates are named with this prefix, so teardown removes
	# its own and never those of a test running in parallel.
	TEST_CGROUP_PREFIX="ocirun-test-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}"
	TEST_PIDS=()
	mkdir -p "$TEST_TMP"
	[[ -x "$OCIRUN" ]] || fail "the runtime under test, $OCIRUN, is not an executable: build it with make, or set OCIRUN"
}

# The runtime under test with this test's private root.
ocirun() {
	"$OCIRUN" --root "$OCIRUN_ROOT" "$@"
}

# Whether the runtime under test has COMMAND (from its --help listing).
ocirun_has_command() {
	"$OCIRUN" --help 2>/dev/null | grep -qE "^[[:space:]]+$1([[:space:]]|\$)"
}

# Whether PID is a live child of this test's shell (and so ours to kill).
is_our_child() {
	local pid=$1 stat rest
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	# After the command name: field 3 is the state, field 4 the ppid.
	local -a fields
	read -r -a fields <<<"$rest"
	[[ "${fields[1]}" == "$BASHPID" || "${fields[1]}" == "$$" ]]
}

# Kills and reaps a process this test started; quiet if it is gone already.
kill_our_pid() {
	local pid=$1
	if is_our_child "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

teardown_common() {
	local problems=0 pid dir id state_pid target cgroup

	for pid in "${TEST_PIDS[@]}"; do
		kill_our_pid "$pid"
	done

	[[ -n "${TEST_TMP:-}" && -d "$TEST_TMP" ]] || return 0

	# Containers: kill an init that is our own child, then let the runtime
	# delete it if it can, else remove the state directory by hand.
	if [[ -d "$OCIRUN_ROOT" ]]; then
		local can_delete=false
		ocirun_has_command delete && can_delete=true
		for dir in "$OCIRUN_ROOT"/*/ "$OCIRUN_ROOT"/.*/; do
			[[ -d "$dir" ]] || continue
			id=$(basename "$dir")
			[[ "$id" == . || "$id" == .. ]] && continue
			state_pid=$(grep -o '"pid":[[:space:]]*[0-9]*' "$dir/state.json" 2>/dev/null | grep -o '[0-9]*$')
			[[ -n "$state_pid" ]] && kill_our_pid "$state_pid"
			if $can_delete; then
				ocirun delete --force "$id" >/dev/null 2>&1 || true
			fi
			rm -rf "$dir"
		done
	fi

	# Mounts under the scratch directory, the most recent first.
	while read -r target; do
		[[ -n "$target" ]] || continue
		if ! umount -l "$target"; then
			echo "teardown: could not unmount $target" >&2
			problems=1
		fi
	done < <(findmnt -rn -o TARGET | awk -v top="$TEST_TMP" 'index($0, top) == 1 && (length($0) == length(top) || substr($0, length(top) + 1, 1) == "/")' | tac)

	# Cgroups named for this test, in any hierarchy, children first.
	while read -r cgroup; do
		[[ -n "$cgroup" && -d "$cgroup" ]] || continue
		if ! find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null; then
			echo "teardown: could not remove cgroup $cgroup" >&2
			problems=1
		fi
	done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$TEST_CGROUP_PREFIX*" 2>/dev/null)

	rm -rf "$TEST_TMP" || problems=1
	return "$problems"
}

# ---------------------------------------------------------------------------
# Assertions (bats-assert is not installed). Each prints what it saw.

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# What the last `run` produced, for failure messages.
print_run() {
	{
		printf 'exit status: %s\n' "${status-}"
		printf -- '--- stdout ---\n%s\n' "${output-}"
		printf -- '--- stderr ---\n%s\n' "${stderr-}"
		printf -- '--------------\n'
	} >&2
}

assert_status() {
	[[ "$status" -eq "$1" ]] && return 0
	print_run
	fail "expected exit status $1, got $status"
}

assert_equal() { # assert_equal ACTUAL EXPECTED [WHAT]
	[[ "$1" == "$2" ]] && return 0
	fail "${3:-value}: expected
  [$2]
got
  [$1]"
}

assert_output_equals() {
	[[ "$output" == "$1" ]] && return 0
	print_run
	fail "expected stdout to be exactly
  [$1]"
}

assert_output_contains() {
	[[ "$output" == *"$1"* ]] && return 0
	print_run
	fail "expected stdout to contain [$1]"
}

assert_stdout_empty() {
	[[ -z "$output" ]] && return 0
	print_run
	fail "expected nothing on stdout"
}

assert_stderr_equals() {
	[[ "$stderr" == "$1" ]] && return 0
	print_run
	fail "expected stderr to be exactly
  [$1]"
}

assert_stderr_contains() {
	[[ "$stderr" == *"$1"* ]] && return 0
	print_run
	fail "expected stderr to contain [$1]"
}

assert_stderr_empty() {
	[[ -z "$stderr" ]] && return 0
	print_run
	fail "expected nothing on stderr"
}

assert_line_count() { # assert_line_count N [stdout|stderr]
	local n
	if [[ "${2:-stdout}" == stderr ]]; then
		n=${#stderr_lines[@]}
	else
		n=${#lines[@]}
	fi
	[[ "$n" -eq "$1" ]] && return 0
	print_run
	fail "expected $1 lines on ${2:-stdout}, got $n"
}

# A failed command: exit 1, nothing on stdout, exactly `ocirun: MESSAGE`
# on stderr and no usage hint.
assert_error() {
	assert_error_status 1 "$1"
}

# assert_error_status STATUS MESSAGE: as assert_error, for a command whose
# failures exit with STATUS (exec: 255, as runc).
assert_error_status() {
	assert_status "$1"
	assert_stdout_empty
	assert_stderr_equals "ocirun: $2"
}

# A usage error: exit 1, nothing on stdout, `ocirun: MESSAGE` and the hint
# that points at the command's (or the global) --help.
assert_usage_error() { # assert_usage_error COMMAND|"" MESSAGE
	local hint="Run 'ocirun --help' for usage."
	[[ -n "$1" ]] && hint="Run 'ocirun $1 --help' for usage."
	assert_status 1
	assert_stdout_empty
	assert_stderr_equals "ocirun: $2
$hint"
}

# ---------------------------------------------------------------------------
# JSON checks: python3 with the document bound to `d`, and eq()/check()
# that say what differed.

PY_PRELUDE='
import datetime, json, os, re, sys
def eq(actual, expected, what="value"):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))
def check(condition, what):
    if not condition:
        raise AssertionError(what)
'

# json_assert JSON CODE [ARG...]: JSON is parsed into d; ARGs are sys.argv[2:].
json_assert() {
	local json=$1 code=$2
	shift 2
	env -u PYTHONOPTIMIZE "$PYTHON3" -c "$PY_PRELUDE
d = json.loads(sys.argv[1])
$code" "$json" "$@"
}

# json_file_assert FILE CODE [ARG...]
json_file_assert() {
	json_assert "$(cat "$1")" "${@:2}"
}

# schema_assert JSON SCHEMA: validates JSON against SCHEMA (a file name in
# $SCHEMADIR, e.g. config-schema.json) with python3-jsonschema, printing
# every violation with its JSON path.
schema_assert() {
	env -u PYTHONOPTIMIZE "$PYTHON3" -c '
import json, os, sys, warnings
# RefResolver is deprecated in newer jsonschema releases, not gone.
warnings.simplefilter("ignore", DeprecationWarning)
try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is missing for %s: apt-get install python3-jsonschema" % sys.executable)
schemadir = os.path.abspath(sys.argv[2])
with open(os.path.join(schemadir, sys.argv[3])) as f:
    schema = json.load(f)
resolver = jsonschema.RefResolver(base_uri="file://" + schemadir + "/", referrer=schema)
validator = jsonschema.Draft4Validator(schema, resolver=resolver)
errors = sorted(validator.iter_errors(json.loads(sys.argv[1])), key=str)
for e in errors:
    path = "/".join(str(p) for p in e.absolute_path) or "(the document)"
    print("%s: %s: %s" % (sys.argv[3], path, e.message), file=sys.stderr)
sys.exit(1 if errors else 0)
' "$1" "$SCHEMADIR" "$2"
}

# ---------------------------------------------------------------------------
# Bundles

# make_busybox_rootfs DIR: a minimal root filesystem in DIR: the static
# busybox with one relative link per applet (`busybox --install -s` would
# link to wherever the host keeps busybox), /etc/passwd and /etc/group with
# root, test (1000) and nobody. The bundle template and the engine suite's
# image are both made from it.
make_busybox_rootfs() {
	local rootfs=$1 applet
	rm -rf "$rootfs"
	mkdir -p "$rootfs"/{bin,dev,etc,home/test,proc,root,sys,tmp,usr/bin,var}
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[[ "$applet" == busybox || "$applet" == */* ]] && continue
		ln -s busybox "$rootfs/bin/$applet"
	done
	cat >"$rootfs/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		test:x:1000:1000:test user:/home/test:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$rootfs/etc/group" <<-'EOF'
		root:x:0:
		tty:x:5:
		test:x:1000:
		nogroup:x:65534:
	EOF
	chown 1000:1000 "$rootfs/home/test"
}

# make_bundle DIR: DIR/rootfs from the suite's busybox template and a
# config.json from the runtime's own `spec`, made non-interactive.
make_bundle() {
	local dir=$1
	[[ -d "$ROOTFS_TEMPLATE" ]] || fail "no rootfs template at $ROOTFS_TEMPLATE: did setup_suite run?"
	mkdir -p "$dir"
	cp -a "$ROOTFS_TEMPLATE" "$dir/rootfs"
	"$OCIRUN" spec --bundle "$dir" || fail "make_bundle: $OCIRUN spec --bundle $dir failed"
	env -u PYTHONOPTIMIZE "$PYTHON3" -c '
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["terminal"] = False
with open(path, "w") as f:
    json.dump(config, f, indent="\t")
    f.write("\n")
' "$dir/config.json"
}

# ---------------------------------------------------------------------------
# Processes and state fixtures

# start_sleep: a `sleep 1000` child of this test, its pid in SLEEP_PID and
# remembered for teardown. fd 3 is closed so bats does not wait for it.
start_sleep() {
	# shellcheck disable=SC2217 # stdin too: nothing of bats' may stay open
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	SLEEP_PID=$!
	TEST_PIDS+=("$SLEEP_PID")
}

# stop_sleep PID: kill and reap it; afterwards the pid is gone.
stop_sleep() {
	kill -KILL "$1"
	wait "$1" 2>/dev/null || true
}

# proc_start_time PID: field 22 of /proc/PID/stat (counted after the last
# ')', since the command name may hold spaces and parentheses).
proc_start_time() {
	local stat rest
	stat=$(cat "/proc/$1/stat") || return 1
	rest=${stat##*) }
	local -a fields
	read -r -a fields <<<"$rest"
	# fields[0] is field 3, so field 22 is fields[19].
	echo "${fields[19]}"
}

FIXTURE_CREATED="2026-11-23T10:00:00.000000000Z"

# write_state ID STATUS PID START_TIME [BUNDLE]: a hand-written state.json
# like the one `create` leaves, in a 0700 state directory.
write_state() {
	local id=$1 status=$2 pid=$3 start=$4 bundle=${5:-/b}
	install -d -m 0700 "$OCIRUN_ROOT" "$OCIRUN_ROOT/$id"
	printf '{"ociVersion":"1.3.0","id":"%s","status":"%s","pid":%s,"initStartTime":%s,"bundle":"%s","rootfs":"%s/rootfs","created":"%s","owner":"root"}' \
		"$id" "$status" "$pid" "$start" "$bundle" "$bundle" "$FIXTURE_CREATED" >"$OCIRUN_ROOT/$id/state.json"
}

# running_fixture ID [BUNDLE]: a live sleep and a "running" state for it;
# the pid is left in SLEEP_PID.
running_fixture() {
	start_sleep
	write_state "$1" running "$SLEEP_PID" "$(proc_start_time "$SLEEP_PID")" "${2:-/b}"
}

# ---------------------------------------------------------------------------
# Containers

# edit_config DIR PYTHON: runs PYTHON with `c` bound to DIR/config.json's
# content and writes the result back, e.g.
#   edit_config "$B" 'c["process"]["args"] = ["true"]'
edit_config() {
	local dir=$1
	shift
	env -u PYTHONOPTIMIZE "$PYTHON3" -c '
import json, sys
path = sys.argv[1]
with open(path) as f:
    c = json.load(f)
exec(sys.argv[2])
with open(path, "w") as f:
    json.dump(c, f, indent="\t")
    f.write("\n")
' "$dir/config.json" "$*" || fail "edit_config $dir: $*"
}

# container_bundle DIR ARGS...: a busybox bundle that runs ARGS, with its
# cgroup under a parent named for this test (teardown removes it) and a
# writable rootfs, so tests can leave files behind to check.
container_bundle() {
	local dir=$1
	shift
	make_bundle "$dir"
	local args
	args=$(printf '%s\n' "$@" | "$PYTHON3" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))')
	edit_config "$dir" "c['process']['args'] = $args
c['root']['readonly'] = False
c['linux']['cgroupsPath'] = '/$TEST_CGROUP_PREFIX/' + '$(basename "$dir")'"
}

# cgroup_mount CONTROLLER: the v1 hierarchy with CONTROLLER, else the
# cgroup2 mount (where a v2 controller, or cgroup2's core files, live).
cgroup_mount() {
	local mount
	mount=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$1" '{
		n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }')
	[[ -n "$mount" ]] || mount=$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)
	echo "$mount"
}

# cgroup_version CONTROLLER: v1 when a v1 hierarchy has it, else v2.
cgroup_version() {
	if findmnt -rn -t cgroup -o OPTIONS | tr ',' '\n' | grep -qx "$1"; then
		echo v1
	else
		echo v2
	fi
}

# container_cgroup CONTROLLER [NAME]: container NAME's (default c1) cgroup
# for CONTROLLER; container_bundle puts it at /$TEST_CGROUP_PREFIX/NAME.
container_cgroup() {
	echo "$(cgroup_mount "$1")/$TEST_CGROUP_PREFIX/${2:-c1}"
}

# wait_for_status ID STATUS: up to 10 s for the container to reach STATUS.
wait_for_status() {
	local _
	for _ in $(seq 100); do
		[[ "$(container_status "$1")" == "$2" ]] && return 0
		sleep 0.1
	done
	fail "container $1 is $(container_status "$1"), not $2, after 10 s"
}

# The status field of `ocirun state ID`.
container_status() {
	ocirun state "$1" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# ocirun_detached ARGS: `ocirun ARGS` for commands that leave a container
# running (create, run --detach). The container inherits ocirun's stdio, so
# it goes to files rather than to the pipe `run` reads: a container holding
# that pipe open would keep `run` waiting. Sets status, output and stderr
# like `run --separate-stderr`.
ocirun_detached() {
	detached ocirun "$@"
}

# detached COMMAND...: the same for any command that starts a container.
detached() {
	local out="$TEST_TMP/detached.out" err="$TEST_TMP/detached.err"
	status=0
	"$@" >"$out" 2>"$err" </dev/null || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
}

# shift_rootfs_owner DIR OFFSET: adds OFFSET to the owner and group of every
# file under DIR (symlinks themselves, not their targets).
shift_rootfs_owner() {
	"$PYTHON3" -c '
import os, sys
top, offset = sys.argv[1], int(sys.argv[2])
def shift(path):
    st = os.lstat(path)
    os.lchown(path, st.st_uid + offset, st.st_gid + offset)
shift(top)
for directory, dirs, files in os.walk(top):
    for name in dirs + files:
        shift(os.path.join(directory, name))
' "$1" "$2"
}

# allow_search_to DIR: search (x) permission for others on DIR and on each
# of its parents that bats made (mktemp makes them 0700), so that a process
# running as an unprivileged host uid can reach DIR. Nothing above bats' own
# run directory is touched.
allow_search_to() {
	local dir
	dir=$(realpath "$1")
	local top
	top=$(realpath "$BATS_RUN_TMPDIR")
	while [[ "$dir" == "$top"* ]]; do
		chmod o+x "$dir"
		[[ "$dir" == "$top" ]] && break
		dir=$(dirname "$dir")
	done
}

# host_mount_table [COLUMNS]: the host's mount table, sorted, except the
# mounts of other tests: those under another bats run's directory (a second
# suite running at the same time, a make distcheck) and those under this
# run's directory but outside this test's (bats may run tests in parallel).
host_mount_table() {
	findmnt -rn -o "${1:-TARGET,SOURCE,FSTYPE,OPTIONS}" | awk -v run="${BATS_RUN_TMPDIR:-/nonexistent}" -v mine="$TEST_TMP" '
		function under(path, top) { return index(path, top) == 1 && (length(path) == length(top) || substr(path, length(top) + 1, 1) == "/") }
		under($1, mine) { print; next }
		under($1, run) { next }
		$1 ~ /\/bats-run-/ { next }
		{ print }' | sort
}

# assert_nothing_left ID: a failed create left no state directory, no cgroup
# and no process whose root is the bundle's rootfs. The root is compared by
# device and inode: readlink of /proc/PID/root says "/" for a root in
# another mount namespace.
assert_nothing_left() {
	local id=$1 left
	[[ ! -e "$OCIRUN_ROOT/$id" ]] || fail "state directory $OCIRUN_ROOT/$id left behind"
	left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -path "*$TEST_CGROUP_PREFIX*/*" 2>/dev/null)
	[[ -z "$left" ]] || fail "cgroups left behind: $left"
	assert_no_process_in "$BUNDLE/rootfs"
}

# assert_no_process_in ROOTFS: no process has ROOTFS as its root.
assert_no_process_in() {
	local p rootfs
	rootfs=$(stat -L -c %d:%i "$1")
	for p in /proc/[0-9]*; do
		if [[ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" == "$rootfs" ]]; then
			fail "process ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) still runs in $1"
		fi
	done
	return 0
}
