#!/usr/bin/env bats
# Runs inside the systemd guest (tests/vm/run.sh --systemd): checks that the
# guest is the machine the systemd driver's tests are written for (systemd
# as PID 1 of a virtual machine, its bus up, the cgroup layout run.sh booted
# it for), so that a broken stage fails here rather than as odd failures in
# those tests.

load ../helpers

setup() {
	[[ "${OCIRUN_TEST_VM:-}" == 1 && -n "${OCIRUN_TEST_VM_CGROUPS:-}" ]] ||
		skip "not in the systemd guest (machine limit: run it through tests/vm/run.sh --systemd)"
}

@test "PID 1 is systemd, and it knows it runs a virtual machine, not a container" {
	assert_equal "$(cat /proc/1/comm)" systemd "PID 1"
	# In a container systemd reads its own arguments instead of the kernel
	# command line, and the layout run.sh asked for would be ignored.
	run systemd-detect-virt --container
	[[ "$status" -ne 0 ]] || fail "systemd takes the guest for a container: $output"
}

@test "the system bus answers, and systemd's manager is on it" {
	run --separate-stderr busctl --system status org.freedesktop.systemd1
	assert_status 0
	[[ "$output" == *"Comm=systemd"* ]] || fail "busctl status names no systemd: $output"
}

@test "the cgroup layout is the one the guest was booted for" {
	local v1
	v1=$(findmnt -rn -t cgroup -o TARGET | sort | tr '\n' ' ')
	case $OCIRUN_TEST_VM_CGROUPS in
	v2)
		assert_equal "$(findmnt -rn -o FSTYPE /sys/fs/cgroup)" cgroup2 "/sys/fs/cgroup"
		[[ -z "$v1" ]] || fail "cgroup v1 hierarchies mounted on a v2 guest: $v1"
		;;
	hybrid)
		assert_equal "$(findmnt -rn -o FSTYPE /sys/fs/cgroup/unified)" cgroup2 "/sys/fs/cgroup/unified"
		local controller
		for controller in memory pids cpu,cpuacct freezer devices; do
			[[ " $v1" == *" /sys/fs/cgroup/$controller "* ]] ||
				fail "no v1 $controller hierarchy on a hybrid guest: $v1"
		done
		;;
	*) fail "OCIRUN_TEST_VM_CGROUPS is $OCIRUN_TEST_VM_CGROUPS, not v2 or hybrid" ;;
	esac
}
