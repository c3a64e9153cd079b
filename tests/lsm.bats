#!/usr/bin/env bats
# process.apparmorProfile and process.selinuxLabel (exec --apparmor and
# --process-label). This machine runs neither AppArmor nor SELinux, so
# here a label must be refused with a message that says why, by create
# and by exec, leaving nothing behind. On a host with AppArmor (the VM
# stage), the profile "unconfined", which always exists, is applied
# instead and read back from /proc/self/attr.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
}

teardown() {
	teardown_common
}

apparmor_enabled() {
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]]
}

selinux_enabled() {
	[[ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" == selinux ]]
}

@test "process.apparmorProfile: refused when AppArmor is not enabled, applied when it is" {
	container_bundle "$BUNDLE" cat /proc/self/attr/current
	edit_config "$BUNDLE" "c['process']['apparmorProfile'] = 'unconfined'"
	if apparmor_enabled; then
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_status 0
		assert_output_equals unconfined
	else
		ocirun_detached create --bundle "$BUNDLE" c1
		assert_status 1
		assert_stderr_equals 'ocirun: config.json: process.apparmorProfile: profile "unconfined" asked for, but AppArmor is not enabled on this host'
		assert_nothing_left c1
	fi
}

@test "process.selinuxLabel: refused when SELinux is not enabled" {
	selinux_enabled && fail "this test is written for a host without SELinux; the label path needs a policy"
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['process']['selinuxLabel'] = 'system_u:system_r:container_t:s0:c1,c2'"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_equals 'ocirun: config.json: process.selinuxLabel: label "system_u:system_r:container_t:s0:c1,c2" asked for, but SELinux is not enabled on this host'
	assert_nothing_left c1
}

@test "exec --apparmor and --process-label, and the same fields of --process, are checked as create checks them" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	if ! apparmor_enabled; then
		run --separate-stderr ocirun exec --apparmor unconfined c1 true
		assert_status 255
		assert_stderr_equals 'ocirun: exec: process.apparmorProfile: profile "unconfined" asked for, but AppArmor is not enabled on this host'
		echo '{"args": ["true"], "cwd": "/", "apparmorProfile": "unconfined"}' >"$TEST_TMP/p.json"
		run --separate-stderr ocirun exec --process "$TEST_TMP/p.json" c1
		assert_status 255
		assert_stderr_contains "AppArmor is not enabled on this host"
	else
		run --separate-stderr ocirun exec --apparmor unconfined c1 cat /proc/self/attr/current
		assert_status 0
		assert_output_equals unconfined
	fi
	if ! selinux_enabled; then
		run --separate-stderr ocirun exec --process-label system_u:system_r:container_t:s0 c1 true
		assert_status 255
		assert_stderr_equals 'ocirun: exec: process.selinuxLabel: label "system_u:system_r:container_t:s0" asked for, but SELinux is not enabled on this host'
	fi
}
