#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a
# transient unit of systemd's. The failure paths that need no systemd run on
# every host; the driver end to end runs where systemd is PID 1: the
# systemd stage of tests/vm (cgroup v2 and hybrid guests).

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	# Units are named for this test, so teardown stops its own only.
	UNIT_PREFIX="ocirun-t${BATS_SUITE_TEST_NUMBER:-0}"
	EXTRA_UNITS=()
}

teardown() {
	local unit problems=0
	# Containers first: ocirun deletes their units with SIGKILL, where
	# systemctl stop would send SIGTERM, which an init ignores, and wait
	# out the stop timeout.
	teardown_common || problems=1
	if systemd_runs; then
		for unit in $(systemctl list-units --all --plain --no-legend "*${UNIT_PREFIX}*" 2>/dev/null | awk '{print $1}') "${EXTRA_UNITS[@]}"; do
			systemctl stop "$unit" >/dev/null 2>&1 || true
			systemctl reset-failed "$unit" >/dev/null 2>&1 || true
		done
		rm -f /run/systemd/system/"$UNIT_PREFIX"-*.service
		systemctl daemon-reload >/dev/null 2>&1 || true
	fi
	return "$problems"
}

systemd_runs() {
	[[ -d /run/systemd/system ]]
}

need_systemd() {
	systemd_runs ||
		skip "systemd is not PID 1 here (machine limit: the systemd stage of tests/vm runs this)"
}

# systemd_bundle ARGS...: a busybox bundle running ARGS whose cgroupsPath is
# in systemd's slice:prefix:name form, in a slice named for ocirun.
systemd_bundle() {
	container_bundle "$BUNDLE" "$@"
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = 'ocirun-test.slice:$UNIT_PREFIX:c1'"
}

# start_in_unit ID: run --detach of $BUNDLE through the systemd driver.
start_in_unit() {
	ocirun_detached --systemd-cgroup run --detach --bundle "$BUNDLE" "$1"
	assert_status 0
}

# unit_property UNIT PROPERTY: `systemctl show`'s value.
unit_property() {
	systemctl show --value -p "$2" "$1"
}

# unit_dir CONTROLLER UNIT: the unit's cgroup directory for CONTROLLER.
unit_dir() {
	echo "$(cgroup_mount "$1")$(unit_property "$2" ControlGroup)"
}

# assert_no_unit UNIT: systemd holds UNIT no more. A stopped transient unit
# is collected on systemd's next pass, so allow it a few seconds. Asked by
# list-units, which sees only the units in memory: `systemctl show` would
# load the name again, and a slice loads without a unit file.
assert_no_unit() {
	local unit=$1 listed _
	for _ in $(seq 50); do
		listed=$(systemctl list-units --all --plain --no-legend "$unit" 2>/dev/null)
		[[ -z "$listed" ]] && return 0
		sleep 0.1
	done
	fail "unit $unit is still known to systemd: $listed"
}

# What a failed create must leave: no state directory, no unit, no cgroup.
assert_systemd_nothing_left() {
	local id=$1 unit=$2 left
	[[ ! -e "$OCIRUN_ROOT/$id" ]] || fail "state directory $OCIRUN_ROOT/$id left behind"
	if systemd_runs && [[ -n "$unit" ]]; then
		assert_no_unit "$unit"
	fi
	left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$UNIT_PREFIX*" 2>/dev/null)
	[[ -z "$left" ]] || fail "cgroups left behind: $left"
}

# ---------------------------------------------------------------------------
# Everywhere

@test "systemd: a cgroupsPath not of the form slice:prefix:name is refused, naming the field" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = 'system.slice:only-two'"
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_error "create c1: config.json: linux.cgroupsPath: \`system.slice:only-two\`: the systemd cgroup driver takes slice:prefix:name"
	assert_systemd_nothing_left c1 ""
}

@test "systemd: a slice systemd would not accept is refused before systemd is asked" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = 'a--b.slice:p:c1'"
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_error "create c1: config.json: linux.cgroupsPath: \`a--b.slice\` is not a valid systemd slice name (NAME.slice, dashes for parents)"
	assert_systemd_nothing_left c1 ""
}

@test "systemd: a container id systemd cannot name a unit after is refused" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux'].pop('cgroupsPath', None)"
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --systemd-cgroup run --bundle "$BUNDLE" c+1
	assert_error "create c+1: the container id: \`ocirun-c+1.scope\` is not a valid systemd unit name (letters, digits and \`:-_.\\\` only)"
	assert_systemd_nothing_left c+1 ""
}

@test "systemd: slice:prefix:name without --systemd-cgroup says which flag it needs" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = 'system.slice:ocirun:c1'"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_error "create c1: config.json: linux.cgroupsPath: \`system.slice:ocirun:c1\` is systemd's slice:prefix:name form: run ocirun with --systemd-cgroup, or give a cgroup path"
	assert_systemd_nothing_left c1 ""
}

@test "systemd: without systemd the error names the bus addresses tried, and nothing is left" {
	systemd_runs && skip "systemd runs here (machine limit: this case needs a host without it)"
	systemd_bundle true
	run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_error "create c1: the systemd cgroup driver cannot reach the system's systemd: connect to unix:path=/run/dbus/system_bus_socket: No such file or directory; connect to unix:path=/run/systemd/private: No such file or directory (this host does not run systemd: no /run/systemd/system)"
	assert_systemd_nothing_left c1 ""
	# No process outlived it: the scope's seed is ocirun's own child.
	[[ -z "$(pgrep -P $$ -x ocirun)" ]] || fail "an ocirun process is left"
}

@test "systemd: DBUS_SYSTEM_BUS_ADDRESS is the bus tried first, and named" {
	systemd_runs && skip "systemd runs here (machine limit: this case needs a host without it)"
	systemd_bundle true
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_TMP/no-bus run --separate-stderr "$OCIRUN" --root "$OCIRUN_ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "connect to unix:path=$TEST_TMP/no-bus: No such file or directory"
	assert_systemd_nothing_left c1 ""
}

@test "systemd: features reports the system driver and the user one" {
	run --separate-stderr ocirun features
	assert_status 0
	json_assert "$output" "
eq(d['linux']['cgroup']['systemd'], True, 'systemd')
eq(d['linux']['cgroup']['systemdUser'], True, 'systemdUser (tests/systemd-user.bats)')"
}

# ---------------------------------------------------------------------------
# Where systemd is PID 1

@test "systemd: run --detach makes PREFIX-NAME.scope in the slice, with the limits in its cgroup" {
	need_systemd
	systemd_bundle sleep 1000
	edit_config "$BUNDLE" "c['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 42}, 'cpu': {'quota': 50000, 'period': 100000, 'shares': 512}}"
	start_in_unit c1
	local unit="$UNIT_PREFIX-c1.scope"
	assert_equal "$(unit_property "$unit" ActiveState)" active "ActiveState of $unit"
	assert_equal "$(unit_property "$unit" Slice)" ocirun-test.slice "Slice of $unit"
	assert_equal "$(unit_property "$unit" Delegate)" yes "Delegate of $unit"
	assert_equal "$(unit_property "$unit" Description)" "ocirun container c1" "Description"
	assert_equal "$(unit_property "$unit" ControlGroup)" "/ocirun.slice/ocirun-test.slice/$unit" "ControlGroup"
	assert_equal "$(unit_property "$unit" MemoryAccounting)" yes "MemoryAccounting"
	assert_equal "$(unit_property "$unit" TasksMax)" 42 "TasksMax"
	assert_equal "$(unit_property "$unit" CPUQuotaPerSecUSec)" 500ms "CPUQuotaPerSecUSec"
	local pid
	pid=$(json_assert "$(ocirun state c1)" "print(d['pid'])")
	# The init, and only the init (the scope's seed is gone), is in the unit.
	assert_equal "$(cat "$(unit_dir pids "$unit")/cgroup.procs")" "$pid" "cgroup.procs of $unit"
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_equal "$(unit_property "$unit" MemoryLimit)" 67108864 "MemoryLimit"
		assert_equal "$(cat "$(unit_dir memory "$unit")/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
		assert_equal "$(cat "$(unit_dir pids "$unit")/pids.max")" 42 "pids.max"
		assert_equal "$(cat "$(unit_dir cpu "$unit")/cpu.cfs_quota_us")" 50000 "cpu.cfs_quota_us"
		assert_equal "$(cat "$(unit_dir cpu "$unit")/cpu.shares")" 512 "cpu.shares"
		# A controller systemd does not manage on v1 gets the same place.
		[[ -d "$(cgroup_mount freezer)/ocirun.slice/ocirun-test.slice/$unit" ]] ||
			fail "no freezer cgroup for $unit"
	else
		assert_equal "$(unit_property "$unit" MemoryMax)" 67108864 "MemoryMax"
		assert_equal "$(cat "$(unit_dir memory "$unit")/memory.max")" 67108864 "memory.max"
		assert_equal "$(cat "$(unit_dir pids "$unit")/pids.max")" 42 "pids.max"
		assert_equal "$(cat "$(unit_dir cpu "$unit")/cpu.max")" "50000 100000" "cpu.max"
	fi
	json_file_assert "$OCIRUN_ROOT/c1/state.json" "
eq(d['systemdUnit'], '$unit', 'systemdUnit')
eq(d['systemdManager'], 'system', 'systemdManager')"

	run --separate-stderr ocirun delete --force c1
	assert_status 0
	assert_no_unit "$unit"
	assert_systemd_nothing_left c1 "$unit"
}

@test "systemd: the default cgroupsPath is ocirun-ID.scope in system.slice" {
	need_systemd
	container_bundle "$BUNDLE" sleep 1000
	edit_config "$BUNDLE" "c['linux'].pop('cgroupsPath', None)"
	local id="$UNIT_PREFIX-default"
	start_in_unit "$id"
	assert_equal "$(unit_property "ocirun-$id.scope" Slice)" system.slice "Slice"
	assert_equal "$(unit_property "ocirun-$id.scope" ControlGroup)" "/system.slice/ocirun-$id.scope" "ControlGroup"
	run --separate-stderr ocirun delete --force "$id"
	assert_status 0
	assert_no_unit "ocirun-$id.scope"
}

@test "systemd: run in the foreground exits with the container's status and removes the unit" {
	need_systemd
	systemd_bundle sh -c 'echo in-scope; exit 7'
	run --separate-stderr ocirun --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_status 7
	assert_output_equals in-scope
	assert_systemd_nothing_left c1 "$UNIT_PREFIX-c1.scope"
}

@test "systemd: update sets the unit's properties and the cgroup files" {
	need_systemd
	systemd_bundle sleep 1000
	edit_config "$BUNDLE" "c['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 42}}"
	start_in_unit c1
	local unit="$UNIT_PREFIX-c1.scope"
	run --separate-stderr ocirun update --memory 134217728 --pids-limit 99 c1
	assert_status 0
	assert_equal "$(unit_property "$unit" TasksMax)" 99 "TasksMax after update"
	assert_equal "$(cat "$(unit_dir pids "$unit")/pids.max")" 99 "pids.max after update"
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_equal "$(unit_property "$unit" MemoryLimit)" 134217728 "MemoryLimit after update"
		assert_equal "$(cat "$(unit_dir memory "$unit")/memory.limit_in_bytes")" 134217728 "memory.limit_in_bytes"
	else
		assert_equal "$(unit_property "$unit" MemoryMax)" 134217728 "MemoryMax after update"
		assert_equal "$(cat "$(unit_dir memory "$unit")/memory.max")" 134217728 "memory.max"
	fi
}

@test "systemd: pause, resume, ps, exec and kill --all work on the unit's cgroup" {
	need_systemd
	systemd_bundle sleep 1000
	start_in_unit c1
	# The exec'd process joins the unit's cgroup (seen from the host: the
	# container has a cgroup namespace of its own).
	run --separate-stderr ocirun exec c1 sh -c 'cat /proc/1/cgroup >/dev/null; sleep 0.5; echo done'
	assert_status 0
	ocirun exec -d c1 sleep 100
	local procs
	procs=$(wc -l <"$(unit_dir pids "$UNIT_PREFIX-c1.scope")/cgroup.procs")
	assert_equal "$procs" 2 "processes in the unit's cgroup after exec -d"
	run --separate-stderr ocirun pause c1
	assert_status 0
	assert_equal "$(container_status c1)" paused "status after pause"
	run --separate-stderr ocirun resume c1
	assert_status 0
	assert_equal "$(container_status c1)" running "status after resume"
	run --separate-stderr ocirun ps --format json c1
	assert_status 0
	json_assert "$output" "eq(len(d), 2, 'processes')"
	run --separate-stderr ocirun kill --all c1 KILL
	assert_status 0
	wait_for_status c1 stopped
	run --separate-stderr ocirun delete c1
	assert_status 0
	assert_systemd_nothing_left c1 "$UNIT_PREFIX-c1.scope"
}

@test "systemd: a container killed with kill -9 from outside is deleted with no unit left" {
	need_systemd
	systemd_bundle sleep 1000
	start_in_unit c1
	local pid
	pid=$(json_assert "$(ocirun state c1)" "print(d['pid'])")
	kill -9 "$pid"
	wait_for_status c1 stopped
	run --separate-stderr ocirun delete c1
	assert_status 0
	assert_systemd_nothing_left c1 "$UNIT_PREFIX-c1.scope"
}

@test "systemd: org.systemd.property annotations reach the unit" {
	need_systemd
	systemd_bundle sleep 1000
	edit_config "$BUNDLE" "c['annotations'] = {'org.systemd.property.TimeoutStopUSec': 'uint64 123456789', 'org.systemd.property.CollectMode': \"'inactive-or-failed'\"}"
	start_in_unit c1
	assert_equal "$(unit_property "$UNIT_PREFIX-c1.scope" TimeoutStopUSec)" "2min 3.456789s" "TimeoutStopUSec"
	assert_equal "$(unit_property "$UNIT_PREFIX-c1.scope" CollectMode)" inactive-or-failed "CollectMode"
}

@test "systemd: a unit that already exists is another container's: refused, nothing of ours left" {
	need_systemd
	systemd_bundle true
	local unit="$UNIT_PREFIX-c1.scope"
	systemd-run --quiet --scope --unit "$unit" --slice ocirun-test.slice sleep 1000 &
	TEST_PIDS+=("$!")
	local _
	for _ in $(seq 50); do
		[[ "$(unit_property "$unit" ActiveState)" == active ]] && break
		sleep 0.1
	done
	run --separate-stderr ocirun --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "ocirun: create c1: start systemd unit \`$unit\`: Unit $unit was already loaded or has a fragment file."
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_equal "$(unit_property "$unit" ActiveState)" active "the other scope"
}

@test "systemd: a start job that fails is reported with its result, nothing left" {
	need_systemd
	cat >/run/systemd/system/"$UNIT_PREFIX"-fail.service <<-EOF
		[Service]
		Type=oneshot
		ExecStart=/bin/false
	EOF
	systemctl daemon-reload
	systemd_bundle true
	edit_config "$BUNDLE" "c['annotations'] = {'org.systemd.property.Requires': \"['$UNIT_PREFIX-fail.service']\", 'org.systemd.property.After': \"['$UNIT_PREFIX-fail.service']\"}"
	run --separate-stderr ocirun --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_error "create c1: start systemd unit \`$UNIT_PREFIX-c1.scope\`: systemd's job ended with result \`dependency\`"
	assert_systemd_nothing_left c1 "$UNIT_PREFIX-c1.scope"
}

@test "systemd: a name ending in .slice makes a slice, which delete removes" {
	need_systemd
	systemd_bundle sleep 1000
	# A child of ocirun-test.slice by systemd's naming rules; teardown
	# stops it.
	local slice="ocirun-test-${UNIT_PREFIX//-/_}.slice"
	EXTRA_UNITS=("$slice")
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = 'ocirun-test.slice:ignored:$slice'"
	start_in_unit c1
	assert_equal "$(unit_property "$slice" ActiveState)" active "ActiveState of $slice"
	assert_equal "$(unit_property "$slice" ControlGroup)" "/ocirun.slice/ocirun-test.slice/$slice" "ControlGroup"
	local pid
	pid=$(json_assert "$(ocirun state c1)" "print(d['pid'])")
	grep -q "$slice" "/proc/$pid/cgroup" || fail "the init is not in $slice: $(cat "/proc/$pid/cgroup")"
	run --separate-stderr ocirun delete --force c1
	assert_status 0
	assert_no_unit "$slice"
}
