#!/usr/bin/env bats
# The container's process as config.json describes it, checked from inside
# (what the process itself sees in /proc/self, id, ulimit, uname...) and,
# where the runtime leaves a trace, from outside: args and the PATH lookup,
# env, cwd, user, umask, rlimits, oom_score_adj, no_new_privs, capabilities,
# scheduler, I/O priority, personality, CPU affinity, hostname, domainname
# and sysctls. Failures of create must leave nothing behind.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	teardown_common
}

# The container's process in the foreground: stdout in $output, stderr in
# $stderr, the exit status in $status.
run_container() {
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
}


# The value of FIELD (e.g. CapBnd) in /proc/PID/status, or in the status
# text given on stdin when PID is "-".
status_field() { # status_field FIELD [PID]
	if [[ "${2:--}" == - ]]; then
		sed -n "s/^$1:[[:space:]]*//p"
	else
		sed -n "s/^$1:[[:space:]]*//p" "/proc/$2/status"
	fi
}

# Whether this process (and so ocirun, started from it) holds CAP_SYS_RESOURCE
# (bit 24) in its effective set.
have_cap_sys_resource() {
	local eff
	eff=$(status_field CapEff $$)
	(((16#$eff >> 24) & 1))
}

# ---------------------------------------------------------------------------
# process.args, process.env, process.cwd

@test "process.args: the program is found in the rootfs through process.env's PATH, in PATH order" {
	container_bundle "$BUNDLE" ocirun-test-which
	mkdir -p "$BUNDLE/rootfs/usr/local/bin"
	printf '#!/bin/sh\necho from /usr/local/bin\n' >"$BUNDLE/rootfs/usr/local/bin/ocirun-test-which"
	printf '#!/bin/sh\necho from /bin\n' >"$BUNDLE/rootfs/bin/ocirun-test-which"
	chmod 755 "$BUNDLE/rootfs/usr/local/bin/ocirun-test-which" "$BUNDLE/rootfs/bin/ocirun-test-which"
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/usr/local/bin:/bin"]'
	run_container
	assert_status 0
	assert_output_equals "from /usr/local/bin"

	# The order is PATH's, not a fixed one.
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/bin:/usr/local/bin"]'
	run_container
	assert_status 0
	assert_output_equals "from /bin"
}

@test "process.args: a program that exists only on the host is not found" {
	# /usr/bin/python3 exists on the host (the helpers need it), not in the
	# busybox rootfs.
	container_bundle "$BUNDLE" python3 -c 'print(1)'
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/usr/bin:/bin"]'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains 'exec "python3": executable file not found in $PATH'
	assert_nothing_left c1
}

@test "process.args: every argument reaches the program unchanged" {
	container_bundle "$BUNDLE" sh -c 'for a in "$0" "$@"; do echo "[$a]"; done' zero 'two words' '' '$HOME' "it's" '*'
	run_container
	assert_status 0
	assert_output_equals "[zero]
[two words]
[]
[\$HOME]
[it's]
[*]"
}

@test "process.env: the process sees exactly process.env, in order" {
	container_bundle "$BUNDLE" env
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/bin", "HOME=/root", "B=two words", "A=1", "EMPTY=", "WITH_EQUALS=a=b", "TERM=dumb"]'
	run_container
	assert_status 0
	assert_output_equals "PATH=/bin
HOME=/root
B=two words
A=1
EMPTY=
WITH_EQUALS=a=b
TERM=dumb"
}

@test "process.env: without HOME, HOME is the user's home from the container's /etc/passwd (as runc and crun do)" {
	container_bundle "$BUNDLE" env
	edit_config "$BUNDLE" 'c["process"]["env"] = ["PATH=/bin", "A=1"]
c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	run_container
	assert_status 0
	# The order of the added HOME is not the point; the set is.
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" "$(printf '%s\n' A=1 HOME=/home/test PATH=/bin | sort)" "the environment"
}

@test "process.cwd: the process starts in process.cwd" {
	container_bundle "$BUNDLE" sh -c 'pwd; readlink /proc/self/cwd'
	mkdir -p "$BUNDLE/rootfs/srv/work dir"
	edit_config "$BUNDLE" 'c["process"]["cwd"] = "/srv/work dir"'
	run_container
	assert_status 0
	assert_output_equals "/srv/work dir
/srv/work dir"
}

@test "process.cwd: a cwd only root may search is entered before the user is switched, as in runc" {
	container_bundle "$BUNDLE" sh -c 'pwd; ls . >/dev/null 2>&1 || echo cannot list'
	mkdir -p "$BUNDLE/rootfs/private"
	chmod 0700 "$BUNDLE/rootfs/private"
	edit_config "$BUNDLE" 'c["process"]["cwd"] = "/private"
c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	run_container
	assert_status 0
	# The process is in /private, and what it may do there is its user's.
	assert_output_equals "/private
cannot list"
}

# ---------------------------------------------------------------------------
# process.user

@test "process.user: uid, gid and additionalGids are the process's ids, and nothing else" {
	container_bundle "$BUNDLE" sh -c 'id; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 65534]}'
	run_container
	assert_status 0
	assert_equal "${lines[0]}" "uid=1000(test) gid=1000(test) groups=5(tty),65534(nogroup)" "id"
	assert_equal "$(printf '%s\n' "${lines[@]:1}" | tr -s '\t ' ' ' | sed 's/ $//')" "Uid: 1000 1000 1000 1000
Gid: 1000 1000 1000 1000
Groups: 5 65534" "/proc/self/status"
}

@test "process.user: a uid without additionalGids has no supplementary groups" {
	container_bundle "$BUNDLE" sh -c 'id -G; grep ^Groups: /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
	run_container
	assert_status 0
	assert_equal "${lines[0]}" "1000" "id -G"
	assert_equal "$(echo "${lines[1]}" | tr -d '\t ')" "Groups:" "/proc/self/status"
}

@test "process.user.umask: is the process's umask and applies to the files it creates" {
	container_bundle "$BUNDLE" sh -c 'umask; touch /tmp/file; mkdir /tmp/dir; stat -c "%a %n" /tmp/file /tmp/dir'
	edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 0, "gid": 0, "umask": 0o027}'
	run_container
	assert_status 0
	assert_output_equals "0027
640 /tmp/file
750 /tmp/dir"
}

# ---------------------------------------------------------------------------
# process.rlimits

@test "process.rlimits: soft and hard limits of RLIMIT_NOFILE and RLIMIT_CORE" {
	container_bundle "$BUNDLE" sh -c 'ulimit -Sn; ulimit -Hn; grep -E "^Max (core file size|open files)" /proc/self/limits'
	edit_config "$BUNDLE" 'c["process"]["rlimits"] = [
    {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
    {"type": "RLIMIT_CORE", "soft": 1048576, "hard": 4194304}]'
	run_container
	assert_status 0
	assert_equal "${lines[0]}" 512 "ulimit -Sn"
	assert_equal "${lines[1]}" 2048 "ulimit -Hn"
	assert_equal "$(printf '%s\n' "${lines[@]:2}" | tr -s ' ' | sed 's/ $//')" "Max core file size 1048576 4194304 bytes
Max open files 512 2048 files" "/proc/self/limits"
}

@test "process.rlimits: a NOFILE hard limit above ocirun's fails create with the CAP_SYS_RESOURCE reason and leaves nothing" {
	local hard
	hard=$(ulimit -Hn)
	[[ "$hard" != unlimited ]] || fail "this test needs a finite hard RLIMIT_NOFILE for the test runner; it is unlimited"
	local want=$((hard + 10000))
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': $want}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	if have_cap_sys_resource; then
		# With the capability, raising the hard limit is allowed.
		assert_status 0
		ocirun delete --force c1
		return
	fi
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "process.rlimits[0]: setrlimit RLIMIT_NOFILE to 1024/$want: Operation not permitted"
	assert_stderr_contains "CAP_SYS_RESOURCE"
	assert_nothing_left c1
}

@test "process.rlimits: a NOFILE hard limit above fs.nr_open fails create naming that ceiling" {
	# No capability lifts fs.nr_open; Docker's --ulimit can ask for more.
	local nr_open want
	nr_open=$(cat /proc/sys/fs/nr_open)
	want=$((nr_open + 1))
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $want, 'hard': $want}]"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_error "create c1: process.rlimits[0]: setrlimit RLIMIT_NOFILE to $want/$want: Operation not permitted (RLIMIT_NOFILE cannot exceed fs.nr_open, $nr_open)"
	assert_nothing_left c1
}

# ---------------------------------------------------------------------------
# process.oomScoreAdj, process.noNewPrivileges

@test "process.oomScoreAdj: is the process's /proc/self/oom_score_adj, already while created" {
	container_bundle "$BUNDLE" cat /proc/self/oom_score_adj
	edit_config "$BUNDLE" 'c["process"]["oomScoreAdj"] = 423'
	run_container
	assert_status 0
	assert_output_equals 423

	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c2
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	assert_equal "$(cat "/proc/$pid/oom_score_adj")" 423 "the created init's oom_score_adj"
	ocirun delete --force c2
}

@test "process.noNewPrivileges: true sets NoNewPrivs, false leaves it clear" {
	container_bundle "$BUNDLE" sh -c 'grep ^NoNewPrivs: /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["noNewPrivileges"] = True'
	run_container
	assert_status 0
	assert_equal "$(echo "$output" | tr -d '\t ')" "NoNewPrivs:1" "with noNewPrivileges true"

	edit_config "$BUNDLE" 'c["process"]["noNewPrivileges"] = False'
	run_container
	assert_status 0
	assert_equal "$(echo "$output" | tr -d '\t ')" "NoNewPrivs:0" "with noNewPrivileges false"
}

# ---------------------------------------------------------------------------
# process.capabilities
#
# Bits: CAP_CHOWN 0, CAP_KILL 5, CAP_SETUID 7, CAP_NET_BIND_SERVICE 10.

@test "process.capabilities: the five sets of a non-root process, before and after execve" {
	container_bundle "$BUNDLE" sh -c 'grep ^Cap /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
    "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "effective": ["CAP_NET_BIND_SERVICE"],
    "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "ambient": ["CAP_NET_BIND_SERVICE"]}'

	# The created init holds exactly the configured sets.
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	assert_equal "$(status_field CapBnd "$pid")" 00000000000004a1 "CapBnd of the created init"
	assert_equal "$(status_field CapPrm "$pid")" 0000000000000420 "CapPrm of the created init"
	assert_equal "$(status_field CapEff "$pid")" 0000000000000400 "CapEff of the created init"
	assert_equal "$(status_field CapInh "$pid")" 0000000000000420 "CapInh of the created init"
	assert_equal "$(status_field CapAmb "$pid")" 0000000000000400 "CapAmb of the created init"
	ocirun delete --force c1

	# After execve of a file without capabilities by uid 1000, the kernel
	# keeps the bounding and inheritable sets, and permitted = effective =
	# the ambient set.
	run_container
	assert_status 0
	assert_equal "$(echo "$output" | status_field CapBnd)" 00000000000004a1 "CapBnd"
	assert_equal "$(echo "$output" | status_field CapInh)" 0000000000000420 "CapInh"
	assert_equal "$(echo "$output" | status_field CapPrm)" 0000000000000400 "CapPrm"
	assert_equal "$(echo "$output" | status_field CapEff)" 0000000000000400 "CapEff"
	assert_equal "$(echo "$output" | status_field CapAmb)" 0000000000000400 "CapAmb"
}

@test "process.capabilities: ambient capabilities that are not inheritable are left out with a warning, as runc runs its own spec" {
	# The capabilities `runc spec` writes: ambient, but not inheritable.
	container_bundle "$BUNDLE" sh -c 'grep -E "^Cap(Prm|Amb)" /proc/self/status'
	edit_config "$BUNDLE" 'caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
c["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps, "ambient": caps}'
	run_container
	assert_status 0
	assert_equal "$(echo "$output" | status_field CapPrm)" 0000000020000420 "CapPrm"
	assert_equal "$(echo "$output" | status_field CapAmb)" 0000000000000000 "CapAmb"
	local cap
	for cap in CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE; do
		assert_stderr_contains "process.capabilities.ambient: $cap is left out: an ambient capability must also be in the permitted and inheritable sets"
	done
}

@test "process.capabilities: the sets of a root process with noNewPrivileges" {
	container_bundle "$BUNDLE" sh -c 'grep ^Cap /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["noNewPrivileges"] = True
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
    "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "inheritable": ["CAP_KILL"]}'
	run_container
	assert_status 0
	# For uid 0 execve computes permitted = bounding | inheritable, which
	# no_new_privs cuts back to the permitted set the process had; the
	# effective set is all of it.
	assert_equal "$(echo "$output" | status_field CapBnd)" 00000000000004a1 "CapBnd"
	assert_equal "$(echo "$output" | status_field CapInh)" 0000000000000020 "CapInh"
	assert_equal "$(echo "$output" | status_field CapPrm)" 0000000000000420 "CapPrm"
	assert_equal "$(echo "$output" | status_field CapEff)" 0000000000000420 "CapEff"
	assert_equal "$(echo "$output" | status_field CapAmb)" 0000000000000000 "CapAmb"
}

@test "process.capabilities: an unknown capability fails create naming it and the set, leaving nothing" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["process"]["capabilities"]["permitted"].append("CAP_NO_SUCH_THING")'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains 'process.capabilities.permitted: unknown capability "CAP_NO_SUCH_THING"'
	assert_nothing_left c1
}

@test "process.capabilities: CAP_SYS_RESOURCE, which ocirun lacks here, fails create saying so, leaving nothing" {
	container_bundle "$BUNDLE" sh -c 'grep ^CapBnd /proc/self/status'
	edit_config "$BUNDLE" 'c["process"]["capabilities"]["bounding"].append("CAP_SYS_RESOURCE")'
	if have_cap_sys_resource; then
		# Where the runner holds it, the container gets it (bit 24).
		run_container
		assert_status 0
		(((16#$(echo "$output" | status_field CapBnd) >> 24) & 1)) || fail "CAP_SYS_RESOURCE is not in the bounding set: $output"
		return
	fi
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "process.capabilities.bounding: CAP_SYS_RESOURCE is not in ocirun's own bounding set, so the container cannot get it"
	assert_nothing_left c1
}

# ---------------------------------------------------------------------------
# process.scheduler, process.ioPriority, linux.personality, execCPUAffinity

@test "process.scheduler: SCHED_BATCH with a nice value" {
	# Fields 19 and 41 of /proc/self/stat: nice and policy (3 = SCHED_BATCH).
	container_bundle "$BUNDLE" sh -c 'cut -d" " -f19,41 /proc/self/stat'
	edit_config "$BUNDLE" 'c["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}'
	run_container
	assert_status 0
	assert_output_equals "7 3"
}

@test "process.scheduler: SCHED_IDLE" {
	container_bundle "$BUNDLE" sh -c 'cut -d" " -f41 /proc/self/stat'
	edit_config "$BUNDLE" 'c["process"]["scheduler"] = {"policy": "SCHED_IDLE"}'
	run_container
	assert_status 0
	assert_output_equals 5
}

@test "process.ioPriority: class and priority, seen by ionice inside and outside" {
	/bin/busybox --list | grep -qx ionice || fail "the test rootfs's busybox has no ionice applet"
	container_bundle "$BUNDLE" ionice
	edit_config "$BUNDLE" 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 3}'
	run_container
	assert_status 0
	assert_output_equals "best-effort: prio 3"

	edit_config "$BUNDLE" 'c["process"]["args"] = ["sleep", "1000"]
c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	ocirun_detached run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c2
	assert_status 0
	run ionice -p "$(cat "$TEST_TMP/pid")"
	assert_status 0
	assert_output_equals "idle"
	ocirun delete --force c2
}

@test "linux.personality: LINUX32 makes uname -m report the 32-bit machine" {
	local expected
	# setarch(8) asks the kernel for the same personality.
	expected=$(setarch linux32 uname -m) || fail "setarch linux32 does not work on this host"
	container_bundle "$BUNDLE" uname -m
	edit_config "$BUNDLE" 'c["linux"]["personality"] = {"domain": "LINUX32"}'
	run_container
	assert_status 0
	assert_output_equals "$expected"
	[[ "$expected" != "$(uname -m)" ]] || fail "linux32 changes nothing on this machine ($expected)"
}

@test "process.execCPUAffinity: the created init runs on the initial CPUs, the process on the final ones" {
	local cpus last
	cpus=$(status_field Cpus_allowed_list $$)
	# The highest CPU this test may use; with only one, both lists name it.
	last=$(echo "$cpus" | tr ',' '\n' | sed 's/.*-//' | sort -n | tail -1)
	container_bundle "$BUNDLE" sh -c 'grep ^Cpus_allowed_list: /proc/self/status; sleep 1000'
	edit_config "$BUNDLE" "c['process']['execCPUAffinity'] = {'initial': '0', 'final': '$last'}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	assert_equal "$(status_field Cpus_allowed_list "$pid")" 0 "the created init's CPUs"
	ocirun start c1
	for _ in $(seq 50); do [[ -s "$TEST_TMP/detached.out" ]] && break; sleep 0.1; done
	assert_equal "$(status_field Cpus_allowed_list - <"$TEST_TMP/detached.out")" "$last" "the process's CPUs"
	assert_equal "$(status_field Cpus_allowed_list "$pid")" "$last" "the process's CPUs, seen from outside"
	ocirun delete --force c1
}

# ---------------------------------------------------------------------------
# hostname, domainname, linux.sysctl

@test "hostname and domainname are the container's, and the host's stay" {
	local host_name host_domain
	host_name=$(cat /proc/sys/kernel/hostname)
	host_domain=$(cat /proc/sys/kernel/domainname)
	container_bundle "$BUNDLE" sh -c 'hostname; uname -n; cat /proc/sys/kernel/domainname'
	edit_config "$BUNDLE" 'c["hostname"] = "box-1"
c["domainname"] = "example.test"'
	run_container
	assert_status 0
	assert_output_equals "box-1
box-1
example.test"
	assert_equal "$(cat /proc/sys/kernel/hostname)" "$host_name" "the host's hostname"
	assert_equal "$(cat /proc/sys/kernel/domainname)" "$host_domain" "the host's domainname"
}

@test "hostname without a uts namespace fails create naming the field" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["hostname"] = "box-1"
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: hostname: setting it needs a uts namespace"
	assert_nothing_left c1
}

@test "domainname without a uts namespace fails create naming the field, and the host's stays" {
	local host_domain
	host_domain=$(cat /proc/sys/kernel/domainname)
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["domainname"] = "example.test"
c.pop("hostname", None)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "config.json: domainname: setting it needs a uts namespace"
	assert_nothing_left c1
	assert_equal "$(cat /proc/sys/kernel/domainname)" "$host_domain" "the host's domainname"
}

@test "linux.sysctl: values are set in the container's own net and ipc namespaces, with /proc/sys read-only as spec makes it" {
	local host_forward host_msgmax
	host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
	host_msgmax=$(cat /proc/sys/kernel/msgmax)
	container_bundle "$BUNDLE" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax; if (echo 0 >/proc/sys/net/ipv4/ip_forward) 2>/dev/null; then echo writable; else echo read-only; fi'
	# The default config of `ocirun spec` lists /proc/sys in readonlyPaths;
	# sysctls are written before it is made read-only (as runc does).
	edit_config "$BUNDLE" 'assert "/proc/sys" in c["linux"]["readonlyPaths"]
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096"}'
	run_container
	assert_status 0
	assert_output_equals "1
4096
read-only"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward" "the host's ip_forward"
	assert_equal "$(cat /proc/sys/kernel/msgmax)" "$host_msgmax" "the host's msgmax"
}

@test "linux.sysctl: a key that does not exist fails create naming it, leaving nothing" {
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" 'c["linux"]["readonlyPaths"].remove("/proc/sys")
c["linux"]["sysctl"] = {"net.ipv4.no_such_key": "1"}'
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "linux.sysctl: set net.ipv4.no_such_key to \`1\`"
	assert_nothing_left c1
}
