#!/usr/bin/env bats
# `ocirun spec`: the default config.json (and its --rootless variant), where
# it is written, and that an existing file is never overwritten.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/bundle"
	mkdir -p "$BUNDLE"
}

teardown() {
	teardown_common
}

# runc's template, which engines and users know.
RUNC_MOUNTS='[
  {"destination": "/proc", "type": "proc", "source": "proc", "options": []},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
   "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
  {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
   "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
  {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
   "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
  {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
   "options": ["nosuid", "noexec", "nodev"]},
  {"destination": "/sys", "type": "sysfs", "source": "sysfs",
   "options": ["nosuid", "noexec", "nodev", "ro"]},
  {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
   "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
]'

# Mounts as comparable dicts: a missing options list is an empty one.
PY_MOUNTS='
def mounts(config):
    return [dict(m, options=m.get("options") or []) for m in config["mounts"]]
'

@test "spec writes config.json into the current directory by default and prints nothing" {
	cd "$BUNDLE"
	run --separate-stderr "$OCIRUN" spec
	assert_status 0
	assert_stdout_empty
	assert_stderr_empty
	[[ -f "$BUNDLE/config.json" ]] || fail "no config.json in the current directory"
}

@test "spec writes into the bundle given as --bundle DIR, --bundle=DIR or -b DIR" {
	local form dir
	for form in long equals short; do
		dir="$TEST_TMP/$form"
		mkdir "$dir"
		case $form in
		long) run --separate-stderr "$OCIRUN" spec --bundle "$dir" ;;
		equals) run --separate-stderr "$OCIRUN" spec --bundle="$dir" ;;
		short) run --separate-stderr "$OCIRUN" spec -b "$dir" ;;
		esac
		assert_status 0
		assert_stdout_empty
		assert_stderr_empty
		[[ -f "$dir/config.json" ]] || fail "$form: no config.json in $dir"
	done
	cmp "$TEST_TMP/long/config.json" "$TEST_TMP/short/config.json"
	cmp "$TEST_TMP/long/config.json" "$TEST_TMP/equals/config.json"
}

@test "spec writes pretty JSON indented with tabs" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	local config="$BUNDLE/config.json"
	[[ "$(head -n 1 "$config")" == "{" ]] || fail "the first line is not '{': $(head -n 1 "$config")"
	[[ $(wc -l <"$config") -gt 50 ]] || fail "not pretty-printed: $(wc -l <"$config") lines"
	grep -q $'^\t"ociVersion": "1.3.0",$' "$config" || fail "no tab-indented ociVersion line"
	! grep -n '^ ' "$config" || fail "lines indented with spaces"
}

@test "spec's config is valid against the OCI config schema" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	schema_assert "$(cat "$BUNDLE/config.json")" config-schema.json
}

@test "spec's process runs sh as root in / with runc's short capability list" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" '
eq(d["ociVersion"], "1.3.0", "ociVersion")
p = d["process"]
eq(p["terminal"], True, "process.terminal")
eq(p["user"]["uid"], 0, "process.user.uid")
eq(p["user"]["gid"], 0, "process.user.gid")
eq(p["args"], ["sh"], "process.args")
eq(p["cwd"], "/", "process.cwd")
eq(p["env"], ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], "process.env")
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
for kind in ("bounding", "effective", "permitted"):
    eq(sorted(p["capabilities"][kind]), caps, "process.capabilities." + kind)
# CVE-2022-29162: no inheritable (or ambient) capabilities by default.
for kind in ("inheritable", "ambient"):
    eq(p["capabilities"].get(kind, []), [], "process.capabilities." + kind)
eq(p["rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "process.rlimits")
eq(p["noNewPrivileges"], True, "process.noNewPrivileges")
'
}

@test "spec's root, hostname and mounts are runc's" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" "$PY_MOUNTS"'
eq(d["root"], {"path": "rootfs", "readonly": True}, "root")
eq(d["hostname"], "ocirun", "hostname")
eq(mounts(d), json.loads(sys.argv[2]), "mounts")
' "$RUNC_MOUNTS"
}

@test "spec's linux section: six namespaces, deny-all devices, runc's masked and read-only paths" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" '
linux = d["linux"]
eq(sorted(n["type"] for n in linux["namespaces"]),
   sorted(["pid", "network", "ipc", "uts", "mount", "cgroup"]), "linux.namespaces")
check(all("path" not in n for n in linux["namespaces"]), "a namespace has a path: %r" % linux["namespaces"])
check("uidMappings" not in linux and "gidMappings" not in linux, "id mappings without a user namespace")
eq(linux["resources"]["devices"], [{"allow": False, "access": "rwm"}], "linux.resources.devices")
masked = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
readonly = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
for path in masked:
    check(path in linux["maskedPaths"], "%s is not in linux.maskedPaths %r" % (path, linux["maskedPaths"]))
for path in readonly:
    check(path in linux["readonlyPaths"], "%s is not in linux.readonlyPaths %r" % (path, linux["readonlyPaths"]))
for path in linux["maskedPaths"] + linux["readonlyPaths"]:
    check(path.startswith("/proc/") or path.startswith("/sys/"), "unexpected masked/read-only path %r" % path)
'
}

@test "spec --rootless maps the caller to root in a user namespace and drops the network namespace" {
	"$OCIRUN" spec --rootless --bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" '
linux = d["linux"]
eq(sorted(n["type"] for n in linux["namespaces"]),
   sorted(["pid", "ipc", "uts", "mount", "cgroup", "user"]), "linux.namespaces")
eq(linux["uidMappings"], [{"containerID": 0, "hostID": int(sys.argv[2]), "size": 1}], "linux.uidMappings")
eq(linux["gidMappings"], [{"containerID": 0, "hostID": int(sys.argv[3]), "size": 1}], "linux.gidMappings")
check("resources" not in linux, "linux.resources in a rootless config: %r" % linux.get("resources"))
' "$(id -u)" "$(id -g)"
}

@test "spec --rootless binds the host's /sys, has no cgroup mount and no gid=5 for /dev/pts" {
	"$OCIRUN" spec --rootless --bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" "$PY_MOUNTS"'
expected = json.loads(sys.argv[2])
expected = [m for m in expected if m["destination"] != "/sys/fs/cgroup"]
for m in expected:
    if m["destination"] == "/sys":
        m.update(type="none", source="/sys", options=["rbind", "nosuid", "noexec", "nodev", "ro"])
    if m["destination"] == "/dev/pts":
        m["options"].remove("gid=5")
eq(mounts(d), expected, "mounts")
' "$RUNC_MOUNTS"
}

@test "spec --rootless is otherwise the default config, and valid against the schema" {
	"$OCIRUN" spec --bundle "$BUNDLE"
	mkdir "$TEST_TMP/rootless"
	"$OCIRUN" spec --rootless --bundle "$TEST_TMP/rootless"
	schema_assert "$(cat "$TEST_TMP/rootless/config.json")" config-schema.json
	json_file_assert "$BUNDLE/config.json" '
rootless = json.load(open(sys.argv[2]))
for key in set(d) | set(rootless):
    if key not in ("mounts", "linux"):
        eq(rootless.get(key), d.get(key), key)
for key in ("maskedPaths", "readonlyPaths"):
    eq(rootless["linux"].get(key), d["linux"].get(key), "linux." + key)
' "$TEST_TMP/rootless/config.json"
}

@test "spec --rootless run by an unprivileged user maps that user's uid and gid" {
	local uid=1000 gid=1000
	setpriv --reuid="$uid" --regid="$gid" --clear-groups test -x "$OCIRUN" ||
		fail "uid $uid cannot execute $OCIRUN: a directory above it is not searchable by others"
	chown "$uid:$gid" "$BUNDLE"
	# The bundle is handed over as an open directory: the user need not be
	# able to reach the test's private temporary directory by path.
	run --separate-stderr setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		"$OCIRUN" spec --rootless --bundle /proc/self/fd/5 5<"$BUNDLE"
	assert_status 0
	assert_stderr_empty
	[[ "$(stat -c %u "$BUNDLE/config.json")" == "$uid" ]] || fail "config.json was not written by uid $uid"
	json_file_assert "$BUNDLE/config.json" '
eq(d["linux"]["uidMappings"], [{"containerID": 0, "hostID": 1000, "size": 1}], "linux.uidMappings")
eq(d["linux"]["gidMappings"], [{"containerID": 0, "hostID": 1000, "size": 1}], "linux.gidMappings")
'
}

@test "spec refuses to overwrite an existing config.json and leaves it unchanged" {
	echo '{"mine": true}' >"$BUNDLE/config.json"
	run --separate-stderr "$OCIRUN" spec --bundle "$BUNDLE"
	assert_error "spec: \`$BUNDLE/config.json\` already exists; remove it first"
	assert_equal "$(cat "$BUNDLE/config.json")" '{"mine": true}' "config.json"

	cd "$BUNDLE"
	run --separate-stderr "$OCIRUN" spec --rootless
	assert_error "spec: \`./config.json\` already exists; remove it first"
	assert_equal "$(cat "$BUNDLE/config.json")" '{"mine": true}' "config.json"
}

@test "spec does not write through a config.json symlink, even a dangling one" {
	ln -s "$TEST_TMP/elsewhere.json" "$BUNDLE/config.json"
	run --separate-stderr "$OCIRUN" spec --bundle "$BUNDLE"
	assert_error "spec: \`$BUNDLE/config.json\` already exists; remove it first"
	[[ ! -e "$TEST_TMP/elsewhere.json" ]] || fail "spec followed the symlink and created its target"
	[[ -L "$BUNDLE/config.json" ]] || fail "the symlink was replaced"
}

@test "spec with a bundle directory that does not exist fails naming the path" {
	run --separate-stderr "$OCIRUN" spec --bundle "$TEST_TMP/missing"
	assert_status 1
	assert_stdout_empty
	assert_line_count 1 stderr
	assert_stderr_contains "$TEST_TMP/missing"
	[[ "$stderr" == "ocirun: "* ]] || fail "not an ocirun error line: $stderr"
	[[ ! -e "$TEST_TMP/missing" ]] || fail "spec created the missing bundle directory"
}

@test "spec's usage errors: an unknown option, --bundle without a value, an extra argument" {
	run --separate-stderr "$OCIRUN" spec --bogus
	assert_usage_error spec 'spec: unknown option "--bogus"'
	run --separate-stderr "$OCIRUN" spec --bundle
	assert_usage_error spec 'spec: option "--bundle" needs a value'
	run --separate-stderr "$OCIRUN" spec --bundle "$BUNDLE" extra
	assert_status 1
	assert_stdout_empty
	assert_line_count 2 stderr
	assert_stderr_contains extra
	assert_equal "${stderr_lines[1]}" "Run 'ocirun spec --help' for usage." "hint"
	[[ ! -e "$BUNDLE/config.json" ]] || fail "spec wrote config.json despite a usage error"
}

@test "spec --help documents --bundle and --rootless and writes nothing" {
	cd "$BUNDLE"
	run --separate-stderr "$OCIRUN" spec --help
	assert_status 0
	assert_stderr_empty
	[[ "${lines[0]}" == "Usage: ocirun spec"* ]] || fail "not spec's usage: ${lines[0]}"
	assert_output_contains "--bundle"
	assert_output_contains "--rootless"
	[[ ! -e config.json ]] || fail "spec --help wrote config.json"
}

@test "make_bundle: spec's config with the busybox rootfs gives a working sh and test users" {
	[[ $EUID -eq 0 ]] || skip "chroot needs root (machine limit: the tests run unprivileged)"
	make_bundle "$BUNDLE"
	json_file_assert "$BUNDLE/config.json" '
eq(d["process"]["terminal"], False, "process.terminal")
eq(d["root"]["path"], "rootfs", "root.path")
eq(d["process"]["args"], ["sh"], "process.args")
'
	local path
	path=$(grep -o '"PATH=[^"]*"' "$BUNDLE/config.json" | tr -d '"')
	run --separate-stderr chroot "$BUNDLE/rootfs" /bin/busybox env -i "$path" sh -c \
		'cd / && id -u root && id -u test && id -g test && id -u nobody && grep -c . /etc/group &&
		 for d in /proc /sys /dev /tmp /etc; do test -d $d && echo $d; done'
	assert_status 0
	assert_stderr_empty
	assert_output_equals "0
1000
1000
65534
4
/proc
/sys
/dev
/tmp
/etc"
}
