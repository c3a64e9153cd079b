/* OCI hooks: running one hook list (prestart, createRuntime, poststop, ...)
 * to completion. Each hook is a child with the state JSON on a pipe as its
 * stdin, its stdout and stderr captured for the error message, no other fd
 * of ours, and its own process group so that a timeout kills whatever it
 * started too. The parent waits on a pidfd in one poll loop that also feeds
 * stdin and drains the outputs, so neither a hook that never reads nor one
 * that writes a lot can block us past the hook's timeout, and no child is
 * ever left unreaped. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "error.h"
#include "hooks.h"
#include "util/strings.h"
#include "util/time.h"

/* As much of each output as the error message may quote. */
#define HOOK_CAPTURE_MAX 4096
/* The part of one stderr line that goes into the message. */
#define HOOK_LINE_MAX 1024
/* How often to check for the hook's exit when there is no pidfd. */
#define HOOK_NO_PIDFD_TICK_MS 10
/* The fd the child reports a failed execve through. */
#define HOOK_REPORT_FD 3

/* The last HOOK_CAPTURE_MAX bytes a hook wrote to one stream: the end is
 * where a failing program says why. */
struct hook_capture {
        int fd;
        size_t len;
        char data[HOOK_CAPTURE_MAX];
};

static void hook_capture_append(struct hook_capture *capture, const char *buf, size_t n)
{
        if (n >= HOOK_CAPTURE_MAX) {
                memcpy(capture->data, buf + n - HOOK_CAPTURE_MAX, HOOK_CAPTURE_MAX);
                capture->len = HOOK_CAPTURE_MAX;
                return;
        }
        if (capture->len + n > HOOK_CAPTURE_MAX) {
                size_t drop = capture->len + n - HOOK_CAPTURE_MAX;
                memmove(capture->data, capture->data + drop, capture->len - drop);
                capture->len -= drop;
        }
        memcpy(capture->data + capture->len, buf, n);
        capture->len += n;
}

/* A hook's stdout and stderr, open until EOF or the end of the hook. */
struct hook_outputs {
        struct hook_capture out;
        struct hook_capture err;
};

static void hook_outputs_free(struct hook_outputs *outputs)
{
        closep(&outputs->out.fd);
        closep(&outputs->err.fd);
        free(outputs);
}
DEFINE_CLEANUP_FUNC(struct hook_outputs *, hook_outputs_free)

/* Reads what is there now; closes the stream at EOF. The buffer is modest
 * because hooks may run on the small stack of a cloned container child. */
static void hook_capture_read(struct hook_capture *capture)
{
        char buf[8192];

        while (capture->fd >= 0) {
                ssize_t n = read(capture->fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        close(capture->fd);
                        capture->fd = -1;
                        return;
                }
                hook_capture_append(capture, buf, (size_t) n);
        }
}

/* The last line with something other than blanks in it, escaped to one
 * printable line; NULL when there is none (or no memory). */
static char *hook_capture_last_line(const struct hook_capture *capture)
{
        size_t end = capture->len;

        while (end > 0 && capture->data[end - 1] != '\0' &&
               strchr(" \t\r\n", capture->data[end - 1]))
                end--;
        if (end == 0)
                return NULL;
        size_t start = end;
        while (start > 0 && capture->data[start - 1] != '\n')
                start--;
        bool cut = end - start > HOOK_LINE_MAX;
        if (cut)
                end = start + HOOK_LINE_MAX;
        _cleanup_free_ char *line = malloc(end - start + 4);
        if (!line)
                return NULL;
        size_t n = 0;
        /* A NUL would end the C string early; it says nothing anyway. */
        for (size_t i = start; i < end; i++)
                if (capture->data[i] != '\0')
                        line[n++] = capture->data[i];
        if (cut) {
                memcpy(line + n, "...", 3);
                n += 3;
        }
        line[n] = '\0';
        return str_one_line(line);
}

/* The hook's process until it is reaped. The cleanup kills and reaps a hook
 * that an error path leaves behind, so no return path leaks a zombie. */
struct hook_process {
        pid_t pid;
        int pidfd;
        bool reaped;
        int status;
};

static void hook_process_kill(struct hook_process *process)
{
        /* The group first: a hook script's children (sleep, curl, ...) die
         * with it. The pid cannot have been reused as a group id by anyone
         * else while our child is not reaped. The pidfd covers a hook that
         * moved itself out of its group. */
        kill(-process->pid, SIGKILL);
        if (process->pidfd >= 0)
                pidfd_send_signal(process->pidfd, SIGKILL, NULL, 0);
        else
                kill(process->pid, SIGKILL);
}

static int hook_process_reap(struct hook_process *process)
{
        while (!process->reaped) {
                if (waitpid(process->pid, &process->status, 0) == process->pid)
                        process->reaped = true;
                else if (errno != EINTR)
                        return -errno;
        }
        return 0;
}

/* Without a pidfd: has the hook exited? Reaps it if so. */
static bool hook_process_try_reap(struct hook_process *process)
{
        if (!process->reaped && waitpid(process->pid, &process->status, WNOHANG) == process->pid)
                process->reaped = true;
        return process->reaped;
}

static void hook_process_cleanup(struct hook_process *process)
{
        int saved_errno = errno;

        if (process->pid > 0 && !process->reaped) {
                hook_process_kill(process);
                hook_process_reap(process);
        }
        if (process->pidfd >= 0)
                close(process->pidfd);
        errno = saved_errno;
}

/* SIGPIPE stays blocked while we feed a hook's stdin: a hook that exits
 * without reading makes write() fail with EPIPE, which we expect, instead
 * of killing ocirun. A SIGPIPE that we raise is consumed before the mask is
 * restored; one the caller had pending is left alone. */
struct hook_sigpipe {
        bool blocked;
        bool was_pending;
        bool raised;
        sigset_t old_mask;
};

static int hook_sigpipe_block(struct hook_sigpipe *guard)
{
        sigset_t pipe_set, pending;

        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        if (sigpending(&pending) < 0 || sigprocmask(SIG_BLOCK, &pipe_set, &guard->old_mask) < 0)
                return -errno;
        guard->was_pending = sigismember(&pending, SIGPIPE) == 1;
        guard->blocked = true;
        return 0;
}

static void hook_sigpipe_restore(struct hook_sigpipe *guard)
{
        int saved_errno = errno;

        if (!guard->blocked)
                return;
        if (guard->raised && !guard->was_pending) {
                sigset_t pipe_set;
                struct timespec now = {0};
                sigemptyset(&pipe_set);
                sigaddset(&pipe_set, SIGPIPE);
                while (sigtimedwait(&pipe_set, NULL, &now) < 0 && errno == EINTR)
                        ;
        }
        sigprocmask(SIG_SETMASK, &guard->old_mask, NULL);
        errno = saved_errno;
}

static void close_all_from(int first)
{
        if (close_range((unsigned int) first, ~0U, 0) == 0)
                return;
        /* Before Linux 5.9: close them one by one, up to the fd limit. */
        struct rlimit limit;
        int max = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
                          limit.rlim_cur < INT32_MAX
                      ? (int) limit.rlim_cur
                      : 65536;
        for (int fd = first; fd < max; fd++)
                close(fd);
}

/* Tells the parent why the child could not exec the hook, and dies. */
__attribute__((noreturn)) static void hook_child_fail(int report_fd)
{
        int err = errno;
        ssize_t ignored = write(report_fd, &err, sizeof(err));
        (void) ignored;
        _exit(127);
}

/* The child between clone and execve: only system calls, no allocation,
 * since the parent's locks (malloc's, stdio's) may be held by a thread that
 * does not exist here. Any failure is reported as an errno through
 * HOOK_REPORT_FD. */
__attribute__((noreturn)) static void hook_child(const ocispec_hook *hook, char *const *argv,
                                                 char *const *envp, const char *cwd, int stdin_fd,
                                                 int stdout_fd, int stderr_fd, int report_fd)
{
        int fds[4] = {stdin_fd, stdout_fd, stderr_fd, report_fd};

        /* Signals arrive blocked (see hook_run_one). Default dispositions
         * first, then an empty mask: an ignored SIGPIPE or SIGINT of ours
         * would otherwise survive the execve, and a blocked one stay
         * blocked. */
        struct sigaction default_action = {.sa_handler = SIG_DFL};
        for (int sig = 1; sig < NSIG; sig++)
                sigaction(sig, &default_action, NULL);
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);

        /* Its own process group, so a timeout can kill all it started. */
        setpgid(0, 0);

        /* Lift our four fds above 3 first: a caller that runs with fd 0, 1
         * or 2 closed gets pipes there, and dup2 in place would clobber
         * them. */
        for (int i = 0; i < 4; i++) {
                fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, HOOK_REPORT_FD + 1);
                if (fds[i] < 0)
                        hook_child_fail(report_fd);
        }
        for (int target = 0; target < 3; target++)
                if (dup2(fds[target], target) < 0)
                        hook_child_fail(fds[3]);
        if (dup3(fds[3], HOOK_REPORT_FD, O_CLOEXEC) < 0)
                hook_child_fail(fds[3]);
        close_all_from(HOOK_REPORT_FD + 1);

        if (cwd && chdir(cwd) < 0)
                hook_child_fail(HOOK_REPORT_FD);
        execve(hook->path, argv, envp);
        hook_child_fail(HOOK_REPORT_FD);
}

/* clone3 with CLONE_PIDFD: the pidfd exists from the first instant, so no
 * exit or reaping elsewhere can make it refer to another process. (An exit
 * signal other than SIGCHLD would hide the hook from the caller's SIGCHLD
 * handling, but execve resets it to SIGCHLD.) The layout is clone_args'
 * first version (Linux 5.3). */
struct hook_clone_args {
        uint64_t flags;
        uint64_t pidfd;
        uint64_t child_tid;
        uint64_t parent_tid;
        uint64_t exit_signal;
        uint64_t stack;
        uint64_t stack_size;
        uint64_t tls;
};

/* Returns the child's pid (0 in the child) and its pidfd in the parent, or
 * -1 as the pidfd where the kernel has none (before 5.3, or valgrind). */
static pid_t hook_spawn(int *ret_pidfd)
{
        int pidfd = -1;
        struct hook_clone_args args = {
            .flags = CLONE_PIDFD,
            .pidfd = (uint64_t) (uintptr_t) &pidfd,
            .exit_signal = SIGCHLD,
        };
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0) {
                if (pid > 0)
                        *ret_pidfd = pidfd;
                return pid;
        }
        /* clone3 is missing before 5.3, and container seccomp profiles
         * (Docker's) refuse it with ENOSYS or EPERM. fork + pidfd_open is
         * just as exact for a child of ours: it stays a zombie, pid and all,
         * until we reap it. */
        if (errno != ENOSYS && errno != EPERM)
                return -1;
        pid = fork();
        if (pid <= 0)
                return pid;
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0 && errno != ENOSYS) {
                int saved_errno = errno;
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                errno = saved_errno;
                return -1;
        }
        *ret_pidfd = pidfd;
        return pid;
}

static int make_nonblocking(int fd)
{
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* Sets the error for a failed hook: what happened, then the last line it
 * wrote to stderr (or stdout, for hooks that report there). */
__attribute__((format(printf, 7, 8))) static int
hook_fail(ocirun_error **error, int code, const char *kind, size_t index, const char *shown_path,
          const struct hook_outputs *outputs, const char *fmt, ...)
{
        _cleanup_free_ char *what = NULL;
        _cleanup_free_ char *stderr_line = hook_capture_last_line(&outputs->err);
        _cleanup_free_ char *stdout_line =
            stderr_line ? NULL : hook_capture_last_line(&outputs->out);
        va_list ap;

        va_start(ap, fmt);
        int r = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (r < 0)
                return error_set(error, ENOMEM, "out of memory");
        return error_set(error, code, "%s hook #%zu (%s): %s%s%s%s", kind, index, shown_path, what,
                         stderr_line ? ": " : "", stdout_line ? ": stdout: " : "",
                         stderr_line   ? stderr_line
                         : stdout_line ? stdout_line
                                       : "");
}

static int hook_run_one(const char *kind, size_t index, const ocispec_hook *hook,
                        const char *state_json, size_t state_len, const char *cwd,
                        ocirun_error **error)
{
        const char *path = hook->path ? hook->path : "";
        char *default_argv[] = {(char *) path, NULL};
        char *empty_envp[] = {NULL};
        /* ocispec's string arrays are NULL-terminated: usable as is. */
        char *const *argv = hook->args_len > 0 ? hook->args : default_argv;
        char *const *envp = hook->env_len > 0 ? hook->env : empty_envp;
        int stdin_pipe[2], stdout_pipe[2], stderr_pipe[2], report_pipe[2];

        /* The path as messages show it: one line whatever the config says. */
        _cleanup_free_ char *shown_path = str_one_line(path);
        ocirun_debug("hooks: run %s hook %zu: %s", kind, index, shown_path ? shown_path : path);
        if (!shown_path)
                return error_set(error, ENOMEM, "out of memory");
        if (path[0] != '/')
                return error_set(error, EINVAL, "%s hook #%zu: path `%s` is not absolute", kind,
                                 index, shown_path);

        /* CLOEXEC everywhere: another thread's fork+exec must not inherit
         * them, and the child re-dups the ones it keeps. */
        if (pipe2(stdin_pipe, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: create a pipe", kind, index);
        _cleanup_close_ int stdin_read = stdin_pipe[0], stdin_write = stdin_pipe[1];
        if (pipe2(stdout_pipe, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: create a pipe", kind, index);
        _cleanup_close_ int stdout_read = stdout_pipe[0], stdout_write = stdout_pipe[1];
        if (pipe2(stderr_pipe, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: create a pipe", kind, index);
        _cleanup_close_ int stderr_read = stderr_pipe[0], stderr_write = stderr_pipe[1];
        if (pipe2(report_pipe, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: create a pipe", kind, index);
        _cleanup_close_ int report_read = report_pipe[0], report_write = report_pipe[1];

        /* All signals blocked across the clone, as posix_spawn does: until
         * the child has reset their dispositions, a signal would run one of
         * the caller's handlers in the child. */
        sigset_t all_signals, old_mask;
        sigfillset(&all_signals);
        if (sigprocmask(SIG_BLOCK, &all_signals, &old_mask) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: block signals", kind, index);
        _cleanup_(hook_process_cleanup) struct hook_process process = {.pid = -1, .pidfd = -1};
        process.pid = hook_spawn(&process.pidfd);
        int spawn_errno = errno;
        if (process.pid == 0)
                hook_child(hook, argv, envp, cwd, stdin_read, stdout_write, stderr_write,
                           report_write);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        if (process.pid < 0)
                return error_set_errno(error, spawn_errno, "%s hook #%zu (%s): start a process",
                                       kind, index, shown_path);

        closep(&stdin_read);
        closep(&stdout_write);
        closep(&stderr_write);
        closep(&report_write);

        /* The report pipe closes at a successful execve (CLOEXEC) or brings
         * the errno of the failed step. */
        int child_errno = 0;
        ssize_t n;
        do
                n = read(report_read, &child_errno, sizeof(child_errno));
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t) sizeof(child_errno)) {
                hook_process_reap(&process);
                return error_set_errno(error, child_errno, "%s hook #%zu (%s): exec", kind, index,
                                       shown_path);
        }

        if (make_nonblocking(stdin_write) < 0 || make_nonblocking(stdout_read) < 0 ||
            make_nonblocking(stderr_read) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: make its pipes non-blocking",
                                       kind, index);
        /* 8 KiB of captured output: static would not be reentrant, and the
         * heap is cheap next to a fork. */
        _cleanup_(hook_outputs_freep) struct hook_outputs *outputs = malloc(sizeof(*outputs));
        if (!outputs)
                return error_set(error, ENOMEM, "out of memory");
        outputs->out.len = outputs->err.len = 0;
        outputs->out.fd = steal_fd(&stdout_read);
        outputs->err.fd = steal_fd(&stderr_read);

        _cleanup_(hook_sigpipe_restore) struct hook_sigpipe sigpipe = {0};
        if (hook_sigpipe_block(&sigpipe) < 0)
                return error_set_errno(error, errno, "%s hook #%zu: block SIGPIPE", kind, index);

        int64_t deadline = hook->has_timeout && hook->timeout > 0
                               ? (int64_t) time_monotonic_ms() + (int64_t) hook->timeout * 1000
                               : -1;
        size_t written = 0;
        if (state_len == 0)
                closep(&stdin_write);

        for (;;) {
                int timeout_ms = -1;
                if (deadline >= 0) {
                        int64_t left = deadline - (int64_t) time_monotonic_ms();
                        if (left <= 0) {
                                hook_process_kill(&process);
                                hook_process_reap(&process);
                                return hook_fail(error, ETIMEDOUT, kind, index, shown_path, outputs,
                                                 "timed out after %lld s",
                                                 (long long) hook->timeout);
                        }
                        timeout_ms = left > INT32_MAX ? INT32_MAX : (int) left;
                }
                /* No pidfd to tell us of the exit: look every few ms. */
                if (process.pidfd < 0 && (timeout_ms < 0 || timeout_ms > HOOK_NO_PIDFD_TICK_MS))
                        timeout_ms = HOOK_NO_PIDFD_TICK_MS;

                enum { POLL_CHILD, POLL_STDIN, POLL_STDOUT, POLL_STDERR, POLL_COUNT };
                struct pollfd fds[POLL_COUNT] = {
                    [POLL_CHILD] = {.fd = process.pidfd, .events = POLLIN},
                    [POLL_STDIN] = {.fd = stdin_write, .events = POLLOUT},
                    [POLL_STDOUT] = {.fd = outputs->out.fd, .events = POLLIN},
                    [POLL_STDERR] = {.fd = outputs->err.fd, .events = POLLIN},
                };
                if (poll(fds, POLL_COUNT, timeout_ms) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set_errno(error, errno, "%s hook #%zu: poll", kind, index);
                }

                if (fds[POLL_STDIN].revents) {
                        ssize_t w = write(stdin_write, state_json + written, state_len - written);
                        if (w > 0)
                                written += (size_t) w;
                        else if (w < 0 && errno == EPIPE)
                                /* The hook does not want its stdin (it
                                 * closed it or exited): not a failure. */
                                sigpipe.raised = true;
                        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == state_len)
                                closep(&stdin_write);
                }
                if (fds[POLL_STDOUT].revents)
                        hook_capture_read(&outputs->out);
                if (fds[POLL_STDERR].revents)
                        hook_capture_read(&outputs->err);

                if (process.pidfd >= 0 ? fds[POLL_CHILD].revents != 0
                                       : hook_process_try_reap(&process)) {
                        /* Everything the hook wrote is in the pipes by now.
                         * Read it without waiting for EOF: a daemon the hook
                         * left running may hold the pipes open for good. */
                        hook_capture_read(&outputs->out);
                        hook_capture_read(&outputs->err);
                        break;
                }
        }

        if (hook_process_reap(&process) < 0)
                return error_set_errno(error, errno, "%s hook #%zu (%s): wait", kind, index,
                                       shown_path);
        int status = process.status;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return hook_fail(error, EIO, kind, index, shown_path, outputs,
                                 "exited with status %d", WEXITSTATUS(status));
        if (WIFSIGNALED(status)) {
                const char *name = sigabbrev_np(WTERMSIG(status));
                return hook_fail(error, EIO, kind, index, shown_path, outputs,
                                 "killed by signal %d (SIG%s)", WTERMSIG(status),
                                 name ? name : "?");
        }
        return hook_fail(error, EIO, kind, index, shown_path, outputs,
                         "ended with wait status 0x%x", (unsigned int) status);
}

int hooks_run_in(const char *kind, const ocispec_hook *hooks, size_t n, const char *state_json,
                 const char *cwd, ocirun_error **error)
{
        size_t state_len = state_json ? strlen(state_json) : 0;

        for (size_t i = 0; i < n; i++) {
                int r = hook_run_one(kind, i, &hooks[i], state_json ? state_json : "", state_len,
                                     cwd, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hooks_run(const char *kind, const ocispec_hook *hooks, size_t n, const char *state_json,
              ocirun_error **error)
{
        return hooks_run_in(kind, hooks, n, state_json, NULL, error);
}
