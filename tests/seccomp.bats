#!/usr/bin/env bats
# linux.seccomp: the filter built from the config is what the container's
# process (and an exec'd one) runs under. Checked by what busybox's mkdir
# gets from the kernel: each test blocks mkdir(2) in some way and looks at
# the error, the exit status or /proc/self/status.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
}

teardown() {
	teardown_common
}

# seccomp_bundle PYTHON-SECCOMP ARGS...: a bundle running ARGS whose
# linux.seccomp is the python expression.
seccomp_bundle() {
	local filter=$1
	shift
	container_bundle "$BUNDLE" "$@"
	edit_config "$BUNDLE" "c['linux']['seccomp'] = $filter"
}

MKDIR_EPERM="{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}"

@test "seccomp: a rule with SCMP_ACT_ERRNO fails the syscall with EPERM; the rest is allowed" {
	seccomp_bundle "$MKDIR_EPERM" sh -c 'mkdir /blocked 2>&1; touch /allowed && echo touch-ok; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t" " "'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "mkdir: can't create directory '/blocked': Operation not permitted
touch-ok
NoNewPrivs: 1
Seccomp: 2"
}

@test "seccomp: errnoRet chooses the errno" {
	seccomp_bundle "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 28}]}" \
		sh -c 'mkdir /blocked 2>&1'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "mkdir: can't create directory '/blocked': No space left on device"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS and SCMP_ACT_TRAP end the process with SIGSYS (status 159)" {
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP SCMP_ACT_KILL; do
		rm -rf "$BUNDLE"
		seccomp_bundle "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': '$action'}]}" \
			mkdir /blocked
		run ocirun run --bundle "$BUNDLE" c1
		assert_equal "$status" 159 "the exit status with $action"
		[[ ! -d "$BUNDLE/rootfs/blocked" ]] || fail "mkdir ran under $action"
	done
}

@test "seccomp: SCMP_ACT_LOG allows the syscall" {
	seccomp_bundle "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_LOG'}]}" \
		mkdir /logged
	run ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	[[ -d "$BUNDLE/rootfs/logged" ]] || fail "mkdir did not run"
}

# Args are checked on setpriority(which, who, prio), which `renice -n N`
# calls with prio N for a shell at priority 0 (busybox's mkdir passes the
# same mode whatever -m says). The script tries N = 5, 6 and 7, each in a
# shell of its own, and says which worked.
NICE_SCRIPT='for n in 5 6 7; do sh -c "renice -n $n -p \$\$" >/dev/null 2>&1 && echo "$n allowed" || echo "$n blocked"; done'

setpriority_rule() { # ARGS-PYTHON
	echo "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['setpriority'], 'action': 'SCMP_ACT_ERRNO', 'args': $1}]}"
}

@test "seccomp: args with distinct indexes are ANDed (SCMP_CMP_EQ)" {
	# which == PRIO_PROCESS (0) and prio == 5
	seccomp_bundle "$(setpriority_rule "[{'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'}, {'index': 2, 'value': 5, 'op': 'SCMP_CMP_EQ'}]")" sh -c "$NICE_SCRIPT"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "5 blocked
6 allowed
7 allowed"
}

@test "seccomp: args repeating an index become one rule each, ORed, as runc does" {
	seccomp_bundle "$(setpriority_rule "[{'index': 2, 'value': 5, 'op': 'SCMP_CMP_EQ'}, {'index': 2, 'value': 7, 'op': 'SCMP_CMP_EQ'}]")" sh -c "$NICE_SCRIPT"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "5 blocked
6 allowed
7 blocked"
}

@test "seccomp: SCMP_CMP_MASKED_EQ blocks when (arg & value) == valueTwo" {
	# Odd priorities: prio & 1 == 1.
	seccomp_bundle "$(setpriority_rule "[{'index': 2, 'value': 1, 'valueTwo': 1, 'op': 'SCMP_CMP_MASKED_EQ'}]")" sh -c "$NICE_SCRIPT"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "5 blocked
6 allowed
7 blocked"
}

@test "seccomp: SCMP_CMP_NE, LT, LE, GE and GT compare as their names say" {
	local op expected
	for op in NE:5 LT:6 LE:6 GE:6 GT:6; do
		case "$op" in
		NE:5) expected="5 allowed
6 blocked
7 blocked" ;;
		LT:6) expected="5 blocked
6 allowed
7 allowed" ;;
		LE:6) expected="5 blocked
6 blocked
7 allowed" ;;
		GE:6) expected="5 allowed
6 blocked
7 blocked" ;;
		GT:6) expected="5 allowed
6 allowed
7 blocked" ;;
		esac
		rm -rf "$BUNDLE"
		seccomp_bundle "$(setpriority_rule "[{'index': 2, 'value': ${op#*:}, 'op': 'SCMP_CMP_${op%%:*}'}]")" sh -c "$NICE_SCRIPT"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_equal "$output" "$expected" "SCMP_CMP_${op%%:*} ${op#*:}"
	done
}

@test "seccomp: syscall names unknown to libseccomp are skipped, the rest of the rule applies" {
	seccomp_bundle "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['no_such_syscall', 'mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}" \
		sh -c 'mkdir /blocked 2>&1'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "mkdir: can't create directory '/blocked': Operation not permitted"
	assert_stderr_empty
}

@test "seccomp: loaded for a non-root user without capabilities, with and without noNewPrivileges" {
	for nnp in False True; do
		rm -rf "$BUNDLE"
		seccomp_bundle "$MKDIR_EPERM" sh -c 'mkdir /tmp/blocked 2>&1; id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "'
		edit_config "$BUNDLE" "c['process']['user'] = {'uid': 1000, 'gid': 1000}
c['process']['noNewPrivileges'] = $nnp"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_status 0
		local expected_nnp=0
		[[ "$nnp" == True ]] && expected_nnp=1
		assert_output_equals "mkdir: can't create directory '/tmp/blocked': Operation not permitted
1000
CapEff: 0000000000000000
NoNewPrivs: $expected_nnp
Seccomp: 2"
	done
}

@test "seccomp: an exec'd process runs under the container's filter" {
	seccomp_bundle "$MKDIR_EPERM" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun exec c1 mkdir /from-exec
	assert_status 1
	assert_stderr_equals "mkdir: can't create directory '/from-exec': Operation not permitted"
	run --separate-stderr ocirun exec --no-new-privs c1 sh -c 'mkdir /again 2>&1; grep "^Seccomp:" /proc/self/status | tr -s "\t" " "'
	assert_output_equals "mkdir: can't create directory '/again': Operation not permitted
Seccomp: 2"
}

@test "seccomp: architectures and supported flags are accepted" {
	seccomp_bundle "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], 'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'], 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}" \
		sh -c 'mkdir /blocked 2>&1'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "mkdir: can't create directory '/blocked': Operation not permitted"
}

# What the container's init and a static program need once the filter is
# in: the highest of these is faccessat2 (439 on x86_64 and i386).
COMMON_SYSCALLS="['read', 'write', 'close', 'fstat', 'newfstatat', 'statx', 'lseek', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'pread64', 'access', 'faccessat', 'faccessat2', 'poll', 'ppoll', 'dup2', 'dup3', 'getpid', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg', 'execve', 'exit', 'exit_group', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'readlink', 'readlinkat', 'getrandom', 'futex', 'uname', 'fcntl', 'open', 'openat', 'chdir', 'fchdir', 'getcwd', 'capget', 'capset', 'prctl', 'setresuid', 'setresgid', 'setgroups', 'setsid', 'getuid', 'getgid', 'geteuid', 'getegid', 'close_range']"

# enosys_bundle DEFAULT-ACTION ARCHITECTURES-PYTHON NR...: a bundle whose
# filter allows COMMON_SYSCALLS only, running the syscall probe on NR...
enosys_bundle() {
	local default=$1 archs=$2
	shift 2
	rm -rf "$BUNDLE"
	seccomp_bundle "{'defaultAction': '$default', 'architectures': $archs, 'syscalls': [{'names': $COMMON_SYSCALLS, 'action': 'SCMP_ACT_ALLOW'}]}" \
		/syscall-probe "$@"
	cp "$TEST_TOOLS/syscall-probe" "$BUNDLE/rootfs/syscall-probe"
}

@test "seccomp: a syscall above the highest the profile names gets ENOSYS, per architecture, as in runc" {
	[[ "$(uname -m)" == x86_64 ]] || skip "the probe's numbers are x86_64's and i386's"
	local nnp
	# 39 getpid (listed), 110 getppid (not listed, below faccessat2), 451
	# cachestat (known, above it), 1000 (no syscall); the i386 ones through
	# int 0x80: 20 getpid, 64 getppid; x32's numbers are x86_64's with bit
	# 30 (the filter sees them even where the kernel has no x32).
	for nnp in True False; do
		enosys_bundle SCMP_ACT_ERRNO "['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']" \
			39 110 451 1000 i386:20 i386:64 i386:1000 x32:110 x32:1000
		edit_config "$BUNDLE" "c['process']['noNewPrivileges'] = $nnp"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_status 0
		assert_output_equals "39 ok
110 EPERM
451 ENOSYS
1000 ENOSYS
i386:20 ok
i386:64 EPERM
i386:1000 ENOSYS
x32:110 EPERM
x32:1000 ENOSYS"
	done
}

@test "seccomp: the ENOSYS stub also spares a killing default action, and is left out where runc leaves it out" {
	[[ "$(uname -m)" == x86_64 ]] || skip "the probe's numbers are x86_64's"
	enosys_bundle SCMP_ACT_KILL_PROCESS "['SCMP_ARCH_X86_64']" 1000 39
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "1000 ENOSYS
39 ok"
	# Unlisted, the architecture gets no stub (runc's rule): the default.
	enosys_bundle SCMP_ACT_ERRNO "[]" 1000 110
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "1000 EPERM
110 EPERM"
	# An errnoRet of ENOSYS needs none.
	enosys_bundle SCMP_ACT_ERRNO "['SCMP_ARCH_X86_64']" 1000 110
	edit_config "$BUNDLE" "c['linux']['seccomp']['defaultErrnoRet'] = 38"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_output_equals "1000 ENOSYS
110 ENOSYS"
}

# refused FILTER MESSAGE: create fails with one line starting with MESSAGE
# and leaves nothing behind.
refused() {
	rm -rf "$BUNDLE"
	seccomp_bundle "$1" true
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	[[ "$stderr" == "ocirun: $2"* && "$stderr" != *$'\n'* ]] || fail "stderr: [$stderr], expected [ocirun: $2...]"
	assert_nothing_left c1
}

@test "seccomp: unknown actions, architectures, flags and operators fail create naming the field" {
	refused "{'defaultAction': 'SCMP_ACT_NOPE'}" \
		'config.json: linux.seccomp.defaultAction: "SCMP_ACT_NOPE" is not one of SCMP_ACT_KILL,'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}, {'names': ['rmdir'], 'action': 'ALLOW'}]}" \
		'config.json: linux.seccomp.syscalls[1].action: "ALLOW" is not one of'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_VAX']}" \
		'config.json: linux.seccomp.architectures[0]: "SCMP_ARCH_VAX" is not one of'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_FAST']}" \
		'config.json: linux.seccomp.flags[0]: "SECCOMP_FILTER_FLAG_FAST" is not one of'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1, 'value': 1, 'op': 'SCMP_CMP_ABOUT'}]}]}" \
		'config.json: linux.seccomp.syscalls[0].args[0].op: "SCMP_CMP_ABOUT" is not one of'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}" \
		'config.json: linux.seccomp.syscalls[0].args[0].index: 6 is not an argument index (0 to 5)'
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_KILL', 'errnoRet': 1}]}" \
		'config.json: linux.seccomp.syscalls[0].action: an errno return value needs SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL'
}

@test "seccomp: what this build cannot do is refused clearly: an architecture or flag libseccomp lacks" {
	refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_SHEB']}" \
		'config.json: linux.seccomp.architectures[0]: SCMP_ARCH_SHEB is not supported by libseccomp'
	local version
	version=$(dpkg-query -W -f '${Version}' libseccomp-dev 2>/dev/null || true)
	if [[ "$version" == 2.5.* ]]; then
		refused "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}" \
			'config.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs libseccomp 2.6 (this build has 2.5)'
	fi
}
