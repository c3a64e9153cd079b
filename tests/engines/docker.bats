#!/usr/bin/env bats
# What only Docker does: healthchecks that dockerd itself runs on a timer,
# each an exec through containerd's shim and the runtime. The commands
# Docker shares with podman are in cli.bats.

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
