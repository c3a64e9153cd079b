/* Waiting for a container process in the foreground: signals are blocked
 * before the process exists (none is lost in between) and forwarded to it
 * through a pidfd; a pty master it sent over our internal console socket is
 * proxied to our terminal. */
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "commands/foreground.h"
#include "error.h"
#include "terminal.h"

int foreground_begin(foreground *fg, bool want_console, ocirun_error **error)
{
        sigset_t all;

        fg->signal_fd = -1;
        fg->console[0] = fg->console[1] = -1;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &fg->previous_mask);
        fg->signal_fd = signalfd(-1, &all, SFD_CLOEXEC);
        if (fg->signal_fd < 0)
                return error_set_errno(error, errno, "signalfd");
        if (want_console && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fg->console) < 0)
                return error_set_errno(error, errno, "console socketpair");
        return 0;
}

void foreground_end(foreground *fg)
{
        if (fg->signal_fd >= 0)
                close(fg->signal_fd);
        for (int i = 0; i < 2; i++)
                if (fg->console[i] >= 0)
                        close(fg->console[i]);
        sigprocmask(SIG_SETMASK, &fg->previous_mask, NULL);
}

/* The pty master, if the process has a terminal: it was sent before the
 * library call returned, so a non-blocking receive finds it or nothing. */
static int receive_master(int socket_fd)
{
        char name[64];
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control,
                             .msg_controllen = sizeof(control)};
        if (socket_fd < 0 || recvmsg(socket_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
                return -1;
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
        return fd;
}

int foreground_wait(foreground *fg, pid_t pid, ocirun_error **error)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return error_set_errno(error, errno, "open a pidfd for pid %d", (int) pid);
        if (fg->console[1] >= 0) {
                close(fg->console[1]);
                fg->console[1] = -1;
        }
        _cleanup_close_ int master = receive_master(fg->console[0]);
        if (master >= 0) {
                /* The proxy forwards our signals itself until the process
                 * exits; whatever comes after is handled below. */
                _cleanup_(ocirun_error_freep) ocirun_error *proxy_error = NULL;
                sigset_t all;
                sigfillset(&all);
                if (terminal_proxy_forward(master, pidfd, &all, &proxy_error) < 0)
                        ocirun_log(OCIRUN_LOG_WARNING, "%s", proxy_error->message);
        }

        struct pollfd fds[2] = {{.fd = fg->signal_fd, .events = POLLIN},
                                {.fd = pidfd, .events = POLLIN}};
        for (;;) {
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set_errno(error, errno, "wait for pid %d", (int) pid);
                }
                if (fds[0].revents & POLLIN) {
                        struct signalfd_siginfo info;
                        if (read(fg->signal_fd, &info, sizeof(info)) == sizeof(info) &&
                            info.ssi_signo != SIGCHLD)
                                syscall(SYS_pidfd_send_signal, pidfd, info.ssi_signo, NULL, 0);
                }
                if (fds[1].revents & POLLIN)
                        break;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set_errno(error, errno, "wait for pid %d", (int) pid);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}
