# The unprivileged user of the rootless tests (tests/rootless.bats, and
# tests/systemd-user.bats in the systemd stage), made and removed per file:
# a uid no one has, a subordinate range in /etc/subuid and /etc/subgid for
# newuidmap, its XDG_RUNTIME_DIR; and ways to run commands as it.
# shellcheck shell=bash

ROOTLESS_USER=ocirun-rootless-test

rootless_user_make() {
	local uid
	id "$ROOTLESS_USER" >/dev/null 2>&1 && userdel -r "$ROOTLESS_USER" >/dev/null 2>&1
	# The first uid from 2900 on that no one has: the user's files must
	# not belong to anyone else.
	for uid in $(seq 2900 2999); do
		getent passwd "$uid" >/dev/null || break
	done
	useradd --create-home --uid "$uid" --user-group --shell /bin/sh "$ROOTLESS_USER" ||
		return 1
	# A subordinate range no other user of this host has: past every range
	# in the files.
	local start
	start=$(awk -F: '{ end = $2 + $3; if (end > max) max = end } END { print (max > 2000000 ? max : 2000000) }' /etc/subuid /etc/subgid 2>/dev/null)
	echo "$ROOTLESS_USER:$start:65536" >>/etc/subuid
	echo "$ROOTLESS_USER:$start:65536" >>/etc/subgid
	mkdir -p "/run/user/$uid"
	chown "$uid:$uid" "/run/user/$uid"
	chmod 0700 "/run/user/$uid"
	export ROOTLESS_UID=$uid ROOTLESS_SUBID=$start
}

rootless_user_remove() {
	if [[ -z "${ROOTLESS_UID:-}" ]]; then
		return 0
	fi
	sed -i "/^$ROOTLESS_USER:/d" /etc/subuid /etc/subgid
	rm -rf "/run/user/$ROOTLESS_UID"
	userdel -r "$ROOTLESS_USER" >/dev/null 2>&1
	return 0
}

# rootless_setup: a spec --rootless bundle of the user's in BUNDLE.
rootless_setup() {
	setup_common
	RUNTIME_DIR=/run/user/$ROOTLESS_UID
	USER_ROOT=$RUNTIME_DIR/ocirun
	# The bundle must be the user's: under its home, not bats' root-only
	# temporary directory.
	BUNDLE=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)/bundle-${BATS_SUITE_TEST_NUMBER:-0}
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$ROOTFS_TEMPLATE" "$BUNDLE/rootfs"
	chown -R "$ROOTLESS_USER:" "$BUNDLE"
	as_user "$OCIRUN" spec --rootless || fail "spec --rootless failed"
	edit_config "$BUNDLE" "c['process']['terminal'] = False"
	chown "$ROOTLESS_USER:" "$BUNDLE/config.json"
}

# rootless_teardown: deletes what the user left.
rootless_teardown() {
	local dir
	# The user's containers: delete --force kills what is left of them.
	for dir in "$USER_ROOT"/*/; do
		[[ -d "$dir" ]] || continue
		as_user "$OCIRUN" delete --force "$(basename "$dir")" >/dev/null 2>&1 || true
	done
	rm -rf "$BUNDLE" "$USER_ROOT"
	teardown_common
}

# as_user COMMAND...: COMMAND as the test's user, in the bundle, with only
# the environment a login would give it.
as_user() {
	# shellcheck disable=SC2016 # expanded by that shell
	runuser -u "$ROOTLESS_USER" -- env -i PATH="${ROOTLESS_PATH:-/usr/local/bin:/usr/bin:/bin}" \
		HOME="$(dirname "$BUNDLE")" USER="$ROOTLESS_USER" XDG_RUNTIME_DIR="$RUNTIME_DIR" \
		/bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$BUNDLE" "$@"
}

# user_run ARGS...: bats' run of `ocirun ARGS` as the user, with its default
# root (unless ARGS give one).
user_run() {
	run --separate-stderr as_user "$OCIRUN" "$@"
}

# user_detached ARGS...: the same for commands that leave a container
# running, whose stdio goes to files (see ocirun_detached).
user_detached() {
	detached as_user "$OCIRUN" "$@"
}

# A failed create by the user left no state, no process in the rootfs.
assert_user_nothing_left() {
	[[ ! -e "$USER_ROOT/$1" ]] || fail "state directory $USER_ROOT/$1 left behind"
	assert_no_process_in "$BUNDLE/rootfs"
}


# systemd_user_skip_reason: why tests of a user's own systemd cannot run
# here, or nothing when they can.
systemd_user_skip_reason() {
	if [[ ! -d /run/systemd/system ]]; then
		echo "machine limit: systemd is not PID 1 here; the systemd stage of tests/vm runs this"
	elif [[ "$(findmnt -rn -o FSTYPE /sys/fs/cgroup)" != cgroup2 ]]; then
		echo "machine limit: systemd delegates a user's cgroups only on cgroup v2; the v2 systemd stage runs this"
	fi
}

# rootless_user_with_systemd: the user, and its systemd started as linger
# starts it (its bus at $XDG_RUNTIME_DIR/bus, from dbus-user-session).
rootless_user_with_systemd() {
	rootless_user_make || return 1
	systemctl start "user@$ROOTLESS_UID.service"
}
