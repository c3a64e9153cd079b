#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "seccomp_listener.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

static int send_with_fd(int sock, const char *data, size_t len, int fd)
{
        /* The fd rides on the first chunk; a long state goes on in more. */
        ssize_t n = fd_send_with_data(sock, data, len, fd);
        size_t sent = n > 0 ? (size_t) n : 0;
        while (n >= 0 && sent < len) {
                n = send(sock, data + sent, len - sent, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        n = 0;
                else if (n < 0)
                        n = -errno;
                else
                        sent += (size_t) n;
        }
        return n < 0 ? (int) n : 0;
}

int seccomp_listener_send(const ocispec_linux_seccomp *seccomp, const ocispec_state *state,
                          pid_t pid, int notify_fd, ocirun_error **error)
{
        const char *path = seccomp->listener_path;
        char *fds[] = {"seccompFd"};
        ocispec_container_process_state message = {
            .oci_version = state->oci_version,
            .fds = fds,
            .fds_len = 1,
            .pid = pid,
            .has_pid = true,
            .metadata = seccomp->listener_metadata,
            .state = (ocispec_state *) state,
        };
        _cleanup_free_ char *json = NULL;
        char *message_error = NULL;
        size_t len;
        int r = ocispec_container_process_state_generate(&message, 0, &json, &len, &message_error);
        if (r < 0)
                return error_take_message(error, -r, message_error);

        struct sockaddr_un address = {.sun_family = AF_UNIX};
        if (!path || strlen(path) >= sizeof(address.sun_path))
                return error_set(error, EINVAL, "linux.seccomp.listenerPath: not a socket path");
        strcpy(address.sun_path, path);
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return error_set_errno(error, errno, "seccomp listener: socket");
        if (connect(sock, (struct sockaddr *) &address, sizeof(address)) < 0)
                return error_set_errno(error, errno, "linux.seccomp.listenerPath: connect to `%s`",
                                       path);
        r = send_with_fd(sock, json, len, notify_fd);
        if (r < 0)
                return error_set_errno(error, -r, "linux.seccomp.listenerPath: send to `%s`", path);
        return 0;
}
