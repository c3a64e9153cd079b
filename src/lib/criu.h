/* One conversation with CRIU: `criu swrk` started on one end of a socketpair,
 * a dump, pre-dump or restore request in CRIU's RPC messages, the
 * notifications CRIU sends meanwhile answered through a callback, and
 * CRIU's own reason when it fails (the first error line of its log). The
 * container logic (which mounts are external, which fds to inherit, what
 * the state becomes) is checkpoint.c's; this file only speaks the
 * protocol, so nothing else sees the generated protobuf types. */
#ifndef OCIRUN_CRIU_H
#define OCIRUN_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ocirun.h"

typedef enum criu_action {
        CRIU_ACTION_DUMP,
        CRIU_ACTION_PRE_DUMP,
        CRIU_ACTION_RESTORE,
} criu_action;

/* CRIU's criu_cg_mode values, as its rpc.proto numbers them (criu.c checks
 * that they agree with the generated enum). */
typedef enum criu_cgroup_mode {
        CRIU_CGROUP_MODE_UNSET = -1,
        CRIU_CGROUP_MODE_IGNORE = 0,
        CRIU_CGROUP_MODE_SOFT = 3,
        CRIU_CGROUP_MODE_FULL = 4,
        CRIU_CGROUP_MODE_STRICT = 5,
} criu_cgroup_mode;

typedef struct criu_pair {
        const char *key;
        const char *value;
} criu_pair;

/* An fd of ours that CRIU gives to the restored tasks in place of the one
 * recorded under key ("pipe:[1234]", "extRootNetNS"). fds 0-2 are CRIU's
 * own stdio (ours); any other is placed in CRIU from fd 4 on. */
typedef struct criu_inherit {
        const char *key;
        int fd;
} criu_inherit;

/* The callback for CRIU's notifications ("setup-namespaces",
 * "post-restore", "orphan-pts-master", ...): pid is the one CRIU sent (0
 * without one), fd one it passed along (-1 without one; the callback
 * owns it). A failure makes CRIU abort. */
typedef int (*criu_notify_fn)(void *userdata, const char *script, pid_t pid, int fd,
                              ocirun_error **error);

typedef struct criu_options {
        criu_action action;
        const char *criu_path; /* NULL: `criu` from PATH */
        int images_dir_fd;
        int work_dir_fd;
        const char *work_dir; /* only to name the log in messages */
        const char *log_file; /* a name inside the work directory */
        const char *root;
        pid_t pid; /* the task tree to dump */
        const char *parent_images;
        bool leave_running;
        bool tcp_established;
        bool ext_unix_sk;
        bool shell_job;
        bool file_locks;
        bool auto_dedup;
        bool lazy_pages;
        bool track_mem;
        criu_cgroup_mode cgroup_mode;
        unsigned empty_ns; /* CLONE_NEW* flags */
        const char *freeze_cgroup;
        const char *lsm_profile;
        const char *lsm_mount_context;
        const char *page_server_address;
        int page_server_port;
        const criu_pair *ext_mounts; /* dump: mount point -> name; restore: name -> source */
        size_t n_ext_mounts;
        const char *const *externals; /* --external resources, "net[INODE]:KEY" */
        size_t n_externals;
        const criu_inherit *inherit;
        size_t n_inherit;
        const criu_pair *cgroup_roots; /* controller list (NULL: all) -> cgroup path */
        size_t n_cgroup_roots;
        const criu_pair *join_namespaces; /* "ipc" -> /proc/.../ns/ipc */
        size_t n_join_namespaces;
        /* CRIU runs in this container's cgroup, so the tasks it restores
         * are charged there from their first page. */
        const ocispec_runtime_state *cgroup_of;
        criu_notify_fn on_notify;
        void *userdata;
} criu_options;

/* Runs the request to its end. For a restore, *ret_pid is the restored
 * init, a child of the caller (CRIU restores it as its own sibling). */
int criu_run(const criu_options *options, pid_t *ret_pid, ocirun_error **error);

/* runc's --manage-cgroups-mode names: soft, full, strict, ignore. */
int criu_cgroup_mode_parse(const char *name, criu_cgroup_mode *ret);

/* The reason CRIU gave in its log: the message of the first line logged
 * as an error ("(00.01) Error (criu/vdso.c:12): vdso: ...") without the
 * time and source position. NULL when the text holds none. */
char *criu_log_first_error(const char *log_text);

/* The same, read from the log file name in the directory dirfd. */
char *criu_log_reason(int dirfd, const char *name);

#endif
