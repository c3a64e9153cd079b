#!/usr/bin/env bats
# Rootless podman with its systemd cgroup manager, through ocirun and through
# Debian's runc: an unprivileged user with a systemd of its own (started as
# linger starts it) runs podman, which runs the runtime as root of podman's
# user namespace, with --systemd-cgroup against the user's systemd. Needs
# systemd as PID 1 on cgroup v2: the systemd stage of tests/vm runs it;
# elsewhere it skips, naming that.

# shellcheck disable=SC2154 # status, output, stderr come from bats' run
load engines
load ../rootless

# bats skips only from a test's setup: setup_file leaves the reason.
setup_file() {
	SKIP_REASON=$(systemd_user_skip_reason)
	export SKIP_REASON
	[[ -z "$SKIP_REASON" ]] || return 0
	rootless_user_with_systemd || return 1
	local home config
	home=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
	config=$home/.config/containers
	mkdir -p "$config"
	# vfs: the user's home is on the guest's overlay root, which cannot be
	# an overlay's upper layer.
	cat >"$config/containers.conf" <<-EOF
		[containers]
		netns = "none"
		[engine]
		cgroup_manager = "systemd"
		events_logger = "file"
		runtime_supports_json = ["ocirun", "runc"]
		[engine.runtimes]
		ocirun = ["$OCIRUN"]
		runc = ["$RUNC"]
	EOF
	printf '[storage]\ndriver = "vfs"\n' >"$config/storage.conf"
	cp "$ROOTFS_TAR" "$home/rootfs.tar"
	mkdir -p "$home/unused"
	chown -R "$ROOTLESS_USER:" "$home"
	export USER_HOME=$home
	BUNDLE=$home/unused as_user podman import -q "$home/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	if [[ -z "${ROOTLESS_UID:-}" ]]; then
		return 0
	fi
	BUNDLE=$USER_HOME/unused as_user podman system reset -f >/dev/null 2>&1
	systemctl stop "user@$ROOTLESS_UID.service" >/dev/null 2>&1
	rootless_user_remove
}

setup() {
	[[ -z "${SKIP_REASON:-}" ]] || skip "$SKIP_REASON"
	# shellcheck disable=SC2034 # as_user reads both
	RUNTIME_DIR=/run/user/$ROOTLESS_UID
	# as_user works in $BUNDLE with HOME its parent: the user's home,
	# where podman finds its configuration.
	BUNDLE=$USER_HOME/unused
}

teardown() {
	[[ -n "${SKIP_REASON:-}" ]] && return 0
	as_user podman rm -af -t 0 >/dev/null 2>&1
	return 0
}

# rootless_both SCENARIO: runs SCENARIO (a function of the test, which uses
# $runtime) as the user for runc and then for ocirun; both must exit 0 and
# print the same, which is left in output.
rootless_both() {
	local runtime runc_output
	for runtime in runc ocirun; do
		run --separate-stderr "$1" "$runtime"
		[[ "$status" -eq 0 ]] || fail "$runtime: exit status $status; stderr: $stderr; stdout: $output"
		[[ "$runtime" == runc ]] && runc_output=$output
	done
	assert_equal "$output" "$runc_output" "ocirun's output (first), runc's (second)"
}

user_podman() {
	as_user podman "$@"
}

@test "rootless podman --cgroup-manager systemd: run --rm prints as the user's root and exits with the status" {
	scenario() {
		user_podman --runtime "$1" run --rm "$IMAGE" sh -c 'echo hello; id -u; exit 3'
		echo "status $?"
		as_user systemctl --user list-units --all --plain --no-legend 'libpod-*' | wc -l
	}
	rootless_both scenario
	assert_equal "$output" "hello
0
status 3
0"
}

@test "rootless podman --cgroup-manager systemd: run -d, exec, a libpod unit of the user's, stop and rm" {
	scenario() {
		local id pid
		id=$(user_podman --runtime "$1" run -d --pids-limit 50 "$IMAGE" sleep 1000) || return
		user_podman exec "$id" sh -c 'echo exec works'
		pid=$(user_podman inspect -f '{{.State.Pid}}' "$id")
		grep -q "^0::/user.slice/user-$ROOTLESS_UID.slice/user@$ROOTLESS_UID.service/.*/libpod-$id.scope" "/proc/$pid/cgroup" &&
			echo "in libpod-ID.scope of the user's systemd"
		as_user systemctl --user show -p TasksMax --value "libpod-$id.scope"
		user_podman stop -t 0 "$id" >/dev/null
		user_podman rm "$id" >/dev/null
		as_user systemctl --user list-units --all --plain --no-legend "libpod-$id.scope" | wc -l
	}
	rootless_both scenario
	assert_equal "$output" "exec works
in libpod-ID.scope of the user's systemd
50
0"
}
