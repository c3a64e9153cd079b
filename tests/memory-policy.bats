#!/usr/bin/env bats
# linux.memoryPolicy: the container's process runs with the NUMA policy
# (seen in /proc/self/numa_maps, which shows the task's policy for every
# mapping without one of its own), and a policy the host cannot honour (a
# node that does not exist, nodes for a mode that takes none, no mode) fails
# create before anything is made.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	[[ -r /sys/devices/system/node/online ]] || skip "machine limit: this kernel has no NUMA support (no /sys/devices/system/node/online)"
	ONLINE=$(cat /sys/devices/system/node/online)
}

teardown() {
	teardown_common
}

@test "linux.memoryPolicy: MPOL_BIND to node 0 is the policy of the container's process" {
	container_bundle "$BUNDLE" cat /proc/self/numa_maps
	edit_config "$BUNDLE" 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0"}'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_contains " bind:0 "
	[[ "$output" != *" default "* ]] || fail "a mapping with the default policy: $output"
}

@test "linux.memoryPolicy: MPOL_INTERLEAVE with MPOL_F_STATIC_NODES, and without the field the default" {
	container_bundle "$BUNDLE" cat /proc/self/numa_maps
	edit_config "$BUNDLE" 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_contains " interleave=static:0 "
	edit_config "$BUNDLE" 'del c["linux"]["memoryPolicy"]'
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_contains " default "
}

@test "linux.memoryPolicy: MPOL_BIND to node 99 fails create, naming the node and the online ones" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0,99"}'
	run --separate-stderr ocirun create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.memoryPolicy.nodes: node 99 does not exist (the online nodes are $ONLINE)"
	assert_nothing_left c1
}

@test "linux.memoryPolicy: a policy that cannot be honoured is refused" {
	container_bundle "$BUNDLE" true
	local policy message
	while IFS='|' read -r policy message; do
		edit_config "$BUNDLE" "c['linux']['memoryPolicy'] = $policy"
		run --separate-stderr ocirun create --bundle "$BUNDLE" c1
		assert_status 1
		assert_stderr_contains "$message"
		assert_nothing_left c1
	done <<-'EOF'
		{"nodes": "0"}|config.json: linux.memoryPolicy.mode: required
		{"mode": "MPOL_BIND"}|config.json: linux.memoryPolicy.nodes: MPOL_BIND needs at least one node
		{"mode": "MPOL_LOCAL", "nodes": "0"}|config.json: linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes, got `0`
		{"mode": "MPOL_BIND", "nodes": "0-x"}|config.json: linux.memoryPolicy.nodes: `0-x` is not a list of node numbers
		{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}|MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other
		{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_NOPE"]}|config.json: linux.memoryPolicy.flags
	EOF
}
