#!/usr/bin/env bats
# Every property of the runtime-spec 1.3 config schema (config-schema.json
# and the Linux files it refers to, as libocispec ships them) is accounted
# for in the table below, so that no field is silently ignored:
#   honoured FILE [WORD]  implemented; FILE is the test of it, and mentions
#                         WORD (default: the path's last key) -- checked;
#   implemented SRC WORD  implemented in SRC (which names WORD) but no test
#                         names it yet: listed by the second test;
#   refused WHEN EDIT MSG refused on hosts without WHEN (resctrl, apparmor,
#                         selinux; `never`: always refused): run here through create with EDIT (Python
#                         on the config `c`), which must exit 1 naming MSG and
#                         leave nothing; on a host with WHEN, WHEN's test file
#                         must exist instead;
#   ignored REASON        accepted and without effect, as in runc: the other
#                         platforms' sections and the Windows-only fields --
#                         a container with all of them set runs.
# Paths: `.` between keys, `[]` for array items, `*` for the keys of a map.
# A new field in the schema fails the first test until it gets a row.

load helpers

setup() {
	setup_common
	BUNDLE="$TEST_TMP/c1"
	FIELDS="$TEST_TMP/fields.txt"
	sed -n 's/^#| //p' "$BATS_TEST_FILENAME" >"$FIELDS"
}

teardown() {
	teardown_common
}

# The schema's property paths, one a line.
schema_paths() {
	"$PYTHON3" - "$SCHEMADIR" <<-'EOF'
		import json, os, sys
		top = sys.argv[1]
		files = {}
		def load(name):
		    if name not in files:
		        with open(os.path.join(top, name)) as f:
		            files[name] = json.load(f)
		    return files[name]
		def resolve(node, name):
		    while "$ref" in node:
		        ref_file, _, pointer = node["$ref"].partition("#")
		        name = ref_file or name
		        node = load(name)
		        for part in pointer.strip("/").split("/"):
		            if part:
		                node = node[part]
		    return node, name
		paths = set()
		def walk(node, name, path):
		    if isinstance(node, list):
		        for item in node:
		            walk(item, name, path)
		        return
		    ref_file = node.get("$ref", "").partition("#")[0]
		    # The other platforms' schema files are not shipped: their
		    # sections are leaves here.
		    if ref_file and not os.path.exists(os.path.join(top, ref_file)):
		        return
		    node, name = resolve(node, name)
		    parts = [resolve(n, name) for key in ("allOf", "anyOf", "oneOf") for n in node.get(key, [])]
		    for n, nname in [(node, name)] + parts:
		        for key, sub in n.get("properties", {}).items():
		            p = path + "." + key if path else key
		            paths.add(p)
		            walk(sub, nname, p)
		        if n.get("type") == "array" and "items" in n:
		            walk(n["items"], nname, path + "[]")
		        if isinstance(n.get("additionalProperties"), dict):
		            walk(n["additionalProperties"], nname, path + ".*")
		        for sub in n.get("patternProperties", {}).values():
		            walk(sub, nname, path + ".*")
		walk(load("config-schema.json"), "config-schema.json", "")
		print("\n".join(sorted(paths)))
	EOF
}

@test "config fields: every property of the schema has one row in the table, and every row is a property" {
	local schema table
	schema=$(schema_paths)
	[[ $(wc -l <<<"$schema") -gt 200 ]] || fail "the schema walk found too few properties: $schema"
	table=$(awk -F' *\\| *' '{print $1}' "$FIELDS" | sort)
	local missing extra repeated
	missing=$(comm -23 <(echo "$schema") <(echo "$table" | sort -u))
	extra=$(comm -13 <(echo "$schema") <(echo "$table" | sort -u))
	repeated=$(echo "$table" | uniq -d)
	[[ -z "$missing" ]] || fail "fields of the schema with no row (honour or refuse them, then add one): $missing"
	[[ -z "$extra" ]] || fail "rows for fields the schema does not have: $extra"
	[[ -z "$repeated" ]] || fail "fields with more than one row: $repeated"
}

@test "config fields: every honoured field is named by the test that covers it, every implemented one by its source" {
	local path verdict file word problems="" untested=""
	while IFS='|' read -r path verdict file word; do
		path=$(xargs <<<"$path") verdict=$(xargs <<<"$verdict")
		case $verdict in
		honoured*) read -r file word <<<"${verdict#honoured}" ;;
		implemented*)
			read -r file word <<<"${verdict#implemented}"
			untested+=" $path"
			;;
		*) continue ;;
		esac
		[[ -n "$word" ]] || word=$(sed -e 's/\[\]//g; s/\.\*$//; s/.*\.//' <<<"$path")
		if [[ ! -f "$TESTS_DIR/../$file" ]]; then
			problems+=" $path: no test file $file;"
		elif ! grep -qw -- "$word" "$TESTS_DIR/../$file"; then
			problems+=" $path: $file does not mention $word;"
		fi
	done <"$FIELDS"
	[[ -z "$problems" ]] || fail "$problems"
	echo "# implemented, but named by no test yet:$untested" >&3
}

host_has() {
	case $1 in
	resctrl) [[ "$(stat -f -c %T /sys/fs/resctrl 2>/dev/null)" == resctrl ]] ;;
	apparmor) [[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]] ;;
	selinux) [[ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" == selinux ]] ;;
	*) fail "unknown host condition $1" ;;
	esac
}

@test "config fields: every refused field fails create with exit 1, naming it, and leaves nothing" {
	container_bundle "$BUNDLE" true
	cp "$BUNDLE/config.json" "$TEST_TMP/pristine.json"
	local path verdict when edit message tested=0
	while IFS='|' read -r path verdict edit message; do
		path=$(xargs <<<"$path") verdict=$(xargs <<<"$verdict")
		[[ "$verdict" == refused* ]] || continue
		when=${verdict#refused without }
		if [[ "$when" != never ]] && host_has "$when"; then
			# There the field is honoured: its own test covers it.
			continue
		fi
		cp "$TEST_TMP/pristine.json" "$BUNDLE/config.json"
		edit_config "$BUNDLE" "$(sed -e 's/^ *//' <<<"$edit")"
		run --separate-stderr ocirun create --bundle "$BUNDLE" c1
		[[ $status == 1 ]] || fail "$path: create exited with $status, not 1: $stderr"
		message=$(sed -e 's/^ *//; s/ *$//' <<<"$message")
		[[ "$stderr" == *"config.json: $message"* ]] || fail "$path: the error does not say \`config.json: $message\`: $stderr"
		assert_nothing_left c1
		tested=$((tested + 1))
	done <"$FIELDS"
	echo "# $tested refusals run" >&3
}

@test "config fields: the ignored fields are the other platforms' and Windows-only ones, and a container with all of them runs" {
	local path verdict reason edits=""
	container_bundle "$BUNDLE" true
	while IFS='|' read -r path verdict reason; do
		path=$(xargs <<<"$path") verdict=$(xargs <<<"$verdict")
		[[ "$verdict" == ignored* ]] || continue
		case $path in
		solaris | windows | vm | zos | freebsd) edits+="c['$path'] = {}"$'\n' ;;
		process.commandLine) edits+="c['process']['commandLine'] = 'cmd.exe /c exit 3'"$'\n' ;;
		process.user.username) edits+="c['process']['user']['username'] = 'ContainerUser'"$'\n' ;;
		*) fail "$path is ignored, but only other platforms' and Windows-only fields may be" ;;
		esac
	done <"$FIELDS"
	edit_config "$BUNDLE" "$edits"
	run --separate-stderr ocirun run --bundle "$BUNDLE" c1
	assert_status 0
}

# The table: path | verdict | detail (see the top of this file).
#| annotations | honoured tests/hooks.bats
#| domainname | honoured tests/process.bats
#| hooks | honoured tests/hooks.bats
#| hooks.createContainer | honoured tests/hooks.bats
#| hooks.createContainer[].args | honoured tests/hooks.bats
#| hooks.createContainer[].env | honoured tests/hooks.bats
#| hooks.createContainer[].path | honoured tests/hooks.bats
#| hooks.createContainer[].timeout | honoured tests/hooks.bats
#| hooks.createRuntime | honoured tests/hooks.bats
#| hooks.createRuntime[].args | honoured tests/hooks.bats
#| hooks.createRuntime[].env | honoured tests/hooks.bats
#| hooks.createRuntime[].path | honoured tests/hooks.bats
#| hooks.createRuntime[].timeout | honoured tests/hooks.bats
#| hooks.poststart | honoured tests/hooks.bats
#| hooks.poststart[].args | honoured tests/hooks.bats
#| hooks.poststart[].env | honoured tests/hooks.bats
#| hooks.poststart[].path | honoured tests/hooks.bats
#| hooks.poststart[].timeout | honoured tests/hooks.bats
#| hooks.poststop | honoured tests/hooks.bats
#| hooks.poststop[].args | honoured tests/hooks.bats
#| hooks.poststop[].env | honoured tests/hooks.bats
#| hooks.poststop[].path | honoured tests/hooks.bats
#| hooks.poststop[].timeout | honoured tests/hooks.bats
#| hooks.prestart | honoured tests/hooks.bats
#| hooks.prestart[].args | honoured tests/hooks.bats
#| hooks.prestart[].env | honoured tests/hooks.bats
#| hooks.prestart[].path | honoured tests/hooks.bats
#| hooks.prestart[].timeout | honoured tests/hooks.bats
#| hooks.startContainer | honoured tests/hooks.bats
#| hooks.startContainer[].args | honoured tests/hooks.bats
#| hooks.startContainer[].env | honoured tests/hooks.bats
#| hooks.startContainer[].path | honoured tests/hooks.bats
#| hooks.startContainer[].timeout | honoured tests/hooks.bats
#| hostname | honoured tests/process.bats
#| linux | honoured tests/namespaces.bats
#| linux.cgroupsPath | honoured tests/cgroups.bats
#| linux.devices | honoured tests/rootfs.bats
#| linux.devices[].fileMode | honoured tests/rootfs.bats
#| linux.devices[].gid | honoured tests/rootfs.bats
#| linux.devices[].major | honoured tests/rootfs.bats
#| linux.devices[].minor | honoured tests/rootfs.bats
#| linux.devices[].path | honoured tests/rootfs.bats
#| linux.devices[].type | honoured tests/rootfs.bats
#| linux.devices[].uid | honoured tests/rootfs.bats
#| linux.gidMappings | honoured tests/namespaces.bats
#| linux.gidMappings[].containerID | honoured tests/namespaces.bats
#| linux.gidMappings[].hostID | honoured tests/namespaces.bats
#| linux.gidMappings[].size | honoured tests/namespaces.bats
#| linux.intelRdt | refused without resctrl | c['linux']['intelRdt'] = {} | linux.intelRdt: Intel RDT is not enabled
#| linux.intelRdt.closID | refused without resctrl | c['linux']['intelRdt'] = {'closID': 'ocirun-g1'} | linux.intelRdt: Intel RDT is not enabled
#| linux.intelRdt.enableMonitoring | refused without resctrl | c['linux']['intelRdt'] = {'enableMonitoring': True} | linux.intelRdt: Intel RDT is not enabled
#| linux.intelRdt.l3CacheSchema | refused without resctrl | c['linux']['intelRdt'] = {'l3CacheSchema': 'L3:0=f'} | linux.intelRdt: Intel RDT is not enabled
#| linux.intelRdt.memBwSchema | refused without resctrl | c['linux']['intelRdt'] = {'memBwSchema': 'MB:0=50'} | linux.intelRdt: Intel RDT is not enabled
#| linux.intelRdt.schemata | refused without resctrl | c['linux']['intelRdt'] = {'schemata': ['L3:0=f']} | linux.intelRdt: Intel RDT is not enabled
#| linux.maskedPaths | honoured tests/rootfs.bats
#| linux.memoryPolicy | honoured tests/memory-policy.bats
#| linux.memoryPolicy.flags | honoured tests/memory-policy.bats MPOL_F_STATIC_NODES
#| linux.memoryPolicy.mode | honoured tests/memory-policy.bats MPOL_BIND
#| linux.memoryPolicy.nodes | honoured tests/memory-policy.bats
#| linux.mountLabel | refused without selinux | c['linux']['mountLabel'] = 'system_u:object_r:container_file_t:s0:c1,c2' | linux.mountLabel: label
#| linux.namespaces | honoured tests/namespaces.bats
#| linux.namespaces[].path | honoured tests/namespaces.bats
#| linux.namespaces[].type | honoured tests/namespaces.bats
#| linux.netDevices | honoured tests/net-devices.bats
#| linux.netDevices.*.name | honoured tests/net-devices.bats
#| linux.personality | honoured tests/process.bats
#| linux.personality.domain | honoured tests/process.bats LINUX32
#| linux.personality.flags | refused without never | c['linux']['personality'] = {'domain': 'LINUX', 'flags': ['ADDR_NO_RANDOMIZE']} | linux.personality.flags[0]: unknown flag
#| linux.readonlyPaths | honoured tests/rootfs.bats
#| linux.resources | honoured tests/cgroups.bats
#| linux.resources.blockIO | honoured tests/cgroups.bats
#| linux.resources.blockIO.leafWeight | implemented src/lib/cgroup_v1.c leaf_weight
#| linux.resources.blockIO.throttleReadBpsDevice | honoured tests/cgroups.bats
#| linux.resources.blockIO.throttleReadBpsDevice[].major | honoured tests/cgroups.bats throttleReadBpsDevice
#| linux.resources.blockIO.throttleReadBpsDevice[].minor | honoured tests/cgroups.bats throttleReadBpsDevice
#| linux.resources.blockIO.throttleReadBpsDevice[].rate | honoured tests/cgroups.bats throttleReadBpsDevice
#| linux.resources.blockIO.throttleReadIOPSDevice | implemented src/lib/cgroup_v1.c throttle_read_iops_device
#| linux.resources.blockIO.throttleReadIOPSDevice[].major | implemented src/lib/cgroup_v1.c throttle_read_iops_device
#| linux.resources.blockIO.throttleReadIOPSDevice[].minor | implemented src/lib/cgroup_v1.c throttle_read_iops_device
#| linux.resources.blockIO.throttleReadIOPSDevice[].rate | implemented src/lib/cgroup_v1.c throttle_read_iops_device
#| linux.resources.blockIO.throttleWriteBpsDevice | implemented src/lib/cgroup_v1.c throttle_write_bps_device
#| linux.resources.blockIO.throttleWriteBpsDevice[].major | implemented src/lib/cgroup_v1.c throttle_write_bps_device
#| linux.resources.blockIO.throttleWriteBpsDevice[].minor | implemented src/lib/cgroup_v1.c throttle_write_bps_device
#| linux.resources.blockIO.throttleWriteBpsDevice[].rate | implemented src/lib/cgroup_v1.c throttle_write_bps_device
#| linux.resources.blockIO.throttleWriteIOPSDevice | honoured tests/cgroups.bats
#| linux.resources.blockIO.throttleWriteIOPSDevice[].major | honoured tests/cgroups.bats throttleWriteIOPSDevice
#| linux.resources.blockIO.throttleWriteIOPSDevice[].minor | honoured tests/cgroups.bats throttleWriteIOPSDevice
#| linux.resources.blockIO.throttleWriteIOPSDevice[].rate | honoured tests/cgroups.bats throttleWriteIOPSDevice
#| linux.resources.blockIO.weight | honoured tests/cgroups.bats
#| linux.resources.blockIO.weightDevice | implemented src/lib/cgroup_v1.c weight_device
#| linux.resources.blockIO.weightDevice[].leafWeight | implemented src/lib/cgroup_v1.c leaf_weight
#| linux.resources.blockIO.weightDevice[].major | implemented src/lib/cgroup_v1.c weight_device
#| linux.resources.blockIO.weightDevice[].minor | implemented src/lib/cgroup_v1.c weight_device
#| linux.resources.blockIO.weightDevice[].weight | implemented src/lib/cgroup_v1.c weight_device
#| linux.resources.cpu | honoured tests/cgroups.bats
#| linux.resources.cpu.burst | honoured tests/cgroups.bats
#| linux.resources.cpu.cpus | honoured tests/cgroups.bats
#| linux.resources.cpu.idle | honoured tests/cgroups.bats
#| linux.resources.cpu.mems | honoured tests/cgroups.bats
#| linux.resources.cpu.period | honoured tests/cgroups.bats
#| linux.resources.cpu.quota | honoured tests/cgroups.bats
#| linux.resources.cpu.realtimePeriod | honoured tests/cgroups.bats
#| linux.resources.cpu.realtimeRuntime | honoured tests/cgroups.bats
#| linux.resources.cpu.shares | honoured tests/cgroups.bats
#| linux.resources.devices | honoured tests/cgroups.bats
#| linux.resources.devices[].access | honoured tests/cgroups.bats
#| linux.resources.devices[].allow | honoured tests/cgroups.bats
#| linux.resources.devices[].major | honoured tests/cgroups.bats
#| linux.resources.devices[].minor | honoured tests/cgroups.bats
#| linux.resources.devices[].type | honoured tests/cgroups.bats
#| linux.resources.hugepageLimits | honoured tests/cgroups.bats
#| linux.resources.hugepageLimits[].limit | honoured tests/cgroups.bats hugepageLimits
#| linux.resources.hugepageLimits[].pageSize | honoured tests/cgroups.bats
#| linux.resources.memory | honoured tests/cgroups.bats
#| linux.resources.memory.checkBeforeUpdate | honoured tests/cgroups.bats
#| linux.resources.memory.disableOOMKiller | honoured tests/cgroups.bats
#| linux.resources.memory.kernel | honoured tests/cgroups.bats
#| linux.resources.memory.kernelTCP | honoured tests/cgroups.bats
#| linux.resources.memory.limit | honoured tests/cgroups.bats
#| linux.resources.memory.reservation | honoured tests/cgroups.bats
#| linux.resources.memory.swap | honoured tests/cgroups.bats
#| linux.resources.memory.swappiness | honoured tests/cgroups.bats
#| linux.resources.memory.useHierarchy | implemented src/lib/cgroup_v1.c use_hierarchy
#| linux.resources.network | honoured tests/cgroups.bats
#| linux.resources.network.classID | honoured tests/cgroups.bats
#| linux.resources.network.priorities | implemented src/lib/cgroup_v1.c priorities
#| linux.resources.network.priorities[].name | implemented src/lib/cgroup_v1.c priorities
#| linux.resources.network.priorities[].priority | implemented src/lib/cgroup_v1.c priorities
#| linux.resources.pids | honoured tests/cgroups.bats
#| linux.resources.pids.limit | honoured tests/cgroups.bats
#| linux.resources.rdma | honoured tests/cgroups.bats
#| linux.resources.rdma.*.hcaHandles | honoured tests/cgroups.bats
#| linux.resources.rdma.*.hcaObjects | implemented src/lib/cgroup_v1.c hca_objects
#| linux.resources.unified | honoured tests/cgroups.bats
#| linux.rootfsPropagation | honoured tests/rootfs.bats
#| linux.seccomp | honoured tests/seccomp.bats
#| linux.seccomp.architectures | honoured tests/seccomp.bats
#| linux.seccomp.defaultAction | honoured tests/seccomp.bats
#| linux.seccomp.defaultErrnoRet | implemented src/lib/seccomp_filter.c default_errno_ret
#| linux.seccomp.flags | honoured tests/seccomp.bats SECCOMP_FILTER_FLAG_LOG
#| linux.seccomp.listenerMetadata | honoured tests/seccomp-notify.bats
#| linux.seccomp.listenerPath | honoured tests/seccomp-notify.bats
#| linux.seccomp.syscalls | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].action | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].args | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].args[].index | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].args[].op | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].args[].value | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].args[].valueTwo | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].errnoRet | honoured tests/seccomp.bats
#| linux.seccomp.syscalls[].names | honoured tests/seccomp.bats
#| linux.sysctl | honoured tests/process.bats
#| linux.timeOffsets | honoured tests/namespaces.bats
#| linux.timeOffsets.boottime | honoured tests/namespaces.bats
#| linux.timeOffsets.boottime.nanosecs | honoured tests/namespaces.bats
#| linux.timeOffsets.boottime.secs | honoured tests/namespaces.bats
#| linux.timeOffsets.monotonic | honoured tests/namespaces.bats
#| linux.timeOffsets.monotonic.nanosecs | honoured tests/namespaces.bats
#| linux.timeOffsets.monotonic.secs | honoured tests/namespaces.bats
#| linux.uidMappings | honoured tests/namespaces.bats
#| linux.uidMappings[].containerID | honoured tests/namespaces.bats
#| linux.uidMappings[].hostID | honoured tests/namespaces.bats
#| linux.uidMappings[].size | honoured tests/namespaces.bats
#| mounts | honoured tests/mounts.bats
#| mounts[].destination | honoured tests/mounts.bats
#| mounts[].gidMappings | honoured tests/mounts.bats
#| mounts[].gidMappings[].containerID | honoured tests/mounts.bats
#| mounts[].gidMappings[].hostID | honoured tests/mounts.bats
#| mounts[].gidMappings[].size | honoured tests/mounts.bats
#| mounts[].options | honoured tests/mounts.bats
#| mounts[].source | honoured tests/mounts.bats
#| mounts[].type | honoured tests/mounts.bats
#| mounts[].uidMappings | honoured tests/mounts.bats
#| mounts[].uidMappings[].containerID | honoured tests/mounts.bats
#| mounts[].uidMappings[].hostID | honoured tests/mounts.bats
#| mounts[].uidMappings[].size | honoured tests/mounts.bats
#| ociVersion | honoured tests/hooks.bats
#| process | honoured tests/process.bats
#| process.apparmorProfile | refused without apparmor | c['process']['apparmorProfile'] = 'unconfined' | process.apparmorProfile: profile
#| process.args | honoured tests/process.bats
#| process.capabilities | honoured tests/process.bats
#| process.capabilities.ambient | honoured tests/process.bats
#| process.capabilities.bounding | honoured tests/process.bats
#| process.capabilities.effective | honoured tests/process.bats
#| process.capabilities.inheritable | honoured tests/process.bats
#| process.capabilities.permitted | honoured tests/process.bats
#| process.commandLine | ignored | Windows only (runtime-spec config.md), as runc ignores it
#| process.consoleSize | honoured tests/terminal.bats
#| process.consoleSize.height | honoured tests/terminal.bats
#| process.consoleSize.width | honoured tests/terminal.bats
#| process.cwd | honoured tests/process.bats
#| process.env | honoured tests/process.bats
#| process.execCPUAffinity | honoured tests/process.bats
#| process.execCPUAffinity.final | honoured tests/process.bats
#| process.execCPUAffinity.initial | honoured tests/process.bats
#| process.ioPriority | honoured tests/process.bats
#| process.ioPriority.class | honoured tests/process.bats IOPRIO_CLASS_IDLE
#| process.ioPriority.priority | honoured tests/process.bats
#| process.noNewPrivileges | honoured tests/process.bats
#| process.oomScoreAdj | honoured tests/process.bats
#| process.rlimits | honoured tests/process.bats
#| process.rlimits[].hard | honoured tests/process.bats
#| process.rlimits[].soft | honoured tests/process.bats
#| process.rlimits[].type | honoured tests/process.bats RLIMIT_NOFILE
#| process.scheduler | honoured tests/process.bats
#| process.scheduler.deadline | honoured tests/unit/test-process.c
#| process.scheduler.flags | implemented src/lib/process.c SCHED_FLAG_RESET_ON_FORK
#| process.scheduler.nice | honoured tests/process.bats
#| process.scheduler.period | honoured tests/unit/test-process.c
#| process.scheduler.policy | honoured tests/process.bats
#| process.scheduler.priority | honoured tests/process.bats
#| process.scheduler.runtime | honoured tests/unit/test-process.c
#| process.selinuxLabel | refused without selinux | c['process']['selinuxLabel'] = 'system_u:system_r:container_t:s0:c1,c2' | process.selinuxLabel
#| process.terminal | honoured tests/terminal.bats
#| process.user | honoured tests/process.bats
#| process.user.additionalGids | honoured tests/process.bats
#| process.user.gid | honoured tests/process.bats
#| process.user.uid | honoured tests/process.bats
#| process.user.umask | honoured tests/process.bats
#| process.user.username | ignored | Windows only (runtime-spec config.md), as runc ignores it
#| root | honoured tests/rootfs.bats
#| root.path | honoured tests/rootfs.bats
#| root.readonly | honoured tests/rootfs.bats
#| freebsd | ignored | another platform's section: runc ignores it, ocirun's libocispec does not even parse it
#| solaris | ignored | another platform's section: runc ignores it, ocirun's libocispec does not even parse it
#| vm | ignored | another platform's section: runc ignores it, ocirun's libocispec does not even parse it
#| windows | ignored | another platform's section: runc ignores it, ocirun's libocispec does not even parse it
#| zos | ignored | another platform's section: runc ignores it, ocirun's libocispec does not even parse it
