#!/usr/bin/env bats
# linux.netDevices: a host network device is moved into the container's
# network namespace, renamed and set up, with its global address; the
# config errors (no such device, no network namespace of the container's,
# an invalid name) fail before anything is made.
#
# The "host" is a network namespace each test makes (ip netns add): the
# runtime runs in it through nsenter --net, so only devices of that
# namespace are ever moved, and teardown deletes it with whatever is left.
# nsenter and not `ip netns exec`, which also remounts /sys and so hides the
# cgroup filesystem from the runtime.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	NETNS="ocirun-test-$$-${BATS_SUITE_TEST_NUMBER:-0}"
	ip netns add "$NETNS"
	ip -n "$NETNS" link add hostdev0 type veth peer name hostpeer0
	ip -n "$NETNS" addr add 192.0.2.7/24 dev hostdev0
}

teardown() {
	teardown_common
	ip netns delete "$NETNS" 2>/dev/null || true
}

# in_netns COMMAND...: COMMAND with the test's namespace as its network.
in_netns() {
	nsenter --net="/run/netns/$NETNS" "$@"
}

# ocirun_in_netns ARGS: the runtime under test in the test's namespace.
ocirun_in_netns() {
	in_netns "$OCIRUN" --root "$OCIRUN_ROOT" "$@"
}

@test "linux.netDevices: the device is in the container under its new name, up, with its address" {
	container_bundle "$BUNDLE" sh -c 'ip -o link show; ip -o -4 addr show'
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {"name": "ctr0"}}'
	run --separate-stderr ocirun_in_netns run --bundle "$BUNDLE" c1
	assert_status 0
	[[ "$output" =~ ctr0(@[^:]*)?:\ \<[^\>]*UP ]] || fail "no ctr0 that is up: $output"
	assert_output_contains "inet 192.0.2.7/24"
	[[ "$output" != *hostdev0* ]] || fail "the old name is in the container: $output"
	# Moved out of the runtime's namespace (a veth is destroyed with the
	# container's namespace, as the kernel does for virtual devices).
	run ip -n "$NETNS" link show hostdev0
	assert_status 1
	[[ "$stderr$output" == *"does not exist"* ]] || fail "$output"
}

@test "linux.netDevices: without name the device keeps its host name" {
	container_bundle "$BUNDLE" cat /sys/class/net/hostdev0/operstate /sys/class/net/hostdev0/flags
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {}}'
	run --separate-stderr ocirun_in_netns run --bundle "$BUNDLE" c1
	assert_status 0
	# IFF_UP is bit 0 of the flags.
	[[ $(( ${lines[1]} & 1 )) == 1 ]] || fail "hostdev0 is not up: $output"
}

@test "linux.netDevices: a network namespace joined by path gets the device" {
	ip netns add "$NETNS-target"
	container_bundle "$BUNDLE" ip -o link show ctr0
	edit_config "$BUNDLE" "c['linux']['netDevices'] = {'hostdev0': {'name': 'ctr0'}}
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/run/netns/$NETNS-target'"
	run --separate-stderr ocirun_in_netns run --bundle "$BUNDLE" c1
	local run_status=$status run_output=$output
	# The device stays in that namespace after the container is gone.
	run ip -n "$NETNS-target" -o link show ctr0
	local after=$status
	ip netns delete "$NETNS-target"
	status=$run_status output=$run_output
	assert_status 0
	[[ "$output" =~ ctr0(@[^:]*)?:\ \< ]] || fail "no ctr0: $output"
	assert_equal "$after" 0 "ctr0 in the joined namespace after the container"
}

@test "linux.netDevices: a device that does not exist fails create, naming it, and nothing is left" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"nosuchdev0": {"name": "ctr0"}}'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.netDevices.nosuchdev0: no network device \`nosuchdev0\` in the runtime's network namespace"
	assert_nothing_left c1
	run ip -n "$NETNS" -o link show hostdev0
	assert_status 0
}

@test "linux.netDevices: a failure after the move puts the device back under its host name" {
	container_bundle "$BUNDLE" true
	# The second device's name is taken in the container (its loopback):
	# the first, already moved, must come back.
	ip -n "$NETNS" link add hostdev1 type veth peer name hostpeer1
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {"name": "ctr0"}, "hostdev1": {"name": "lo"}}'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.netDevices.hostdev1: move it into the container as \`lo\`"
	assert_nothing_left c1
	run ip -n "$NETNS" -o -4 addr show hostdev0
	assert_status 0
	assert_output_contains "inet 192.0.2.7/24"
	run ip -n "$NETNS" -o link show hostdev1
	assert_status 0
}

@test "linux.netDevices: without a network namespace of the container's it is refused" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {}}
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.netDevices: moving network devices needs a network namespace of the container's own"
	assert_nothing_left c1
	run ip -n "$NETNS" -o link show hostdev0
	assert_status 0
}

@test "linux.netDevices: the runtime's own network namespace joined by path is refused" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['linux']['netDevices'] = {'hostdev0': {}}
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/run/netns/$NETNS'"
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "is the runtime's own: there is nowhere to move the devices to"
	assert_nothing_left c1
}

@test "linux.netDevices: invalid interface names are refused" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {"name": "a/b"}}'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.netDevices.hostdev0.name: \`a/b\` is not a valid network interface name"
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {"name": "sixteen-chars-xx"}}'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.netDevices.hostdev0.name: \`sixteen-chars-xx\` is not a valid"
	ip -n "$NETNS" link add hostdev1 type veth peer name hostpeer1
	edit_config "$BUNDLE" 'c["linux"]["netDevices"] = {"hostdev0": {"name": "eth0"}, "hostdev1": {"name": "eth0"}}'
	run --separate-stderr ocirun_in_netns create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.netDevices.hostdev1: \`hostdev0\` and \`hostdev1\` would both be \`eth0\` in the container"
	assert_nothing_left c1
}
