#!/usr/bin/env bats
# linux.intelRdt: where a resctrl filesystem is mounted at /sys/fs/resctrl,
# the container's init is in a resctrl group named after the container (or
# its closID) and delete removes the group; where none is mounted, create
# refuses the field, naming it, and leaves nothing behind (as runc refuses
# it when Intel RDT is not enabled).

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	RESCTRL=false
	[[ "$(stat -f -c %T /sys/fs/resctrl 2>/dev/null)" == resctrl ]] && RESCTRL=true
	true
}

teardown() {
	teardown_common
	# The group of the implementation test, if a failure left it.
	rmdir "/sys/fs/resctrl/ocirun-test-rdt-$$" 2>/dev/null || true
}

@test "linux.intelRdt: refused where no resctrl filesystem is mounted" {
	$RESCTRL && skip "machine limit: this host has resctrl mounted at /sys/fs/resctrl, so the refusal does not apply"
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["intelRdt"] = {"l3CacheSchema": "L3:0=f"}'
	run --separate-stderr ocirun create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.intelRdt: Intel RDT is not enabled on this host (no resctrl filesystem is mounted at /sys/fs/resctrl)"
	assert_nothing_left c1
	# Even an empty object asks for a group of the container's own.
	edit_config "$BUNDLE" 'c["linux"]["intelRdt"] = {}'
	run --separate-stderr ocirun create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.intelRdt: Intel RDT is not enabled"
	assert_nothing_left c1
}

@test "linux.intelRdt.closID: a path is refused" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["intelRdt"] = {"closID": "../x"}'
	run --separate-stderr ocirun create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.intelRdt.closID: \`../x\` is not a plain directory name"
	assert_nothing_left c1
}

@test "linux.intelRdt: the init is in the container's resctrl group, which delete removes" {
	$RESCTRL || skip "machine limit: no resctrl filesystem is mounted at /sys/fs/resctrl on this host"
	local id="ocirun-test-rdt-$$"
	container_bundle "$BUNDLE" sleep 100
	edit_config "$BUNDLE" 'c["linux"]["intelRdt"] = {}'
	ocirun_detached create --bundle "$BUNDLE" "$id"
	assert_status 0
	local pid
	pid=$(ocirun state "$id" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	grep -qx "$pid" "/sys/fs/resctrl/$id/tasks" || fail "pid $pid is not in /sys/fs/resctrl/$id/tasks"
	run ocirun delete --force "$id"
	assert_status 0
	[[ ! -e "/sys/fs/resctrl/$id" ]] || fail "/sys/fs/resctrl/$id left behind"
}
