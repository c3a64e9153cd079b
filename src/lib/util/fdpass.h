/* Passing an fd over a unix socket (SCM_RIGHTS), shared by the console
 * socket, the sync socket and the seccomp listener. */
#ifndef OCIRUN_UTIL_FDPASS_H
#define OCIRUN_UTIL_FDPASS_H

#include <sys/types.h>

/* One sendmsg(2) of len bytes of data with fd attached, retried on EINTR,
 * MSG_NOSIGNAL (a peer that went away fails the call instead of killing us
 * with SIGPIPE). Returns the bytes sent (a stream socket may take fewer) or
 * a negative errno. */
ssize_t fd_send_with_data(int sock, const void *data, size_t len, int fd);

#endif
