/* Internal to libocirun: linux.resources.devices on cgroup v2, where the
 * kernel has no devices.allow/devices.deny files and device access is decided
 * by BPF_CGROUP_DEVICE eBPF programs attached to the cgroup. This module
 * compiles the OCI rules into such a program (hand-assembled, no libbpf),
 * loads it and swaps it in for the programs attached before.
 *
 * The meaning is the OCI one (runc's, and cgroup v1's): rules apply in order
 * and a later rule overrides an earlier one for the devices and the accesses
 * it names; whatever no rule allows is denied. It is decided per access bit:
 * a request for "rw" is allowed only if, for r and for w each, the last rule
 * that matches the device and names that bit allows it. So [allow c 1:5 r]
 * does not allow opening 1:5 read-write, while [allow c 1:5 r, allow c 1:5 w]
 * does, and [allow a rw, deny c 1:5 r, allow c 1:5 r] leaves 1:5 readable and
 * writable. */
#ifndef OCIRUN_CGROUP_DEVICES_BPF_H
#define OCIRUN_CGROUP_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "ocirun.h"

/* One compiled program: instructions ready for BPF_PROG_LOAD. */
typedef struct cgroup_devices_program {
        struct bpf_insn *insns;
        size_t len;
} cgroup_devices_program;

/* Compiles linux.resources.devices: allow; type "a", "b", "c" or NULL (all);
 * major and minor, absent or -1 (runc's wildcard) for any; access a subset
 * of "rwm", NULL meaning "rwm". The program returns 1 (allow) or 0 (deny);
 * no rules compile to deny-all. Invalid rules are errors that name the
 * field, `linux.resources.devices[2].access: unknown access "rx" (expected
 * some of r, w and m)`, for the caller to prefix with the file; creating a
 * container should build the program while it validates the config, before
 * it touches the system. *ret is left untouched on failure. */
int cgroup_devices_program_build(const ocispec_device_cgroup *rules, size_t len,
                                 cgroup_devices_program *ret, ocirun_error **error);

/* Frees the instructions and empties the program; accepts an empty one. */
void cgroup_devices_program_free(cgroup_devices_program *program);

/* Builds and loads the program for rules and attaches it to the cgroup2
 * directory open as cgroup_fd (BPF_F_ALLOW_MULTI), then detaches every device
 * program that was attached to that cgroup before: the cgroup is never
 * without a program, and while both are attached a device needs both to
 * allow it, so an update never opens access that neither rule set grants.
 * A failure that leaves the old programs in place detaches the new one. */
int cgroup_devices_bpf_apply(int cgroup_fd, const ocispec_device_cgroup *rules, size_t len,
                             ocirun_error **error);

#endif
