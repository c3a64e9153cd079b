/* linux.intelRdt: the container's resctrl group (Intel RDT / AMD PQoS cache
 * and memory bandwidth allocation), made and joined by create, removed by
 * delete. */
#ifndef OCIRUN_INTEL_RDT_H
#define OCIRUN_INTEL_RDT_H

#include <stdbool.h>
#include <sys/types.h>

#include "ocirun.h"

/* Before anything is made: a resctrl filesystem is mounted at
 * /sys/fs/resctrl (else linux.intelRdt is refused, as runc does), closID
 * is a plain directory name, and a closID without schemata names a group
 * that exists. */
int intel_rdt_validate(const ocispec_config *config, ocirun_error **error);

/* Makes (or reuses) the group, writes its schemata, enables monitoring and
 * moves pid into it. *ret_made says whether the group is ours to remove. */
int intel_rdt_apply(const ocispec_config *config, const char *id, pid_t pid, bool *ret_made,
                    ocirun_error **error);

/* Removes the container's monitoring group, and the group itself when it is
 * the container's own (no closID, or made by a create that failed: made). */
void intel_rdt_remove(const ocispec_config *config, const char *id, bool made);

#endif
