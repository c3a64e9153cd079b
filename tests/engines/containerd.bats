#!/usr/bin/env bats
# containerd's runc shim (io.containerd.runc.v2) driving ocirun, through
# ctr with --runc-binary, next to the same commands with Debian's runc. The
# shim calls the runtime with --root, --log and --log-format json for
# create, start, exec, state, kill, delete, pause, resume, ps and update.

load engines

setup_file() {
	engine_setup_file containerd
}

teardown_file() {
	engine_teardown_file
}

teardown() {
	engine_teardown
}

start_sleeper() {
	eng-run -d "$@" "$IMAGE" c1 sleep 1000 >/dev/null
}

task_status() {
	ctr tasks ls | awk '$1 == "c1" {print $3}'
}

# ctr's containers have no cgroup mount inside, whatever the runtime: their
# limits are read from the host side, in the cgroup eng-run named.
host_cgroup_file() { # host_cgroup_file CONTROLLER FILE
	cat "$(cgroup_mount "$1")$ENGINES_CGROUP/containerd/c1/$2"
}

@test "ctr run: stdout and the exit status of the process" {
	both eng-run --rm "$IMAGE" c1 sh -c 'echo out; echo err >&2; exit 3'
	assert_like_runc 3
	assert_equal "$output" out
}

@test "ctr run: the runtime's error reaches the user, not 'unable to retrieve OCI runtime error'" {
	both eng-run --rm "$IMAGE" c1 /no/such/program
	assert_like_runc
	[[ "$status" -ne 0 ]] || fail "ctr run of a missing program succeeded"
	[[ "$stderr" == *"/no/such/program"* ]] || { print_both; fail "the error does not name the program"; }
	[[ "$stderr" != *"unable to retrieve OCI runtime error"* ]] || { print_both; fail "containerd could not read ocirun's --log"; }
}

@test "ctr run --rm: the container and task are gone afterwards" {
	scenario() {
		eng-run --rm "$IMAGE" c1 true || return
		ctr containers ls -q
		ctr tasks ls -q
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" ""
}

@test "ctr run -t: the process has a terminal (console socket)" {
	scenario() { in_pty "eng-run -t --rm $IMAGE c1 sh -c 'test -t 0 && test -t 1 && echo tty; exit 2'"; }
	both scenario
	assert_like_runc 2
	assert_both_contain "tty"
}

@test "ctr run -d, tasks ls, kill, delete: the task's life" {
	scenario() {
		start_sleeper || return
		task_status
		ctr tasks kill -s SIGKILL c1 || return
		wait_until 10 sh -c '[ "$(ctr tasks ls | awk "\$1 == \"c1\" {print \$3}")" = STOPPED ]' && echo STOPPED
		ctr tasks delete c1 || return
		ctr tasks ls -q
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "RUNNING
STOPPED"
}

@test "ctr tasks exec: exit status, --user and --cwd" {
	scenario() {
		start_sleeper || return
		ctr tasks exec --exec-id e1 --user 1000 --cwd /tmp c1 sh -c 'id -u; pwd; exit 6'
	}
	both scenario
	assert_like_runc 6
	assert_equal "$output" "1000
/tmp"
}

@test "ctr tasks exec -t: a terminal for the exec'd process" {
	scenario() {
		start_sleeper || return
		# What else ctr prints on the terminal (a resize error after the
		# exit, a stray ^@) comes and goes with timing, for either runtime.
		in_pty "ctr tasks exec -t --exec-id e1 c1 sh -c 'test -t 1 && echo is-a-tty'" | grep -o is-a-tty
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" is-a-tty
}

@test "ctr tasks ps: the container's processes from the runtime's ps" {
	scenario() {
		start_sleeper || return
		ctr tasks ps c1 | sed 1d | wc -l
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" 1
}

@test "ctr tasks metrics: the cgroup's numbers" {
	scenario() {
		start_sleeper --memory-limit 67108864 || return
		ctr tasks metrics c1 | grep -E '^memory.limit_in_bytes|^pids.current' | awk '{print $1, $2}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "memory.limit_in_bytes 67108864
pids.current 1"
}

@test "ctr tasks pause and resume" {
	scenario() {
		start_sleeper || return
		ctr tasks pause c1 || return
		task_status
		ctr tasks resume c1 || return
		task_status
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "PAUSED
RUNNING"
}

@test "ctr run --memory-limit: OOM kill is exit 137" {
	both eng-run --rm --memory-limit 33554432 "$IMAGE" c1 sh -c 'tail /dev/zero'
	assert_like_runc 137
}

@test "ctr run --cpus, --cpu-shares and --cap-drop" {
	scenario() {
		eng-run -d --cpus 0.5 --cpu-shares 512 --cap-drop CAP_CHOWN "$IMAGE" c1 sleep 1000 || return
		host_cgroup_file cpu cpu.cfs_quota_us
		host_cgroup_file cpu cpu.shares
		ctr tasks exec --exec-id e1 c1 sh -c 'chown 1000 /tmp 2>/dev/null || echo no chown'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "50000
512
no chown"
}

@test "ctr run --read-only, --cwd, --env, --mount" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	echo host-file >"$BATS_TEST_TMPDIR/data/f"
	both eng-run --rm --read-only --cwd /tmp --env A=b \
		--mount "type=bind,src=$BATS_TEST_TMPDIR/data,dst=/data,options=rbind:ro" "$IMAGE" c1 \
		sh -c 'pwd; echo $A; cat /data/f; touch /x 2>/dev/null || echo read-only'
	assert_like_runc 0
	assert_equal "$output" "/tmp
b
host-file
read-only"
}

@test "ctr run --seccomp: the default profile is in force" {
	both eng-run --rm --seccomp "$IMAGE" c1 grep Seccomp: /proc/self/status
	assert_like_runc 0
	assert_equal "$output" "Seccomp:	2"
}

@test "ctr run --net-host and --privileged" {
	both eng-run --rm --net-host --privileged "$IMAGE" c1 sh -c 'readlink /proc/self/ns/net; test -c /dev/kmsg && echo kmsg'
	assert_like_runc 0
	assert_equal "$output" "$(readlink /proc/self/ns/net)
kmsg"
}

@test "ctr run --device and --with-ns: a host device node and the host's pid namespace" {
	# pid 1 of this machine is no ordinary init: even root may not open its
	# namespaces (either runtime fails), so the test's own shell stands in.
	both eng-run --rm --device /dev/zero --with-ns "pid:/proc/$$/ns/pid" "$IMAGE" c1 sh -c \
		'head -c 5 /dev/zero | wc -c; readlink /proc/self/ns/pid'
	assert_like_runc 0
	assert_equal "$output" "5
$(readlink /proc/self/ns/pid)"
}

@test "ctr tasks attach: the output of a running task until it exits" {
	scenario() {
		eng-run -d "$IMAGE" c1 sh -c 'sleep 2; echo late' >/dev/null || return
		ctr tasks attach c1 </dev/null
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" late
}
