/* Linux security module labels of the container's process:
 * process.apparmorProfile and process.selinuxLabel (exec --apparmor and
 * --process-label). Each is written to /proc/thread-self/attr right before
 * execve and takes effect with it. Asking for a label of an LSM the host
 * does not run is an error, as with runc: the process would otherwise run
 * less confined than its author meant. */
#ifndef OCIRUN_LSM_H
#define OCIRUN_LSM_H

#include <stdbool.h>

#include "ocirun.h"

/* Whether the host runs AppArmor / SELinux. Read once and remembered, so
 * the answer survives pivot_root, after which the host's /sys is gone. */
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);

/* Refuses a label for an LSM the host does not run; source names the file
 * in the message ("config.json", "exec"). */
int lsm_validate(const ocispec_process *process, const char *source, ocirun_error **error);

/* Sets the labels the next execve of the calling thread takes. */
int lsm_set_exec_labels(const ocispec_process *process, ocirun_error **error);

#endif
