/* The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a
 * transient unit that systemd makes and owns, asked for over D-Bus as runc's
 * systemd driver asks for it, so that systemd (and an engine configured for
 * its cgroup manager) sees and manages the container like any other unit.
 *
 * Two halves: cgroup_systemd_properties.c turns a cgroupsPath into a unit
 * and slice name and a config into the unit's properties (pure functions,
 * unit-tested without a bus); cgroup_systemd.c talks to the system or user
 * manager through libsystemd's sd-bus, loaded only when the driver is used. */
#ifndef OCIRUN_CGROUP_SYSTEMD_H
#define OCIRUN_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

/* ---- names ------------------------------------------------------------------ */

/* linux.cgroupsPath in systemd's form "slice:prefix:name" (empty: the
 * default ":ocirun:<id>"): the unit is "prefix-name.scope" (just "name"
 * when it ends in ".slice", which makes a slice), and the slice holding it
 * is slice, or system.slice under the system manager and user.slice under
 * a user manager when slice is empty. Errors name the field. */
int systemd_unit_names(const char *cgroups_path, const char *id, bool user_manager, char **ret_unit,
                       char **ret_slice, ocirun_error **error);

/* Whether the unit a name names is a slice (else a scope). */
bool systemd_unit_is_slice(const char *unit);

/* Where a slice's cgroup is below the hierarchy's root, by systemd's
 * naming rules: "a-b-c.slice" is "/a.slice/a-b.slice/a-b-c.slice", "-.slice"
 * is "". Returns -EINVAL for a name systemd would refuse. */
int systemd_slice_path(const char *slice, char **ret_path);

/* ---- properties ---------------------------------------------------------------- */

/* One unit property as D-Bus carries it: a name and a variant whose
 * signature is one of b y n q i u x t d s as ay au a(ss). */
typedef struct systemd_property {
        char *name;
        char signature[8];
        uint64_t number; /* b y q u t, and the bits of n i x (two's complement) */
        double real;     /* d */
        char *string;    /* s */
        char **strings;  /* as, and a(ss) as pairs; NULL-terminated */
        uint8_t *bytes;  /* ay; au as uint32_t values */
        size_t bytes_len;
} systemd_property;

typedef struct systemd_properties {
        size_t len;
        systemd_property *items;
} systemd_properties;

void systemd_properties_clear(systemd_properties *properties);

int systemd_properties_add_bool(systemd_properties *properties, const char *name, bool value);
int systemd_properties_add_u64(systemd_properties *properties, const char *name, uint64_t value);
int systemd_properties_add_string(systemd_properties *properties, const char *name,
                                  const char *value);

/* as from a NULL-terminated list; au from n values. */
int systemd_properties_add_strv(systemd_properties *properties, const char *name,
                                const char *const *values);
int systemd_properties_add_u32_array(systemd_properties *properties, const char *name,
                                     const uint32_t *values, size_t n);

/* The property named name, or NULL. */
const systemd_property *systemd_properties_find(const systemd_properties *properties,
                                                const char *name);

/* The resource properties systemd understands for linux.resources, as runc
 * sets them (v1: MemoryLimit, CPUShares, BlockIOWeight; v2: MemoryMax,
 * MemoryLow, MemoryHigh, MemorySwapMax, CPUWeight, IOWeight; both:
 * CPUQuotaPerSecUSec and CPUQuotaPeriodUSec, TasksMax, AllowedCPUs,
 * AllowedMemoryNodes, DevicePolicy and DeviceAllow), plus the accounting
 * switches at create. update: only what resources set, no accounting. The
 * cgroup files are written after, by the cgroupfs code, so whatever systemd
 * has no property for still applies. */
int systemd_resource_properties(const ocispec_linux_resources *resources, cgroup_version version,
                                bool update, systemd_properties *properties, ocirun_error **error);

/* DevicePolicy and DeviceAllow for the device rules ocirun enforces
 * (cgroup_device_rules). A rule list systemd cannot express (a deny after
 * allows, a major /proc/devices does not name) leaves systemd's policy at
 * "auto" with no list: ocirun's own device program (v2) or devices.list
 * (v1) still enforces the rules. */
int systemd_device_properties(const ocispec_device_cgroup *rules, size_t len,
                              systemd_properties *properties, ocirun_error **error);

/* The annotations org.systemd.property.NAME=VALUE, VALUE in GVariant's text
 * form ("uint64 123", "true", "'text'", "['a', 'b']", "@as []", a bare
 * integer is an int32), as runc passes them on. A property named here
 * replaces one ocirun set. Errors name the annotation. */
int systemd_annotation_properties(const ocispec_string_map *annotations,
                                  systemd_properties *properties, ocirun_error **error);

/* "0-2,7" -> the bitmask systemd's AllowedCPUs takes (bit n of byte n/8). */
int systemd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_len);

/* ---- the manager (cgroup_systemd.c) ------------------------------------------- */

/* Creates the container's unit around a seed process (systemd will not make
 * an empty scope) and records, in state, the unit, the manager, and the
 * unit's cgroup directory in every hierarchy (on v1, the controllers systemd
 * does not manage get directories at the same place, as runc makes them).
 * *ret_seed is the seed: the caller moves the container's first process in
 * and then ends the seed with cgroup_systemd_seed_release. */
int cgroup_systemd_create(const ocispec_config *config, const char *id, bool user_manager,
                          ocispec_runtime_state *state, pid_t *ret_seed, ocirun_error **error);

/* Kills and reaps the seed; *seed becomes 0. */
void cgroup_systemd_seed_release(pid_t *seed);

/* Stops the unit (a unit already gone is no error) and resets it if it
 * failed, so no trace of the container is left in systemd. */
int cgroup_systemd_destroy(const ocispec_runtime_state *state, ocirun_error **error);

/* Whether the container's unit belongs to a user's systemd (not the
 * system's). */
bool cgroup_systemd_is_user(const ocispec_runtime_state *state);

/* Asks the container's systemd manager to move pid into its unit
 * (AttachProcessesToUnit): for a user manager, which has the system manager
 * move what the user may not. */
int cgroup_systemd_attach(const ocispec_runtime_state *state, pid_t pid, ocirun_error **error);

/* update: SetUnitProperties with the resource properties update names. */
int cgroup_systemd_update(const ocispec_runtime_state *state,
                          const ocispec_linux_resources *resources, ocirun_error **error);

#endif
