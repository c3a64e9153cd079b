#!/usr/bin/env bats
# What only podman has: pods, user namespaces per container (--uidmap),
# healthchecks run on demand, and catatonit as --init. The commands podman
# shares with Docker are in cli.bats.

load engines

setup_file() {
	engine_setup_file podman
}

teardown_file() {
	engine_teardown_file
}

teardown() {
	engine_teardown
}

runtime_path() {
	case $RUNTIME in
	ocirun) echo "$OCIRUN" ;;
	*) echo "$RUNC" ;;
	esac
}

@test "podman pod: containers share the pod's namespaces with its infra container" {
	scenario() {
		podman --runtime "$(runtime_path)" pod create --name p1 --cgroup-parent "$ENGINES_CGROUP/podman" >/dev/null || return
		eng-run -d --pod p1 --name c1 "$IMAGE" sh -c 'echo shared >/dev/shm/mark; sleep 1000' >/dev/null || return
		wait_until 10 eng exec c1 test -e /dev/shm/mark || return
		eng-run --rm --pod p1 "$IMAGE" sh -c 'cat /dev/shm/mark; hostname' || return
		podman pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
		podman pod stop -t 1 p1 >/dev/null || return
		podman pod ps --format '{{.Name}} {{.Status}}'
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "shared
p1
p1 Running 2
p1 Exited"
}

@test "podman run --uidmap: the container runs in a user namespace" {
	both eng-run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; id -u; touch /tmp/x && stat -c %u /tmp/x'
	assert_like_runc 0
	assert_equal "$output" " 0 100000 65536
 0 100000 65536
0
0"
}

@test "podman healthcheck run: healthy, then unhealthy when the check fails" {
	scenario() {
		eng-run -d --name c1 --health-cmd 'test -e /tmp/healthy' --health-retries 1 "$IMAGE" sh -c 'touch /tmp/healthy; sleep 1000' >/dev/null || return
		wait_until 10 eng exec c1 test -e /tmp/healthy || return
		podman healthcheck run c1 >/dev/null && echo healthy
		eng exec c1 rm /tmp/healthy
		podman healthcheck run c1 >/dev/null || echo unhealthy
		podman inspect --format '{{.State.Health.Status}}' c1
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "healthy
unhealthy
unhealthy"
}

@test "podman run --init with catatonit and podman top" {
	scenario() {
		eng-run -d --init --name c1 "$IMAGE" sleep 1000 >/dev/null || return
		podman top c1 args | sed '1d; s/ *$//' | sort
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "/run/podman-init -- sleep 1000
sleep 1000"
}
