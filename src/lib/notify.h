/* The sd_notify proxy, create's half. A service manager that starts ocirun
 * with NOTIFY_SOCKET waits for READY=1 from the service, but the container's
 * process cannot reach the host's socket. As runc does, create bind-mounts
 * the directory NOTIFY_DIR of the state directory at NOTIFY_MOUNT in the
 * container and points the process's NOTIFY_SOCKET there; start binds the
 * socket in that directory (ocirun_notify_listen) and passes the container's
 * READY=1 on (ocirun_notify_forward). */
#ifndef OCIRUN_NOTIFY_H
#define OCIRUN_NOTIFY_H

#include "ocirun.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_MOUNT "/run/notify"
#define NOTIFY_SOCKET_NAME "notify.sock"

/* Checks the caller's host_socket, makes NOTIFY_DIR in the state directory
 * dirfd (at state_dir_path on the host) and adds its bind mount and the
 * NOTIFY_SOCKET variable to config. */
int notify_prepare(ocispec_config *config, int dirfd, const char *state_dir_path,
                   const char *host_socket, ocirun_error **error);

#endif
