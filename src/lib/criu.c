/* The `criu swrk` conversation (see criu.h). CRIU's service mode reads one
 * request per SOCK_SEQPACKET message, opens the image and work directories
 * through /proc/<our pid>/fd, answers with notifications while it works
 * (each acknowledged before it goes on) and a last response of the
 * request's type. The messages are protobuf-c's, generated from CRIU's own
 * rpc.proto. */
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "criu-rpc/rpc.pb-c.h"
#include "criu.h"
#include "error.h"

_Static_assert((int) CRIU_CGROUP_MODE_IGNORE == CRIU_CG_MODE__IGNORE, "criu_cg_mode IGNORE");
_Static_assert((int) CRIU_CGROUP_MODE_SOFT == CRIU_CG_MODE__SOFT, "criu_cg_mode SOFT");
_Static_assert((int) CRIU_CGROUP_MODE_FULL == CRIU_CG_MODE__FULL, "criu_cg_mode FULL");
_Static_assert((int) CRIU_CGROUP_MODE_STRICT == CRIU_CG_MODE__STRICT, "criu_cg_mode STRICT");

/* CRIU's service socket in its own fd table, and where the inherited fds
 * other than stdio start. */
#define CRIU_SOCKET_FD 3
#define CRIU_FIRST_EXTRA_FD 4
/* The largest message CRIU sends is a response with a few strings. */
#define CRIU_MESSAGE_MAX (64 * 1024)

static const char *action_name(criu_action action)
{
        switch (action) {
        case CRIU_ACTION_DUMP:
                return "dump";
        case CRIU_ACTION_PRE_DUMP:
                return "pre-dump";
        case CRIU_ACTION_RESTORE:
                return "restore";
        default:
                return "request";
        }
}

static CriuReqType request_type(criu_action action)
{
        switch (action) {
        case CRIU_ACTION_PRE_DUMP:
                return CRIU_REQ_TYPE__PRE_DUMP;
        case CRIU_ACTION_RESTORE:
                return CRIU_REQ_TYPE__RESTORE;
        case CRIU_ACTION_DUMP:
        default:
                return CRIU_REQ_TYPE__DUMP;
        }
}

/* ---- the request -------------------------------------------------------- */

/* The protobuf structs of one request, in storage that lives as long as
 * the conversation; the strings point into the caller's options. */
typedef struct request_storage {
        CriuOpts opts;
        CriuPageServerInfo page_server;
        ExtMountMap *ext_mounts;
        ExtMountMap **ext_mount_ptrs;
        InheritFd *inherit;
        InheritFd **inherit_ptrs;
        CgroupRoot *cgroup_roots;
        CgroupRoot **cgroup_root_ptrs;
        JoinNamespace *join_ns;
        JoinNamespace **join_ns_ptrs;
} request_storage;

static void request_storage_clear(request_storage *s)
{
        free(s->ext_mounts);
        free(s->ext_mount_ptrs);
        free(s->inherit);
        free(s->inherit_ptrs);
        free(s->cgroup_roots);
        free(s->cgroup_root_ptrs);
        free(s->join_ns);
        free(s->join_ns_ptrs);
}

/* calloc for n items and n pointers to them; both NULL for n == 0. */
static int alloc_items(size_t n, size_t size, void **items, void ***ptrs)
{
        if (n == 0)
                return 0;
        *items = calloc(n, size);
        *ptrs = calloc(n, sizeof(void *));
        if (!*items || !*ptrs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                (*ptrs)[i] = (char *) *items + i * size;
        return 0;
}

/* Where the extra fds (not stdio) among the first n inherited ones end:
 * the first free fd number in criu after them. */
static int extra_fds_end(const criu_options *o, size_t n)
{
        int end = CRIU_FIRST_EXTRA_FD;
        for (size_t i = 0; i < n; i++)
                if (o->inherit[i].fd > 2)
                        end++;
        return end;
}

/* The criu-side fd number of an inherited fd of ours. */
static int inherit_target_fd(const criu_options *o, size_t index)
{
        int fd = o->inherit[index].fd;
        return fd <= 2 ? fd : extra_fds_end(o, index);
}

static int build_request(const criu_options *o, request_storage *s, ocirun_error **error)
{
        CriuOpts *opts = &s->opts;
        criu_opts__init(opts);
        opts->images_dir_fd = o->images_dir_fd;
        opts->has_work_dir_fd = true;
        opts->work_dir_fd = o->work_dir_fd;
        opts->has_log_level = true;
        opts->log_level = 4;
        opts->log_file = (char *) o->log_file;
        opts->root = (char *) o->root;
        opts->has_manage_cgroups = true;
        opts->manage_cgroups = true;
        opts->has_notify_scripts = o->on_notify != NULL;
        opts->notify_scripts = o->on_notify != NULL;
        /* A pty whose master is outside the container (the console the
         * engine holds) is dumped as an orphan, and restored with a new
         * master that CRIU hands over ("orphan-pts-master"). */
        opts->has_orphan_pts_master = true;
        opts->orphan_pts_master = true;
#define SET_FLAG(field, value)                                                                     \
        do {                                                                                       \
                opts->has_##field = true;                                                          \
                opts->field = (value);                                                             \
        } while (0)
        SET_FLAG(shell_job, o->shell_job);
        SET_FLAG(tcp_established, o->tcp_established);
        SET_FLAG(ext_unix_sk, o->ext_unix_sk);
        SET_FLAG(file_locks, o->file_locks);
        SET_FLAG(auto_dedup, o->auto_dedup);
        SET_FLAG(lazy_pages, o->lazy_pages);
        if (o->action == CRIU_ACTION_RESTORE) {
                SET_FLAG(rst_sibling, true);
                /* Device nodes are recreated by path, not by the identity
                 * of the file that was open (as runc does). */
                SET_FLAG(evasive_devices, true);
        } else {
                SET_FLAG(pid, o->pid);
                SET_FLAG(leave_running, o->leave_running);
                SET_FLAG(track_mem, o->track_mem);
        }
        if (o->empty_ns)
                SET_FLAG(empty_ns, o->empty_ns);
        if (o->cgroup_mode != CRIU_CGROUP_MODE_UNSET)
                SET_FLAG(manage_cgroups_mode, (CriuCgMode) o->cgroup_mode);
#undef SET_FLAG
        opts->parent_img = (char *) o->parent_images;
        opts->freeze_cgroup = (char *) o->freeze_cgroup;
        opts->lsm_profile = (char *) o->lsm_profile;
        opts->lsm_mount_context = (char *) o->lsm_mount_context;
        if (o->page_server_address) {
                criu_page_server_info__init(&s->page_server);
                s->page_server.address = (char *) o->page_server_address;
                s->page_server.has_port = true;
                s->page_server.port = o->page_server_port;
                opts->ps = &s->page_server;
        }

        if (alloc_items(o->n_ext_mounts, sizeof(ExtMountMap), (void **) &s->ext_mounts,
                        (void ***) &s->ext_mount_ptrs) < 0 ||
            alloc_items(o->n_inherit, sizeof(InheritFd), (void **) &s->inherit,
                        (void ***) &s->inherit_ptrs) < 0 ||
            alloc_items(o->n_cgroup_roots, sizeof(CgroupRoot), (void **) &s->cgroup_roots,
                        (void ***) &s->cgroup_root_ptrs) < 0 ||
            alloc_items(o->n_join_namespaces, sizeof(JoinNamespace), (void **) &s->join_ns,
                        (void ***) &s->join_ns_ptrs) < 0)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t i = 0; i < o->n_ext_mounts; i++) {
                ext_mount_map__init(&s->ext_mounts[i]);
                s->ext_mounts[i].key = (char *) o->ext_mounts[i].key;
                s->ext_mounts[i].val = (char *) o->ext_mounts[i].value;
        }
        opts->n_ext_mnt = o->n_ext_mounts;
        opts->ext_mnt = s->ext_mount_ptrs;
        for (size_t i = 0; i < o->n_inherit; i++) {
                inherit_fd__init(&s->inherit[i]);
                s->inherit[i].key = (char *) o->inherit[i].key;
                s->inherit[i].fd = inherit_target_fd(o, i);
        }
        opts->n_inherit_fd = o->n_inherit;
        opts->inherit_fd = s->inherit_ptrs;
        for (size_t i = 0; i < o->n_cgroup_roots; i++) {
                cgroup_root__init(&s->cgroup_roots[i]);
                s->cgroup_roots[i].ctrl = (char *) o->cgroup_roots[i].key;
                s->cgroup_roots[i].path = (char *) o->cgroup_roots[i].value;
        }
        opts->n_cg_root = o->n_cgroup_roots;
        opts->cg_root = s->cgroup_root_ptrs;
        for (size_t i = 0; i < o->n_join_namespaces; i++) {
                join_namespace__init(&s->join_ns[i]);
                s->join_ns[i].ns = (char *) o->join_namespaces[i].key;
                s->join_ns[i].ns_file = (char *) o->join_namespaces[i].value;
        }
        opts->n_join_ns = o->n_join_namespaces;
        opts->join_ns = s->join_ns_ptrs;
        opts->n_external = o->n_externals;
        opts->external = (char **) o->externals;
        return 0;
}

/* ---- the criu process ------------------------------------------------------ */

/* What the child reports over the error pipe when it cannot exec criu. */
typedef struct child_failure {
        int errnum;
        char what[240];
} child_failure;

__attribute__((noreturn)) static void child_fail(int pipe_fd, int errnum, const char *what)
{
        child_failure failure = {.errnum = errnum};
        snprintf(failure.what, sizeof(failure.what), "%s", what);
        if (write(pipe_fd, &failure, sizeof(failure)) < 0) {
                /* the parent sees the exit status instead */
        }
        _exit(127);
}

/* In the forked child: the fds CRIU expects where it expects them and the
 * cgroup, then exec. Never returns. */
__attribute__((noreturn)) static void criu_child(const criu_options *o, int sock, int pipe_fd)
{
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGPIPE, SIG_DFL);

        int r = o->cgroup_of ? cgroup_enter(o->cgroup_of, 0, NULL) : 0;
        if (r < 0)
                child_fail(pipe_fd, -r, "enter the container's cgroup");
        /* Every fd to place is first moved above the targets, so placing
         * one never overwrites another still to be placed. */
        int high = CRIU_FIRST_EXTRA_FD + (int) o->n_inherit + 16;
        int sock_high = fcntl(sock, F_DUPFD, high);
        int pipe_high = fcntl(pipe_fd, F_DUPFD_CLOEXEC, high);
        if (sock_high < 0 || pipe_high < 0)
                child_fail(pipe_fd, errno, "arrange criu's fds");
        pipe_fd = pipe_high;
        int extra_high[o->n_inherit + 1];
        for (size_t i = 0; i < o->n_inherit; i++) {
                extra_high[i] = -1;
                if (o->inherit[i].fd > 2 &&
                    (extra_high[i] = fcntl(o->inherit[i].fd, F_DUPFD, high)) < 0)
                        child_fail(pipe_fd, errno, "arrange criu's fds");
        }
        if (dup2(sock_high, CRIU_SOCKET_FD) < 0)
                child_fail(pipe_fd, errno, "arrange criu's fds");
        for (size_t i = 0; i < o->n_inherit; i++)
                if (extra_high[i] >= 0 && dup2(extra_high[i], inherit_target_fd(o, i)) < 0)
                        child_fail(pipe_fd, errno, "arrange criu's fds");
        /* Everything else is closed, the error pipe at exec. */
        int first_free = extra_fds_end(o, o->n_inherit);
        int keep = fcntl(pipe_fd, F_DUPFD_CLOEXEC, first_free);
        if (keep < 0)
                child_fail(pipe_fd, errno, "arrange criu's fds");
        pipe_fd = keep;
        syscall(SYS_close_range, (unsigned) keep + 1, ~0U, 0);
        if (keep > first_free)
                syscall(SYS_close_range, (unsigned) first_free, (unsigned) keep - 1, 0);

        char fd_arg[16];
        snprintf(fd_arg, sizeof(fd_arg), "%d", CRIU_SOCKET_FD);
        const char *path = o->criu_path ? o->criu_path : "criu";
        char *argv[] = {(char *) path, "swrk", fd_arg, NULL};
        if (o->criu_path)
                execv(path, argv);
        else
                execvp(path, argv);
        child_fail(pipe_fd, errno, "exec");
}

static int wait_exit(pid_t pid, int *ret_status)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_status = status;
        return 0;
}

static void describe_status(int status, char *buf, size_t size)
{
        if (WIFEXITED(status))
                snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
        else
                snprintf(buf, size, "ended (wait status %d)", status);
}

/* ---- the conversation ------------------------------------------------------ */

/* The error of a failed request: CRIU's own reason from its log (or its
 * cr_errmsg), then where the whole log is. */
static int criu_failed(const criu_options *o, int errnum, const char *how, const char *errmsg,
                       ocirun_error **error)
{
        _cleanup_free_ char *reason = criu_log_reason(o->work_dir_fd, o->log_file);
        const char *why = reason ? reason : errmsg;
        return error_set(error, errnum, "criu %s failed%s%s (%s%slog: %s/%s)",
                         action_name(o->action), why ? ": " : "", why ? why : "", how ? how : "",
                         how ? "; " : "", o->work_dir, o->log_file);
}

static int send_message(int sock, const CriuReq *req, ocirun_error **error)
{
        size_t len = criu_req__get_packed_size(req);
        _cleanup_free_ uint8_t *buf = malloc(len ? len : 1);
        if (!buf)
                return error_set(error, ENOMEM, "out of memory");
        criu_req__pack(req, buf);
        ssize_t n;
        do
                n = send(sock, buf, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_set_errno(error, errno, "send a request to criu");
        return 0;
}

/* One message from CRIU, with the fd it may carry; 0 bytes: CRIU is gone. */
static ssize_t receive_message(int sock, uint8_t *buf, size_t size, int *ret_fd)
{
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = buf, .iov_len = size};
        struct msghdr msg = {
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = control,
            .msg_controllen = sizeof(control),
        };
        ssize_t n;
        *ret_fd = -1;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        return n;
}

/* Sends the request, answers notifications, returns at the last response.
 * *ret_pid gets the restored pid. */
static int converse(const criu_options *o, int sock, const CriuReq *req, pid_t *ret_pid,
                    ocirun_error **error)
{
        int r = send_message(sock, req, error);
        if (r < 0)
                return r;
        _cleanup_free_ uint8_t *buf = malloc(CRIU_MESSAGE_MAX);
        if (!buf)
                return error_set(error, ENOMEM, "out of memory");
        for (;;) {
                int fd;
                ssize_t n = receive_message(sock, buf, CRIU_MESSAGE_MAX, &fd);
                if (n < 0)
                        return error_set_errno(error, (int) -n, "read criu's answer");
                if (n == 0)
                        return -EPIPE; /* the caller reports how criu ended */
                _cleanup_close_ int passed_fd = fd;
                CriuResp *resp = criu_resp__unpack(NULL, (size_t) n, buf);
                if (!resp)
                        return error_set(error, EPROTO, "criu sent a message that is no criu_resp");
                if (!resp->success) {
                        int errnum =
                            resp->has_cr_errno && resp->cr_errno > 0 ? resp->cr_errno : EIO;
                        char how[96] = "";
                        if (resp->has_cr_errno && resp->cr_errno > 0)
                                snprintf(how, sizeof(how), "errno %d, %s", resp->cr_errno,
                                         strerror(resp->cr_errno));
                        r = criu_failed(o, errnum, how[0] ? how : NULL, resp->cr_errmsg, error);
                        criu_resp__free_unpacked(resp, NULL);
                        return r;
                }
                if (resp->type == CRIU_REQ_TYPE__NOTIFY) {
                        const char *script =
                            resp->notify && resp->notify->script ? resp->notify->script : "";
                        pid_t pid = resp->notify && resp->notify->has_pid ? resp->notify->pid : 0;
                        r = o->on_notify ? o->on_notify(o->userdata, script, pid,
                                                        steal_fd(&passed_fd), error)
                                         : 0;
                        criu_resp__free_unpacked(resp, NULL);
                        CriuReq ack = CRIU_REQ__INIT;
                        ack.type = CRIU_REQ_TYPE__NOTIFY;
                        ack.has_notify_success = true;
                        ack.notify_success = r == 0;
                        if (r < 0) {
                                send_message(sock, &ack, NULL);
                                return r;
                        }
                        r = send_message(sock, &ack, error);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (resp->type != req->type) {
                        r = error_set(error, EPROTO, "criu answered a %s with message type %d",
                                      action_name(o->action), (int) resp->type);
                        criu_resp__free_unpacked(resp, NULL);
                        return r;
                }
                if (resp->type == CRIU_REQ_TYPE__RESTORE && resp->restore && ret_pid)
                        *ret_pid = resp->restore->pid;
                criu_resp__free_unpacked(resp, NULL);
                return 0;
        }
}

int criu_run(const criu_options *o, pid_t *ret_pid, ocirun_error **error)
{
        __attribute__((cleanup(request_storage_clear))) request_storage storage = {0};
        int r = build_request(o, &storage, error);
        if (r < 0)
                return r;
        CriuReq req = CRIU_REQ__INIT;
        req.type = request_type(o->action);
        req.opts = &storage.opts;

        int sockets[2], pipe_fds[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0)
                return error_set_errno(error, errno, "create the criu socketpair");
        _cleanup_close_ int sock = sockets[0];
        _cleanup_close_ int server = sockets[1];
        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "create a pipe");
        _cleanup_close_ int pipe_read = pipe_fds[0];
        _cleanup_close_ int pipe_write = pipe_fds[1];

        pid_t criu = fork();
        if (criu < 0)
                return error_set_errno(error, errno, "fork criu");
        if (criu == 0)
                criu_child(o, server, pipe_write);
        close(steal_fd(&server));
        close(steal_fd(&pipe_write));

        int status = 0;
        child_failure failure;
        ssize_t n;
        do
                n = read(pipe_read, &failure, sizeof(failure));
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t) sizeof(failure)) {
                wait_exit(criu, &status);
                failure.what[sizeof(failure.what) - 1] = '\0';
                if (strcmp(failure.what, "exec") == 0)
                        return error_set_errno(error, failure.errnum,
                                               "run `%s` (the CRIU binary; install the Debian "
                                               "package criu or name it with --criu)",
                                               o->criu_path ? o->criu_path : "criu");
                return error_set_errno(error, failure.errnum, "start criu: %s", failure.what);
        }

        pid_t restored = 0;
        r = converse(o, sock, &req, &restored, error);
        /* CRIU ends once our end closes (a pre-dump leaves it waiting for
         * the next request in the series; runc ends it the same way). */
        close(steal_fd(&sock));
        int w = wait_exit(criu, &status);
        if (r == -EPIPE || (r == 0 && o->action != CRIU_ACTION_PRE_DUMP && w == 0 && status != 0)) {
                char how[64];
                describe_status(status, how, sizeof(how));
                if (restored > 0) {
                        kill(restored, SIGKILL);
                        waitpid(restored, NULL, 0);
                }
                return criu_failed(o, EIO, how, NULL, error);
        }
        if (r < 0)
                return r;
        if (ret_pid)
                *ret_pid = restored;
        return 0;
}
