#!/usr/bin/env bats
# Runs inside the test VM (tests/vm/run.sh): checks that the guest is the
# machine the cgroup v2 tests are written for, so that a broken stage fails
# here, with a clear message, rather than as odd failures in those tests.

load ../helpers

setup() {
	[[ "${OCIRUN_TEST_VM:-}" == 1 ]] ||
		skip "not in the test VM (machine limit: run it through tests/vm/run.sh)"
	CHILD_CGROUP=/sys/fs/cgroup/ocirun-vm-stage-$$
}

teardown() {
	[[ -n "${SLEEP_PID:-}" ]] && kill_our_pid "$SLEEP_PID"
	if [[ -d "${CHILD_CGROUP:-}" ]]; then
		rmdir "$CHILD_CGROUP"
	fi
	return 0
}

# mountinfo_field FILE MOUNTPOINT FIELD: FIELD of the mount at MOUNTPOINT
# (the last one, the one on top), where FIELD is "id", "parent", "root" or
# "fstype". The fstype is the first field after the " - " separator, since
# the optional fields before it vary in number.
mountinfo_field() {
	awk -v target="$2" -v want="$3" '
		$5 == target {
			for (i = 7; $i != "-"; i++) {}
			value = want == "id" ? $1 : want == "parent" ? $2 : want == "root" ? $4 : $(i + 1)
		}
		END { print value }' "$1"
}

@test "the VM runs this source tree's environment" {
	[[ -x "$OCIRUN" ]] || fail "OCIRUN=$OCIRUN is not an executable in the guest"
	[[ -d "$TESTS_DIR" ]] || fail "the tests directory $TESTS_DIR is not visible in the guest"
	[[ -w / ]] || fail "/ is not writable (no overlay?)"
	touch /usr/ocirun-vm-stage-probe || fail "cannot write under /usr: the overlay root is not writable"
	rm /usr/ocirun-vm-stage-probe
}

@test "/sys/fs/cgroup is cgroup2 and no cgroup v1 hierarchy is mounted" {
	local fstype
	fstype=$(mountinfo_field /proc/self/mountinfo /sys/fs/cgroup fstype)
	assert_equal "$fstype" cgroup2 "filesystem on /sys/fs/cgroup"
	assert_equal "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs "statfs type of /sys/fs/cgroup"
	local v1
	v1=$(awk '{ for (i = 7; $i != "-"; i++) {} if ($(i + 1) == "cgroup") print $5 }' /proc/self/mountinfo)
	[[ -z "$v1" ]] || fail "cgroup v1 hierarchies are mounted: $v1"
	grep -qw cgroup_no_v1=all /proc/cmdline || fail "the kernel was booted without cgroup_no_v1=all: $(cat /proc/cmdline)"
	# And nobody can mount one: cgroup_no_v1=all keeps every controller
	# off v1.
	local dir=$BATS_TEST_TMPDIR/v1
	mkdir "$dir"
	if mount -t cgroup -o memory cgroup "$dir" 2>/dev/null; then
		umount "$dir"
		fail "the memory controller could be mounted as cgroup v1"
	fi
}

@test "every controller, memory, pids, cpu and io among them, is enabled in the root's subtree_control" {
	local controllers enabled c
	controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
	enabled=" $(cat /sys/fs/cgroup/cgroup.subtree_control) "
	for c in memory pids cpu io; do
		[[ " $controllers " == *" $c "* ]] || fail "the kernel offers no $c controller: [$controllers]"
	done
	for c in $controllers; do
		[[ "$enabled" == *" $c "* ]] || fail "$c is not in /sys/fs/cgroup/cgroup.subtree_control: [$enabled]"
	done
}

@test "a child cgroup gets the controllers, its limits and its processes" {
	mkdir "$CHILD_CGROUP"
	local controllers
	controllers=" $(cat "$CHILD_CGROUP/cgroup.controllers") "
	for c in memory pids cpu io; do
		[[ "$controllers" == *" $c "* ]] || fail "$CHILD_CGROUP has no $c controller: [$controllers]"
	done
	echo 67108864 >"$CHILD_CGROUP/memory.max"
	assert_equal "$(cat "$CHILD_CGROUP/memory.max")" 67108864 memory.max
	echo 10 >"$CHILD_CGROUP/pids.max"
	assert_equal "$(cat "$CHILD_CGROUP/pids.max")" 10 pids.max
	start_sleep
	echo "$SLEEP_PID" >"$CHILD_CGROUP/cgroup.procs"
	assert_equal "$(cat "/proc/$SLEEP_PID/cgroup")" "0::/${CHILD_CGROUP#/sys/fs/cgroup/}" "/proc/$SLEEP_PID/cgroup"
	kill_our_pid "$SLEEP_PID"
	SLEEP_PID=
}

@test "/ is the root mount of the mount namespace, as PID 1 sees it too" {
	local file
	for file in /proc/self/mountinfo /proc/1/mountinfo; do
		assert_equal "$(mountinfo_field "$file" / fstype)" overlay "filesystem on / in $file"
		# The whole mount, not a directory of it bound or chrooted into.
		assert_equal "$(mountinfo_field "$file" / root)" / "root of the mount on / in $file"
		# Nothing visible lies beneath it: the initramfs it replaced is
		# out of reach (switch_root, not chroot).
		local parent
		parent=$(mountinfo_field "$file" / parent)
		! awk -v p="$parent" '$1 == p { found = 1 } END { exit !found }' "$file" ||
			fail "the mount under / (id $parent) is visible in $file"
	done
	assert_equal "$(mountinfo_field /proc/1/mountinfo / id)" "$(mountinfo_field /proc/self/mountinfo / id)" "id of the mount on /"
	assert_equal "$(readlink /proc/1/ns/mnt)" "$(readlink /proc/self/ns/mnt)" "mount namespace"
	assert_equal "$(stat -L -c %d:%i /proc/1/root)" "$(stat -c %d:%i /)" "PID 1's root"
}

@test "the devices bats and the tests rely on are there" {
	assert_equal "$(readlink /dev/fd)" /proc/self/fd /dev/fd
	[[ -c /dev/ptmx && -c /dev/null && -c /dev/console ]] || fail "/dev/ptmx, /dev/null or /dev/console is missing"
	assert_equal "$(stat -f -c %T /dev/pts)" devpts "filesystem on /dev/pts"
}

@test "OCIRUN --version works in the guest" {
	run --separate-stderr "$OCIRUN" --version
	assert_status 0
	assert_stderr_empty
	[[ "${lines[0]}" == "ocirun version "* ]] || fail "unexpected first line: ${lines[0]}"
}
