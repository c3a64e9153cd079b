/* libocirun's public API: the one header the ocirun CLI (and any other
 * program) uses to drive containers. Shaped after libcontainer: a runtime
 * root holds containers; every call returns 0 or a negative errno and, on
 * failure, fills an ocirun_error whose message says what failed and where. */
#ifndef OCIRUN_H
#define OCIRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocispec.h"

#define OCIRUN_DEFAULT_ROOT "/run/ocirun"

/* ---- errors ---------------------------------------------------------- */

typedef struct ocirun_error {
        int code;      /* a positive errno value */
        char *message; /* one line: "what: why", outermost context first */
} ocirun_error;

void ocirun_error_free(ocirun_error *error);
void ocirun_error_freep(ocirun_error **error);

/* ---- logging ---------------------------------------------------------- */

typedef enum ocirun_log_level {
        OCIRUN_LOG_ERROR,
        OCIRUN_LOG_WARNING,
        OCIRUN_LOG_INFO,
        OCIRUN_LOG_DEBUG,
} ocirun_log_level;

typedef enum ocirun_log_format {
        OCIRUN_LOG_FORMAT_TEXT,
        OCIRUN_LOG_FORMAT_JSON,
} ocirun_log_format;

/* Where messages go: errors and warnings always to stderr; with a log file,
 * every message at or above max_level also to it, one write() per line, as
 * logrus text (`time="..." level=error msg="..."`) or as the JSON lines
 * (`{"level":"error","msg":"...","time":"RFC 3339"}`) that containerd and
 * podman read back to show the user why a command failed. */
int ocirun_log_open(const char *path, ocirun_log_format format, bool debug, ocirun_error **error);
void ocirun_log_close(void);
__attribute__((format(printf, 2, 3))) void ocirun_log(ocirun_log_level level, const char *fmt, ...);
int ocirun_log_format_from_string(const char *name, ocirun_log_format *ret);

/* The most verbose level that is written (OCIRUN_LOG_DEBUG with --debug). */
extern ocirun_log_level ocirun_log_max_level;

/* A debug line that costs one comparison when --debug is off: neither its
 * arguments are evaluated nor is anything formatted. */
#define ocirun_debug(...)                                                                          \
        do {                                                                                       \
                if (__builtin_expect(ocirun_log_max_level >= OCIRUN_LOG_DEBUG, 0))                 \
                        ocirun_log(OCIRUN_LOG_DEBUG, __VA_ARGS__);                                 \
        } while (0)

/* The fd log lines go to (the --log file, or the copy of stderr that debug
 * lines go to without one), -1 for none. It is CLOEXEC: a cloned child that
 * closes what it inherited may keep it to go on logging, and no program it
 * execs ever gets it. */
int ocirun_log_fd(void);

/* ---- the runtime root and container ids --------------------------------- */

typedef struct ocirun_root ocirun_root;

/* Opens the directory that holds one state directory per container. With
 * create, a missing root is made (mode 0700, parents as needed); without it,
 * a missing root reads as an empty one (ret is set, with no containers). */
int ocirun_root_open(const char *path, bool create, ocirun_root **ret, ocirun_error **error);
/* The runtime root when --root is not given: OCIRUN_DEFAULT_ROOT for root,
 * $XDG_RUNTIME_DIR/ocirun (made, mode 01700) for an unprivileged caller
 * that has one, as runc picks $XDG_RUNTIME_DIR/runc. */
int ocirun_default_root(char **ret, ocirun_error **error);
void ocirun_root_free(ocirun_root *root);
void ocirun_root_freep(ocirun_root **root);
const char *ocirun_root_path(const ocirun_root *root);

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes. */
int ocirun_container_id_validate(const char *id, ocirun_error **error);

/* ---- container state ---------------------------------------------------- */

/* The container's state.json with `status` derived now from its init's pid
 * and that pid's start time, so a recycled pid never reads as running. */
int ocirun_container_state(ocirun_root *root, const char *id, ocispec_runtime_state **ret,
                           ocirun_error **error);

typedef struct ocirun_container_list {
        size_t len;
        ocispec_runtime_state **states; /* sorted by id */
} ocirun_container_list;

int ocirun_container_list_all(ocirun_root *root, ocirun_container_list **ret, ocirun_error **error);
void ocirun_container_list_free(ocirun_container_list *list);
void ocirun_container_list_freep(ocirun_container_list **list);

/* ---- the container lifecycle --------------------------------------------- */

typedef struct ocirun_create_options {
        const char *bundle;         /* NULL: the current directory */
        const char *pid_file;       /* written once the container is created */
        const char *console_socket; /* where the pty master goes for process.terminal */
        /* An already connected console socket (run in the foreground makes
         * one); -1 for none. */
        int console_socket_fd;
        /* A unix socket that gets a pidfd of the init once it is set up
         * (runc's --pidfd-socket). */
        const char *pidfd_socket;
        int preserve_fds; /* fds 3 .. 3+N-1 of the caller pass to the container */
        /* systemd socket activation: N listening fds follow the preserved
         * ones, and the process gets LISTEN_FDS=N and LISTEN_PID=1. */
        int listen_fds;
        /* The caller's NOTIFY_SOCKET: the container gets a socket of its
         * own for sd_notify, which ocirun_notify_forward passes on. */
        const char *notify_socket;
        bool no_pivot;
        bool no_new_keyring;
        /* The cgroup is a transient systemd unit (runc's --systemd-cgroup):
         * linux.cgroupsPath is "slice:prefix:name". */
        bool systemd_cgroup;
} ocirun_create_options;

/* Sets the container up to the point where only execve of process.args is
 * left; the init waits for ocirun_container_start. The init is a child of
 * the calling process. On failure nothing is left behind: no process,
 * mount, cgroup or state directory. */
int ocirun_container_create(ocirun_root *root, const char *id, const ocirun_create_options *options,
                            pid_t *ret_pid, ocirun_error **error);

/* Lets a created container's init exec the user process; runs poststart
 * hooks (their failures are warnings, as the spec says). */
int ocirun_container_start(ocirun_root *root, const char *id, ocirun_error **error);

/* The sd_notify proxy for a container created with notify_socket (runc's
 * NOTIFY_SOCKET handling). Before start, ocirun_notify_listen binds the
 * container's socket; *ret_fd is -1 when the container has none. After
 * start, ocirun_notify_forward waits for the container's READY=1 (or for
 * init to exit), passing each message on to host_socket (a path or an
 * @abstract name) with MAINPID=main_pid. Signals read from signal_fd (-1:
 * none) meanwhile go to init. */
int ocirun_notify_listen(ocirun_root *root, const char *id, int *ret_fd, ocirun_error **error);
int ocirun_notify_forward(int listen_fd, const char *host_socket, pid_t init, pid_t main_pid,
                          int signal_fd, ocirun_error **error);

/* Signals the container's init (through a pidfd, so a recycled pid is never
 * signalled), or with all every process in its cgroup. */
int ocirun_container_kill(ocirun_root *root, const char *id, int signal, bool all,
                          ocirun_error **error);

/* Removes a created or stopped container: poststop hooks, its cgroup and
 * its state directory. A running one is an error unless force, which kills
 * it first and waits for it to exit. */
int ocirun_container_delete(ocirun_root *root, const char *id, bool force, ocirun_error **error);

/* Freezes every process of a running (or created) container, returning
 * once the kernel reports them frozen; `state` then says "paused". */
int ocirun_container_pause(ocirun_root *root, const char *id, ocirun_error **error);
int ocirun_container_resume(ocirun_root *root, const char *id, ocirun_error **error);

/* Changes the cgroup limits of a container that is not stopped: only the
 * fields set in resources are written; errors name them by their path in
 * config.json (linux.resources.memory.limit). */
int ocirun_container_update(ocirun_root *root, const char *id,
                            const ocispec_linux_resources *resources, ocirun_error **error);

/* The pids in the container's cgroup. */
int ocirun_container_processes(ocirun_root *root, const char *id, pid_t **ret_pids, size_t *ret_len,
                               ocirun_error **error);

/* The statistics of a container that is not stopped, as the line `runc
 * events --stats` prints: {"type":"stats","id":ID,"data":{...}} with data
 * in the shape of runc's types.Stats, newline included. */
int ocirun_container_stats(ocirun_root *root, const char *id, char **ret_json, size_t *ret_len,
                           ocirun_error **error);

/* Notice of OOM kills in a container's memory cgroup (an eventfd on cgroup
 * v1, inotify on memory.events on v2). Poll ocirun_oom_watch_fd for
 * POLLIN, then call ocirun_oom_watch_read, which gives the line to pass on,
 * {"type":"oom","id":ID} and a newline, or NULL when the wake-up was no OOM
 * kill. The fd is -1 when there is nothing to watch: no memory controller
 * for the container, or its cgroup is gone (read closes it then). Opening
 * the watch of a stopped container is an error. ocirun_oom_watch_exit_fd
 * is a pidfd of the container's init, readable (POLLIN) once it exited. */
typedef struct ocirun_oom_watch ocirun_oom_watch;
int ocirun_container_oom_watch_open(ocirun_root *root, const char *id, ocirun_oom_watch **ret,
                                    ocirun_error **error);
int ocirun_oom_watch_fd(const ocirun_oom_watch *watch);
int ocirun_oom_watch_exit_fd(const ocirun_oom_watch *watch);
int ocirun_oom_watch_read(ocirun_oom_watch *watch, char **ret_json, size_t *ret_len,
                          ocirun_error **error);
void ocirun_oom_watch_free(ocirun_oom_watch *watch);
void ocirun_oom_watch_freep(ocirun_oom_watch **watch);

typedef struct ocirun_exec_options {
        const char *console_socket; /* where the pty master goes for process.terminal */
        int console_socket_fd;      /* an already connected one (exec -t in the foreground) */
        const char *pidfd_socket;   /* gets a pidfd of the process once it runs */
        int preserve_fds;
        const char *pid_file;
        /* A paused container is refused unless this is set; the process
         * then starts frozen, as runc's exec --ignore-paused does. */
        bool ignore_paused;
        /* runc's exec --cgroup: PATH (every hierarchy) or
         * CONTROLLER[,CONTROLLER]:PATH (repeatable), existing sub-cgroups of
         * the container's cgroup to put the process in. */
        char *const *cgroups;
        size_t cgroups_len;
} ocirun_exec_options;

/* Starts process in the running container id: it joins every namespace and
 * the cgroup of the container's init and is set up with its own user, env,
 * cwd, rlimits, capabilities and no_new_privileges, then execs. Returns the
 * new process's pid (a child of the caller) once execve has succeeded. */
int ocirun_container_exec(ocirun_root *root, const char *id, const ocispec_process *process,
                          const ocirun_exec_options *options, pid_t *ret_pid, ocirun_error **error);

/* The container's config.json, read from its bundle (for exec's defaults). */
int ocirun_container_config(ocirun_root *root, const char *id, ocispec_config **ret,
                            ocirun_error **error);

/* A signal by name (KILL, SIGKILL, kill) or number. */
int ocirun_signal_parse(const char *name, int *ret_signal);

/* ---- checkpoint and restore (CRIU) ---------------------------------------- */

/* runc's checkpoint flags. image_path defaults to ./checkpoint, work_path
 * (where CRIU writes dump.log) to image_path. */
typedef struct ocirun_checkpoint_options {
        const char *criu_path; /* NULL: criu from PATH */
        const char *image_path;
        const char *work_path;
        const char *parent_path; /* a previous (pre-)dump, relative to image_path or absolute */
        const char *manage_cgroups_mode; /* soft, full, strict, ignore; NULL: CRIU's default */
        const char *page_server;         /* ADDRESS:PORT of a criu page-server */
        unsigned empty_ns;               /* CLONE_NEW* of namespaces CRIU leaves empty */
        bool leave_running;
        bool pre_dump;
        bool tcp_established;
        bool ext_unix_sk;
        bool shell_job;
        bool file_locks;
        bool auto_dedup;
        bool lazy_pages;
} ocirun_checkpoint_options;

/* Saves a running container to image_path through `criu swrk`. Unless
 * leave_running or pre_dump, the container is then gone, as after delete.
 * A CRIU failure names CRIU's reason and the log it wrote. */
int ocirun_container_checkpoint(ocirun_root *root, const char *id,
                                const ocirun_checkpoint_options *options, ocirun_error **error);

typedef struct ocirun_restore_options {
        /* bundle, pid_file, console_socket(_fd), as for create */
        ocirun_create_options create;
        const char *criu_path;
        const char *image_path;
        const char *work_path;
        const char *manage_cgroups_mode;
        const char *lsm_profile;       /* "apparmor:NAME" or "selinux:LABEL" for the tasks */
        const char *lsm_mount_context; /* SELinux context= for the restored mounts */
        bool tcp_established;
        bool ext_unix_sk;
        bool shell_job;
        bool file_locks;
        bool auto_dedup;
        bool lazy_pages;
} ocirun_restore_options;

/* Makes container id from the bundle's config and the images of a
 * checkpoint: the cgroup with its limits first, then CRIU restores the
 * processes into it. The restored init is a child of the caller and the
 * container is running. On failure nothing is left behind. */
int ocirun_container_restore(ocirun_root *root, const char *id,
                             const ocirun_restore_options *options, pid_t *ret_pid,
                             ocirun_error **error);

/* ---- documents ---------------------------------------------------------- */

/* The default config.json `ocirun spec` writes; rootless maps the calling
 * user to root in a user namespace and keeps only what an unprivileged user
 * can set up. */
int ocirun_spec_default(bool rootless, ocispec_config **ret, ocirun_error **error);

/* The OCI features document: what this build and the running kernel support. */
int ocirun_features(ocispec_features **ret, ocirun_error **error);

#endif
