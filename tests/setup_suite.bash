# Runs once per bats run, before any test: checks what the whole suite
# depends on and builds the busybox rootfs template that make_bundle copies.
# A missing dependency fails the whole suite with one clear message instead
# of failing (or skipping) every test on its own.

# shellcheck source=helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

suite_fail() {
	echo "setup_suite: $*" >&2
	return 1
}

# Whether FILE is an ELF executable without a program interpreter (PT_INTERP),
# i.e. statically linked: a dynamic busybox cannot run inside a bare rootfs.
is_static_elf() {
	"$PYTHON3" -c '
import struct, sys
with open(sys.argv[1], "rb") as f:
    data = f.read(1 << 16)
if data[:4] != b"\x7fELF":
    sys.exit(1)
is64 = data[4] == 2
end = "<" if data[5] == 1 else ">"
if is64:
    phoff, = struct.unpack_from(end + "Q", data, 32)
    phentsize, phnum = struct.unpack_from(end + "HH", data, 54)
else:
    phoff, = struct.unpack_from(end + "I", data, 28)
    phentsize, phnum = struct.unpack_from(end + "HH", data, 42)
for i in range(phnum):
    p_type, = struct.unpack_from(end + "I", data, phoff + i * phentsize)
    if p_type == 3:
        sys.exit(1)
' "$1"
}

setup_suite() {
	[[ -x "$OCIRUN" ]] ||
		suite_fail "the runtime under test, $OCIRUN, is not an executable: run make first, or set OCIRUN"
	command -v "$PYTHON3" >/dev/null ||
		suite_fail "$PYTHON3 not found: install Debian's python3"
	[[ -x "$BUSYBOX" ]] ||
		suite_fail "$BUSYBOX not found: install Debian's busybox-static (apt-get install busybox-static)"
	is_static_elf "$BUSYBOX" ||
		suite_fail "$BUSYBOX is not a static executable: install Debian's busybox-static, not busybox"
	command -v findmnt >/dev/null ||
		suite_fail "findmnt not found: install util-linux"

	local rootfs=$ROOTFS_TEMPLATE
	make_busybox_rootfs "$rootfs"

	# The template must actually work: the sh link runs busybox's shell.
	[[ "$("$rootfs/bin/sh" -c 'echo ok')" == ok ]] ||
		suite_fail "the busybox rootfs template at $rootfs does not run sh"
	export ROOTFS_TEMPLATE
}

teardown_suite() {
	rm -rf "$ROOTFS_TEMPLATE"
}
