/* The container's cgroup: where it lives in each hierarchy of this host's
 * layout (v1, hybrid or unified, read from /proc/self/mountinfo), creating
 * it, placing processes in it, listing and signalling them, and removing it.
 * linux.resources are applied by cgroup_resources.c through the per-version
 * modules cgroup_v1.c and cgroup_v2.c, which find the container's directory
 * for each controller with cgroup_layout_dir. */
#ifndef OCIRUN_CGROUP_H
#define OCIRUN_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ocirun.h"

/* ---- the host's hierarchies ------------------------------------------------ */

typedef struct cgroup_hierarchy {
        char *mount_point;
        char *controllers; /* v1 super options' controller list; NULL for cgroup2 */
} cgroup_hierarchy;

typedef struct cgroup_layout {
        size_t len;
        cgroup_hierarchy items[32];
        const cgroup_hierarchy *unified; /* the cgroup2 mount, NULL on a v1-only host */
        /* The container's cgroup.controllers on cgroup2, read on first use. */
        char *unified_controllers;
        const ocispec_runtime_state *state;
} cgroup_layout;

typedef enum cgroup_version {
        CGROUP_ABSENT,
        CGROUP_V1,
        CGROUP_V2,
} cgroup_version;

/* Reads the mounted hierarchies for the container whose state has its
 * cgroup paths (state may be NULL before cgroup_create). */
int cgroup_layout_read(cgroup_layout *layout, const ocispec_runtime_state *state,
                       ocirun_error **error);
void cgroup_layout_clear(cgroup_layout *layout);

/* Where the container's controller lives: a v1 hierarchy that has it wins
 * (hybrid hosts keep their v1 controllers), else cgroup2 when it is enabled
 * for the container's cgroup there. controller NULL asks for the cgroup2
 * directory itself (core files: cgroup.freeze, cgroup.kill, device
 * programs). *ret_dir is malloc'ed, NULL when absent. */
cgroup_version cgroup_layout_dir(cgroup_layout *layout, const char *controller, char **ret_dir);

/* Writes a value to dir/file; a failure names the config field the value
 * came from and the file: "FIELD: write `VALUE` to PATH: REASON". */
__attribute__((format(printf, 5, 6))) int cgroup_write(ocirun_error **error, const char *field,
                                                       const char *dir, const char *file,
                                                       const char *fmt, ...);

/* Reads dir/file (at most 4 KiB, trailing newline removed) into a malloc'ed
 * string; -errno when it cannot. */
int cgroup_read(const char *dir, const char *file, char **ret);

/* A cgroup file holding one unsigned number. */
int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret);

/* Whether word is one of the sep-separated words of list (a v1 mount's
 * "cpu,cpuacct", cgroup2's "cpu io memory"); list may be NULL. */
bool cgroup_word_in_list(const char *list, const char *word, char sep);

/* Whether dir/file exists: many knobs come and go with kernel options. */
bool cgroup_has_file(const char *dir, const char *file);

/* Creates the container's cgroup in every mounted hierarchy: from
 * linux.cgroupsPath (absolute: from each hierarchy's root; relative: under
 * ocirun's own cgroup there), or /ocirun/<id>. Records the directories in
 * state->cgroup_paths and the ones it made in state->cgroup_created, which
 * cgroup_destroy removes, so a failed create can undo exactly its own work. */
int cgroup_create(const ocispec_config *config, const char *id, ocispec_runtime_state *state,
                  ocirun_error **error);

/* Refuses linux.resources.unified on a host with cgroup v1 hierarchies
 * (v1 or hybrid), as runc does: "PREFIX.unified: cannot use unified on
 * cgroup v1". */
int cgroup_check_unified(const ocispec_linux_resources *resources, const char *prefix,
                         ocirun_error **error);

/* Makes path (absolute in each hierarchy: a systemd unit's ControlGroup)
 * in every mounted hierarchy that lacks it, recording paths and made
 * directories as cgroup_create does. */
int cgroup_create_at(const char *path, ocispec_runtime_state *state, ocirun_error **error);

/* For "has no cgroup" errors: where a rootless caller can get one, or "". */
const char *cgroup_rootless_hint(void);

/* Moves pid into the container's cgroup in every hierarchy (0: the caller). */
int cgroup_enter(const ocispec_runtime_state *state, pid_t pid, ocirun_error **error);

/* The pids in the container's cgroup (from one hierarchy: they all agree). */
int cgroup_pids(const ocispec_runtime_state *state, pid_t **ret_pids, size_t *ret_len,
                ocirun_error **error);

/* Signals every process in the container's cgroup (cgroup.kill on cgroup2
 * for SIGKILL: no process can fork its way out of it). */
int cgroup_kill_all(const ocispec_runtime_state *state, int signal, ocirun_error **error);

/* Freezes or thaws every process in the container's cgroup and returns once
 * the kernel reports the cgroup frozen (or thawed). */
int cgroup_freeze(const ocispec_runtime_state *state, bool frozen, ocirun_error **error);

/* Whether the container's cgroup is frozen now. */
bool cgroup_is_frozen(const ocispec_runtime_state *state);

/* The same two for a caller that has read the layout already. */
int cgroup_layout_freeze(cgroup_layout *layout, bool frozen, ocirun_error **error);
bool cgroup_layout_is_frozen(cgroup_layout *layout);

/* Applies linux.resources, all but the device rules (or update's subset of
 * them), to the container's cgroup. field_prefix is where the resources sit,
 * for errors: "config.json: linux.resources" at create, "linux.resources"
 * for update. update: only what is set changes, and
 * memory.checkBeforeUpdate is honoured. */
int cgroup_apply_resources(const ocispec_runtime_state *state,
                           const ocispec_linux_resources *resources, const char *field_prefix,
                           bool update, ocirun_error **error);

/* The device rules of linux.resources (see cgroup_device_rules): create
 * applies them once the init has made the container's /dev, whose mknod
 * they would refuse; update only when it names devices. */
int cgroup_apply_devices(const ocispec_runtime_state *state,
                         const ocispec_linux_resources *resources, const char *field_prefix,
                         bool update, ocirun_error **error);

/* The checks of linux.resources that need no host: values in range, device
 * rule types and access letters, unified keys' shape. */
int cgroup_resources_validate(const ocispec_linux_resources *resources, const char *field_prefix,
                              ocirun_error **error);

/* ---- the subtree (cgroup_subtree.c) ----------------------------------------- */

/* The pids in dir and in every cgroup below it, each once. */
int cgroup_subtree_pids(const char *dir, pid_t **ret_pids, size_t *ret_len, ocirun_error **error);

/* How many processes the container's cgroup and its sub-cgroups hold, in
 * all its hierarchies together, each process once (on v1 a process may be
 * in the container's cgroup of one controller only); a hierarchy that
 * cannot be read counts what was read before the failure. */
size_t cgroup_subtrees_count_pids(const ocispec_runtime_state *state);

/* Removes every cgroup below dir (not dir itself), deepest first, killing
 * what still runs in each; depth is 0 for the caller. */
int cgroup_subtree_remove(const char *dir, int depth, ocirun_error **error);

/* rmdir of a cgroup, retried while the kernel says busy (its last
 * processes are exiting), killing any that are left. */
int cgroup_rmdir(const char *dir, ocirun_error **error);

/* The container's cgroup paths (as state->cgroup_paths) with exec
 * --cgroup's arguments applied: PATH alone moves every hierarchy to the
 * sub-cgroup PATH of the container's cgroup, CONTROLLER[,CONTROLLER]:PATH
 * (repeatable) the hierarchies of those controllers. The sub-cgroups must
 * exist; a PATH that leaves the container's cgroup is refused. */
int cgroup_sub_paths_resolve(const ocispec_runtime_state *state, char *const *args, size_t len,
                             ocispec_string_map **ret_paths, ocirun_error **error);

/* Removes the directories ocirun created, deepest first: the container's
 * own cgroup after killing whatever is left in it, and its parents only if
 * they are empty (another container may share them). */
int cgroup_destroy(const ocispec_runtime_state *state, ocirun_error **error);

/* ---- statistics (cgroup_stats.c) ------------------------------------------ */

/* One line of `ocirun events` as runc writes it, newline included:
 * {"type":TYPE,"id":ID}, and with stats_of set a "data" object holding the
 * statistics of that container (its cgroups, its network namespace's
 * interfaces) in the shape of runc's types.Stats: every section runc
 * writes, but inside one only values the host's files gave. */
int cgroup_event_line(const char *type, const char *id, const ocispec_runtime_state *stats_of,
                      char **ret_json, size_t *ret_len, ocirun_error **error);

#endif
