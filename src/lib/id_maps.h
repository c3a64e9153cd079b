/* A new user namespace's uid and gid maps, written by the parent for the
 * child: directly where the kernel lets the caller, through newuidmap and
 * newgidmap (shadow's setuid helpers, which check /etc/subuid and
 * /etc/subgid) where an unprivileged caller maps more than its own id. And
 * whether the caller is unprivileged at all, which rootless containers turn
 * on. */
#ifndef OCIRUN_ID_MAPS_H
#define OCIRUN_ID_MAPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "ocirun.h"

/* Whether ocirun runs without the host's root: a non-zero euid, or root in
 * a user namespace (rootless podman runs its runtime so). Such a caller has
 * no say over the host's cgroups and mounts, and writes id maps only for
 * its own ids. */
bool id_maps_caller_is_rootless(void);

/* The "INSIDE OUTSIDE COUNT" lines of /proc/PID/uid_map for the mappings;
 * NULL when out of memory. */
char *id_map_text(const ocispec_id_mapping *maps, size_t n);

/* Whether the mappings are only the caller's own id, once: the one map an
 * unprivileged process may write itself. */
bool id_map_is_only(const ocispec_id_mapping *maps, size_t n, unsigned id);

/* newuidmap/newgidmap's argv: PROGRAM PID INSIDE OUTSIDE COUNT...,
 * NULL-terminated (free with strv_free). */
int id_map_helper_argv(const char *program, pid_t pid, const ocispec_id_mapping *maps, size_t n,
                       char ***ret, ocirun_error **error);

/* Writes linux.uidMappings and gidMappings for the child pid. */
int id_maps_write(pid_t pid, const ocispec_linux *linux_config, ocirun_error **error);

#endif
