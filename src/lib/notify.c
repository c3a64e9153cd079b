/* The sd_notify proxy: create's half adds the socket directory to the
 * container, start's half binds the socket and passes READY=1 on to the
 * host's NOTIFY_SOCKET with MAINPID set to the pid the manager must watch. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "notify.h"
#include "process.h"
#include "state.h"

/* A datagram larger than this is not an sd_notify message (systemd's own
 * limit for one is far below it). */
#define NOTIFY_MESSAGE_MAX 4096

static int add_bind_mount(ocispec_config *config, const char *source, const char *destination)
{
        static const char *const options[] = {"bind", "nosuid", "nodev", "noexec", "ro"};
        ocispec_mount *mounts = realloc(config->mounts, (config->mounts_len + 1) * sizeof(*mounts));
        if (!mounts)
                return -ENOMEM;
        config->mounts = mounts;
        ocispec_mount *mount = &mounts[config->mounts_len];
        *mount = (ocispec_mount){
            .source = strdup(source),
            .destination = strdup(destination),
            .type = strdup("bind"),
        };
        config->mounts_len++;
        if (!mount->source || !mount->destination || !mount->type)
                return -ENOMEM;
        for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
                if (ocispec_strv_append(&mount->options, &mount->options_len, options[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static int host_address(const char *host_socket, struct sockaddr_un *address, socklen_t *ret_len,
                        ocirun_error **error)
{
        size_t len = strlen(host_socket);
        *address = (struct sockaddr_un){.sun_family = AF_UNIX};
        if (len == 0 || len >= sizeof(address->sun_path) ||
            (host_socket[0] != '/' && host_socket[0] != '@'))
                return error_set(error, EINVAL,
                                 "NOTIFY_SOCKET `%s`: not an absolute path or @abstract name "
                                 "shorter than %zu bytes",
                                 host_socket, sizeof(address->sun_path));
        memcpy(address->sun_path, host_socket, len);
        if (host_socket[0] == '@')
                address->sun_path[0] = '\0'; /* the abstract namespace */
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len);
        return 0;
}

int notify_prepare(ocispec_config *config, int dirfd, const char *state_dir_path,
                   const char *host_socket, ocirun_error **error)
{
        /* A NOTIFY_SOCKET we could never reach fails create, not start. */
        struct sockaddr_un address;
        socklen_t address_len;
        int r = host_address(host_socket, &address, &address_len, error);
        if (r < 0)
                return r;
        /* 0755: the container's process may run as any user and must reach
         * the socket; the mount is read-only, nosuid, nodev and noexec. */
        if (mkdirat(dirfd, NOTIFY_DIR, 0755) < 0 || fchmodat(dirfd, NOTIFY_DIR, 0755, 0) < 0)
                return error_set_errno(error, errno, "make `%s/%s`", state_dir_path, NOTIFY_DIR);
        _cleanup_free_ char *source = NULL;
        if (asprintf(&source, "%s/%s", state_dir_path, NOTIFY_DIR) < 0 ||
            add_bind_mount(config, source, NOTIFY_MOUNT) < 0)
                return error_set(error, ENOMEM, "out of memory");
        if (!config->process)
                return 0;
        if (process_env_set(config->process, "NOTIFY_SOCKET=" NOTIFY_MOUNT "/" NOTIFY_SOCKET_NAME) <
            0)
                return error_set(error, ENOMEM, "out of memory");
        return 0;
}

int ocirun_notify_listen(ocirun_root *root, const char *id, int *ret_fd, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        *ret_fd = -1;
        int r = state_dir_open(root, id, LOCK_SH, &dirfd, error);
        if (r < 0)
                return r;
        _cleanup_close_ int notify_dir =
            openat(dirfd, NOTIFY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (notify_dir < 0 && errno == ENOENT)
                return 0; /* created without NOTIFY_SOCKET: nothing to proxy */
        if (notify_dir < 0)
                return error_set_errno(error, errno, "open `%s/%s/%s`", root->path, id, NOTIFY_DIR);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(error, errno, "notify socket");
        /* Through /proc/self/fd the address stays short whatever the length
         * of the root's path. */
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        snprintf(address.sun_path, sizeof(address.sun_path), "/proc/self/fd/%d/%s", notify_dir,
                 NOTIFY_SOCKET_NAME);
        /* A socket left by an earlier start that failed. */
        if (unlinkat(notify_dir, NOTIFY_SOCKET_NAME, 0) < 0 && errno != ENOENT)
                return error_set_errno(error, errno, "remove the old notify socket");
        if (bind(fd, (struct sockaddr *) &address, sizeof(address)) < 0)
                return error_set_errno(error, errno, "bind `%s/%s/%s/%s`", root->path, id,
                                       NOTIFY_DIR, NOTIFY_SOCKET_NAME);
        /* Any user in the container may notify, as with systemd's socket. */
        if (fchmodat(notify_dir, NOTIFY_SOCKET_NAME, 0777, 0) < 0)
                return error_set_errno(error, errno, "chmod the notify socket");
        *ret_fd = steal_fd(&fd);
        return 0;
}

/* The container's message as the host sees it: its lines minus any
 * MAINPID= (a pid in the container's pid namespace means nothing outside
 * it), plus ours first, so the manager learns the pid with READY=1. */
static int host_message(const char *message, size_t len, pid_t main_pid, bool *ret_ready,
                        char **ret, size_t *ret_len)
{
        char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);
        if (!f)
                return -ENOMEM;
        *ret_ready = false;
        fprintf(f, "MAINPID=%d\n", (int) main_pid);
        for (size_t start = 0; start < len;) {
                const char *line = message + start;
                const char *newline = memchr(line, '\n', len - start);
                size_t line_len = newline ? (size_t) (newline - line) : len - start;
                start += line_len + 1;
                if (line_len == 0 || (line_len >= 8 && memcmp(line, "MAINPID=", 8) == 0))
                        continue;
                if (line_len == 7 && memcmp(line, "READY=1", 7) == 0)
                        *ret_ready = true;
                fwrite(line, 1, line_len, f);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        *ret_len = out_len;
        return 0;
}

int ocirun_notify_forward(int listen_fd, const char *host_socket, pid_t init, pid_t main_pid,
                          int signal_fd, ocirun_error **error)
{
        struct sockaddr_un address;
        socklen_t address_len = 0;
        int r = host_address(host_socket, &address, &address_len, error);
        if (r < 0)
                return r;
        _cleanup_close_ int host = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (host < 0)
                return error_set_errno(error, errno, "notify socket");
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, init, 0);
        if (pidfd < 0)
                return error_set_errno(error, errno, "open a pidfd for pid %d", (int) init);

        struct pollfd fds[3] = {{.fd = listen_fd, .events = POLLIN},
                                {.fd = pidfd, .events = POLLIN},
                                {.fd = signal_fd, .events = POLLIN}};
        for (;;) {
                if (poll(fds, signal_fd >= 0 ? 3 : 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set_errno(error, errno, "wait for the container's READY=1");
                }
                if (fds[2].revents & POLLIN) {
                        struct signalfd_siginfo info;
                        if (read(signal_fd, &info, sizeof(info)) == sizeof(info) &&
                            info.ssi_signo != SIGCHLD)
                                syscall(SYS_pidfd_send_signal, pidfd, info.ssi_signo, NULL, 0);
                }
                if (fds[0].revents & POLLIN) {
                        char message[NOTIFY_MESSAGE_MAX];
                        ssize_t n = recv(listen_fd, message, sizeof(message), MSG_DONTWAIT);
                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                        if (n < 0)
                                return error_set_errno(error, errno, "read the notify socket");
                        _cleanup_free_ char *out = NULL;
                        size_t out_len;
                        bool ready;
                        if (host_message(message, (size_t) n, main_pid, &ready, &out, &out_len) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        if (sendto(host, out, out_len, 0, (struct sockaddr *) &address,
                                   address_len) < 0)
                                return error_set_errno(error, errno, "send to NOTIFY_SOCKET `%s`",
                                                       host_socket);
                        if (ready)
                                return 0;
                        continue;
                }
                if (fds[1].revents & POLLIN) {
                        ocirun_log(OCIRUN_LOG_WARNING,
                                   "the container exited before it sent READY=1 to NOTIFY_SOCKET");
                        return 0;
                }
        }
}
