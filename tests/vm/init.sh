#!/bin/busybox sh
# shellcheck shell=dash
# The test VM's /init, run by busybox's shell (tests/vm/run.sh builds the
# initramfs around it). It turns a bare kernel into a machine whose root is
# the host's / (read-only over 9p) under a writable overlay, so the guest
# runs the host's own binaries, bats and source tree at the same paths; then
# it runs the command run.sh left in the writable "share" and powers off.
# The machine is either a pure cgroup v2 one with no init but this script,
# or (INIT=systemd in vm.conf) one whose PID 1 is the host's systemd, which
# mounts the cgroups it was booted for and runs the command as its one job.
#
# It runs twice, as PID 1 both times:
#   stage 1 (no argument), in the initramfs: load modules, build the overlay
#     root, mount the API filesystems into it, switch_root into it;
#   stage 2 ("stage2"), in the overlay root: run the command, record its
#     exit status in the share, power off; or hand PID 1 to systemd, whose
#     unit does the same.
# Everything it writes goes to the console (ttyS0), which run.sh keeps in a
# log and shows when the guest fails; the command's own output goes to a
# file in the share.

# Where the host's results directory appears inside the guest; run.sh uses
# the same path in the command script it writes.
SHARE=/run/ocirun-vm
# Stage 2 runs from copies of this script and of busybox on the guest's /run
# tmpfs: switch_root frees the initramfs, and the host's /bin/busybox could be
# a different build.
BOOT=/run/ocirun-vm-boot

# Fatal errors power off at once: the missing status file tells run.sh the
# guest failed, and the console log it prints says why. (PID 1 must never
# exit: the kernel would panic.)
die() {
	echo "ocirun-vm init: $*" >&2
	poweroff -f
	sleep 1000
}

# mnt FSTYPE SOURCE TARGET [OPTIONS]
mnt() {
	mkdir -p "$3" || die "mkdir $3 failed"
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || die "mount -t $1 $2 on $3 failed"
}

stage1() {
	export PATH=/bin
	mnt devtmpfs devtmpfs /dev
	# The kernel opened /dev/console before /init ran only if the initramfs
	# had the node; reopen it from devtmpfs so every message reaches ttyS0.
	exec </dev/console >/dev/console 2>&1
	mnt proc proc /proc
	mnt sysfs sysfs /sys

	# Debian builds virtio, 9p and overlayfs as modules; run.sh resolved
	# their dependencies on the host and listed the files in load order.
	local module
	while read -r module; do
		insmod "/lib/modules/$module" || die "insmod $module failed"
	done </lib/modules/required.list
	# What CRIU needs later (socket diag, veth, tun, nf_tables): nice to
	# have, so a failure is only reported.
	while read -r module; do
		insmod "/lib/modules/$module" 2>/dev/null || echo "ocirun-vm init: optional module $module did not load"
	done </lib/modules/optional.list

	# The share is read back by the host while the guest writes it: no
	# cache. Its vm.conf carries run.sh's settings (the kernel command line
	# is left to the kernel).
	mnt 9p share /share "trans=virtio,version=9p2000.L,msize=262144"
	[ -r /share/vm.conf ] || die "the share has no vm.conf"
	# shellcheck source=/dev/null
	. /share/vm.conf
	# The host's / read-only. cache=loose (the default) lets the guest keep
	# pages and metadata of host files instead of asking the host on every
	# access, which under TCG is most of the run time; it is meant for
	# read-only mounts like this one. multidevs=remap on the host side keeps
	# inode numbers unique across the host's mounts.
	mnt 9p hostroot /lower "trans=virtio,version=9p2000.L,ro,msize=262144,cache=${HOSTROOT_CACHE:-loose}"

	# Writes land in a tmpfs above the host's files: tests may write
	# anywhere, and nothing reaches the host.
	mnt tmpfs tmpfs /upper mode=0755
	mkdir -p /upper/data /upper/work
	mnt overlay overlay /newroot lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work

	# Fresh tmpfs on /run and /tmp hide the host's (read-only, and full of
	# the host's sockets and files that mean nothing here).
	mnt tmpfs tmpfs /newroot/run mode=0755,nosuid,nodev
	mnt tmpfs tmpfs /newroot/tmp mode=1777,nosuid,nodev
	# A source tree under /tmp (a CI clone, say) stays visible through the
	# fresh tmpfs: the host's copy, read-only, at the same path.
	case "${TREE:-}" in
	/tmp/*)
		mkdir -p "/newroot$TREE"
		mount --bind "/lower$TREE" "/newroot$TREE" || die "binding the tree $TREE failed"
		;;
	esac
	mkdir -p /newroot$SHARE /newroot$BOOT
	mount --move /share /newroot$SHARE || die "moving the share failed"

	# The API filesystems move with us (busybox's switch_root leaves them
	# behind otherwise) and hide the host's /proc, /sys and /dev that the
	# 9p export shows.
	mount --move /dev /newroot/dev || die "moving /dev failed"
	mount --move /proc /newroot/proc || die "moving /proc failed"
	mount --move /sys /newroot/sys || die "moving /sys failed"
	mnt devpts devpts /newroot/dev/pts newinstance,ptmxmode=0666,mode=0620,gid=5
	mnt tmpfs tmpfs /newroot/dev/shm mode=1777,nosuid,nodev
	mnt mqueue mqueue /newroot/dev/mqueue
	# devtmpfs has no /dev/fd or stdio links; bats and bash process
	# substitution need them.
	ln -sfn /proc/self/fd /newroot/dev/fd
	ln -sfn /proc/self/fd/0 /newroot/dev/stdin
	ln -sfn /proc/self/fd/1 /newroot/dev/stdout
	ln -sfn /proc/self/fd/2 /newroot/dev/stderr

	# The point of the plain VM: cgroup v2 alone (the kernel runs with
	# cgroup_no_v1=all), every controller enabled for children of the
	# root, as on a systemd host. nsdelegate, as systemd mounts it, makes
	# cgroup namespaces delegation boundaries. systemd mounts its own.
	if [ "${INIT:-}" != systemd ]; then
		mnt cgroup2 cgroup2 /newroot/sys/fs/cgroup nsdelegate
		local controllers controller
		read -r controllers </newroot/sys/fs/cgroup/cgroup.controllers
		for controller in $controllers; do
			echo "+$controller" >/newroot/sys/fs/cgroup/cgroup.subtree_control ||
				echo "ocirun-vm init: could not enable the $controller controller"
		done
	fi

	# modprobe in the guest finds the guest kernel's modules, which are in
	# run.sh's cache on the host (the host's /lib/modules is for its own
	# kernel).
	if [ -n "${MODULES_DIR:-}" ]; then
		mkdir -p /newroot/lib/modules
		ln -sfn "$MODULES_DIR" "/newroot/lib/modules/$(uname -r)"
	fi

	hostname ocirun-vm
	ip link set lo up || echo "ocirun-vm init: could not bring lo up"

	# The host's root may be a container's, with its marker: systemd would
	# take the guest for a container and ignore the kernel command line.
	rm -f /newroot/.dockerenv

	if ! cp /init /bin/busybox /newroot$BOOT/; then
		die "copying init to the new root failed"
	fi
	# switch_root, not chroot: the overlay becomes the root mount of the
	# namespace, which CRIU insists on for the tasks it dumps. If it fails,
	# PID 1 exits, the kernel panics and (panic=-1, -no-reboot) qemu stops.
	exec switch_root /newroot $BOOT/busybox sh $BOOT/init stage2
}

stage2() {
	local busybox=$BOOT/busybox
	# How long the boot took, for run.sh to report.
	$busybox cat /proc/uptime >$SHARE/started
	# stage 1's settings were its shell's own: read them again.
	# shellcheck source=/dev/null
	. $SHARE/vm.conf
	[ "${INIT:-}" = systemd ] && systemd_stage2
	# A clean environment: the kernel passes PID 1 odd variables
	# (TERM=linux, BOOT_IMAGE...); command.sh sets what the tests need.
	# This shell reaps orphans while it waits (busybox's ash waits for any
	# child), so no zombie outlives its parent for long.
	$busybox env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		/bin/bash $SHARE/command.sh </dev/null >$SHARE/output 2>&1
	echo "$?" >$SHARE/status
	$busybox sync
	$busybox poweroff -f
	$busybox sleep 1000
}

# systemd as PID 1, booting only ocirun-vm.target: the command's service
# and what it needs (D-Bus), nothing of the host's own boot (no fstab, no
# getty, no network). The service powers off when the command ends, however
# it ends; systemd's own messages go to the console.
systemd_stage2() {
	local busybox=$BOOT/busybox units=/etc/systemd/system
	$busybox mkdir -p $units || die "mkdir $units failed"
	$busybox cat >$units/ocirun-vm.service <<EOF || die "writing ocirun-vm.service failed"
[Unit]
Description=ocirun test VM command
DefaultDependencies=no
Wants=dbus.socket
After=dbus.socket
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate
[Service]
Type=oneshot
StandardInput=null
StandardOutput=append:$SHARE/output
StandardError=append:$SHARE/output
Environment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
ExecStart=/bin/bash -c '/bin/bash $SHARE/command.sh; echo \$? >$SHARE/status; sync'
EOF
	$busybox cat >$units/ocirun-vm.target <<EOF || die "writing ocirun-vm.target failed"
[Unit]
Description=ocirun test VM
Requires=ocirun-vm.service dbus.socket
EOF
	exec /lib/systemd/systemd --unit=ocirun-vm.target
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
