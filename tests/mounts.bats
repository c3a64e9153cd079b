#!/usr/bin/env bats
# The `mounts` of config.json, checked from inside the container: every
# filesystem type ocirun mounts (proc, sysfs, tmpfs with its data, devpts,
# mqueue, cgroup and cgroup2, bind and rbind, anything else handed to the
# kernel with its data), every mount option it knows (the flags, atime,
# the superblock flags, propagation, the recursive mount_setattr ones,
# tmpcopyup, idmap and id mappings, copy-symlink, remount), the order in
# which mounts are applied, and the errors for an option nobody knows.
#
# The container prints /proc/self/mountinfo (and whatever else the test
# needs) and the test reads the mount's options (field 6), its optional
# fields (propagation), its type and its super options (after " - ").
# Effects are checked where the kernel lets them show: writes to a
# read-only mount, exec on noexec, a setuid program on nosuid, a device on
# nodev, atime updates, symlinks on nosymfollow, file owners on idmapped
# mounts. Bind sources live under $TEST_TMP, which teardown unmounts.

# status, output, lines and stderr are set by bats' `run` and ocirun_detached.
# shellcheck disable=SC2154

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}

# script_bundle SCRIPT: $BUNDLE from container_bundle, its process
# `sh -c SCRIPT` (container_bundle would split a script of several lines
# into one argument per line).
script_bundle() {
	container_bundle "$BUNDLE" true
	"$PYTHON3" -c '
import json, sys
path, script = sys.argv[1:3]
with open(path) as f:
    c = json.load(f)
c["process"]["args"] = ["sh", "-c", script]
with open(path, "w") as f:
    json.dump(c, f, indent="\t")
    f.write("\n")
' "$BUNDLE/config.json" "$1" || fail "script_bundle: $1"
}

# add_mount DESTINATION TYPE SOURCE [OPTION...]: appends a mount to
# $BUNDLE/config.json; an empty TYPE or SOURCE is left out.
add_mount() {
	"$PYTHON3" -c '
import json, sys
path, destination, type_, source = sys.argv[1:5]
with open(path) as f:
    c = json.load(f)
m = {"destination": destination}
if type_:
    m["type"] = type_
if source:
    m["source"] = source
m["options"] = sys.argv[5:]
c["mounts"].append(m)
with open(path, "w") as f:
    json.dump(c, f, indent="\t")
    f.write("\n")
' "$BUNDLE/config.json" "$@" || fail "add_mount $*"
}

# The index of the last mount in $BUNDLE/config.json.
last_mount_index() {
	"$PYTHON3" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["mounts"]) - 1)' "$BUNDLE/config.json"
}

# mount_field MOUNTPOINT WHAT [MOUNTINFO]: one field of the topmost mount at
# MOUNTPOINT in MOUNTINFO (by default the output of the last `run`): WHAT
# is options (field 6), optional (the propagation fields, space-separated),
# root (field 4), parent (field 2), id, type or super (the super options).
# Fails when nothing is mounted there.
mount_field() {
	awk -v mp="$1" -v what="$2" '
		index($0, " - ") == 0 { next }
		{
			split($0, halves, " - ")
			n = split(halves[1], a, " ")
			split(halves[2], b, " ")
			if (a[5] != mp) next
			optional = ""
			for (i = 7; i <= n; i++) optional = optional (i > 7 ? " " : "") a[i]
			if (what == "options") value = a[6]
			else if (what == "optional") value = optional
			else if (what == "root") value = a[4]
			else if (what == "parent") value = a[2]
			else if (what == "id") value = a[1]
			else if (what == "type") value = b[1]
			else if (what == "super") value = b[3]
			found = 1
		}
		END { if (!found) exit 1; print value }' <<<"${3-$output}"
}

# assert_mount_option MOUNTPOINT options|super OPTION...: each OPTION is
# one of the comma-separated items of that field.
assert_mount_option() {
	local mp=$1 field=$2 list option
	shift 2
	list=$(mount_field "$mp" "$field") || fail "nothing mounted at $mp in the container's mountinfo:
$output"
	for option in "$@"; do
		[[ ",$list," == *",$option,"* ]] || fail "$mp: expected $option among the $field [$list]"
	done
}

# refute_mount_option MOUNTPOINT options|super OPTION...: none of them is there.
refute_mount_option() {
	local mp=$1 field=$2 list option
	shift 2
	list=$(mount_field "$mp" "$field") || fail "nothing mounted at $mp in the container's mountinfo:
$output"
	for option in "$@"; do
		[[ ",$list," != *",$option,"* ]] || fail "$mp: did not expect $option among the $field [$list]"
	done
}

# assert_mount_type MOUNTPOINT TYPE
assert_mount_type() {
	local type
	type=$(mount_field "$1" type) || fail "nothing mounted at $1 in the container's mountinfo:
$output"
	assert_equal "$type" "$2" "the filesystem type at $1"
}

# assert_propagation MOUNTPOINT REGEX: the optional fields match REGEX
# (anchored), e.g. '' for private, 'master:[0-9]+' for a slave.
assert_propagation() {
	local optional
	optional=$(mount_field "$1" optional) || fail "nothing mounted at $1 in the container's mountinfo:
$output"
	[[ "$optional" =~ ^$2$ ]] || fail "$1: expected propagation fields matching [$2], got [$optional]"
}

# The line of the last run's output that starts with PREFIX, without it.
result_of() {
	local line
	for line in "${lines[@]}"; do
		if [[ "$line" == "$1"* ]]; then
			echo "${line#"$1"}"
			return 0
		fi
	done
	fail "no line starting with [$1] in the container's output:
$output"
}

# run_container: a foreground run of $BUNDLE that must succeed.
run_container() {
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
}

# A tmpfs mounted on the host at DIR (under $TEST_TMP), with extra mount(8)
# options; teardown unmounts it.
host_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=1m${2:+,$2}" "ocirun-test" "$1"
}

# with_caps CAP...: adds capabilities to the container's process.
with_caps() {
	local cap
	for cap in "$@"; do
		edit_config "$BUNDLE" "for s in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'].setdefault(s, []).append('$cap')"
	done
}

# with_user_namespace OFFSET: a user namespace mapping 0..65535 to
# OFFSET..., with the rootfs shifted so that root owns it inside.
with_user_namespace() {
	shift_rootfs_owner "$BUNDLE/rootfs" "$1"
	allow_search_to "$BUNDLE"
	edit_config "$BUNDLE" "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $1, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $1, 'size': 65536}]"
}

# ---------------------------------------------------------------------------
# Filesystem types

@test "proc: /proc is a procfs of the container's pid namespace, with its flags and data" {
	script_bundle 'cat /proc/self/mountinfo; echo "comm: $(cat /proc/1/comm)"'
	edit_config "$BUNDLE" 'assert c["mounts"][0]["type"] == "proc"
c["mounts"][0]["options"] = ["nosuid", "nodev", "noexec", "hidepid=2"]'
	run_container
	assert_mount_type /proc proc
	assert_mount_option /proc options nosuid nodev noexec
	# The kernel shows hidepid=2 by its name.
	assert_mount_option /proc super hidepid=invisible
	# pid 1 of this procfs is the container's process, not the host's init.
	assert_equal "$(result_of "comm: ")" sh "/proc/1/comm"
}

@test "sysfs: /sys is read-only with nosuid, nodev, noexec; writing fails" {
	script_bundle 'cat /proc/self/mountinfo; mkdir /sys/ocirun-test 2>&1; true'
	run_container
	assert_mount_type /sys sysfs
	assert_mount_option /sys options ro nosuid nodev noexec
	assert_output_contains "can't create directory '/sys/ocirun-test': Read-only file system"
}

@test "tmpfs: size, mode, uid and gid reach the superblock and the size is enforced" {
	script_bundle 'cat /proc/self/mountinfo; echo "owner: $(stat -c "%a %u %g" /owned)"
dd if=/dev/zero of=/small/fill bs=1024 count=256 2>&1; echo "dd status: $?"'
	add_mount /owned tmpfs tmpfs size=1m mode=0751 uid=1000 gid=1000
	add_mount /small tmpfs tmpfs size=64k
	run_container
	assert_mount_type /owned tmpfs
	assert_mount_option /owned super size=1024k mode=751 uid=1000 gid=1000
	assert_equal "$(result_of "owner: ")" "751 1000 1000" "mode and owner of /owned"
	assert_mount_option /small super size=64k
	assert_output_contains "No space left on device"
	assert_equal "$(result_of "dd status: ")" 1 "dd's exit status on a full 64k tmpfs"
}

@test "tmpfs: over an existing directory it keeps that directory's mode unless mode= is given" {
	script_bundle 'cat /proc/self/mountinfo; stat -c "%n %a" /root /tmp /home'
	add_mount /root tmpfs tmpfs
	add_mount /tmp tmpfs tmpfs
	add_mount /home tmpfs tmpfs mode=0711
	run_container
	assert_mount_type /root tmpfs
	assert_equal "$(result_of "/root ")" 700 "mode of the tmpfs on /root (0700 in the image)"
	assert_equal "$(result_of "/tmp ")" 1777 "mode of the tmpfs on /tmp (1777 in the image)"
	assert_equal "$(result_of "/home ")" 711 "mode of the tmpfs on /home (mode=0711)"
}

@test "devpts: a new instance with newinstance, ptmxmode=0666, mode and gid" {
	script_bundle 'cat /proc/self/mountinfo; echo "dev: $(stat -c %d /dev/pts)"; echo "ptmx: $(stat -c %a /dev/pts/ptmx)"'
	run_container
	assert_mount_type /dev/pts devpts
	assert_mount_option /dev/pts options nosuid noexec
	assert_mount_option /dev/pts super ptmxmode=666 mode=620 gid=5
	assert_equal "$(result_of "ptmx: ")" 666 "the mode of /dev/pts/ptmx"
	[[ "$(result_of "dev: ")" != "$(stat -c %d /dev/pts)" ]] || fail "/dev/pts in the container is the host's devpts instance"
}

@test "mqueue: the message queues of the container's own ipc namespace" {
	# The host's ipc namespace's queues, to compare with.
	mkdir -p "$TEST_TMP/mq"
	mount -t mqueue mqueue "$TEST_TMP/mq"
	script_bundle 'cat /proc/self/mountinfo; echo "dev: $(stat -c %d /dev/mqueue)"; touch /dev/mqueue/ocirun-test-queue && echo created'
	run_container
	assert_mount_type /dev/mqueue mqueue
	assert_mount_option /dev/mqueue options nosuid nodev noexec
	assert_output_contains created
	[[ "$(result_of "dev: ")" != "$(stat -c %d "$TEST_TMP/mq")" ]] || fail "/dev/mqueue in the container is the host's mqueue"
	[[ ! -e "$TEST_TMP/mq/ocirun-test-queue" ]] || fail "a queue made in the container shows up in the host's ipc namespace"
}

@test "cgroup: read-only by default, every hierarchy under it too" {
	# Named for this test, so that teardown would remove them were they made.
	script_bundle "cat /proc/self/mountinfo; mkdir /sys/fs/cgroup/pids/$TEST_CGROUP_PREFIX-child 2>&1; mkdir /sys/fs/cgroup/$TEST_CGROUP_PREFIX-dir 2>&1; true"
	run_container
	assert_mount_option /sys/fs/cgroup options ro nosuid nodev noexec
	local mp n=0
	while read -r mp; do
		assert_mount_option "$mp" options ro
		n=$((n + 1))
	done < <(awk '$5 ~ "^/sys/fs/cgroup/" { print $5 }' <<<"$output")
	((n > 0)) || fail "no cgroup hierarchy mounted under /sys/fs/cgroup:
$output"
	assert_output_contains "can't create directory '/sys/fs/cgroup/pids/$TEST_CGROUP_PREFIX-child': Read-only file system"
	assert_output_contains "can't create directory '/sys/fs/cgroup/$TEST_CGROUP_PREFIX-dir': Read-only file system"
}

@test "cgroup: with a cgroup namespace the container sees its own cgroup as the root" {
	# The container's sh is its pid 1, so the cgroup.procs at the top of
	# each hierarchy lists 1 only when that top is the container's cgroup.
	script_bundle 'for h in pids memory systemd unified; do
	grep -qx 1 /sys/fs/cgroup/$h/cgroup.procs && echo "init in $h: yes" || echo "init in $h: no"
done
awk -F: "\$3 != \"/\" { print \"not the root: \" \$0 }" /proc/self/cgroup'
	run_container
	local h
	for h in pids memory systemd unified; do
		assert_equal "$(result_of "init in $h: ")" yes "pid 1 in the cgroup.procs at the top of the $h hierarchy"
	done
	[[ "$output" != *"not the root: "* ]] || fail "/proc/self/cgroup in the container shows paths below the namespace root:
$output"
}

@test "cgroup: without a cgroup namespace the container's own cgroup directories are bound" {
	script_bundle 'cat /proc/self/mountinfo
grep -qx 1 /sys/fs/cgroup/pids/cgroup.procs && echo "init in pids: yes"'
	edit_config "$BUNDLE" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]'
	run_container
	local own
	own="/$TEST_CGROUP_PREFIX/$(basename "$BUNDLE")"
	assert_equal "$(mount_field /sys/fs/cgroup/pids root)" "$own" "the root of the pids hierarchy's mount"
	assert_equal "$(mount_field /sys/fs/cgroup/unified root)" "$own" "the root of the unified hierarchy's mount"
	assert_mount_option /sys/fs/cgroup/pids options ro
	assert_equal "$(result_of "init in pids: ")" yes "pid 1 in the cgroup.procs at the top of the pids hierarchy"
}

@test "cgroup: rw makes the container's cgroup writable" {
	# The child is made in the container's own cgroup, found through
	# /proc/self/cgroup, so that it is always one teardown removes.
	script_bundle 'cat /proc/self/mountinfo
own=$(sed -n "s/^[0-9]*:pids://p" /proc/self/cgroup)
mkdir "/sys/fs/cgroup/pids$own/ocirun-child" && echo made && rmdir "/sys/fs/cgroup/pids$own/ocirun-child"'
	edit_config "$BUNDLE" 'm = [m for m in c["mounts"] if m["type"] == "cgroup"][0]
m["options"] = [o for o in m["options"] if o != "ro"] + ["rw"]'
	run_container
	assert_mount_option /sys/fs/cgroup options rw
	assert_mount_option /sys/fs/cgroup/pids options rw
	assert_output_contains made
}

@test "cgroup2: a mount of type cgroup2 is a cgroup2 filesystem, read-only" {
	# On this hybrid host, type "cgroup" gives the v1 layout (a tmpfs with
	# one mount per hierarchy); "cgroup2" asks for the unified hierarchy
	# itself, as runc mounts it. The child is named for this test, so that
	# teardown would remove it were it made.
	script_bundle "cat /proc/self/mountinfo; mkdir /cgroup2/$TEST_CGROUP_PREFIX-child 2>&1; true"
	add_mount /cgroup2 cgroup2 cgroup2
	run_container
	assert_mount_type /cgroup2 cgroup2
	assert_mount_option /cgroup2 options ro
	assert_output_contains "Read-only file system"
}

# ---------------------------------------------------------------------------
# Bind mounts

@test "bind: a directory source makes a directory target; writes reach the source" {
	mkdir -p "$TEST_TMP/src"
	echo from-host >"$TEST_TMP/src/file"
	script_bundle 'cat /proc/self/mountinfo; echo "read: $(cat /new/dir/file)"; echo from-container >/new/dir/made; echo "none: $(cat /none/file)"; echo "typed: $(cat /typed/file)"'
	add_mount /new/dir bind "$TEST_TMP/src" bind
	# The bind option makes a bind whatever the type, as in runc; so does
	# type "bind" without options, as in crun.
	add_mount /none none "$TEST_TMP/src" bind
	add_mount /typed bind "$TEST_TMP/src"
	run_container
	assert_equal "$(result_of "read: ")" from-host "the file seen through the bind"
	assert_equal "$(result_of "none: ")" from-host "the file seen through the bind of type none"
	assert_equal "$(result_of "typed: ")" from-host "the file seen through the bind of type bind without options"
	assert_equal "$(cat "$TEST_TMP/src/made")" from-container "what the container wrote, on the host"
	[[ -d "$BUNDLE/rootfs/new/dir" && ! -L "$BUNDLE/rootfs/new/dir" ]] || fail "the target was not created as a directory"
}

@test "bind: a file source makes a file target, its missing parents directories" {
	echo file-content >"$TEST_TMP/file"
	script_bundle 'cat /proc/self/mountinfo; echo "read: $(cat /etc/deep/er/file.conf)"'
	add_mount /etc/deep/er/file.conf bind "$TEST_TMP/file" bind
	run_container
	assert_equal "$(result_of "read: ")" file-content "the file seen through the bind"
	[[ -f "$BUNDLE/rootfs/etc/deep/er/file.conf" ]] || fail "the target was not created as a regular file"
	[[ -d "$BUNDLE/rootfs/etc/deep/er" ]] || fail "the target's parent was not created as a directory"
	assert_equal "$(stat -c %s "$BUNDLE/rootfs/etc/deep/er/file.conf")" 0 "the size of the created target"
}

@test "bind: a relative source is relative to the bundle directory" {
	script_bundle 'echo "file: $(cat /rel-file)"; echo "dir: $(cat /rel-dir/inner)"'
	echo bundle-file >"$BUNDLE/data-file"
	mkdir "$BUNDLE/data-dir"
	echo bundle-dir >"$BUNDLE/data-dir/inner"
	add_mount /rel-file bind data-file
	add_mount /rel-dir bind ./data-dir rbind
	# From elsewhere, so that the current directory cannot be what is used.
	cd /
	run_container
	assert_equal "$(result_of "file: ")" bundle-file "the relative file source"
	assert_equal "$(result_of "dir: ")" bundle-dir "the relative directory source"
}

@test "rbind brings the source's submounts, bind does not" {
	mkdir -p "$TEST_TMP/src"
	host_tmpfs "$TEST_TMP/src/sub"
	echo in-submount >"$TEST_TMP/src/sub/marker"
	script_bundle 'cat /proc/self/mountinfo; echo "bind: $(ls /b/sub)"; echo "rbind: $(cat /r/sub/marker)"'
	add_mount /b bind "$TEST_TMP/src" bind
	add_mount /r bind "$TEST_TMP/src" rbind
	run_container
	assert_equal "$(result_of "bind: ")" "" "the submount's directory under the plain bind"
	assert_equal "$(result_of "rbind: ")" in-submount "the submount's file under the rbind"
	assert_mount_type /r/sub tmpfs
	! mount_field /b/sub type >/dev/null || fail "the plain bind brought the submount along"
}

@test "copy-symlink: a symlink source is copied as a symlink; without it the bind follows it" {
	echo target-content >"$TEST_TMP/target"
	ln -s "$TEST_TMP/target" "$TEST_TMP/link"
	script_bundle 'cat /proc/self/mountinfo
[ -L /copied ] && echo "copied: $(readlink /copied)"
[ -L /followed ] || echo "followed: $(cat /followed)"
[ -L /plain ] || echo "plain: $(cat /plain)"'
	add_mount /copied bind "$TEST_TMP/link" bind copy-symlink
	add_mount /followed bind "$TEST_TMP/link" bind
	# copy-symlink on a source that is no symlink: an ordinary bind.
	add_mount /plain bind "$TEST_TMP/target" bind copy-symlink
	run_container
	assert_equal "$(result_of "copied: ")" "$TEST_TMP/target" "the target of the copied symlink"
	! mount_field /copied type >/dev/null || fail "copy-symlink mounted something at /copied"
	assert_equal "$(result_of "followed: ")" target-content "the bind of the symlink's target"
	assert_equal "$(result_of "plain: ")" target-content "copy-symlink on a regular file"
}

# ---------------------------------------------------------------------------
# Mount flags

@test "ro and rw: writes to a read-only bind or tmpfs fail; the last of ro and rw wins" {
	mkdir -p "$TEST_TMP/src"
	script_bundle 'cat /proc/self/mountinfo
for d in /ro-bind /ro-tmpfs /rw-bind /ro-then-rw; do { echo x >$d/file; } 2>&1 && echo "$d: written"; done'
	add_mount /ro-bind bind "$TEST_TMP/src" bind ro
	add_mount /ro-tmpfs tmpfs tmpfs ro
	add_mount /rw-bind bind "$TEST_TMP/src" bind rw
	add_mount /ro-then-rw tmpfs tmpfs ro rw
	run_container
	assert_mount_option /ro-bind options ro
	assert_mount_option /ro-tmpfs options ro
	assert_mount_option /rw-bind options rw
	assert_mount_option /ro-then-rw options rw
	assert_output_contains "can't create /ro-bind/file: Read-only file system"
	assert_output_contains "can't create /ro-tmpfs/file: Read-only file system"
	assert_output_contains "/rw-bind: written"
	assert_output_contains "/ro-then-rw: written"
}

@test "nosuid and suid: a setuid program runs with its owner's uid only without nosuid" {
	# busybox drops its setuid privileges unless the applet needs them;
	# crontab needs them and says so when they are missing.
	mkdir -p "$TEST_TMP/setuid"
	cp "$BUSYBOX" "$TEST_TMP/setuid/busybox"
	chmod 4755 "$TEST_TMP/setuid/busybox"
	script_bundle 'cat /proc/self/mountinfo; echo "nosuid: $(/nosuid/busybox crontab -l 2>&1)"; echo "suid: $(/suid/busybox crontab -l 2>&1)"'
	add_mount /nosuid bind "$TEST_TMP/setuid" bind nosuid
	add_mount /suid bind "$TEST_TMP/setuid" bind nosuid suid
	edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["noNewPrivileges"] = False'
	run_container
	assert_mount_option /nosuid options nosuid
	refute_mount_option /suid options nosuid
	assert_equal "$(result_of "nosuid: ")" "crontab: must be suid to work properly" "the setuid program on nosuid"
	[[ "$(result_of "suid: ")" != *"must be suid"* ]] || fail "the setuid bit was ignored on the suid mount: $output"
}

@test "nodev and dev: a device node opens only without nodev" {
	mkdir -p "$TEST_TMP/devices"
	mknod -m 0666 "$TEST_TMP/devices/null" c 1 3
	script_bundle 'cat /proc/self/mountinfo; for d in /nodev /dev-ok; do { echo x >$d/null; } 2>&1 && echo "$d: opened"; done'
	add_mount /nodev bind "$TEST_TMP/devices" bind nodev
	add_mount /dev-ok bind "$TEST_TMP/devices" bind nodev dev
	run_container
	assert_mount_option /nodev options nodev
	refute_mount_option /dev-ok options nodev
	assert_output_contains "can't create /nodev/null: Permission denied"
	assert_output_contains "/dev-ok: opened"
}

@test "noexec and exec: a program runs only without noexec" {
	script_bundle 'cat /proc/self/mountinfo
for d in /noexec /exec; do cp /bin/busybox $d/; { $d/busybox true; } 2>&1; echo "$d: $?"; done'
	add_mount /noexec tmpfs tmpfs noexec
	add_mount /exec tmpfs tmpfs noexec exec
	run_container
	assert_mount_option /noexec options noexec
	refute_mount_option /exec options noexec
	assert_output_contains "/noexec/busybox: Permission denied"
	assert_equal "$(result_of "/noexec: ")" 126 "exit status of a program on noexec"
	assert_equal "$(result_of "/exec: ")" 0 "exit status of a program on exec"
}

@test "sync, dirsync and lazytime set the superblock flags; async and nolazytime clear them" {
	# tmpfs writes nothing back, so only the flags themselves can be seen.
	script_bundle 'cat /proc/self/mountinfo'
	add_mount /sync tmpfs tmpfs sync dirsync lazytime
	add_mount /async tmpfs tmpfs sync async lazytime nolazytime
	run_container
	assert_mount_option /sync super sync dirsync lazytime
	refute_mount_option /async super sync lazytime
	refute_mount_option /async super dirsync
}

@test "mand is handed to the kernel, which records it and ignores it; nomand clears it" {
	# Mandatory locking is gone from Linux since 5.15: the kernel accepts
	# "mand", logs that it ignores it, and still lists it in the super
	# options. ocirun passes it on, as runc does, so no locking effect can
	# be checked; what is checked is that the flag goes where asked.
	script_bundle 'cat /proc/self/mountinfo'
	add_mount /mand tmpfs tmpfs mand
	add_mount /nomand tmpfs tmpfs mand nomand
	run_container
	assert_mount_option /mand super mand
	refute_mount_option /nomand super mand
}

@test "atime options: noatime, relatime, strictatime, their negations, nodiratime and diratime" {
	script_bundle 'cat /proc/self/mountinfo'
	add_mount /noatime tmpfs tmpfs noatime
	add_mount /relatime tmpfs tmpfs noatime relatime
	add_mount /strictatime tmpfs tmpfs strictatime
	add_mount /atime tmpfs tmpfs noatime atime
	add_mount /norelatime tmpfs tmpfs relatime norelatime
	add_mount /nostrictatime tmpfs tmpfs strictatime nostrictatime
	add_mount /nodiratime tmpfs tmpfs nodiratime
	add_mount /diratime tmpfs tmpfs nodiratime diratime
	run_container
	assert_mount_option /noatime options noatime
	refute_mount_option /noatime options relatime
	assert_mount_option /relatime options relatime
	refute_mount_option /relatime options noatime
	# strictatime is the absence of both.
	refute_mount_option /strictatime options relatime noatime
	# A negation cancels the setting before it: the default, relatime.
	assert_mount_option /atime options relatime
	refute_mount_option /atime options noatime
	assert_mount_option /norelatime options relatime
	assert_mount_option /nostrictatime options relatime
	assert_mount_option /nodiratime options nodiratime
	refute_mount_option /diratime options nodiratime
}

@test "atime options take effect: noatime never updates, relatime once, strictatime on every read" {
	# Each file gets an old atime (2000-01-01, 946684800); it is read a
	# second later (after its ctime, which touch set, so that relatime's
	# "atime older than ctime" rule is out of play), then read again a
	# second after that. Directories are listed in between.
	script_bundle 'for m in /noatime /relatime /strictatime; do echo x >$m/f; touch -d "2000-01-01 00:00:00" $m/f; done
for d in /nodiratime/d /strictatime/d; do mkdir $d; touch -d "2000-01-01 00:00:00" $d; done
sleep 1
for m in /noatime /relatime /strictatime; do cat $m/f >/dev/null; echo "$m first $(stat -c %X $m/f)"; done
ls /nodiratime/d /strictatime/d >/dev/null
sleep 1
for m in /noatime /relatime /strictatime; do cat $m/f >/dev/null; echo "$m second $(stat -c %X $m/f)"; done
for d in /nodiratime/d /strictatime/d; do echo "$d $(stat -c %X $d)"; done'
	add_mount /noatime tmpfs tmpfs noatime
	add_mount /relatime tmpfs tmpfs relatime
	add_mount /strictatime tmpfs tmpfs strictatime
	add_mount /nodiratime tmpfs tmpfs strictatime nodiratime
	run_container
	local old=946684800 first second
	assert_equal "$(result_of "/noatime first ") $(result_of "/noatime second ")" "$old $old" "atimes after each read on noatime"
	first=$(result_of "/relatime first ")
	second=$(result_of "/relatime second ")
	((first > old)) || fail "relatime: the first read left the old atime $first"
	assert_equal "$second" "$first" "relatime: the atime after a second read"
	first=$(result_of "/strictatime first ")
	second=$(result_of "/strictatime second ")
	((first > old && second > first)) || fail "strictatime: atimes $first then $second"
	assert_equal "$(result_of "/nodiratime/d ")" "$old" "the atime of a directory listed on nodiratime"
	(($(result_of "/strictatime/d ") > old)) || fail "the atime of a directory listed on strictatime was not updated"
}

# ---------------------------------------------------------------------------
# Propagation

@test "propagation: a bind of a shared host mount is its slave unless told otherwise" {
	# A shared host tmpfs with a shared submount; the container's binds of it.
	host_tmpfs "$TEST_TMP/shared"
	mount --make-shared "$TEST_TMP/shared"
	host_tmpfs "$TEST_TMP/shared/sub"
	script_bundle 'cat /proc/self/mountinfo'
	add_mount /default bind "$TEST_TMP/shared" rbind
	add_mount /private bind "$TEST_TMP/shared" rbind private
	add_mount /rprivate bind "$TEST_TMP/shared" rbind rprivate
	add_mount /slave bind "$TEST_TMP/shared" rbind rprivate slave
	add_mount /rslave bind "$TEST_TMP/shared" rbind rslave
	add_mount /shared bind "$TEST_TMP/shared" rbind shared
	add_mount /rshared bind "$TEST_TMP/shared" rbind rshared
	add_mount /unbindable bind "$TEST_TMP/shared" rbind unbindable
	add_mount /runbindable bind "$TEST_TMP/shared" rbind runbindable
	add_mount /tmpfs-shared tmpfs tmpfs shared
	run_container
	local slave='master:[0-9]+'
	assert_propagation /default "$slave"
	assert_propagation /default/sub "$slave"
	assert_propagation /private ''
	assert_propagation /private/sub "$slave"
	assert_propagation /rprivate ''
	assert_propagation /rprivate/sub ''
	# A private mount made a slave has no master to follow: private.
	assert_propagation /slave ''
	assert_propagation /rslave "$slave"
	assert_propagation /rslave/sub "$slave"
	assert_propagation /shared "shared:[0-9]+ $slave"
	assert_propagation /shared/sub "$slave"
	assert_propagation /rshared "shared:[0-9]+ $slave"
	assert_propagation /rshared/sub "shared:[0-9]+ $slave"
	assert_propagation /unbindable unbindable
	assert_propagation /unbindable/sub "$slave"
	assert_propagation /runbindable unbindable
	assert_propagation /runbindable/sub unbindable
	assert_propagation /tmpfs-shared 'shared:[0-9]+'
}

@test "propagation: a mount made on the host later reaches slave binds, not private ones" {
	host_tmpfs "$TEST_TMP/shared"
	mount --make-shared "$TEST_TMP/shared"
	mkdir "$TEST_TMP/shared/later"
	container_bundle "$BUNDLE" sleep 1000
	add_mount /slave bind "$TEST_TMP/shared" bind slave
	add_mount /private bind "$TEST_TMP/shared" bind private
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	host_tmpfs "$TEST_TMP/shared/later"
	touch "$TEST_TMP/shared/later/marker"
	run ocirun exec c1 sh -c 'echo "slave: $(ls /slave/later)"; echo "private: $(ls /private/later)"'
	assert_status 0
	assert_equal "$(result_of "slave: ")" marker "the host's later mount under the slave bind"
	assert_equal "$(result_of "private: ")" "" "the host's later mount under the private bind"
	ocirun delete --force c1
}

@test "propagation: mounts made in the container under binds of a shared host mount stay out of the host" {
	host_tmpfs "$TEST_TMP/shared"
	mount --make-shared "$TEST_TMP/shared"
	script_bundle 'for d in /default/in-default /rshared/in-rshared; do mkdir $d && mount -t tmpfs x $d && echo "mounted $d"; done'
	add_mount /default bind "$TEST_TMP/shared" bind
	add_mount /rshared bind "$TEST_TMP/shared" rbind rshared
	with_caps CAP_SYS_ADMIN
	run_container
	assert_output_contains "mounted /default/in-default"
	assert_output_contains "mounted /rshared/in-rshared"
	local leaked
	leaked=$(findmnt -rn -o TARGET | grep -F "$TEST_TMP/shared/" || true)
	assert_equal "$leaked" "" "container mounts that showed up on the host"
}

@test "propagation: in a user namespace too, mounts made under binds of a shared host mount stay out of the host" {
	host_tmpfs "$TEST_TMP/shared"
	mount --make-shared "$TEST_TMP/shared"
	script_bundle 'grep " /default \| /rshared " /proc/self/mountinfo
for d in /default/in-default /rshared/in-rshared; do mkdir $d && mount -t tmpfs x $d && echo "mounted $d"; done'
	add_mount /default bind "$TEST_TMP/shared" bind
	add_mount /rshared bind "$TEST_TMP/shared" rbind rshared
	with_caps CAP_SYS_ADMIN
	with_user_namespace 100000
	run_container
	assert_output_contains "mounted /default/in-default"
	assert_output_contains "mounted /rshared/in-rshared"
	local leaked
	leaked=$(findmnt -rn -o TARGET | grep -F "$TEST_TMP/shared/" || true)
	assert_equal "$leaked" "" "container mounts that showed up on the host"
	# Like the binds of a container without a user namespace: slaves of
	# the host's mount, never its peers.
	assert_propagation /default 'master:[0-9]+'
}

# ---------------------------------------------------------------------------
# Recursive flags (mount_setattr AT_RECURSIVE), on an rbind's submount

@test "rro, rnosuid, rnodev, rnoexec, rnodiratime reach the submounts; ro, nosuid... only the top" {
	mkdir -p "$TEST_TMP/src"
	host_tmpfs "$TEST_TMP/src/sub"
	script_bundle 'cat /proc/self/mountinfo; { echo x >/recursive/sub/file; } 2>&1; echo x >/top/sub/file && echo "top: written"'
	add_mount /recursive bind "$TEST_TMP/src" rbind rro rnosuid rnodev rnoexec rnodiratime
	add_mount /top bind "$TEST_TMP/src" rbind ro nosuid nodev noexec nodiratime
	run_container
	assert_mount_option /recursive options ro nosuid nodev noexec nodiratime
	assert_mount_option /recursive/sub options ro nosuid nodev noexec nodiratime
	assert_mount_option /top options ro nosuid nodev noexec nodiratime
	refute_mount_option /top/sub options ro nosuid nodev noexec nodiratime
	assert_output_contains "can't create /recursive/sub/file: Read-only file system"
	assert_output_contains "top: written"
}

@test "rrw, rsuid, rdev, rexec, rdiratime clear the flags of the submounts" {
	mkdir -p "$TEST_TMP/src"
	# The flags on the host's mount, not its superblock (which stays rw).
	host_tmpfs "$TEST_TMP/src/sub"
	mount -o remount,bind,ro,nosuid,nodev,noexec,nodiratime "$TEST_TMP/src/sub"
	script_bundle 'cat /proc/self/mountinfo; echo x >/cleared/sub/file && echo "cleared: written"'
	add_mount /cleared bind "$TEST_TMP/src" rbind rrw rsuid rdev rexec rdiratime
	add_mount /kept bind "$TEST_TMP/src" rbind rw suid dev exec diratime
	run_container
	refute_mount_option /cleared/sub options ro nosuid nodev noexec nodiratime
	assert_mount_option /cleared/sub options rw
	assert_output_contains "cleared: written"
	# Without the r, only the top mount is changed.
	assert_mount_option /kept/sub options ro nosuid nodev noexec nodiratime
}

@test "rnoatime, rrelatime, rstrictatime and ratime set the atime of the submounts" {
	mkdir -p "$TEST_TMP/src"
	host_tmpfs "$TEST_TMP/src/sub" noatime
	host_tmpfs "$TEST_TMP/src/rel" relatime
	script_bundle 'cat /proc/self/mountinfo'
	add_mount /rnoatime bind "$TEST_TMP/src" rbind rnoatime
	add_mount /rrelatime bind "$TEST_TMP/src" rbind rrelatime
	add_mount /rstrictatime bind "$TEST_TMP/src" rbind rstrictatime
	add_mount /ratime bind "$TEST_TMP/src" rbind ratime
	run_container
	assert_mount_option /rnoatime/rel options noatime
	assert_mount_option /rrelatime/sub options relatime
	refute_mount_option /rrelatime/sub options noatime
	refute_mount_option /rstrictatime/sub options relatime noatime
	# ratime: atime updates back on (the kernel's default, relatime).
	refute_mount_option /ratime/sub options noatime
	assert_mount_option /ratime/sub options relatime
	# The top mounts too.
	assert_mount_option /rnoatime options noatime
	refute_mount_option /rstrictatime options relatime noatime
}

@test "nosymfollow stops symlinks on the top mount, rnosymfollow on the submounts too; readlink still works" {
	mkdir -p "$TEST_TMP/src"
	echo top >"$TEST_TMP/src/file"
	ln -s file "$TEST_TMP/src/link"
	host_tmpfs "$TEST_TMP/src/sub"
	echo sub >"$TEST_TMP/src/sub/file"
	ln -s file "$TEST_TMP/src/sub/link"
	script_bundle 'cat /proc/self/mountinfo
for f in /top/link /top/sub/link /recursive/sub/link; do echo "$f: $(cat $f 2>&1)"; done
echo "readlink: $(readlink /recursive/sub/link)"'
	add_mount /top bind "$TEST_TMP/src" rbind nosymfollow
	add_mount /recursive bind "$TEST_TMP/src" rbind rnosymfollow
	run_container
	assert_mount_option /top options nosymfollow
	refute_mount_option /top/sub options nosymfollow
	assert_mount_option /recursive/sub options nosymfollow
	assert_equal "$(result_of "/top/link: ")" "cat: can't open '/top/link': Too many levels of symbolic links" "a symlink on nosymfollow"
	assert_equal "$(result_of "/top/sub/link: ")" sub "a symlink on the submount of a nosymfollow rbind"
	assert_equal "$(result_of "/recursive/sub/link: ")" "cat: can't open '/recursive/sub/link': Too many levels of symbolic links" "a symlink on the submount of an rnosymfollow rbind"
	assert_equal "$(result_of "readlink: ")" file "readlink on nosymfollow"
}

# ---------------------------------------------------------------------------
# tmpcopyup, idmapped mounts

@test "tmpcopyup: a tmpfs over an image directory starts with a copy of it" {
	script_bundle 'cat /proc/self/mountinfo
echo "file: $(cat /data/sub/file) $(stat -c "%u:%g %a" /data/sub/file)"
echo "dir: $(stat -c "%u:%g %a" /data/sub)"
echo "link: $(readlink /data/link)"
echo "plain: $(ls -A /plain)"
echo made >/data/new'
	local rootfs="$BUNDLE/rootfs"
	mkdir -p "$rootfs/data/sub" "$rootfs/plain"
	echo image >"$rootfs/data/sub/file"
	echo image >"$rootfs/plain/file"
	chown 1000:1000 "$rootfs/data/sub/file"
	# Readable by root without CAP_DAC_OVERRIDE (not in the default set).
	chmod 0604 "$rootfs/data/sub/file"
	chmod 0750 "$rootfs/data/sub"
	ln -s sub/file "$rootfs/data/link"
	add_mount /data tmpfs tmpfs tmpcopyup
	add_mount /plain tmpfs tmpfs
	run_container
	assert_mount_type /data tmpfs
	assert_equal "$(result_of "file: ")" "image 1000:1000 604" "the copied file, its owner and mode"
	assert_equal "$(result_of "dir: ")" "0:0 750" "the copied directory's owner and mode"
	assert_equal "$(result_of "link: ")" sub/file "the copied symlink"
	assert_equal "$(result_of "plain: ")" "" "a tmpfs without tmpcopyup"
	# Writes stay in the tmpfs.
	[[ ! -e "$rootfs/data/new" ]] || fail "a file made in the tmpcopyup tmpfs reached the image"
}

@test "a bind with its own uidMappings and gidMappings is idmapped" {
	# Owners on disk are shifted by the mapping: on-disk id containerID+n
	# shows as hostID+n; unmapped ids show as the overflow id.
	mkdir -p "$TEST_TMP/ids"
	touch "$TEST_TMP/ids/root" "$TEST_TMP/ids/three" "$TEST_TMP/ids/unmapped"
	chown 3:4 "$TEST_TMP/ids/three"
	chown 20:20 "$TEST_TMP/ids/unmapped"
	script_bundle 'cat /proc/self/mountinfo; stat -c "%n %u:%g" /ids/root /ids/three /ids/unmapped'
	add_mount /ids bind "$TEST_TMP/ids" bind
	edit_config "$BUNDLE" 'm = c["mounts"][-1]
m["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 10}]
m["gidMappings"] = [{"containerID": 0, "hostID": 2000, "size": 10}]'
	run_container
	assert_mount_option /ids options idmapped
	assert_equal "$(result_of "/ids/root ")" 1000:2000 "the owner of a file of on-disk 0:0"
	assert_equal "$(result_of "/ids/three ")" 1003:2004 "the owner of a file of on-disk 3:4"
	assert_equal "$(result_of "/ids/unmapped ")" 65534:65534 "the owner of a file of an unmapped id"
}

@test "idmap on an rbind maps the top mount only, ridmap the submounts too" {
	mkdir -p "$TEST_TMP/ids"
	touch "$TEST_TMP/ids/file"
	host_tmpfs "$TEST_TMP/ids/sub"
	touch "$TEST_TMP/ids/sub/file"
	script_bundle 'cat /proc/self/mountinfo; stat -c "%n %u" /idmap/file /idmap/sub/file /ridmap/file /ridmap/sub/file'
	add_mount /idmap bind "$TEST_TMP/ids" rbind idmap
	add_mount /ridmap bind "$TEST_TMP/ids" rbind ridmap
	edit_config "$BUNDLE" 'for m in c["mounts"][-2:]:
    m["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 10}]
    m["gidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 10}]'
	run_container
	assert_mount_option /idmap options idmapped
	refute_mount_option /idmap/sub options idmapped
	assert_mount_option /ridmap/sub options idmapped
	assert_equal "$(result_of "/idmap/file ")" 1000 "the owner on the idmap top mount"
	assert_equal "$(result_of "/idmap/sub/file ")" 0 "the owner on the idmap rbind's submount"
	assert_equal "$(result_of "/ridmap/file ")" 1000 "the owner on the ridmap top mount"
	assert_equal "$(result_of "/ridmap/sub/file ")" 1000 "the owner on the ridmap rbind's submount"
}

@test "idmap without mappings of its own takes the container's user namespace mappings" {
	# A file of the host's root shows as the container's root through the
	# idmapped bind (and as the overflow id through a plain one), and the
	# container's root may write to it.
	mkdir -p "$TEST_TMP/ids"
	echo host >"$TEST_TMP/ids/file"
	script_bundle 'cat /proc/self/mountinfo; stat -c "%n %u:%g" /idmap/file /plain/file; echo container >>/idmap/file && echo written'
	add_mount /idmap bind "$TEST_TMP/ids" bind idmap
	add_mount /plain bind "$TEST_TMP/ids" bind
	with_user_namespace 100000
	run_container
	assert_mount_option /idmap options idmapped
	assert_equal "$(result_of "/idmap/file ")" 0:0 "the owner through the idmapped bind"
	assert_equal "$(result_of "/plain/file ")" 65534:65534 "the owner through the plain bind"
	assert_output_contains written
	assert_equal "$(stat -c %u:%g "$TEST_TMP/ids/file")" 0:0 "the owner on the host after the write"
}

# ---------------------------------------------------------------------------
# Other filesystems, remount, order

@test "any other filesystem type is handed to the kernel with its data" {
	script_bundle 'cat /proc/self/mountinfo; echo "ramfs: $(stat -c %a /ram)"'
	add_mount /ram ramfs ramfs mode=0700 nosuid
	add_mount /inodes tmpfs tmpfs nr_inodes=16 size=2m noexec
	run_container
	assert_mount_type /ram ramfs
	assert_mount_option /ram super mode=700
	assert_mount_option /ram options nosuid
	assert_equal "$(result_of "ramfs: ")" 700 "the mode of the ramfs root"
	assert_mount_type /inodes tmpfs
	assert_mount_option /inodes super nr_inodes=16 size=2048k
	assert_mount_option /inodes options noexec
}

@test "remount changes the flags and data of an earlier mount" {
	script_bundle 'cat /proc/self/mountinfo; { echo x >/data/file; } 2>&1; true'
	add_mount /data tmpfs tmpfs size=1m
	add_mount /data "" "" remount ro nosuid noexec size=2m
	run_container
	assert_mount_type /data tmpfs
	assert_mount_option /data options ro nosuid noexec
	assert_mount_option /data super size=2048k
	assert_output_contains "can't create /data/file: Read-only file system"
	assert_equal "$(grep -c ' /data ' <<<"$output")" 1 "mounts at /data (remount must not mount again)"
}

@test "mounts are applied in config order: later ones go inside or over earlier ones" {
	mkdir -p "$TEST_TMP/src"
	echo from-host >"$TEST_TMP/src/file"
	script_bundle 'cat /proc/self/mountinfo; echo "inside: $(cat /outer/deep/inner/file)"; echo "covered: $(ls -A /covered)"'
	add_mount /outer tmpfs tmpfs
	add_mount /outer/deep/inner bind "$TEST_TMP/src" bind ro
	add_mount /covered bind "$TEST_TMP/src" bind
	add_mount /covered tmpfs tmpfs
	run_container
	assert_equal "$(result_of "inside: ")" from-host "the bind inside the earlier tmpfs"
	assert_equal "$(mount_field /outer/deep/inner parent)" "$(mount_field /outer id)" "the parent of the bind (the tmpfs's mount id)"
	# The directories the bind needed were made in the tmpfs, not the image.
	[[ ! -e "$BUNDLE/rootfs/outer/deep" ]] || fail "the bind's target was created in the image under the tmpfs"
	assert_mount_type /covered tmpfs
	assert_equal "$(result_of "covered: ")" "" "the bind under the later tmpfs"
}

# ---------------------------------------------------------------------------
# Errors

# assert_create_refuses_last_mount WORD: create fails with one line on
# stderr naming the last mount (mounts[N]) and WORD, and leaves nothing.
assert_create_refuses_last_mount() {
	local index
	index=$(last_mount_index)
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_equal "$(wc -l <<<"$stderr")" 1 "lines on stderr"
	assert_stderr_contains "mounts[$index]"
	assert_stderr_contains "$1"
	assert_nothing_left c1
}

@test "an unknown option on a bind is an error naming the option and the mount; nothing is left" {
	mkdir -p "$TEST_TMP/src"
	container_bundle "$BUNDLE" true
	add_mount /x bind "$TEST_TMP/src" bind bogus
	assert_create_refuses_last_mount '"bogus"'
}

@test "filesystem data on a bind is an error too: a bind takes no data" {
	mkdir -p "$TEST_TMP/src"
	container_bundle "$BUNDLE" true
	add_mount /x bind "$TEST_TMP/src" bind size=1m
	assert_create_refuses_last_mount size=1m
}

@test "an option the filesystem does not know is an error naming it and the mount; nothing is left" {
	container_bundle "$BUNDLE" true
	add_mount /x tmpfs tmpfs nosuid bogus
	assert_create_refuses_last_mount bogus
}
