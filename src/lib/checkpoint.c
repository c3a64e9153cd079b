/* checkpoint and restore: what of a container CRIU must be told, and what
 * the state becomes around it. CRIU saves and recreates the processes and
 * every mount namespace it can see into; what lies outside the container
 * it is told about as external: bind mounts and device nodes from the host
 * (by mount point at dump, mapped back to their sources at restore),
 * network and pid namespaces joined by path, the pipes the engine gave the
 * init as stdio (descriptors.json in the image, as runc writes it), and
 * the console, whose new master CRIU hands over for the console socket.
 * Restore is a create whose init comes from CRIU: the same job makes the
 * state directory and the cgroup with its limits, and undoes them if CRIU
 * fails. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup.h"
#include "container_create.h"
#include "criu.h"
#include "error.h"
#include "hooks.h"
#include "mounts.h"
#include "namespaces.h"
#include "rootfs.h"
#include "state.h"
#include "terminal.h"
#include "util/strings.h"

#define DESCRIPTORS_FILE "descriptors.json"
#define CRIU_ROOT_DIR "criu-root"
#define DEFAULT_IMAGE_PATH "checkpoint"

/* The device nodes every container gets; with a user namespace they are
 * bind mounts of the host's, so CRIU must know them as external. */
static const char *const default_devices[] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
};

#ifndef HAVE_CRIU_RPC
int criu_run(const criu_options *options, pid_t *ret_pid, ocirun_error **error)
{
        return error_set(error, ENOTSUP,
                         "this ocirun was built without CRIU support (it needs the Debian packages "
                         "criu, libprotobuf-c-dev and protobuf-c-compiler at build time)");
}
#endif

/* ---- directories ------------------------------------------------------- */

/* Opens path as a directory (made first, mode 0700, when create) and gives
 * its absolute name. */
static int open_directory(const char *what, const char *path, bool create, int *ret_fd,
                          char **ret_path, ocirun_error **error)
{
        if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
                return error_set_errno(error, errno, "%s `%s`", what, path);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "%s `%s`", what, path);
        char resolved[PATH_MAX];
        if (!realpath(path, resolved))
                return error_set_errno(error, errno, "%s `%s`", what, path);
        *ret_path = strdup(resolved);
        if (!*ret_path)
                return error_set(error, ENOMEM, "out of memory");
        *ret_fd = steal_fd(&fd);
        return 0;
}

/* The image directory (made for a checkpoint, which must exist for a
 * restore) and the work directory, which defaults to it and is always made. */
typedef struct criu_dirs {
        int images_fd;
        int work_fd;
        char *images_path;
        char *work_path;
} criu_dirs;

static void criu_dirs_clear(criu_dirs *d)
{
        closep(&d->images_fd);
        closep(&d->work_fd);
        free(d->images_path);
        free(d->work_path);
}

static int criu_dirs_open(criu_dirs *d, const char *image_path, const char *work_path,
                          bool make_images, ocirun_error **error)
{
        const char *images = image_path ? image_path : DEFAULT_IMAGE_PATH;
        int r = open_directory("image path", images, make_images, &d->images_fd, &d->images_path,
                               error);
        if (r == 0)
                r = open_directory("work path", work_path ? work_path : images, true, &d->work_fd,
                                   &d->work_path, error);
        return r;
}

/* ---- what CRIU is told --------------------------------------------------- */

/* Growable arrays of the criu_options lists, freed together. */
typedef struct criu_lists {
        criu_pair *ext_mounts;
        size_t n_ext_mounts;
        criu_pair *cgroup_roots;
        size_t n_cgroup_roots;
        criu_pair *join_namespaces;
        size_t n_join_namespaces;
        criu_inherit *inherit;
        size_t n_inherit;
        const char **externals;
        size_t n_externals;
        char **strings; /* what the lists point to that we allocated */
        size_t n_strings;
        int *fds;
        size_t n_fds;
} criu_lists;

static void criu_lists_clear(criu_lists *l)
{
        for (size_t i = 0; i < l->n_strings; i++)
                free(l->strings[i]);
        for (size_t i = 0; i < l->n_fds; i++)
                close(l->fds[i]);
        free(l->strings);
        free(l->fds);
        free(l->ext_mounts);
        free(l->cgroup_roots);
        free(l->join_namespaces);
        free(l->inherit);
        free(l->externals);
}

static int grow(void **array, size_t n, size_t size)
{
        void *bigger = realloc(*array, (n + 1) * size);
        if (!bigger)
                return -ENOMEM;
        *array = bigger;
        return 0;
}

/* Keeps a malloc'ed string (NULL: ENOMEM) for as long as the lists. */
static const char *keep_string(criu_lists *l, char *s)
{
        if (!s || grow((void **) &l->strings, l->n_strings, sizeof(char *)) < 0) {
                free(s);
                return NULL;
        }
        l->strings[l->n_strings++] = s;
        return s;
}

static int add_pair(criu_pair **array, size_t *n, const char *key, const char *value)
{
        if (!value || grow((void **) array, *n, sizeof(criu_pair)) < 0)
                return -ENOMEM;
        (*array)[(*n)++] = (criu_pair){key, value};
        return 0;
}

static int add_inherit(criu_lists *l, const char *key, int fd)
{
        if (!key || grow((void **) &l->inherit, l->n_inherit, sizeof(criu_inherit)) < 0)
                return -ENOMEM;
        l->inherit[l->n_inherit++] = (criu_inherit){key, fd};
        return 0;
}

/* For a bind mount of the config, its source on this host (a relative one
 * is relative to the bundle, as at create) in *ret_source; NULL for any
 * other mount. */
static int bind_mount_source(const ocispec_mount *m, const char *bundle, char **ret_source,
                             ocirun_error **error)
{
        mount_options options;
        *ret_source = NULL;
        if (mount_options_parse(m->options, m->options_len, &options) < 0)
                return error_set(error, ENOMEM, "out of memory");
        bool bind = mount_is_bind(m->type, &options);
        mount_options_done(&options);
        if (!bind || !m->source)
                return 0;
        *ret_source = rootfs_bind_source_path(bundle, m);
        return *ret_source ? 0 : error_set(error, ENOMEM, "out of memory");
}

/* The bind mounts of the config and the device nodes: at dump, each mount
 * point is its own key; at restore, the key maps to the source on this
 * host (a relative source is relative to the bundle, as at create). */
static int add_external_mounts(criu_lists *l, const ocispec_config *config, const char *bundle,
                               bool restore, ocirun_error **error)
{
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                char *source;
                int r = bind_mount_source(m, bundle, &source, error);
                if (r < 0)
                        return r;
                if (!source)
                        continue;
                const char *value = m->destination;
                if (restore)
                        value = keep_string(l, source);
                else
                        free(source);
                if (add_pair(&l->ext_mounts, &l->n_ext_mounts, m->destination, value) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        const ocispec_linux *linux_config = config->linux;
        size_t n_devices = linux_config ? linux_config->devices_len : 0;
        for (size_t i = 0; i < n_devices + sizeof(default_devices) / sizeof(*default_devices);
             i++) {
                const char *path =
                    i < n_devices ? linux_config->devices[i].path : default_devices[i - n_devices];
                if (add_pair(&l->ext_mounts, &l->n_ext_mounts, path, path) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        return 0;
}

/* CRIU's key for a namespace the container joined by path: the same at
 * dump and restore (runc's names, so images move between runtimes). */
static const char *external_namespace_key(const char *type)
{
        if (strcmp(type, "network") == 0)
                return "extRootNetNS";
        if (strcmp(type, "pid") == 0)
                return "extRootPidNS";
        return NULL;
}

static const char *criu_namespace_name(const char *type)
{
        return strcmp(type, "network") == 0 ? "net" : strcmp(type, "pid") == 0 ? "pid" : type;
}

/* Namespaces given by path. Dump: network and pid ones are external
 * ("net[INODE]:extRootNetNS"), left alone by CRIU. Restore: those are
 * handed back as open fds under the same key; ipc, uts and user ones are
 * joined; a mount or cgroup namespace by path CRIU cannot restore into. */
static int add_namespaces(criu_lists *l, const ocispec_config *config, bool restore,
                          ocirun_error **error)
{
        const ocispec_linux *linux_config = config->linux;
        for (size_t i = 0; linux_config && i < linux_config->namespaces_len; i++) {
                const ocispec_namespace_reference *ns = &linux_config->namespaces[i];
                if (str_empty(ns->path))
                        continue;
                const char *key = external_namespace_key(ns->type);
                if (key && !restore) {
                        struct stat st;
                        char *external = NULL;
                        if (stat(ns->path, &st) < 0)
                                return error_set_errno(error, errno,
                                                       "config.json: linux.namespaces[%zu].path: "
                                                       "`%s`",
                                                       i, ns->path);
                        if (asprintf(&external, "%s[%lu]:%s", criu_namespace_name(ns->type),
                                     (unsigned long) st.st_ino, key) < 0)
                                external = NULL;
                        if (!keep_string(l, external) ||
                            grow((void **) &l->externals, l->n_externals, sizeof(char *)) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        l->externals[l->n_externals++] = external;
                } else if (key) {
                        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return error_set_errno(error, errno,
                                                       "config.json: linux.namespaces[%zu].path: "
                                                       "`%s`",
                                                       i, ns->path);
                        if (grow((void **) &l->fds, l->n_fds, sizeof(int)) < 0) {
                                close(fd);
                                return error_set(error, ENOMEM, "out of memory");
                        }
                        l->fds[l->n_fds++] = fd;
                        if (add_inherit(l, key, fd) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                } else if (restore &&
                           (strcmp(ns->type, "ipc") == 0 || strcmp(ns->type, "uts") == 0 ||
                            strcmp(ns->type, "user") == 0)) {
                        if (add_pair(&l->join_namespaces, &l->n_join_namespaces, ns->type,
                                     ns->path) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                } else if (restore) {
                        return error_set(error, ENOTSUP,
                                         "config.json: linux.namespaces[%zu]: CRIU cannot restore "
                                         "into a %s namespace given by path",
                                         i, ns->type);
                }
        }
        return 0;
}

/* Where CRIU puts the restored cgroups: the container's new cgroup in each
 * hierarchy, by controller list on v1, for all controllers on a cgroup2-only
 * host. */
static int add_cgroup_roots(criu_lists *l, const ocispec_runtime_state *state, ocirun_error **error)
{
        __attribute__((cleanup(cgroup_layout_clear))) cgroup_layout layout = {0};
        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        bool any_v1 = false;
        for (size_t i = 0; i < layout.len; i++) {
                const cgroup_hierarchy *h = &layout.items[i];
                const char *path = ocispec_string_map_get(state->cgroup_paths, h->mount_point);
                if (!h->controllers || !*h->controllers || !path)
                        continue;
                any_v1 = true;
                if (add_pair(&l->cgroup_roots, &l->n_cgroup_roots,
                             keep_string(l, strdup(h->controllers)), path) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        if (!any_v1 && layout.unified) {
                const char *path =
                    ocispec_string_map_get(state->cgroup_paths, layout.unified->mount_point);
                if (path && add_pair(&l->cgroup_roots, &l->n_cgroup_roots, NULL, path) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        return 0;
}

/* The cgroup CRIU freezes the container with (instead of stopping each
 * task with ptrace): the v1 freezer, or the container's cgroup2 directory. */
static char *freezer_dir(const ocispec_runtime_state *state)
{
        __attribute__((cleanup(cgroup_layout_clear))) cgroup_layout layout = {0};
        char *dir = NULL;
        if (cgroup_layout_read(&layout, state, NULL) < 0)
                return NULL;
        if (cgroup_layout_dir(&layout, "freezer", &dir) == CGROUP_V1)
                return dir;
        free(dir);
        if (cgroup_layout_dir(&layout, NULL, &dir) == CGROUP_V2)
                return dir;
        free(dir);
        return NULL;
}

/* ---- descriptors.json -------------------------------------------------------- */

/* What the init's fds 0-2 were ("pipe:[1234]", "/dev/null"): at restore,
 * the pipes among them are replaced by the restoring caller's stdio. */
static int write_descriptors(int images_fd, pid_t pid, ocirun_error **error)
{
        yajl_gen gen = yajl_gen_alloc(NULL);
        if (!gen)
                return error_set(error, ENOMEM, "out of memory");
        yajl_gen_array_open(gen);
        for (int fd = 0; fd < 3; fd++) {
                char link[64], target[PATH_MAX];
                snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int) pid, fd);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                if (n < 0)
                        n = 0; /* closed: recorded as "", never inherited */
                yajl_gen_string(gen, (const unsigned char *) target, (size_t) n);
        }
        yajl_gen_array_close(gen);
        const unsigned char *json;
        size_t len;
        yajl_gen_get_buf(gen, &json, &len);

        int r = 0;
        _cleanup_close_ int fd =
            openat(images_fd, DESCRIPTORS_FILE,
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || write(fd, json, len) != (ssize_t) len)
                r = error_set_errno(error, errno, "write %s in the image directory",
                                    DESCRIPTORS_FILE);
        yajl_gen_free(gen);
        return r;
}

/* The pipes of descriptors.json, to inherit as our fds 0-2. A checkpoint
 * without the file (made by plain criu) restores its stdio as recorded. */
static int read_descriptors(criu_lists *l, int images_fd, ocirun_error **error)
{
        _cleanup_close_ int fd = openat(images_fd, DESCRIPTORS_FILE, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0
                                       : error_set_errno(error, errno, "read %s", DESCRIPTORS_FILE);
        char text[3 * PATH_MAX + 64], message[128] = "";
        ssize_t n = read(fd, text, sizeof(text) - 1);
        if (n < 0)
                return error_set_errno(error, errno, "read %s", DESCRIPTORS_FILE);
        text[n] = '\0';
        yajl_val tree = yajl_tree_parse(text, message, sizeof(message));
        if (!tree || !YAJL_IS_ARRAY(tree)) {
                yajl_tree_free(tree);
                return error_set(error, EINVAL, "%s: expected an array of strings",
                                 DESCRIPTORS_FILE);
        }
        int r = 0;
        for (size_t i = 0; i < tree->u.array.len && i < 3 && r == 0; i++) {
                const char *target = YAJL_GET_STRING(tree->u.array.values[i]);
                if (target && strncmp(target, "pipe:", 5) == 0 &&
                    add_inherit(l, keep_string(l, strdup(target)), (int) i) < 0)
                        r = error_set(error, ENOMEM, "out of memory");
        }
        yajl_tree_free(tree);
        return r;
}

/* ---- checkpoint -------------------------------------------------------------- */

static int parse_page_server(const char *spec, char **ret_address, int *ret_port,
                             ocirun_error **error)
{
        const char *colon = strrchr(spec, ':');
        char *end;
        long port = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == spec || !colon[1] || *end || port <= 0 || port > 65535)
                return error_set(error, EINVAL, "--page-server: expected ADDRESS:PORT, got `%s`",
                                 spec);
        *ret_address = strndup(spec, (size_t) (colon - spec));
        if (!*ret_address)
                return error_set(error, ENOMEM, "out of memory");
        *ret_port = (int) port;
        return 0;
}

static int parse_cgroup_mode(const char *name, criu_cgroup_mode *ret, ocirun_error **error)
{
        *ret = CRIU_CGROUP_MODE_UNSET;
        if (name && criu_cgroup_mode_parse(name, ret) < 0)
                return error_set(error, EINVAL,
                                 "--manage-cgroups-mode: `%s` is not one of soft, full, strict, "
                                 "ignore",
                                 name);
        return 0;
}

int ocirun_container_checkpoint(ocirun_root *root, const char *id,
                                const ocirun_checkpoint_options *o, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        __attribute__((cleanup(criu_dirs_clear))) criu_dirs dirs = {.images_fd = -1, .work_fd = -1};
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        _cleanup_free_ char *freeze = NULL;
        _cleanup_free_ char *page_server_address = NULL;
        __attribute__((cleanup(criu_lists_clear))) criu_lists lists = {0};
        criu_cgroup_mode cgroup_mode;
        int page_server_port = 0;

        int r = parse_cgroup_mode(o->manage_cgroups_mode, &cgroup_mode, error);
        if (r == 0 && o->page_server)
                r = parse_page_server(o->page_server, &page_server_address, &page_server_port,
                                      error);
        if (r < 0)
                return r;
        r = state_load(root, id, LOCK_EX, &dirfd, &state, error);
        if (r < 0)
                return r;
        /* A paused container is checkpointed as it is, as runc does:
         * containerd pauses the task first so that its rootfs diff and the
         * images match, and CRIU takes the frozen cgroup as it finds it
         * (and leaves it frozen with --leave-running). */
        if (strcmp(state->status, "running") != 0 && strcmp(state->status, "paused") != 0)
                return error_set(error, EINVAL, "cannot checkpoint container `%s`: it is %s", id,
                                 state->status);
        r = state_read_config(dirfd, id, &config, error);
        if (r < 0)
                return r;

        r = criu_dirs_open(&dirs, o->image_path, o->work_path, true, error);
        if (r < 0)
                return error_prefix(error, "checkpoint %s", id);
        if (o->parent_path) {
                _cleanup_close_ int parent =
                    openat(dirs.images_fd, o->parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        return error_set_errno(error, errno,
                                               "checkpoint %s: --parent-path `%s` (relative to "
                                               "the image path `%s`)",
                                               id, o->parent_path, dirs.images_path);
        }
        /* A pre-dump saves memory only; the final dump records the rest. */
        if (!o->pre_dump) {
                r = write_descriptors(dirs.images_fd, state->pid, error);
                if (r == 0)
                        r = add_external_mounts(&lists, config, state->bundle, false, error);
                if (r < 0)
                        return error_prefix(error, "checkpoint %s", id);
        }
        r = add_namespaces(&lists, config, false, error);
        if (r < 0)
                return error_prefix(error, "checkpoint %s", id);
        freeze = freezer_dir(state);

        criu_options criu = {
            .action = o->pre_dump ? CRIU_ACTION_PRE_DUMP : CRIU_ACTION_DUMP,
            .criu_path = o->criu_path,
            .images_dir_fd = dirs.images_fd,
            .work_dir_fd = dirs.work_fd,
            .work_dir = dirs.work_path,
            .log_file = o->pre_dump ? "pre-dump.log" : "dump.log",
            .root = state->rootfs,
            .pid = state->pid,
            .parent_images = o->parent_path,
            .leave_running = o->leave_running || o->pre_dump,
            .tcp_established = o->tcp_established,
            .ext_unix_sk = o->ext_unix_sk,
            .shell_job = o->shell_job,
            .file_locks = o->file_locks,
            .auto_dedup = o->auto_dedup,
            .lazy_pages = o->lazy_pages,
            /* Memory tracking lets the next dump save only what changed. */
            .track_mem = o->pre_dump || o->parent_path,
            .cgroup_mode = cgroup_mode,
            /* As runc: the network namespace's devices and addresses are
             * the engine's (CNI, netavark), never saved with the container. */
            .empty_ns = o->empty_ns | CLONE_NEWNET,
            .freeze_cgroup = freeze,
            .page_server_address = page_server_address,
            .page_server_port = page_server_port,
            .ext_mounts = lists.ext_mounts,
            .n_ext_mounts = lists.n_ext_mounts,
            .externals = lists.externals,
            .n_externals = lists.n_externals,
        };
        r = criu_run(&criu, NULL, error);
        if (r < 0)
                return error_prefix(error, "checkpoint %s", id);
        if (o->leave_running || o->pre_dump)
                return 0;
        /* CRIU killed the processes after the dump: the container goes as
         * delete takes it down (poststop hooks, cgroup, state directory).
         * delete takes the lock itself. */
        close(steal_fd(&dirfd));
        return ocirun_container_delete(root, id, true, error);
}

/* Whether path is below (not at) a mount destination of the given type. */
static bool below_mount_of_type(const ocispec_config *config, const char *path, const char *type)
{
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                size_t len = strlen(m->destination);
                if (m->type && strcmp(m->type, type) == 0 &&
                    strncmp(path, m->destination, len) == 0 && path[len] == '/')
                        return true;
        }
        return false;
}

/* The mount points CRIU mounts on must exist in the rootfs, as create made
 * them: restoring into another container (a new overlay from an engine)
 * starts without the /etc/hosts a bind mount went on. What lies in a tmpfs,
 * /proc or /sys CRIU recreates itself (as runc, which prepares the same). */
static int prepare_mountpoints(const create_job *job, ocirun_error **error)
{
        _cleanup_close_ int root_fd = open(job->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_set_errno(error, errno, "open the rootfs `%s`", job->rootfs);
        const ocispec_config *config = job->config;
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                if ((m->type &&
                     (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) ||
                    below_mount_of_type(config, m->destination, "tmpfs") ||
                    below_mount_of_type(config, m->destination, "proc") ||
                    below_mount_of_type(config, m->destination, "sysfs"))
                        continue;
                path_create create = PATH_CREATE_DIRECTORY;
                _cleanup_free_ char *source = NULL;
                int r = bind_mount_source(m, job->bundle, &source, error);
                if (r < 0)
                        return r;
                if (source) {
                        struct stat st;
                        if (stat(source, &st) < 0)
                                return error_set_errno(error, errno,
                                                       "config.json: mounts[%zu].source: `%s`", i,
                                                       source);
                        if (!S_ISDIR(st.st_mode))
                                create = PATH_CREATE_FILE;
                }
                _cleanup_close_ int fd = -1;
                r = path_open_in_root(root_fd, m->destination, create, false, &fd, error);
                if (r < 0)
                        return error_prefix(error, "make the mount point of mounts[%zu]", i);
        }
        return 0;
}

/* ---- restore ------------------------------------------------------------------- */

typedef struct restore_context {
        create_job *job;
} restore_context;

static int run_restore_hooks(create_job *job, pid_t pid, ocirun_error **error)
{
        const ocispec_hooks *hooks = job->config->hooks;
        if (!hooks || (hooks->prestart_len == 0 && hooks->create_runtime_len == 0))
                return 0;
        job->state->pid = pid;
        job->state->has_pid = true;
        _cleanup_free_ char *json = NULL;
        size_t len;
        int r = container_hook_state_json(job->state, "creating", &json, &len, error);
        if (r < 0)
                return r;
        r = hooks_run_in("prestart", hooks->prestart, hooks->prestart_len, json, job->bundle,
                         error);
        if (r == 0)
                r = hooks_run_in("createRuntime", hooks->create_runtime, hooks->create_runtime_len,
                                 json, job->bundle, error);
        return r;
}

static int on_restore_notify(void *userdata, const char *script, pid_t pid, int fd,
                             ocirun_error **error)
{
        restore_context *ctx = userdata;
        _cleanup_close_ int passed = fd;
        if (strcmp(script, "setup-namespaces") == 0) {
                /* CRIU made the network namespace empty, lo down: up as at
                 * create, before the hooks that may configure it further. */
                const namespace_plan *plan = &ctx->job->plan;
                if ((plan->clone_flags | plan->unshare_flags) & CLONE_NEWNET) {
                        int r = namespaces_loopback_up_of(pid, error);
                        if (r < 0)
                                return r;
                }
                return run_restore_hooks(ctx->job, pid, error);
        }
        if (strcmp(script, "post-restore") == 0) {
                /* From here on a failure kills the restored init. */
                ctx->job->init = pid;
                return 0;
        }
        if (strcmp(script, "orphan-pts-master") == 0) {
                if (passed < 0)
                        return error_set(error, EPROTO, "criu sent no pty master");
                if (ctx->job->console_socket_fd < 0)
                        return error_set(error, EINVAL,
                                         "the checkpoint has a terminal: restore needs "
                                         "--console-socket");
                return terminal_send_fd(ctx->job->console_socket_fd, passed, error);
        }
        return 0;
}

/* CRIU wants the root as a mount point whose parent is not overmounted:
 * the rootfs is bound on a directory of the state directory for as long as
 * CRIU works (as runc does). It is a mount of the caller's namespace: CRIU
 * opens the work directory through our fds and mounts its cgroup yard
 * there, which fails from a mount namespace of its own. Its propagation is
 * left as the parent's, so that the unmount reaches wherever the mount
 * went. */
typedef struct criu_root_mount {
        char *path;
        int dirfd;
        bool mounted;
} criu_root_mount;

static void criu_root_mount_clear(criu_root_mount *m)
{
        if (m->mounted && umount2(m->path, MNT_DETACH) < 0)
                ocirun_log(OCIRUN_LOG_WARNING, "unmount %s: %m", m->path);
        if (m->dirfd >= 0)
                unlinkat(m->dirfd, CRIU_ROOT_DIR, AT_REMOVEDIR);
        free(m->path);
}

static int criu_root_mount_make(criu_root_mount *m, ocirun_root *root, create_job *job,
                                ocirun_error **error)
{
        if (mkdirat(job->dirfd, CRIU_ROOT_DIR, 0755) < 0)
                return error_set_errno(error, errno, "make %s", CRIU_ROOT_DIR);
        m->dirfd = job->dirfd;
        if (asprintf(&m->path, "%s/%s/%s", root->path, job->id, CRIU_ROOT_DIR) < 0) {
                m->path = NULL;
                return error_set(error, ENOMEM, "out of memory");
        }
        if (mount(job->rootfs, m->path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_set_errno(error, errno, "bind `%s` on `%s`", job->rootfs, m->path);
        m->mounted = true;
        return 0;
}

int ocirun_container_restore(ocirun_root *root, const char *id, const ocirun_restore_options *o,
                             pid_t *ret_pid, ocirun_error **error)
{
        __attribute__((cleanup(create_job_finish))) create_job job =
            CREATE_JOB_INIT(root, id, &o->create);
        __attribute__((cleanup(criu_lists_clear))) criu_lists lists = {0};
        __attribute__((cleanup(criu_dirs_clear))) criu_dirs dirs = {.images_fd = -1, .work_fd = -1};
        criu_cgroup_mode cgroup_mode;

        /* Everything that can be checked without touching the system first. */
        int r = parse_cgroup_mode(o->manage_cgroups_mode, &cgroup_mode, error);
        if (r < 0)
                return r;
        r = criu_dirs_open(&dirs, o->image_path, o->work_path, false, error);
        if (r == 0)
                r = read_descriptors(&lists, dirs.images_fd, error);
        if (r < 0)
                return error_prefix(error, "restore %s", id);

        r = create_job_prepare(&job, error);
        if (r == 0)
                r = add_external_mounts(&lists, job.config, job.bundle, true, error);
        if (r == 0)
                r = add_namespaces(&lists, job.config, true, error);
        if (r == 0)
                r = add_cgroup_roots(&lists, job.state, error);
        if (r == 0)
                r = prepare_mountpoints(&job, error);
        if (r < 0)
                return job.state ? error_prefix(error, "restore %s", id) : r;

        __attribute__((cleanup(criu_root_mount_clear))) criu_root_mount criu_root = {.dirfd = -1};
        r = criu_root_mount_make(&criu_root, root, &job, error);
        if (r < 0)
                return error_prefix(error, "restore %s", id);

        restore_context ctx = {.job = &job};
        criu_options criu = {
            .action = CRIU_ACTION_RESTORE,
            .criu_path = o->criu_path,
            .images_dir_fd = dirs.images_fd,
            .work_dir_fd = dirs.work_fd,
            .work_dir = dirs.work_path,
            .log_file = "restore.log",
            .root = criu_root.path,
            .tcp_established = o->tcp_established,
            .ext_unix_sk = o->ext_unix_sk,
            .shell_job = o->shell_job,
            .file_locks = o->file_locks,
            .auto_dedup = o->auto_dedup,
            .lazy_pages = o->lazy_pages,
            .lsm_profile = o->lsm_profile,
            .lsm_mount_context = o->lsm_mount_context,
            .cgroup_mode = cgroup_mode,
            .empty_ns = CLONE_NEWNET, /* what checkpoint left out */
            .ext_mounts = lists.ext_mounts,
            .n_ext_mounts = lists.n_ext_mounts,
            .inherit = lists.inherit,
            .n_inherit = lists.n_inherit,
            .cgroup_roots = lists.cgroup_roots,
            .n_cgroup_roots = lists.n_cgroup_roots,
            .join_namespaces = lists.join_namespaces,
            .n_join_namespaces = lists.n_join_namespaces,
            .cgroup_of = job.state,
            .on_notify = on_restore_notify,
            .userdata = &ctx,
        };
        pid_t pid = 0;
        r = criu_run(&criu, &pid, error);
        if (r == 0 && pid > 0)
                job.init = pid;
        if (r == 0 && job.init <= 0)
                r = error_set(error, EPROTO, "criu restored no process");
        if (r == 0)
                r = create_job_commit(&job, "running", error);
        if (r < 0)
                return error_prefix(error, "restore %s", id);
        if (ret_pid)
                *ret_pid = job.init;
        return 0;
}
