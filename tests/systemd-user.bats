#!/usr/bin/env bats
# The systemd driver under a user's own systemd (--systemd-cgroup as an
# unprivileged user, as rootless podman calls the runtime): the unit is made
# by the user manager, in the cgroup subtree systemd delegates to the user,
# which takes cgroup v2. Runs in the systemd stage of tests/vm; elsewhere
# it skips, naming that.

load helpers
load rootless

# bats skips only from a test's setup: setup_file leaves the reason.
setup_file() {
	SKIP_REASON=$(systemd_user_skip_reason)
	export SKIP_REASON
	[[ -z "$SKIP_REASON" ]] || return 0
	rootless_user_with_systemd || return 1
}

teardown_file() {
	if [[ -z "${ROOTLESS_UID:-}" ]]; then
		return 0
	fi
	systemctl stop "user@$ROOTLESS_UID.service" >/dev/null 2>&1
	rootless_user_remove
}

setup() {
	[[ -z "${SKIP_REASON:-}" ]] || skip "$SKIP_REASON"
	rootless_setup
	# spec --rootless gives no cgroupsPath: the default unit, in user.slice.
	UNIT=ocirun-c1.scope
	USER_CGROUP=/user.slice/user-$ROOTLESS_UID.slice/user@$ROOTLESS_UID.service/user.slice/$UNIT
}

teardown() {
	[[ -n "${SKIP_REASON:-}" ]] || rootless_teardown
}

# user_unit_property PROPERTY: the user manager's value for the unit.
user_unit_property() {
	as_user systemctl --user show --value -p "$1" "$UNIT"
}

@test "systemd user manager: run --detach makes the unit in user.slice, its limits in the delegated cgroup" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sleep', '1000']
c['linux']['resources'] = {'pids': {'limit': 50}, 'memory': {'limit': 67108864}}"
	user_detached --systemd-cgroup run --detach c1
	assert_status 0
	assert_equal "$(user_unit_property ActiveState)" active "ActiveState"
	assert_equal "$(user_unit_property ControlGroup)" "$USER_CGROUP" "ControlGroup"
	assert_equal "$(user_unit_property TasksMax)" 50 "TasksMax"
	assert_equal "$(user_unit_property MemoryMax)" 67108864 "MemoryMax"
	assert_equal "$(cat "/sys/fs/cgroup$USER_CGROUP/pids.max")" 50 "pids.max"
	user_run state c1
	local pid
	pid=$(json_assert "$output" "print(d['pid'])")
	grep -qx "0::$USER_CGROUP" "/proc/$pid/cgroup" || fail "the init is not in $USER_CGROUP: $(cat "/proc/$pid/cgroup")"
	user_run delete --force c1
	assert_status 0
	[[ -z "$(as_user systemctl --user list-units --all --plain --no-legend "$UNIT")" ]] ||
		fail "$UNIT is left in the user manager"
	[[ ! -d "/sys/fs/cgroup$USER_CGROUP" ]] || fail "the cgroup $USER_CGROUP is left"
}

@test "systemd user manager: exec joins the unit; ps, pause, resume and update work through it" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sleep', '1000']
c['linux']['resources'] = {'pids': {'limit': 50}}"
	user_detached --systemd-cgroup run --detach c1
	assert_status 0
	# The container's cgroup namespace has the unit's cgroup as its root:
	# a process that joined the unit is at "/" there.
	user_run exec c1 sh -c 'echo exec works; cat /proc/self/cgroup'
	assert_status 0
	assert_equal "$output" "exec works
0::/" "exec's output"
	user_run ps c1
	assert_status 0
	[[ "$output" == *"sleep 1000"* ]] || fail "ps does not list the init: $output"
	user_run pause c1
	assert_status 0
	user_run state c1
	json_assert "$output" "assert d['status'] == 'paused', d"
	user_run resume c1
	assert_status 0
	user_run --systemd-cgroup update --pids-limit 60 c1
	assert_status 0
	assert_equal "$(user_unit_property TasksMax)" 60 "TasksMax after update"
	assert_equal "$(cat "/sys/fs/cgroup$USER_CGROUP/pids.max")" 60 "pids.max after update"
	user_run delete --force c1
	assert_status 0
}
