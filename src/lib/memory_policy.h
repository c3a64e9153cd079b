/* linux.memoryPolicy: the NUMA memory policy of the container's process
 * (set_mempolicy(2)), checked by create and set by the init. */
#ifndef OCIRUN_MEMORY_POLICY_H
#define OCIRUN_MEMORY_POLICY_H

#include "ocirun.h"

/* Before anything is made: a mode, a node list that parses and names nodes
 * that are online (unless MPOL_F_RELATIVE_NODES or MPOL_F_STATIC_NODES make
 * it relative or allow future nodes), nodes only for the modes that take
 * them, flags that go together. */
int memory_policy_validate(const ocispec_linux *linux_config, ocirun_error **error);

/* In the init, before execve: the policy is inherited by the process it
 * execs and by that process's children. Nothing without the field. */
int memory_policy_apply(const ocispec_linux *linux_config, ocirun_error **error);

#endif
