#!/usr/bin/env bats
# `ocirun features`: the OCI features document, checked against the schema
# and against what this kernel and libseccomp really offer.

load helpers

setup() {
	setup_common
	run --separate-stderr ocirun features
	assert_status 0
	assert_stderr_empty
	FEATURES=$output
}

teardown() {
	teardown_common
}

@test "features prints a document valid against the OCI features schema" {
	schema_assert "$FEATURES" features-schema.json
}

@test "features prints pretty JSON indented with tabs" {
	[[ "${lines[0]}" == "{" ]] || fail "the first line is not '{': ${lines[0]}"
	[[ ${#lines[@]} -gt 20 ]] || fail "not pretty-printed: ${#lines[@]} lines"
	printf '%s\n' "${lines[@]}" | grep -q $'^\t"ociVersionMin": "1.0.0",$' || fail "no tab-indented ociVersionMin line"
	! printf '%s\n' "${lines[@]}" | grep -n '^ ' || fail "lines indented with spaces"
}

@test "features supports OCI versions 1.0.0 to 1.3.0" {
	json_assert "$FEATURES" '
eq(d["ociVersionMin"], "1.0.0", "ociVersionMin")
eq(d["ociVersionMax"], "1.3.0", "ociVersionMax")
'
}

@test "features lists exactly the namespaces in /proc/self/ns" {
	local entry expected=()
	for entry in /proc/self/ns/*; do
		case ${entry##*/} in
		mnt) expected+=(mount) ;;
		net) expected+=(network) ;;
		*_for_children) ;;
		*) expected+=("${entry##*/}") ;;
		esac
	done
	json_assert "$FEATURES" '
eq(sorted(d["linux"]["namespaces"]), sorted(sys.argv[2:]), "linux.namespaces")
' "${expected[@]}"
}

@test "features lists every capability up to /proc/sys/kernel/cap_last_cap, in kernel order" {
	json_assert "$FEATURES" '
kernel_order = """CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE""".split()
kernel_order = ["CAP_" + name for name in kernel_order]
last = int(open("/proc/sys/kernel/cap_last_cap").read())
caps = d["linux"]["capabilities"]
eq(len(caps), last + 1, "number of capabilities (cap_last_cap is %d)" % last)
eq(caps[:len(kernel_order)], kernel_order[:last + 1], "linux.capabilities")
eq(len(set(caps)), len(caps), "duplicates in linux.capabilities")
'
}

@test "features: seccomp is enabled with the operators, flags and the machine's architecture" {
	json_assert "$FEATURES" '
s = d["linux"]["seccomp"]
eq(s["enabled"], True, "seccomp.enabled")
eq(sorted(s["operators"]), sorted(["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                   "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]), "seccomp.operators")
eq(sorted(s["knownFlags"]), sorted(["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]), "seccomp.knownFlags")
native = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64", "ppc64le": "SCMP_ARCH_PPC64LE",
          "s390x": "SCMP_ARCH_S390X", "riscv64": "SCMP_ARCH_RISCV64"}[os.uname().machine]
check(native in s["archs"], "the machine architecture %s is not in seccomp.archs %r" % (native, s["archs"]))
if native == "SCMP_ARCH_X86_64":
    for arch in ("SCMP_ARCH_X86", "SCMP_ARCH_X32"):
        check(arch in s["archs"], "%s is not in seccomp.archs %r" % (arch, s["archs"]))
for key in ("actions", "operators", "archs", "knownFlags", "supportedFlags"):
    eq(len(set(s[key])), len(s[key]), "duplicates in seccomp." + key)
'
}

@test "features: seccomp.actions are those of the running libseccomp's API level" {
	json_assert "$FEATURES" '
import ctypes
api = ctypes.CDLL("libseccomp.so.2").seccomp_api_get()
expected = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]
if api >= 3:
    expected += ["SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG"]
if api >= 5:
    expected += ["SCMP_ACT_NOTIFY"]
eq(sorted(d["linux"]["seccomp"]["actions"]), sorted(expected), "seccomp.actions (libseccomp API level %d)" % api)
'
}

@test "features: seccomp.supportedFlags are the known flags this kernel accepts and libseccomp can set" {
	# Ask the kernel: seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) fails
	# with EFAULT for a flag it knows (it reads the NULL filter) and EINVAL
	# for one it does not.
	json_assert "$FEATURES" '
import ctypes, errno
numbers = {"x86_64": 317, "aarch64": 277, "ppc64le": 358, "s390x": 348, "riscv64": 277}
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
flags = {"SECCOMP_FILTER_FLAG_TSYNC": 1, "SECCOMP_FILTER_FLAG_LOG": 2,
         "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 4,
         # only valid together with SECCOMP_FILTER_FLAG_NEW_LISTENER (8)
         "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": 32 | 8}
accepted = []
for name, value in flags.items():
    r = libc.syscall(ctypes.c_long(numbers[os.uname().machine]), ctypes.c_long(1),
                     ctypes.c_ulong(value), ctypes.c_void_p(None))
    err = ctypes.get_errno()
    check(r == -1 and err in (errno.EFAULT, errno.EINVAL), "%s: unexpected result %d, errno %d" % (name, r, err))
    if err == errno.EFAULT:
        accepted.append(name)
# libseccomp before 2.6 cannot set WAIT_KILLABLE_RECV: ocirun cannot use it.
class Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint), ("micro", ctypes.c_uint)]
seccomp_version = ctypes.CDLL("libseccomp.so.2").seccomp_version
seccomp_version.restype = ctypes.POINTER(Version)
v = seccomp_version().contents
if (v.major, v.minor) < (2, 6) and "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" in accepted:
    accepted.remove("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
eq(sorted(d["linux"]["seccomp"]["supportedFlags"]), sorted(accepted), "seccomp.supportedFlags")
'
}

@test "features: the libseccomp version annotation matches --version" {
	local version
	version=$("$OCIRUN" --version | sed -n 's/^libseccomp: //p')
	[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version has no libseccomp version: $version"
	json_assert "$FEATURES" '
eq(d["annotations"]["io.github.seccomp.libseccomp.version"], sys.argv[2],
   "annotations[io.github.seccomp.libseccomp.version]")
' "$version"
}

@test "features: cgroup v1, v2, rdma, the system's systemd and a user's systemd are driven" {
	json_assert "$FEATURES" '
eq(d["linux"]["cgroup"], {"v1": True, "v2": True, "systemd": True, "systemdUser": True, "rdma": True},
   "linux.cgroup")
'
}

@test "features --help prints its usage, and an unknown option is a usage error" {
	run --separate-stderr "$OCIRUN" features --help
	assert_status 0
	assert_stderr_empty
	[[ "${lines[0]}" == "Usage: ocirun features"* ]] || fail "not features' usage: ${lines[0]}"
	run --separate-stderr "$OCIRUN" features --bogus
	assert_usage_error features 'features: unknown option "--bogus"'
}

@test "features: the six hook kinds and the mount options ocirun implements" {
	json_assert "$FEATURES" '
eq(d["hooks"], ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"], "hooks")
for option in ["ro", "rbind", "rro", "rnosymfollow", "tmpcopyup", "idmap", "ridmap", "copy-symlink", "rslave"]:
    check(option in d["mountOptions"], "mountOptions lacks " + option)
eq(len(d["mountOptions"]), len(set(d["mountOptions"])), "mountOptions without repeats")
eq(d["linux"]["mountExtensions"]["idmap"]["enabled"], True, "mountExtensions.idmap.enabled")
'
}

@test "features: linux.netDevices and linux.intelRdt are implemented" {
	json_assert "$FEATURES" '
eq(d["linux"]["netDevices"]["enabled"], True, "netDevices.enabled")
eq(d["linux"]["intelRdt"]["enabled"], True, "intelRdt.enabled")
'
}
