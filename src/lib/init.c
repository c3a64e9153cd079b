/* The container's init, from the clone to the execve of the user process.
 * It reads top to bottom in the order things happen; every step that fails
 * is reported to the parent as {errno, message} and the child exits, so the
 * parent can undo what it made. Nothing here returns to the caller. */
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "devices.h"
#include "error.h"
#include "hooks.h"
#include "init.h"
#include "lsm.h"
#include "memory_policy.h"
#include "process.h"
#include "seccomp_filter.h"
#include "sync.h"
#include "terminal.h"
#include "util/strings.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* Failure before `ready`: the parent is listening and prints the cause. */
_Noreturn static void fail(init_args *args, ocirun_error *error)
{
        sync_send_error(args->sync_fd, error);
        _exit(1);
}

/* Failure after `ready`: nobody listens but the container's own stderr. */
_Noreturn static void fail_late(ocirun_error *error)
{
        _cleanup_free_ char *line = NULL;
        int len = asprintf(&line, "ocirun: %s\n", error ? error->message : "init failed");
        if (len > 0 && write(STDERR_FILENO, line, (size_t) len) < 0)
                _exit(127);
        _exit(127);
}

/* The caller's blocked signals (run blocks them to forward them) and
 * ignored ones must not leak into the container. */
static void reset_signals(void)
{
        sigset_t none;
        sigemptyset(&none);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

static int wait_for_id_maps(init_args *args, ocirun_error **error)
{
        sync_message reply = {0};
        int r = sync_send(args->sync_fd, SYNC_ID_MAPS_PLEASE, 0, NULL, 0, error);
        if (r == 0)
                r = sync_receive(args->sync_fd, &reply, "create", error);
        if (r == 0 && reply.type != SYNC_ID_MAPS_DONE)
                r = error_set(error, EPROTO, "unexpected message %d while waiting for id maps",
                              reply.type);
        sync_message_clear(&reply);
        if (r < 0)
                return r;
        /* Root in the new namespace, so the setup below has its privileges. */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return error_set_errno(error, errno,
                                       "become root in the user namespace (is 0 mapped?)");
        return 0;
}

/* The middle process of a pid namespace that took a fork: clone the real
 * init as a sibling (CLONE_PARENT), so it is create's child like the others,
 * tell create its pid, and leave. The init goes on only once the middle has
 * gone, so create reads the pid (and moves the init into its cgroup)
 * before any message of the init's own. */
static void fork_init_if_needed(init_args *args)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        if (!args->plan->init_needs_fork)
                return;
        int middle_gone[2];
        if (pipe2(middle_gone, O_CLOEXEC) < 0) {
                error_set_errno(&error, errno, "fork the init in its pid namespace: pipe");
                fail(args, error);
        }
        pid_t pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0) {
                error_set_errno(&error, errno, "fork the init in its pid namespace");
                fail(args, error);
        }
        if (pid == 0) {
                char byte;
                close(middle_gone[1]);
                while (read(middle_gone[0], &byte, 1) < 0 && errno == EINTR)
                        ;
                close(middle_gone[0]);
                return;
        }
        if (sync_send(args->sync_fd, SYNC_INIT_PID, pid, NULL, 0, &error) < 0)
                _exit(1);
        _exit(0);
}

/* One question to create and its answer, which must be of type answer
 * (about says what was asked, for the error). A SYNC_ERROR answer means that
 * create failed, and it reports that itself. */
static void ask_create(init_args *args, sync_type ask, sync_type answer, const char *about,
                       sync_message *reply)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (sync_send(args->sync_fd, ask, 0, NULL, 0, &error) < 0 ||
            sync_receive(args->sync_fd, reply, "create", &error) < 0)
                fail(args, error);
        if (reply->type == SYNC_ERROR)
                _exit(1);
        if (reply->type != answer) {
                error_set(&error, EPROTO, "unexpected message %d %s", reply->type, about);
                fail(args, error);
        }
}

/* A new cgroup namespace is rooted at the cgroup of the process that makes
 * it: create answers once it has moved the init there. */
static void wait_for_cgroup(init_args *args)
{
        sync_message reply = {0};
        ask_create(args, SYNC_CGROUP_PLEASE, SYNC_CGROUP_DONE, "instead of the cgroup's", &reply);
        sync_message_clear(&reply);
}

/* Asks create to run prestart and createRuntime hooks now that the
 * namespaces exist and the mounts are made, before pivot_root, where runc
 * runs them (a prestart hook such as NVIDIA's adds mounts to the rootfs);
 * the reply carries the state JSON the hooks inside the container get:
 * "creating" and, after a NUL, "created". A failed hook is create's to
 * report. */
static char *run_runtime_hooks(init_args *args, char **ret_created_json)
{
        sync_message reply = {0};

        ask_create(args, SYNC_RUNTIME_HOOKS, SYNC_RUNTIME_HOOKS_DONE, "after the runtime hooks",
                   &reply);
        if (!reply.payload) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                error_set(&error, EPROTO, "unexpected message %d after the runtime hooks",
                          reply.type);
                fail(args, error);
        }
        size_t first = strlen(reply.payload);
        *ret_created_json = first < reply.payload_len ? strdup(reply.payload + first + 1) : NULL;
        return reply.payload;
}

static int join_session_keyring(const char *id, ocirun_error **error)
{
        /* A keyring of its own, so the container cannot read the host's
         * session keys; kernels or namespaces without keyrings just go on. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id) < 0 && errno != ENOSYS &&
            errno != EPERM && errno != EACCES)
                return error_set_errno(error, errno, "join a new session keyring");
        return 0;
}

/* Through the procfs of the container's /proc, never a string path: an
 * image whose /proc/sys leads elsewhere must not get a sysctl value
 * written into a host file (CVE-2025-52881 class). */
static int write_sysctl(const char *key, const char *value, ocirun_error **error)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "sys/%s", key) < 0)
                return error_set(error, ENOMEM, "out of memory");
        for (char *c = path + strlen("sys/"); *c; c++)
                if (*c == '.')
                        *c = '/';
        if (strstr(path, "/../") || strstr(path, "/./"))
                return error_set(error, EINVAL, "config.json: linux.sysctl: invalid key `%s`", key);
        _cleanup_close_ int fd = process_proc_open(path, O_WRONLY, true, error);
        if (fd < 0 && (*error)->code == EACCES)
                /* A sysctl of a namespace the container's user namespace does
                 * not own (the host's, in a rootless container). */
                return error_prefix(
                    error,
                    "config.json: linux.sysctl: set %s to `%s` (not the container's "
                    "to set: it needs that namespace of its own, e.g. network for "
                    "net.*)",
                    key, value);
        if (fd < 0)
                return error_prefix(error, "config.json: linux.sysctl: set %s to `%s`", key, value);
        if (write(fd, value, strlen(value)) < 0)
                return error_set_errno(error, errno, "config.json: linux.sysctl: set %s to `%s`",
                                       key, value);
        return 0;
}

static int set_names_and_sysctls(const ocispec_config *config, ocirun_error **error)
{
        if (config->hostname && *config->hostname &&
            sethostname(config->hostname, strlen(config->hostname)) < 0)
                return error_set_errno(error, errno, "config.json: hostname: set `%s`",
                                       config->hostname);
        if (config->domainname && *config->domainname &&
            setdomainname(config->domainname, strlen(config->domainname)) < 0)
                return error_set_errno(error, errno, "config.json: domainname: set `%s`",
                                       config->domainname);
        const ocispec_string_map *sysctl = config->linux ? config->linux->sysctl : NULL;
        for (size_t i = 0; sysctl && i < sysctl->len; i++) {
                int r = write_sysctl(sysctl->keys[i], sysctl->values[i], error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Standard streams that are the host's /dev/null (a detached container's,
 * usually) are reopened on the container's own, as runc does: the host's
 * device node lives on a mount the container cannot see, which CRIU cannot
 * dump ("Can't lookup mount"). Runs after pivot_root; without /proc in the
 * container, the streams are left as they are. */
static int reopen_host_null_stdio(ocirun_error **error)
{
        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int null_path = -1;
        struct stat ours;
        if (root_fd < 0)
                return error_set_errno(error, errno, "open the container's root");
        if (devices_open_null(root_fd, &null_path, NULL) < 0 || fstat(null_path, &ours) < 0)
                return 0; /* no /dev/null of the container's: nothing to swap in */
        for (int fd = 0; fd <= 2; fd++) {
                struct stat st;
                if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3) ||
                    (st.st_dev == ours.st_dev && st.st_ino == ours.st_ino))
                        continue;
                char path[64];
                snprintf(path, sizeof(path), "/proc/self/fd/%d", null_path);
                int flags = fcntl(fd, F_GETFL);
                _cleanup_close_ int reopened =
                    open(path, (flags >= 0 ? flags & O_ACCMODE : O_RDWR) | O_CLOEXEC);
                if (reopened < 0)
                        return 0;
                if (dup2(reopened, fd) < 0)
                        return error_set_errno(error, errno, "reopen fd %d on /dev/null", fd);
        }
        return 0;
}

static int setup_terminal(init_args *args, ocirun_error **error)
{
        const ocispec_process *process = args->config->process;
        int master = -1, slave = -1;
        _cleanup_free_ char *slave_path = NULL;

        /* Every init leads a session of its own, as runc's does: the
         * container stays out of the caller's job control, and CRIU refuses
         * to dump a process whose session leader is outside the container.
         * With a terminal, terminal_become_controlling starts it. */
        if (!process->terminal) {
                if (getsid(0) != getpid() && setsid() < 0)
                        return error_set_errno(error, errno, "start a new session (setsid)");
                return reopen_host_null_stdio(error);
        }
        int r = terminal_open_pty(process, &master, &slave, &slave_path, error);
        if (r < 0)
                return r;
        r = rootfs_bind_console(slave_path, error);
        if (r == 0)
                r = terminal_send_fd(args->console_socket_fd, master, error);
        close(master);
        close(args->console_socket_fd);
        args->console_socket_fd = -1;
        if (r == 0)
                r = terminal_become_controlling(slave, error);
        return r;
}

/* Everything above 2 is closed at execve except the fds the caller asked
 * to pass on (CVE-2024-21626: no fd of ours may reach the container). */
static int mark_fds_cloexec(int preserve_fds, ocirun_error **error)
{
        unsigned first = 3 + (unsigned) preserve_fds;
        if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return error_set_errno(error, errno, "mark fds close-on-exec");
        for (int fd = 3; fd < (int) first; fd++) {
                int flags = fcntl(fd, F_GETFD);
                if (flags >= 0)
                        fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        return 0;
}

/* Blocks until `start` writes to the exec fifo. poll, not read: a fifo
 * with no writer yet reads as end of file at once. */
static int wait_for_start(int fifo_fd, ocirun_error **error)
{
        struct pollfd pfd = {.fd = fifo_fd, .events = POLLIN};
        char byte;
        for (;;) {
                int n = poll(&pfd, 1, -1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(error, errno, "wait for start");
                if (read(fifo_fd, &byte, 1) == 1)
                        return 0;
        }
}

/* The child inherited every fd of create: the locked state directory among
 * them, whose lock must not live on in the init (start would wait on it
 * forever). Only what the init uses, and the fds the caller passes on,
 * stay. */
static int close_inherited_fds(const init_args *args, ocirun_error **error)
{
        const int *bind_fds = args->rootfs.bind_source_fds;
        size_t n_mounts = bind_fds ? args->config->mounts_len : 0;
        _cleanup_free_ int *keep = malloc((NAMESPACE_TYPES + 8 + n_mounts) * sizeof(*keep));
        size_t n = 0;

        if (!keep)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t i = 0; i < n_mounts; i++)
                if (bind_fds[i] >= 0)
                        keep[n++] = bind_fds[i];
        keep[n++] = args->sync_fd;
        keep[n++] = args->exec_fifo_fd;
        if (args->console_socket_fd >= 0)
                keep[n++] = args->console_socket_fd;
        /* The log, until ready: CLOEXEC, and mark_fds_cloexec covers it. */
        if (ocirun_log_fd() >= 0)
                keep[n++] = ocirun_log_fd();
        for (size_t i = 0; i < args->plan->n_joins; i++)
                keep[n++] = args->plan->joins[i].fd;
        /* Sort the fds to keep, then close the gaps between them. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        unsigned next = 3 + (unsigned) args->preserve_fds;
        for (size_t i = 0; i <= n; i++) {
                unsigned end = i < n ? (unsigned) keep[i] : ~0U;
                if (i < n && end < next)
                        continue;
                if (end > next && syscall(SYS_close_range, next, end - 1, 0) < 0)
                        return error_set_errno(error, errno, "close inherited fds");
                next = end + 1;
        }
        return 0;
}

_Noreturn void init_main(init_args *args)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        const ocispec_config *config = args->config;
        const ocispec_process *process = config->process;
        const ocispec_linux_seccomp *seccomp = config->linux ? config->linux->seccomp : NULL;
        _cleanup_free_ char *executable = NULL, *created_json = NULL;
        /* A filter with notify rules goes in while create is still there to
         * hand its fd to the listener (and to fail if it cannot): before
         * ready, even with noNewPrivileges, as in runc. */
        bool seccomp_before_ready = process->no_new_privileges && seccomp_has_notify(seccomp);

        reset_signals();
        /* Until `ready`, the child must not outlive a create that died. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Until execve, this process is ocirun's binary running inside the
         * container: without a user namespace the container's root is the
         * host's, and could open /proc/1/exe (a startContainer hook, say)
         * and write the host's ocirun once it is no longer running
         * (CVE-2019-5736). Not dumpable, /proc/1/exe needs CAP_SYS_PTRACE
         * in the host's user namespace; execve makes the program dumpable
         * again. With a user namespace, the container's root does not own
         * the binary, and its id maps must stay writable by create. */
        if (!args->rootfs.has_user_namespace)
                prctl(PR_SET_DUMPABLE, 0);
        if (close_inherited_fds(args, &error) < 0)
                fail(args, error);

        if ((args->plan->clone_flags & CLONE_NEWUSER) && wait_for_id_maps(args, &error) < 0)
                fail(args, error);
        ocirun_debug("init: child process in init, pid %d", (int) getpid());
        if (namespaces_join(args->plan, &error) < 0)
                fail(args, error);
        ocirun_debug("init: namespaces ready (%zu joined by path)", args->plan->n_joins);
        if (args->plan->new_time && namespaces_enter_new_time(config->linux, &error) < 0)
                fail(args, error);
        if (((args->plan->clone_flags | args->plan->unshare_flags) & CLONE_NEWNET) &&
            namespaces_loopback_up(&error) < 0)
                fail(args, error);
        fork_init_if_needed(args);
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        if (args->plan->new_cgroup) {
                wait_for_cgroup(args);
                if (unshare(CLONE_NEWCGROUP) < 0) {
                        error_set_errno(&error, errno, "unshare the cgroup namespace");
                        fail(args, error);
                }
        }
        if (!args->no_new_keyring && join_session_keyring(args->id, &error) < 0)
                fail(args, error);

        if (chdir(args->rootfs.bundle) < 0) {
                error_set_errno(&error, errno, "chdir to the bundle `%s`", args->rootfs.bundle);
                fail(args, error);
        }
        if (rootfs_prepare(&args->rootfs, &error) < 0)
                fail(args, error);
        ocirun_debug("init: rootfs %s and its %zu mounts ready", args->rootfs.rootfs,
                     config->mounts_len);
        _cleanup_free_ char *creating_json = run_runtime_hooks(args, &created_json);
        if (config->hooks && hooks_run_in("createContainer", config->hooks->create_container,
                                          config->hooks->create_container_len, creating_json,
                                          args->rootfs.rootfs, &error) < 0)
                fail(args, error);
        /* sysctls go before rootfs_finish: /proc/sys is among the usual
         * read-only paths. */
        if (rootfs_pivot(&args->rootfs, &error) < 0)
                fail(args, error);
        ocirun_debug("init: %s into %s done", args->rootfs.no_pivot ? "chroot" : "pivot_root",
                     args->rootfs.rootfs);
        if (setup_terminal(args, &error) < 0 || set_names_and_sysctls(config, &error) < 0 ||
            rootfs_finish(&args->rootfs, &error) < 0 ||
            /* The child owns a copy of the config (clone copied the address
             * space), so amending the process's env touches nothing of
             * create's. */
            process_add_default_env((ocispec_process *) process, args->listen_fds, &error) < 0 ||
            /* Before seccomp, which may forbid set_mempolicy. */
            memory_policy_apply(config->linux, &error) < 0 ||
            process_prepare(process, config->linux ? config->linux->personality : NULL, seccomp,
                            args->sync_fd, &executable, &error) < 0 ||
            mark_fds_cloexec(args->preserve_fds, &error) < 0)
                fail(args, error);
        /* The last line: a seccomp filter may refuse (or trap) our write. */
        if (ocirun_log_max_level >= OCIRUN_LOG_DEBUG) {
                _cleanup_free_ char *shown = str_join_quoted(process->args, process->args_len);
                ocirun_debug("init: ready; start will exec %s with args %s", executable,
                             shown ? shown : "?");
        }
        ocirun_log_close();
        if (seccomp_before_ready && seccomp_install(seccomp, true, true, args->sync_fd, &error) < 0)
                fail(args, error);

        prctl(PR_SET_PDEATHSIG, 0);
        if (sync_send(args->sync_fd, SYNC_READY, 0, NULL, 0, &error) < 0)
                _exit(1);
        close(args->sync_fd);

        /* The fifo stays open until execve closes it (CLOEXEC): start waits
         * for that, so poststart hooks run after the process has started. */
        if (wait_for_start(args->exec_fifo_fd, &error) < 0)
                fail_late(error);
        /* startContainer hooks run as runc runs them: under the LSM label
         * and the seccomp filter of the process, whichever noNewPrivileges
         * is, so a hook in the container can do no more than the process. */
        if (process_apply_cpu_affinity(process, true, &error) < 0 ||
            lsm_set_exec_labels(process, &error) < 0 ||
            (!seccomp_before_ready &&
             seccomp_install(seccomp, process->no_new_privileges, true, -1, &error) < 0))
                fail_late(error);
        if (config->hooks && hooks_run("startContainer", config->hooks->start_container,
                                       config->hooks->start_container_len,
                                       created_json ? created_json : creating_json, &error) < 0)
                fail_late(error);
        process_exec(process, executable, &error);
        fail_late(error);
}
