/* --pidfd-socket (runc 1.2's flag of create, run and exec): the engine
 * listening on a unix socket gets a pidfd of the container's init or of an
 * exec'd process, so that it can signal and wait for that very process with
 * no race against pid reuse. runc's init sends a pidfd of itself from inside
 * the container; ocirun's parent opens it by pid (the process is its child
 * and cannot have been reaped yet) once the process is set up, which hands
 * the engine the same process before create or exec returns. */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "pidfd_socket.h"
#include "unix_socket.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

int pidfd_socket_send(const char *path, pid_t pid, const char *kind, ocirun_error **error)
{
        _cleanup_close_ int sock = -1;
        int r = unix_socket_connect(path, "pidfd socket", &sock, error);
        if (r < 0)
                return r;
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return error_set_errno(error, errno,
                                       "pidfd_open of process %d for pidfd socket `%s`", (int) pid,
                                       path);
        ssize_t n = fd_send_with_data(sock, kind, strlen(kind), pidfd);
        if (n < 0)
                return error_set_errno(error, (int) -n, "send the pidfd to pidfd socket `%s`",
                                       path);
        return 0;
}
