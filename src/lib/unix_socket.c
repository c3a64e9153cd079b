/* Connecting to a unix socket an engine listens on (--console-socket,
 * --pidfd-socket): by its path, however deep the engine's temporary
 * directory is. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "unix_socket.h"
#include "util/cleanup.h"

int unix_socket_connect(const char *path, const char *what, int *ret_fd, ocirun_error **error)
{
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        _cleanup_close_ int dir_fd = -1;

        if (!path || !*path)
                return error_set(error, EINVAL, "the %s path must not be empty", what);
        if (strlen(path) < sizeof(address.sun_path)) {
                strcpy(address.sun_path, path);
        } else {
                /* sun_path holds 108 bytes, and engines put their sockets in
                 * deep temporary directories: reach a longer path through
                 * /proc/self/fd/N of its directory, which connect() resolves
                 * like any other path. */
                const char *slash = strrchr(path, '/');
                const char *name = slash ? slash + 1 : path;
                _cleanup_free_ char *dir = slash ? strndup(path, (size_t) (slash - path)) : NULL;
                if (slash && !dir)
                        return error_set(error, ENOMEM, "out of memory");
                dir_fd = open(!dir ? "." : *dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dir_fd < 0)
                        return error_set_errno(error, errno, "open the directory of %s `%s`", what,
                                               path);
                int n = snprintf(address.sun_path, sizeof(address.sun_path), "/proc/self/fd/%d/%s",
                                 dir_fd, name);
                if (n < 0 || (size_t) n >= sizeof(address.sun_path))
                        return error_set(error, ENAMETOOLONG,
                                         "connect to %s `%s`: its name is too long", what, path);
        }

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(error, errno, "create a socket for %s `%s`", what, path);
        if (connect(fd, (struct sockaddr *) &address, sizeof(address)) < 0)
                return error_set_errno(error, errno, "connect to %s `%s`", what, path);
        *ret_fd = steal_fd(&fd);
        return 0;
}
