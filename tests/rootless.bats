#!/usr/bin/env bats
# Rootless containers: ocirun run by an unprivileged user, as rootless podman
# and `runc spec --rootless` users run it. The file makes a user of its own
# (with a range in /etc/subuid and /etc/subgid for newuidmap) and its
# XDG_RUNTIME_DIR, runs everything as that user, and removes both at the end.

load helpers
load rootless

setup_file() {
	rootless_user_make
}

teardown_file() {
	rootless_user_remove
}

setup() {
	rootless_setup
}

teardown() {
	rootless_teardown
}

@test "rootless: spec --rootless and run print the container's output; the root is in XDG_RUNTIME_DIR" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sh', '-c', 'echo uid \$(id -u) gid \$(id -g); cat /proc/self/uid_map']"
	user_run run c1
	assert_status 0
	assert_stderr_empty
	assert_equal "$(tr -s ' ' <<<"$output")" "uid 0 gid 0
 0 $ROOTLESS_UID 1" "the container's output"
	# Made as runc makes its own: 0700 and sticky, the user's.
	assert_equal "$(stat -c '%a %U' "$USER_ROOT")" "1700 $ROOTLESS_USER" "mode and owner of $USER_ROOT"
	assert_user_nothing_left c1
}

@test "rootless: create, start, state, list, exec, kill and delete under the user's root" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sleep', '1000']"
	user_detached create c1
	assert_status 0
	[[ -f "$USER_ROOT/c1/state.json" ]] || fail "no state.json under $USER_ROOT/c1"
	user_run start c1
	assert_status 0
	user_run state c1
	assert_status 0
	json_assert "$output" "assert d['status'] == 'running', d"
	local pid
	pid=$(json_assert "$output" "print(d['pid'])")
	assert_equal "$(stat -c %U "/proc/$pid")" "$ROOTLESS_USER" "owner of the init"
	user_run list -q
	assert_status 0
	assert_equal "$output" c1 "list -q"
	user_run exec c1 sh -c 'echo pid $$; cat /proc/self/gid_map; exit 7'
	assert_status 7
	assert_equal "$(tr -s ' ' <<<"$output")" "pid 2
 0 $ROOTLESS_UID 1" "exec's output"
	user_run kill c1 KILL
	assert_status 0
	local _
	for _ in $(seq 50); do
		[[ -d "/proc/$pid" ]] || break
		sleep 0.1
	done
	user_run delete c1
	assert_status 0
	user_run list -q
	assert_equal "$output" "" "list -q after delete"
	assert_user_nothing_left c1
}

@test "rootless: --root still wins over XDG_RUNTIME_DIR" {
	local elsewhere="$RUNTIME_DIR/elsewhere"
	edit_config "$BUNDLE" "c['process']['args'] = ['sleep', '1000']"
	user_detached --root "$elsewhere" run --detach c1
	assert_status 0
	[[ -f "$elsewhere/c1/state.json" ]] || fail "no state.json under $elsewhere/c1"
	[[ ! -e "$USER_ROOT/c1" ]] || fail "c1 also appeared under the default root $USER_ROOT"
	user_run --root "$elsewhere" delete --force c1
	assert_status 0
	rm -rf "$elsewhere"
}

@test "rootless: a subordinate range is mapped through newuidmap and newgidmap" {
	edit_config "$BUNDLE" "
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $ROOTLESS_UID, 'size': 1}, {'containerID': 1, 'hostID': $ROOTLESS_SUBID, 'size': 1000}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $ROOTLESS_UID, 'size': 1}, {'containerID': 1, 'hostID': $ROOTLESS_SUBID, 'size': 1000}]
c['process']['args'] = ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /home/test']"
	# Container id 1000 is the range's 1000th id on the host.
	chown "$((ROOTLESS_SUBID + 999)):$((ROOTLESS_SUBID + 999))" "$BUNDLE/rootfs/home/test"
	user_run run c1
	assert_status 0
	assert_equal "$(tr -s ' ' <<<"$output")" " 0 $ROOTLESS_UID 1
 1 $ROOTLESS_SUBID 1000
 0 $ROOTLESS_UID 1
 1 $ROOTLESS_SUBID 1000
1000:1000" "the maps, and the owner of a file of a mapped id"
	assert_user_nothing_left c1
}

@test "rootless: without newuidmap on PATH, a range is refused naming the helper; nothing is left" {
	edit_config "$BUNDLE" "c['linux']['uidMappings'].append({'containerID': 1, 'hostID': $ROOTLESS_SUBID, 'size': 10})"
	ROOTLESS_PATH=/nonexistent user_run run c1
	assert_error "create c1: config.json: linux.uidMappings: mapping more than your own id needs \`newuidmap\` (Debian's uidmap package), which is not on PATH"
	assert_user_nothing_left c1
}

@test "rootless: a range /etc/subuid does not grant is refused with newuidmap's reason; nothing is left" {
	local beyond=$((ROOTLESS_SUBID + 65536))
	edit_config "$BUNDLE" "c['linux']['uidMappings'].append({'containerID': 1, 'hostID': $beyond, 'size': 10})"
	user_run run c1
	assert_error "create c1: config.json: linux.uidMappings: newuidmap refused the mappings: newuidmap: uid range [1-11) -> [$beyond-$((beyond + 10))) not allowed"
	assert_user_nothing_left c1
}

@test "rootless: a gid map of the user's own gid alone is written with setgroups denied" {
	edit_config "$BUNDLE" "c['process']['args'] = ['cat', '/proc/self/setgroups']"
	user_run run c1
	assert_status 0
	assert_equal "$output" deny "/proc/self/setgroups"
}

@test "rootless: limits with no cgroup the user may write are refused; nothing is left" {
	edit_config "$BUNDLE" "c['linux']['resources'] = {'memory': {'limit': 67108864}}"
	user_run run c1
	assert_error "create c1: config.json: linux.resources: limits need a cgroup, and uid $ROOTLESS_UID cannot write the cgroup hierarchies here (rootless: drop linux.resources, or use --systemd-cgroup with a user systemd on cgroup v2, which delegates a cgroup)"
	assert_user_nothing_left c1
}

@test "rootless: pause of a container that has no cgroup says why" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sleep', '1000']"
	user_detached run --detach c1
	assert_status 0
	user_run pause c1
	assert_error "pause c1: container \`c1\` has no cgroup to freeze (a rootless container gets one only where the caller may write: --systemd-cgroup with a user systemd on cgroup v2 delegates one)"
}

@test "rootless: a sysctl of the host's network namespace is refused, saying whose it is" {
	edit_config "$BUNDLE" "c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}"
	user_run run c1
	assert_error "create c1: config.json: linux.sysctl: set net.ipv4.ip_forward to \`1\` (not the container's to set: it needs that namespace of its own, e.g. network for net.*): open /proc/sys/net/ipv4/ip_forward: Permission denied"
	assert_user_nothing_left c1
}

@test "rootless: root keeps /run/ocirun as its default root, whatever XDG_RUNTIME_DIR says" {
	local xdg="$TEST_TMP/xdg"
	mkdir -p "$xdg"
	run --separate-stderr env XDG_RUNTIME_DIR="$xdg" "$OCIRUN" --debug list -q
	assert_status 0
	# shellcheck disable=SC2154 # set by bats' run
	[[ "$stderr" == *"command list, root /run/ocirun"* ]] || fail "root's default root is not /run/ocirun: $stderr"
	[[ ! -e "$xdg/ocirun" ]] || fail "$xdg/ocirun was made for root"
}
