/* The runtime root and the per-container state directories beneath it:
 * creation with safe modes, locking, atomic state.json updates, and deriving
 * a container's status from its init process rather than trusting what was
 * last written. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "error.h"
#include "id_maps.h"
#include "state.h"
#include "util/proc.h"
#include "util/strings.h"

#define CONTAINER_ID_MAX 1024

int ocirun_container_id_validate(const char *id, ocirun_error **error)
{
        size_t len = id ? strlen(id) : 0;
        bool valid = len > 0 && len <= CONTAINER_ID_MAX;

        for (size_t i = 0; valid && i < len; i++) {
                char c = id[i];
                bool alnum =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                valid = alnum || (i > 0 && strchr("_.+-", c));
        }
        if (valid)
                return 0;
        if (len == 0)
                return error_set(error, EINVAL, "container id must not be empty");
        _cleanup_free_ char *quoted = str_quote(id, 64);
        if (len > CONTAINER_ID_MAX)
                return error_set(error, EINVAL, "invalid container id %s: longer than %d bytes",
                                 quoted ? quoted : "", CONTAINER_ID_MAX);
        return error_set(error, EINVAL,
                         "invalid container id %s: it must start with a letter or digit and "
                         "contain only letters, digits, '_', '.', '+' and '-'",
                         quoted ? quoted : "");
}

/* mkdir -p with mode for the last component only; parents get 0755 like
 * /run itself. */
static int mkdir_parents(const char *path, mode_t mode)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int ocirun_root_open(const char *path, bool create, ocirun_root **ret, ocirun_error **error)
{
        _cleanup_(ocirun_root_freep) ocirun_root *root = calloc(1, sizeof(*root));
        if (!root)
                return error_set(error, ENOMEM, "out of memory");
        root->fd = -1;

        if (str_empty(path))
                return error_set(error, EINVAL, "the runtime root must not be empty");
        if (path[0] == '/') {
                root->path = strdup(path);
        } else {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)))
                        return error_set_errno(error, errno, "resolve runtime root `%s`", path);
                if (asprintf(&root->path, "%s/%s", cwd, path) < 0)
                        root->path = NULL;
        }
        if (!root->path)
                return error_set(error, ENOMEM, "out of memory");

        if (create) {
                int r = mkdir_parents(root->path, 0700);
                if (r < 0)
                        return error_set_errno(error, -r, "create runtime root `%s`", root->path);
        }
        root->fd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root->fd < 0 && (create || errno != ENOENT))
                return error_set_errno(error, errno, "open runtime root `%s`", root->path);

        *ret = steal_pointer(&root);
        return 0;
}

/* runc's rule: XDG_RUNTIME_DIR belongs to whoever is not the host's root,
 * and to root in a user namespace unless USER says root (sudo keeps it). */
static bool runtime_dir_is_callers(const char *runtime_dir)
{
        if (str_empty(runtime_dir))
                return false;
        if (geteuid() != 0)
                return true;
        if (!id_maps_caller_is_rootless())
                return false;
        const char *user = getenv("USER");
        return !user || strcmp(user, "root") != 0;
}

int ocirun_default_root(char **ret, ocirun_error **error)
{
        const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
        if (!runtime_dir_is_callers(runtime_dir)) {
                *ret = strdup(OCIRUN_DEFAULT_ROOT);
                return *ret ? 0 : OOM(error);
        }
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/ocirun", runtime_dir) < 0)
                return OOM(error);
        /* Made now, for every command, as runc does: the sticky bit keeps
         * it from the periodic clean-up of runtime directories that the XDG
         * spec allows. */
        int r = mkdir_parents(path, 0700);
        if (r < 0)
                return error_set_errno(error, -r, "create runtime root `%s` (in XDG_RUNTIME_DIR)",
                                       path);
        if (chmod(path, 01700) < 0)
                return error_set_errno(error, errno, "chmod runtime root `%s`", path);
        *ret = steal_pointer(&path);
        return 0;
}

void ocirun_root_free(ocirun_root *root)
{
        if (!root)
                return;
        if (root->fd >= 0)
                close(root->fd);
        free(root->path);
        free(root);
}

void ocirun_root_freep(ocirun_root **root)
{
        ocirun_root_free(*root);
        *root = NULL;
}

const char *ocirun_root_path(const ocirun_root *root)
{
        return root->path;
}

static int lock_dir(int dirfd, int lock, const char *id, ocirun_error **error)
{
        while (flock(dirfd, lock) < 0) {
                if (errno != EINTR)
                        return error_set_errno(error, errno, "lock container `%s`", id);
        }
        return 0;
}

int state_dir_create(ocirun_root *root, const char *id, int *ret_dirfd, ocirun_error **error)
{
        int r = ocirun_container_id_validate(id, error);
        if (r < 0)
                return r;
        if (root->fd < 0)
                return error_set(error, ENOENT, "runtime root `%s` does not exist", root->path);
        if (mkdirat(root->fd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return error_set(error, EEXIST, "container `%s` already exists", id);
                return error_set_errno(error, errno, "create state directory `%s/%s`", root->path,
                                       id);
        }
        _cleanup_close_ int dirfd = openat(root->fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return error_set_errno(error, errno, "open state directory `%s/%s`", root->path,
                                       id);
        r = lock_dir(dirfd, LOCK_EX, id, error);
        if (r < 0)
                return r;
        *ret_dirfd = steal_fd(&dirfd);
        return 0;
}

int state_dir_open(ocirun_root *root, const char *id, int lock, int *ret_dirfd,
                   ocirun_error **error)
{
        int r = ocirun_container_id_validate(id, error);
        if (r < 0)
                return r;
        if (root->fd < 0)
                return error_set(error, ENOENT, "container `%s` does not exist", id);
        _cleanup_close_ int dirfd = openat(root->fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
                if (errno == ENOENT)
                        return error_set(error, ENOENT, "container `%s` does not exist", id);
                return error_set_errno(error, errno, "open state directory `%s/%s`", root->path,
                                       id);
        }
        r = lock_dir(dirfd, lock, id, error);
        if (r < 0)
                return r;
        /* A delete that held the lock before us has unlinked the directory. */
        struct stat st;
        if (fstat(dirfd, &st) < 0)
                return error_set_errno(error, errno, "stat state directory of `%s`", id);
        if (st.st_nlink == 0)
                return error_set(error, ENOENT, "container `%s` does not exist", id);
        *ret_dirfd = steal_fd(&dirfd);
        return 0;
}

/* Removes what dir holds: files, and the directories one level down that
 * create makes (the notify socket's). */
static int remove_contents(int fd, int depth, const char *path, ocirun_error **error)
{
        DIR *dir = fdopendir(fd);
        if (!dir) {
                close(fd);
                return error_set_errno(error, errno, "read `%s`", path);
        }
        int r = 0;
        for (struct dirent *entry; r == 0 && (entry = readdir(dir));) {
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                        continue;
                struct stat st;
                bool is_dir = entry->d_type == DT_DIR ||
                              (entry->d_type == DT_UNKNOWN &&
                               fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                               S_ISDIR(st.st_mode));
                if (is_dir && depth > 0) {
                        _cleanup_free_ char *sub = NULL;
                        if (asprintf(&sub, "%s/%s", path, entry->d_name) < 0) {
                                r = error_set(error, ENOMEM, "out of memory");
                                break;
                        }
                        int subfd = openat(dirfd(dir), entry->d_name,
                                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = subfd < 0 ? error_set_errno(error, errno, "open `%s`", sub)
                                      : remove_contents(subfd, depth - 1, sub, error);
                        if (r == 0 && unlinkat(dirfd(dir), entry->d_name, AT_REMOVEDIR) < 0 &&
                            errno != ENOENT)
                                r = error_set_errno(error, errno, "remove `%s`", sub);
                } else if (unlinkat(dirfd(dir), entry->d_name, 0) < 0 && errno != ENOENT) {
                        r = error_set_errno(error, errno, "remove `%s/%s`", path, entry->d_name);
                }
        }
        closedir(dir);
        return r;
}

int state_dir_remove(ocirun_root *root, const char *id, ocirun_error **error)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", root->path, id) < 0)
                return error_set(error, ENOMEM, "out of memory");
        int fd = openat(root->fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return error_set_errno(error, errno, "open state directory `%s`", path);
        }
        int r = remove_contents(fd, 1, path, error);
        if (r < 0)
                return r;
        if (unlinkat(root->fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return error_set_errno(error, errno, "remove state directory `%s`", path);
        return 0;
}

/* Writes data to name in the state directory through a temporary file and
 * a rename. The caller holds the exclusive lock, so one fixed temporary
 * name per file is enough; O_TRUNC clears a leftover of a crashed writer. */
static int write_file_atomically(int dirfd, const char *name, const char *data, size_t len)
{
        char temp_name[64];
        snprintf(temp_name, sizeof(temp_name), ".%s.tmp", name);
        _cleanup_close_ int fd =
            openat(dirfd, temp_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < len;) {
                ssize_t n = write(fd, data + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t) n;
        }
        if (renameat(dirfd, temp_name, dirfd, name) < 0)
                return -errno;
        return 0;
}

int state_write(int dirfd, const ocispec_runtime_state *state, ocirun_error **error)
{
        _cleanup_free_ char *json = NULL;
        char *message = NULL;
        size_t len = 0;

        int r = ocispec_runtime_state_generate(state, 0, &json, &len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        r = write_file_atomically(dirfd, STATE_FILE, json, len);
        if (r < 0)
                return error_set_errno(error, -r, "write state of `%s`", state->id);
        return 0;
}

int state_write_config(int dirfd, const ocispec_config *config, ocirun_error **error)
{
        _cleanup_free_ char *json = NULL;
        char *message = NULL;
        size_t len = 0;

        int r = ocispec_config_generate(config, 0, &json, &len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        r = write_file_atomically(dirfd, CONFIG_FILE, json, len);
        if (r < 0)
                return error_set_errno(error, -r, "save the config of the container");
        return 0;
}

int state_read_config(int dirfd, const char *id, ocispec_config **ret, ocirun_error **error)
{
        char path[64];
        char *message = NULL;

        snprintf(path, sizeof(path), "/proc/self/fd/%d/" CONFIG_FILE, dirfd);
        int r = ocispec_config_parse_file(path, "config.json", ret, &message);
        if (r < 0) {
                error_take_message(error, -r, message);
                return error_prefix(error, "read the config of `%s`", id);
        }
        return 0;
}

int state_read(int dirfd, const char *id, ocispec_runtime_state **ret, ocirun_error **error)
{
        char path[64];
        char *message = NULL;

        /* /proc/self/fd keeps the read relative to the locked directory fd. */
        snprintf(path, sizeof(path), "/proc/self/fd/%d/" STATE_FILE, dirfd);
        int r = ocispec_runtime_state_parse_file(path, STATE_FILE, ret, &message);
        if (r == -ENOENT) {
                free(message);
                return error_set(error, ENOENT, "container `%s` is still being created", id);
        }
        if (r < 0) {
                error_take_message(error, -r, message);
                return error_prefix(error, "read state of `%s`", id);
        }
        return 0;
}

void state_refresh_status(ocispec_runtime_state *state)
{
        static char stopped[] = "stopped";
        uint64_t start_time;
        char proc_state;
        bool alive = false;

        if (state->has_pid && state->pid > 0 &&
            proc_stat_start_time(state->pid, &start_time, &proc_state) == 0)
                alive = proc_state != 'Z' && proc_state != 'X' &&
                        (!state->has_init_start_time || start_time == state->init_start_time);
        if (state->status && strcmp(state->status, "stopped") == 0)
                return;
        /* Paused is not written down: the freezer is the truth, and a
         * container thawed behind our back reads as running again. */
        const char *now = !alive                                 ? stopped
                          : cgroup_is_frozen(state)              ? "paused"
                          : strcmp(state->status, "paused") == 0 ? "running"
                                                                 : state->status;
        if (state->status && strcmp(state->status, now) == 0)
                return;
        char *status = strdup(now);
        if (!status)
                return;
        free(state->status);
        state->status = status;
}

int state_load(ocirun_root *root, const char *id, int lock, int *ret_dirfd,
               ocispec_runtime_state **ret, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        int r = state_dir_open(root, id, lock, &dirfd, error);
        if (r == 0)
                r = state_read(dirfd, id, ret, error);
        if (r < 0)
                return r;
        state_refresh_status(*ret);
        *ret_dirfd = steal_fd(&dirfd);
        return 0;
}

int ocirun_container_state(ocirun_root *root, const char *id, ocispec_runtime_state **ret,
                           ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        return state_load(root, id, LOCK_SH, &dirfd, ret, error);
}

void ocirun_container_list_free(ocirun_container_list *list)
{
        if (!list)
                return;
        for (size_t i = 0; i < list->len; i++)
                ocispec_runtime_state_free(list->states[i]);
        free(list->states);
        free(list);
}

void ocirun_container_list_freep(ocirun_container_list **list)
{
        ocirun_container_list_free(*list);
        *list = NULL;
}

static int compare_by_id(const void *a, const void *b)
{
        const ocispec_runtime_state *const *x = a, *const *y = b;
        return strcmp((*x)->id, (*y)->id);
}

int ocirun_container_list_all(ocirun_root *root, ocirun_container_list **ret, ocirun_error **error)
{
        _cleanup_(ocirun_container_list_freep) ocirun_container_list *list =
            calloc(1, sizeof(*list));
        if (!list)
                return error_set(error, ENOMEM, "out of memory");
        if (root->fd < 0) {
                *ret = steal_pointer(&list);
                return 0;
        }

        int fd = openat(root->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "read runtime root `%s`", root->path);
        DIR *dir = fdopendir(fd);
        if (!dir) {
                close(fd);
                return error_set_errno(error, errno, "read runtime root `%s`", root->path);
        }
        for (struct dirent *entry; (entry = readdir(dir));) {
                _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                ocispec_runtime_state *state = NULL;

                if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN)
                        continue;
                if (ocirun_container_id_validate(entry->d_name, &ignored) < 0)
                        continue;
                /* A container being created or deleted right now is not
                 * listed, as runc does; list never fails because of one. */
                if (ocirun_container_state(root, entry->d_name, &state, &ignored) < 0) {
                        ocirun_log(OCIRUN_LOG_DEBUG, "list: skip %s: %s", entry->d_name,
                                   ignored->message);
                        continue;
                }
                ocispec_runtime_state **grown =
                    realloc(list->states, (list->len + 1) * sizeof(*grown));
                if (!grown) {
                        ocispec_runtime_state_free(state);
                        closedir(dir);
                        return error_set(error, ENOMEM, "out of memory");
                }
                list->states = grown;
                list->states[list->len++] = state;
        }
        closedir(dir);
        if (list->len > 1)
                qsort(list->states, list->len, sizeof(*list->states), compare_by_id);
        *ret = steal_pointer(&list);
        return 0;
}

/* runc writes the pid file through a temporary name too: an engine that
 * polls for it never reads a half-written number. */
int state_write_pid_file(const char *path, pid_t pid, ocirun_error **error)
{
        _cleanup_free_ char *temp = NULL;
        char value[32];
        int len = snprintf(value, sizeof(value), "%d", (int) pid);

        if (asprintf(&temp, "%s.ocirun-tmp", path) < 0)
                return error_set(error, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, value, (size_t) len) != len)
                return error_set_errno(error, errno, "write pid file `%s`", path);
        if (rename(temp, path) < 0) {
                int saved = errno;
                unlink(temp);
                return error_set_errno(error, saved, "write pid file `%s`", path);
        }
        return 0;
}

ocispec_state state_oci_view(const ocispec_runtime_state *state, const char *status)
{
        return (ocispec_state){
            .oci_version = state->oci_version,
            .id = state->id,
            .status = (char *) status,
            .pid = state->pid,
            .has_pid = state->has_pid,
            .bundle = state->bundle,
            .annotations = state->annotations,
        };
}

/* A pidfd for the container's init, checked against the recorded start
 * time after it was opened: from then on it cannot name another process. */
int state_open_init_pidfd(const ocispec_runtime_state *state, int *ret_pidfd, ocirun_error **error)
{
        uint64_t start_time;
        char proc_state;

        if (!state->has_pid || state->pid <= 0)
                return error_set(error, ESRCH, "container `%s` has no init process", state->id);
        int pidfd = (int) syscall(SYS_pidfd_open, state->pid, 0);
        if (pidfd < 0) {
                if (errno == ESRCH)
                        return error_set(error, ESRCH, "container `%s` is not running", state->id);
                return error_set_errno(error, errno, "open a pidfd for pid %d", state->pid);
        }
        if (proc_stat_start_time(state->pid, &start_time, &proc_state) < 0 ||
            (state->has_init_start_time && start_time != state->init_start_time) ||
            proc_state == 'Z') {
                close(pidfd);
                return error_set(error, ESRCH, "container `%s` is not running", state->id);
        }
        *ret_pidfd = pidfd;
        return 0;
}
