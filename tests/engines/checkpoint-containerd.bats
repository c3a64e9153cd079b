#!/usr/bin/env bats
# ctr tasks checkpoint through containerd's runc shim, with ocirun next to
# runc. ctr pauses the task before it asks the runtime to checkpoint it, so
# that the rootfs and the images agree, and resumes it afterwards: the
# runtime is handed a paused container. CRIU must be able to dump, so this
# file runs in the VM stage (tests/vm/tests.list); elsewhere it skips,
# naming that.

load engines

setup_file() {
	if ! criu check >/dev/null 2>&1; then
		export SKIP_REASON="machine limit: criu cannot dump on this kernel ($(criu check 2>&1 | grep -m1 Error | sed 's/^Error ([^)]*): //')); the VM stage runs this"
		return 0
	fi
	engine_setup_file containerd
}

teardown_file() {
	engine_teardown_file
}

setup() {
	[[ -z "${SKIP_REASON:-}" ]] || skip "$SKIP_REASON"
}

teardown() {
	[[ -n "${SKIP_REASON:-}" ]] || engine_teardown
}

task_status() {
	ctr tasks ls | awk '$1 == "c1" {print $3}'
}

# The count the counter of c1 has reached, read through the task.
count() {
	ctr tasks exec --exec-id "read-$RANDOM" c1 cat /tmp/count 2>/dev/null
}

@test "ctr tasks checkpoint: containerd pauses the task, the runtime checkpoints it, the task goes on" {
	scenario() {
		local images=$ENGINE_DIR/images-$RUNTIME
		rm -rf "$images" "$images-exit"
		eng-run -d "$IMAGE" c1 sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/count; sleep 0.2; done' >/dev/null || return
		wait_until 30 sh -c '[ "$(ctr tasks exec --exec-id probe c1 cat /tmp/count 2>/dev/null || echo 0)" -gt 2 ]' ||
			{ echo "the counter did not start"; return 1; }
		ctr tasks checkpoint --image-path "$images" c1 || return
		[[ -f "$images/inventory.img" ]] && echo "images saved"
		task_status
		local before
		before=$(count)
		wait_until 30 sh -c "[ \"\$(ctr tasks exec --exec-id probe2 c1 cat /tmp/count)\" -gt $before ]" && echo "counting on"
		# --exit: the checkpoint ends the task.
		ctr tasks checkpoint --exit --image-path "$images-exit" c1 || return
		[[ -f "$images-exit/inventory.img" ]] && echo "images saved"
		wait_until 30 sh -c '[ "$(ctr tasks ls | awk "\$1 == \"c1\" {print \$3}")" = STOPPED ]' && echo STOPPED
		# The runtime's container went with the checkpoint; the task is
		# containerd's to delete.
		ctr tasks delete c1 >/dev/null && echo deleted
	}
	both scenario
	assert_like_runc 0
	assert_equal "$output" "images saved
RUNNING
counting on
images saved
STOPPED
deleted"
}
