#!/usr/bin/env bats
# `ocirun events`: the stats line and its runc field names, numbers that
# follow what the container does, OOM lines, exiting once the container
# stops, and the errors. Each test runs on whichever cgroup layout the
# machine has (hybrid here, pure cgroup v2 under tests/vm) and branches on
# it only where the files, and so the output, differ.

# status, output and stderr are set by bats' `run` and ocirun_detached;
# backticks in single quotes are the error messages' own.
# shellcheck disable=SC2154,SC2016

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}

# events ARGS: the runtime's events command, bounded so that a broken one
# fails the test instead of hanging the suite.
events() {
	timeout 20 "$OCIRUN" --root "$OCIRUN_ROOT" events "$@"
}

# start_container [RESOURCES] -- ARGS: container c1 running ARGS, with
# linux.resources set to the python expression RESOURCES.
start_container() {
	local resources=
	if [[ "$1" != -- ]]; then
		resources=$1
		shift
	fi
	shift
	container_bundle "$BUNDLE" "$@"
	[[ -z "$resources" ]] || edit_config "$BUNDLE" "c['linux']['resources'] = $resources"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	[[ "$status" -eq 0 ]] || fail "run --detach failed: $stderr"
}

# stats: one `events --stats c1` line in STATS.
stats() {
	run --separate-stderr events --stats c1
	assert_status 0
	assert_stderr_empty
	assert_line_count 1
	STATS=$output
}

# stat_value PATH: a number of the stats line, by its path in data
# ("memory.usage.usage").
stat_value() {
	json_assert "$STATS" '
v = d["data"]
for key in sys.argv[2].split("."):
    v = v[key]
print(v)' "$1"
}

# proc_state PID: the state letter of PID (Z for a zombie), or nothing.
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# wait_exit PID SECONDS WHAT: waits for our background PID to exit, its
# status in WAIT_STATUS; fails when it still runs after SECONDS.
wait_exit() {
	local pid=$1 end=$((SECONDS + $2)) state
	while state=$(proc_state "$pid") && [[ -n "$state" && "$state" != Z ]]; do
		((SECONDS < end)) || fail "$3 (pid $pid) still runs after $2 seconds"
		sleep 0.1
	done
	WAIT_STATUS=0
	wait "$pid" || WAIT_STATUS=$?
}

# wait_for FILE PATTERN SECONDS: until a line of FILE matches PATTERN.
wait_for() {
	local end=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		((SECONDS < end)) || fail "no line matching $2 in $1 after $3 seconds: $(cat "$1" 2>/dev/null)"
		sleep 0.1
	done
}

# wait_for_file FILE: until FILE exists (10 s at most).
wait_for_file() {
	local end=$((SECONDS + 10))
	until [[ -e "$1" ]]; do
		((SECONDS < end)) || fail "$1 did not appear"
		sleep 0.1
	done
}

# wait_oom_watch PID: until PID holds the eventfd (cgroup v1) or inotify
# instance (v2) that it is told of OOM kills through.
wait_oom_watch() {
	local end=$((SECONDS + 10)) fd pattern='^anon_inode:(\[eventfd\]|inotify)$'
	while :; do
		for fd in /proc/"$1"/fd/*; do
			[[ "$(readlink "$fd" 2>/dev/null)" =~ $pattern ]] && return 0
		done
		((SECONDS < end)) || fail "pid $1 has no eventfd or inotify fd: $(cat "$TEST_TMP/events.err")"
		sleep 0.1
	done
}

# watch_events ARGS: `events ARGS c1` in the background, its lines in
# $TEST_TMP/events.out, its pid in EVENTS_PID (teardown kills it).
watch_events() {
	# shellcheck disable=SC2217 # fd 3 closed: bats must not wait for it
	"$OCIRUN" --root "$OCIRUN_ROOT" events "$@" c1 </dev/null \
		>"$TEST_TMP/events.out" 2>"$TEST_TMP/events.err" 3>&- &
	EVENTS_PID=$!
	TEST_PIDS+=("$EVENTS_PID")
}

# wait_stopped: until container c1's state says stopped.
wait_stopped() {
	local end=$((SECONDS + 10))
	until [[ "$(container_status c1)" == stopped ]]; do
		((SECONDS < end)) || fail "container c1 did not stop"
		sleep 0.1
	done
}

@test "events --stats: one stats line with runc's field names and what this host's files have" {
	start_container "{'memory': {'limit': 33554432}, 'pids': {'limit': 64}}" -- sleep 1000
	stats
	local cpuacct="" memory_version
	[[ $(cgroup_version cpuacct) == v1 ]] && cpuacct=$(container_cgroup cpuacct)
	memory_version=$(cgroup_version memory)
	json_assert "$STATS" '
import glob
cpuacct, cpu, memory, version, hugetlb, cpuset, cpuset_version = sys.argv[2:9]
exists = lambda d, f: os.path.exists(os.path.join(d, f))
eq(d["type"], "stats", "type")
eq(d["id"], "c1", "id")
s = d["data"]
# Every section of the types.Stats of runc, in its order, as runc writes them.
eq(list(s), ["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"],
   "sections")

usage = s["cpu"]["usage"]
check(set(usage) <= {"total", "percpu", "percpu_kernel", "percpu_user", "kernel", "user"},
      "cpu.usage keys: %r" % sorted(usage))
check(usage["total"] > 0, "cpu.usage.total is %r" % usage["total"])
check("kernel" in usage and "user" in usage, "cpu.usage has no kernel/user: %r" % usage)
if cpuacct:
    eq(len(usage["percpu"]), len(open(cpuacct + "/cpuacct.usage_percpu").read().split()),
       "cpu.usage.percpu entries")
else:
    check("percpu" not in usage, "percpu on cgroup v2, which has no per-CPU counts")
if "nr_periods" in open(cpu + "/cpu.stat").read():
    eq(sorted(s["cpu"]["throttling"]), ["periods", "throttledPeriods", "throttledTime"],
       "cpu.throttling keys")

m = s["memory"]
check(set(m) <= {"cache", "usage", "swap", "kernel", "kernelTCP", "raw"}, "memory keys: %r" % sorted(m))
check(len(m["raw"]) > 5 and all(isinstance(v, int) for v in m["raw"].values()), "memory.raw: %r" % m["raw"])
check(m["usage"]["usage"] > 0, "memory.usage.usage is %r" % m["usage"]["usage"])
if version == "v1":
    eq(sorted(m["usage"]), ["failcnt", "limit", "max", "usage"], "memory.usage keys")
    eq(m["cache"], m["raw"]["cache"], "memory.cache")
    eq("swap" in m, exists(memory, "memory.memsw.usage_in_bytes"), "memory.swap present")
    eq("kernel" in m, exists(memory, "memory.kmem.usage_in_bytes"), "memory.kernel present")
    eq("kernelTCP" in m, exists(memory, "memory.kmem.tcp.usage_in_bytes"), "memory.kernelTCP present")
else:
    expected = ["failcnt", "limit", "usage"] + (["max"] if exists(memory, "memory.peak") else [])
    eq(sorted(m["usage"]), sorted(expected), "memory.usage keys")
    eq(m["cache"], m["raw"]["file"], "memory.cache")
    eq("swap" in m, exists(memory, "memory.swap.current"), "memory.swap present")
    check("kernel" not in m and "kernelTCP" not in m, "kernel memory on cgroup v2")

eq(s["pids"]["current"], 1, "pids.current")
eq(s["pids"]["limit"], 64, "pids.limit")

for table in s.get("blkio", {}).values():
    for entry in table:
        eq(sorted(entry), ["major", "minor", "op", "value"], "blkio entry keys")

sizes = set()
if hugetlb:
    for path in glob.glob(hugetlb + "/hugetlb.*"):
        parts = os.path.basename(path).split(".")
        if len(parts) == 3 and parts[2] in ("usage_in_bytes", "current"):
            sizes.add(parts[1])
eq(set(s.get("hugetlb", {})), sizes, "hugetlb page sizes")
for size, entry in s.get("hugetlb", {}).items():
    check("usage" in entry and "failcnt" in entry, "hugetlb.%s: %r" % (size, entry))

# cpuset: the "0-1,3" lists of the kernel one by one, and on v1 its flags.
def cpu_list(text):
    out = []
    for part in filter(None, text.strip().split(",")):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    return out
c = s["cpuset"]
suffix = "" if cpuset_version == "v1" else ".effective"
if os.path.exists(cpuset + "/cpuset.cpus" + suffix):
    eq(c["cpus"], cpu_list(open(cpuset + "/cpuset.cpus" + suffix).read()), "cpuset.cpus")
    eq(c["mems"], cpu_list(open(cpuset + "/cpuset.mems" + suffix).read()), "cpuset.mems")
    check(len(c["cpus"]) >= 1, "cpuset.cpus is empty")
if cpuset_version == "v1":
    for key in ("cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
                "memory_spread_page", "memory_spread_slab", "memory_pressure",
                "sched_load_balance", "sched_relax_domain_level"):
        eq(c[key], int(open(cpuset + "/cpuset." + key).read()), "cpuset." + key)
eq(s["intel_rdt"], {}, "intel_rdt without a resctrl group")
' "$cpuacct" "$(container_cgroup cpu)" "$(container_cgroup memory)" "$memory_version" \
		"$([[ -d "$(container_cgroup hugetlb)" ]] && container_cgroup hugetlb)" \
		"$(container_cgroup cpuset)" "$(cgroup_version cpuset)"
}

@test "events --stats: network_interfaces counts the container's own interfaces, null in the host's namespace" {
	# Three refused connections over lo: a SYN and a RST each, every packet
	# both sent and received on lo.
	start_container -- sh -c 'for i in 1 2 3; do nc 127.0.0.1 9 </dev/null 2>/dev/null; done; touch /tmp/done; exec sleep 1000'
	wait_for_file "$BUNDLE/rootfs/tmp/done"
	stats
	json_assert "$STATS" '
interfaces = d["data"]["network_interfaces"]
names = [i["Name"] for i in interfaces]
eq(names, ["lo"], "interfaces of a new network namespace")
lo = interfaces[0]
eq(sorted(lo), sorted(["Name", "RxBytes", "RxPackets", "RxErrors", "RxDropped",
                       "TxBytes", "TxPackets", "TxErrors", "TxDropped"]), "the keys of runc")
check(lo["RxPackets"] >= 6 and lo["TxPackets"] >= 6, "lo counted %r" % lo)
check(lo["RxBytes"] >= 6 * 40 and lo["TxBytes"] == lo["RxBytes"], "lo bytes %r" % lo)'

	ocirun delete --force c1
	rm -rf "$BUNDLE"
	start_container -- sleep 1000
	edit_config "$BUNDLE" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network']"
	ocirun delete --force c1
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	stats
	json_assert "$STATS" 'eq(d["data"]["network_interfaces"], None, "network_interfaces in the host namespace")'
}

@test "events --stats: memory.usage.limit is the configured limit, pids.limit 0 for none" {
	start_container "{'memory': {'limit': 41943040}}" -- sleep 1000
	stats
	assert_equal "$(stat_value memory.usage.limit)" 41943040 memory.usage.limit
	assert_equal "$(stat_value pids.limit)" 0 "pids.limit without a limit"

	ocirun delete --force c1
	rm -rf "$BUNDLE"
	start_container -- sleep 1000
	stats
	if [[ $(cgroup_version memory) == v1 ]]; then
		assert_equal "$(stat_value memory.usage.limit)" "$(cat "$(container_cgroup memory)/memory.limit_in_bytes")" \
			"memory.usage.limit without a limit"
	else
		# runc's number for "max".
		assert_equal "$(stat_value memory.usage.limit)" 18446744073709551615 \
			"memory.usage.limit without a limit"
	fi
}

@test "events --stats: cpu.usage.total grows while the container is busy" {
	start_container -- sh -c 'while :; do :; done'
	stats
	local before
	before=$(stat_value cpu.usage.total)
	sleep 0.5
	stats
	local after
	after=$(stat_value cpu.usage.total)
	# Half a second of a busy loop is well over 0.1 s of CPU time.
	((after - before > 100000000)) || fail "cpu.usage.total went from $before to $after"
}

@test "events --stats: memory.usage.usage grows when the container fills a tmpfs" {
	start_container -- sh -c 'until [ -e /tmp/go ]; do sleep 0.1; done; dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 2>/dev/null; touch /tmp/done; sleep 1000'
	stats
	local before
	before=$(stat_value memory.usage.usage)
	touch "$BUNDLE/rootfs/tmp/go"
	wait_for_file "$BUNDLE/rootfs/tmp/done"
	stats
	local after
	after=$(stat_value memory.usage.usage)
	# tmpfs pages stay charged to the cgroup that wrote them.
	((after - before >= 12 * 1024 * 1024)) || fail "memory.usage.usage went from $before to $after"
}

@test "events --stats: pids.current counts the container's processes" {
	start_container -- sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
	local end=$((SECONDS + 10))
	until stats && [[ $(stat_value pids.current) == 3 ]]; do
		((SECONDS < end)) || fail "pids.current is $(stat_value pids.current), not 3"
		sleep 0.1
	done
	run --separate-stderr ocirun ps --format json c1
	assert_status 0
	json_assert "$output" 'eq(len(d), 3, "processes in ps")'
}

@test "events: an OOM kill is an oom line at once, and events exits once the container is gone" {
	local resources="'memory': {'limit': 16777216"
	# Without swap the hog cannot page out; with it, memory plus swap is
	# held at the limit too.
	[[ $(wc -l </proc/swaps) -le 1 ]] || resources+=", 'swap': 16777216"
	# The hog is the init, so the kill stops the container. (Bundle
	# arguments are one per line: the script is on one.)
	local HOG='until [ -e /tmp/go ]; do sleep 0.1; done; exec awk "BEGIN { s = \"x\"; while (1) s = s s }"'
	start_container "{$resources}}" -- sh -c "$HOG"
	# A long interval: the oom line must not wait for it.
	watch_events --interval 1h
	wait_oom_watch "$EVENTS_PID"
	touch "$BUNDLE/rootfs/tmp/go"
	wait_for "$TEST_TMP/events.out" '^{"type":"oom","id":"c1"}$' 15
	wait_stopped
	kill_our_pid "$EVENTS_PID"

	# Liveness is checked on every wake-up: with a short interval events
	# ends by itself once the killed init is gone.
	ocirun delete --force c1
	rm -rf "$BUNDLE"
	start_container "{$resources}}" -- sh -c "$HOG"
	watch_events --interval 100ms
	wait_for "$TEST_TMP/events.out" '"type":"stats"' 10
	touch "$BUNDLE/rootfs/tmp/go"
	wait_exit "$EVENTS_PID" 15 "events"
	assert_equal "$WAIT_STATUS" 0 "events' exit status"
	[[ ! -s "$TEST_TMP/events.err" ]] || fail "events wrote to stderr: $(cat "$TEST_TMP/events.err")"
	grep -qx '{"type":"oom","id":"c1"}' "$TEST_TMP/events.out" ||
		fail "no oom line: $(cut -c1-100 "$TEST_TMP/events.out")"
	local line
	while read -r line; do
		json_assert "$line" 'check(d["type"] in ("stats", "oom"), "type %r" % d["type"])
eq(d["id"], "c1", "id")'
	done <"$TEST_TMP/events.out"
}

@test "events: stats every --interval, exit 0 by itself when the container stops" {
	start_container -- sleep 1000
	watch_events --interval 100ms
	wait_for "$TEST_TMP/events.out" '"type":"stats"' 10
	sleep 0.5
	local count
	count=$(grep -c '"type":"stats"' "$TEST_TMP/events.out")
	((count >= 3)) || fail "only $count stats lines after 0.6 s at 100 ms"
	ocirun kill c1 KILL
	wait_exit "$EVENTS_PID" 10 "events"
	assert_equal "$WAIT_STATUS" 0 "events' exit status"
	[[ ! -s "$TEST_TMP/events.err" ]] || fail "events wrote to stderr: $(cat "$TEST_TMP/events.err")"
	local line
	while read -r line; do
		json_assert "$line" 'eq(d["type"], "stats", "type"); eq(d["id"], "c1", "id")'
	done <"$TEST_TMP/events.out"
}

# wait_pidfd PID: until PID holds a pidfd (events' watch on the init).
wait_pidfd() {
	local end=$((SECONDS + 10)) fd
	while :; do
		for fd in /proc/"$1"/fd/*; do
			[[ "$(readlink "$fd" 2>/dev/null)" == "anon_inode:[pidfd]" ]] && return 0
		done
		((SECONDS < end)) || fail "pid $1 has no pidfd: $(cat "$TEST_TMP/events.err")"
		sleep 0.1
	done
}

@test "events: ends as soon as the container's init exits, not at the next interval" {
	start_container -- sh -c 'until [ -e /tmp/go ]; do sleep 0.1; done'
	watch_events --interval 1h
	wait_pidfd "$EVENTS_PID"
	touch "$BUNDLE/rootfs/tmp/go"
	# The cgroup stays until delete: only the init's exit can end it.
	wait_exit "$EVENTS_PID" 10 "events --interval 1h"
	assert_equal "$WAIT_STATUS" 0 "events' exit status"
	[[ ! -s "$TEST_TMP/events.out" ]] || fail "events printed: $(cut -c1-100 "$TEST_TMP/events.out")"
	[[ ! -s "$TEST_TMP/events.err" ]] || fail "events wrote to stderr: $(cat "$TEST_TMP/events.err")"
	assert_equal "$(container_status c1)" stopped "the container's status"
}

@test "events: the first stats line after one interval: the default 5s, and 1s" {
	start_container -- sleep 1000
	local start=$SECONDS elapsed
	watch_events
	wait_for "$TEST_TMP/events.out" '"type":"stats"' 20
	elapsed=$((SECONDS - start))
	# Lines never come early; a loaded machine may make them late.
	((elapsed >= 4)) || fail "the first line came after ${elapsed} s with the default interval"
	json_assert "$(head -n 1 "$TEST_TMP/events.out")" 'eq(d["type"], "stats", "type"); eq(d["id"], "c1", "id")
check(d["data"]["pids"]["current"] == 1, "pids %r" % d["data"]["pids"])'
	kill_our_pid "$EVENTS_PID"

	watch_events --interval 1s
	local end=$((SECONDS + 15))
	until [[ $(grep -c '"type":"stats"' "$TEST_TMP/events.out") -ge 2 ]]; do
		((SECONDS < end)) || fail "fewer than 2 lines after 15 s at 1s: $(cut -c1-100 "$TEST_TMP/events.out")"
		sleep 0.1
	done
	local line
	while read -r line; do
		json_assert "$line" 'eq(d["type"], "stats", "type"); eq(d["id"], "c1", "id")'
	done <"$TEST_TMP/events.out"
}

@test "events: --interval takes Go durations, and a bad one is a usage error naming the flag" {
	start_container -- sleep 1000
	local interval
	for interval in 5s 500ms 1m 1m30s 1.5h 250us 10ns; do
		run --separate-stderr events --stats --interval "$interval" c1
		assert_status 0
	done

	for interval in 5 abc 1x 5s5 ""; do
		run --separate-stderr events --interval "$interval" c1
		assert_usage_error events "events: --interval: \`$interval\` is not a duration (like 5s, 500ms or 1m)"
	done
	for interval in 0 0s -1s; do
		run --separate-stderr events --interval "$interval" c1
		assert_usage_error events "events: --interval: \`$interval\` must be greater than 0"
	done
	run --separate-stderr events
	assert_usage_error events "events: expected exactly one container id"
}

@test "events: an unknown container is an error" {
	run --separate-stderr events --stats nope
	assert_error 'container `nope` does not exist'
	run --separate-stderr events nope
	assert_error 'container `nope` does not exist'
}

@test "events: a stopped container is an error" {
	start_container -- true
	wait_stopped
	run --separate-stderr events --stats c1
	assert_error 'container `c1` is not running'
	run --separate-stderr events --interval 100ms c1
	assert_error 'container `c1` is not running'
}
