#!/usr/bin/env bats
# The CVE regression suite for the process side of a container (the
# filesystem classes are in rootfs-attacks.bats; tests/SECURITY.md lists
# every class and where it is tested). Each test is written from the
# public description of the bug and checks that the host is unchanged.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/b"
}

teardown() {
	teardown_common
}

# The ocirun binary's checksum, to compare after an attack on it.
runtime_checksum() {
	sha256sum "$(readlink -f "$OCIRUN")" | cut -d' ' -f1
}

@test "CVE-2019-5736: a startContainer hook in the container cannot open the runtime through /proc/1/exe" {
	# Until its execve, the container's pid 1 is ocirun's binary. The hook
	# runs inside the container as its root (the host's root: no user
	# namespace) and tries to open /proc/1/exe, the first step of the
	# attack (the write comes once ocirun no longer runs the binary).
	local before
	before=$(runtime_checksum)
	container_bundle "$BUNDLE" true
	edit_config "$BUNDLE" "c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'if cat /proc/1/exe >/dev/null 2>&1; then echo readable; else echo denied; fi >/hook-result; readlink /proc/1/exe >>/hook-result 2>&1 || echo no-link >>/hook-result']}]}"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
	assert_equal "$(head -1 "$BUNDLE/rootfs/hook-result")" denied "opening /proc/1/exe from the hook"
	assert_equal "$(runtime_checksum)" "$before" "the runtime binary"
}

@test "CVE-2019-5736: a container process cannot open an exec'd process's /proc/PID/exe while ocirun runs it" {
	# exec runs ocirun's code in the container (joining it, setting up the
	# process) before its execve. A process of the container waits for it
	# and tries to open its exe. The exec'd program is a startContainer-
	# free `sleep`, so the window is the whole setup; the watcher checks
	# every process whose exe it can read and reports what it found.
	local before
	before=$(runtime_checksum)
	container_bundle "$BUNDLE" sh -c 'while :; do for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null) || continue; case "$e" in *ocirun*) echo "reached $p: $e" >>/watch;; esac; done; done'
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	local i
	for i in $(seq 20); do
		run ocirun exec c1 true
		assert_status 0
	done
	ocirun kill c1 KILL
	[[ ! -s "$BUNDLE/rootfs/watch" ]] || fail "the container reached ocirun's binary: $(sort -u "$BUNDLE/rootfs/watch" | head -3)"
	assert_equal "$(runtime_checksum)" "$before" "the runtime binary"
}

@test "CVE-2022-29162 / CVE-2022-27650: exec'd processes get no inheritable or ambient capabilities, --cap included" {
	# The bug: exec'd processes got a non-empty inheritable set, so a
	# file with inheritable file capabilities gained them at execve.
	container_bundle "$BUNDLE" sleep 1000
	ocirun_detached run --detach --bundle "$BUNDLE" c1
	assert_status 0
	run --separate-stderr ocirun exec --cap CAP_NET_RAW --user 1000:1000 c1 grep -E '^Cap(Inh|Amb|Eff):' /proc/self/status
	assert_status 0
	assert_output_equals "CapInh:	0000000000000000
CapEff:	0000000000000000
CapAmb:	0000000000000000"
	run --separate-stderr ocirun exec --cap CAP_NET_RAW c1 grep -E '^Cap(Inh|Amb):' /proc/self/status
	assert_output_equals "CapInh:	0000000000000000
CapAmb:	0000000000000000"
}
