#!/usr/bin/env bats
# linux.namespaces: new namespaces of every type (their inode differs from
# the host's), namespaces joined by path (their inode is the other
# container's), a user namespace with id mappings, a time namespace with
# offsets, the loopback interface of a new network namespace, and the config
# errors: a path that is no namespace, a namespace of the wrong type, a type
# listed twice.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}


# wait_for_output FILE: until a detached container wrote its report there.
wait_for_output() {
	for _ in $(seq 100); do
		grep -q '^end$' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no complete report in $1: $(cat "$1" 2>/dev/null)"
}

@test "every namespace type in linux.namespaces is new: its inode differs from the host's" {
	container_bundle "$BUNDLE" sh -c 'for n in mnt pid net ipc uts cgroup time; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	edit_config "$BUNDLE" 'c["linux"]["namespaces"].append({"type": "time"})
eq = sorted(n["type"] for n in c["linux"]["namespaces"])
assert eq == ["cgroup", "ipc", "mount", "network", "pid", "time", "uts"], eq'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_line_count 7
	local line name inode
	for line in "${lines[@]}"; do
		read -r name inode <<<"$line"
		[[ "$inode" == "$name:["*"]" ]] || fail "not a namespace link for $name: $inode"
		[[ "$inode" != "$(readlink "/proc/$$/ns/$name")" ]] || fail "the $name namespace is the host's: $inode"
	done
}

@test "namespaces not listed are the host's" {
	container_bundle "$BUNDLE" sh -c 'for n in net ipc uts cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	edit_config "$BUNDLE" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] in ("mount", "pid")]
c["hostname"] = ""'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	local line name inode
	for line in "${lines[@]}"; do
		read -r name inode <<<"$line"
		assert_equal "$inode" "$(readlink "/proc/$$/ns/$name")" "the $name namespace"
	done
}

@test "the namespaces seen from inside are those of the init seen from outside" {
	container_bundle "$BUNDLE" sh -c 'for n in mnt pid net ipc uts cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done; echo end; exec sleep 1000'
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid line name inode
	pid=$(cat "$TEST_TMP/pid")
	wait_for_output "$TEST_TMP/detached.out"
	while read -r name inode; do
		[[ "$name" == end ]] && continue
		assert_equal "$inode" "$(readlink "/proc/$pid/ns/$name")" "the $name namespace of pid $pid"
	done <"$TEST_TMP/detached.out"
	ocirun delete --force c1
}

@test "namespaces joined by path: B's net, ipc, uts and pid namespaces are A's" {
	local a="$TEST_TMP/a" b="$TEST_TMP/b" a_pid
	container_bundle "$a" sleep 1000
	ocirun_detached run --detach --pid-file "$TEST_TMP/a.pid" --bundle "$a" a
	assert_status 0
	a_pid=$(cat "$TEST_TMP/a.pid")

	container_bundle "$b" sh -c 'for n in net ipc uts pid mnt; do echo "$n $(readlink /proc/self/ns/$n)"; done; cat /proc/1/comm'
	# B sets no hostname: with A's uts namespace, it would rename A.
	edit_config "$b" "
for ns in c['linux']['namespaces']:
    if ns['type'] in ('network', 'ipc', 'uts', 'pid'):
        ns['path'] = '/proc/$a_pid/ns/' + {'network': 'net'}.get(ns['type'], ns['type'])
c['hostname'] = ''"
	run --separate-stderr ocirun run --bundle "$b" b
	assert_status 0
	assert_line_count 6
	local line name inode
	for line in "${lines[@]:0:4}"; do
		read -r name inode <<<"$line"
		assert_equal "$inode" "$(readlink "/proc/$a_pid/ns/$name")" "B's $name namespace (A's)"
	done
	# The mount namespace was not joined: B has its own.
	read -r name inode <<<"${lines[4]}"
	[[ "$inode" != "$(readlink "/proc/$a_pid/ns/mnt")" ]] || fail "B shares A's mount namespace"
	# In A's pid namespace, pid 1 is A's sleep.
	assert_equal "${lines[5]}" sleep "pid 1 in B's pid namespace"
	ocirun delete --force a
}

@test "a user namespace with uidMappings and gidMappings: root inside is the mapped host id" {
	# The rootfs copy belongs to host root, which is not mapped in the new
	# user namespace: inside it would belong to nobody (65534) and root there
	# could not write anywhere. As engines do for userns containers, the
	# copy is chowned to the mapped range (host id = container id + 100000),
	# so that inside, root owns / and test (1000) owns /home/test.
	local offset=100000
	container_bundle "$BUNDLE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id; stat -c "%u:%g %n" / /home/test; touch /tmp/made-inside; echo end; exec sleep 1000'
	shift_rootfs_owner "$BUNDLE/rootfs" "$offset"
	# The init becomes root of the new user namespace (host uid $offset)
	# before it sets up the rootfs, so the bundle must be reachable by that
	# uid; bats' scratch directories are 0700.
	allow_search_to "$BUNDLE"
	edit_config "$BUNDLE" "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $offset, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $offset, 'size': 65536}]"
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	wait_for_output "$TEST_TMP/detached.out"
	mapfile -t lines <"$TEST_TMP/detached.out"
	assert_equal "$(echo "${lines[0]}" | tr -s ' ')" " 0 $offset 65536" "uid_map inside"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ')" " 0 $offset 65536" "gid_map inside"
	assert_equal "${lines[2]}" "uid=0(root) gid=0(root)" "id inside"
	assert_equal "${lines[3]}" "0:0 /" "the owner of / inside"
	assert_equal "${lines[4]}" "1000:1000 /home/test" "the owner of /home/test inside"

	# Outside: a new user namespace, the process runs as the mapped ids,
	# and what it creates belongs to them.
	[[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/$$/ns/user)" ]] || fail "the user namespace is the host's"
	assert_equal "$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$pid/status" | tr -s '\t' ' ')" "$offset $offset $offset $offset" "the init's uids on the host"
	assert_equal "$(sed -n 's/^Gid:[[:space:]]*//p' "/proc/$pid/status" | tr -s '\t' ' ')" "$offset $offset $offset $offset" "the init's gids on the host"
	assert_equal "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made-inside")" "$offset:$offset" "the owner of a file made inside"
	ocirun delete --force c1
}

@test "a time namespace with timeOffsets: the offsets apply inside, the host's clocks stay" {
	local boot_offset=172800 mono_offset=86400
	# busybox reads no CLOCK_MONOTONIC, so a static probe prints both clocks.
	printf '%s\n' '#include <stdio.h>' '#include <time.h>' \
		'int main(void) { struct timespec m, b; clock_gettime(CLOCK_MONOTONIC, &m); clock_gettime(CLOCK_BOOTTIME, &b);' \
		'printf("%lld %lld\n", (long long) m.tv_sec, (long long) b.tv_sec); return 0; }' >"$TEST_TMP/clocks.c"
	container_bundle "$BUNDLE" sh -c 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets; /clocks; cut -d" " -f1 /proc/uptime'
	cc -static -O2 -o "$BUNDLE/rootfs/clocks" "$TEST_TMP/clocks.c" || fail "cannot build a static probe: a C compiler with static glibc (libc6-dev) is needed"
	edit_config "$BUNDLE" "c['linux']['namespaces'].append({'type': 'time'})
c['linux']['timeOffsets'] = {'monotonic': {'secs': $mono_offset, 'nanosecs': 0}, 'boottime': {'secs': $boot_offset, 'nanosecs': 0}}"
	local before after
	before=$("$BUNDLE/rootfs/clocks")
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	after=$("$BUNDLE/rootfs/clocks")
	assert_status 0
	assert_line_count 5
	[[ "${lines[0]}" != "$(readlink /proc/$$/ns/time)" ]] || fail "the time namespace is the host's: ${lines[0]}"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ')" "monotonic $mono_offset 0" "the monotonic offset"
	assert_equal "$(echo "${lines[2]}" | tr -s ' ')" "boottime $boot_offset 0" "the boottime offset"
	# Each clock inside is the host's plus its offset (within the seconds
	# the run took); /proc/uptime follows CLOCK_BOOTTIME.
	"$PYTHON3" -c '
import sys
before, inside, after = (list(map(float, s.split())) for s in sys.argv[1:4])
mono, boot, uptime = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
for i, (name, offset) in enumerate((("CLOCK_MONOTONIC", mono), ("CLOCK_BOOTTIME", boot))):
    if not before[i] + offset <= inside[i] <= after[i] + offset + 1:
        sys.exit("%s inside is %d, not the host'"'"'s (%d..%d) plus %d" % (name, inside[i], before[i], after[i], offset))
if not before[1] + boot <= uptime <= after[1] + boot + 1:
    sys.exit("/proc/uptime inside is %.2f, not the host'"'"'s boottime plus %d" % (uptime, boot))
if not 0 <= after[0] - before[0] < 60:
    sys.exit("the host'"'"'s CLOCK_MONOTONIC jumped")
' "$before" "${lines[3]}" "$after" "$mono_offset" "$boot_offset" "${lines[4]}"
}

@test "a new network namespace has the loopback interface up" {
	container_bundle "$BUNDLE" sh -c 'cat /sys/class/net/lo/flags; ip -o link show lo; ip -o -4 addr show dev lo'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	# IFF_UP is bit 0 of the interface flags.
	((lines[0] & 1)) || fail "lo is down: flags ${lines[0]}, ${lines[1]}"
	[[ "${lines[1]}" == *"<LOOPBACK,UP,LOWER_UP>"* ]] || fail "lo is not up: ${lines[1]}"
	[[ "${lines[2]:-}" == *"inet 127.0.0.1/8"* ]] || fail "lo has no 127.0.0.1: ${lines[2]:-}"
}

@test "a namespace path that is not a namespace fails create naming linux.namespaces[N].path, leaving nothing" {
	container_bundle "$BUNDLE" true
	echo "not a namespace" >"$TEST_TMP/plain-file"
	edit_config "$BUNDLE" "
for i, ns in enumerate(c['linux']['namespaces']):
    if ns['type'] == 'network':
        ns['path'] = '$TEST_TMP/plain-file'
        print(i)" >"$TEST_TMP/index"
	local index
	index=$(cat "$TEST_TMP/index")
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "config.json: linux.namespaces[$index].path: \`$TEST_TMP/plain-file\` is not a namespace"
	assert_nothing_left c1

	edit_config "$BUNDLE" "c['linux']['namespaces'][$index]['path'] = '$TEST_TMP/no-such-file'"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.namespaces[$index].path: open \`$TEST_TMP/no-such-file\`: No such file or directory"
	assert_nothing_left c1
}

@test "a namespace path of another type fails create naming the expected type, leaving nothing" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "
for i, ns in enumerate(c['linux']['namespaces']):
    if ns['type'] == 'network':
        ns['path'] = '/proc/$$/ns/ipc'
        print(i)" >"$TEST_TMP/index"
	local index
	index=$(cat "$TEST_TMP/index")
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.namespaces[$index].path: \`/proc/$$/ns/ipc\` is not a network namespace"
	assert_nothing_left c1
}

@test "a namespace type listed twice fails create, leaving nothing" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["namespaces"].append({"type": "ipc"})'
	local index
	index=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["linux"]["namespaces"]) - 1)' "$BUNDLE/config.json")
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "config.json: linux.namespaces[$index]: the ipc namespace is listed twice"
	assert_nothing_left c1
}
