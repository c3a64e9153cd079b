# Runs once per engine-suite run: checks that the engines are installed and
# makes the busybox image every engine loads, without a registry: a rootfs
# tarball (podman import) and, from it, a docker-archive (podman save) for
# docker load and ctr images import.

# shellcheck source=engines.bash
source "$(dirname "${BASH_SOURCE[0]}")/engines.bash"

setup_suite() {
	local tool
	for tool in podman conmon catatonit containerd ctr dockerd "$DOCKER_CLI" "$RUNC"; do
		command -v "$tool" >/dev/null ||
			fail "setup_suite: $tool not found: run tests/engines/install-engines.sh" || return 1
	done
	[[ -x "$OCIRUN" ]] || fail "setup_suite: $OCIRUN is not an executable: run make first" || return 1

	local rootfs=$BATS_SUITE_TMPDIR/rootfs store=$BATS_SUITE_TMPDIR/podman-store saved
	make_busybox_rootfs "$rootfs"
	tar -C "$rootfs" -cf "$ROOTFS_TAR" . || return 1
	rm -rf "$rootfs"
	# A throwaway podman store only to turn the rootfs into a docker-archive.
	(
		podman_config "$store"
		podman import --change CMD=/bin/sh --change ENV=PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			"$ROOTFS_TAR" "$IMAGE" >/dev/null &&
			podman save -q --format docker-archive -o "$DOCKER_ARCHIVE" "$IMAGE"
		local saved=$?
		podman system reset -f >/dev/null 2>&1
		exit $saved
	)
	saved=$?
	rm -rf "$store"
	[[ $saved -eq 0 ]] || fail "setup_suite: could not make the docker-archive of $IMAGE"
}
