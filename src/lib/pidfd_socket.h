/* --pidfd-socket: a pidfd of the container's process for the engine. */
#ifndef OCIRUN_PIDFD_SOCKET_H
#define OCIRUN_PIDFD_SOCKET_H

#include <sys/types.h>

#include "ocirun.h"

/* The word that comes with the pidfd, as runc sends it: "standard" for the
 * init of create and run, "setns" for a process exec joined to it. */
#define PIDFD_SOCKET_INIT "standard"
#define PIDFD_SOCKET_EXEC "setns"

/* Connects to the unix socket at path and sends it a pidfd of pid, with
 * kind as the message. */
int pidfd_socket_send(const char *path, pid_t pid, const char *kind, ocirun_error **error);

#endif
