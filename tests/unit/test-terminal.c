/* Unit tests of the terminal module on the host's /dev/ptmx: a pty with its
 * consoleSize, its master passed over a unix socket as --console-socket does
 * and still working on the other side, the controlling terminal of a new
 * session, and the foreground proxy (EOF forwarding, raw mode and its
 * restoration, window size changes, signal forwarding).
 *
 * Everything that changes a process's session, terminal or stdio runs in a
 * forked child that reports through its exit status; the children of those
 * children die with them (PR_SET_PDEATHSIG), and every child is killed by
 * its pid and reaped even when a check fails. */
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "tap.h"
#include "terminal.h"

static char temp_dir[] = "/tmp/ocirun-test-terminal.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        remove(path);
        return 0;
}

static void remove_temp_dir(void)
{
        nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool is_cloexec(int fd)
{
        int flags = fcntl(fd, F_GETFD);
        return flags >= 0 && (flags & FD_CLOEXEC);
}

static int64_t monotonic_ms(void)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Reads from fd into buf (NUL-terminated) until needle shows up, EOF/EIO,
 * or timeout_ms passes. Returns whether needle was seen. */
static bool read_until(int fd, char *buf, size_t size, size_t *len, const char *needle,
                       int timeout_ms)
{
        int64_t deadline = monotonic_ms() + timeout_ms;

        for (;;) {
                buf[*len] = '\0';
                if (needle && strstr(buf, needle))
                        return true;
                int64_t left = deadline - monotonic_ms();
                if (left <= 0 || *len + 1 >= size)
                        return false;
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                if (poll(&pfd, 1, (int) left) <= 0)
                        continue;
                ssize_t n = read(fd, buf + *len, size - 1 - *len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        buf[*len] = '\0';
                        return needle == NULL;
                }
                *len += (size_t) n;
        }
}

/* Kills a test child by its pid if it is still there, and reaps it. */
static int finish_child(pid_t pid, int timeout_ms)
{
        int status = 0;
        int64_t deadline = monotonic_ms() + timeout_ms;

        while (waitpid(pid, &status, WNOHANG) == 0) {
                if (monotonic_ms() > deadline) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return -1;
                }
                usleep(10 * 1000);
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- opening a pty --------------------------------------------------------- */

static void test_open_pty(void)
{
        ocispec_process_console_size size = {
            .height = 40, .has_height = true, .width = 120, .has_width = true};
        ocispec_process process = {.console_size = &size};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        _cleanup_close_ int master = -1, slave = -1;
        _cleanup_free_ char *slave_path = NULL;

        int r = terminal_open_pty(&process, &master, &slave, &slave_path, &error);
        if (!tap_ok(r == 0 && master >= 0 && slave >= 0 && slave_path,
                    "terminal_open_pty opens a pty from /dev/ptmx"))
                tap_diag("%s", error ? error->message : "?");
        if (r < 0)
                return;
        tap_ok(is_cloexec(master) && is_cloexec(slave), "master and slave are CLOEXEC");
        tap_ok(isatty(slave) && isatty(master), "both ends are ttys");

        struct stat by_path, by_fd;
        tap_ok(strncmp(slave_path, "/dev/pts/", 9) == 0 && stat(slave_path, &by_path) == 0 &&
                   fstat(slave, &by_fd) == 0 && by_path.st_rdev == by_fd.st_rdev,
               "the slave path (%s) names the slave that was opened", slave_path);

        struct winsize window = {0};
        if (!tap_ok(ioctl(slave, TIOCGWINSZ, &window) == 0 && window.ws_row == 40 &&
                        window.ws_col == 120,
                    "consoleSize 120x40 is the pty's window size"))
                tap_diag("got %ux%u", window.ws_col, window.ws_row);

        const char ping[] = "ping\n";
        char got[64] = {0};
        ssize_t n = write(slave, ping, strlen(ping));
        ssize_t m = n > 0 ? read(master, got, sizeof(got) - 1) : -1;
        tap_ok(m > 0 && strcmp(got, "ping\r\n") == 0,
               "what the slave writes comes out of the master");

        _cleanup_close_ int master2 = -1, slave2 = -1;
        r = terminal_open_pty(NULL, &master2, &slave2, NULL, NULL);
        tap_ok(r == 0 && master2 >= 0 && slave2 >= 0, "no process and no path wanted: still a pty");

        ocispec_process_console_size huge = {.height = 70000, .has_height = true};
        ocispec_process huge_process = {.console_size = &huge};
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        int untouched = -7;
        r = terminal_open_pty(&huge_process, &untouched, &untouched, NULL, &error2);
        tap_ok(r == -EINVAL && untouched == -7 && error2 &&
                   strstr(error2->message, "process.consoleSize.height"),
               "a height beyond 65535 is refused, naming the field, outputs untouched");
}

/* ---- the console socket ---------------------------------------------------- */

/* The engine's side: one message, one fd. */
static int receive_fd(int sock, char *name, size_t name_size)
{
        union {
                char buffer[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = name, .iov_len = name_size - 1};
        struct msghdr message = {.msg_iov = &iov,
                                 .msg_iovlen = 1,
                                 .msg_control = control.buffer,
                                 .msg_controllen = sizeof(control.buffer)};
        ssize_t n = recvmsg(sock, &message, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -1;
        name[n] = '\0';
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        if (!header || header->cmsg_type != SCM_RIGHTS || header->cmsg_len != CMSG_LEN(sizeof(int)))
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(header), sizeof(fd));
        return fd;
}

static void test_send_fd(void)
{
        int pair[2];
        _cleanup_close_ int master = -1, slave = -1, received = -1;
        _cleanup_free_ char *slave_path = NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 ||
            terminal_open_pty(NULL, &master, &slave, &slave_path, NULL) < 0) {
                tap_ok(0, "set up a socketpair and a pty");
                return;
        }
        _cleanup_close_ int ours = pair[0], theirs = pair[1];

        int r = terminal_send_fd(ours, master, &error);
        tap_ok(r == 0, "terminal_send_fd sends the master");
        char name[256];
        received = receive_fd(theirs, name, sizeof(name));
        tap_ok(received >= 0 && strcmp(name, slave_path) == 0,
               "one recvmsg gets the fd and the pty's name (%s)", name);
        closep(&master);

        /* The received master is the live pty: slave output shows up there,
         * and input written there reaches the slave. */
        char got[64] = {0};
        ssize_t n = write(slave, "over the socket\n", 16);
        ssize_t m = n > 0 ? read(received, got, sizeof(got) - 1) : -1;
        tap_ok(m > 0 && strcmp(got, "over the socket\r\n") == 0,
               "the received master reads what the slave writes");
        struct termios raw;
        tcgetattr(slave, &raw);
        cfmakeraw(&raw);
        tcsetattr(slave, TCSANOW, &raw);
        memset(got, 0, sizeof(got));
        n = write(received, "in", 2);
        m = n > 0 ? read(slave, got, sizeof(got) - 1) : -1;
        tap_ok(m == 2 && strcmp(got, "in") == 0, "and writes input to the slave");

        /* The engine went away: an error, not a SIGPIPE death. */
        closep(&theirs);
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        r = terminal_send_fd(ours, slave, &error2);
        if (!tap_ok(r == -EPIPE && error2 && strstr(error2->message, "console socket"),
                    "sending to a closed peer fails with EPIPE"))
                tap_diag("r=%d %s", r, error2 ? error2->message : "");
}

static int listen_at(const char *path, int dir_fd, const char *name)
{
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        if (dir_fd >= 0)
                snprintf(address.sun_path, sizeof(address.sun_path), "/proc/self/fd/%d/%s", dir_fd,
                         name);
        else
                snprintf(address.sun_path, sizeof(address.sun_path), "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &address, sizeof(address)) < 0 ||
            listen(fd, 4) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

static void test_console_socket(void)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/console.sock", temp_dir) < 0)
                abort();
        _cleanup_close_ int listener = listen_at(path, -1, NULL);
        _cleanup_close_ int fd = -1, accepted = -1, master = -1, slave = -1, received = -1;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = terminal_connect_console_socket(path, &fd, &error);
        if (!tap_ok(listener >= 0 && r == 0 && fd >= 0 && is_cloexec(fd),
                    "connect to a listening console socket, CLOEXEC"))
                tap_diag("%s", error ? error->message : "?");
        if (r < 0)
                return;
        accepted = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        terminal_open_pty(NULL, &master, &slave, NULL, NULL);
        char name[256];
        r = terminal_send_fd(fd, master, NULL);
        received = accepted >= 0 && r == 0 ? receive_fd(accepted, name, sizeof(name)) : -1;
        tap_ok(received >= 0 && isatty(received), "the engine accepts and receives the pty master");

        _cleanup_free_ char *missing = NULL;
        if (asprintf(&missing, "%s/missing.sock", temp_dir) < 0)
                abort();
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        int untouched = -7;
        _cleanup_free_ char *expected = NULL;
        if (asprintf(&expected, "connect to console socket `%s`: No such file or directory",
                     missing) < 0)
                abort();
        r = terminal_connect_console_socket(missing, &untouched, &error2);
        if (!tap_ok(r == -ENOENT && untouched == -7 && error2 &&
                        strcmp(error2->message, expected) == 0,
                    "a missing socket: ENOENT naming the path"))
                tap_diag("got %s", error2 ? error2->message : "(none)");

        /* Longer than sun_path's 108 bytes: still reachable. */
        char long_dir[512];
        int n = snprintf(long_dir, sizeof(long_dir), "%s/", temp_dir);
        memset(long_dir + n, 'd', 120);
        long_dir[n + 120] = '\0';
        _cleanup_free_ char *long_path = NULL;
        if (mkdir(long_dir, 0700) < 0 || asprintf(&long_path, "%s/console.sock", long_dir) < 0)
                abort();
        _cleanup_close_ int dir_fd = open(long_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int long_listener = listen_at(NULL, dir_fd, "console.sock");
        _cleanup_close_ int long_fd = -1;
        _cleanup_(ocirun_error_freep) ocirun_error *error3 = NULL;
        r = terminal_connect_console_socket(long_path, &long_fd, &error3);
        if (!tap_ok(long_listener >= 0 && r == 0 && long_fd >= 0,
                    "a socket path of %zu bytes connects", strlen(long_path)))
                tap_diag("%s", error3 ? error3->message : "?");

        tap_ok(terminal_connect_console_socket("", &untouched, NULL) == -EINVAL,
               "an empty path is refused");
}

/* ---- the controlling terminal ---------------------------------------------- */

/* tty_nr in /proc/PID/stat encodes the device as the kernel's old_encode_dev
 * widened: minor bits 0-7 and 20-31, major bits 8-19. */
static unsigned long proc_tty_nr(void)
{
        char buf[1024];
        FILE *f = fopen("/proc/self/stat", "re");
        size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        if (f)
                fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        int ppid, pgrp, session;
        char state;
        unsigned long tty_nr = 0;
        if (!p || sscanf(p + 1, " %c %d %d %d %lu", &state, &ppid, &pgrp, &session, &tty_nr) != 5)
                return 0;
        return tty_nr;
}

/* Runs in a forked child; returns a bit mask of the checks that failed. */
static int become_controlling_child(bool slave_on_stdin)
{
        int master = -1, slave = -1;
        if (terminal_open_pty(NULL, &master, &slave, NULL, NULL) < 0)
                return 1;
        struct stat st;
        fstat(slave, &st);
        int original = slave;
        if (slave_on_stdin) {
                /* The slave already sits on fd 0, CLOEXEC: it must lose the
                 * flag, or stdin would vanish at execve. */
                if (dup3(slave, 0, O_CLOEXEC) < 0)
                        return 1;
                close(slave);
                slave = 0;
        }
        int failed = 0;
        if (terminal_become_controlling(slave, NULL) < 0)
                return 2;
        if (getsid(0) != getpid())
                failed |= 4;
        /* TIOCGSID by hand into an initialized variable: valgrind does
         * not know this ioctl and would call tcgetsid's result undefined. */
        pid_t tty_session = -1;
        if (ioctl(0, TIOCGSID, &tty_session) < 0 || tty_session != getpid() ||
            tcgetpgrp(0) != getpgrp())
                failed |= 8;
        if (!isatty(0) || !isatty(1) || !isatty(2) || is_cloexec(0) || is_cloexec(1) ||
            is_cloexec(2))
                failed |= 16;
        unsigned int maj = major(st.st_rdev), min = minor(st.st_rdev);
        unsigned long expected = (min & 0xff) | (maj << 8) | ((unsigned long) (min & ~0xffu) << 12);
        if (proc_tty_nr() != expected)
                failed |= 32;
        if (!slave_on_stdin && fcntl(original, F_GETFD) >= 0)
                failed |= 64;
        struct stat on_stdout;
        if (fstat(1, &on_stdout) < 0 || on_stdout.st_rdev != st.st_rdev)
                failed |= 128;
        return failed;
}

static void test_become_controlling(void)
{
        for (int variant = 0; variant < 2; variant++) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0) {
                        alarm(10);
                        _exit(become_controlling_child(variant == 1));
                }
                int result = finish_child(pid, 10000);
                if (!tap_ok(result == 0,
                            variant == 0 ? "terminal_become_controlling: a new session whose "
                                           "controlling tty is the pty, on fds 0-2, slave fd closed"
                                         : "terminal_become_controlling with the slave on fd 0 "
                                           "clears its CLOEXEC"))
                        tap_diag("child result %d", result);
        }
}

/* ---- the proxy ------------------------------------------------------------- */

/* The proxy child's exit status when there is no pidfd_open (valgrind). */
#define PROXY_SKIP 77

/* A proxy check, or a TAP skip when the machine lacks pidfd_open. */
static bool proxy_ok(int result, bool cond, const char *what)
{
        if (result == PROXY_SKIP)
                return tap_ok(1, "%s # SKIP pidfd_open is not available (valgrind?)", what);
        return tap_ok(cond, "%s", what);
}

/* In the proxy's child: the container's process on the pty's slave. */
__attribute__((noreturn)) static void exec_on_slave(int master, int slave, const char *script)
{
        /* If the proxy process dies, so do we, whatever the test did. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(master);
        if (terminal_become_controlling(slave, NULL) < 0)
                _exit(126);
        execl("/bin/sh", "sh", "-c", script, (char *) NULL);
        _exit(127);
}

/* The proxy process (forked from the test): its stdin/stdout are already
 * set; starts the "container" with script on a new pty and proxies. Exits
 * with 0 when the proxy returned 0 and the script exited with
 * expected_status; bits for what went wrong otherwise. */
__attribute__((noreturn)) static void proxy_child(const char *script, int expected_status,
                                                  const sigset_t *forward, bool needs_pidfd)
{
        int master = -1, slave = -1;
        alarm(20);
        if (terminal_open_pty(NULL, &master, &slave, NULL, NULL) < 0)
                _exit(1);
        pid_t pid = fork();
        if (pid < 0)
                _exit(1);
        if (pid == 0)
                exec_on_slave(master, slave, script);
        close(slave);
        /* Without pidfd_open (valgrind), a proxy that ends at the hangup
         * can still be tested. */
        int pidfd = pidfd_open(pid, 0);
        if (pidfd < 0 && (errno != ENOSYS || needs_pidfd)) {
                kill(pid, SIGKILL);
                _exit(errno == ENOSYS ? PROXY_SKIP : 1);
        }

        struct termios before, after;
        bool tty = tcgetattr(0, &before) == 0;
        int failed = 0;
        if (terminal_proxy_forward(master, pidfd, forward, NULL) < 0)
                failed |= 2;
        if (tty && (tcgetattr(0, &after) < 0 || before.c_lflag != after.c_lflag ||
                    before.c_iflag != after.c_iflag || before.c_oflag != after.c_oflag ||
                    memcmp(before.c_cc, after.c_cc, sizeof(before.c_cc)) != 0))
                failed |= 4;
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != expected_status)
                failed |= 8;
        /* The master is back to blocking mode. */
        if (fcntl(master, F_GETFL) & O_NONBLOCK)
                failed |= 16;
        _exit(failed);
}

/* stdin and stdout of the proxy are a socket (not a tty): no raw mode, and
 * EOF on stdin reaches the container as ^D. */
static void test_proxy_pipe(const char *input, const char *expected_output, const char *what)
{
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                tap_ok(0, "socketpair");
                return;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pair[1], 0);
                dup2(pair[1], 1);
                close(pair[0]);
                close(pair[1]);
                proxy_child("cat", 0, NULL, false);
        }
        close(pair[1]);
        _cleanup_close_ int sock = pair[0];

        ssize_t n = write(sock, input, strlen(input));
        shutdown(sock, SHUT_WR);
        char output[4096];
        size_t len = 0;
        /* Read to EOF: the proxy ends only if cat saw the EOF. */
        bool eof = n > 0 && read_until(sock, output, sizeof(output), &len, NULL, 10000);
        int result = finish_child(pid, 5000);
        if (!proxy_ok(result, eof && result == 0 && strstr(output, expected_output), what))
                tap_diag("eof=%d result=%d output=\"%s\"", eof, result, output);
}

/* The container's process exits while a descendant still holds the pty and
 * our stdin stays open: the proxy ends at the exit (pidfd), with all the
 * output written before it. */
static void test_proxy_child_exit(void)
{
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                tap_ok(0, "socketpair");
                return;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pair[1], 0);
                dup2(pair[1], 1);
                close(pair[0]);
                close(pair[1]);
                proxy_child("(trap '' HUP; exec sleep 5) & echo \"bg:$!\"; "
                            "head -c 100000 /dev/zero | tr '\\0' x; echo END",
                            0, NULL, true);
        }
        close(pair[1]);
        _cleanup_close_ int sock = pair[0];
        static char output[131072];
        size_t len = 0;
        int64_t start = monotonic_ms();
        bool eof = read_until(sock, output, sizeof(output), &len, NULL, 10000);
        int64_t elapsed = monotonic_ms() - start;
        int result = finish_child(pid, 5000);
        const char *bg = strstr(output, "bg:");
        pid_t background = bg ? (pid_t) atoi(bg + 3) : 0;
        if (background > 0)
                kill(background, SIGKILL);
        if (!proxy_ok(result,
                      eof && result == 0 && elapsed < 3000 && len > 100000 &&
                          strstr(output, "END\r\n"),
                      "proxy: ends when the process exits though a descendant holds the pty, "
                      "with all its output"))
                tap_diag("eof=%d result=%d %lld ms, %zu bytes", eof, result, (long long) elapsed,
                         len);
}

/* Our stdout is a pipe nobody reads any more: the proxy survives the
 * SIGPIPE, keeps the container's output flowing (dropped) so it does not
 * block, and does not forward its own SIGPIPE to the container. */
static void test_proxy_stdout_gone(void)
{
        int pair[2], out[2];
        sigset_t forward;
        sigemptyset(&forward);
        sigaddset(&forward, SIGPIPE);
        sigaddset(&forward, SIGTERM);
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 ||
            pipe2(out, O_CLOEXEC) < 0) {
                tap_ok(0, "socketpair and pipe");
                return;
        }
        close(out[0]);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pair[1], 0);
                dup2(out[1], 1);
                close(pair[0]);
                close(pair[1]);
                close(out[1]);
                proxy_child("trap 'exit 9' PIPE; head -c 200000 /dev/zero; sleep 0.2; exit 0", 0,
                            &forward, true);
        }
        close(pair[1]);
        close(out[1]);
        _cleanup_close_ int sock = pair[0];
        int result = finish_child(pid, 10000);
        if (!proxy_ok(result, result == 0,
                      "proxy: a closed stdout neither kills us nor blocks the container, and our "
                      "SIGPIPE is not forwarded"))
                tap_diag("result=%d", result);
}

static void test_proxy_forward_signal(void)
{
        int pair[2];
        sigset_t forward;
        sigemptyset(&forward);
        sigaddset(&forward, SIGTERM);
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                tap_ok(0, "socketpair");
                return;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pair[1], 0);
                dup2(pair[1], 1);
                close(pair[0]);
                close(pair[1]);
                proxy_child("trap 'echo got-term; exit 7' TERM; echo ready; "
                            "while :; do sleep 0.05; done",
                            7, &forward, true);
        }
        close(pair[1]);
        _cleanup_close_ int sock = pair[0];
        char output[4096];
        size_t len = 0;
        bool ready = read_until(sock, output, sizeof(output), &len, "ready", 10000);
        if (ready)
                kill(pid, SIGTERM);
        bool forwarded = ready && read_until(sock, output, sizeof(output), &len, "got-term", 10000);
        int result = finish_child(pid, 5000);
        if (!proxy_ok(result, forwarded && result == 0,
                      "terminal_proxy_forward passes SIGTERM to the container and survives it"))
                tap_diag("ready=%d result=%d output=\"%s\"", ready, result, output);
}

/* stdin is a tty (the slave of an outer pty the test holds): raw mode while
 * proxying, restored after; the window size follows the outer terminal. */
static void test_proxy_tty(void)
{
        _cleanup_close_ int outer = -1, outer_slave = -1;
        if (terminal_open_pty(NULL, &outer, &outer_slave, NULL, NULL) < 0) {
                tap_ok(0, "open the outer pty");
                return;
        }
        struct winsize size = {.ws_row = 24, .ws_col = 80};
        ioctl(outer, TIOCSWINSZ, &size);

        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                close(outer);
                /* Our own session with the outer pty as its terminal, so the
                 * kernel sends us SIGWINCH when its size changes. */
                if (terminal_become_controlling(outer_slave, NULL) < 0)
                        _exit(1);
                proxy_child("read a; stty size; read b; stty size; echo \"got:$b\"", 0, NULL,
                            false);
        }
        closep(&outer_slave);

        /* The proxy put the terminal in raw mode: it is running. */
        bool raw = false;
        int status;
        for (int i = 0; i < 500 && !raw; i++) {
                struct termios mode;
                raw = tcgetattr(outer, &mode) == 0 && !(mode.c_lflag & (ICANON | ECHO));
                if (raw)
                        break;
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        bool skip = WIFEXITED(status) && WEXITSTATUS(status) == PROXY_SKIP;
                        proxy_ok(skip ? PROXY_SKIP : 1, false,
                                 "proxy on a terminal: raw mode, window size, restored mode");
                        if (!skip)
                                tap_diag("the proxy child ended early: status 0x%x", status);
                        return;
                }
                usleep(10 * 1000);
        }
        tap_ok(raw, "stdin's terminal is in raw mode while the proxy runs");

        char output[8192];
        size_t len = 0;
        ssize_t n = write(outer, "a\r", 2);
        bool first = n == 2 && read_until(outer, output, sizeof(output), &len, "24 80", 10000);
        tap_ok(first, "the container's pty starts with the size of our terminal (80x24)");

        size.ws_row = 30;
        size.ws_col = 100;
        ioctl(outer, TIOCSWINSZ, &size);
        n = write(outer, "b\r", 2);
        bool second = n == 2 && read_until(outer, output, sizeof(output), &len, "got:b", 10000);
        tap_ok(second && strstr(output, "30 100"), "a resize (SIGWINCH) reaches the container");
        read_until(outer, output, sizeof(output), &len, NULL, 5000);

        int result = finish_child(pid, 5000);
        if (!tap_ok(result == 0, "the proxy returns when the container exits and restores the "
                                 "terminal's mode"))
                tap_diag("result=%d output=\"%s\"", result, output);
}

int main(void)
{
        if (!mkdtemp(temp_dir)) {
                printf("Bail out! mkdtemp: %s\n", strerror(errno));
                return 1;
        }
        atexit(remove_temp_dir);

        test_open_pty();
        test_send_fd();
        test_console_socket();
        test_become_controlling();
        test_proxy_pipe("hello\n", "hello\r\nhello\r\n",
                        "proxy: input reaches the container, its output comes back, EOF (^D) "
                        "ends it");
        test_proxy_pipe("no newline", "no newlineno newline",
                        "proxy: EOF after a partial line still ends the container's read");
        test_proxy_child_exit();
        test_proxy_stdout_gone();
        test_proxy_forward_signal();
        test_proxy_tty();

        tap_ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no child process is left");
        return tap_done();
}
