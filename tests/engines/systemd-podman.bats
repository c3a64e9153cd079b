#!/usr/bin/env bats
# podman with its systemd cgroup manager, through ocirun and through
# Debian's runc: podman --cgroup-manager systemd passes the runtime
# --systemd-cgroup and a cgroupsPath SLICE:libpod:ID, and puts conmon in a
# scope of its own. systemd must be PID 1, so this file runs in the systemd
# stage of tests/vm; elsewhere it skips, naming that.

load engines

setup_file() {
	systemd_engine_setup_file podman
}

teardown_file() {
	systemd_engine_teardown_file
}

teardown() {
	engine_teardown
}

# unit_of PID: the systemd unit whose cgroup holds PID.
unit_of() {
	local cgroup
	cgroup=$(awk -F: '$1 == 0 || $2 ~ /(^|,)name=systemd(,|$)/ { print $3; exit }' "/proc/$1/cgroup")
	basename "$cgroup"
}

podman_systemd_run() {
	# shellcheck disable=SC2154 # RUNTIME comes from both
	local runtime=$OCIRUN
	[[ $RUNTIME == runc ]] && runtime=$RUNC
	podman --cgroup-manager systemd --runtime "$runtime" run --cgroup-parent "$ENGINES_SLICE" "$@"
}

@test "podman --cgroup-manager systemd: run --rm prints, exits with the status, leaves no unit" {
	scenario() {
		podman_systemd_run --rm "$IMAGE" sh -c 'echo hello; exit 3'
		echo "status $?"
		systemctl list-units --all --plain --no-legend "libpod-*.scope" | grep -c "libpod-" || true
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "hello
status 3
0"
}

@test "podman --cgroup-manager systemd: the container is libpod-ID.scope in the slice, with its limits" {
	scenario() {
		local id pid unit
		id=$(podman_systemd_run -d --memory 64m --pids-limit 50 "$IMAGE" sleep 1000) || return
		pid=$(podman inspect -f '{{.State.Pid}}' "$id")
		unit=$(unit_of "$pid")
		[[ "$unit" == "libpod-$id.scope" ]] && echo "unit is libpod-ID.scope"
		systemctl show -p Slice -p TasksMax --value "$unit"
		podman exec "$id" sh -c 'echo exec works'
		podman stop -t 0 "$id" >/dev/null
		podman rm "$id" >/dev/null
		systemctl show -p LoadState --value "$unit"
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "unit is libpod-ID.scope
$ENGINES_SLICE
50
exec works
not-found"
}

@test "podman --cgroup-manager systemd: update and pause reach the unit's cgroup" {
	scenario() {
		local id unit
		id=$(podman_systemd_run -d --memory 64m "$IMAGE" sleep 1000) || return
		unit=$(unit_of "$(podman inspect -f '{{.State.Pid}}' "$id")")
		# podman 4.3's update has no --pids-limit; memory is what it sets.
		podman update --memory 96m "$id" >/dev/null || return
		systemctl show -p MemoryMax --value "$unit"
		cat "/sys/fs/cgroup$(systemctl show -p ControlGroup --value "$unit")/memory.max"
		podman pause "$id" >/dev/null && podman inspect -f '{{.State.Status}}' "$id"
		podman unpause "$id" >/dev/null && podman inspect -f '{{.State.Status}}' "$id"
		podman rm -f -t 0 "$id" >/dev/null
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "100663296
100663296
paused
running"
}
