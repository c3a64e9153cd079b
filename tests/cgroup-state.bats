#!/usr/bin/env bats
# The container's cgroup when it is not a fresh, empty directory: a
# cgroupsPath that names a cgroup with processes in it (used, with runc
# 1.1's warning) or a frozen one (refused, where the init would otherwise
# sit frozen and create wait for ever); sub-cgroups inside the container's
# cgroup (delete takes them with it, ps and kill --all see their
# processes, exec --cgroup puts a process in one); and exec joining the
# container's cgroup in every hierarchy. Written for any layout; this host
# is hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified).

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
}

teardown() {
	# A test of the frozen case that failed may leave an init frozen in
	# this test's cgroup: thaw it and kill what is in there (processes this
	# test started), so that teardown_common can remove the cgroups.
	local dir pid
	while read -r dir; do
		[[ -f "$dir/freezer.state" ]] && echo THAWED >"$dir/freezer.state" 2>/dev/null
		[[ -f "$dir/cgroup.freeze" ]] && echo 0 >"$dir/cgroup.freeze" 2>/dev/null
		for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done < <(find /sys/fs/cgroup -mindepth 2 -type d -path "*/$TEST_CGROUP_PREFIX*" 2>/dev/null)
	teardown_common
}

# hierarchies: the mount point of every cgroup hierarchy (v1 and cgroup2).
hierarchies() {
	findmnt -rn -t cgroup,cgroup2 -o TARGET
}

# cgroup_line PID CONTROLLER: the path of PID's cgroup in the v1 hierarchy
# with CONTROLLER ("" for cgroup2), from /proc/PID/cgroup.
cgroup_line() {
	awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $3; exit }
		if (c == "" && $2 == "") { print $3; exit } }' "/proc/$1/cgroup"
}

# make_sub PATH: the sub-cgroup PATH of c1's cgroup in every hierarchy,
# usable at once: a new v1 cpuset cgroup has no cpus and no memory nodes
# until it is given some, and takes no process before (on cgroup2 a child
# uses its parent's, and has no cpuset files unless the parent delegates).
make_sub() {
	local mount dir
	for mount in $(hierarchies); do
		dir="$mount/$TEST_CGROUP_PREFIX/c1"
		mkdir -p "$dir/$1"
		if [[ -f "$dir/cpuset.cpus" && ! -f "$mount/cgroup.controllers" ]]; then
			local parent=$dir part
			for part in ${1//\// }; do
				cat "$parent/cpuset.cpus" >"$parent/$part/cpuset.cpus"
				cat "$parent/cpuset.mems" >"$parent/$part/cpuset.mems"
				parent="$parent/$part"
			done
		fi
	done
}

# move_to_sub PID PATH: PID into c1's sub-cgroup PATH in every hierarchy,
# as a process in the container could move itself.
move_to_sub() {
	local mount
	for mount in $(hierarchies); do
		echo "$1" >"$mount/$TEST_CGROUP_PREFIX/c1/$2/cgroup.procs"
	done
}

# exec_detached ARGS...: `ocirun exec --detach --pid-file` with ARGS, the
# exec'd pid in EXEC_PID.
exec_detached() {
	rm -f "$TEST_TMP/exec.pid"
	ocirun_detached exec --detach --pid-file "$TEST_TMP/exec.pid" "$@"
	EXEC_PID=$(cat "$TEST_TMP/exec.pid" 2>/dev/null)
}

@test "a cgroup that already holds a process is used, with runc 1.1's warning on stderr and in the log" {
	container_bundle "$BUNDLE" sleep 1000
	local mount dir
	# Present but empty: no warning.
	for mount in $(hierarchies); do
		mkdir -p "$mount/$TEST_CGROUP_PREFIX/c1"
	done
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_stderr_empty
	ocirun delete --force c1

	# A stranger in the pids hierarchy only: v1 hierarchies are separate,
	# and every one counts.
	start_sleep
	dir="$(cgroup_mount pids)/$TEST_CGROUP_PREFIX/c1"
	mkdir -p "$dir"
	echo "$SLEEP_PID" >"$dir/cgroup.procs"
	local log="$TEST_TMP/log.json"
	detached "$OCIRUN" --root "$OCIRUN_ROOT" --log "$log" --log-format json run --detach --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$stderr" "ocirun: warning: container's cgroup is not empty: 1 process(es) found
ocirun: warning: DEPRECATED: running a container in a non-empty cgroup will become an error, as it is in runc 1.2 and later; see https://github.com/opencontainers/runc/issues/3132" "stderr"
	json_assert '{}' '
lines = [json.loads(l) for l in open(sys.argv[2])]
eq([l["level"] for l in lines], ["warning", "warning"], "levels")
eq(lines[0]["msg"], "container'"'"'s cgroup is not empty: 1 process(es) found", "msg")
check(lines[1]["msg"].startswith("DEPRECATED: "), "second line: %r" % lines[1]["msg"])
' "$log"
	[[ "$(container_status c1)" == running ]] || fail "state: $(container_status c1)"
	# Both share the cgroup now.
	grep -qx "$SLEEP_PID" "$dir/cgroup.procs" || fail "the stranger left the cgroup"
	ocirun delete --force c1
	[[ -d "$dir" ]] || fail "delete removed the cgroup it did not make: $dir"
}

@test "a frozen v1 freezer cgroup is refused at once, as runc refuses it; only what ocirun made goes" {
	local freezer
	freezer=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)freezer(,|$)/ { print $1; exit }')
	[[ -n "$freezer" ]] || skip "machine limit: no v1 freezer hierarchy (the cgroup2 case is the next test)"
	container_bundle "$BUNDLE" true
	mkdir -p "$freezer/$TEST_CGROUP_PREFIX/c1"
	echo FROZEN >"$freezer/$TEST_CGROUP_PREFIX/c1/freezer.state"
	detached timeout -k 5 20 "$OCIRUN" --root "$OCIRUN_ROOT" run --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "container's cgroup unexpectedly frozen ($freezer/$TEST_CGROUP_PREFIX/c1: freezer.state is FROZEN"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_process_in "$BUNDLE/rootfs"
	# The frozen cgroup is the test's own and stays, still frozen; the
	# directories ocirun made in the other hierarchies are gone.
	assert_equal "$(cat "$freezer/$TEST_CGROUP_PREFIX/c1/freezer.state")" FROZEN "freezer.state"
	local mount
	for mount in $(hierarchies); do
		[[ "$mount" == "$freezer" || ! -e "$mount/$TEST_CGROUP_PREFIX" ]] ||
			fail "left behind: $mount/$TEST_CGROUP_PREFIX"
	done
}

@test "a cgroup frozen on cgroup2 (cgroup.freeze 1) is refused at once, on a hybrid host too" {
	local unified
	unified=$(findmnt -rn -t cgroup2 -o TARGET | head -n 1)
	[[ -n "$unified" ]] || skip "machine limit: no cgroup2 hierarchy"
	container_bundle "$BUNDLE" true
	mkdir -p "$unified/$TEST_CGROUP_PREFIX/c1"
	echo 1 >"$unified/$TEST_CGROUP_PREFIX/c1/cgroup.freeze"
	detached timeout -k 5 20 "$OCIRUN" --root "$OCIRUN_ROOT" create --bundle "$BUNDLE" c1
	assert_status 1
	assert_stderr_contains "container's cgroup unexpectedly frozen ($unified/$TEST_CGROUP_PREFIX/c1: cgroup.freeze is 1"
	[[ ! -e "$OCIRUN_ROOT/c1" ]] || fail "state directory left behind"
	assert_no_process_in "$BUNDLE/rootfs"
	assert_equal "$(cat "$unified/$TEST_CGROUP_PREFIX/c1/cgroup.freeze")" 1 "cgroup.freeze"
	local mount
	for mount in $(hierarchies); do
		[[ "$mount" == "$unified" || ! -e "$mount/$TEST_CGROUP_PREFIX" ]] ||
			fail "left behind: $mount/$TEST_CGROUP_PREFIX"
	done

	# A new cgroup below a frozen one is frozen from the start, its own
	# cgroup.freeze 0.
	echo 0 >"$unified/$TEST_CGROUP_PREFIX/c1/cgroup.freeze"
	echo 1 >"$unified/$TEST_CGROUP_PREFIX/cgroup.freeze"
	container_bundle "$TEST_TMP/c2" true
	detached timeout -k 5 20 "$OCIRUN" --root "$OCIRUN_ROOT" create --bundle "$TEST_TMP/c2" c2
	assert_status 1
	assert_stderr_contains "container's cgroup unexpectedly frozen ($unified/$TEST_CGROUP_PREFIX/c2: frozen by an ancestor (cgroup.events: frozen 1)"
	[[ ! -e "$OCIRUN_ROOT/c2" && ! -e "$unified/$TEST_CGROUP_PREFIX/c2" ]] || fail "c2 left behind"
	echo 0 >"$unified/$TEST_CGROUP_PREFIX/cgroup.freeze"
}

@test "exec joins the init's cgroup in every hierarchy" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local init
	init=$(ocirun state c1 | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	exec_detached c1 sleep 1000
	assert_status 0
	# Every line (hierarchy id, controllers, path) is the init's.
	assert_equal "$(cat "/proc/$EXEC_PID/cgroup")" "$(cat "/proc/$init/cgroup")" "/proc/PID/cgroup of the exec'd process"
	[[ $(wc -l <"/proc/$init/cgroup") -ge $(hierarchies | wc -l) ]] || fail "fewer hierarchies than mounted"
}

@test "exec --cgroup PATH and CONTROLLER[,CONTROLLER]:PATH put the process in sub-cgroups, as runc's" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local base="/$TEST_CGROUP_PREFIX/c1"
	make_sub sub
	# PATH alone: every hierarchy.
	exec_detached --cgroup sub c1 sleep 1000
	assert_status 0
	local line
	while IFS=: read -r _ _ line; do
		assert_equal "$line" "$base/sub" "a hierarchy of $(cat "/proc/$EXEC_PID/cgroup")"
	done <"/proc/$EXEC_PID/cgroup"

	# Per controller: those named move, the others stay. On cgroup v2 alone
	# there is one hierarchy, and a controller prefix is refused.
	if [[ $(cgroup_version pids) != v1 ]]; then
		run --separate-stderr ocirun exec --cgroup pids:sub c1 true
		assert_status 255
		assert_stderr_contains "give PATH alone"
		return 0
	fi
	local other=memory
	[[ $(cgroup_version memory) == v1 ]] || other=""
	exec_detached --cgroup pids:sub --cgroup "cpu,${other:-cpu}:sub" c1 sleep 1000
	assert_status 0
	assert_equal "$(cgroup_line "$EXEC_PID" pids)" "$base/sub" "pids"
	assert_equal "$(cgroup_line "$EXEC_PID" cpu)" "$base/sub" "cpu"
	[[ -z "$other" ]] || assert_equal "$(cgroup_line "$EXEC_PID" memory)" "$base/sub" "memory"
	assert_equal "$(cgroup_line "$EXEC_PID" devices)" "$base" "devices stays"
	assert_equal "$(cgroup_line "$EXEC_PID" "")" "$base" "cgroup2 stays"
}

@test "exec --cgroup refuses what runc refuses, and a path outside the container's cgroup" {
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local mount
	for mount in $(hierarchies); do
		mkdir "$mount/$TEST_CGROUP_PREFIX/c1x"
	done
	run --separate-stderr ocirun exec --cgroup a:b:c c1 true
	assert_error_status 255 "exec: invalid --cgroup argument: a:b:c"
	run --separate-stderr ocirun exec --cgroup sub --cgroup pids:sub c1 true
	assert_error_status 255 "exec: invalid --cgroup argument: sub (missing <controller>: prefix)"
	run --separate-stderr ocirun exec --cgroup bogus:sub c1 true
	# (On cgroup v2 the message goes on to say that PATH alone is enough.)
	assert_status 255
	assert_stderr_contains "ocirun: exec: --cgroup bogus:sub: the container has no cgroup for controller \`bogus\`"
	# c1x shares c1's prefix but is a sibling, not a sub-cgroup.
	run --separate-stderr ocirun exec --cgroup ../c1x c1 true
	assert_error_status 255 "exec: --cgroup: \`../c1x\` is not a sub-cgroup of the container's cgroup"
	run --separate-stderr ocirun exec --cgroup nosuch c1 true
	assert_status 255
	assert_stderr_contains "/$TEST_CGROUP_PREFIX/c1/nosuch"
	assert_stderr_contains "No such file or directory"
	# Nothing was started by the failures.
	run ocirun ps --format json c1
	json_assert "$output" 'eq(len(d), 1, "processes in c1")'
}

@test "delete --force removes sub-cgroups made inside the container's cgroup, in every hierarchy, killing their processes" {
	container_bundle "$BUNDLE" sleep 1000
	# Without a pid namespace the init's death kills nobody else: the
	# process in the sub-cgroup must be found there.
	edit_config "$BUNDLE" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local base="/$TEST_CGROUP_PREFIX/c1" mount
	make_sub sub/deeper
	make_sub empty
	exec_detached c1 sleep 1000
	assert_status 0
	local stray=$EXEC_PID
	move_to_sub "$stray" sub/deeper
	run ocirun delete --force c1
	assert_status 0
	for mount in $(hierarchies); do
		[[ ! -e "$mount$base" ]] || fail "left behind: $(find "$mount$base" -type d)"
	done
	local _
	for _ in $(seq 50); do
		[[ -d "/proc/$stray" ]] || break
		sleep 0.1
	done
	[[ ! -d "/proc/$stray" ]] || fail "the process in the sub-cgroup survived delete --force"
	assert_nothing_left c1
}

@test "ps and kill --all reach a process in a sub-cgroup" {
	container_bundle "$BUNDLE" sleep 1000
	edit_config "$BUNDLE" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	make_sub sub
	exec_detached c1 sleep 1000
	assert_status 0
	move_to_sub "$EXEC_PID" sub
	run ocirun ps --format json c1
	assert_status 0
	json_assert "$output" 'check(int(sys.argv[2]) in d, "pid %s not in %r" % (sys.argv[2], d))' "$EXEC_PID"
	run ocirun kill --all c1 TERM
	assert_status 0
	local _
	for _ in $(seq 50); do
		[[ -d "/proc/$EXEC_PID" ]] || break
		sleep 0.1
	done
	[[ ! -d "/proc/$EXEC_PID" ]] || fail "kill --all missed the process in the sub-cgroup"
}
