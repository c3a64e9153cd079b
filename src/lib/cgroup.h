/* The container's cgroup: where it lives in each hierarchy of this host's
 * layout (v1, hybrid or unified, read from /proc/self/mountinfo), creating
 * it, placing processes in it, listing and signalling them, and removing it.
 * Resource limits are applied by the cgroup-v1/v2 modules of the cgroups
 * work; this part is what every container needs. */
#ifndef OCIRUN_CGROUP_H
#define OCIRUN_CGROUP_H

#include <sys/types.h>

#include "ocirun.h"

/* Creates the container's cgroup in every mounted hierarchy: from
 * linux.cgroupsPath (absolute: from each hierarchy's root; relative: under
 * ocirun's own cgroup there), or /ocirun/<id>. Records the directories in
 * state->cgroup_paths and the ones it made in state->cgroup_created, which
 * cgroup_destroy removes, so a failed create can undo exactly its own work. */
int cgroup_create(const ocispec_config *config, const char *id, ocispec_runtime_state *state,
                  ocirun_error **error);

/* Moves pid into the container's cgroup in every hierarchy (0: the caller). */
int cgroup_enter(const ocispec_runtime_state *state, pid_t pid, ocirun_error **error);

/* The pids in the container's cgroup (from one hierarchy: they all agree). */
int cgroup_pids(const ocispec_runtime_state *state, pid_t **ret_pids, size_t *ret_len,
                ocirun_error **error);

/* Signals every process in the container's cgroup. */
int cgroup_kill_all(const ocispec_runtime_state *state, int signal, ocirun_error **error);

/* Removes the directories ocirun created, deepest first: the container's
 * own cgroup after killing whatever is left in it, and its parents only if
 * they are empty (another container may share them). */
int cgroup_destroy(const ocispec_runtime_state *state, ocirun_error **error);

#endif
