/* seccomp-agent SOCKET LOG ANSWER: a seccomp agent for the tests, the other
 * end of linux.seccomp.listenerPath. It listens on SOCKET; from each
 * connection it reads one container process state (JSON, to EOF) with the
 * notify fd passed along, and appends the JSON as one line to LOG, then a
 * line "fds N" with the number of fds that came with it. Every notified
 * syscall on any of those fds is answered with ANSWER: an errno number the
 * syscall then fails with, or "continue" to let it run. Runs until killed. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static int answer_errno; /* 0: continue */

static void die(const char *what)
{
        fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
        exit(2);
}

/* Reads the message to EOF; returns the passed fd (or -1), counting all. */
static int read_state(int conn, FILE *log)
{
        char json[65536];
        size_t len = 0;
        int notify_fd = -1, n_fds = 0;
        for (;;) {
                union {
                        struct cmsghdr align;
                        char buf[CMSG_SPACE(sizeof(int) * 4)];
                } control;
                struct iovec iov = {.iov_base = json + len, .iov_len = sizeof(json) - 1 - len};
                struct msghdr msg = {.msg_iov = &iov,
                                     .msg_iovlen = 1,
                                     .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf)};
                ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        die("recvmsg");
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                                continue;
                        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < count; i++) {
                                int fd;
                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                n_fds++;
                                if (notify_fd < 0)
                                        notify_fd = fd;
                                else
                                        close(fd);
                        }
                }
                if (n == 0 || len + (size_t) n >= sizeof(json) - 1)
                        break;
                len += (size_t) n;
        }
        json[len] = '\0';
        fprintf(log, "%s\nfds %d\n", json, n_fds);
        fflush(log);
        return notify_fd;
}

static void answer(int notify_fd)
{
        struct seccomp_notif request;
        memset(&request, 0, sizeof(request));
        if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &request) < 0)
                return; /* the process went away meanwhile */
        struct seccomp_notif_resp response = {.id = request.id};
        if (answer_errno)
                response.error = -answer_errno;
        else
                response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &response);
}

int main(int argc, char **argv)
{
        if (argc != 4) {
                fprintf(stderr, "usage: seccomp-agent SOCKET LOG ERRNO|continue\n");
                return 2;
        }
        answer_errno = strcmp(argv[3], "continue") == 0 ? 0 : atoi(argv[3]);
        FILE *log = fopen(argv[2], "a");
        if (!log)
                die(argv[2]);

        struct sockaddr_un address = {.sun_family = AF_UNIX};
        if (strlen(argv[1]) >= sizeof(address.sun_path)) {
                fprintf(stderr, "seccomp-agent: socket path too long\n");
                return 2;
        }
        strcpy(address.sun_path, argv[1]);
        int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *) &address, sizeof(address)) < 0 ||
            listen(listener, 8) < 0)
                die(argv[1]);

        struct pollfd fds[MAX_FDS] = {{.fd = listener, .events = POLLIN}};
        nfds_t n = 1;
        for (;;) {
                if (poll(fds, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        die("poll");
                }
                for (nfds_t i = n; i-- > 1;) {
                        if (fds[i].revents & POLLIN)
                                answer(fds[i].fd);
                        else if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                                /* Every process under the filter is gone. */
                                close(fds[i].fd);
                                fds[i] = fds[--n];
                        }
                }
                if (fds[0].revents & POLLIN) {
                        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                        if (conn < 0)
                                continue;
                        int notify_fd = read_state(conn, log);
                        close(conn);
                        if (notify_fd >= 0 && n < MAX_FDS)
                                fds[n++] = (struct pollfd){.fd = notify_fd, .events = POLLIN};
                }
        }
}
