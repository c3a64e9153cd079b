/* The container's filesystem, in the order rootfs.h documents: the
 * propagation of / and the rootfs bind, every config mount in order, /dev,
 * pivot_root (or MS_MOVE + chroot), then masked paths, read-only paths, a
 * read-only root and the final propagation. This file owns that order and
 * what each config mount means (bind, new filesystem, cgroup, remount); the
 * mounting itself goes through mounts.c's fd-based primitives and /dev
 * through devices.c. Every destination is resolved inside the rootfs
 * relative to an fd of it, never by joining strings. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "error.h"
#include "mounts.h"
#include "lsm.h"
#include "rootfs.h"
#include "util/strings.h"

/* The pty slaves: UNIX98_PTY_SLAVE_MAJOR and the 7 majors after it. */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

typedef struct propagation_name {
        const char *name;
        unsigned long flags;
} propagation_name;

static const propagation_name propagation_names[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int propagation_from_name(const char *name, unsigned long *ret)
{
        for (size_t i = 0; i < sizeof(propagation_names) / sizeof(propagation_names[0]); i++)
                if (strcmp(propagation_names[i].name, name) == 0) {
                        *ret = propagation_names[i].flags;
                        return 0;
                }
        return -EINVAL;
}

/* The mounts of /proc that may be covered: files that lxcfs-like tools
 * emulate (runc's list). Anything else in /proc would let a bind hide what
 * the kernel shows there (CVE-2019-16884 class). */
static const char *const proc_covers_allowed[] = {
    "/proc/cpuinfo", "/proc/diskstats",
    "/proc/meminfo", "/proc/stat",
    "/proc/swaps",   "/proc/uptime",
    "/proc/loadavg", "/proc/slabinfo",
    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

static const char *mount_label(const ocispec_config *config)
{
        if (!config->linux || str_empty(config->linux->mount_label) || !lsm_selinux_enabled())
                return NULL;
        return config->linux->mount_label;
}

/* "/" + destination for the relative destinations runc still accepts. */
static char *absolute_destination(const char *destination)
{
        char *result = NULL;
        if (asprintf(&result, "%s%s", destination[0] == '/' ? "" : "/", destination) < 0)
                return NULL;
        return result;
}

static bool is_dev_destination(const char *destination)
{
        _cleanup_free_ char *clean = path_clean(destination);
        return clean && strcmp(clean, "/dev") == 0;
}

/* ---- rootfs_validate -------------------------------------------------- */

static int validate_mount(const ocispec_config *config, size_t i, ocirun_error **error)
{
        const ocispec_mount *m = &config->mounts[i];
        if (str_empty(m->destination))
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu].destination: must not be "
                                 "empty",
                                 i);
        if (m->destination[0] != '/')
                ocirun_log(OCIRUN_LOG_WARNING,
                           "config.json: mounts[%zu].destination: `%s` is not absolute; it is "
                           "taken as `/%s`, as runc does",
                           i, m->destination, m->destination);

        _cleanup_(mount_options_donep) mount_options options = {0};
        int r = mount_options_parse(m->options, m->options_len, &options);
        if (r == -E2BIG)
                return error_set(
                    error, EINVAL,
                    "config.json: mounts[%zu].options: more than %d propagation options", i,
                    MOUNT_MAX_PROPAGATION);
        if (r < 0)
                return error_set(error, -r, "out of memory");

        bool bind = mount_is_bind(m->type, &options);
        const char *type = m->type ? m->type : "";
        if (bind && options.data) {
                /* A bind takes no filesystem data: mount(2) would drop it
                 * without a word, so a typo ("nosiud") would silently leave
                 * the mount without the protection it asked for. */
                _cleanup_free_ char *first = strndup(options.data, strcspn(options.data, ","));
                const char *word = options.first_unknown ? options.first_unknown : first;
                _cleanup_free_ char *quoted = str_quote(word ? word : "", 64);
                return error_set(
                    error, EINVAL, "config.json: mounts[%zu].options: unknown mount option %s%s", i,
                    quoted ? quoted : "",
                    options.first_unknown ? "" : " (a bind mount takes no filesystem data)");
        }
        if (bind && str_empty(m->source))
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu].source: a bind mount needs a source", i);
        if (!bind && !options.remount && str_empty(m->type))
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu].type: required for a mount that is not "
                                 "a bind mount",
                                 i);
        bool idmap = options.idmap || m->uid_mappings_len > 0 || m->gid_mappings_len > 0;
        if (idmap && !bind)
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu]: idmapped mounts must be bind mounts",
                                 i);
        if (idmap && (m->uid_mappings_len > 0) != (m->gid_mappings_len > 0))
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu]: an idmapped mount needs both "
                                 "uidMappings and gidMappings",
                                 i);
        if (idmap && m->uid_mappings_len == 0 &&
            (!config->linux || !config->linux->uid_mappings_len ||
             !config->linux->gid_mappings_len))
                return error_set(
                    error, EINVAL,
                    "config.json: mounts[%zu]: idmap needs uidMappings and gidMappings "
                    "on the mount or in linux",
                    i);
        if (options.tmpcopyup && (bind || strcmp(type, "tmpfs") != 0))
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu].options: tmpcopyup applies to tmpfs "
                                 "mounts only",
                                 i);
        if (options.copy_symlink && !bind)
                return error_set(error, EINVAL,
                                 "config.json: mounts[%zu].options: copy-symlink applies to bind "
                                 "mounts only",
                                 i);
        return 0;
}

static int validate_paths(char *const *paths, size_t n, const char *field, ocirun_error **error)
{
        for (size_t i = 0; i < n; i++)
                if (!paths[i] || paths[i][0] != '/') {
                        _cleanup_free_ char *quoted = str_quote(paths[i] ? paths[i] : "", 256);
                        return error_set(error, EINVAL,
                                         "config.json: linux.%s[%zu]: %s is not an absolute path",
                                         field, i, quoted ? quoted : "");
                }
        return 0;
}

int rootfs_validate(const ocispec_config *config, ocirun_error **error)
{
        for (size_t i = 0; i < config->mounts_len; i++) {
                int r = validate_mount(config, i, error);
                if (r < 0)
                        return r;
        }
        const ocispec_linux *linux_config = config->linux;
        if (!linux_config)
                return 0;
        unsigned long propagation;
        if (linux_config->rootfs_propagation &&
            propagation_from_name(linux_config->rootfs_propagation, &propagation) < 0) {
                _cleanup_free_ char *quoted = str_quote(linux_config->rootfs_propagation, 64);
                return error_set(error, EINVAL,
                                 "config.json: linux.rootfsPropagation: unknown value %s",
                                 quoted ? quoted : "");
        }
        int r = validate_paths(linux_config->masked_paths, linux_config->masked_paths_len,
                               "maskedPaths", error);
        if (r == 0)
                r = validate_paths(linux_config->readonly_paths, linux_config->readonly_paths_len,
                                   "readonlyPaths", error);
        if (r == 0)
                r = devices_validate(config, error);
        return r;
}

/* ---- the config mounts ------------------------------------------------ */

/* A bind or a new filesystem must not cover what the kernel shows in /proc
 * unless it is a proc mount or one of the emulated files. */
static int check_proc_destination(int target_fd, const char *destination, const char *type,
                                  ocirun_error **error)
{
        struct statfs st;
        if (fstatfs(target_fd, &st) < 0)
                return error_set_errno(error, errno, "statfs `%s`", destination);
        if ((unsigned long) st.f_type != PROC_SUPER_MAGIC || strcmp(type, "proc") == 0)
                return 0;
        _cleanup_free_ char *clean = path_clean(destination);
        if (!clean)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t i = 0; i < sizeof(proc_covers_allowed) / sizeof(proc_covers_allowed[0]); i++)
                if (strcmp(clean, proc_covers_allowed[i]) == 0)
                        return 0;
        return error_set(error, EPERM,
                         "`%s` is inside procfs: only a proc mount or a cover of %s, %s, ... may "
                         "go there",
                         destination, proc_covers_allowed[0], proc_covers_allowed[1]);
}

static void apply_propagation(int mount_fd, const mount_options *options, int *r,
                              ocirun_error **error)
{
        for (size_t i = 0; *r == 0 && i < options->n_propagation; i++) {
                unsigned long p = options->propagation[i];
                *r = mount_set_attributes(mount_fd, p & MS_REC, 0, 0, p & ~(unsigned long) MS_REC,
                                          -1, error);
        }
}

static int apply_recursive_attributes(int mount_fd, const mount_options *options,
                                      ocirun_error **error)
{
        uint64_t set = options->recursive_set, clear = options->recursive_clear;
        if (options->recursive_atime != MOUNT_ATIME_UNSET) {
                clear |= MOUNT_ATTR__ATIME;
                if (options->recursive_atime == MOUNT_ATIME_NOATIME)
                        set |= MOUNT_ATTR_NOATIME;
                else if (options->recursive_atime == MOUNT_ATIME_STRICTATIME)
                        set |= MOUNT_ATTR_STRICTATIME;
        }
        return mount_set_attributes(mount_fd, true, set, clear, 0, -1, error);
}

/* copy-symlink (crun's option): when the source of a bind is a symlink, the
 * same symlink is made at the destination instead of a mount. */
static int bind_copy_symlink(int root_fd, const char *source, const char *destination,
                             ocirun_error **error)
{
        char target[PATH_MAX];
        ssize_t n = readlink(source, target, sizeof(target) - 1);
        if (n < 0)
                return error_set_errno(error, errno, "readlink `%s`", source);
        target[n] = '\0';
        _cleanup_close_ int parent_fd = -1;
        _cleanup_free_ char *name = NULL;
        int r = path_open_parent_in_root(root_fd, destination, &parent_fd, &name, error);
        if (r < 0)
                return r;
        if (symlinkat(target, parent_fd, name) == 0)
                return 0;
        int errnum = errno;
        char existing[PATH_MAX];
        ssize_t m = readlinkat(parent_fd, name, existing, sizeof(existing) - 1);
        if (errnum == EEXIST && m == n && memcmp(existing, target, (size_t) n) == 0)
                return 0;
        return error_set_errno(error, errnum, "symlink `%s` -> `%s`", destination, target);
}

char *rootfs_bind_source_path(const char *bundle, const ocispec_mount *m)
{
        char *source = NULL;
        if (m->source[0] == '/')
                source = strdup(m->source);
        else if (asprintf(&source, "%s/%s", bundle ? bundle : ".", m->source) < 0)
                source = NULL;
        return source;
}

/* An idmapped bind (idmap, ridmap, or the mount's own mappings): the id
 * mapping is a user namespace made for it, which only the host's root can
 * make with host ids, so in a container with a user namespace create does
 * this for the init. Without mappings of its own, an idmapped mount uses
 * the container's user namespace mappings, as runc does. */
static int bind_idmap(const ocispec_config *config, const ocispec_mount *m,
                      const mount_options *options, int mount_fd, ocirun_error **error)
{
        if (!options->idmap && m->uid_mappings_len == 0)
                return 0;
        const ocispec_linux *l = config->linux;
        const ocispec_id_mapping *uids = m->uid_mappings, *gids = m->gid_mappings;
        size_t n_uids = m->uid_mappings_len, n_gids = m->gid_mappings_len;
        if (n_uids == 0 && l) {
                uids = l->uid_mappings;
                n_uids = l->uid_mappings_len;
                gids = l->gid_mappings;
                n_gids = l->gid_mappings_len;
        }
        _cleanup_close_ int userns_fd = -1;
        int r = mount_idmap_userns(uids, n_uids, gids, n_gids, &userns_fd, error);
        if (r == 0)
                r = mount_set_attributes(mount_fd, options->recursive_idmap, MOUNT_ATTR_IDMAP, 0, 0,
                                         userns_fd, error);
        if (r < 0)
                return error_prefix(error, "idmap");
        return 0;
}

int rootfs_open_bind_sources(const ocispec_config *config, const char *bundle, int **ret_fds,
                             ocirun_error **error)
{
        int *fds = malloc((config->mounts_len + 1) * sizeof(*fds));
        if (!fds)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t i = 0; i < config->mounts_len; i++)
                fds[i] = -1;
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                _cleanup_(mount_options_donep) mount_options options = {0};
                if (mount_options_parse(m->options, m->options_len, &options) < 0 ||
                    !mount_is_bind(m->type, &options) || options.remount || !m->source)
                        continue;
                _cleanup_free_ char *source = rootfs_bind_source_path(bundle, m);
                if (!source) {
                        rootfs_close_bind_sources(fds, config->mounts_len);
                        return error_set(error, ENOMEM, "out of memory");
                }
                struct stat st;
                if (options.copy_symlink && lstat(source, &st) == 0 && S_ISLNK(st.st_mode))
                        continue; /* a copy, not a mount: the init makes it */
                int r = mount_clone_detached(AT_FDCWD, source, options.recursive, &fds[i], error);
                /* A clone joins the peer group of a shared source: as a
                 * slave, what the container mounts under it stays off the
                 * host, as with the init's own clones (whose source is
                 * already a slave in the container's namespace). */
                if (r == 0)
                        r = mount_set_attributes(fds[i], options.recursive, 0, 0, MS_SLAVE, -1,
                                                 error);
                if (r == 0)
                        r = bind_idmap(config, m, &options, fds[i], error);
                if (r < 0) {
                        rootfs_close_bind_sources(fds, config->mounts_len);
                        return error_prefix(error, "mounts[%zu]: bind `%s`", i, m->source);
                }
        }
        *ret_fds = fds;
        return 0;
}

void rootfs_close_bind_sources(int *fds, size_t n)
{
        if (!fds)
                return;
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(fds);
}

static int mount_bind(const rootfs_context *context, int root_fd, size_t index,
                      const ocispec_mount *m, const char *destination, const mount_options *options,
                      ocirun_error **error)
{
        _cleanup_free_ char *source = rootfs_bind_source_path(context->bundle, m);
        if (!source)
                return error_set(error, ENOMEM, "out of memory");

        _cleanup_close_ int mount_fd = -1;
        struct stat st;
        bool from_parent = context->bind_source_fds && context->bind_source_fds[index] >= 0;
        if (from_parent) {
                mount_fd = fcntl(context->bind_source_fds[index], F_DUPFD_CLOEXEC, 3);
                if (mount_fd < 0 || fstat(mount_fd, &st) < 0)
                        return error_set_errno(error, errno, "the clone of `%s`", source);
        } else {
                if (options->copy_symlink && lstat(source, &st) == 0 && S_ISLNK(st.st_mode))
                        return bind_copy_symlink(root_fd, source, destination, error);
                if (stat(source, &st) < 0)
                        return error_set_errno(error, errno, "stat the source `%s`", source);
        }

        _cleanup_close_ int target_fd = -1;
        int r = path_open_in_root(root_fd, destination,
                                  S_ISDIR(st.st_mode) ? PATH_CREATE_DIRECTORY : PATH_CREATE_FILE,
                                  false, &target_fd, error);
        if (r == 0)
                r = check_proc_destination(target_fd, destination, "bind", error);
        if (r < 0)
                return r;

        if (mount_fd < 0) {
                r = mount_clone_detached(AT_FDCWD, source, options->recursive, &mount_fd, error);
                if (r < 0)
                        return r;
        }
        if (!from_parent) {
                r = bind_idmap(context->config, m, options, mount_fd, error);
                if (r < 0)
                        return r;
        }
        /* Flags first on the top mount, then the recursive ones, all while
         * the tree is detached: it is never visible with the wrong flags.
         * Superblock flags (sync, dirsync...) mean nothing to a bind: the
         * superblock is the source's, and mount(2) ignores them too. */
        uint64_t set, clear;
        mount_options_attributes(options, &set, &clear);
        r = mount_set_attributes(mount_fd, false, set, clear, 0, -1, error);
        if (r == 0)
                r = apply_recursive_attributes(mount_fd, options, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        apply_propagation(mount_fd, options, &r, error);
        return r;
}

/* The filesystems that take a context= label: not proc and sysfs (the
 * kernel labels them itself), not cgroup (its tmpfs is labelled in
 * mounts.c). mqueue is tried with the label and, as runc does for older
 * kernels, without it if that fails. */
static bool takes_label(const char *type)
{
        return strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0;
}

static int mount_filesystem(int root_fd, const ocispec_mount *m, const char *destination,
                            const mount_options *options, const char *label, ocirun_error **error)
{
        const char *type = m->type;
        bool proc_like = strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0;
        bool tmpfs = strcmp(type, "tmpfs") == 0;
        _cleanup_close_ int target_fd = -1;
        bool existed = true;

        /* proc and sysfs only on a real directory: never through a symlink
         * the image put at the destination (CVE-2019-19921 class). */
        int r =
            path_open_in_root(root_fd, destination, PATH_MUST_EXIST, proc_like, &target_fd, NULL);
        if (r == -ENOENT) {
                existed = false;
                r = path_open_in_root(root_fd, destination, PATH_CREATE_DIRECTORY, proc_like,
                                      &target_fd, error);
        } else if (r < 0) {
                r = path_open_in_root(root_fd, destination, PATH_MUST_EXIST, proc_like, &target_fd,
                                      error);
        }
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(target_fd, &st) < 0)
                return error_set_errno(error, errno, "stat `%s`", destination);
        if (!S_ISDIR(st.st_mode) && proc_like)
                /* runc's words, which users search for. */
                return error_set(error, ENOTDIR,
                                 "`%s` is not a directory (%s): filesystem \"%s\" must be "
                                 "mounted on ordinary directory",
                                 destination, S_ISLNK(st.st_mode) ? "a symlink" : "a file", type);
        if (!S_ISDIR(st.st_mode))
                return error_set(error, ENOTDIR, "`%s` is not a directory", destination);
        r = check_proc_destination(target_fd, destination, type, error);
        if (r < 0)
                return r;

        _cleanup_free_ char *data = strdup(options->data ? options->data : "");
        if (!data)
                return error_set(error, ENOMEM, "out of memory");
        /* A tmpfs over an existing directory keeps that directory's mode
         * unless the config gives one (runc chmods it afterwards). */
        if (tmpfs && existed && !strstr(data, "mode=")) {
                char *with_mode = NULL;
                if (asprintf(&with_mode, "%s%smode=%o", data, *data ? "," : "",
                             (unsigned) (st.st_mode & 07777)) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                free(data);
                data = with_mode;
        }
        _cleanup_free_ char *labelled =
            mount_data_with_label(data, takes_label(type) ? label : NULL);
        if (!labelled)
                return error_set(error, ENOMEM, "out of memory");

        uint64_t set, clear;
        mount_options_attributes(options, &set, &clear);
        /* /dev is made read-only by rootfs_finish, once the devices and the
         * console are in it. */
        if (is_dev_destination(destination))
                set &= ~(uint64_t) MOUNT_ATTR_RDONLY;

        _cleanup_close_ int mount_fd = -1;
        r = mount_new_detached(type, m->source, labelled, options->superblock_set, set, &mount_fd,
                               error);
        if (r < 0 && label && strcmp(type, "mqueue") == 0) {
                if (error)
                        ocirun_error_freep(error);
                r = mount_new_detached(type, m->source, data, options->superblock_set, set,
                                       &mount_fd, error);
        }
        if (r < 0)
                return r;
        if (options->tmpcopyup) {
                _cleanup_close_ int source_fd =
                    openat(target_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (source_fd < 0)
                        return error_set_errno(error, errno, "tmpcopyup: open `%s`", destination);
                r = mount_copy_tree(source_fd, mount_fd, error);
                if (r < 0)
                        return error_prefix(error, "tmpcopyup of `%s`", destination);
        }
        r = apply_recursive_attributes(mount_fd, options, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        apply_propagation(mount_fd, options, &r, error);
        return r;
}

static int mount_cgroup_entry(const rootfs_context *context, int root_fd, const char *destination,
                              bool unified_only, const mount_options *options, const char *label,
                              ocirun_error **error)
{
        _cleanup_close_ int target_fd = -1;
        int r = path_open_in_root(root_fd, destination, PATH_CREATE_DIRECTORY, false, &target_fd,
                                  error);
        if (r < 0)
                return r;
        uint64_t set, clear;
        mount_options_attributes(options, &set, &clear);
        /* Read-only unless the config asks for rw. */
        if (!(clear & MOUNT_ATTR_RDONLY))
                set |= MOUNT_ATTR_RDONLY;
        mount_cgroup_context cgroup = {
            .cgroup_path = context->cgroup_path,
            .has_cgroup_namespace = context->has_cgroup_namespace,
            .unified_only = unified_only,
            .label = label,
        };
        return mount_cgroup(&cgroup, target_fd, set, options->data, error);
}

/* "remount": new flags (and data) for what is already mounted there. Only
 * the mount is made read-only, not the superblock: a superblock can be the
 * host's (sysfs without a network namespace), which mount(2) would remount
 * read-only for everyone. */
static int mount_remount(int root_fd, const char *destination, const mount_options *options,
                         ocirun_error **error)
{
        _cleanup_close_ int target_fd = -1;
        int r = path_open_in_root(root_fd, destination, PATH_MUST_EXIST, false, &target_fd, error);
        if (r < 0)
                return r;
        uint64_t set, clear;
        mount_options_attributes(options, &set, &clear);
        r = mount_reconfigure(target_fd, options->data, options->superblock_set,
                              options->superblock_clear, error);
        if (r == 0)
                r = mount_set_attributes(target_fd, false, set, clear, 0, -1, error);
        if (r == 0)
                r = apply_recursive_attributes(target_fd, options, error);
        apply_propagation(target_fd, options, &r, error);
        return r;
}

static int mount_config_entry(const rootfs_context *context, int root_fd, size_t i,
                              const char *label, ocirun_error **error)
{
        const ocispec_mount *m = &context->config->mounts[i];
        _cleanup_(mount_options_donep) mount_options options = {0};
        if (mount_options_parse(m->options, m->options_len, &options) < 0)
                return error_set(error, EINVAL, "config.json: mounts[%zu].options: invalid", i);
        _cleanup_free_ char *destination = absolute_destination(m->destination);
        if (!destination)
                return error_set(error, ENOMEM, "out of memory");
        bool bind = mount_is_bind(m->type, &options);
        const char *type = bind ? "bind" : m->type ? m->type : "";
        const char *source = m->source ? m->source : "";
        int r;
        if (options.remount)
                r = mount_remount(root_fd, destination, &options, error);
        else if (bind)
                r = mount_bind(context, root_fd, i, m, destination, &options, error);
        else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
                r = mount_cgroup_entry(context, root_fd, destination, strcmp(type, "cgroup2") == 0,
                                       &options, label, error);
        else
                r = mount_filesystem(root_fd, m, destination, &options, label, error);
        if (r < 0) {
                _cleanup_free_ char *safe_source = str_escape(source, 256);
                _cleanup_free_ char *safe_destination = str_escape(destination, 256);
                return error_prefix(error, "mounts[%zu]: mount %s `%s` on `%s`", i, type,
                                    safe_source ? safe_source : "",
                                    safe_destination ? safe_destination : "");
        }
        return 0;
}

/* ---- rootfs_prepare ---------------------------------------------------- */

/* pivot_root refuses a new root whose parent mount is shared, and a bind of
 * the rootfs under a shared parent would show up in the host's namespace:
 * the mount holding the rootfs directory is made private when shared. */
static int make_parent_private(const char *rootfs, ocirun_error **error)
{
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "open the rootfs `%s`", rootfs);
        int id;
        int r = mount_id_of_fd(fd, &id, error);
        if (r < 0)
                return r;
        _cleanup_(mountinfo_freep) mountinfo *info = NULL;
        r = mountinfo_read("/proc/self/mountinfo", &info, error);
        if (r < 0)
                return r;
        const mountinfo_entry *parent = mountinfo_find_id(info, id);
        if (!parent || !strstr(parent->optional, "shared:"))
                return 0;
        if (mount(NULL, parent->mount_point, NULL, MS_PRIVATE, NULL) < 0)
                return error_set_errno(error, errno, "make `%s` private", parent->mount_point);
        return 0;
}

static bool needs_dev_setup(const ocispec_config *config)
{
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                _cleanup_(mount_options_donep) mount_options options = {0};
                if (mount_options_parse(m->options, m->options_len, &options) < 0)
                        continue;
                if (mount_is_bind(m->type, &options) && is_dev_destination(m->destination))
                        return false;
        }
        return true;
}

static int root_propagation(const rootfs_context *context, unsigned long *ret, ocirun_error **error)
{
        const ocispec_linux *l = context->config->linux;
        *ret = 0;
        if (!l || !l->rootfs_propagation)
                return 0;
        if (propagation_from_name(l->rootfs_propagation, ret) < 0)
                return error_set(error, EINVAL,
                                 "config.json: linux.rootfsPropagation: unknown "
                                 "value");
        return 0;
}

int rootfs_prepare(const rootfs_context *context, ocirun_error **error)
{
        const ocispec_config *config = context->config;
        if (!context->rootfs || context->rootfs[0] != '/')
                return error_set(error, EINVAL, "the rootfs path must be absolute");
        unsigned long propagation;
        int r = root_propagation(context, &propagation, error);
        if (r < 0)
                return r;
        if (context->no_pivot && (propagation & MS_PRIVATE))
                return error_set(error, EINVAL,
                                 "config.json: linux.rootfsPropagation: [r]private is not safe "
                                 "without pivot_root");
        /* Until the mounts are done, nothing may propagate back to the host:
         * everything becomes a slave of the host's mounts unless the config
         * asks otherwise, as runc does. Unbindable waits for the end: the
         * rootfs could not be bound on itself under an unbindable /. */
        if (propagation & MS_UNBINDABLE)
                propagation = 0;
        if (mount(NULL, "/", NULL, propagation ? propagation : MS_SLAVE | MS_REC, NULL) < 0)
                return error_set_errno(error, errno, "set the propagation of /");
        r = make_parent_private(context->rootfs, error);
        if (r < 0)
                return r;
        if (mount(context->rootfs, context->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_set_errno(error, errno, "bind the rootfs `%s` on itself",
                                       context->rootfs);
        _cleanup_close_ int root_fd = open(context->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_set_errno(error, errno, "open the rootfs `%s`", context->rootfs);

        const char *label = mount_label(config);
        for (size_t i = 0; i < config->mounts_len; i++) {
                r = mount_config_entry(context, root_fd, i, label, error);
                if (r < 0)
                        return r;
        }
        if (needs_dev_setup(config)) {
                r = devices_setup_default(root_fd, config, context->bind_devices, error);
                if (r < 0)
                        return error_prefix(error, "set up /dev");
        }
        r = devices_create_configured(root_fd, config, context->bind_devices, error);
        if (r < 0)
                return error_prefix(error, "linux.devices");
        return 0;
}

/* ---- rootfs_pivot ------------------------------------------------------ */

/* Without pivot_root the host's mounts stay in our namespace under the
 * chroot: the full procfs and sysfs mounts are detached (or covered), or
 * the kernel's "is proc fully visible" check would let the container mount
 * a new procfs over its masked one. */
static int hide_host_proc_and_sys(const char *rootfs, ocirun_error **error)
{
        _cleanup_(mountinfo_freep) mountinfo *info = NULL;
        int r = mountinfo_read("/proc/self/mountinfo", &info, error);
        if (r < 0)
                return r;
        size_t rootfs_len = strlen(rootfs);
        for (size_t i = 0; i < info->len; i++) {
                const mountinfo_entry *e = &info->entries[i];
                if (strcmp(e->root, "/") != 0 ||
                    (strcmp(e->fstype, "proc") != 0 && strcmp(e->fstype, "sysfs") != 0))
                        continue;
                if (strncmp(e->mount_point, rootfs, rootfs_len) == 0 &&
                    (e->mount_point[rootfs_len] == '/' || e->mount_point[rootfs_len] == '\0'))
                        continue;
                /* Our unmounts must not reach the host. */
                if (mount(NULL, e->mount_point, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
                        if (errno == ENOENT || errno == EINVAL)
                                continue; /* under something already detached */
                        return error_set_errno(error, errno, "make `%s` a slave", e->mount_point);
                }
                if (umount2(e->mount_point, MNT_DETACH) == 0)
                        continue;
                if (errno != EINVAL && errno != EPERM)
                        return error_set_errno(error, errno, "unmount `%s`", e->mount_point);
                if (mount("tmpfs", e->mount_point, "tmpfs", MS_RDONLY, NULL) < 0)
                        return error_set_errno(error, errno, "cover `%s`", e->mount_point);
        }
        return 0;
}

static int move_root(const char *rootfs, ocirun_error **error)
{
        int r = hide_host_proc_and_sys(rootfs, error);
        if (r < 0)
                return r;
        if (chdir(rootfs) < 0)
                return error_set_errno(error, errno, "chdir `%s`", rootfs);
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return error_set_errno(error, errno, "move the rootfs `%s` onto /", rootfs);
        if (chroot(".") < 0)
                return error_set_errno(error, errno, "chroot into the rootfs");
        if (chdir("/") < 0)
                return error_set_errno(error, errno, "chdir /");
        return 0;
}

static int pivot_root_to(const char *rootfs, ocirun_error **error)
{
        _cleanup_close_ int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (old_root < 0)
                return error_set_errno(error, errno, "open /");
        _cleanup_close_ int new_root = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (new_root < 0)
                return error_set_errno(error, errno, "open the rootfs `%s`", rootfs);
        if (fchdir(new_root) < 0)
                return error_set_errno(error, errno, "chdir into the rootfs");
        /* pivot_root(".", "."): the old root is stacked under the new one,
         * with no directory for it needed in the rootfs; it is then
         * detached from where our cwd (the old root) is. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return error_set_errno(error, errno, "pivot_root into `%s`", rootfs);
        /* The kernel promises nothing about the cwd after pivot_root. */
        if (fchdir(old_root) < 0)
                return error_set_errno(error, errno, "chdir into the old root");
        /* rslave, not rprivate: the unmount must not reach the host, and a
         * private copy could pin mounts the host is busy tearing down. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_set_errno(error, errno, "make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return error_set_errno(error, errno, "detach the old root");
        if (chdir("/") < 0)
                return error_set_errno(error, errno, "chdir /");
        return 0;
}

int rootfs_pivot(const rootfs_context *context, ocirun_error **error)
{
        if (!context->rootfs || context->rootfs[0] != '/')
                return error_set(error, EINVAL, "the rootfs path must be absolute");
        /* Cache the SELinux state while the host's /sys is still there. */
        (void) lsm_selinux_enabled();
        if (context->no_pivot)
                return move_root(context->rootfs, error);
        return pivot_root_to(context->rootfs, error);
}

/* ---- rootfs_bind_console ------------------------------------------------ */

int rootfs_bind_console(const char *slave_path, ocirun_error **error)
{
        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_set_errno(error, errno, "open /");
        _cleanup_close_ int slave_fd = -1;
        int r = path_open_in_root(root_fd, slave_path, PATH_MUST_EXIST, true, &slave_fd, error);
        if (r < 0)
                return error_prefix(error, "the console");
        struct stat st;
        if (fstat(slave_fd, &st) < 0)
                return error_set_errno(error, errno, "stat `%s`", slave_path);
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < PTY_SLAVE_MAJOR_FIRST ||
            major(st.st_rdev) > PTY_SLAVE_MAJOR_LAST)
                return error_set(error, EPERM, "the console `%s` is not a pty slave", slave_path);

        _cleanup_close_ int dev_fd = -1;
        _cleanup_free_ char *name = NULL;
        r = path_open_parent_in_root(root_fd, "/dev/console", &dev_fd, &name, error);
        if (r < 0)
                return error_prefix(error, "the console");
        _cleanup_close_ int target_fd = openat(dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (target_fd < 0 && errno == ENOENT) {
                int fd = openat(dev_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                0600);
                if (fd < 0 && errno != EEXIST)
                        return error_set_errno(error, errno, "create /dev/console");
                if (fd >= 0)
                        close(fd);
                target_fd = openat(dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (target_fd < 0)
                return error_set_errno(error, errno, "open /dev/console");
        if (fstat(target_fd, &st) < 0)
                return error_set_errno(error, errno, "stat /dev/console");
        /* Never through a symlink the image left there (CVE-2025-52565). */
        if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
                return error_set(error, EPERM,
                                 "refusing to mount the console on /dev/console: it is a %s",
                                 S_ISLNK(st.st_mode) ? "symlink" : "directory");
        _cleanup_close_ int mount_fd = -1;
        r = mount_clone_detached(slave_fd, "", false, &mount_fd, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        if (r < 0)
                return error_prefix(error, "bind `%s` on /dev/console", slave_path);
        return 0;
}

/* ---- rootfs_finish ----------------------------------------------------- */

/* Moves a lookup's error into the caller's (which may be NULL). */
static int error_move(ocirun_error **error, ocirun_error *from, int r)
{
        if (error) {
                ocirun_error_free(*error);
                *error = from;
        } else {
                ocirun_error_free(from);
        }
        return r;
}

static int finish_dev_readonly(const ocispec_config *config, int root_fd, ocirun_error **error)
{
        for (size_t i = 0; i < config->mounts_len; i++) {
                const ocispec_mount *m = &config->mounts[i];
                if (!is_dev_destination(m->destination))
                        continue;
                _cleanup_(mount_options_donep) mount_options options = {0};
                if (mount_options_parse(m->options, m->options_len, &options) < 0 ||
                    mount_is_bind(m->type, &options) || !(options.attr_set & MOUNT_ATTR_RDONLY))
                        return 0;
                _cleanup_close_ int dev_fd = -1;
                int r = path_open_in_root(root_fd, "/dev", PATH_MUST_EXIST, false, &dev_fd, error);
                if (r == 0)
                        r = mount_set_attributes(dev_fd, false, MOUNT_ATTR_RDONLY, 0, 0, -1, error);
                return r < 0 ? error_prefix(error, "make /dev read-only") : 0;
        }
        return 0;
}

/* Binds path onto itself, read-only all the way down. Submounts stay
 * visible and become read-only too (runc leaves them writable). */
static int readonly_path(int root_fd, const char *path, ocirun_error **error)
{
        _cleanup_close_ int target_fd = -1;
        ocirun_error *lookup_error = NULL;
        int r = path_open_in_root(root_fd, path, PATH_MUST_EXIST, false, &target_fd, &lookup_error);
        if (r == -ENOENT) {
                ocirun_error_free(lookup_error);
                return 0;
        }
        if (r < 0)
                return error_move(error, lookup_error, r);
        _cleanup_close_ int mount_fd = -1;
        r = mount_clone_detached(target_fd, "", true, &mount_fd, error);
        if (r == 0)
                r = mount_set_attributes(mount_fd, true, MOUNT_ATTR_RDONLY, 0, 0, -1, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        return r;
}

/* A directory gets a read-only empty tmpfs; anything else the verified
 * /dev/null. The path is resolved inside the container's root, so a
 * symlink there can only point the mask at another place in the container. */
static int mask_path(int root_fd, const char *path, const char *label, int *null_fd,
                     ocirun_error **error)
{
        _cleanup_close_ int target_fd = -1;
        ocirun_error *lookup_error = NULL;
        int r = path_open_in_root(root_fd, path, PATH_MUST_EXIST, false, &target_fd, &lookup_error);
        if (r == -ENOENT || r == -ENOTDIR) {
                ocirun_error_free(lookup_error);
                return 0;
        }
        if (r < 0)
                return error_move(error, lookup_error, r);
        struct stat st;
        if (fstat(target_fd, &st) < 0)
                return error_set_errno(error, errno, "stat `%s`", path);
        _cleanup_close_ int mount_fd = -1;
        if (S_ISDIR(st.st_mode)) {
                _cleanup_free_ char *data = mount_data_with_label("", label);
                if (!data)
                        return error_set(error, ENOMEM, "out of memory");
                r = mount_new_detached("tmpfs", "tmpfs", data, 0, MOUNT_ATTR_RDONLY, &mount_fd,
                                       error);
        } else {
                if (*null_fd < 0) {
                        r = devices_open_null(root_fd, null_fd, error);
                        if (r < 0)
                                return r;
                }
                r = mount_clone_detached(*null_fd, "", false, &mount_fd, error);
        }
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        return r;
}

int rootfs_finish(const rootfs_context *context, ocirun_error **error)
{
        const ocispec_config *config = context->config;
        const ocispec_linux *l = config->linux;
        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_set_errno(error, errno, "open /");
        int r = finish_dev_readonly(config, root_fd, error);
        if (r < 0)
                return r;
        if (l) {
                for (size_t i = 0; i < l->readonly_paths_len; i++) {
                        r = readonly_path(root_fd, l->readonly_paths[i], error);
                        if (r < 0)
                                return error_prefix(error, "linux.readonlyPaths[%zu]", i);
                }
                _cleanup_close_ int null_fd = -1;
                const char *label = mount_label(config);
                for (size_t i = 0; i < l->masked_paths_len; i++) {
                        r = mask_path(root_fd, l->masked_paths[i], label, &null_fd, error);
                        if (r < 0)
                                return error_prefix(error, "linux.maskedPaths[%zu]", i);
                }
        }
        if (config->root && config->root->readonly) {
                r = mount_set_attributes(root_fd, false, MOUNT_ATTR_RDONLY, 0, 0, -1, error);
                if (r < 0)
                        return error_prefix(error, "make the root read-only");
        }
        /* The configured propagation of / itself, now that / is the rootfs;
         * private needs nothing more (the parent was made private and the
         * old root is gone). */
        unsigned long propagation;
        r = root_propagation(context, &propagation, error);
        if (r < 0)
                return r;
        if (propagation && !(propagation & MS_PRIVATE) &&
            mount(NULL, "/", NULL, propagation, NULL) < 0)
                return error_set_errno(error, errno, "set the propagation of / to %s",
                                       l->rootfs_propagation);
        return 0;
}
