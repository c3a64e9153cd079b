#!/usr/bin/env bats
# linux.resources read back from the cgroup files, and what the limits do
# to the processes; pause/resume, update and kill --all. Every test runs on
# whichever layout the machine has: on this host that is hybrid (v1
# controllers, hugetlb on cgroup2); tests/vm runs the same file on pure
# cgroup v2. Each test asserts the behaviour its layout must show.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}

# cg_cat CONTROLLER FILE: one file of the container's cgroup, on one line.
cg_cat() {
	tr '\n' ' ' <"$(container_cgroup "$1")/$2" | sed 's/ $//'
}

# with_resources JSON: sets linux.resources (a python expression) on $BUNDLE.
with_resources() {
	edit_config "$BUNDLE" "c['linux']['resources'] = $1"
}

start_sleeper() {
	container_bundle "$BUNDLE" sleep 1000
	[[ $# -eq 0 ]] || with_resources "$1"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	[[ "$status" -eq 0 ]] || fail "run --detach failed: $stderr"
}

assert_file() { # assert_file CONTROLLER FILE EXPECTED
	local got
	got=$(cg_cat "$1" "$2") || fail "cannot read $2"
	[[ "$got" == "$3" ]] || fail "$(container_cgroup "$1")/$2: expected \`$3\`, got \`$got\`"
}

@test "memory: limit, reservation and swap are written, converted to swap alone on cgroup v2" {
	start_sleeper "{'memory': {'limit': 33554432, 'reservation': 16777216, 'swap': 50331648}}"
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_file memory memory.limit_in_bytes 33554432
		assert_file memory memory.soft_limit_in_bytes 16777216
		assert_file memory memory.memsw.limit_in_bytes 50331648
	else
		assert_file memory memory.max 33554432
		assert_file memory memory.low 16777216
		assert_file memory memory.swap.max 16777216
	fi
}

@test "memory: -1 means no limit" {
	start_sleeper "{'memory': {'limit': -1, 'swap': -1}}"
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_file memory memory.limit_in_bytes 9223372036854771712
	else
		assert_file memory memory.max max
		assert_file memory memory.swap.max max
	fi
}

@test "memory: swap below the limit is refused naming the field, and nothing is left" {
	container_bundle "$BUNDLE" true
	with_resources "{'memory': {'limit': 33554432, 'swap': 16777216}}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.memory.swap: 16777216 is memory plus swap and cannot be below memory.limit"
	assert_nothing_left c1
}

@test "memory: swappiness, disableOOMKiller and kernelTCP on v1; v2 warns or refuses what it lacks" {
	container_bundle "$BUNDLE" sleep 1000
	with_resources "{'memory': {'limit': 33554432, 'swappiness': 7, 'kernelTCP': 8388608}}"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_file memory memory.swappiness 7
		assert_file memory memory.kmem.tcp.limit_in_bytes 8388608
	else
		[[ "$stderr" == *"linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness"* ]] ||
			fail "no warning about swappiness: $stderr"
		[[ "$stderr" == *"linux.resources.memory.kernelTCP: ignored"* ]] ||
			fail "no warning about kernelTCP: $stderr"
	fi
	ocirun delete --force c1

	BUNDLE="$TEST_TMP/c2"
	container_bundle "$BUNDLE" sleep 1000
	with_resources "{'memory': {'disableOOMKiller': True}}"
	ocirun_detached run --detach --bundle "$BUNDLE" c2
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_status 0
		[[ "$(tr '\n' ' ' <"$(container_cgroup memory c2)/memory.oom_control")" == *"oom_kill_disable 1"* ]] ||
			fail "oom_control: $(cat "$(container_cgroup memory c2)/memory.oom_control")"
	else
		assert_status 1
		[[ "$stderr" == *"linux.resources.memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off"* ]] ||
			fail "$stderr"
		assert_nothing_left c2
	fi
}

@test "memory: a process over the limit is OOM-killed (exit 137) and the kernel counts it" {
	container_bundle "$BUNDLE" sh -c 'head -c 67108864 /dev/zero | tail'
	with_resources "{'memory': {'limit': 8388608, 'swap': 8388608}}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	ocirun start c1
	wait_for_status c1 stopped
	if [[ $(cgroup_version memory) == v1 ]]; then
		[[ "$(cg_cat memory memory.oom_control)" =~ oom_kill\ [1-9] ]] ||
			fail "no oom kill counted: $(cg_cat memory memory.oom_control)"
	else
		[[ "$(cg_cat memory memory.events)" =~ oom_kill\ [1-9] ]] ||
			fail "no oom kill counted: $(cg_cat memory memory.events)"
	fi
}

@test "memory: the foreground run of a memory hog exits 137" {
	container_bundle "$BUNDLE" sh -c 'head -c 67108864 /dev/zero | tail'
	with_resources "{'memory': {'limit': 8388608, 'swap': 8388608}}"
	run ocirun run --bundle "$BUNDLE" c1
	assert_status 137
}

@test "memory 512 KiB and pids.limit 1 still run /bin/true: ocirun's own footprint is tiny" {
	container_bundle "$BUNDLE" true
	with_resources "{'memory': {'limit': 524288, 'swap': 524288}, 'pids': {'limit': 1}}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_stderr_empty
}

@test "cpu: shares, quota, period and burst (cpu.weight and cpu.max on v2)" {
	start_sleeper "{'cpu': {'shares': 1024, 'quota': 50000, 'period': 100000, 'burst': 10000}}"
	if [[ $(cgroup_version cpu) == v1 ]]; then
		assert_file cpu cpu.shares 1024
		assert_file cpu cpu.cfs_quota_us 50000
		assert_file cpu cpu.cfs_period_us 100000
		assert_file cpu cpu.cfs_burst_us 10000
	else
		# 1024 shares, the v1 default, is the v2 default weight.
		assert_file cpu cpu.weight 100
		assert_file cpu cpu.max "50000 100000"
		assert_file cpu cpu.max.burst 10000
	fi
}

@test "cpu: the ends of the shares range map onto the ends of cpu.weight" {
	start_sleeper "{'cpu': {'shares': 2, 'quota': -1}}"
	if [[ $(cgroup_version cpu) == v1 ]]; then
		# The kernel stores shares scaled down and reads 2 back as 3.
		[[ "$(cg_cat cpu cpu.shares)" == [23] ]] || fail "cpu.shares: $(cg_cat cpu cpu.shares)"
		assert_file cpu cpu.cfs_quota_us -1
	else
		assert_file cpu cpu.weight 1
		[[ "$(cg_cat cpu cpu.max)" == "max "* ]] || fail "cpu.max: $(cg_cat cpu cpu.max)"
	fi
	ocirun update --cpu-share 262144 c1
	if [[ $(cgroup_version cpu) == v1 ]]; then
		assert_file cpu cpu.shares 262144
	else
		assert_file cpu cpu.weight 10000
	fi
}

@test "cpu: idle puts the cgroup under SCHED_IDLE" {
	start_sleeper "{'cpu': {'idle': 1}}"
	assert_file cpu cpu.idle 1
	run ocirun update --cpu-idle 0 c1
	assert_status 0
	assert_file cpu cpu.idle 0
}

@test "cpu: realtime runtime is written on v1 and refused on v2" {
	container_bundle "$BUNDLE" true
	with_resources "{'cpu': {'realtimeRuntime': 0, 'realtimePeriod': 1000000}}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	if [[ $(cgroup_version cpu) == v1 ]]; then
		assert_status 0
	else
		assert_status 1
		assert_stderr_contains "linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time group scheduling"
		assert_nothing_left c1
	fi
}

@test "cpuset: cpus and mems" {
	start_sleeper "{'cpu': {'cpus': '0', 'mems': '0'}}"
	assert_file cpuset cpuset.cpus 0
	assert_file cpuset cpuset.mems 0
	run ocirun exec c1 cat /proc/self/status
	assert_status 0
	assert_output_contains "Cpus_allowed_list:	0"
}

@test "pids: the limit is written, and a fork beyond it fails inside" {
	container_bundle "$BUNDLE" sh -c 'sleep 1000 & sleep 1000 & sleep 1000 & wait'
	with_resources "{'pids': {'limit': 5}}"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_file pids pids.max 5
	# sh and three sleeps: the exec'd sh is the fifth task, its child the sixth.
	run ocirun exec c1 sh -c 'sleep 1 & wait'
	assert_status 2
	assert_output_contains "can't fork"
	ocirun update --pids-limit 0 c1
	assert_file pids pids.max max
	run ocirun exec c1 sh -c 'sleep 0 & wait; echo forked'
	assert_status 0
	assert_output_contains forked
}

# The first whole block device, for throttle rules: "MAJOR:MINOR".
block_device() {
	local dev
	for dev in /sys/block/*/dev; do
		[[ -e "$dev" ]] && { cat "$dev"; return 0; }
	done
	return 1
}

@test "blockIO: throttle rules for a real device are written" {
	local dev
	dev=$(block_device) || skip "machine limit: no block device"
	start_sleeper "{'blockIO': {'throttleReadBpsDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:}, 'rate': 1048576}],
	'throttleWriteIOPSDevice': [{'major': ${dev%:*}, 'minor': ${dev#*:}, 'rate': 100}]}}"
	if [[ $(cgroup_version blkio) == v1 ]]; then
		assert_file blkio blkio.throttle.read_bps_device "$dev 1048576"
		assert_file blkio blkio.throttle.write_iops_device "$dev 100"
	else
		assert_file io io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
	fi
}

@test "blockIO: a weight goes to the kernel's weight file, or is refused naming the field" {
	container_bundle "$BUNDLE" sleep 1000
	with_resources "{'blockIO': {'weight': 500}}"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	if [[ "$status" -eq 0 ]]; then
		local f found=""
		for f in blkio.weight blkio.bfq.weight io.bfq.weight io.weight; do
			[[ -e "$(container_cgroup blkio)/$f" ]] && found+="$f=$(cg_cat blkio "$f") "
		done
		# io.weight takes blkio's 500 converted: 1 + (500 - 10) * 9999 / 990.
		[[ "$found" == *"weight=500"* || "$found" == *"weight=default 500"* || "$found" == *"io.weight=default 4950"* ]] ||
			fail "weight files: $found"
	else
		assert_stderr_contains "config.json: linux.resources.blockIO.weight: this kernel has no"
		assert_nothing_left c1
	fi
	container_bundle "$TEST_TMP/c2" true
	edit_config "$TEST_TMP/c2" "c['linux']['resources'] = {'blockIO': {'weight': 5}}"
	run --separate-stderr ocirun run --bundle "$TEST_TMP/c2" c2
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.blockIO.weight: 5 is out of range [10, 1000]"
}

@test "hugepageLimits: the limit and its reservation are written for the host's page size" {
	local size
	size=$(ls /sys/kernel/mm/hugepages 2>/dev/null | head -n 1)
	[[ -n "$size" ]] || skip "machine limit: the kernel has no huge pages"
	size=${size#hugepages-}
	size=${size%kB}
	# Four pages: the kernel rounds a limit down to whole pages.
	local limit=$((size * 1024 * 4))
	# The kernel's names: 2048kB is 2MB, 1048576kB is 1GB.
	if ((size % 1048576 == 0)); then
		size=$((size / 1048576))GB
	elif ((size % 1024 == 0)); then
		size=$((size / 1024))MB
	else
		size=${size}KB
	fi
	start_sleeper "{'hugepageLimits': [{'pageSize': '$size', 'limit': $limit}]}"
	if [[ $(cgroup_version hugetlb) == v1 ]]; then
		assert_file hugetlb "hugetlb.$size.limit_in_bytes" "$limit"
	else
		assert_file hugetlb "hugetlb.$size.max" "$limit"
		if [[ -e "$(container_cgroup hugetlb)/hugetlb.$size.rsvd.max" ]]; then
			assert_file hugetlb "hugetlb.$size.rsvd.max" "$limit"
		fi
	fi
}

@test "hugepageLimits: a malformed or missing page size is refused naming the field, leaving nothing" {
	container_bundle "$BUNDLE" true
	with_resources "{'hugepageLimits': [{'pageSize': '2M', 'limit': 1}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains 'config.json: linux.resources.hugepageLimits[0].pageSize: "2M" does not match'
	with_resources "{'hugepageLimits': [{'pageSize': '3MB', 'limit': 1}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.resources.hugepageLimits[0].pageSize: this host has no 3MB huge pages"
	assert_nothing_left c1
}

@test "network and rdma: refused naming the field where their controller is missing" {
	container_bundle "$BUNDLE" true
	with_resources "{'network': {'classID': 1048577}}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	if findmnt -rn -t cgroup -o OPTIONS | tr ',' '\n' | grep -qx net_cls; then
		assert_status 0
	else
		assert_status 1
		assert_stderr_contains "config.json: linux.resources.network.classID: the net_cls controller is not available"
		assert_nothing_left c1
	fi
	with_resources "{'rdma': {'mlx5_0': {'hcaHandles': 3}}}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	# No RDMA device here: a host with the controller refuses the write.
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.rdma"
	assert_nothing_left c1
}

# Whether the host mounts any cgroup v1 hierarchy (v1 or hybrid layout).
has_v1_hierarchies() {
	[[ -n "$(findmnt -rn -t cgroup -o TARGET)" ]]
}

@test "unified: refused on a host with v1 hierarchies, as runc refuses it, alone or beside v1 fields" {
	has_v1_hierarchies || skip "machine limit: cgroup v2 alone (the next test covers it)"
	container_bundle "$BUNDLE" true
	local resources
	for resources in "{'unified': {'cgroup.max.descendants': '3'}}" \
		"{'pids': {'limit': 30}, 'unified': {'hugetlb.2MB.max': '0'}}" \
		"{'memory': {'limit': 33554432}, 'unified': {'memory.high': '33554432'}}"; do
		with_resources "$resources"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_status 1
		assert_stderr_contains "config.json: linux.resources.unified: cannot use unified on cgroup v1: this host mounts cgroup v1 hierarchies"
		assert_nothing_left c1
	done
	# update takes no unified either.
	container_bundle "$TEST_TMP/c2" sleep 1000
	ocirun_detached run --detach --bundle "$TEST_TMP/c2" c2
	assert_status 0
	run --separate-stderr ocirun update --resources - c2 <<<'{"unified": {"pids.max": "10"}}'
	assert_status 1
	assert_stderr_contains "linux.resources.unified: cannot use unified on cgroup v1"
}

@test "unified: cgroup2 files are written; a controller not enabled there is refused by name" {
	! has_v1_hierarchies || skip "machine limit: v1 hierarchies mounted, where unified is refused (the test above)"
	start_sleeper "{'unified': {'cgroup.max.descendants': '3'}}"
	local unified
	unified=$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)
	[[ "$(cat "$unified/$TEST_CGROUP_PREFIX/c1/cgroup.max.descendants")" == 3 ]] ||
		fail "cgroup.max.descendants not written"
	container_bundle "$TEST_TMP/c2" true
	edit_config "$TEST_TMP/c2" "c['linux']['resources'] = {'unified': {'memory.high': '33554432'}}"
	run --separate-stderr ocirun run --bundle "$TEST_TMP/c2" c2
	assert_status 0
	edit_config "$TEST_TMP/c2" "c['linux']['resources'] = {'unified': {'cgroup.procs': '1'}}"
	run --separate-stderr ocirun run --bundle "$TEST_TMP/c2" c2
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.unified: \`cgroup.procs\` is not a cgroup2 interface file a container may set"
}

@test "devices: the default nodes work; others need a rule, which the kernel then enforces" {
	container_bundle "$BUNDLE" sh -c 'echo x >/dev/null && head -c 1 /dev/zero >/dev/null && echo defaults-ok; (exec 3<>/dev/net/tun) 2>&1 && echo tun-opened; true'
	edit_config "$BUNDLE" "c['linux']['devices'] = [{'path': '/dev/net/tun', 'type': 'c', 'major': 10, 'minor': 200}]"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_output_contains defaults-ok
	assert_output_contains "/dev/net/tun: Operation not permitted"
	edit_config "$BUNDLE" "c['linux']['resources']['devices'].append({'allow': True, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'rw'})"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	[[ "$output" != *"Operation not permitted"* ]] || fail "tun still refused with an allow rule: $output"
	[[ "$output" == *tun-opened* || ! -e /sys/class/misc/tun ]] || fail "tun did not open: $output"
}

@test "devices: the v1 list holds exactly the rules, with the defaults last" {
	[[ $(cgroup_version devices) == v1 ]] || skip "machine limit: no v1 devices controller (cgroup v2 uses a BPF program, tested in tests/unit/test-devices-bpf)"
	start_sleeper "{'devices': [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'b', 'major': 7, 'access': 'r'}]}"
	assert_file devices devices.list "b 7:* r c 1:3 rwm c 1:5 rwm c 1:7 rwm c 1:8 rwm c 1:9 rwm c 5:0 rwm c 5:1 rwm c 5:2 rwm c 136:* rwm"
}

@test "devices: a bad rule is refused before anything is made" {
	container_bundle "$BUNDLE" true
	with_resources "{'devices': [{'allow': True, 'type': 'x', 'access': 'rwm'}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.devices[0].type: \`x\` is not a, b or c"
	with_resources "{'devices': [{'allow': True, 'type': 'c', 'access': 'rwq'}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: linux.resources.devices[0].access: \`rwq\` is not a combination of r, w and m"
	assert_nothing_left c1
}

@test "pause freezes every process, state says paused, resume thaws them" {
	container_bundle "$BUNDLE" sh -c 'i=0; while true; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	sleep 0.3
	run ocirun pause c1
	assert_status 0
	[[ "$(container_status c1)" == paused ]] || fail "state: $(container_status c1)"
	if [[ $(cgroup_version freezer) == v1 ]]; then
		assert_file freezer freezer.state FROZEN
	else
		[[ "$(cg_cat freezer cgroup.events)" == *"frozen 1"* ]] || fail "cgroup.events: $(cg_cat freezer cgroup.events)"
	fi
	local rootfs="$BUNDLE/rootfs" before after
	before=$(cat "$rootfs/tmp/count")
	sleep 0.5
	after=$(cat "$rootfs/tmp/count")
	[[ "$before" == "$after" ]] || fail "the counter moved while paused: $before -> $after"
	run ocirun pause c1
	assert_status 1
	run --separate-stderr ocirun exec c1 true
	assert_error_status 255 "cannot exec in container \`c1\`: it is paused (use --ignore-paused to override)"
	run ocirun resume c1
	assert_status 0
	[[ "$(container_status c1)" == running ]] || fail "state: $(container_status c1)"
	sleep 0.5
	after=$(cat "$rootfs/tmp/count")
	[[ "$before" != "$after" ]] || fail "the counter did not move after resume"
	run --separate-stderr ocirun resume c1
	assert_status 1
	assert_stderr_contains "cannot resume container \`c1\`: it is running, not paused"
}

@test "exec --ignore-paused into a paused container starts frozen and runs once resumed, as runc's" {
	start_sleeper
	run ocirun pause c1
	assert_status 0
	local out="$TEST_TMP/exec.out" exec_pid
	ocirun exec --ignore-paused c1 sh -c 'echo ran; exit 5' >"$out" 2>&1 </dev/null &
	exec_pid=$!
	TEST_PIDS+=("$exec_pid")
	sleep 1
	[[ -d "/proc/$exec_pid" ]] || fail "exec finished while the container was paused: $(cat "$out")"
	[[ ! -s "$out" ]] || fail "the process ran while the container was paused: $(cat "$out")"
	run ocirun resume c1
	assert_status 0
	local status=0
	wait "$exec_pid" || status=$?
	assert_equal "$status $(cat "$out")" "5 ran" "exec's status and output once resumed"
}

@test "delete --force of a paused container kills it and removes its cgroup" {
	start_sleeper
	ocirun pause c1
	run ocirun delete --force c1
	assert_status 0
	assert_nothing_left c1
}

@test "update: flags and --resources change the files; only what is given changes" {
	start_sleeper "{'memory': {'limit': 33554432}, 'pids': {'limit': 50}}"
	run ocirun update --memory 64m --pids-limit 20 c1
	assert_status 0
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_file memory memory.limit_in_bytes 67108864
	else
		assert_file memory memory.max 67108864
	fi
	assert_file pids pids.max 20
	run ocirun update --resources - c1 <<<'{"pids": {"limit": 30}}'
	assert_status 0
	assert_file pids pids.max 30
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_file memory memory.limit_in_bytes 67108864
	else
		assert_file memory memory.max 67108864
	fi
	echo '{"cpu": {"shares": 512}}' >"$TEST_TMP/r.json"
	run ocirun update -r "$TEST_TMP/r.json" --pids-limit 40 c1
	assert_status 0
	assert_file pids pids.max 40
	if [[ $(cgroup_version cpu) == v1 ]]; then
		assert_file cpu cpu.shares 512
	fi
}

@test "update: bad input is one line naming the field; a stopped container cannot be updated" {
	start_sleeper
	run --separate-stderr ocirun update --resources - c1 <<<'{"memory": {"limit": "1G"}}'
	assert_status 1
	assert_stderr_contains 'memory.limit: expected integer, got string "1G"'
	run --separate-stderr ocirun update --memory lots c1
	assert_status 1
	assert_stderr_contains "update: --memory: \`lots\` is not a size"
	run --separate-stderr ocirun update c1
	assert_status 1
	assert_stderr_contains "update: nothing to change"
	run --separate-stderr ocirun update --resources - c1 <<<'{"devices": [{"allow": true, "type": "z"}]}'
	assert_status 1
	assert_stderr_contains "linux.resources.devices[0].type: \`z\` is not a, b or c"
	ocirun kill c1 KILL
	wait_for_status c1 stopped
	run --separate-stderr ocirun update --pids-limit 3 c1
	assert_status 1
	assert_stderr_contains "cannot update container \`c1\`: it is stopped"
}

@test "update: memory.checkBeforeUpdate refuses a limit below the current usage" {
	container_bundle "$BUNDLE" sh -c 'head -c 8388608 /dev/zero >/dev/shm/fill; sleep 1000'
	edit_config "$BUNDLE" "c['mounts'].append({'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm', 'options': ['size=16m']})"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local i
	for i in $(seq 50); do
		ocirun exec c1 test -s /dev/shm/fill && [[ $(ocirun exec c1 wc -c </dev/null /dev/shm/fill) == 8388608* ]] && break
		sleep 0.1
	done
	run --separate-stderr ocirun update --resources - c1 <<<'{"memory": {"limit": 1048576, "checkBeforeUpdate": true}}'
	assert_status 1
	assert_stderr_contains "linux.resources.memory.limit: 1048576 is below the container's current usage"
}

@test "kill --all signals every process in the cgroup" {
	container_bundle "$BUNDLE" sh -c 'sleep 1000 & sleep 1000 & wait'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local procs
	procs=$(cg_cat pids cgroup.procs)
	[[ $(wc -w <<<"$procs") -eq 3 ]] || fail "expected 3 processes, got: $procs"
	run ocirun kill --all c1 KILL
	assert_status 0
	local i
	for i in $(seq 100); do
		[[ -z "$(cg_cat pids cgroup.procs)" ]] && break
		sleep 0.05
	done
	[[ -z "$(cg_cat pids cgroup.procs)" ]] || fail "left in the cgroup: $(cg_cat pids cgroup.procs)"
}

@test "kill --all with SIGTERM reaches a paused container's processes once resumed" {
	container_bundle "$BUNDLE" sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	ocirun pause c1
	run ocirun kill --all c1 TERM
	assert_status 0
	ocirun resume c1
	wait_for_status c1 stopped
}

@test "a relative cgroupsPath lands below ocirun's own cgroup; parents made for it go on delete" {
	container_bundle "$BUNDLE" sleep 1000
	edit_config "$BUNDLE" "c['linux']['cgroupsPath'] = '$TEST_CGROUP_PREFIX/c1'"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local own mount
	own=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)
	[[ -n "$own" ]] || own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	mount=$(cgroup_mount pids)
	[[ "${own%/}" == "" ]] && own=""
	[[ -d "$mount$own/$TEST_CGROUP_PREFIX/c1" ]] || fail "no cgroup at $mount$own/$TEST_CGROUP_PREFIX/c1"
	ocirun delete --force c1
	[[ ! -e "$mount$own/$TEST_CGROUP_PREFIX" ]] || fail "the parent made for c1 was left: $mount$own/$TEST_CGROUP_PREFIX"
}
