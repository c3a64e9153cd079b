/* Terminals: everything ocirun does with a pty. The container's pty is
 * opened inside the container (so it belongs to the container's devpts), its
 * master is either handed to an engine over the --console-socket with
 * SCM_RIGHTS or kept by `run`/`exec` in the foreground, which then proxies
 * between the user's terminal and the master (raw mode, window size changes,
 * EOF) until the container's process is gone. The slave becomes the
 * controlling terminal and stdio of the container's process. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>

#include "error.h"
#include "terminal.h"
#include "unix_socket.h"
#include "util/fdpass.h"

/* The Unix98 pty slaves live on majors 136..143 (UNIX98_PTY_SLAVE_MAJOR). */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

int terminal_connect_console_socket(const char *path, int *ret_fd, ocirun_error **error)
{
        return unix_socket_connect(path, "console socket", ret_fd, error);
}

/* Opening the slave by name (/dev/pts/N) resolves a path that the container
 * controls: /dev/pts could be another devpts instance, or N a symlink planted
 * there, and we would hand the container's process (or the engine) the wrong
 * terminal. TIOCGPTPEER (Linux 4.13) opens the peer of this very master
 * through the master's own devpts mount, with no path lookup at all. */
static int pty_open_slave(int master, const char *slave_path, ocirun_error **error)
{
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave >= 0)
                return slave;
        if (errno != EINVAL && errno != ENOTTY)
                return error_set_errno(error, errno, "open the slave of the pty `%s` (TIOCGPTPEER)",
                                       slave_path);

        /* Old kernels: open by name, and check that what we opened is a pty
         * slave with the number the master reported, so a symlink to some
         * other device is refused. */
        char name[PATH_MAX];
        int r = ptsname_r(master, name, sizeof(name));
        if (r != 0)
                return error_set_errno(error, r, "find the name of the pty's slave");
        _cleanup_close_ int fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set_errno(error, errno, "open the pty slave `%s`", name);
        struct stat st;
        unsigned int number = 0;
        if (fstat(fd, &st) < 0)
                return error_set_errno(error, errno, "stat the pty slave `%s`", name);
        if (ioctl(master, TIOCGPTN, &number) < 0)
                return error_set_errno(error, errno, "get the number of the pty `%s`", name);
        unsigned int major_number = major(st.st_rdev);
        if (!S_ISCHR(st.st_mode) || major_number < PTY_SLAVE_MAJOR_FIRST ||
            major_number > PTY_SLAVE_MAJOR_LAST ||
            (major_number - PTY_SLAVE_MAJOR_FIRST) * 256u + minor(st.st_rdev) != number)
                return error_set(error, EPERM, "the pty slave `%s` is not the peer of its master",
                                 name);
        return steal_fd(&fd);
}

static int pty_set_size(int master, const ocispec_process_console_size *size, ocirun_error **error)
{
        struct winsize window = {0};

        if (ioctl(master, TIOCGWINSZ, &window) < 0)
                return error_set_errno(error, errno, "get the pty's window size");
        if (size->has_height) {
                if (size->height > USHRT_MAX)
                        return error_set(error, EINVAL,
                                         "process.consoleSize.height: %llu is more than %u",
                                         (unsigned long long) size->height, USHRT_MAX);
                window.ws_row = (unsigned short) size->height;
        }
        if (size->has_width) {
                if (size->width > USHRT_MAX)
                        return error_set(error, EINVAL,
                                         "process.consoleSize.width: %llu is more than %u",
                                         (unsigned long long) size->width, USHRT_MAX);
                window.ws_col = (unsigned short) size->width;
        }
        if (ioctl(master, TIOCSWINSZ, &window) < 0)
                return error_set_errno(error, errno, "set the pty's window size to %ux%u",
                                       window.ws_col, window.ws_row);
        return 0;
}

int terminal_open_pty(const ocispec_process *process, int *ret_master, int *ret_slave,
                      char **ret_slave_path, ocirun_error **error)
{
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return error_set_errno(error, errno, "open `/dev/ptmx`");
        if (unlockpt(master) < 0)
                return error_set_errno(error, errno, "unlock the pty (unlockpt)");

        /* The name comes from the master (TIOCGPTN, as ptsname does) rather
         * than from a lookup in /dev/pts, which may not even be mounted yet
         * when the master came from another devpts instance. */
        unsigned int number = 0;
        if (ioctl(master, TIOCGPTN, &number) < 0)
                return error_set_errno(error, errno, "get the number of the new pty (TIOCGPTN)");
        _cleanup_free_ char *slave_path = NULL;
        if (asprintf(&slave_path, "/dev/pts/%u", number) < 0)
                return error_set(error, ENOMEM, "out of memory");

        _cleanup_close_ int slave = pty_open_slave(master, slave_path, error);
        if (slave < 0)
                return slave;
        /* The terminal is the process's own, as runc gives it: a process
         * that is not root could not otherwise chmod or chown it (mesg,
         * ssh-style tools). The group stays devpts' tty group. */
        if (process && process->user && process->user->has_uid && process->user->uid != 0 &&
            fchown(slave, process->user->uid, (gid_t) -1) < 0)
                return error_set_errno(error, errno, "give the pty `%s` to uid %u", slave_path,
                                       process->user->uid);
        if (process && process->console_size) {
                int r = pty_set_size(master, process->console_size, error);
                if (r < 0)
                        return r;
        }
        *ret_master = steal_fd(&master);
        *ret_slave = steal_fd(&slave);
        if (ret_slave_path)
                *ret_slave_path = steal_pointer(&slave_path);
        return 0;
}

int terminal_send_fd(int socket_fd, int fd, ocirun_error **error)
{
        /* The payload is only a label: conmon and the containerd shim read one
         * message and keep the fd; runc puts the pty's name there. */
        char name[64] = "console";
        unsigned int number = 0;
        if (ioctl(fd, TIOCGPTN, &number) == 0)
                snprintf(name, sizeof(name), "/dev/pts/%u", number);

        size_t len = strlen(name);
        ssize_t sent = fd_send_with_data(socket_fd, name, len, fd);
        if (sent < 0)
                return error_set_errno(error, (int) -sent,
                                       "send the terminal to the console socket");
        if ((size_t) sent != len)
                return error_set(error, EIO,
                                 "send the terminal to the console socket: short write (%zd of %zu "
                                 "bytes)",
                                 sent, len);
        return 0;
}

int terminal_become_controlling(int slave, ocirun_error **error)
{
        /* TIOCSCTTY only works for a session leader without a terminal; a
         * fresh session has none. setsid fails for a process group leader, so
         * we only call it when we do not lead our session already. */
        if (getsid(0) != getpid() && setsid() < 0)
                return error_set_errno(error, errno, "start a new session (setsid)");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return error_set_errno(error, errno,
                                       "make the pty the controlling terminal (TIOCSCTTY)");
        for (int target = 0; target <= 2; target++) {
                /* dup2 onto itself is a no-op that would leave the CLOEXEC
                 * flag of the pty's fd in place: the stream would vanish at
                 * execve. */
                if (target == slave) {
                        if (fcntl(target, F_SETFD, 0) < 0)
                                return error_set_errno(error, errno, "clear FD_CLOEXEC on fd %d",
                                                       target);
                } else if (dup2(slave, target) < 0) {
                        return error_set_errno(error, errno, "make the pty fd %d", target);
                }
        }
        if (slave > 2)
                close(slave);
        return 0;
}

/* ---- the foreground proxy ------------------------------------------------ */

/* Everything the proxy changed, put back by proxy_state_restore on every
 * return path: the tty mode of our stdin, the master's file flags and the
 * signal mask. */
struct proxy_state {
        int master;
        int pidfd;
        int master_flags; /* -1: not changed */
        bool tty_raw;
        struct termios tty_saved;
        int signal_fd;
        bool mask_changed;
        sigset_t forward; /* the signals we pass on to the child */
        sigset_t old_mask;
};

static void proxy_forward_pending_signals(struct proxy_state *state);

static void proxy_state_restore(struct proxy_state *state)
{
        int saved_errno = errno;

        if (state->tty_raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &state->tty_saved);
        if (state->master_flags >= 0)
                fcntl(state->master, F_SETFL, state->master_flags);
        if (state->signal_fd >= 0) {
                /* Signals still queued are ours to handle: once the mask is
                 * restored they would hit ocirun (SIGPIPE, SIGTERM) instead
                 * of the container. */
                proxy_forward_pending_signals(state);
                close(state->signal_fd);
        }
        if (state->mask_changed)
                sigprocmask(SIG_SETMASK, &state->old_mask, NULL);
        errno = saved_errno;
}

/* The window size of the user's terminal: stdin's if it is one, else
 * stdout's or stderr's (`ocirun run -t < file` still has a terminal). */
static void proxy_copy_window_size(int master)
{
        struct winsize window;

        for (int fd = 0; fd <= 2; fd++) {
                if (ioctl(fd, TIOCGWINSZ, &window) == 0) {
                        ioctl(master, TIOCSWINSZ, &window);
                        return;
                }
        }
}

static void proxy_forward_pending_signals(struct proxy_state *state)
{
        struct signalfd_siginfo info;

        while (read(state->signal_fd, &info, sizeof(info)) == (ssize_t) sizeof(info)) {
                int sig = (int) info.ssi_signo;
                /* The SIGPIPE our own write to a vanished stdout raised (the
                 * kernel names us as its sender) is dropped: the write
                 * reported EPIPE. One sent to us by someone is forwarded
                 * like any other signal. */
                bool own_sigpipe = sig == SIGPIPE && info.ssi_pid == (uint32_t) getpid();
                if (sig == SIGWINCH)
                        proxy_copy_window_size(state->master);
                else if (state->pidfd >= 0 && !own_sigpipe &&
                         sigismember(&state->forward, sig) == 1)
                        pidfd_send_signal(state->pidfd, sig, NULL, 0);
        }
}

/* Writes all of buf to fd, waiting when fd is non-blocking and full. */
static int proxy_write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                                return -errno;
                        continue;
                }
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t) n;
        }
        return 0;
}

enum proxy_read_result {
        PROXY_READ_MORE,   /* copied something, or nothing was there yet */
        PROXY_READ_HANGUP, /* every slave fd is closed: the container's side is gone */
};

/* Copies what the master has to stdout. A stdout that fails (a closed pipe)
 * is warned about once, then the output is dropped: the master must still be
 * read, or the container blocks writing to its terminal. */
static enum proxy_read_result proxy_copy_output(int master, bool *stdout_broken)
{
        char buf[16384];

        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return PROXY_READ_MORE;
                /* EIO is how a pty master reports that the last slave fd was
                 * closed, once the data written before is read. */
                if (n <= 0)
                        return PROXY_READ_HANGUP;
                if (*stdout_broken)
                        continue;
                int r = proxy_write_all(STDOUT_FILENO, buf, (size_t) n);
                if (r < 0) {
                        ocirun_log(OCIRUN_LOG_WARNING,
                                   "terminal: write the container's output to stdout: %s",
                                   strerror(-r));
                        *stdout_broken = true;
                }
        }
}

int terminal_proxy(int master, int pidfd, ocirun_error **error)
{
        return terminal_proxy_forward(master, pidfd, NULL, error);
}

int terminal_proxy_forward(int master, int pidfd, const sigset_t *forward, ocirun_error **error)
{
        _cleanup_(proxy_state_restore) struct proxy_state state = {
            .master = master,
            .pidfd = pidfd,
            .master_flags = -1,
            .signal_fd = -1,
        };
        sigset_t handled;

        if (forward)
                state.forward = *forward;
        else
                sigemptyset(&state.forward);
        /* Our own children's exits are the caller's business, not the
         * container's. */
        sigdelset(&state.forward, SIGCHLD);
        handled = state.forward;
        sigaddset(&handled, SIGWINCH);
        sigaddset(&handled, SIGPIPE);
        if (sigprocmask(SIG_BLOCK, &handled, &state.old_mask) < 0)
                return error_set_errno(error, errno, "terminal: block signals");
        state.mask_changed = true;
        state.signal_fd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
        if (state.signal_fd < 0)
                return error_set_errno(error, errno, "terminal: create a signalfd");

        /* Non-blocking master: a container that does not read its input must
         * not stop us from copying its output (and the reverse). */
        int flags = fcntl(master, F_GETFL);
        if (flags < 0)
                return error_set_errno(error, errno, "terminal: get the flags of the pty master");
        if (!(flags & O_NONBLOCK)) {
                if (fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0)
                        return error_set_errno(error, errno,
                                               "terminal: make the pty master non-blocking");
                state.master_flags = flags;
        }

        /* Raw mode only when stdin is a terminal: keys like ^C and ^Z then
         * reach the container's terminal, whose line discipline turns them
         * into signals for the container's foreground process. */
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &state.tty_saved) == 0) {
                struct termios raw = state.tty_saved;
                cfmakeraw(&raw);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                        return error_set_errno(error, errno, "terminal: set raw mode on stdin");
                state.tty_raw = true;
        }
        proxy_copy_window_size(master);

        char input[16384];
        size_t input_len = 0, input_off = 0;
        bool stdin_open = true, stdout_broken = false;
        char last_input = '\n';

        for (;;) {
                enum { POLL_SIGNALS, POLL_CHILD, POLL_STDIN, POLL_MASTER, POLL_COUNT };
                struct pollfd fds[POLL_COUNT] = {
                    [POLL_SIGNALS] = {.fd = state.signal_fd, .events = POLLIN},
                    [POLL_CHILD] = {.fd = pidfd, .events = POLLIN},
                    /* stdin is read only once the last input reached the
                     * master: its pty buffer throttles us, not our memory. */
                    [POLL_STDIN] = {.fd = stdin_open && input_len == 0 ? STDIN_FILENO : -1,
                                    .events = POLLIN},
                    [POLL_MASTER] = {.fd = master,
                                     .events = (short) (POLLIN | (input_len ? POLLOUT : 0))},
                };
                if (poll(fds, POLL_COUNT, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set_errno(error, errno, "terminal: poll");
                }

                /* Signals first: a resize that raced with input reaches the
                 * container before the input that followed it. */
                if (fds[POLL_SIGNALS].revents)
                        proxy_forward_pending_signals(&state);

                if (fds[POLL_MASTER].revents & (POLLIN | POLLHUP | POLLERR)) {
                        if (proxy_copy_output(master, &stdout_broken) == PROXY_READ_HANGUP)
                                return 0;
                        /* POLLHUP with nothing to read is a hangup too;
                         * looping on it would spin. */
                        if ((fds[POLL_MASTER].revents & POLLHUP) &&
                            !(fds[POLL_MASTER].revents & POLLIN))
                                return 0;
                }

                if ((fds[POLL_MASTER].revents & POLLOUT) && input_len > 0) {
                        ssize_t n = write(master, input + input_off, input_len);
                        if (n > 0) {
                                input_off += (size_t) n;
                                input_len -= (size_t) n;
                        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                                /* The slave side is gone (EIO): the read
                                 * above reports the hangup; drop the input. */
                                input_len = 0;
                        }
                        if (input_len == 0)
                                input_off = 0;
                }

                if (fds[POLL_STDIN].revents) {
                        ssize_t n = (fds[POLL_STDIN].revents & POLLNVAL)
                                        ? 0
                                        : read(STDIN_FILENO, input, sizeof(input));
                        if (n > 0) {
                                input_len = (size_t) n;
                                last_input = input[n - 1];
                        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                                /* EOF cannot be written to a terminal; its
                                 * VEOF character (^D) makes a canonical-mode
                                 * read() in the container return 0. A
                                 * half-typed line takes one ^D to push the
                                 * line and a second for the EOF. */
                                struct termios container_tty;
                                stdin_open = false;
                                if (tcgetattr(master, &container_tty) == 0 &&
                                    container_tty.c_cc[VEOF] != _POSIX_VDISABLE) {
                                        input[input_len++] = (char) container_tty.c_cc[VEOF];
                                        if (last_input != '\n')
                                                input[input_len++] =
                                                    (char) container_tty.c_cc[VEOF];
                                }
                        }
                }

                if (fds[POLL_CHILD].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
                        /* The process is gone; what it wrote before exiting
                         * may still sit in the pty's buffers. A non-blocking
                         * read flushes those before it says EAGAIN or EIO, so
                         * this drain loses nothing and never waits for
                         * descendants that still hold the slave. */
                        proxy_copy_output(master, &stdout_broken);
                        return 0;
                }
        }
}
