#!/usr/bin/env bats
# The container's root and /dev, seen from inside the container: root.path
# (relative or absolute), root.readonly, linux.rootfsPropagation,
# --no-pivot, the default /dev (nodes, links, devpts, /dev/console with a
# terminal), linux.devices (made with mknod, or bind-mounted from the host
# in a user namespace), linux.maskedPaths and linux.readonlyPaths. Mount
# types and options have their own file (mounts.bats), attacks too
# (rootfs-attacks.bats).

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
}

teardown() {
	teardown_common
}

# field_of_mount MOUNTINFO MOUNTPOINT FIELD: one field of the mountinfo line
# of MOUNTPOINT (the last one, the mount on top): 6 the mount options,
# 7.. the optional fields; "super" the super options.
field_of_mount() {
	awk -v mp="$2" -v want="$3" '$5 == mp {
		line = $0
		if (want == "super") { sub(/.* - [^ ]+ [^ ]+ /, "", line); value = line }
		else if (want == "optional") { value = ""; for (i = 7; $i != "-"; i++) value = value " " $i }
		else value = $want
	} END { print value }' "$1"
}

# run_inside SCRIPT: runs `sh -c SCRIPT` in the bundle's container in the
# foreground; its output in $output, its status in $status.
run_inside() {
	container_bundle "$BUNDLE" sh -c "$1"
	shift
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
}

@test "root.path relative to the bundle: the process sees that directory as /" {
	container_bundle "$BUNDLE" cat /marker
	mv "$BUNDLE/rootfs" "$BUNDLE/image"
	echo relative >"$BUNDLE/image/marker"
	edit_config "$BUNDLE" "c['root']['path'] = 'image'"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals relative
}

@test "root.path absolute, outside the bundle" {
	container_bundle "$BUNDLE" cat /marker
	mv "$BUNDLE/rootfs" "$TEST_TMP/elsewhere"
	echo absolute >"$TEST_TMP/elsewhere/marker"
	edit_config "$BUNDLE" "c['root']['path'] = '$TEST_TMP/elsewhere'"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals absolute
}

@test "root.path that does not exist fails create naming the field, leaving nothing" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['root']['path'] = 'nosuch'"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_equals "ocirun: config.json: root.path: \`$BUNDLE/nosuch\`: No such file or directory"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
}

@test "root.readonly: / is read-only (EROFS) while the mounts on it stay writable" {
	container_bundle "$BUNDLE" sh -c 'awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo; touch /newfile 2>&1; touch /dev/shm/ok && echo shm-writable'
	edit_config "$BUNDLE" "c['root']['readonly'] = True"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	[[ ",${lines[0]}," == *,ro,* ]] || fail "/ is mounted ${lines[0]}"
	assert_equal "${lines[1]}" "touch: /newfile: Read-only file system" "writing to /"
	assert_output_contains shm-writable
	[[ ! -e "$BUNDLE/rootfs/newfile" ]] || fail "/newfile was created"
}

@test "root.readonly false: / is writable and writes reach the rootfs directory" {
	run_inside 'echo data >/made-inside'
	assert_status 0
	assert_equal "$(cat "$BUNDLE/rootfs/made-inside")" data "the file written inside"
}

# share_scratch: makes the test's scratch directory a shared mount of its
# own, so that the rootfs under it has a peer group on the host: the host's
# / is private here, and a slave of a private mount has no master to show.
share_scratch() {
	mount --bind "$TEST_TMP" "$TEST_TMP"
	mount --make-shared "$TEST_TMP"
}

# rootfsPropagation: the propagation of / inside, from mountinfo's optional
# fields (shared:N, master:N, unbindable).
propagation_of_root() {
	rm -rf "$BUNDLE"
	container_bundle "$BUNDLE" sh -c 'cat /proc/self/mountinfo'
	edit_config "$BUNDLE" "c['linux']['rootfsPropagation'] = '$1'"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	printf '%s\n' "$output" >"$TEST_TMP/mountinfo"
	field_of_mount "$TEST_TMP/mountinfo" / optional
}

@test "linux.rootfsPropagation private and rprivate: / has no peers" {
	share_scratch
	for p in private rprivate; do
		assert_equal "$(propagation_of_root "$p")" "" "the optional fields of / with $p"
	done
}

@test "linux.rootfsPropagation shared and rshared: / is in a peer group" {
	share_scratch
	for p in shared rshared; do
		[[ "$(propagation_of_root "$p")" == *shared:* ]] || fail "/ is not shared with $p: $(propagation_of_root "$p")"
	done
}

@test "linux.rootfsPropagation rslave: / receives from a master; slave: / is no longer shared" {
	share_scratch
	local fields
	fields=$(propagation_of_root rslave)
	[[ "$fields" == *master:* && "$fields" != *shared:* ]] || fail "/ with rslave has [$fields]"
	# Non-recursive, slave leaves the rootfs's parent mount shared, which
	# must be made private for pivot_root (as runc does): / is then a
	# slave of nothing, which is private.
	fields=$(propagation_of_root slave)
	[[ "$fields" != *shared:* ]] || fail "/ with slave has [$fields]"
}

@test "linux.rootfsPropagation unbindable and runbindable: / is unbindable" {
	share_scratch
	for p in unbindable runbindable; do
		[[ "$(propagation_of_root "$p")" == *unbindable* ]] || fail "/ with $p is not unbindable"
	done
}

@test "linux.rootfsPropagation with an unknown value fails create naming it" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['rootfsPropagation'] = 'sideways'"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.rootfsPropagation"
	assert_stderr_contains "sideways"
	assert_nothing_left c1
}

@test "nothing the container mounts shows on the host, whatever the propagation" {
	share_scratch
	local before after
	before=$(host_mount_table TARGET,SOURCE,FSTYPE)
	for p in shared rshared slave private; do
		rm -rf "$BUNDLE"
		container_bundle "$BUNDLE" sh -c 'mount -t tmpfs inside /mnt 2>/dev/null || mkdir -p /m && mount -t tmpfs inside /tmp; true'
		edit_config "$BUNDLE" "c['linux']['rootfsPropagation'] = '$p'
c['process']['capabilities'] = {k: ['CAP_SYS_ADMIN'] for k in ('bounding', 'effective', 'permitted')}"
		run ocirun run --bundle "$BUNDLE" c1
		assert_status 0
	done
	after=$(host_mount_table TARGET,SOURCE,FSTYPE)
	assert_equal "$after" "$before" "the host's mount table"
}

@test "--no-pivot: the rootfs is / through MS_MOVE and chroot, and the host's root is not reachable" {
	run_inside 'cut -d" " -f5 /proc/self/mountinfo | sort -u | tr "\n" " "; echo; ls /proc/1/root/ | tr "\n" " "'
	run --separate-stderr ocirun run --no-pivot --bundle "$BUNDLE" c1
	assert_status 0
	[[ "${lines[0]}" == *" /proc "* && "${lines[0]}" == "/ "* ]] || fail "mount points inside: ${lines[0]}"
	# The init's root is the container's rootfs, not the host's /.
	[[ "${lines[1]}" == *bin* ]] || fail "/proc/1/root lists: ${lines[1]}"
	[[ "${lines[1]}" != *boot* ]] || fail "the host's / is reachable: ${lines[1]}"
}

@test "the default /dev: a tmpfs with null zero full random urandom tty, 0666 char devices of the right numbers" {
	run_inside 'for d in null zero full random urandom tty; do stat -c "%n %F %a %t:%T" /dev/$d; done; grep " /dev " /proc/self/mountinfo | awk "{print \$9}"'
	assert_status 0
	assert_output_equals "/dev/null character special file 666 1:3
/dev/zero character special file 666 1:5
/dev/full character special file 666 1:7
/dev/random character special file 666 1:8
/dev/urandom character special file 666 1:9
/dev/tty character special file 666 5:0
tmpfs"
}

@test "the default /dev links: fd, stdin, stdout, stderr, ptmx and core" {
	run_inside 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	assert_status 0
	assert_output_equals "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2
ptmx -> pts/ptmx"
}

@test "the default devices work: read zero and urandom, write null, full is full" {
	run_inside 'head -c 4 /dev/zero | od -An -tx1 | tr -d " "; head -c 16 /dev/urandom | wc -c; echo x >/dev/null && echo null-ok; { echo x >/dev/full; } 2>&1 || true'
	assert_status 0
	assert_equal "${lines[0]}" 00000000 "/dev/zero"
	assert_equal "${lines[1]}" 16 "/dev/urandom"
	assert_equal "${lines[2]}" null-ok "/dev/null"
	[[ "${lines[3]}" == *"No space left on device"* ]] || fail "/dev/full: ${lines[3]}"
}

@test "/dev/pts is a new devpts instance with ptmxmode 0666, and /dev/shm a tmpfs" {
	run_inside 'grep " /dev/pts " /proc/self/mountinfo; grep " /dev/shm " /proc/self/mountinfo; stat -c %a /dev/pts/ptmx'
	assert_status 0
	printf '%s\n' "$output" >"$TEST_TMP/mountinfo"
	local pts_super
	pts_super=$(field_of_mount "$TEST_TMP/mountinfo" /dev/pts super)
	[[ ",$pts_super," == *,ptmxmode=666,* ]] || fail "devpts super options: $pts_super"
	[[ "$(grep ' /dev/shm ' "$TEST_TMP/mountinfo")" == *" - tmpfs "* ]] || fail "/dev/shm is not a tmpfs"
	assert_equal "${lines[2]}" 666 "the mode of /dev/pts/ptmx"
}

@test "/dev/pts is the container's own: none of the host's ptys are there" {
	# Make sure the host has at least one pty while the container looks.
	exec 4<>/dev/ptmx
	run_inside 'ls /dev/pts | grep -c "^[0-9]" || true'
	exec 4>&-
	assert_output_equals 0
}

@test "without a terminal there is no /dev/console; the caller's stdio is passed untouched" {
	run_inside 'test -e /dev/console && echo console || echo no-console; readlink /proc/self/fd/1'
	assert_status 0
	assert_equal "${lines[0]}" no-console "/dev/console"
	[[ "${lines[1]}" == pipe:* ]] || fail "stdout inside is ${lines[1]}, not the caller's pipe"
}

# make_devices_bundle ARGS: a bundle whose linux.devices are a char device
# (1:3 like null, mode 0640, owned by 1000:1001), a block device (7:0,
# loop0's numbers; never opened) and a fifo.
make_devices_bundle() {
	container_bundle "$BUNDLE" "$@"
	edit_config "$BUNDLE" "c['linux']['devices'] = [
    {'path': '/dev/mynull', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o640, 'uid': 1000, 'gid': 1001},
    {'path': '/dev/myblock', 'type': 'b', 'major': 7, 'minor': 0, 'fileMode': 0o600, 'uid': 0, 'gid': 0},
    {'path': '/dev/sub/myfifo', 'type': 'p', 'fileMode': 0o620},
]"
}

@test "linux.devices: char, block and fifo nodes with their numbers, modes and owners" {
	make_devices_bundle sh -c 'stat -c "%n %F %a %u:%g %t:%T" /dev/mynull /dev/myblock /dev/sub/myfifo; echo x >/dev/mynull && echo wrote'
	# As uid 1000, the owner: mode 0640 lets it write.
	edit_config "$BUNDLE" "c['process']['user'] = {'uid': 1000, 'gid': 1000}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "/dev/mynull character special file 640 1000:1001 1:3
/dev/myblock block special file 600 0:0 7:0
/dev/sub/myfifo fifo 620 0:0 0:0
wrote"
}

@test "linux.devices: fileMode may carry the file type bits, as podman and Docker send it" {
	container_bundle "$BUNDLE" stat -c "%n %F %a" /dev/mynull /dev/myfifo
	# S_IFCHR|0640 and S_IFIFO|0620: st_mode values, as runc accepts them.
	edit_config "$BUNDLE" "c['linux']['devices'] = [
    {'path': '/dev/mynull', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o20640},
    {'path': '/dev/myfifo', 'type': 'p', 'fileMode': 0o10620},
]"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "/dev/mynull character special file 640
/dev/myfifo fifo 620"
}

@test "linux.devices: a fileMode whose type bits contradict the type fails create naming the field" {
	container_bundle "$BUNDLE" true
	# S_IFBLK|0600 on a char device.
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/dev/x', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o60600}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_error "config.json: linux.devices[0].fileMode: 24960 is a different file type than type c"
	assert_nothing_left c1
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/dev/x', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o1000000}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_error "config.json: linux.devices[0].fileMode: 262144 has bits other than the file type and permissions"
	assert_nothing_left c1
}

@test "linux.devices in a user namespace: bind-mounted from the host, since mknod is not allowed there" {
	# As runc does, the node is the host's node at the same path.
	container_bundle "$BUNDLE" sh -c 'stat -c "%n %F %t:%T" /dev/kmsg; grep -c " /dev/kmsg " /proc/self/mountinfo'
	shift_rootfs_owner "$BUNDLE/rootfs" 100000
	allow_search_to "$BUNDLE"
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/dev/kmsg', 'type': 'c', 'major': 1, 'minor': 11}]
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_equals "/dev/kmsg character special file 1:b
1"
}

@test "linux.devices with a path outside /dev or a bad type fails create naming the field" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/etc/evil', 'type': 'c', 'major': 1, 'minor': 3}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.devices[0]"
	assert_nothing_left c1
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/dev/x', 'type': 'q', 'major': 1, 'minor': 3}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.devices[0]"
	assert_nothing_left c1
}

@test "linux.maskedPaths: a directory gets an empty read-only tmpfs, a file the real /dev/null" {
	container_bundle "$BUNDLE" sh -c 'ls -A /secretdir | wc -l; cat /secretfile | wc -c; stat -c "%F %t:%T" /secretfile; touch /secretdir/x 2>&1; grep " /secretdir " /proc/self/mountinfo | cut -d" " -f6'
	mkdir "$BUNDLE/rootfs/secretdir"
	echo hidden >"$BUNDLE/rootfs/secretdir/inside"
	echo hidden >"$BUNDLE/rootfs/secretfile"
	edit_config "$BUNDLE" "c['linux']['maskedPaths'] = ['/secretdir', '/secretfile', '/does/not/exist']"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "${lines[0]}" 0 "entries in the masked directory"
	assert_equal "${lines[1]}" 0 "bytes read from the masked file"
	assert_equal "${lines[2]}" "character special file 1:3" "the masked file"
	assert_equal "${lines[3]}" "touch: /secretdir/x: Read-only file system" "writing in the masked directory"
	[[ ",${lines[4]}," == *,ro,* ]] || fail "the masked directory is mounted ${lines[4]}"
	# The rootfs itself is untouched.
	assert_equal "$(cat "$BUNDLE/rootfs/secretdir/inside")" hidden "the file under the masked directory on the host"
}

@test "the default maskedPaths hide /proc/keys, /proc/timer_list and /sys/firmware; missing ones are skipped" {
	# /proc/kcore and others of the default list do not exist on this
	# kernel: they are skipped without an error.
	run_inside 'stat -c "%n %t:%T" /proc/keys /proc/timer_list; ls -A /sys/firmware | wc -l'
	assert_status 0
	assert_equal "${lines[0]}" "/proc/keys 1:3" "/proc/keys"
	assert_equal "${lines[1]}" "/proc/timer_list 1:3" "/proc/timer_list"
	assert_equal "${lines[2]}" 0 "entries in /sys/firmware"
}

@test "linux.readonlyPaths: read-only binds of what is there, with writes failing with EROFS" {
	container_bundle "$BUNDLE" sh -c '{ echo x >/rodir/new; echo x >/rofile; cat /rofile; echo 1 >/proc/sys/kernel/ns_last_pid; echo x >/rwdir/new && echo rw-ok; } 2>&1'
	mkdir "$BUNDLE/rootfs/rodir" "$BUNDLE/rootfs/rwdir"
	echo original >"$BUNDLE/rootfs/rofile"
	edit_config "$BUNDLE" "c['linux']['readonlyPaths'] = ['/rodir', '/rofile', '/proc/sys', '/not/there']"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "${lines[0]}" "sh: can't create /rodir/new: Read-only file system" "a new file in the read-only directory"
	assert_equal "${lines[1]}" "sh: can't create /rofile: Read-only file system" "the read-only file"
	assert_equal "${lines[2]}" original "the read-only file's content"
	assert_equal "${lines[3]}" "sh: can't create /proc/sys/kernel/ns_last_pid: Read-only file system" "/proc/sys"
	assert_equal "${lines[4]}" rw-ok "a directory not listed"
}

@test "maskedPaths and readonlyPaths must be absolute: create fails naming the field" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['maskedPaths'] = ['relative/path']"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_equals "ocirun: config.json: linux.maskedPaths[0]: \"relative/path\" is not an absolute path"
	assert_nothing_left c1
	edit_config "$BUNDLE" "c['linux'].pop('maskedPaths'); c['linux']['readonlyPaths'] = ['/ok', 'rel']"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_equals "ocirun: config.json: linux.readonlyPaths[1]: \"rel\" is not an absolute path"
	assert_nothing_left c1
}

@test "the old root is detached after pivot_root: no mount of the host is visible" {
	run_inside 'cut -d" " -f5 /proc/self/mountinfo'
	assert_status 0
	local mp
	while read -r mp; do
		case "$mp" in
		/ | /proc | /proc/* | /dev | /dev/* | /sys | /sys/*) ;;
		*) fail "an unexpected mount point inside: $mp" ;;
		esac
	done <<<"$output"
}

@test "the container's mount namespace is not the host's and the host's mounts are unchanged after run" {
	local before after
	before=$(host_mount_table TARGET,SOURCE,FSTYPE,OPTIONS)
	run_inside 'readlink /proc/self/ns/mnt'
	assert_status 0
	[[ "$output" != "$(readlink /proc/self/ns/mnt)" ]] || fail "the container shares the host's mount namespace"
	after=$(host_mount_table TARGET,SOURCE,FSTYPE,OPTIONS)
	assert_equal "$after" "$before" "the host's mount table"
}
