/* exec: a new process in a running container. It is cloned into the
 * container's pid namespace, puts itself in the container's cgroup, joins
 * the init's other namespaces through its pidfd (all at once, setns(2) with
 * several flags), sets itself up like the init did and execs. A CLOEXEC
 * socket (sync.h) tells the parent whether execve succeeded: EOF means it
 * did, SYNC_ERROR why it did not; on the way, the child may pass its
 * seccomp notify fd for the listener. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "caps.h"
#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "id_maps.h"
#include "lsm.h"
#include "namespaces.h"
#include "pidfd_socket.h"
#include "process.h"
#include "seccomp_filter.h"
#include "seccomp_listener.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util/proc.h"
#include "util/strings.h"

int ocirun_container_config(ocirun_root *root, const char *id, ocispec_config **ret,
                            ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        int r = state_dir_open(root, id, LOCK_SH, &dirfd, error);
        if (r < 0)
                return r;
        return state_read_config(dirfd, id, ret, error);
}

/* The namespaces to join: those the config gave the container. */
static unsigned long namespace_flags(const ocispec_config *config)
{
        unsigned long flags = 0;
        for (size_t i = 0; config->linux && i < config->linux->namespaces_len; i++)
                flags |= namespaces_flag_from_type(config->linux->namespaces[i].type);
        return flags;
}

_Noreturn static void child_fail(int report_fd, ocirun_error *error)
{
        sync_send_error(report_fd, error);
        _exit(126);
}

_Noreturn static void exec_child(const ocispec_process *process,
                                 const ocispec_linux_seccomp *seccomp, int pidfd,
                                 unsigned long flags, unsigned long joined, int console_fd,
                                 int preserve_fds, int report_fd)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        _cleanup_free_ char *executable = NULL;
        sigset_t none;

        /* The container's processes must not reach our binary through
         * /proc/PID/exe while we run inside it (CVE-2019-5736; see
         * init.c). */
        if (!(flags & CLONE_NEWUSER))
                prctl(PR_SET_DUMPABLE, 0);

        sigemptyset(&none);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);

        /* The pid namespace was joined for us (and with it, for a rootless
         * caller, the user namespace); the rest now, the user namespace
         * among them so the others are entered with its privileges. */
        if (setns(pidfd, (int) (flags & ~(joined | CLONE_NEWPID))) < 0) {
                error_set_errno(&error, errno, "join the container's namespaces");
                child_fail(report_fd, error);
        }
        close(pidfd);
        if (process->terminal) {
                int master = -1, slave = -1;
                _cleanup_free_ char *slave_path = NULL;
                if (terminal_open_pty(process, &master, &slave, &slave_path, &error) < 0 ||
                    terminal_send_fd(console_fd, master, &error) < 0 ||
                    terminal_become_controlling(slave, &error) < 0)
                        child_fail(report_fd, error);
                close(master);
                close(console_fd);
        }
        /* Our own copy of the process (fork), ours to amend. */
        if (process_add_default_env((ocispec_process *) process, 0, &error) < 0 ||
            process_prepare(process, NULL, seccomp, report_fd, &executable, &error) < 0 ||
            process_apply_cpu_affinity(process, true, &error) < 0)
                child_fail(report_fd, error);

        unsigned first = 3 + (unsigned) preserve_fds;
        syscall(SYS_close_range, first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
        /* report_fd is CLOEXEC: execve closing it is the success signal. */
        fcntl(report_fd, F_SETFD, FD_CLOEXEC);
        /* The last line: a seccomp filter may refuse (or trap) our write. */
        if (ocirun_log_max_level >= OCIRUN_LOG_DEBUG) {
                _cleanup_free_ char *shown = str_join_quoted(process->args, process->args_len);
                ocirun_debug("exec: joined the container's namespaces, exec %s with args %s",
                             executable, shown ? shown : "?");
        }
        ocirun_log_close();
        if (lsm_set_exec_labels(process, &error) < 0 ||
            seccomp_install(seccomp, process->no_new_privileges, true, report_fd, &error) < 0)
                child_fail(report_fd, error);
        process_exec(process, executable, &error);
        child_fail(report_fd, error);
}

/* A rootless caller may not join a pid namespace that belongs to the
 * container's user namespace, nor come back to its own from one (rootless
 * podman runs us in a user namespace the container shares). So our child
 * joins the pid namespace (and the user namespace first, if the container
 * has its own), then clones the process to exec as our child too
 * (CLONE_PARENT), tells us its pid, and leaves. */
static void join_pid_then_fork(int pidfd, unsigned long joined, int report_fd)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        if (setns(pidfd, (int) (joined | CLONE_NEWPID)) < 0) {
                error_set_errno(&error, errno, "join the container's pid namespace");
                child_fail(report_fd, error);
        }
        pid_t pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0) {
                error_set_errno(&error, errno, "fork in the container's pid namespace");
                child_fail(report_fd, error);
        }
        if (pid == 0)
                return;
        _exit(sync_send(report_fd, SYNC_INIT_PID, pid, NULL, 0, &error) < 0 ? 1 : 0);
}

/* Until the child's execve closes the socket: its seccomp notify fd goes to
 * the listener; a SYNC_ERROR is the child's failure; SYNC_INIT_PID names
 * the process that replaced a middle one (see above). */
static int talk_to_exec_child(int fd, const ocispec_runtime_state *state,
                              const ocispec_config *config, pid_t *pid, ocirun_error **error)
{
        for (;;) {
                _cleanup_(sync_message_clear) sync_message message = {.fd = -1};
                int r = sync_receive_until_eof(fd, &message, "the exec'd process", error);
                if (r < 0)
                        return r;
                switch (message.type) {
                case SYNC_EOF:
                        return 0;
                case SYNC_ERROR:
                        return error_set(error, message.value > 0 ? message.value : EIO, "%s",
                                         message.payload ? message.payload : "exec failed");
                case SYNC_INIT_PID:
                        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        *pid = (pid_t) message.value;
                        break;
                case SYNC_SECCOMP_FD: {
                        ocispec_state oci = state_oci_view(state, state->status);
                        r = message.has_fd ? seccomp_listener_send(config->linux->seccomp, &oci,
                                                                   *pid, message.fd, error)
                                           : error_set(error, EPROTO, "no seccomp notify fd");
                        if (r == 0)
                                r = sync_send(fd, SYNC_SECCOMP_DONE, 0, NULL, 0, error);
                        if (r < 0)
                                return r;
                        break;
                }
                default:
                        return error_set(error, EPROTO, "unexpected message %d", message.type);
                }
        }
}

int ocirun_container_exec(ocirun_root *root, const char *id, const ocispec_process *process,
                          const ocirun_exec_options *options, pid_t *ret_pid, ocirun_error **error)
{
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        _cleanup_close_ int pidfd = -1, connected_console = -1;
        /* The caller's console fd stays the caller's to close. */
        int console_fd = options->console_socket_fd;

        int r = ocirun_container_state(root, id, &state, error);
        if (r < 0)
                return r;
        bool paused = strcmp(state->status, "paused") == 0;
        if (paused && !options->ignore_paused)
                return error_set(error, EINVAL,
                                 "cannot exec in container `%s`: it is paused (use "
                                 "--ignore-paused to override)",
                                 id);
        if (!paused && strcmp(state->status, "running") != 0 &&
            strcmp(state->status, "created") != 0)
                return error_set(error, EINVAL, "cannot exec in container `%s`: it is %s", id,
                                 state->status);
        r = ocirun_container_config(root, id, &config, error);
        if (r < 0)
                return r;
        if (!process->cwd || process->cwd[0] != '/')
                return error_set(error, EINVAL, "exec: process.cwd: must be an absolute path");
        if (!process->args || process->args_len == 0)
                return error_set(error, EINVAL, "exec: process.args: must name a program");
        if (process->terminal && !options->console_socket && options->console_socket_fd < 0)
                return error_set(error, EINVAL,
                                 "exec: process.terminal: a terminal needs --console-socket");
        if (options->console_socket && !process->terminal)
                return error_set(error, EINVAL,
                                 "exec: --console-socket needs a terminal (--tty or "
                                 "process.terminal)");
        r = lsm_validate(process, "exec", error);
        if (r == 0)
                r = process_validate(process, error);
        if (r < 0)
                return r;
        r = caps_validate(process->capabilities, error);
        if (r < 0)
                return r;

        if (options->cgroups_len) {
                ocispec_string_map *sub_paths = NULL;
                r = cgroup_sub_paths_resolve(state, options->cgroups, options->cgroups_len,
                                             &sub_paths, error);
                if (r < 0)
                        return r;
                /* The state is our own copy: the child joins these. */
                ocispec_string_map_free(state->cgroup_paths);
                state->cgroup_paths = sub_paths;
        }

        r = state_open_init_pidfd(state, &pidfd, error);
        if (r < 0)
                return r;
        if (options->console_socket) {
                r = terminal_connect_console_socket(options->console_socket, &connected_console,
                                                    error);
                if (r < 0)
                        return r;
                console_fd = connected_console;
        }
        int report[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, report) < 0)
                return error_set_errno(error, errno, "exec: socketpair");

        unsigned long flags = namespace_flags(config);
        bool pid_in_child = (flags & CLONE_NEWPID) && id_maps_caller_is_rootless();
        unsigned long joined_in_child = pid_in_child ? flags & CLONE_NEWUSER : 0;
        _cleanup_close_ int own_pid_ns = -1;
        if ((flags & CLONE_NEWPID) && !pid_in_child) {
                own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (own_pid_ns < 0 || setns(pidfd, CLONE_NEWPID) < 0) {
                        close(report[0]);
                        close(report[1]);
                        return error_set_errno(error, errno, "exec: join the pid namespace");
                }
        }
        ocirun_debug("exec %s: joining the namespaces (flags 0x%lx) of pid %d", id, flags,
                     state->pid);
        pid_t pid = fork();
        if (pid == 0) {
                close(report[0]);
                /* Into the container's cgroup while its paths are still ours
                 * to see; pid 0 is the writing process itself. */
                _cleanup_(ocirun_error_freep) ocirun_error *cgroup_error = NULL;
                if (cgroup_enter(state, 0, &cgroup_error) < 0)
                        child_fail(report[1], cgroup_error);
                if (pid_in_child)
                        join_pid_then_fork(pidfd, joined_in_child, report[1]);
                exec_child(process, config->linux ? config->linux->seccomp : NULL, pidfd, flags,
                           joined_in_child, console_fd, options->preserve_fds, report[1]);
        }
        int saved = errno;
        if (own_pid_ns >= 0 && setns(own_pid_ns, CLONE_NEWPID) < 0)
                ocirun_log(OCIRUN_LOG_WARNING, "return to our own pid namespace: %m");
        close(report[1]);
        if (pid < 0) {
                close(report[0]);
                return error_set_errno(error, saved, "exec: fork");
        }

        r = talk_to_exec_child(report[0], state, config, &pid, error);
        close(report[0]);
        if (r < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return error_prefix(error, "exec %s", id);
        }
        ocirun_debug("exec %s: process %d started", id, (int) pid);
        if (options->pidfd_socket) {
                r = pidfd_socket_send(options->pidfd_socket, pid, PIDFD_SOCKET_EXEC, error);
                if (r < 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return error_prefix(error, "exec %s", id);
                }
        }
        if (options->pid_file) {
                r = state_write_pid_file(options->pid_file, pid, error);
                if (r < 0)
                        return r;
        }
        *ret_pid = pid;
        return 0;
}
