#!/usr/bin/env bats
# Hostile bundles: the known ways a container image (or a volume shared
# with another container) has turned a runtime's filesystem setup against
# the host. Each test builds a rootfs with symlinks where the runtime
# expects directories, files or devices, runs create (or run, or exec) on
# it, and checks that ocirun either refuses with one clear line and leaves
# nothing behind, or keeps everything inside the rootfs; and, in every
# case, that the host is unchanged.
#
# "The host" is a canary directory, $HOST, in the test's scratch directory
# and outside the bundle: every attack aims at it (never at a real host
# path), and its whole tree (names, types, modes, sizes, inodes, contents)
# must be the same afterwards. The host's mount table (findmnt) must be the
# same too. $HOST is a shared mount point of its own, so that a container
# whose propagation is shared (linux.rootfsPropagation "rshared", which
# several tests ask for) would push any mount that landed on it in the
# container's namespace back to the host, where findmnt sees it: with the
# default rslave a misdirected mount would stay invisible in the
# container's namespace. Inside the container, /proc/PID/mountinfo shows
# where a mount really landed, and `exec` reads paths as the container
# resolves them.
#
# The classes, one or more tests each: a mount destination that is a
# symlink out of the rootfs; CVE-2021-30465 (a symlink swapped in while the
# runtime sets up the mounts); CVE-2025-31133 (masked paths and a hostile
# /dev/null); CVE-2025-52565 (/dev/console); CVE-2025-52881 (procfs writes
# redirected by a mount or a symlink); runc CVE-2026-41579 and crun
# CVE-2026-47766 (/dev, or entries in it, as symlinks); CVE-2024-21626 (a
# working directory reached through a leaked fd or a magic link); and the
# other paths ocirun resolves in the rootfs: tmpcopyup, read-only paths, its
# own sd_notify mount, a root.path or a bind source that is a symlink.

# status, output, lines and stderr are set by bats' `run` and ocirun_detached.
# shellcheck disable=SC2154

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
	ROOTFS="$BUNDLE/rootfs"
	HOST="$TEST_TMP/host-target"
	# A relative symlink target that climbs out of any directory of the
	# rootfs (or of the bundle) to / and then goes down to $HOST: on the
	# host it names $HOST; resolved inside the rootfs it names the
	# rootfs's own copy of that path.
	CLIMB="../../../../../../../../../../../../../../../.."
	mkdir -p "$HOST/dir" "$HOST/dir2" "$HOST/dir3"
	echo "host canary" >"$HOST/canary"
	echo "host ptmx" >"$HOST/ptmx"
	echo "host console" >"$HOST/console"
	echo "host null" >"$HOST/null"
	echo "if you can read this, the cwd is on the host" >"$HOST/ESCAPED"
	mount --bind "$HOST" "$HOST"
	mount --make-private "$HOST"
	mount --make-shared "$HOST"
	HOST_MOUNTS_BEFORE=$(host_mount_table)
	HOST_TREE_BEFORE=$(host_tree)
}

teardown() {
	teardown_common
}

# Everything about $HOST's tree that an attack could change.
host_tree() {
	(
		cd "$HOST" || exit 1
		find . -printf '%p %y %m %U:%G %s %i %T@ %l\n' | sort
		find . -type f -exec sha256sum {} + | sort
	)
}

# assert_host_unchanged: the host's mounts and $HOST's tree are what they
# were before the test's container existed.
assert_host_unchanged() {
	local now
	now=$(host_mount_table)
	[[ "$now" == "$HOST_MOUNTS_BEFORE" ]] ||
		fail "the host's mount table changed:
$(diff <(echo "$HOST_MOUNTS_BEFORE") <(echo "$now"))"
	now=$(host_tree)
	[[ "$now" == "$HOST_TREE_BEFORE" ]] ||
		fail "the host canary directory $HOST changed:
$(diff <(echo "$HOST_TREE_BEFORE") <(echo "$now"))"
	assert_equal "$(cat "$HOST/canary")" "host canary" "the host canary file"
	! mountpoint -q "$HOST/canary" || fail "something is mounted on the host's $HOST/canary"
}

# assert_refused ID FRAGMENT...: create failed with exit 1, nothing on
# stdout, one line `ocirun: ...` on stderr holding every FRAGMENT, and left
# nothing behind.
assert_refused() {
	local id=$1 fragment
	shift
	assert_status 1
	assert_stdout_empty
	[[ "$stderr" == "ocirun: "* && "$stderr" != *$'\n'* ]] || {
		print_run
		fail "expected one line on stderr, starting with 'ocirun: '"
	}
	for fragment in "$@"; do
		assert_stderr_contains "$fragment"
	done
	assert_nothing_left "$id"
}

# create_c1 [OPTIONS...]: creates c1 from $BUNDLE (status, output, stderr
# set as by run); on success its init's pid is in PID.
create_c1() {
	PID=
	ocirun_detached create "$@" --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	if [[ "$status" -eq 0 ]]; then
		PID=$(cat "$TEST_TMP/pid")
		TEST_PIDS+=("$PID")
	fi
}

# in_container ARGS...: runs ARGS in c1 (exec) and prints what they print.
# Paths are resolved by the container itself: reading through
# /proc/PID/root would resolve an absolute symlink from the host's root.
in_container() {
	ocirun exec c1 "$@"
}

# The type of the topmost mount at PATH (as the container sees its paths)
# in the container of process PID; empty when nothing is mounted there.
container_fstype_at() { # container_fstype_at PID PATH
	awk -v p="$2" '$5 == p { split($0, halves, " - "); split(halves[2], f, " "); t = f[1] } END { print t }' "/proc/$1/mountinfo"
}

assert_container_mount() { # assert_container_mount PID PATH FSTYPE
	local got
	got=$(container_fstype_at "$1" "$2")
	[[ "$got" == "$3" ]] && return 0
	fail "expected a $3 mount at $2 in the container, found [${got:-nothing}]; its mounts:
$(awk '{ print $5 }' "/proc/$1/mountinfo")"
}

# The container's propagation made shared: see the header.
shared_propagation() {
	edit_config "$BUNDLE" 'c["linux"]["rootfsPropagation"] = "rshared"'
}

# The bundle's config without ocirun's tmpfs on /dev: the image's own /dev
# is used, and so are the symlinks an image may have left in it.
without_dev_tmpfs() {
	edit_config "$BUNDLE" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]'
}

without_proc_mount() {
	edit_config "$BUNDLE" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/proc"]'
}

add_mount() { # add_mount PYTHON-DICT: appends a mount to config.json
	edit_config "$BUNDLE" "c['mounts'].append($1)"
}

# ---------------------------------------------------------------------------
# Mount destinations that are symlinks out of the rootfs

@test "mount destinations that are symlinks to an absolute host path or a ../ chain, or that climb with ../ themselves, land inside the rootfs" {
	container_bundle "$BUNDLE" sleep 1000
	mkdir "$BUNDLE/payload"
	echo "payload" >"$BUNDLE/payload/planted"
	ln -s "$HOST/dir" "$ROOTFS/mnt-abs"
	ln -s "$CLIMB$HOST/dir2" "$ROOTFS/mnt-rel"
	shared_propagation
	add_mount "{'destination': '/mnt-abs', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']}"
	add_mount "{'destination': '/mnt-rel', 'type': 'bind', 'source': 'payload', 'options': ['rbind']}"
	add_mount "{'destination': '/etc/../$CLIMB$HOST/dir3', 'type': 'tmpfs', 'source': 'tmpfs'}"
	create_c1
	assert_host_unchanged
	assert_status 0
	# The symlinks, and the ../ of the last destination, were resolved
	# inside the rootfs: the mounts are on the rootfs's own directories of
	# those names, made for them.
	assert_container_mount "$PID" "$HOST/dir" tmpfs
	assert_container_mount "$PID" "$HOST/dir2" ext4
	assert_container_mount "$PID" "$HOST/dir3" tmpfs
	[[ -d "$ROOTFS$HOST/dir" && -d "$ROOTFS$HOST/dir2" && -d "$ROOTFS$HOST/dir3" ]] ||
		fail "ocirun did not make the destinations inside the rootfs"
	[[ ! -e "/proc/$PID/root$HOST/canary" ]] || fail "the container sees the host's canary at $HOST"
	assert_equal "$(in_container cat /mnt-rel/planted)" payload "the bind seen through the symlink in the container"
	[[ ! -e "$HOST/dir2/planted" ]] || fail "the bind landed on the host's $HOST/dir2"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "a destination whose parent is a symlink to a host directory creates nothing on the host" {
	# ocirun makes missing destinations: through a symlinked parent that
	# resolved on the host, it would mkdir in the host's directory.
	container_bundle "$BUNDLE" sleep 1000
	ln -s "$HOST" "$ROOTFS/data"
	ln -s "$CLIMB$HOST/dir" "$ROOTFS/data2"
	shared_propagation
	add_mount "{'destination': '/data/made-by-ocirun/deeper', 'type': 'tmpfs', 'source': 'tmpfs'}"
	add_mount "{'destination': '/data2/made-too', 'type': 'tmpfs', 'source': 'tmpfs'}"
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST/made-by-ocirun/deeper" tmpfs
	assert_container_mount "$PID" "$HOST/dir/made-too" tmpfs
	[[ -d "$ROOTFS$HOST/made-by-ocirun/deeper" && -d "$ROOTFS$HOST/dir/made-too" ]] ||
		fail "the destinations were not made inside the rootfs"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "a file bind whose destination is a symlink to a host file covers a file inside the rootfs" {
	container_bundle "$BUNDLE" sleep 1000
	echo "from the bundle" >"$BUNDLE/hostname"
	ln -sf "$HOST/canary" "$ROOTFS/etc/hostname"
	shared_propagation
	add_mount "{'destination': '/etc/hostname', 'type': 'bind', 'source': 'hostname', 'options': ['bind']}"
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_equal "$(in_container cat /etc/hostname)" "from the bundle" "/etc/hostname in the container"
	[[ -f "$ROOTFS$HOST/canary" ]] || fail "the file bind did not land on a file made inside the rootfs"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "a destination that climbs to / through a symlink mounts over the container's root, never the host's" {
	# The symlink resolves to the rootfs itself. Mounting an empty tmpfs
	# there hides the image, so the container may well fail to start; what
	# matters is that no mount appeared on the host's /. Read-only check:
	# the host's mount table.
	container_bundle "$BUNDLE" true
	ln -s "$CLIMB" "$ROOTFS/to-root"
	add_mount "{'destination': '/to-root', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']}"
	create_c1
	assert_host_unchanged
	if [[ "$status" -eq 0 ]]; then
		assert_container_mount "$PID" / tmpfs
		ocirun delete --force c1
	else
		assert_refused c1
	fi
	assert_host_unchanged
}

@test "with --no-pivot, where the host's tree stays below the container, a destination symlink still lands inside" {
	container_bundle "$BUNDLE" sleep 1000
	ln -s "$HOST" "$ROOTFS/mnt-abs"
	ln -s "$CLIMB$HOST/dir" "$ROOTFS/mnt-rel"
	shared_propagation
	add_mount "{'destination': '/mnt-abs/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
	add_mount "{'destination': '/mnt-rel', 'type': 'tmpfs', 'source': 'tmpfs'}"
	create_c1 --no-pivot
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST/sub" tmpfs
	assert_container_mount "$PID" "$HOST/dir" tmpfs
	ocirun delete --force c1
	assert_host_unchanged
}

@test "tmpcopyup through a destination symlinked to the host copies the rootfs's files, and copies symlinks as symlinks" {
	# tmpcopyup runs before pivot_root, with the host's tree still the
	# root: following a symlink there would copy a host file into the
	# container.
	container_bundle "$BUNDLE" sleep 1000
	ln -s "$HOST" "$ROOTFS/data"
	mkdir -p "$ROOTFS$HOST" "$ROOTFS/data2"
	echo "the rootfs's own file" >"$ROOTFS$HOST/own"
	ln -s "$HOST/canary" "$ROOTFS/data2/leak"
	shared_propagation
	add_mount "{'destination': '/data', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['tmpcopyup']}"
	add_mount "{'destination': '/data2', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['tmpcopyup']}"
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST" tmpfs
	assert_container_mount "$PID" /data2 tmpfs
	assert_equal "$(in_container ls -A /data/)" own "what the tmpfs on /data starts with"
	assert_equal "$(in_container readlink /data2/leak)" "$HOST/canary" "the copied symlink"
	[[ "$(in_container cat /data2/leak 2>/dev/null)" != "host canary" ]] || fail "the host's canary was copied into the container"
	ocirun delete --force c1
	assert_host_unchanged
}

# ---------------------------------------------------------------------------
# CVE-2021-30465: a symlink swapped in while the mounts are set up. runc
# checked a destination with one lookup and mounted on it with another; a
# second container sharing a volume swapped a directory for a symlink in
# between. ocirun resolves every destination in the rootfs at the moment
# it mounts, so what counts is where a symlink present at that moment
# leads: the first two tests put the symlinks there before create (nothing
# of create's runs between reading the config and mounting that a test
# could hook into: prestart and createRuntime hooks run after the mounts,
# as runc runs them); the last test runs the real race against a swapper
# in the background.

@test "CVE-2021-30465: a directory that is a symlink out of the rootfs when the init mounts cannot lead a mount out" {
	container_bundle "$BUNDLE" sleep 1000
	shared_propagation
	add_mount "{'destination': '/data/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
	add_mount "{'destination': '/data/sub/deeper', 'type': 'tmpfs', 'source': 'tmpfs'}"
	# /data, swapped for a symlink that climbs out to the host.
	ln -s "$CLIMB$HOST" "$ROOTFS/data"
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST/sub" tmpfs
	assert_container_mount "$PID" "$HOST/sub/deeper" tmpfs
	ocirun delete --force c1
	assert_host_unchanged
}

@test "CVE-2021-30465: a later mount under an earlier volume bind, through a symlink the other side planted there, stays inside" {
	# mounts[7] binds a host directory that another container could write
	# (a shared volume); mounts[8] and [9] go below it. Their destinations
	# are symlinks the other side planted in the volume: one absolute, one
	# climbing with ../, both aiming at the host canary.
	container_bundle "$BUNDLE" sleep 1000
	mkdir -p "$TEST_TMP/volume"
	ln -s "$HOST" "$TEST_TMP/volume/abs"
	ln -s "$CLIMB$HOST/dir" "$TEST_TMP/volume/rel"
	shared_propagation
	add_mount "{'destination': '/vol', 'type': 'bind', 'source': '$TEST_TMP/volume', 'options': ['rbind', 'rw']}"
	add_mount "{'destination': '/vol/abs/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
	add_mount "{'destination': '/vol/rel', 'type': 'tmpfs', 'source': 'tmpfs'}"
	create_c1
	assert_host_unchanged
	assert_status 0
	# Inside the container /vol/abs is $HOST, i.e. the rootfs's copy of it.
	assert_container_mount "$PID" "$HOST/sub" tmpfs
	assert_container_mount "$PID" "$HOST/dir" tmpfs
	ocirun delete --force c1
	assert_host_unchanged
}

@test "CVE-2021-30465: a volume directory swapped with a symlink in a loop during create never lets a mount out" {
	# A swapper exchanges (renameat2 RENAME_EXCHANGE, atomic) a directory
	# of the volume with a symlink to the host canary as fast as it can,
	# while containers whose mounts go below that directory are created.
	# Each create either fails with one line, or succeeds; in both cases
	# the host is untouched. (Whether a failed create left anything is
	# checked once at the end: a leftover state directory would fail the
	# next create, and a leftover process or cgroup would still be there.)
	container_bundle "$BUNDLE" sleep 1000
	mkdir -p "$TEST_TMP/volume/dir/sub"
	ln -s "$HOST" "$TEST_TMP/volume/swap"
	shared_propagation
	add_mount "{'destination': '/vol', 'type': 'bind', 'source': '$TEST_TMP/volume', 'options': ['rbind', 'rw']}"
	add_mount "{'destination': '/vol/dir/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
	add_mount "{'destination': '/vol/dir/sub/deeper', 'type': 'tmpfs', 'source': 'tmpfs'}"
	"$PYTHON3" -c '
import ctypes, os, signal, sys
signal.alarm(120)
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
while True:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
' "$TEST_TMP/volume/dir" "$TEST_TMP/volume/swap" </dev/null >/dev/null 2>"$TEST_TMP/swapper.err" 3>&- &
	local swapper=$! through_link=0 in_volume=0 refused=0
	TEST_PIDS+=("$swapper")
	for _ in $(seq 30); do
		create_c1
		assert_host_unchanged
		if [[ "$status" -eq 0 ]]; then
			# Where the tmpfs went: through the symlink (to the rootfs's
			# copy of $HOST) or into the volume's directory.
			if [[ -n "$(container_fstype_at "$PID" "$HOST/sub")" ]]; then
				through_link=$((through_link + 1))
			else
				in_volume=$((in_volume + 1))
			fi
			ocirun delete --force c1
		else
			refused=$((refused + 1))
			assert_status 1
			[[ "$stderr" == "ocirun: create c1: mounts["* && "$stderr" != *$'\n'* ]] || {
				print_run
				fail "expected one line on stderr naming the mount"
			}
		fi
		kill -0 "$swapper" 2>/dev/null || fail "the swapper died: $(cat "$TEST_TMP/swapper.err")"
		assert_host_unchanged
	done
	kill_our_pid "$swapper"
	assert_nothing_left c1
	echo "# the race: $through_link mounts through the symlink (inside the rootfs), $in_volume in the volume, $refused refused" >&3
}

# ---------------------------------------------------------------------------
# CVE-2025-31133: masking binds /dev/null over each linux.maskedPaths entry.
# runc trusted the container's /dev/null, which the image could make a
# symlink (to a procfs file such as core_pattern, so that the masked path
# became a writable window onto it); and a masked path that is a symlink
# must mask the container's own file, never the host's.

@test "CVE-2025-31133: a masked path that is a symlink to a host file masks a file inside the rootfs" {
	container_bundle "$BUNDLE" sleep 1000
	echo "secret of the image" >"$ROOTFS/etc/secret"
	ln -s "$HOST/canary" "$ROOTFS/etc/secret-abs"
	ln -s "$CLIMB$HOST/canary" "$ROOTFS/etc/secret-rel"
	ln -s "$HOST/dir" "$ROOTFS/etc/secret-dir"
	# The links' targets exist inside the rootfs too: those copies are what
	# gets masked.
	mkdir -p "$ROOTFS$HOST/dir"
	echo "the rootfs's own copy" >"$ROOTFS$HOST/canary"
	echo "the rootfs's own copy" >"$ROOTFS$HOST/dir/file"
	shared_propagation
	edit_config "$BUNDLE" 'c["linux"]["maskedPaths"] += ["/etc/secret", "/etc/secret-abs", "/etc/secret-rel", "/etc/secret-dir"]'
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_equal "$(in_container cat /etc/secret)" "" "the masked /etc/secret"
	assert_equal "$(in_container cat /etc/secret-abs)" "" "the masked rootfs copy of the canary"
	assert_equal "$(in_container cat /etc/secret-rel)" "" "the masked rootfs copy of the canary, through ../"
	assert_equal "$(in_container ls -A /etc/secret-dir/)" "" "the masked rootfs copy of the canary directory"
	assert_container_mount "$PID" "$HOST/dir" tmpfs
	ocirun delete --force c1
	assert_host_unchanged
}

@test "CVE-2025-31133: an image's /dev/null that is a symlink to a host file is replaced by the real device before masking" {
	# Without ocirun's tmpfs on /dev, the image's /dev is used as it is.
	container_bundle "$BUNDLE" sh -c 'stat -c "%F %t:%T" /dev/null; cat /etc/secret; echo end'
	ln -s "$HOST/null" "$ROOTFS/dev/null"
	echo "secret" >"$ROOTFS/etc/secret"
	without_dev_tmpfs
	shared_propagation
	edit_config "$BUNDLE" 'c["linux"]["maskedPaths"] += ["/etc/secret"]'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_host_unchanged
	assert_status 0
	assert_equal "${lines[0]}" "character special file 1:3" "/dev/null in the container"
	assert_equal "${lines[1]}" end "the masked /etc/secret read as empty"
	assert_host_unchanged
}

@test "CVE-2025-31133: a bind-mounted /dev whose null is a symlink to procfs or the host is refused for masking" {
	# A /dev bind from the bundle gets no default devices, so the /dev/null
	# ocirun finds is the image's: a symlink to the container's own
	# core_pattern (the attack of the advisory) and, in a second round, to
	# the host canary. Masking must refuse to use either.
	container_bundle "$BUNDLE" true
	mkdir "$BUNDLE/devdir"
	shared_propagation
	edit_config "$BUNDLE" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
c["mounts"].insert(1, {"destination": "/dev", "type": "bind", "source": "devdir", "options": ["rbind"]})'
	local target core_pattern
	core_pattern=$(cat /proc/sys/kernel/core_pattern)
	for target in /proc/sys/kernel/core_pattern "$HOST/null"; do
		ln -sfn "$target" "$BUNDLE/devdir/null"
		create_c1
		assert_host_unchanged
		assert_refused c1 "linux.maskedPaths[" "/dev/null in the container is not the null device"
		assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$core_pattern" "the host's core_pattern"
		assert_host_unchanged
	done
}

# ---------------------------------------------------------------------------
# CVE-2025-52565: with a terminal, the pty's slave is bind-mounted on
# /dev/console; runc did that through whatever the image had there, so a
# /dev/console symlink made it mount over a host file.

start_console_receiver() {
	"$PYTHON3" -c '
import os, signal, socket, sys
signal.alarm(20)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
connection, _ = server.accept()
message, fds, _, _ = socket.recv_fds(connection, 1024, 4)
data = b""
while fds:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
' "$TEST_TMP/console.sock" </dev/null >"$TEST_TMP/tty.out" 2>"$TEST_TMP/receiver.err" 3>&- &
	RECEIVER_PID=$!
	TEST_PIDS+=("$RECEIVER_PID")
	for _ in $(seq 100); do [[ -S "$TEST_TMP/console.sock" ]] && return 0; sleep 0.05; done
	fail "the console receiver did not listen: $(cat "$TEST_TMP/receiver.err")"
}

@test "CVE-2025-52565: a /dev/console that is a symlink to a host file is refused, and the file is not mounted over" {
	container_bundle "$BUNDLE" true
	without_dev_tmpfs
	shared_propagation
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	local target
	for target in "$HOST/console" "$CLIMB$HOST/console"; do
		ln -sfn "$target" "$ROOTFS/dev/console"
		rm -f "$TEST_TMP/console.sock"
		start_console_receiver
		create_c1 --console-socket "$TEST_TMP/console.sock"
		assert_host_unchanged
		assert_refused c1 "/dev/console" "symlink"
		assert_equal "$(cat "$HOST/console")" "host console" "the host's console canary"
		assert_host_unchanged
	done
}

@test "CVE-2025-52565: with /dev a symlink to a host directory, the console is bound inside the rootfs" {
	container_bundle "$BUNDLE" sh -c 'tty; stat -L -c "%F" /dev/console'
	rmdir "$ROOTFS/dev"
	ln -s "$HOST" "$ROOTFS/dev"
	without_dev_tmpfs
	shared_propagation
	edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
	start_console_receiver
	create_c1 --console-socket "$TEST_TMP/console.sock"
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST/console" devpts
	run ocirun start c1
	assert_status 0
	wait "$RECEIVER_PID" || fail "the console receiver failed: $(cat "$TEST_TMP/receiver.err")"
	grep -q "character special file" "$TEST_TMP/tty.out" || fail "/dev/console was not the pty: $(cat -A "$TEST_TMP/tty.out")"
	ocirun delete --force c1
	assert_host_unchanged
}

# ---------------------------------------------------------------------------
# CVE-2025-52881: the runtime writes procfs files during setup (sysctls,
# oom_score_adj, LSM labels); a mount over one of them, or a /proc that is
# not procfs, redirected those writes (to another procfs file, or to a
# file of the host).

@test "CVE-2025-52881: mounts over procfs files that the runtime or the kernel writes through are refused" {
	echo "fake" >"$TEST_TMP/fake-file"
	mkdir "$TEST_TMP/fake-dir"
	container_bundle "$BUNDLE" true
	shared_propagation
	local spec
	for spec in \
		"bind:$TEST_TMP/fake-file:/proc/sys/kernel/core_pattern" \
		"bind:$TEST_TMP/fake-file:/proc/self/attr/exec" \
		"bind:$TEST_TMP/fake-file:/proc/self/oom_score_adj" \
		"bind:$TEST_TMP/fake-dir:/proc/self/attr" \
		"tmpfs:tmpfs:/proc/sys" \
		"tmpfs:tmpfs:/proc/self/attr" \
		"bind:$HOST/canary:/proc/sys/net/core/somaxconn"; do
		local type=${spec%%:*} rest=${spec#*:}
		local source=${rest%%:*} destination=${rest#*:}
		edit_config "$BUNDLE" "c['mounts'][7:] = [{'destination': '$destination', 'type': '$type', 'source': '$source', 'options': ['rbind'] if '$type' == 'bind' else []}]"
		create_c1
		assert_host_unchanged
		assert_refused c1 "mounts[7]" "$destination" "inside procfs"
		assert_host_unchanged
	done
}

@test "CVE-2025-52881: a rootfs whose /proc or /sys is a symlink out of the rootfs gets no proc or sysfs mount through it" {
	container_bundle "$BUNDLE" true
	shared_propagation
	local target what
	for what in 0:proc 5:sys; do
		for target in "$HOST/dir" "$CLIMB$HOST/dir"; do
			rm -rf "${ROOTFS:?}/${what#*:}"
			ln -s "$target" "$ROOTFS/${what#*:}"
			create_c1
			assert_host_unchanged
			assert_refused c1 "mounts[${what%%:*}]" "\`/${what#*:}\` is not a directory"
		done
		rm "$ROOTFS/${what#*:}"
		mkdir "$ROOTFS/${what#*:}"
	done
}

@test "a /proc or /sys that is a symlink inside the rootfs, or a file, is refused with runc's words, leaving nothing" {
	container_bundle "$BUNDLE" true
	local what kind
	for what in 0:proc:proc 5:sys:sysfs; do
		IFS=: read -r index dir type <<<"$what"
		for kind in symlink file; do
			rm -rf "${ROOTFS:?}/$dir"
			if [[ "$kind" == symlink ]]; then
				mkdir -p "$ROOTFS/real-$dir"
				ln -s "/real-$dir" "$ROOTFS/$dir"
			else
				echo image >"$ROOTFS/$dir"
			fi
			create_c1
			assert_refused c1 "mounts[$index]: mount $type \`$type\` on \`/$dir\`: \`/$dir\` is not a directory (a $kind): filesystem \"$type\" must be mounted on ordinary directory"
			[[ -z "$(ls -A "$ROOTFS/real-$dir" 2>/dev/null)" ]] || fail "something was mounted or made in /real-$dir"
		done
		rm -f "$ROOTFS/$dir"
		mkdir "$ROOTFS/$dir"
	done
}

@test "CVE-2025-52881: linux.sysctl cannot be redirected to a host file by a /proc/sys that is not procfs" {
	# No proc mount: the image's /proc is used, and its /proc/sys/kernel is
	# a symlink into a volume of the host. The volume's file is root's
	# only, mode 0600, so the container's user could not write it itself;
	# ocirun, still root when it writes the sysctls, must not write it
	# either (a procfs write goes to a verified procfs file or nowhere).
	container_bundle "$BUNDLE" true
	mkdir -p "$HOST/vol" "$ROOTFS/proc/sys"
	echo "host value" >"$HOST/vol/domainname"
	chmod 0600 "$HOST/vol/domainname"
	HOST_TREE_BEFORE=$(host_tree)
	ln -s /hostvol "$ROOTFS/proc/sys/kernel"
	without_proc_mount
	shared_propagation
	edit_config "$BUNDLE" "c['mounts'].append({'destination': '/hostvol', 'type': 'bind', 'source': '$HOST/vol', 'options': ['rbind', 'rw']})
c['linux']['sysctl'] = {'kernel.domainname': 'written-by-ocirun'}
c['process']['user'] = {'uid': 1000, 'gid': 1000}"
	create_c1
	assert_host_unchanged
	if [[ "$status" -eq 0 ]]; then
		ocirun delete --force c1
	else
		assert_refused c1 "linux.sysctl"
	fi
	assert_equal "$(cat "$HOST/vol/domainname")" "host value" "the host file the sysctl was redirected to"
	assert_host_unchanged
}

@test "CVE-2025-52881: process.oomScoreAdj is not written through a /proc that is not procfs" {
	container_bundle "$BUNDLE" true
	mkdir -p "$HOST/vol" "$ROOTFS/proc"
	echo "host value" >"$HOST/vol/oom_score_adj"
	chmod 0600 "$HOST/vol/oom_score_adj"
	HOST_TREE_BEFORE=$(host_tree)
	ln -s /hostvol "$ROOTFS/proc/self"
	without_proc_mount
	shared_propagation
	edit_config "$BUNDLE" "c['mounts'].append({'destination': '/hostvol', 'type': 'bind', 'source': '$HOST/vol', 'options': ['rbind', 'rw']})
c['process']['oomScoreAdj'] = 500"
	create_c1
	assert_host_unchanged
	assert_refused c1 "process.oomScoreAdj" "/proc is not a procfs mount"
	assert_equal "$(cat "$HOST/vol/oom_score_adj")" "host value" "the host file oom_score_adj was redirected to"
	assert_host_unchanged
}

# ---------------------------------------------------------------------------
# runc CVE-2026-41579, crun CVE-2026-47766: with /dev a symlink, the
# runtimes joined strings to make the /dev links and /dev/ptmx, deleting a
# host file named ptmx and making links in a host directory; entries of
# /dev that are symlinks must not take devices or mounts out either.

@test "CVE-2026-41579: a /dev that is a symlink to a host directory gets its tmpfs, devices and links inside the rootfs" {
	container_bundle "$BUNDLE" sh -c 'stat -c "%F %t:%T" /dev/null /dev/zero; readlink /dev/ptmx; readlink /dev/fd; ls /dev/pts/ptmx'
	rmdir "$ROOTFS/dev"
	shared_propagation
	local target
	for target in "$HOST" "$CLIMB$HOST" without-tmpfs; do
		if [[ "$target" == without-tmpfs ]]; then
			# The last round without ocirun's tmpfs: the nodes and links
			# are made in the image's /dev, wherever it resolves.
			target=$HOST
			without_dev_tmpfs
		fi
		ln -sfn "$target" "$ROOTFS/dev"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_host_unchanged
		assert_status 0
		assert_equal "${lines[0]}" "character special file 1:3" "/dev/null in the container"
		assert_equal "${lines[1]}" "character special file 1:5" "/dev/zero in the container"
		[[ "${lines[2]}" == */pts/ptmx || "${lines[2]}" == pts/ptmx ]] || fail "/dev/ptmx in the container links to ${lines[2]}"
		assert_equal "${lines[3]}" "/proc/self/fd" "/dev/fd in the container"
		assert_equal "${lines[4]}" "/dev/pts/ptmx" "the devpts ptmx"
	done
	# The rootfs's own copy of $HOST is where they were made.
	[[ -c "$ROOTFS$HOST/null" && -L "$ROOTFS$HOST/ptmx" ]] || fail "the devices were not made inside the rootfs"
	assert_host_unchanged
}

@test "CVE-2026-47766: entries of the image's /dev that are symlinks to host files and directories are replaced or stay inside" {
	container_bundle "$BUNDLE" sh -c 'stat -c "%n %F %t:%T" /dev/null /dev/zero /dev/tty /dev/random; readlink /dev/ptmx; stat -f -c "%n %t" /dev/pts /dev/shm /dev/mqueue; stat -c "%n %F %t:%T" /dev/evil/mynull'
	ln -s "$HOST/null" "$ROOTFS/dev/null"
	ln -s "$CLIMB$HOST/canary" "$ROOTFS/dev/zero"
	ln -s "$HOST/ptmx" "$ROOTFS/dev/ptmx"
	ln -s "$HOST/console" "$ROOTFS/dev/tty"
	ln -s "$HOST/dir" "$ROOTFS/dev/random"
	ln -s "$HOST/dir" "$ROOTFS/dev/pts"
	ln -s "$CLIMB$HOST/shm" "$ROOTFS/dev/shm"
	ln -s "$HOST/mq" "$ROOTFS/dev/mqueue"
	# A directory of /dev symlinked to the host, where linux.devices puts a node.
	ln -s "$HOST" "$ROOTFS/dev/evil"
	without_dev_tmpfs
	shared_propagation
	edit_config "$BUNDLE" 'c["linux"]["devices"] = [{"path": "/dev/evil/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_host_unchanged
	assert_status 0
	assert_equal "${lines[0]}" "/dev/null character special file 1:3"
	assert_equal "${lines[1]}" "/dev/zero character special file 1:5"
	assert_equal "${lines[2]}" "/dev/tty character special file 5:0"
	assert_equal "${lines[3]}" "/dev/random character special file 1:8"
	[[ "${lines[4]}" == */pts/ptmx || "${lines[4]}" == pts/ptmx ]] || fail "/dev/ptmx in the container links to ${lines[4]}"
	# Filesystem magics: devpts, tmpfs, mqueue.
	assert_equal "${lines[5]}" "/dev/pts 1cd1"
	assert_equal "${lines[6]}" "/dev/shm 1021994"
	assert_equal "${lines[7]}" "/dev/mqueue 19800202"
	assert_equal "${lines[8]}" "/dev/evil/mynull character special file 1:3"
	[[ -c "$ROOTFS$HOST/mynull" ]] || fail "the linux.devices node was not made inside the rootfs"
}

@test "in a user namespace, devices bound from the host replace the image's /dev symlinks instead of following them" {
	# In a user namespace mknod is not allowed: the default devices are the
	# host's nodes, bind-mounted onto the image's entries, which here are
	# symlinks to host files.
	container_bundle "$BUNDLE" stat -c "%n %F %t:%T" /dev/null /dev/zero /dev/full
	ln -s "$HOST/null" "$ROOTFS/dev/null"
	ln -s "$CLIMB$HOST/canary" "$ROOTFS/dev/zero"
	ln -s "$HOST/dir" "$ROOTFS/dev/full"
	shift_rootfs_owner "$ROOTFS" 100000
	allow_search_to "$BUNDLE"
	without_dev_tmpfs
	shared_propagation
	edit_config "$BUNDLE" "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_host_unchanged
	assert_status 0
	assert_equal "${lines[0]}" "/dev/null character special file 1:3"
	assert_equal "${lines[1]}" "/dev/zero character special file 1:5"
	assert_equal "${lines[2]}" "/dev/full character special file 1:7"
}

# ---------------------------------------------------------------------------
# CVE-2024-21626: runc leaked an fd of a host directory into the container's
# init; process.cwd (or exec's --cwd) "/proc/self/fd/N" then left the
# process with a working directory on the host. Here host directories sit
# on fds 3..10 of ocirun itself, the way a careless caller would leak
# them; every N must fail with a message naming process.cwd, or leave the
# process inside the container (it must never see $HOST/ESCAPED).

host_fds() { # host_fds COMMAND...: COMMAND with $HOST open on fds 3 to 10
	"$@" 3<"$HOST" 4<"$HOST" 5<"$HOST" 6<"$HOST" 7<"$HOST" 8<"$HOST" 9<"$HOST" 10<"$HOST"
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N, for N from 3 to 10, never starts the process on the host" {
	container_bundle "$BUNDLE" sh -c 'ls -a; echo cwd-inside'
	local n
	for n in $(seq 3 10); do
		edit_config "$BUNDLE" "c['process']['cwd'] = '/proc/self/fd/$n'"
		run --separate-stderr host_fds ocirun run --bundle "$BUNDLE" "c$n"
		assert_host_unchanged
		[[ "$output" != *ESCAPED* ]] || fail "with cwd /proc/self/fd/$n the process ran in the host's $HOST: $output"
		if [[ "$status" -ne 0 ]]; then
			assert_refused "c$n" "process.cwd" "/proc/self/fd/$n"
		fi
	done
	assert_host_unchanged
}

@test "CVE-2024-21626: host directories passed on with --preserve-fds cannot be the process's cwd" {
	container_bundle "$BUNDLE" sh -c 'ls -a; echo cwd-inside'
	local n
	for n in $(seq 3 10); do
		edit_config "$BUNDLE" "c['process']['cwd'] = '/proc/self/fd/$n'"
		run --separate-stderr host_fds ocirun run --preserve-fds 8 --bundle "$BUNDLE" "c$n"
		assert_host_unchanged
		[[ "$output" != *ESCAPED* ]] || fail "with cwd /proc/self/fd/$n the process ran in the host's $HOST: $output"
		assert_refused "c$n" "process.cwd" "/proc/self/fd/$n" "outside the container's root"
	done
	assert_host_unchanged
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N, for N from 3 to 10, never runs the process on the host" {
	container_bundle "$BUNDLE" sleep 1000
	create_c1
	assert_host_unchanged
	assert_status 0
	run ocirun start c1
	assert_status 0
	local n
	for n in $(seq 3 10); do
		run --separate-stderr host_fds ocirun exec --cwd "/proc/self/fd/$n" c1 sh -c 'ls -a; echo cwd-inside'
		assert_host_unchanged
		[[ "$output" != *ESCAPED* ]] || fail "exec --cwd /proc/self/fd/$n ran in the host's $HOST: $output"
		if [[ "$status" -ne 0 ]]; then
			assert_stdout_empty
			assert_line_count 1 stderr
			assert_stderr_contains "process.cwd"
			assert_stderr_contains "/proc/self/fd/$n"
		fi
	done
	assert_equal "$(container_status c1)" running "the container after the failed execs"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "CVE-2024-21626: without a pid namespace, process.cwd through a host process's cwd link cannot reach the host" {
	# Without a pid namespace the container's procfs shows the host's
	# processes, whose cwd magic links lead to host directories: here a
	# sleep of the test's, started in $HOST. With CAP_SYS_PTRACE the
	# container's process may follow the link.
	(cd "$HOST" && exec sleep 1000) </dev/null >/dev/null 2>&1 3>&- &
	local sleeper=$!
	TEST_PIDS+=("$sleeper")
	container_bundle "$BUNDLE" sh -c 'ls -a; echo cwd-inside'
	edit_config "$BUNDLE" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']
c['process']['cwd'] = '/proc/$sleeper/cwd'
for s in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][s].append('CAP_SYS_PTRACE')"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_host_unchanged
	[[ "$output" != *ESCAPED* ]] || fail "the process ran in the host's $HOST: $output"
	assert_refused c1 "process.cwd" "/proc/$sleeper/cwd" "outside the container's root"
}

# ---------------------------------------------------------------------------
# Paths the config gives that are symlinks themselves

@test "a read-only path that is a symlink to a host directory makes the rootfs's copy read-only, not the host's" {
	container_bundle "$BUNDLE" sleep 1000
	ln -s "$HOST" "$ROOTFS/etc/ro-abs"
	ln -s "$CLIMB$HOST/dir" "$ROOTFS/etc/ro-rel"
	mkdir -p "$ROOTFS$HOST/dir"
	shared_propagation
	edit_config "$BUNDLE" 'c["linux"]["readonlyPaths"] += ["/etc/ro-abs", "/etc/ro-rel"]'
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST" ext4
	assert_container_mount "$PID" "$HOST/dir" ext4
	! in_container touch /etc/ro-abs/x 2>/dev/null || fail "the rootfs's copy of $HOST is writable"
	! in_container touch /etc/ro-rel/x 2>/dev/null || fail "the rootfs's copy of $HOST/dir is writable"
	[[ "$(findmnt -rn -o OPTIONS --target "$HOST/dir")" == rw,* ]] || fail "the host's $HOST/dir was made read-only"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "a root.path that is a symlink to the rootfs is refused or resolved once, and the mounts land in the real rootfs" {
	# runc refuses a symlinked root.path; ocirun resolves it when create
	# starts. Either is safe, as long as every mount lands in the one
	# directory it resolved to.
	container_bundle "$BUNDLE" sleep 1000
	ln -s rootfs "$BUNDLE/rootfs-link"
	ln -s "$HOST" "$ROOTFS/mnt-abs"
	shared_propagation
	edit_config "$BUNDLE" 'c["root"]["path"] = "rootfs-link"'
	add_mount "{'destination': '/mnt-abs', 'type': 'tmpfs', 'source': 'tmpfs'}"
	create_c1
	assert_host_unchanged
	if [[ "$status" -ne 0 ]]; then
		assert_refused c1 "root.path"
		return 0
	fi
	assert_container_mount "$PID" "$HOST" tmpfs
	assert_equal "$(stat -L -c %d:%i "/proc/$PID/root/bin")" "$(stat -c %d:%i "$ROOTFS/bin")" "the container's /bin"
	run ocirun state c1
	assert_status 0
	json_assert "$output" 'eq(d["rootfs"], sys.argv[2], "rootfs")' "$(realpath "$ROOTFS")"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "a bind source that is a symlink is followed on the host, as runc does, while its destination symlink is not" {
	container_bundle "$BUNDLE" sleep 1000
	mkdir "$TEST_TMP/source-real"
	echo "the real source" >"$TEST_TMP/source-real/file"
	ln -s source-real "$TEST_TMP/source-link"
	ln -s "$HOST/dir" "$ROOTFS/data"
	shared_propagation
	add_mount "{'destination': '/data', 'type': 'bind', 'source': '$TEST_TMP/source-link', 'options': ['rbind']}"
	create_c1
	assert_host_unchanged
	assert_status 0
	assert_equal "$(in_container cat /data/file)" "the real source" "the bind's content in the container"
	assert_equal "$(cat "/proc/$PID/root$HOST/dir/file")" "the real source" "the bind, at the destination resolved inside the rootfs"
	[[ ! -e "$HOST/dir/file" ]] || fail "the bind landed on the host's $HOST/dir"
	ocirun delete --force c1
	assert_host_unchanged
}

@test "the sd_notify socket directory ocirun mounts itself follows an image's /run/notify symlink only inside the rootfs" {
	# With NOTIFY_SOCKET, ocirun adds a bind of its own (a directory of the
	# state directory) at /run/notify: an image's symlink there must not
	# take it to the host.
	container_bundle "$BUNDLE" sleep 1000
	mkdir -p "$ROOTFS/run"
	ln -s "$HOST/dir" "$ROOTFS/run/notify"
	shared_propagation
	NOTIFY_SOCKET="$TEST_TMP/host.sock" create_c1
	assert_host_unchanged
	assert_status 0
	assert_container_mount "$PID" "$HOST/dir" ext4
	[[ -d "$ROOTFS$HOST/dir" ]] || fail "the socket directory's mount point was not made inside the rootfs"
	ocirun delete --force c1
	assert_host_unchanged
}
