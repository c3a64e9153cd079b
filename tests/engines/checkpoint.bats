#!/usr/bin/env bats
# podman container checkpoint and restore through ocirun, next to runc:
# podman runs `RUNTIME checkpoint --image-path ... --work-path ...` itself
# and restores through conmon (`RUNTIME restore --detach --bundle ...`).
# CRIU must be able to dump, so this file runs in the VM stage
# (tests/vm/tests.list), on Debian's own kernel; elsewhere it skips, naming
# that.

load engines

# A container that prints 1, 2, 3... to its log, one every 0.3 s.
COUNTER='i=0; while :; do i=$((i + 1)); echo $i; sleep 0.3; done'

setup_file() {
	if ! criu check >/dev/null 2>&1; then
		skip "machine limit: criu cannot dump on this kernel ($(criu check 2>&1 | grep -m1 Error | sed 's/^Error ([^)]*): //')); the VM stage runs this"
	fi
	engine_setup_file podman
}

teardown_file() {
	engine_teardown_file
}

teardown() {
	engine_teardown
}

# last_logged NAME: the last number container NAME printed (0 before any).
last_logged() {
	local last
	last=$(podman logs "$1" 2>/dev/null | tail -n 1)
	echo "${last:-0}"
}

logged_past() {
	(($(last_logged "$1") > $2))
}

# unbroken NAME: the log is 1, 2, 3... with no gap and no restart.
unbroken() {
	podman logs "$1" | awk 'NR != $1 { print "line " NR " is " $1; bad = 1; exit } END { if (!bad) print "unbroken" }'
}

@test "podman container checkpoint and restore: the counter goes on" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c "$COUNTER" >/dev/null || return
		wait_until 60 logged_past c1 2 || return
		podman container checkpoint c1 >/dev/null || return
		podman inspect -f '{{.State.Status}}' c1
		local reached
		reached=$(last_logged c1)
		podman container restore c1 >/dev/null || return
		podman inspect -f '{{.State.Status}}' c1
		wait_until 60 logged_past c1 $((reached + 1)) || return
		unbroken c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "exited
running
unbroken"
}

@test "podman container checkpoint --leave-running, --export; restore --import under a new name" {
	scenario() {
		eng-run -d --name c1 "$IMAGE" sh -c "$COUNTER" >/dev/null || return
		wait_until 60 logged_past c1 2 || return
		podman container checkpoint --leave-running --export "$ENGINE_DIR/c1.tar.gz" c1 >/dev/null || return
		podman inspect -f '{{.State.Status}}' c1
		podman rm -f -t 0 c1 >/dev/null || return
		podman container restore --import "$ENGINE_DIR/c1.tar.gz" --name c2 >/dev/null || return
		podman inspect -f '{{.State.Status}}' c2
		local now
		now=$(last_logged c2)
		wait_until 60 logged_past c2 "$now" || return
		echo counting
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "running
running
counting"
}
