#!/usr/bin/env bats
# The everyday commands of the two docker-style CLIs, podman and Docker,
# through ocirun and through Debian's runc: `ENGINE=podman bats cli.bats` or
# `ENGINE=docker bats cli.bats` (tests/engines/run.sh runs both). Every test
# runs the same scenario with each runtime and compares what the user sees.

load engines

setup_file() {
	engine_setup_file "${ENGINE:?set ENGINE=podman or ENGINE=docker}"
}

teardown_file() {
	engine_teardown_file
}

teardown() {
	engine_teardown
}

# A container that counts seconds on stdout; ready once it printed tick 0.
start_counter() {
	eng-run -d --name c1 "$@" "$IMAGE" sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 1; done' >/dev/null &&
		wait_until 20 sh -c 'eng logs c1 2>/dev/null | grep -q "tick 0"'
}

# A container that sleeps, for exec and friends.
start_sleeper() {
	eng-run -d --name c1 "$@" "$IMAGE" sleep 1000 >/dev/null
}

inspect() { # inspect CONTAINER GO-TEMPLATE
	eng inspect --format "$2" "$1"
}

# ---------------------------------------------------------------------------
# run

@test "$ENGINE run: stdout and the exit status of the process" {
	both eng-run --rm "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
	assert_like_runc 3
	assert_equal "$output" out
}

@test "$ENGINE run: a command that is not in the image is exit 127 with the runtime's reason" {
	both eng-run --rm "$IMAGE" /no/such/program
	assert_like_runc 127
	[[ "$stderr" == *"/no/such/program"* ]] || { print_both; fail "the error does not name the program"; }
}

@test "$ENGINE run: the runtime's error comes through its JSON --log" {
	# podman (conmon) and containerd's shim pass --log FILE --log-format json
	# and show the message found there; without it containerd says "unable
	# to retrieve OCI runtime error". A NOFILE limit above fs.nr_open passes
	# the engines' own checks and fails in any runtime.
	both eng-run --rm --ulimit nofile=2000000:2000000 "$IMAGE" true
	assert_like_runc
	[[ "$status" -ne 0 ]] || fail "a NOFILE limit above fs.nr_open was accepted"
	[[ "$stderr" == *"process.rlimits[0]: setrlimit RLIMIT_NOFILE to 2000000/2000000: Operation not permitted (RLIMIT_NOFILE cannot exceed fs.nr_open"* ]] ||
		{ print_both; fail "the error does not name the field and the reason"; }
	[[ "$stderr" != *"unable to retrieve OCI runtime error"* ]] || { print_both; fail "the engine could not read ocirun's --log"; }
}

@test "$ENGINE run --rm: the container is gone afterwards" {
	scenario() {
		eng-run --rm --name c1 "$IMAGE" true || return
		eng ps -a --format '{{.Names}}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" ""
}

@test "$ENGINE run -d, wait: the exit status comes back" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c 'sleep 0.5; exit 5' >/dev/null || return
		eng wait c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" 5
}

@test "$ENGINE run -i: stdin reaches the process" {
	scenario() { printf 'one\ntwo\n' | eng-run -i --rm "$IMAGE" sh -c 'cat; echo done'; }
	both scenario
	assert_like_runc 0
	assert_equal "$output" "one
two
done"
}

@test "$ENGINE run -t: the process has a terminal" {
	both eng-run -t --rm "$IMAGE" sh -c 'test -t 0 && test -t 1 && echo tty; exit 2'
	assert_like_runc 2
	assert_equal "$output" $'tty\r'
}

@test "$ENGINE run -it: input typed on the terminal reaches the shell" {
	scenario() { typed_in_pty 'echo typed $((6*7)); exit 4' "eng-run -it --rm $IMAGE sh"; }
	both scenario
	assert_like_runc 4
	assert_equal "$output" "typed 42"
}

# ---------------------------------------------------------------------------
# exec

@test "$ENGINE exec: exit status, -e, -w and -u" {
	scenario() {
		start_sleeper || return
		eng exec -e FOO=bar -w /tmp -u 1000 c1 sh -c 'echo $FOO; pwd; id -u; exit 6'
	}
	both scenario
	assert_like_runc 6
	assert_equal "$output" "bar
/tmp
1000"
}

@test "$ENGINE exec -t and -it: a terminal for the exec'd process" {
	scenario() {
		start_sleeper || return
		eng exec -t c1 sh -c 'test -t 1 && echo tty' || return
		typed_in_pty 'echo in $((1+2)); exit' "eng exec -it c1 sh"
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" $'tty\r\nin 3'
}

@test "$ENGINE exec -d: the process runs in the background" {
	scenario() {
		start_sleeper || return
		eng exec -d c1 sh -c 'echo detached >/tmp/mark' >/dev/null || return
		wait_until 10 eng exec c1 test -s /tmp/mark && eng exec c1 cat /tmp/mark
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" detached
}

@test "$ENGINE exec into a stopped container fails" {
	scenario() {
		eng-run --name c1 "$IMAGE" true || return
		eng exec c1 true
	}
	both scenario
	assert_like_runc
	[[ "$status" -ne 0 ]] || fail "exec into a stopped container succeeded"
}

# ---------------------------------------------------------------------------
# logs, attach, cp, top, stats

@test "$ENGINE logs: what the process wrote" {
	scenario() {
		eng-run --name c1 "$IMAGE" sh -c 'echo first; echo second' >/dev/null || return
		eng logs c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "first
second"
}

@test "$ENGINE attach: the output of a running container until it exits" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c 'sleep 2; echo late; exit 9' >/dev/null || return
		eng attach --no-stdin c1
	}
	both scenario
	# Docker's attach exits with the container's status, podman's with 0.
	assert_like_runc
	assert_equal "$output" late
}

@test "$ENGINE cp: files into and out of a running container" {
	scenario() {
		start_sleeper || return
		echo payload >"$BATS_TEST_TMPDIR/in"
		eng cp "$BATS_TEST_TMPDIR/in" c1:/tmp/in || return
		eng exec c1 sh -c 'cat /tmp/in; echo back >/tmp/out' || return
		eng cp c1:/tmp/out "$BATS_TEST_TMPDIR/out" && cat "$BATS_TEST_TMPDIR/out"
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "payload
back"
}

@test "$ENGINE top: the container's processes" {
	scenario() {
		start_sleeper || return
		eng top c1 | sed 1d | grep -c 'sleep 1000'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" 1
}

@test "$ENGINE stats: memory and pids of a running container" {
	scenario() {
		start_sleeper || return
		eng stats --no-stream --format '{{.Name}} {{.PIDs}}' c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "c1 1"
}

# ---------------------------------------------------------------------------
# pause, update, stop, kill, restart, rm

@test "$ENGINE pause and unpause: the counter stops and goes on" {
	scenario() {
		start_counter || return
		eng pause c1 >/dev/null || return
		inspect c1 '{{.State.Status}}'
		local before after
		before=$(eng logs c1 | wc -l)
		sleep 2
		after=$(eng logs c1 | wc -l)
		[[ "$before" == "$after" ]] && echo stopped counting
		eng unpause c1 >/dev/null || return
		inspect c1 '{{.State.Status}}'
		wait_until 30 sh -c "[ \$(eng logs c1 | wc -l) -gt $after ]" && echo counting again
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "paused
stopped counting
running
counting again"
}

@test "$ENGINE update: memory and cpu limits of a running container change" {
	scenario() {
		start_sleeper --memory 64m --memory-swap 128m || return
		eng update --memory 96m --memory-swap 192m --cpu-shares 256 c1 >/dev/null || return
		eng exec c1 sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "100663296
201326592
256"
}

@test "$ENGINE stop: SIGTERM, then SIGKILL after the timeout" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >/dev/null || return
		sleep 0.5
		eng stop -t 5 c1 >/dev/null || return
		inspect c1 '{{.State.ExitCode}}'
		eng-run -d --name c2 "$IMAGE" sleep 1000 >/dev/null || return
		eng stop -t 1 c2 >/dev/null || return
		inspect c2 '{{.State.ExitCode}}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "7
137"
}

@test "$ENGINE kill: a chosen signal reaches the process" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done' >/dev/null || return
		sleep 0.5
		eng kill -s USR1 c1 >/dev/null || return
		eng wait c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" 10
}

@test "$ENGINE restart: the container runs again with a new process" {
	scenario() {
		start_sleeper || return
		local before
		before=$(inspect c1 '{{.State.Pid}}')
		eng restart -t 1 c1 >/dev/null || return
		inspect c1 '{{.State.Status}}'
		[[ "$(inspect c1 '{{.State.Pid}}')" != "$before" ]] && echo new process
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "running
new process"
}

@test "$ENGINE rm: a stopped container; rm -f: a running one" {
	scenario() {
		eng-run --name c1 "$IMAGE" true || return
		eng rm c1 >/dev/null || return
		start_sleeper || return
		eng rm -f c1 >/dev/null || return
		eng ps -a --format '{{.Names}}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" ""
}

# ---------------------------------------------------------------------------
# Resources

@test "$ENGINE run --memory: a process over the limit is OOM-killed, exit 137" {
	# Whether the engine also says OOMKilled depends on the engine (conmon
	# reports it only on cgroup v2); it must say the same for both runtimes.
	scenario() {
		eng-run --name c1 --memory 32m --memory-swap 32m "$IMAGE" sh -c 'tail /dev/zero'
		echo "exit $?"
		inspect c1 '{{.State.OOMKilled}}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "${lines[0]}" "exit 137"
}

@test "$ENGINE run --pids-limit: forks beyond the limit fail" {
	scenario() {
		eng-run --rm --pids-limit 5 "$IMAGE" sh -c '
			cat /sys/fs/cgroup/pids/pids.max
			for i in 1 2 3 4 5 6; do sleep 5 & done
			echo not reached'
	}
	both scenario
	# busybox sh gives up with status 2 when fork fails.
	assert_like_runc 2
	assert_equal "$output" 5
	[[ "$stderr" == *"can't fork"* ]] || { print_both; fail "no fork failed"; }
}

@test "$ENGINE run --cpus and --cpu-shares: the cpu controller's files" {
	both eng-run --rm --cpus 0.5 --cpu-shares 512 "$IMAGE" sh -c \
		'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares'
	assert_like_runc 0
	assert_equal "$output" "50000
100000
512"
}

@test "$ENGINE run --oom-score-adj and --shm-size" {
	both eng-run --rm --oom-score-adj 345 --shm-size 16m "$IMAGE" sh -c \
		'cat /proc/self/oom_score_adj; df -k /dev/shm | awk "NR==2 {print \$2}"'
	assert_like_runc 0
	assert_equal "$output" "345
16384"
}

@test "$ENGINE run --sysctl: a namespaced sysctl is set" {
	both eng-run --rm --sysctl kernel.msgmax=12345 "$IMAGE" cat /proc/sys/kernel/msgmax
	assert_like_runc 0
	assert_equal "$output" 12345
}

# ---------------------------------------------------------------------------
# Security

@test "$ENGINE run --cap-add and --cap-drop: the effective set" {
	scenario() {
		eng-run --rm --cap-drop ALL --cap-add NET_ADMIN --cap-add CHOWN "$IMAGE" grep CapEff /proc/self/status || return
		eng-run --rm --cap-drop CHOWN "$IMAGE" chown 1000 /tmp
	}
	both scenario
	assert_like_runc 1
	assert_equal "$output" "CapEff:	0000000000001001"
}

@test "$ENGINE run --security-opt seccomp=FILE: the profile's errno" {
	cat >"$BATS_TEST_TMPDIR/seccomp.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
	EOF
	scenario() {
		eng-run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/seccomp.json" "$IMAGE" sh -c \
			'grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1; echo "mkdir: $?"'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "Seccomp:	2
mkdir: can't create directory '/tmp/d': Permission denied
mkdir: 1"
}

@test "$ENGINE run --security-opt no-new-privileges" {
	both eng-run --rm --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
	assert_like_runc 0
	assert_equal "$output" "NoNewPrivs:	1"
}

@test "$ENGINE run --read-only: the root is read-only" {
	both eng-run --rm --read-only "$IMAGE" sh -c 'touch /file 2>&1; echo "touch: $?"'
	assert_like_runc 0
	assert_equal "$output" "touch: /file: Read-only file system
touch: 1"
}

@test "$ENGINE run --user, --workdir, --hostname, -e" {
	both eng-run --rm --user 1000:1000 --workdir /home/test --hostname box -e GREETING=hello "$IMAGE" \
		sh -c 'id; pwd; hostname; echo $GREETING'
	assert_like_runc 0
	assert_equal "$output" "uid=1000(test) gid=1000(test) groups=1000(test)
/home/test
box
hello"
}

# Whether this process's bounding set has every capability the kernel knows.
host_has_all_caps() {
	local last bnd
	last=$(cat /proc/sys/kernel/cap_last_cap)
	bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	[[ $((16#$bnd)) -eq $(((1 << (last + 1)) - 1)) ]]
}

@test "$ENGINE run --privileged: every capability, or the one the host lacks named" {
	both eng-run --rm --privileged "$IMAGE" sh -c 'test -c /dev/kmsg && echo kmsg; grep CapEff /proc/self/status'
	assert_like_runc
	if [[ "$status" -eq 0 ]]; then
		assert_equal "${lines[0]}" kmsg
		return
	fi
	# Docker asks for every capability the kernel has; podman only for
	# those in its own bounding set. On a host whose bounding set lacks one
	# (CAP_SYS_RESOURCE here), runc fails with "unable to apply caps:
	# operation not permitted"; ocirun fails too, naming the capability.
	! host_has_all_caps || { print_both; fail "--privileged failed on a host with every capability"; }
	[[ "$stderr" == *"is not in ocirun's own bounding set, so the container cannot get it"* ]] ||
		{ print_both; fail "ocirun's error does not name the missing capability"; }
}

# ---------------------------------------------------------------------------
# Storage and devices

@test "$ENGINE run -v: a bind mount, read-write and read-only" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	scenario() {
		rm -f "$BATS_TEST_TMPDIR/data/from-container"
		eng-run --rm -v "$BATS_TEST_TMPDIR/data:/data" "$IMAGE" sh -c 'echo hi >/data/from-container' || return
		cat "$BATS_TEST_TMPDIR/data/from-container"
		eng-run --rm -v "$BATS_TEST_TMPDIR/data:/data:ro" "$IMAGE" sh -c 'echo x >/data/f 2>&1; echo "write: $?"'
	}
	both scenario
	assert_like_runc 0
	assert_equal "${lines[0]}" hi
	assert_equal "${lines[1]}" "write: 1"
}

@test "$ENGINE run --tmpfs and a named volume that outlives its container" {
	scenario() {
		eng-run --rm --tmpfs /scratch "$IMAGE" sh -c 'grep " /scratch " /proc/mounts | cut -d" " -f3' || return
		eng-run --rm -v vol1:/vol "$IMAGE" sh -c 'echo kept >/vol/f' || return
		eng-run --rm -v vol1:/vol "$IMAGE" cat /vol/f
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "tmpfs
kept"
}

@test "$ENGINE run --device: a host device node under another name" {
	both eng-run --rm --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'head -c 5 /dev/myzero | wc -c'
	assert_like_runc 0
	assert_equal "$output" 5
}

# ---------------------------------------------------------------------------
# Namespaces and init

@test "$ENGINE run --pid host, --ipc host, --uts host, --network host" {
	both eng-run --rm --pid host --ipc host --uts host --network host "$IMAGE" sh -c \
		'for ns in pid ipc uts net; do readlink /proc/self/ns/$ns; done'
	assert_like_runc 0
	assert_equal "$output" "$(for ns in pid ipc uts net; do readlink /proc/self/ns/$ns; done)"
}

@test "$ENGINE run --init: an init is pid 1 and reaps the command" {
	both eng-run --rm --init "$IMAGE" sh -c 'test "$$" != 1 && tr "\0" " " </proc/1/cmdline | cut -d" " -f2-; exit 3'
	assert_like_runc 3
	assert_equal "$output" "-- sh -c test \"\$\$\" != 1 && tr \"\\0\" \" \" </proc/1/cmdline | cut -d\" \" -f2-; exit 3 "
}
