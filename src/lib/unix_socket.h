/* Unix sockets an engine passes by path. */
#ifndef OCIRUN_UNIX_SOCKET_H
#define OCIRUN_UNIX_SOCKET_H

#include "ocirun.h"

/* Connects a SOCK_STREAM socket to path; what ("console socket") names it
 * in errors. Done by the parent on the host, so that a child can use the fd
 * after pivot_root. */
int unix_socket_connect(const char *path, const char *what, int *ret_fd, ocirun_error **error);

#endif
