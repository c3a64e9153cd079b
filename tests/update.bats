#!/usr/bin/env bats
# `ocirun update` gives the values runc's own integration tests expect
# (runc's tests/integration/update.bats, the cases for v1 and hybrid hosts,
# with v2's expectations where runc has them): memory, swap, pids, shares,
# cpuset, the interplay of CFS quota and period, realtime period and
# runtime, and device rules that never deny a running process a device
# they keep allowing. The expected numbers are what runc 1.1 writes.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	container_bundle "$BUNDLE" sleep 1000
}

teardown() {
	teardown_common
}

with_resources() {
	edit_config "$BUNDLE" "c['linux']['resources'] = $1"
}

start() {
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	[[ "$status" -eq 0 ]] || fail "run --detach failed: $stderr"
}

# check_value FILE EXPECTED: FILE of c1's cgroup, in the hierarchy of the
# controller its name starts with.
check_value() {
	local controller=${1%%.*} got
	got=$(cat "$(container_cgroup "$controller")/$1") || fail "cannot read $1"
	[[ "$got" == "$2" ]] || fail "$1: expected $2, got $got"
}

# check_cpu_quota QUOTA PERIOD: runc's check_cpu_quota (-1 is no quota).
check_cpu_quota() {
	if [[ $(cgroup_version cpu) == v1 ]]; then
		check_value cpu.cfs_quota_us "$1"
		check_value cpu.cfs_period_us "$2"
	else
		local quota=$1
		[[ "$quota" == -1 ]] && quota=max
		check_value cpu.max "$quota $2"
	fi
}

update_ok() {
	run --separate-stderr ocirun update "$@" c1
	assert_status 0
}

runc_initial_limits() {
	with_resources "{'memory': {'limit': 33554432, 'reservation': 25165824},
		'cpu': {'shares': 100, 'quota': 500000, 'period': 1000000}, 'pids': {'limit': 20}}"
}

@test "update: the limits common to v1 and v2, step by step as runc's test takes them" {
	runc_initial_limits
	start
	local MEM_LIMIT MEM_RESERVE MEM_SWAP SYSTEM_MEM HAVE_SWAP=yes v1=false
	if [[ $(cgroup_version memory) == v1 ]]; then
		v1=true
		MEM_LIMIT=memory.limit_in_bytes MEM_RESERVE=memory.soft_limit_in_bytes
		MEM_SWAP=memory.memsw.limit_in_bytes
		SYSTEM_MEM=$(cat "$(cgroup_mount memory)/$MEM_LIMIT")
		[[ -f "$(container_cgroup memory)/$MEM_SWAP" ]] || HAVE_SWAP=no
	else
		MEM_LIMIT=memory.max MEM_RESERVE=memory.low MEM_SWAP=memory.swap.max SYSTEM_MEM=max
	fi
	check_value "$MEM_LIMIT" 33554432
	check_value "$MEM_RESERVE" 25165824
	check_value pids.max 20

	if [[ $(grep -c '^processor' /proc/cpuinfo) -gt 1 ]]; then
		update_ok --cpuset-cpus 1
		check_value cpuset.cpus 1
	fi
	update_ok --memory 67108864
	check_value "$MEM_LIMIT" 67108864
	update_ok --memory 50M
	check_value "$MEM_LIMIT" 52428800
	update_ok --memory-reservation 33554432
	check_value "$MEM_RESERVE" 33554432
	if [[ $HAVE_SWAP == yes ]]; then
		update_ok --memory-swap -1
		check_value "$MEM_SWAP" "$SYSTEM_MEM"
		if $v1; then
			update_ok --memory-swap 96468992
			check_value "$MEM_SWAP" 96468992
		else
			update_ok --memory 52428800 --memory-swap 96468992
			check_value "$MEM_SWAP" $((96468992 - 52428800))
		fi
	fi
	# No limit on memory, and then none on swap either (runc: "set both
	# memory and swap to unlimited"), though swap was limited just now.
	update_ok --memory -1
	check_value "$MEM_LIMIT" "$SYSTEM_MEM"
	[[ $HAVE_SWAP == no ]] || check_value "$MEM_SWAP" "$SYSTEM_MEM"

	update_ok --pids-limit 10
	check_value pids.max 10
	update_ok --pids-limit -1
	check_value pids.max max

	run --separate-stderr ocirun update -r - c1 <<-'EOF'
		{"memory": {"limit": 33554432, "reservation": 25165824},
		 "cpu": {"shares": 100, "quota": 500000, "period": 1000000, "cpus": "0"},
		 "pids": {"limit": 20}}
	EOF
	assert_status 0
	check_value cpuset.cpus 0
	check_value "$MEM_LIMIT" 33554432
	check_value "$MEM_RESERVE" 25165824
	check_value pids.max 20

	update_ok --cpu-period 900000 --cpu-quota 600000 --cpu-share 200 \
		--memory 67108864 --memory-reservation 33554432 --pids-limit 10
	check_value "$MEM_LIMIT" 67108864
	check_value "$MEM_RESERVE" 33554432
	check_value pids.max 10
	check_cpu_quota 600000 900000

	if [[ $HAVE_SWAP == yes ]]; then
		update_ok --memory 30M --memory-swap 50M
		check_value "$MEM_LIMIT" $((30 * 1024 * 1024))
		if $v1; then
			check_value "$MEM_SWAP" $((50 * 1024 * 1024))
		else
			check_value "$MEM_SWAP" $((20 * 1024 * 1024))
		fi
		# Memory above the old swap: the order of the writes matters on v1.
		update_ok --memory 60M --memory-swap 80M
		check_value "$MEM_LIMIT" $((60 * 1024 * 1024))
		if $v1; then
			check_value "$MEM_SWAP" $((80 * 1024 * 1024))
		else
			check_value "$MEM_SWAP" $((20 * 1024 * 1024))
		fi
	fi
}

@test "update: CFS period and quota each change alone, -1 lifts the quota, shares change" {
	runc_initial_limits
	start
	check_cpu_quota 500000 1000000
	update_ok --cpu-period 900000
	check_cpu_quota 500000 900000
	update_ok --cpu-quota 600000
	check_cpu_quota 600000 900000
	update_ok --cpu-quota -1
	check_cpu_quota -1 900000
	update_ok --cpu-share 200
	[[ $(cgroup_version cpu) == v2 ]] || check_value cpu.shares 200
	run --separate-stderr ocirun update -r - c1 <<<'{"cpu": {"shares": 100, "quota": 500000, "period": 1000000}}'
	assert_status 0
	check_cpu_quota 500000 1000000
	update_ok --cpu-period 900000 --cpu-quota 600000 --cpu-share 200
	check_cpu_quota 600000 900000
	update_ok --cpu-quota -1 --cpu-period 100000
	check_cpu_quota -1 100000
}

@test "update: a period or a quota alone, with none set before, takes the kernel's default for the other" {
	with_resources "{'cpu': {'period': 1000000}}"
	start
	check_cpu_quota -1 1000000
	ocirun delete --force c1

	with_resources "{'cpu': {'quota': 5000}}"
	start
	check_cpu_quota 5000 100000
	ocirun delete --force c1

	with_resources "{'cpu': {}}"
	start
	update_ok --cpu-period 50000
	check_cpu_quota -1 50000
	ocirun delete --force c1

	start
	update_ok --cpu-quota 30000
	check_cpu_quota 30000 100000
}

@test "update: realtime period and runtime (cgroup v1)" {
	[[ $(cgroup_version cpu) == v1 ]] || skip "machine limit: no v1 cpu controller (cgroup v2 has no realtime limits)"
	local cpu
	cpu=$(cgroup_mount cpu)
	[[ -f "$cpu/cpu.rt_runtime_us" ]] || skip "machine limit: kernel without CONFIG_RT_GROUP_SCHED"
	# A new cgroup gets no realtime runtime, and a child may not have more
	# than its parent: give the parents the root's, as runc's test does.
	local root_period root_runtime dir
	root_period=$(cat "$cpu/cpu.rt_period_us")
	root_runtime=$(cat "$cpu/cpu.rt_runtime_us")
	for dir in "$cpu/$TEST_CGROUP_PREFIX" "$cpu/$TEST_CGROUP_PREFIX/c1"; do
		mkdir -p "$dir"
		echo "$root_period" >"$dir/cpu.rt_period_us"
		echo "$root_runtime" >"$dir/cpu.rt_runtime_us"
	done
	start
	run --separate-stderr ocirun update -r - c1 <<<'{"cpu": {"realtimeRuntime": 500001}}'
	assert_status 0
	check_value cpu.rt_period_us "$root_period"
	check_value cpu.rt_runtime_us 500001
	run --separate-stderr ocirun update -r - c1 <<<'{"cpu": {"realtimePeriod": 800001, "realtimeRuntime": 500001}}'
	assert_status 0
	check_value cpu.rt_period_us 800001
	check_value cpu.rt_runtime_us 500001
	update_ok --cpu-rt-period 900001 --cpu-rt-runtime 600001
	check_value cpu.rt_period_us 900001
	check_value cpu.rt_runtime_us 600001
}

@test "update: a paused container stays paused" {
	start
	ocirun pause c1
	update_ok --pids-limit 30
	[[ "$(container_status c1)" == paused ]] || fail "state: $(container_status c1)"
	ocirun resume c1
}

@test "update: device rules change without ever denying a device that stays allowed" {
	edit_config "$BUNDLE" "c['process']['args'] = ['sh', '-c', 'while true; do echo >/dev/null || echo FAILED; done']"
	start
	local i
	for i in $(seq 12); do
		update_ok --pids-limit 30
	done
	# Rules that add and take away a device: /dev/null stays allowed all
	# along, so not one write to it may fail.
	for i in $(seq 12); do
		run --separate-stderr ocirun update -r - c1 <<<'{"devices": [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]}'
		assert_status 0
		# A deny-all alone: the container's defaults stay, tun goes.
		run --separate-stderr ocirun update -r - c1 <<<'{"devices": [{"allow": false, "access": "rwm"}]}'
		assert_status 0
	done
	local out="$TEST_TMP/detached.out"
	[[ ! -s "$out" ]] || fail "a write to /dev/null failed during the updates: $(head -c 200 "$out")"
	if [[ $(cgroup_version devices) == v1 ]]; then
		[[ "$(cat "$(container_cgroup devices)/devices.list")" != *"c 10:200"* ]] ||
			fail "the rule taken away is still there: $(cat "$(container_cgroup devices)/devices.list")"
	fi
}
