#!/usr/bin/env bats
# OCI hooks: each kind (prestart, createRuntime, createContainer,
# startContainer, poststart, poststop) runs at its point of the lifecycle, in
# its namespaces, with the state JSON on stdin and exactly its args and env;
# a timeout kills a slow hook; a failing create-time hook fails create and
# leaves nothing behind; failing poststart and poststop hooks only warn.
#
# Most hooks here are a small static probe compiled once per file. A script
# would not do: for `#!` files the kernel replaces argv[0] by the script's
# path, and a shell adds to the environment it passes on. The probe writes,
# next to its own executable, NAME.stdin, NAME.argv and NAME.env (one entry a
# line), NAME.ns (its mount and pid namespaces), NAME.cwd (its working
# directory), and appends NAME to `order`; NAME is the base name of its
# argv[0]. Its executable lives in the rootfs
# (ROOTFS/hooks/probe), so that hooks on the host (path ROOTFS/hooks/probe)
# and hooks inside the container after pivot_root (path /hooks/probe) all
# write into the same directory.

load helpers

setup_file() {
	PROBE="$BATS_FILE_TMPDIR/hookprobe"
	cat >"$BATS_FILE_TMPDIR/hookprobe.c" <<-'EOF'
		#include <errno.h>
		#include <fcntl.h>
		#include <libgen.h>
		#include <limits.h>
		#include <stdio.h>
		#include <stdlib.h>
		#include <string.h>
		#include <unistd.h>

		static char dir[PATH_MAX];
		static const char *name;

		static FILE *out(const char *suffix, const char *mode)
		{
		        char path[PATH_MAX * 2];
		        snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
		        FILE *f = fopen(path, mode);
		        if (!f) {
		                fprintf(stderr, "hookprobe: open %s: %s\n", path, strerror(errno));
		                exit(1);
		        }
		        return f;
		}

		static void write_ns(FILE *f, const char *ns)
		{
		        char path[64], target[256];
		        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
		        ssize_t n = readlink(path, target, sizeof(target) - 1);
		        target[n < 0 ? 0 : n] = '\0';
		        fprintf(f, "%s %s\n", ns, target);
		}

		int main(int argc, char **argv, char **envp)
		{
		        char exe[PATH_MAX], buf[4096];
		        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		        if (n < 0 || argc < 1)
		                return 1;
		        exe[n] = '\0';
		        snprintf(dir, sizeof(dir), "%s", dirname(exe));
		        name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

		        FILE *f = out(".stdin", "w");
		        while ((n = read(0, buf, sizeof(buf))) > 0)
		                fwrite(buf, 1, (size_t) n, f);
		        fclose(f);
		        f = out(".argv", "w");
		        for (int i = 0; i < argc; i++)
		                fprintf(f, "%s\n", argv[i]);
		        fclose(f);
		        f = out(".env", "w");
		        for (char **e = envp; *e; e++)
		                fprintf(f, "%s\n", *e);
		        fclose(f);
		        f = out(".ns", "w");
		        write_ns(f, "mnt");
		        write_ns(f, "pid");
		        fclose(f);
		        f = out(".cwd", "w");
		        fprintf(f, "%s\n", getcwd(buf, sizeof(buf)) ? buf : "?");
		        fclose(f);
		        name = "order";
		        f = out("", "a");
		        fprintf(f, "%s\n", strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
		        fclose(f);
		        return 0;
		}
	EOF
	cc -static -O2 -o "$PROBE" "$BATS_FILE_TMPDIR/hookprobe.c" ||
		fail "cannot build the static hook probe: a C compiler with static glibc (libc6-dev) is needed"
	export PROBE
}

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	container_bundle "$BUNDLE" sleep 1000
	OUT="$BUNDLE/rootfs/hooks"
	mkdir -p "$OUT"
	cp "$PROBE" "$OUT/probe"
	HOST_PROBE="$OUT/probe"
	BUNDLE_REAL=$(realpath "$BUNDLE")
}

teardown() {
	teardown_common
}


# assert_gone PID: the process is gone (or at most a zombie nobody reaps).
assert_gone() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || true
	[[ -z "$state" || "$state" == Z* ]] || fail "process $1 still exists: $state, $(tr '\0' ' ' <"/proc/$1/cmdline")"
}

# probe_hook NAME [PATH]: the config JSON (a Python expression) of a probe
# hook whose argv[0] is NAME, with two more arguments and its own env.
probe_hook() {
	printf '{"path": "%s", "args": ["%s", "arg with spaces", "--flag=x"], "env": ["HOOK_KIND=%s", "SPACED=a b", "EMPTY="]}' \
		"${2:-$HOST_PROBE}" "$1" "$1"
}

# assert_probe_ran NAME: NAME's argv and env are exactly what probe_hook
# configured.
assert_probe_ran() {
	[[ -e "$OUT/$1.argv" ]] || fail "the $1 hook did not run"
	assert_equal "$(cat "$OUT/$1.argv")" "$1
arg with spaces
--flag=x" "$1's argv"
	assert_equal "$(cat "$OUT/$1.env")" "HOOK_KIND=$1
SPACED=a b
EMPTY=" "$1's environment"
}

# assert_hook_state NAME STATUS PID: NAME's stdin is the OCI state of c1
# with STATUS, PID (empty: not checked) and the bundle.
assert_hook_state() {
	json_file_assert "$OUT/$1.stdin" '
name, status, pid, bundle = sys.argv[2:6]
eq(d["id"], "c1", name + ": id")
eq(d["status"], status, name + ": status")
eq(d["bundle"], bundle, name + ": bundle")
check(isinstance(d.get("ociVersion"), str) and d["ociVersion"].startswith("1."), name + ": ociVersion %r" % d.get("ociVersion"))
if pid:
    eq(d.get("pid"), int(pid), name + ": pid")
eq(d.get("annotations"), {"org.example.hooks": "yes"}, name + ": annotations")
' "$1" "$2" "$3" "$BUNDLE_REAL"
}

# The mnt or pid namespace line the probe NAME recorded.
probe_ns() { # probe_ns NAME mnt|pid
	sed -n "s/^$2 //p" "$OUT/$1.ns"
}

@test "prestart and createRuntime hooks run during create, in the runtime's namespaces, with the creating state" {
	edit_config "$BUNDLE" "c['annotations'] = {'org.example.hooks': 'yes'}
c['hooks'] = {'prestart': [$(probe_hook prestart)], 'createRuntime': [$(probe_hook createRuntime)]}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid kind
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	assert_equal "$(cat "$OUT/order")" "prestart
createRuntime" "the hooks that ran, in order"
	for kind in prestart createRuntime; do
		assert_probe_ran "$kind"
		assert_hook_state "$kind" creating "$pid"
		assert_equal "$(probe_ns "$kind" mnt)" "$(readlink /proc/$$/ns/mnt)" "$kind's mount namespace (the runtime's)"
		assert_equal "$(probe_ns "$kind" pid)" "$(readlink /proc/$$/ns/pid)" "$kind's pid namespace (the runtime's)"
	done
	ocirun delete --force c1
}

@test "prestart and createRuntime hooks run once the container's mounts are made, before pivot_root, as in runc" {
	# Each hook records whether the init has a mount at the rootfs's /data
	# (a tmpfs of the config) and what its root is: hooks such as NVIDIA's
	# prestart add mounts to the rootfs then, before pivot_root.
	cat >"$TEST_TMP/mounts-hook.py" <<-'PY'
		import json, os, sys
		pid = json.load(sys.stdin)["pid"]
		target = os.path.realpath(sys.argv[1]) + "/data"
		points = [line.split()[4] for line in open("/proc/%d/mountinfo" % pid)]
		with open(sys.argv[2], "w") as out:
		    out.write("%s %s\n" % (target in points, os.readlink("/proc/%d/root" % pid)))
	PY
	mkdir -p "$BUNDLE/rootfs/data"
	edit_config "$BUNDLE" "c['mounts'].append({'destination': '/data', 'type': 'tmpfs', 'source': 'tmpfs'})
hook = lambda name: {'path': '$PYTHON3', 'args': ['python3', '$TEST_TMP/mounts-hook.py', '$BUNDLE_REAL/rootfs', '$OUT/' + name + '.mounts']}
c['hooks'] = {'prestart': [hook('prestart')], 'createRuntime': [hook('createRuntime')]}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	TEST_PIDS+=("$(cat "$TEST_TMP/pid")")
	assert_equal "$(cat "$OUT/prestart.mounts")" "True /" "prestart: the tmpfs at /data is mounted, and the root is the host's"
	assert_equal "$(cat "$OUT/createRuntime.mounts")" "True /" "createRuntime: the tmpfs at /data is mounted, and the root is the host's"
	ocirun delete --force c1
}

@test "createContainer hooks run during create in the container's namespaces, before pivot_root" {
	edit_config "$BUNDLE" "c['annotations'] = {'org.example.hooks': 'yes'}
c['hooks'] = {'createContainer': [$(probe_hook createContainer)]}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	# It was found at its host path and wrote beside it: the host's
	# filesystem was still the root, so pivot_root had not happened.
	assert_probe_ran createContainer
	assert_hook_state createContainer creating "$pid"
	assert_equal "$(probe_ns createContainer mnt)" "$(readlink "/proc/$pid/ns/mnt")" "createContainer's mount namespace (the container's)"
	assert_equal "$(probe_ns createContainer pid)" "$(readlink "/proc/$pid/ns/pid")" "createContainer's pid namespace (the container's)"
	ocirun delete --force c1
}

@test "startContainer hooks run at start inside the container, after pivot_root, before the process" {
	# The process reports whether the hook had run when it started.
	edit_config "$BUNDLE" "c['annotations'] = {'org.example.hooks': 'yes'}
c['process']['args'] = ['sh', '-c', 'if test -e /hooks/startContainer.argv; then echo hook-first; else echo process-first; fi; echo end; exec sleep 1000']
c['hooks'] = {'startContainer': [$(probe_hook startContainer /hooks/probe)]}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	[[ ! -e "$OUT/startContainer.argv" ]] || fail "the startContainer hook ran during create"
	run ocirun start c1
	assert_status 0
	for _ in $(seq 100); do grep -q '^end$' "$TEST_TMP/detached.out" && break; sleep 0.05; done
	assert_equal "$(head -1 "$TEST_TMP/detached.out")" hook-first "what the process saw"
	# It was found at /hooks/probe, a path that exists only in the rootfs.
	assert_probe_ran startContainer
	assert_hook_state startContainer created "$pid"
	assert_equal "$(probe_ns startContainer mnt)" "$(readlink "/proc/$pid/ns/mnt")" "startContainer's mount namespace (the container's)"
	assert_equal "$(probe_ns startContainer pid)" "$(readlink "/proc/$pid/ns/pid")" "startContainer's pid namespace (the container's)"
	ocirun delete --force c1
}

@test "hooks start in runc's working directories: the bundle, the rootfs, process.cwd, the caller's" {
	edit_config "$BUNDLE" "c['process']['cwd'] = '/tmp'
c['hooks'] = {'prestart': [$(probe_hook prestart)], 'createRuntime': [$(probe_hook createRuntime)],
    'createContainer': [$(probe_hook createContainer)], 'startContainer': [$(probe_hook startContainer /hooks/probe)],
    'poststart': [$(probe_hook poststart)], 'poststop': [$(probe_hook poststop)]}"
	local caller="$TEST_TMP/caller"
	mkdir -p "$caller"
	caller=$(realpath "$caller")
	cd "$caller"
	ocirun_detached create --bundle "$BUNDLE_REAL" c1
	assert_status 0
	run ocirun start c1
	assert_status 0
	for _ in $(seq 100); do [[ -e "$OUT/poststart.cwd" ]] && break; sleep 0.05; done
	run ocirun delete --force c1
	assert_status 0
	assert_equal "$(cat "$OUT/prestart.cwd")" "$BUNDLE_REAL" "prestart's cwd"
	assert_equal "$(cat "$OUT/createRuntime.cwd")" "$BUNDLE_REAL" "createRuntime's cwd"
	assert_equal "$(cat "$OUT/createContainer.cwd")" "$BUNDLE_REAL/rootfs" "createContainer's cwd"
	assert_equal "$(cat "$OUT/startContainer.cwd")" /tmp "startContainer's cwd (process.cwd)"
	assert_equal "$(cat "$OUT/poststart.cwd")" "$caller" "poststart's cwd"
	assert_equal "$(cat "$OUT/poststop.cwd")" "$caller" "poststop's cwd"
}

@test "startContainer hooks run under the process's seccomp filter, with or without noNewPrivileges, as in runc" {
	local nnp
	for nnp in True False; do
		rm -f "$BUNDLE/rootfs/hooks/mkdir.out"
		edit_config "$BUNDLE" "c['process']['args'] = ['true']
c['process']['noNewPrivileges'] = $nnp
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}
c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'mkdir /from-hook >/hooks/mkdir.out 2>&1; grep ^Seccomp: /proc/self/status | tr -s \"\\t\" \" \" >>/hooks/mkdir.out']}]}"
		run --separate-stderr ocirun run --bundle "$BUNDLE" c1
		assert_status 0
		assert_equal "$(cat "$BUNDLE/rootfs/hooks/mkdir.out")" "mkdir: can't create directory '/from-hook': Operation not permitted
Seccomp: 2" "what the hook saw (noNewPrivileges $nnp)"
		[[ ! -e "$BUNDLE/rootfs/from-hook" ]] || fail "the hook's mkdir ran (noNewPrivileges $nnp)"
	done
}

@test "poststart hooks run at start in the runtime's namespaces, with the running state" {
	edit_config "$BUNDLE" "c['annotations'] = {'org.example.hooks': 'yes'}
c['hooks'] = {'poststart': [$(probe_hook poststart)]}"
	ocirun_detached create --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" c1
	assert_status 0
	local pid
	pid=$(cat "$TEST_TMP/pid")
	TEST_PIDS+=("$pid")
	[[ ! -e "$OUT/poststart.argv" ]] || fail "the poststart hook ran during create"
	run --separate-stderr ocirun start c1
	assert_status 0
	assert_stderr_empty
	assert_probe_ran poststart
	assert_hook_state poststart running "$pid"
	assert_equal "$(probe_ns poststart mnt)" "$(readlink /proc/$$/ns/mnt)" "poststart's mount namespace (the runtime's)"
	ocirun delete --force c1
}

@test "poststart hooks run after the startContainer hooks have completed" {
	# A slow startContainer hook first (busybox sleep, in the rootfs), then
	# the probe: poststart must come after both.
	edit_config "$BUNDLE" "c['hooks'] = {
    'startContainer': [{'path': '/bin/sleep', 'args': ['sleep', '1']}, $(probe_hook startContainer /hooks/probe)],
    'poststart': [$(probe_hook poststart)]}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	run ocirun start c1
	assert_status 0
	for _ in $(seq 40); do [[ "$(wc -l <"$OUT/order" 2>/dev/null)" -ge 2 ]] && break; sleep 0.1; done
	assert_equal "$(cat "$OUT/order")" "startContainer
poststart" "the hooks that ran, in order"
	ocirun delete --force c1
}

@test "poststop hooks run at delete with the stopped state; without args, argv is the path" {
	edit_config "$BUNDLE" "c['annotations'] = {'org.example.hooks': 'yes'}
c['hooks'] = {'poststop': [{'path': '$HOST_PROBE'}]}"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	[[ ! -e "$OUT/probe.argv" ]] || fail "the poststop hook ran before delete"
	run --separate-stderr ocirun delete --force c1
	assert_status 0
	assert_stderr_empty
	# Without args, argv is just the path. (Without env, runc passes its own
	# environment on and ocirun none: the runtime spec says nothing, so
	# neither is checked.)
	assert_equal "$(cat "$OUT/probe.argv")" "$HOST_PROBE" "poststop's argv"
	assert_hook_state probe stopped ""
	assert_equal "$(probe_ns probe mnt)" "$(readlink /proc/$$/ns/mnt)" "poststop's mount namespace (the runtime's)"
}

@test "every hook kind runs once, in lifecycle order" {
	# The busybox sleep before the startContainer probe makes the order of
	# startContainer and poststart a property, not a race that a fast probe
	# might win.
	edit_config "$BUNDLE" "c['hooks'] = {
    'prestart': [$(probe_hook prestart)],
    'createRuntime': [$(probe_hook createRuntime)],
    'createContainer': [$(probe_hook createContainer)],
    'startContainer': [{'path': '/bin/sleep', 'args': ['sleep', '1']}, $(probe_hook startContainer /hooks/probe)],
    'poststart': [$(probe_hook poststart)],
    'poststop': [$(probe_hook poststop)]}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	ocirun start c1
	for _ in $(seq 40); do [[ "$(wc -l <"$OUT/order" 2>/dev/null)" -ge 5 ]] && break; sleep 0.1; done
	ocirun delete --force c1
	assert_equal "$(cat "$OUT/order")" "prestart
createRuntime
createContainer
startContainer
poststart
poststop" "the hooks that ran, in order"
}

@test "a hook that outlives its timeout is killed and fails create, leaving nothing" {
	# A script records the state (for the init's pid) and then hangs, in a
	# sleep whose argument is this test's own (other runs may be going on).
	local nap="4242.$$"
	printf '#!/bin/sh\n/bin/cat >"$1"\nexec /bin/sleep "$2"\n' >"$TEST_TMP/slow-hook"
	chmod 755 "$TEST_TMP/slow-hook"
	edit_config "$BUNDLE" "c['hooks'] = {'createRuntime': [{'path': '$TEST_TMP/slow-hook', 'args': ['slow-hook', '$TEST_TMP/slow.state', '$nap'], 'timeout': 1}]}"
	local start=$SECONDS
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "createRuntime hook #0 ($TEST_TMP/slow-hook): timed out after 1 s"
	((SECONDS - start < 10)) || fail "create took $((SECONDS - start)) s with a 1 s hook timeout"
	pgrep -f "^/bin/sleep $nap\$" >/dev/null && fail "the timed-out hook's sleep still runs: $(pgrep -af "^/bin/sleep $nap\$")"
	local pid
	pid=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$TEST_TMP/slow.state")
	assert_gone "$pid"
	assert_nothing_left c1
}

@test "a failing createRuntime hook fails create with its stderr, leaving no state, cgroup or process" {
	printf '#!/bin/sh\n/bin/cat >"$1"\necho "some noise" >&2\necho "hook says: disk on fire" >&2\nexit 3\n' >"$TEST_TMP/bad-hook"
	chmod 755 "$TEST_TMP/bad-hook"
	edit_config "$BUNDLE" "c['hooks'] = {'createRuntime': [{'path': '$TEST_TMP/bad-hook', 'args': ['bad-hook', '$TEST_TMP/bad.state']}]}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "createRuntime hook #0 ($TEST_TMP/bad-hook): exited with status 3: hook says: disk on fire"
	local pid
	pid=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$TEST_TMP/bad.state")
	assert_gone "$pid"
	assert_nothing_left c1
}

@test "a failing createContainer hook fails create with its stderr, leaving nothing" {
	printf '#!/bin/sh\necho "createContainer refuses" >&2\nexit 4\n' >"$TEST_TMP/bad-hook"
	chmod 755 "$TEST_TMP/bad-hook"
	edit_config "$BUNDLE" "c['hooks'] = {'createContainer': [{'path': '$TEST_TMP/bad-hook'}]}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stdout_empty
	assert_stderr_contains "createContainer hook #0 ($TEST_TMP/bad-hook): exited with status 4: createContainer refuses"
	assert_nothing_left c1
}

@test "a failing poststart hook only warns: start succeeds and the container runs" {
	printf '#!/bin/sh\necho "poststart trouble" >&2\nexit 5\n' >"$TEST_TMP/bad-hook"
	chmod 755 "$TEST_TMP/bad-hook"
	edit_config "$BUNDLE" "c['hooks'] = {'poststart': [{'path': '$TEST_TMP/bad-hook'}]}"
	ocirun_detached create --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun start c1
	assert_status 0
	assert_stdout_empty
	assert_stderr_equals "ocirun: warning: poststart hook #0 ($TEST_TMP/bad-hook): exited with status 5: poststart trouble"
	assert_equal "$(container_status c1)" running "the container's status"
	ocirun delete --force c1
}

@test "a failing poststop hook only warns: delete succeeds and removes everything" {
	printf '#!/bin/sh\necho "poststop trouble" >&2\nexit 6\n' >"$TEST_TMP/bad-hook"
	chmod 755 "$TEST_TMP/bad-hook"
	edit_config "$BUNDLE" "c['hooks'] = {'poststop': [{'path': '$TEST_TMP/bad-hook'}]}"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun delete --force c1
	assert_status 0
	assert_stdout_empty
	assert_stderr_equals "ocirun: warning: poststop hook #0 ($TEST_TMP/bad-hook): exited with status 6: poststop trouble"
	assert_nothing_left c1
}
