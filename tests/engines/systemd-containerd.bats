#!/usr/bin/env bats
# containerd's runc shim with SystemdCgroup, as Kubernetes nodes run it
# (ctr run --runc-systemd-cgroup: the shim passes the runtime
# --systemd-cgroup and a cgroupsPath SLICE:PREFIX:NAME), through ocirun and
# through Debian's runc. systemd must be PID 1, so this file runs in the
# systemd stage of tests/vm; elsewhere it skips, naming that.

load engines

setup_file() {
	systemd_engine_setup_file containerd
}

teardown_file() {
	systemd_engine_teardown_file
}

teardown() {
	engine_teardown
}

# ctr_systemd_run ARGS...: ctr run through the runtime of the scenario, with
# the systemd cgroup manager.
ctr_systemd_run() {
	# shellcheck disable=SC2154 # RUNTIME comes from both
	local runtime=$OCIRUN d=$ENGINE_DIR/containerd
	[[ $RUNTIME == runc ]] && runtime=$RUNC
	ctr run --runc-binary "$runtime" --runc-root "$d/runtime-${runtime##*/}" --fifo-dir "$d/fifo" \
		--runc-systemd-cgroup "$@"
}

@test "ctr run --runc-systemd-cgroup: the container runs in PREFIX-NAME.scope and exits with its status" {
	scenario() {
		ctr_systemd_run --rm --cgroup "$ENGINES_SLICE:ocirun-ctr:c1" "$IMAGE" c1 \
			sh -c 'grep -o "$0" /proc/self/cgroup | head -1; exit 4' ocirun-ctr-c1.scope
		echo "status $?"
		systemctl show -p LoadState --value ocirun-ctr-c1.scope
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "ocirun-ctr-c1.scope
status 4
not-found"
}

@test "ctr run --runc-systemd-cgroup -d: exec, kill and delete; no unit is left" {
	scenario() {
		ctr_systemd_run -d --memory-limit 67108864 --cgroup "$ENGINES_SLICE:ocirun-ctr:c2" "$IMAGE" c2 sleep 1000 >/dev/null || return
		# One property each: show prints them in its own order.
		systemctl show -p ActiveState --value ocirun-ctr-c2.scope
		systemctl show -p Slice --value ocirun-ctr-c2.scope
		ctr tasks exec --exec-id e1 c2 sh -c 'echo exec works'
		ctr tasks kill -s SIGKILL c2
		local _
		for _ in $(seq 100); do
			ctr tasks ls | grep -q "^c2 .*STOPPED" && break
			sleep 0.1
		done
		ctr tasks rm c2 >/dev/null
		ctr containers rm c2
		systemctl show -p LoadState --value ocirun-ctr-c2.scope
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "active
$ENGINES_SLICE
exec works
not-found"
}
