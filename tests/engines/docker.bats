#!/usr/bin/env bats
# What only Docker does: healthchecks that dockerd itself runs on a timer
# (each an exec through containerd's shim and the runtime), and the runtime's
# error carried through the shim's JSON --log. The commands Docker shares
# with podman are in cli.bats.

load engines

setup_file() {
	engine_setup_file docker
}

teardown_file() {
	engine_teardown_file
}

teardown() {
	engine_teardown
}

health() {
	eng inspect --format '{{.State.Health.Status}}' c1
}

@test "docker healthcheck: dockerd's timed checks go healthy, then unhealthy" {
	scenario() {
		eng-run -d --name c1 --health-cmd 'test -e /tmp/healthy' --health-interval 1s --health-retries 1 \
			"$IMAGE" sh -c 'touch /tmp/healthy; sleep 1000' >/dev/null || return
		wait_until 30 sh -c '[ "$(eng inspect --format "{{.State.Health.Status}}" c1)" = healthy ]' || return
		health
		eng exec c1 rm /tmp/healthy
		wait_until 30 sh -c '[ "$(eng inspect --format "{{.State.Health.Status}}" c1)" = unhealthy ]'
		health
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "healthy
unhealthy"
}

@test "docker: the runtime's error comes through the shim's JSON --log" {
	# Without ocirun's --log lines, containerd would say "unable to retrieve
	# OCI runtime error" instead of the reason. A NOFILE limit above
	# fs.nr_open passes Docker's checks and fails in any runtime.
	both eng-run --rm --ulimit nofile=2000000:2000000 "$IMAGE" true
	assert_like_runc
	[[ "$status" -ne 0 ]] || fail "a NOFILE limit above fs.nr_open was accepted"
	[[ "$stderr" == *"process.rlimits[0]: setrlimit RLIMIT_NOFILE to 2000000/2000000: Operation not permitted (RLIMIT_NOFILE cannot exceed fs.nr_open"* ]] ||
		{ print_both; fail "the error does not name the field and the reason"; }
	[[ "$stderr" != *"unable to retrieve OCI runtime error"* ]] || { print_both; fail "containerd could not read ocirun's --log"; }
}
