# Shared by the engine suites (tests/engines/*.bats): each file starts the
# engine it drives as a private service in a scratch directory (own root,
# state, sockets; no bridge, no iptables, cgroups under /ocirun-engines),
# registers two runtimes, ocirun and Debian's runc, and runs every scenario
# through both (`both`) so a test can compare what the user sees. Whatever a
# test or the engine leaves behind (containers, pods, mounts, cgroups,
# daemons) is removed in teardown, also when the test failed.

# shellcheck disable=SC2154 # status, output, stderr come from bats' run
# shellcheck source=../helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/../helpers.bash"

OCIRUN=$(cd "$(dirname "$OCIRUN")" && pwd)/$(basename "$OCIRUN")
IMAGE=localhost/busybox:ocirun
# The parent of every cgroup the engines make, named for ocirun.
ENGINES_CGROUP=/ocirun-engines
RUNC=/usr/bin/runc
# /usr/local/bin may hold a newer docker client; the suite drives Debian's.
DOCKER_CLI=/usr/bin/docker

# The image tarballs setup_suite made from the busybox rootfs.
ROOTFS_TAR=${BATS_SUITE_TMPDIR:-/nonexistent}/busybox-rootfs.tar
DOCKER_ARCHIVE=${BATS_SUITE_TMPDIR:-/nonexistent}/busybox-docker-archive.tar

# ---------------------------------------------------------------------------
# The scratch directory and the commands in it

# engines_setup_dir: ENGINE_DIR, with bin/ first on PATH. The wrappers in
# bin/ are scripts, not functions, so `script` (for -it) can run them too.
engines_setup_dir() {
	ENGINE_DIR=$(mktemp -d /tmp/ocirun-engines.XXXXXX)
	# A container in a user namespace must reach its rootfs in here.
	chmod 755 "$ENGINE_DIR"
	mkdir -p "$ENGINE_DIR/bin"
	export ENGINE_DIR PATH="$ENGINE_DIR/bin:$PATH" OCIRUN RUNC
}

# write_wrapper NAME BODY: an executable $ENGINE_DIR/bin/NAME running BODY.
write_wrapper() {
	printf '#!/bin/bash\n%s\n' "$2" >"$ENGINE_DIR/bin/$1"
	chmod 755 "$ENGINE_DIR/bin/$1"
}

# ---------------------------------------------------------------------------
# Daemons

# start_daemon NAME READY-COMMAND COMMAND...: COMMAND in the background,
# logging to $ENGINE_DIR/NAME.log, its pid in $ENGINE_DIR/NAME.pid; waits
# up to 30 s until READY-COMMAND succeeds.
start_daemon() {
	local name=$1 ready=$2 i
	shift 2
	"$@" </dev/null >"$ENGINE_DIR/$name.log" 2>&1 3>&- &
	echo $! >"$ENGINE_DIR/$name.pid"
	for ((i = 0; i < 300; i++)); do
		eval "$ready" >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$ENGINE_DIR/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$ENGINE_DIR/$name.log" >&2
	fail "$name did not come up"
}

# stop_daemon NAME: SIGTERM to the pid start_daemon recorded, SIGKILL after
# 20 s; only that pid, which this suite started.
stop_daemon() {
	local pidfile=$ENGINE_DIR/$1.pid pid i
	[[ -f "$pidfile" ]] || return 0
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || {
		rm -f "$pidfile"
		return 0
	}
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$pidfile"
}

# ---------------------------------------------------------------------------
# The engines

# The wrappers' first line: the runtime RUNTIME names, as a path. ocirun and
# runc are the two the tests compare; the benchmark passes crun by path.
# shellcheck disable=SC2016 # expanded by the wrapper
RUNTIME_PATH='case $RUNTIME in ocirun) runtime=$OCIRUN ;; runc) runtime=$RUNC ;; *) runtime=$RUNTIME ;; esac'

# podman_config DIR: containers.conf and storage.conf keeping every file of
# podman's under DIR; exports CONTAINERS_CONF and CONTAINERS_STORAGE_CONF.
# conmon runs `podman container cleanup` when a container exits without
# those variables, passing only --root, --runroot, --tmpdir, --volumepath
# and --runtime: so nothing here may differ from what those flags give
# (static_dir stays under the graph root), and the runtimes are named by
# path, whose base name runtime_supports_json matches.
podman_config() {
	local d=$1
	mkdir -p "$d"
	cat >"$d/containers.conf" <<-EOF
		[containers]
		netns = "none"
		# As root, podman asks for nofile 1048576, above this machine's hard
		# limit, and ocirun may not raise it (no CAP_SYS_RESOURCE).
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		init_path = "/usr/bin/catatonit"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$d/events.log"
		tmp_dir = "$d/tmp"
		volume_path = "$d/volumes"
		runtime_supports_json = ["ocirun", "runc", "crun"]
	EOF
	cat >"$d/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$d/root"
		runroot = "$d/runroot"
	EOF
	export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
}

# setup_podman: podman's files in ENGINE_DIR and the image loaded. Podman
# has no daemon.
setup_podman() {
	podman_config "$ENGINE_DIR/podman"
	# Containers are made with eng-run, which picks the runtime and the
	# cgroup parent; every other command reaches the runtime the container
	# was made with.
	write_wrapper eng 'exec podman "$@"'
	write_wrapper eng-run "$RUNTIME_PATH
exec podman --runtime \"\$runtime\" run --cgroup-parent=$ENGINES_CGROUP/podman \"\$@\""
	podman load -q -i "$DOCKER_ARCHIVE" >/dev/null || fail "podman load failed"
}

teardown_podman() {
	podman pod rm -af -t 0 >/dev/null 2>&1
	podman rm -af -t 0 >/dev/null 2>&1
	podman volume rm -af >/dev/null 2>&1
}

stop_podman() {
	teardown_podman
	podman system reset -f >/dev/null 2>&1
}

# setup_docker: dockerd with its own data and exec roots and socket, no
# bridge and no iptables; it starts its own containerd under the exec root.
setup_docker() {
	local d=$ENGINE_DIR/docker
	mkdir -p "$d"
	cat >"$d/daemon.json" <<-EOF
		{
		  "data-root": "$d/data",
		  "exec-root": "$d/exec",
		  "pidfile": "$d/dockerd.pid",
		  "hosts": ["unix://$d/docker.sock"],
		  "bridge": "none",
		  "iptables": false,
		  "ip6tables": false,
		  "ip-forward": false,
		  "ip-masq": false,
		  "userland-proxy": false,
		  "cgroup-parent": "$ENGINES_CGROUP/docker",
		  "exec-opts": ["native.cgroupdriver=cgroupfs"],
		  "storage-driver": "overlay2",
		  "runtimes": {"ocirun": {"path": "$OCIRUN"}, "runc-debian": {"path": "$RUNC"}}
		}
	EOF
	export DOCKER_HOST=unix://$d/docker.sock
	write_wrapper eng "exec $DOCKER_CLI \"\$@\""
	# Docker's own name "runc" is its built-in runtime; the reference one is
	# registered by path like ocirun, so both go through the same code.
	write_wrapper eng-run "exec $DOCKER_CLI run --runtime \"\${RUNTIME/#runc/runc-debian}\" \"\$@\""
	start_daemon dockerd "$DOCKER_CLI version" dockerd --config-file "$d/daemon.json"
	"$DOCKER_CLI" load -i "$DOCKER_ARCHIVE" >/dev/null || fail "docker load failed"
}

teardown_docker() {
	local ids
	ids=$("$DOCKER_CLI" ps -aq 2>/dev/null)
	# shellcheck disable=SC2086
	[[ -z "$ids" ]] || "$DOCKER_CLI" rm -f $ids >/dev/null 2>&1
	"$DOCKER_CLI" volume prune -f >/dev/null 2>&1
}

stop_docker() {
	teardown_docker
	stop_daemon dockerd
}

# setup_containerd: containerd with its own root, state and sockets, the CRI
# plugin off; ctr talks to it in namespace ocirun-tests. The runc shim runs
# the runtime given by --runc-binary, with its state under --runc-root.
setup_containerd() {
	local d=$ENGINE_DIR/containerd
	mkdir -p "$d"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
	EOF
	export CONTAINERD_ADDRESS=$d/containerd.sock CONTAINERD_NAMESPACE=ocirun-tests
	write_wrapper eng 'exec ctr "$@"'
	# ctr run [FLAGS] IMAGE ID [COMMAND]: the cgroup is named for the ID.
	write_wrapper eng-run "$RUNTIME_PATH
args=(\"\$@\")
for ((i = 0; i < \${#args[@]}; i++)); do
	[[ \${args[i]} == $IMAGE ]] && id=\${args[i + 1]} && break
done
exec ctr run --runc-binary \"\$runtime\" --runc-root $d/runtime-\${runtime##*/} --fifo-dir $d/fifo \\
	--cgroup $ENGINES_CGROUP/containerd/\$id \"\$@\""
	start_daemon containerd "ctr version" containerd --config "$d/config.toml"
	ctr images import "$DOCKER_ARCHIVE" >/dev/null || fail "ctr images import failed"
}

teardown_containerd() {
	local id
	# A stopped task cannot be killed, and one whose runtime container is
	# gone (after checkpoint --exit) not either: go on to remove it.
	for id in $(ctr tasks ls -q 2>/dev/null); do
		ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
		ctr tasks rm -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(ctr containers ls -q 2>/dev/null); do
		ctr containers rm "$id" >/dev/null 2>&1 || true
	done
}

stop_containerd() {
	teardown_containerd
	ctr images rm "$IMAGE" >/dev/null 2>&1
	stop_daemon containerd
}

# engine_setup_file ENGINE / engine_teardown_file ENGINE: for setup_file and
# teardown_file. The teardown also removes what a crashed engine left:
# mounts under ENGINE_DIR and cgroups under ENGINES_CGROUP.
engine_setup_file() {
	ENGINE=$1
	export ENGINE
	engines_setup_dir
	# conmon leaves an "oom" file in its working directory.
	cd "$ENGINE_DIR" || return
	"setup_$ENGINE"
}

engine_teardown_file() {
	local mnt dir
	[[ -n "${ENGINE_DIR:-}" && -d "$ENGINE_DIR" ]] || return 0
	"stop_$ENGINE"
	# Deepest first, so nested mounts go before their parents.
	findmnt -rn -o TARGET | grep "^$ENGINE_DIR/" | sort -r | while read -r mnt; do
		umount -l "$mnt"
	done
	for dir in $(cgroup_dirs_under "$ENGINES_CGROUP/$ENGINE") $(cgroup_dirs_under "$ENGINES_CGROUP"); do
		rmdir "$dir" 2>/dev/null
	done
	rm -rf "$ENGINE_DIR"
}

# The slice the systemd cgroup manager tests put every unit in, named for
# ocirun.
ENGINES_SLICE=ocirun-engines.slice

# systemd_engine_setup_file ENGINE / systemd_engine_teardown_file: the same
# for the files that drive an engine's systemd cgroup manager, which needs
# systemd as PID 1 (the systemd stage of tests/vm); elsewhere they skip,
# naming that.
systemd_engine_setup_file() {
	[[ -d /run/systemd/system ]] ||
		skip "machine limit: systemd is not PID 1 here; the systemd stage of tests/vm runs this"
	engine_setup_file "$1"
	export ENGINES_SLICE
}

systemd_engine_teardown_file() {
	engine_teardown_file
	systemctl stop "$ENGINES_SLICE" >/dev/null 2>&1 || true
}

# cgroup_dirs_under PATH: every cgroup directory at or below PATH in each
# hierarchy, children before parents; the parent itself only goes when the
# other engines' files have emptied it.
cgroup_dirs_under() {
	local mount
	for mount in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[[ -d "$mount$1" ]] && find "$mount$1" -depth -type d
	done
}

# Per test: remove whatever containers the test made.
engine_teardown() {
	"teardown_$ENGINE"
}

# ---------------------------------------------------------------------------
# Running a scenario through both runtimes

# both COMMAND...: runs COMMAND (a command or a function of the test) with
# RUNTIME=runc, then with RUNTIME=ocirun, each through bats' run with stdout
# and stderr apart. runc's result is kept in runc_status, runc_output and
# runc_stderr; ocirun's is in status, output and stderr as usual. Each run
# starts from no containers.
both() {
	export RUNTIME=runc
	run --separate-stderr "$@"
	runc_status=$status runc_output=$output runc_stderr=$stderr
	engine_teardown
	export RUNTIME=ocirun
	run --separate-stderr "$@"
}

print_both() {
	{
		printf '=== runc: exit status %s\n--- stdout ---\n%s\n--- stderr ---\n%s\n' \
			"$runc_status" "$runc_output" "$runc_stderr"
		printf '=== ocirun: exit status %s\n--- stdout ---\n%s\n--- stderr ---\n%s\n' \
			"$status" "$output" "$stderr"
	} >&2
}

# assert_like_runc [EXPECTED-STATUS]: ocirun's exit status and stdout are
# runc's, and the status is EXPECTED-STATUS when one is given.
assert_like_runc() {
	if [[ "$status" != "$runc_status" || "$output" != "$runc_output" ]]; then
		print_both
		fail "ocirun and runc differ in exit status or output"
	fi
	if [[ $# -gt 0 && "$status" != "$1" ]]; then
		print_both
		fail "both exited with $status, expected $1"
	fi
}

# assert_both_contain TEXT: runc's and ocirun's stdout both contain TEXT.
assert_both_contain() {
	[[ "$runc_output" == *"$1"* && "$output" == *"$1"* ]] && return 0
	print_both
	fail "expected both outputs to contain [$1]"
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.1 s.
wait_until() {
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# in_pty COMMAND-LINE: runs the shell command line with a pseudo-terminal as
# its stdin and stdout, as `-it` needs; prints what the terminal showed.
in_pty() {
	timeout -k 5 60 script -qefc "$1" /dev/null
}

# typed_in_pty INPUT COMMAND-LINE: types the line INPUT into COMMAND-LINE's
# terminal (in_pty) and prints only what the commands in INPUT printed; the
# status is COMMAND-LINE's. The rest of the transcript depends on timing,
# not on the runtime: the input is echoed once or twice (by the outer
# terminal if it arrives before the engine sets it raw, then by the
# container's), before or after the shell's prompt. So the echo lines, the
# prompts, busybox's banner, the engine's own warnings (docker's "WARNING:
# IPv4 forwarding is disabled", as there is no bridge), carriage returns
# and escape sequences are left out.
typed_in_pty() {
	local transcript rc
	transcript=$(printf '%s\n' "$1" | in_pty "$2")
	rc=$?
	printf '%s\n' "$transcript" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
		grep -vF -e "$1" -e 'built-in shell (ash)' -e "Enter 'help' for a list" |
		grep -v '^WARNING: ' |
		sed 's/^[^ ]* [#$] //' | grep -v '^[[:space:]]*$'
	return "$rc"
}
