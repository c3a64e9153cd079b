/* The runtime's side of the seccomp agent protocol (runtime-spec,
 * config-linux.md, linux.seccomp.listenerPath): for each process whose
 * filter has SCMP_ACT_NOTIFY rules, one connection to the agent's unix
 * stream socket carrying one message, the container process state JSON with
 * the filter's notify fd attached (SCM_RIGHTS), then closed. */
#ifndef OCIRUN_SECCOMP_LISTENER_H
#define OCIRUN_SECCOMP_LISTENER_H

#include <sys/types.h>

#include "ocirun.h"

/* Sends {ociVersion, fds: ["seccompFd"], pid, metadata, state} and
 * notify_fd to seccomp->listenerPath. pid is the process as the runtime
 * sees it; state the container's OCI state ("creating" for the init,
 * as it is for exec). A failure names the listener path. */
int seccomp_listener_send(const ocispec_linux_seccomp *seccomp, const ocispec_state *state,
                          pid_t pid, int notify_fd, ocirun_error **error);

#endif
