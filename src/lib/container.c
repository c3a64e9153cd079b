/* The container lifecycle, parent side: create clones the init and answers
 * it until it is ready, start releases it, kill signals it through a pidfd,
 * delete takes everything down. Each step takes the container's lock; a
 * create that fails undoes exactly what it made (process, cgroup, state
 * directory), through one undo record disarmed on success. */
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "cgroup_systemd.h"
#include "config.h"
#include "container_create.h"
#include "error.h"
#include "hooks.h"
#include "id_maps.h"
#include "init.h"
#include "intel_rdt.h"
#include "net_devices.h"
#include "notify.h"
#include "pidfd_socket.h"
#include "rootfs.h"
#include "seccomp_listener.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util/proc.h"
#include "util/strings.h"
#include "util/time.h"

#define EXEC_FIFO "exec.fifo"

/* ---- small helpers --------------------------------------------------------- */

/* The owner column of runc's list: the user name of our euid, read from
 * /etc/passwd directly (no NSS modules loaded into the runtime). */
static char *owner_name(uid_t uid)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        char *name = NULL;

        while (f && getline(&line, &size, f) > 0) {
                char *colon = strchr(line, ':');
                char *uid_field = colon ? strchr(colon + 1, ':') : NULL;
                if (!uid_field || (uid_t) strtoul(uid_field + 1, NULL, 10) != uid)
                        continue;
                *colon = '\0';
                return strdup(line);
        }
        if (asprintf(&name, "#%u", (unsigned) uid) < 0)
                return NULL;
        return name;
}

int container_hook_state_json(ocispec_runtime_state *state, const char *status, char **ret,
                              size_t *ret_len, ocirun_error **error)
{
        ocispec_state oci = state_oci_view(state, status);
        char *message = NULL;
        int r = ocispec_state_generate(&oci, 0, ret, ret_len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        return 0;
}

static int set_status(ocispec_runtime_state *state, const char *status, ocirun_error **error)
{
        char *copy = strdup(status);
        if (!copy)
                return error_set(error, ENOMEM, "out of memory");
        free(state->status);
        state->status = copy;
        return 0;
}

/* ---- create ---------------------------------------------------------------- */

/* The undo record of create: on any failure, the init is killed and reaped,
 * the cgroup and the state directory are removed. */
void create_job_finish(create_job *job)
{
        cgroup_systemd_seed_release(&job->cgroup_seed);
        if (!job->committed) {
                /* Before the kill: the fd keeps the namespace (and the
                 * devices in it) alive until they are back. */
                if (job->config)
                        net_devices_move_back(job->config, job->netns_fd);
                if (job->init > 0)
                        kill(job->init, SIGKILL);
                if (job->child > 0 && job->child != job->init)
                        kill(job->child, SIGKILL);
                if (job->init > 0)
                        waitpid(job->init, NULL, 0);
                if (job->child > 0 && job->child != job->init)
                        waitpid(job->child, NULL, 0);
                if (job->intel_rdt_made)
                        intel_rdt_remove(job->config, job->id, job->intel_rdt_made);
                if (job->state) {
                        _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                        if (cgroup_destroy(job->state, &ignored) < 0)
                                ocirun_log(OCIRUN_LOG_WARNING, "%s", ignored->message);
                }
                if (job->dirfd >= 0) {
                        _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                        if (state_dir_remove(job->root, job->id, &ignored) < 0)
                                ocirun_log(OCIRUN_LOG_WARNING, "%s", ignored->message);
                }
        }
        if (job->netns_fd >= 0)
                close(job->netns_fd);
        if (job->dirfd >= 0)
                close(job->dirfd);
        if (job->exec_fifo_fd >= 0)
                close(job->exec_fifo_fd);
        if (job->sync_fd >= 0)
                close(job->sync_fd);
        if (job->console_socket_fd >= 0 &&
            job->options->console_socket_fd != job->console_socket_fd)
                close(job->console_socket_fd);
        rootfs_close_bind_sources(job->bind_source_fds, job->config ? job->config->mounts_len : 0);
        namespaces_plan_clear(&job->plan);
        ocispec_runtime_state_free(job->state);
        ocispec_config_free(job->config);
        free(job->bundle);
        free(job->rootfs);
}

static int resolve_paths(create_job *job, ocirun_error **error)
{
        const char *bundle = job->options->bundle ? job->options->bundle : ".";
        char resolved[PATH_MAX];

        if (!realpath(bundle, resolved))
                return error_set_errno(error, errno, "bundle `%s`", bundle);
        job->bundle = strdup(resolved);
        if (!job->bundle)
                return error_set(error, ENOMEM, "out of memory");
        int r = config_load(job->bundle, &job->config, error);
        if (r < 0)
                return r;
        ocirun_debug("create %s: config loaded from %s/config.json", job->id, job->bundle);
        r = config_validate_for_create(
            job->config, job->options->console_socket || job->options->console_socket_fd >= 0,
            error);
        if (r < 0)
                return r;
        /* As runc: a console socket the caller named but no pty to send
         * over it is a mistake in the caller's setup, not something to
         * ignore (the caller would wait for a pty forever). */
        if (job->options->console_socket && !job->config->process->terminal)
                return error_set(error, EINVAL,
                                 "--console-socket needs a terminal: config.json: process.terminal "
                                 "is false");

        _cleanup_free_ char *rootfs = NULL;
        const char *root_path = job->config->root->path;
        if (root_path[0] == '/')
                rootfs = strdup(root_path);
        else if (asprintf(&rootfs, "%s/%s", job->bundle, root_path) < 0)
                rootfs = NULL;
        if (!rootfs)
                return error_set(error, ENOMEM, "out of memory");
        struct stat st;
        if (!realpath(rootfs, resolved) || stat(resolved, &st) < 0)
                return error_set_errno(error, errno, "config.json: root.path: `%s`", rootfs);
        if (!S_ISDIR(st.st_mode))
                return error_set(error, ENOTDIR, "config.json: root.path: `%s` is not a directory",
                                 rootfs);
        job->rootfs = strdup(resolved);
        if (!job->rootfs)
                return error_set(error, ENOMEM, "out of memory");
        return 0;
}

static int make_state(create_job *job, ocirun_error **error)
{
        char created[64];
        ocispec_runtime_state *state = calloc(1, sizeof(*state));
        if (!state)
                return error_set(error, ENOMEM, "out of memory");
        job->state = state;
        time_now_rfc3339(created, sizeof(created));
        state->oci_version = strdup(OCI_VERSION);
        state->id = strdup(job->id);
        state->status = strdup("creating");
        state->bundle = strdup(job->bundle);
        state->rootfs = strdup(job->rootfs);
        state->created = strdup(created);
        state->owner = owner_name(geteuid());
        if (!state->oci_version || !state->id || !state->status || !state->bundle ||
            !state->rootfs || !state->created || !state->owner)
                return error_set(error, ENOMEM, "out of memory");
        const ocispec_string_map *annotations = job->config->annotations;
        for (size_t i = 0; annotations && i < annotations->len; i++)
                if (ocispec_string_map_set(&state->annotations, annotations->keys[i],
                                           annotations->values[i]) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        return 0;
}

/* clone3 as a fork into the new namespaces: the child continues on a copy
 * of our stack, in the same process image (no re-exec of ocirun: nothing of
 * the runtime binary is ever reachable from the container, CVE-2019-5736). */
static pid_t clone_child(unsigned long flags)
{
        struct clone_args args = {
            .flags = flags,
            .exit_signal = SIGCHLD,
        };
        return (pid_t) syscall(SYS_clone3, &args, sizeof(args));
}

static int run_runtime_hooks(create_job *job, ocirun_error **error)
{
        const ocispec_hooks *hooks = job->config->hooks;
        _cleanup_free_ char *creating = NULL, *created = NULL, *payload = NULL;
        size_t creating_len, created_len;

        job->state->pid = job->init;
        job->state->has_pid = true;
        int r = container_hook_state_json(job->state, "creating", &creating, &creating_len, error);
        if (r == 0)
                r = container_hook_state_json(job->state, "created", &created, &created_len, error);
        if (r < 0)
                return r;
        if (hooks) {
                r = hooks_run_in("prestart", hooks->prestart, hooks->prestart_len, creating,
                                 job->bundle, error);
                if (r == 0)
                        r = hooks_run_in("createRuntime", hooks->create_runtime,
                                         hooks->create_runtime_len, creating, job->bundle, error);
                if (r < 0)
                        return r;
        }
        payload = malloc(creating_len + created_len + 2);
        if (!payload)
                return error_set(error, ENOMEM, "out of memory");
        memcpy(payload, creating, creating_len + 1);
        memcpy(payload + creating_len + 1, created, created_len + 1);
        return sync_send(job->sync_fd, SYNC_RUNTIME_HOOKS_DONE, 0, payload,
                         creating_len + created_len + 2, error);
}

static int send_to_seccomp_listener(create_job *job, int notify_fd, ocirun_error **error)
{
        if (notify_fd < 0)
                return error_set(error, EPROTO, "the init sent no seccomp notify fd");
        job->state->pid = job->init;
        job->state->has_pid = true;
        ocispec_state oci = state_oci_view(job->state, "creating");
        return seccomp_listener_send(job->config->linux->seccomp, &oci, job->init, notify_fd,
                                     error);
}

/* Answers the child until it is ready or fails. */
static int talk_to_init(create_job *job, ocirun_error **error)
{
        for (;;) {
                sync_message message = {0};
                int r = sync_receive(job->sync_fd, &message, "the container's init", error);
                if (r < 0)
                        return r;
                switch (message.type) {
                case SYNC_ID_MAPS_PLEASE:
                        r = id_maps_write(job->child, job->config->linux, error);
                        if (r == 0)
                                r = sync_send(job->sync_fd, SYNC_ID_MAPS_DONE, 0, NULL, 0, error);
                        break;
                case SYNC_INIT_PID:
                        job->init = message.value;
                        waitpid(job->child, NULL, 0);
                        job->middle = job->child;
                        /* The child may have forked the init before it was
                         * moved into the cgroup itself. */
                        r = cgroup_enter(job->state, job->init, error);
                        if (r < 0)
                                sync_send(job->sync_fd, SYNC_ERROR, -r, NULL, 0, NULL);
                        break;
                case SYNC_CGROUP_PLEASE:
                        /* spawn_init's cgroup_enter, and SYNC_INIT_PID's
                         * for a forked init, came first. */
                        r = sync_send(job->sync_fd, SYNC_CGROUP_DONE, 0, NULL, 0, error);
                        break;
                case SYNC_RUNTIME_HOOKS:
                        /* The init is in its namespaces and cgroup, with
                         * its mounts made: the devices and the resctrl
                         * group are in place before any hook looks. */
                        r = net_devices_move(job->config, job->init, &job->netns_fd, error);
                        if (r == 0)
                                r = intel_rdt_apply(job->config, job->id, job->init,
                                                    &job->intel_rdt_made, error);
                        if (r == 0)
                                r = run_runtime_hooks(job, error);
                        if (r < 0)
                                sync_send(job->sync_fd, SYNC_ERROR, -r, NULL, 0, NULL);
                        break;
                case SYNC_SECCOMP_FD:
                        r = send_to_seccomp_listener(job, message.fd, error);
                        if (r == 0)
                                r = sync_send(job->sync_fd, SYNC_SECCOMP_DONE, 0, NULL, 0, error);
                        break;
                case SYNC_READY:
                        ocirun_debug("create %s: the init is ready", job->id);
                        sync_message_clear(&message);
                        /* The init has made /dev: from now on, only the
                         * devices the rules allow. */
                        return cgroup_apply_devices(
                            job->state, job->config->linux ? job->config->linux->resources : NULL,
                            "config.json: linux.resources", false, error);
                case SYNC_ERROR:
                        r = error_set(error, message.value > 0 ? message.value : EIO, "%s",
                                      message.payload ? message.payload : "the init failed");
                        break;
                default:
                        r = error_set(error, EPROTO, "unexpected message %d from the init",
                                      message.type);
                        break;
                }
                sync_message_clear(&message);
                if (r < 0)
                        return r;
        }
}

static bool has_user_namespace(const create_job *job)
{
        return job->plan.new_user ||
               (job->plan.n_joins && job->plan.joins[0].type == CLONE_NEWUSER);
}

static int spawn_init(create_job *job, ocirun_error **error)
{
        int sockets[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) < 0)
                return error_set_errno(error, errno, "create the sync socketpair");

        init_args args = {
            .id = job->id,
            .config = job->config,
            .plan = &job->plan,
            .rootfs =
                {
                    .config = job->config,
                    .bundle = job->bundle,
                    .rootfs = job->rootfs,
                    .no_pivot = job->options->no_pivot,
                    .cgroup_path =
                        job->state->cgroup_paths ? job->state->cgroup_paths->values[0] : NULL,
                    .has_cgroup_namespace = job->plan.new_cgroup,
                    .has_user_namespace = has_user_namespace(job),
                    /* Rootless podman runs us as root of its own user
                     * namespace, sharing it with the container. */
                    .bind_devices = has_user_namespace(job) || id_maps_caller_is_rootless(),
                    .bind_source_fds = job->bind_source_fds,
                },
            .sync_fd = sockets[1],
            .exec_fifo_fd = job->exec_fifo_fd,
            .console_socket_fd = job->console_socket_fd,
            .preserve_fds = job->options->preserve_fds + job->options->listen_fds,
            .listen_fds = job->options->listen_fds,
            .no_new_keyring = job->options->no_new_keyring,
        };

        /* A pid namespace joined by path applies to our next child only. */
        _cleanup_close_ int own_pid_ns = -1;
        if (job->plan.pid_join_fd >= 0) {
                own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (own_pid_ns < 0 || setns(job->plan.pid_join_fd, CLONE_NEWPID) < 0) {
                        close(sockets[0]);
                        close(sockets[1]);
                        return error_set_errno(error, errno, "join the pid namespace");
                }
        }
        pid_t pid = clone_child(job->plan.clone_flags);
        if (pid == 0) {
                close(sockets[0]);
                init_main(&args);
        }
        int saved = errno;
        if (own_pid_ns >= 0 && setns(own_pid_ns, CLONE_NEWPID) < 0)
                ocirun_log(OCIRUN_LOG_WARNING, "return to our own pid namespace: %m");
        close(sockets[1]);
        job->sync_fd = sockets[0];
        if (pid < 0)
                return error_set_errno(error, saved, "clone the container's init");
        job->child = pid;
        job->init = pid;
        ocirun_debug("create %s: cloned the init, pid %d, clone flags 0x%lx", job->id, (int) pid,
                     (unsigned long) job->plan.clone_flags);
        return 0;
}

int create_job_prepare(create_job *job, ocirun_error **error)
{
        const ocirun_create_options *options = job->options;
        ocirun_root *root = job->root;
        const char *id = job->id;

        int r = ocirun_container_id_validate(id, error);
        if (r == 0)
                r = resolve_paths(job, error);
        if (r == 0)
                r = namespaces_plan_make(job->config, &job->plan, error);
        if (r < 0)
                return r;
        if (root->fd < 0) {
                ocirun_root *created_root = NULL;
                r = ocirun_root_open(root->path, true, &created_root, error);
                if (r < 0)
                        return r;
                root->fd = steal_fd(&created_root->fd);
                ocirun_root_free(created_root);
        }

        r = state_dir_create(root, id, &job->dirfd, error);
        if (r < 0) {
                job->dirfd = -1; /* not ours to remove */
                return r;
        }
        r = make_state(job, error);
        if (r == 0 && options->systemd_cgroup)
                r = cgroup_systemd_create(job->config, id, id_maps_caller_is_rootless(), job->state,
                                          &job->cgroup_seed, error);
        else if (r == 0)
                r = cgroup_create(job->config, id, job->state, error);
        if (r == 0 && job->state->cgroup_paths && job->state->cgroup_paths->len)
                ocirun_debug("create %s: cgroup %s", id, job->state->cgroup_paths->values[0]);
        /* Limits go in before any process does: the init is charged from
         * its first page. */
        if (r == 0)
                r = cgroup_apply_resources(
                    job->state, job->config->linux ? job->config->linux->resources : NULL,
                    "config.json: linux.resources", false, error);
        if (r == 0 && options->console_socket)
                r = terminal_connect_console_socket(options->console_socket,
                                                    &job->console_socket_fd, error);
        return r;
}

int create_job_commit(create_job *job, const char *status, ocirun_error **error)
{
        uint64_t start_time;

        job->state->pid = job->init;
        job->state->has_pid = true;
        if (proc_stat_start_time(job->init, &start_time, NULL) < 0)
                return error_set(error, ESRCH, "the init exited during setup");
        job->state->init_start_time = start_time;
        job->state->has_init_start_time = true;
        int r = set_status(job->state, status, error);
        if (r == 0)
                r = state_write_config(job->dirfd, job->config, error);
        if (r == 0)
                r = state_write(job->dirfd, job->state, error);
        if (r == 0 && job->options->pid_file)
                r = state_write_pid_file(job->options->pid_file, job->init, error);
        if (r < 0)
                return r;
        job->committed = true;
        return 0;
}

int ocirun_container_create(ocirun_root *root, const char *id, const ocirun_create_options *options,
                            pid_t *ret_pid, ocirun_error **error)
{
        __attribute__((cleanup(create_job_finish))) create_job job =
            CREATE_JOB_INIT(root, id, options);

        int r = create_job_prepare(&job, error);
        if (r < 0)
                return job.state ? error_prefix(error, "create %s", id) : r;
        if (!str_empty(options->notify_socket)) {
                _cleanup_free_ char *state_dir_path = NULL;
                if (asprintf(&state_dir_path, "%s/%s", root->path, id) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                r = notify_prepare(job.config, job.dirfd, state_dir_path, options->notify_socket,
                                   error);
                if (r < 0)
                        return error_prefix(error, "create %s", id);
        }

        if (mkfifoat(job.dirfd, EXEC_FIFO, 0600) < 0)
                return error_set_errno(error, errno, "create %s: make the exec fifo", id);
        job.exec_fifo_fd = openat(job.dirfd, EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (job.exec_fifo_fd < 0)
                return error_set_errno(error, errno, "create %s: open the exec fifo", id);

        /* Bind sources the container's own root could not reach are cloned
         * here, before the init enters its user namespace. Cloning takes
         * the host's CAP_SYS_ADMIN: a rootless caller, who sees no more
         * than its container, leaves it to the init. */
        if (has_user_namespace(&job) && !id_maps_caller_is_rootless()) {
                r = rootfs_open_bind_sources(job.config, job.bundle, &job.bind_source_fds, error);
                if (r < 0)
                        return error_prefix(error, "create %s", id);
        }
        r = spawn_init(&job, error);
        if (r == 0)
                r = cgroup_enter(job.state, job.child, error);
        if (r == 0)
                ocirun_debug("create %s: pid %d joined its cgroup", id, (int) job.child);
        /* The init holds the systemd scope now. */
        cgroup_systemd_seed_release(&job.cgroup_seed);
        if (r == 0)
                r = talk_to_init(&job, error);
        if (r == 0 && options->pidfd_socket)
                r = pidfd_socket_send(options->pidfd_socket, job.init, PIDFD_SOCKET_INIT, error);
        if (r == 0)
                r = create_job_commit(&job, "created", error);
        if (r < 0)
                return error_prefix(error, "create %s", id);
        if (ret_pid)
                *ret_pid = job.init;
        return 0;
}

/* ---- start, kill, delete ------------------------------------------------- */

static void run_hooks_as_warnings(const char *kind, const ocispec_hook *hooks, size_t n,
                                  ocispec_runtime_state *state, const char *status)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        _cleanup_free_ char *json = NULL;
        size_t len;
        if (n == 0)
                return;
        if (container_hook_state_json(state, status, &json, &len, &error) < 0 ||
            hooks_run(kind, hooks, n, json, &error) < 0)
                ocirun_log(OCIRUN_LOG_WARNING, "%s", error->message);
}

int ocirun_container_start(ocirun_root *root, const char *id, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;

        int r = state_load(root, id, LOCK_EX, &dirfd, &state, error);
        if (r < 0)
                return r;
        if (strcmp(state->status, "created") != 0)
                return error_set(error, EINVAL, "cannot start container `%s`: it is %s", id,
                                 state->status);
        _cleanup_close_ int fifo = openat(dirfd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0 && errno == ENXIO)
                return error_set(error, ESRCH, "cannot start container `%s`: its init is gone", id);
        if (fifo < 0)
                return error_set_errno(error, errno, "start %s: open the exec fifo", id);
        if (write(fifo, "0", 1) != 1)
                return error_set_errno(error, errno, "start %s: write the exec fifo", id);
        ocirun_debug("start %s: told the init (pid %d) to exec", id, state->pid);
        unlinkat(dirfd, EXEC_FIFO, 0);
        /* The init holds the fifo open until its execve (or its death)
         * closes it: poll reports POLLERR on our end once no reader is left.
         * So the process has started, startContainer hooks done, before
         * poststart hooks run and before start returns. */
        struct pollfd pfd = {.fd = fifo, .events = 0};
        while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
                ;

        r = set_status(state, "running", error);
        if (r == 0)
                r = state_write(dirfd, state, error);
        if (r < 0)
                return r;
        if (state_read_config(dirfd, id, &config, NULL) == 0 && config->hooks)
                run_hooks_as_warnings("poststart", config->hooks->poststart,
                                      config->hooks->poststart_len, state, "running");
        return 0;
}

int ocirun_signal_parse(const char *name, int *ret_signal)
{
        static const struct {
                const char *name;
                int number;
        } signals[] = {
            {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
            {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
            {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
            {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
            {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
            {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
            {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
            {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
            {"SYS", SIGSYS},
        };
        char *end;
        long number = strtol(name, &end, 10);
        if (*name && *end == '\0') {
                if (number <= 0 || number >= NSIG)
                        return -EINVAL;
                *ret_signal = (int) number;
                return 0;
        }
        const char *bare = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
        for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++)
                if (strcasecmp(bare, signals[i].name) == 0) {
                        *ret_signal = signals[i].number;
                        return 0;
                }
        if (strncasecmp(bare, "RTMIN", 5) == 0 || strncasecmp(bare, "RTMAX", 5) == 0) {
                long offset = 0;
                if (bare[5]) {
                        offset = strtol(bare + 5, &end, 10);
                        if (*end != '\0')
                                return -EINVAL;
                }
                int sig = strncasecmp(bare, "RTMIN", 5) == 0 ? SIGRTMIN + (int) offset
                                                             : SIGRTMAX + (int) offset;
                if (sig < SIGRTMIN || sig > SIGRTMAX)
                        return -EINVAL;
                *ret_signal = sig;
                return 0;
        }
        return -EINVAL;
}

int ocirun_container_kill(ocirun_root *root, const char *id, int signal, bool all,
                          ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;

        int r = state_load(root, id, LOCK_SH, &dirfd, &state, error);
        if (r < 0)
                return r;
        if (all)
                return cgroup_kill_all(state, signal, error);
        if (strcmp(state->status, "stopped") == 0)
                return error_set(error, ESRCH, "container `%s` is not running", id);
        _cleanup_close_ int pidfd = -1;
        r = state_open_init_pidfd(state, &pidfd, error);
        if (r < 0)
                return r;
        if (syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0) < 0)
                return error_set_errno(error, errno, "kill %s with signal %d", id, signal);
        return 0;
}

/* Kills the init and waits until it has exited: poll on a pidfd works for
 * a process that is not our child. */
static int kill_and_wait(const ocispec_runtime_state *state, ocirun_error **error)
{
        _cleanup_close_ int pidfd = -1;
        _cleanup_(ocirun_error_freep) ocirun_error *gone = NULL;
        if (state_open_init_pidfd(state, &pidfd, &gone) < 0)
                return 0;
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                return error_set_errno(error, errno, "kill container `%s`", state->id);
        /* A v1-frozen task dies only once thawed. */
        if (strcmp(state->status, "paused") == 0)
                cgroup_freeze(state, false, NULL);
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        while (poll(&pfd, 1, -1) < 0)
                if (errno != EINTR)
                        return error_set_errno(error, errno, "wait for container `%s`", state->id);
        return 0;
}

int ocirun_container_delete(ocirun_root *root, const char *id, bool force, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;

        int r = state_load(root, id, LOCK_EX, &dirfd, &state, error);
        if (r == -ENOENT && force) {
                /* Nothing to delete, or a directory a crashed create left. */
                _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                if (root->fd >= 0 && ocirun_container_id_validate(id, NULL) == 0)
                        state_dir_remove(root, id, &ignored);
                if (error)
                        ocirun_error_freep(error);
                return 0;
        }
        if (r < 0)
                return r;
        if (strcmp(state->status, "stopped") != 0 && strcmp(state->status, "created") != 0 &&
            !force)
                return error_set(error, EBUSY,
                                 "cannot delete container `%s`: it is %s (stop it first, or use "
                                 "--force)",
                                 id, state->status);
        if (strcmp(state->status, "stopped") != 0) {
                r = kill_and_wait(state, error);
                if (r < 0)
                        return r;
                r = set_status(state, "stopped", error);
                if (r < 0)
                        return r;
        }
        if (state_read_config(dirfd, id, &config, NULL) == 0 && config->hooks)
                run_hooks_as_warnings("poststop", config->hooks->poststop,
                                      config->hooks->poststop_len, state, "stopped");
        if (config)
                intel_rdt_remove(config, id, false);
        r = cgroup_destroy(state, error);
        if (r < 0)
                return error_prefix(error, "delete %s", id);
        return state_dir_remove(root, id, error);
}

/* pause and resume: the one state each may start from, then the freezer. */
static int set_frozen(ocirun_root *root, const char *id, bool frozen, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;

        int r = state_load(root, id, LOCK_EX, &dirfd, &state, error);
        if (r < 0)
                return r;
        if (frozen && strcmp(state->status, "running") != 0 &&
            strcmp(state->status, "created") != 0)
                return error_set(error, EINVAL, "cannot pause container `%s`: it is %s", id,
                                 state->status);
        if (!frozen && strcmp(state->status, "paused") != 0)
                return error_set(error, EINVAL,
                                 "cannot resume container `%s`: it is %s, not paused", id,
                                 state->status);
        r = cgroup_freeze(state, frozen, error);
        return r < 0 ? error_prefix(error, "%s %s", frozen ? "pause" : "resume", id) : 0;
}

int ocirun_container_pause(ocirun_root *root, const char *id, ocirun_error **error)
{
        return set_frozen(root, id, true, error);
}

int ocirun_container_resume(ocirun_root *root, const char *id, ocirun_error **error)
{
        return set_frozen(root, id, false, error);
}

int ocirun_container_update(ocirun_root *root, const char *id,
                            const ocispec_linux_resources *resources, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        const char *prefix = "linux.resources";

        int r = cgroup_resources_validate(resources, prefix, error);
        if (r == 0)
                r = cgroup_check_unified(resources, prefix, error);
        if (r < 0)
                return r;
        /* An update that lifts the memory limit and says nothing of swap
         * lifts the swap limit too, as runc's does: on v1 a swap limit
         * left below the new memory limit would make the write fail. */
        ocispec_linux_resources lifted;
        ocispec_linux_resources_memory lifted_memory;
        if (resources && resources->memory && resources->memory->has_limit &&
            resources->memory->limit == -1 && !resources->memory->has_swap) {
                lifted = *resources;
                lifted_memory = *resources->memory;
                lifted_memory.swap = -1;
                lifted_memory.has_swap = true;
                lifted.memory = &lifted_memory;
                resources = &lifted;
        }
        r = state_load(root, id, LOCK_EX, &dirfd, &state, error);
        if (r < 0)
                return r;
        if (strcmp(state->status, "stopped") == 0)
                return error_set(error, EINVAL, "cannot update container `%s`: it is stopped", id);
        /* systemd first, as runc does: it rewrites the files it owns when
         * its properties change, so the cgroupfs writes come last. */
        r = cgroup_systemd_update(state, resources, error);
        if (r == 0)
                r = cgroup_apply_resources(state, resources, prefix, true, error);
        if (r == 0)
                r = cgroup_apply_devices(state, resources, prefix, true, error);
        return r < 0 ? error_prefix(error, "update %s", id) : 0;
}

int ocirun_container_processes(ocirun_root *root, const char *id, pid_t **ret_pids, size_t *ret_len,
                               ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;

        int r = state_load(root, id, LOCK_SH, &dirfd, &state, error);
        if (r < 0)
                return r;
        return cgroup_pids(state, ret_pids, ret_len, error);
}
