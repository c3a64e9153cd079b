#!/bin/bash
# Runs bats files (or any shell command) inside a qemu guest that is a pure
# cgroup v2 machine, for the tests this host cannot run: it mounts cgroup v1
# controllers (a hybrid layout), its PID 1 is not systemd, and the CRIU
# tests need a machine of their own. With --systemd the guest's PID 1 is the
# host's systemd (on cgroup v2, or hybrid with --hybrid), for the systemd
# cgroup driver and the engines' systemd cgroup managers. The guest boots Debian's stock kernel (cached unpacked, booted
# directly as vmlinux through PVH) with a small busybox initramfs whose /init
# is tests/vm/init.sh; its root is the host's / (read-only over 9p) under a
# tmpfs overlay, so the source tree, the built ocirun, bats and every host
# tool are at the same paths inside. KVM does not work on this host (nested
# virtualization), so qemu emulates the CPU (TCG): expect everything in the
# guest to be 10-50 times slower than on the host.
#
# Usage:
#   tests/vm/run.sh                    the bats files listed in tests/vm/tests.list
#   tests/vm/run.sh FILE.bats...       these bats files
#   tests/vm/run.sh --command 'CMD'    a bash command instead, e.g.
#                                      --command 'cat /sys/fs/cgroup/cgroup.subtree_control'
#   tests/vm/run.sh --systemd [--hybrid] [FILE.bats... | --command 'CMD']
#                                      PID 1 is systemd, booted for cgroup v2
#                                      (or hybrid); with no files, those of
#                                      tests/vm/systemd-tests.list
#
# stdout carries only the guest's output: bats' TAP (one `bats --tap` run per
# file, each after a "# FILE" comment line) or the command's output; stdout
# and stderr of the guest are merged. Progress and errors go to stderr.
#
# Exit status: the guest command's (for bats, 0 only if every test of every
# file passed); 2 for a usage or setup error on the host; 3 if the guest did
# not boot, did not report, or timed out.
#
# Environment:
#   OCIRUN_VM_CACHE       kernel, modules and initramfs (/var/cache/ocirun-vm);
#                         delete it to move to a newer Debian kernel
#   OCIRUN_VM_TIMEOUT     seconds before the guest is killed (1200)
#   OCIRUN_VM_MEMORY      guest memory in MiB (1024)
#   OCIRUN_VM_CPUS        guest CPUs (2)
#   OCIRUN_VM_CPU         qemu CPU model (max)
#   OCIRUN_VM_TCG_THREAD  multi (default) or single: single-threaded TCG is
#                         slower but has not soft-locked under CRIU
#   OCIRUN_VM_9P_CACHE    cache mode of the guest's read-only host root (loose)
#   OCIRUN_VM_VERBOSE=1   copy the guest console to stderr as it runs
#   OCIRUN_VM_KERNEL_ARGS more guest kernel arguments, e.g. loglevel=7
# The guest's tests see OCIRUN_TEST_VM=1 (and OCIRUN_TEST_VM_CGROUPS=v2 or
# hybrid in the systemd guest) and the host's OCIRUN* variables
# (except OCIRUN_VM_*), BUSYBOX, PYTHON3, SCHEMADIR, TESTDATA, TEST_TOOLS,
# FUZZ_CORPUS, PATH and LANG; OCIRUN, SCHEMADIR, TESTDATA and TEST_TOOLS
# default to this source tree, as make check sets them.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${OCIRUN_VM_CACHE:-/var/cache/ocirun-vm}
timeout_seconds=${OCIRUN_VM_TIMEOUT:-1200}
memory=${OCIRUN_VM_MEMORY:-1024}
cpus=${OCIRUN_VM_CPUS:-2}
cpu_model=${OCIRUN_VM_CPU:-max}
tcg_thread=${OCIRUN_VM_TCG_THREAD:-multi}
hostroot_cache=${OCIRUN_VM_9P_CACHE:-loose}
verbose=${OCIRUN_VM_VERBOSE:-0}
kernel_args=${OCIRUN_VM_KERNEL_ARGS:-}

# Modules the initramfs loads before it can mount anything: virtio PCI, the
# 9p transport and filesystem, overlayfs. Their dependencies are resolved
# from the kernel's modules.dep when the initramfs is built.
required_modules="virtio_pci 9pnet_virtio 9p overlay"
# Loaded if present, failures ignored: what CRIU wants, and loop, whose
# block devices the io throttle tests point their rules at (the guest has
# no disk: its root is 9p).
optional_modules="inet_diag tcp_diag udp_diag unix_diag netlink_diag raw_diag af_packet_diag veth tun nfnetlink nf_tables nft_ct loop"

say() { echo "ocirun-vm: $*" >&2; }
die() {
	say "$*"
	exit 2
}

# usage [STATUS]: the header comment from "Usage:" on; on stderr for an error.
usage() {
	local text
	text=$(sed -n '/^# Usage:/,/^[^#]/{/^[^#]/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}")
	if [ "${1:-2}" -eq 0 ]; then
		echo "$text"
	else
		echo "$text" >&2
	fi
	exit "${1:-2}"
}

# ---------------------------------------------------------------------------
# Arguments

command=
bats_files=()
init=
hybrid=0
while [ $# -gt 0 ]; do
	case $1 in
	--systemd)
		init=systemd
		shift
		;;
	--hybrid)
		hybrid=1
		shift
		;;
	--command)
		[ $# -ge 2 ] || usage
		command=$2
		shift 2
		;;
	--command=*)
		command=${1#--command=}
		shift
		;;
	-h | --help) usage 0 ;;
	--)
		shift
		break
		;;
	-*) usage ;;
	*) break ;;
	esac
done
if [ -n "$command" ]; then
	[ $# -eq 0 ] || die "--command takes no bats files"
else
	for file in "$@"; do
		[ -f "$file" ] || die "no such bats file: $file"
		bats_files+=("$(realpath "$file")")
	done
	if [ ${#bats_files[@]} -eq 0 ]; then
		# The one list of what runs in the VM, shared with make check-vm and
		# tests/run-all.sh: paths relative to the top of the tree, # comments.
		list=tests.list
		[ "$init" = systemd ] && list=systemd-tests.list
		while read -r file; do
			file=${file%%#*}
			file=${file%"${file##*[![:space:]]}"}
			[ -n "$file" ] || continue
			[ -f "$top/$file" ] || die "tests/vm/$list names $file, which does not exist"
			bats_files+=("$top/$file")
		done <"$here/$list"
		[ ${#bats_files[@]} -gt 0 ] || die "tests/vm/$list lists no bats files"
	fi
fi
[ "$hybrid" = 0 ] || [ "$init" = systemd ] || die "--hybrid goes with --systemd (systemd mounts the hierarchies)"
case $tcg_thread in
single | multi) ;;
*) die "OCIRUN_VM_TCG_THREAD must be single or multi, not $tcg_thread" ;;
esac

# ---------------------------------------------------------------------------
# Host packages

# Installs the Debian packages that are missing; apt-get update only runs
# when something is.
ensure_packages() {
	local package missing=()
	for package in "$@"; do
		dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q ' installed$' ||
			missing+=("$package")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get update -qq >&2 ||
		! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
		die "could not install ${missing[*]}"
	fi
}

# busybox-static for the initramfs (a dynamic busybox has no C library
# there), kmod for depmod and modprobe --show-depends, xz-utils to unpack
# the kernel image; bats runs inside the guest from the host's /.
packages=(qemu-system-x86 busybox-static xz-utils kmod)
[ -n "$command" ] || packages+=(bats)
# The systemd guest boots the host's systemd and its system bus, and gives
# the rootless tests' user a systemd with a bus of its own.
[ "$init" = systemd ] && packages+=(systemd dbus dbus-user-session uidmap)
ensure_packages "${packages[@]}"
# The guest has no network: an engine suite among the files (podman's
# checkpoint and restore need a CRIU that works) finds its engines installed
# here, on the host whose / the guest runs from.
for file in "${bats_files[@]}"; do
	case $file in
	*/tests/engines/*)
		"$top/tests/engines/install-engines.sh" >&2 || die "could not install the container engines"
		break
		;;
	esac
done

# ---------------------------------------------------------------------------
# The cache: Debian's kernel unpacked, its vmlinux, and the initramfs

# extract_vmlinux BZIMAGE OUT: qemu boots an uncompressed ELF vmlinux
# directly through its PVH entry point (no firmware, no real-mode setup, no
# decompression under emulation), which is the fastest way to boot under
# TCG. Debian compresses the kernel with xz; the stream starts somewhere in
# the bzImage and is followed by other data, which --single-stream ignores.
extract_vmlinux() {
	local offset
	while read -r offset; do
		tail -c +$((offset + 1)) "$1" | xz -dc --single-stream >"$2" 2>/dev/null
		[ "$(head -c 4 "$2")" = $'\x7fELF' ] && return 0
	done < <(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1)
	return 1
}

# Downloads the kernel that linux-image-amd64 currently depends on and
# unpacks it into $cache/kernel with its modules.dep; no initramfs-tools,
# nothing is installed on the host.
build_kernel() {
	local package work version
	package=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$package" ]; then
		apt-get update -qq >&2
		package=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$package" ] || die "apt-cache knows no kernel package behind linux-image-amd64"
	say "downloading and unpacking $package into $cache/kernel"
	work=$(mktemp -d "$cache/kernel.tmp.XXXXXX") || die "cannot make a directory in $cache"
	# The download goes to a root-only directory, which apt's _apt sandbox
	# user could not write.
	(cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$package") >&2 ||
		die "apt-get download $package failed"
	dpkg-deb -x "$work"/*.deb "$work/tree" || die "dpkg-deb -x failed"
	rm -f "$work"/*.deb
	version=${package#linux-image-}
	[ -d "$work/tree/lib/modules/$version" ] || die "$package has no lib/modules/$version"
	depmod -b "$work/tree" "$version" || die "depmod failed"
	extract_vmlinux "$work/tree/boot/vmlinuz-$version" "$work/tree/vmlinux" ||
		die "no xz-compressed ELF kernel found in vmlinuz-$version"
	echo "$version" >"$work/tree/version"
	rm -rf "$cache/kernel"
	mv "$work/tree" "$cache/kernel" && rmdir "$work"
}

# add_modules LIST NAME...: copies the module files NAME needs into the
# initramfs, dependencies first, each once, and appends them to LIST in
# load order. Built-in modules need nothing. Returns 1 if a NAME is unknown.
add_modules() {
	local list=$1 name line path unknown=0
	shift
	for name in "$@"; do
		if ! line=$(modprobe -d "$cache/kernel" -S "$kernel_version" --show-depends "$name" 2>/dev/null); then
			say "the guest kernel has no module $name"
			unknown=1
			continue
		fi
		while read -r path; do
			[ -n "${initramfs_modules[${path##*/}]:-}" ] && continue
			initramfs_modules[${path##*/}]=1
			cp "$path" "$initramfs/lib/modules/" || return 1
			echo "${path##*/}" >>"$initramfs/lib/modules/$list"
		done < <(awk '$1 == "insmod" { print $2 }' <<<"$line")
	done
	return "$unknown"
}

# An uncompressed newc cpio: decompressing it under TCG would cost more
# than loading a few megabytes more.
build_initramfs() {
	local work applet
	work=$(mktemp -d "$cache/initramfs.tmp.XXXXXX") || die "cannot make a directory in $cache"
	initramfs=$work/root
	declare -gA initramfs_modules=()
	mkdir -p "$initramfs"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$initramfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$initramfs/bin/$applet" ] || ln -s busybox "$initramfs/bin/$applet"
	done
	install -m 0755 "$here/init.sh" "$initramfs/init"
	# The kernel opens /dev/console for /init before devtmpfs is mounted.
	mknod -m 0600 "$initramfs/dev/console" c 5 1
	: >"$initramfs/lib/modules/required.list"
	: >"$initramfs/lib/modules/optional.list"
	# shellcheck disable=SC2086 # the lists are space-separated names
	add_modules required.list $required_modules || die "a module the guest cannot boot without is missing"
	# shellcheck disable=SC2086
	add_modules optional.list $optional_modules || true
	(cd "$initramfs" && find . | sort | /bin/busybox cpio -o -H newc 2>/dev/null) >"$work/initramfs.cpio" ||
		die "cpio failed"
	mv "$work/initramfs.cpio" "$cache/initramfs.cpio" && rm -rf "$work"
}

# The initramfs is rebuilt whenever what goes into it changes: init.sh, the
# module lists, the kernel, busybox, or the way build_initramfs lays it out
# (bump initramfs_layout when changing that).
initramfs_layout=1
initramfs_stamp() {
	{
		cat "$here/init.sh" "$cache/kernel/version" /bin/busybox
		echo "$initramfs_layout $required_modules $optional_modules"
	} | sha256sum | cut -d' ' -f1
}

mkdir -p "$cache" || die "cannot create $cache"
build_start=$SECONDS
# Two runs at once must not build into each other; the lock is held only
# while building (qemu reads the files once, at start, and they are replaced
# by rename).
exec 9>"$cache/lock"
flock 9 || die "cannot lock $cache/lock"
# Leftovers of a build that was interrupted.
rm -rf "$cache"/kernel.tmp.* "$cache"/initramfs.tmp.*
if [ ! -f "$cache/kernel/vmlinux" ] || [ ! -f "$cache/kernel/version" ]; then
	build_kernel
fi
kernel_version=$(cat "$cache/kernel/version")
stamp=$(initramfs_stamp)
if [ ! -f "$cache/initramfs.cpio" ] || [ "$(cat "$cache/initramfs.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "building the initramfs"
	build_initramfs
	echo "$stamp" >"$cache/initramfs.stamp"
fi
exec 9>&-
[ $((SECONDS - build_start)) -gt 1 ] && say "cache ready in $((SECONDS - build_start)) s"

# ---------------------------------------------------------------------------
# The guest's work: vm.conf for init.sh, command.sh for the command

tmp=
timeout_pid=
tail_pid=
console_pid=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local pid
	# Only the processes this script started, by pid.
	for pid in "$timeout_pid" "$tail_pid" "$console_pid"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	for pid in "$timeout_pid" "$tail_pid" "$console_pid"; do
		[ -n "$pid" ] && wait "$pid" 2>/dev/null
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocirun-vm.XXXXXX") || die "mktemp failed"
share=$tmp/share
mkdir "$share"

# Single-quoted for init.sh, which sources vm.conf with busybox's sh.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	echo "MODULES_DIR=$(shell_quote "$cache/kernel/lib/modules/$kernel_version")"
	echo "HOSTROOT_CACHE=$(shell_quote "$hostroot_cache")"
	echo "TREE=$(shell_quote "$top")"
	echo "INIT=$(shell_quote "$init")"
} >"$share/vm.conf"

# What make check exports, pointing into this tree unless set already.
: "${OCIRUN:=$top/src/ocirun}" "${SCHEMADIR:=$top/libocispec/schemas}"
: "${TESTDATA:=$top/tests/unit/data}" "${TEST_TOOLS:=$top/tests/tools}"
export OCIRUN SCHEMADIR TESTDATA TEST_TOOLS
{
	echo '#!/bin/bash'
	echo '# Written by tests/vm/run.sh; run by init.sh inside the guest.'
	echo 'export OCIRUN_TEST_VM=1'
	if [ "$init" = systemd ]; then
		layout=v2
		[ "$hybrid" = 1 ] && layout=hybrid
		echo "export OCIRUN_TEST_VM_CGROUPS=$layout"
	fi
	while IFS= read -r name; do
		case $name in
		OCIRUN_VM_* | OCIRUN_TEST_VM*) continue ;;
		OCIRUN* | BUSYBOX | PYTHON3 | SCHEMADIR | TESTDATA | TEST_TOOLS | FUZZ_CORPUS | PATH | LANG) ;;
		*) continue ;;
		esac
		printf 'export %s=%q\n' "$name" "${!name}"
	done < <(compgen -e)
	# The same working directory as here, unless it is hidden in the guest
	# (/tmp and /run are the guest's own).
	printf 'cd %q 2>/dev/null || cd %q || exit 1\n' "$PWD" "$top"
	if [ -n "$command" ]; then
		printf '%s\n' "$command"
	else
		# One bats run per file, as make check does, so each file gets the
		# setup_suite.bash of its own directory.
		echo 'status=0'
		for file in "${bats_files[@]}"; do
			printf 'echo %q\n' "# $file"
			printf 'bats --tap %q || status=1\n' "$file"
		done
		echo "exit \"\$status\""
	fi
} >"$share/command.sh"
: >"$share/output"

# ---------------------------------------------------------------------------
# Boot

# -nodefaults: no NIC, VGA or other default devices to probe (the guest only
# needs lo); the console (ttyS0) goes to a file that is shown on failure.
# The host's / is exported read-only; the share is the only thing the guest
# can write on the host. panic=-1 and -no-reboot turn a guest panic into qemu
# exiting, and cgroup_no_v1=all keeps every controller off cgroup v1. systemd
# is told which layout to mount, and fstab=0 keeps it from the host's fstab.
cgroup_args="cgroup_no_v1=all"
if [ "$init" = systemd ]; then
	cgroup_args="cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 fstab=0"
	[ "$hybrid" = 1 ] && cgroup_args="systemd.unified_cgroup_hierarchy=0 fstab=0"
fi
console=$tmp/console.log
start=$SECONDS
timeout --kill-after=10 "$timeout_seconds" \
	qemu-system-x86_64 \
	-machine q35 -accel "tcg,tb-size=256,thread=$tcg_thread" -cpu "$cpu_model" \
	-m "$memory" -smp "$cpus" \
	-nodefaults -display none -monitor none -no-reboot \
	-serial "file:$console" \
	-kernel "$cache/kernel/vmlinux" -initrd "$cache/initramfs.cpio" \
	-append "console=ttyS0 quiet panic=-1 $cgroup_args $kernel_args" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
	-virtfs "local,path=$share,mount_tag=share,security_model=passthrough" \
	</dev/null >"$tmp/qemu.out" 2>&1 &
# timeout is qemu's parent: killing it with TERM stops qemu too (and should
# this script die by SIGKILL, timeout still stops qemu at the deadline).
timeout_pid=$!

# Stream the guest's output as it grows; tail exits once qemu has.
tail -n +1 -f --pid="$timeout_pid" "$share/output" &
tail_pid=$!
if [ "$verbose" = 1 ]; then
	tail -n +1 -F --pid="$timeout_pid" "$console" >&2 2>/dev/null &
	console_pid=$!
fi

wait "$timeout_pid"
qemu_status=$?
timeout_pid=
wait "$tail_pid"
tail_pid=
if [ -n "$console_pid" ]; then
	wait "$console_pid"
	console_pid=
fi
elapsed=$((SECONDS - start))

# ---------------------------------------------------------------------------
# Verdict

guest_failed() {
	say "$*"
	if [ -s "$tmp/qemu.out" ]; then
		say "qemu said:"
		cat "$tmp/qemu.out" >&2
	fi
	if [ -s "$console" ]; then
		say "last lines of the guest console:"
		tail -n 40 "$console" >&2
	else
		say "the guest console is empty"
	fi
	exit 3
}

if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
	guest_failed "the guest timed out after $timeout_seconds s (OCIRUN_VM_TIMEOUT)"
fi
[ -f "$share/started" ] || guest_failed "the guest did not boot (qemu exited with status $qemu_status after $elapsed s)"
status=$(cat "$share/status" 2>/dev/null)
[[ "$status" =~ ^[0-9]+$ ]] ||
	guest_failed "the guest booted but did not report the command's exit status (qemu exited with status $qemu_status after $elapsed s)"
say "guest command exited with status $status; booted in $(cut -d' ' -f1 "$share/started") s (guest uptime), $elapsed s in all"
exit "$status"
