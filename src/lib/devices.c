/* The container's /dev: the default device nodes and links runc makes, the
 * devices listed in linux.devices, and the verified /dev/null used to mask
 * files. Nothing here joins strings into host paths: the directory of every
 * node is opened inside the rootfs (mounts.c's path_open_in_root), and the
 * node is made, replaced or mounted relative to that fd. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "error.h"
#include "mounts.h"
#include "util/strings.h"

typedef struct default_device {
        const char *path;
        unsigned major;
        unsigned minor;
} default_device;

/* runc's default set: every container gets these, with mode 0666. */
static const default_device default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static int device_type_mode(const char *type, mode_t *ret)
{
        if (!type)
                return -EINVAL;
        if (strcmp(type, "c") == 0 || strcmp(type, "u") == 0)
                *ret = S_IFCHR;
        else if (strcmp(type, "b") == 0)
                *ret = S_IFBLK;
        else if (strcmp(type, "p") == 0)
                *ret = S_IFIFO;
        else
                return -EINVAL;
        return 0;
}

int devices_validate(const ocispec_config *config, ocirun_error **error)
{
        if (!config->linux)
                return 0;
        for (size_t i = 0; i < config->linux->devices_len; i++) {
                const ocispec_device *d = &config->linux->devices[i];
                mode_t type;
                if (device_type_mode(d->type, &type) < 0) {
                        _cleanup_free_ char *quoted = str_quote(d->type ? d->type : "", 32);
                        return error_set(error, EINVAL,
                                         "config.json: linux.devices[%zu].type: unknown device "
                                         "type %s (expected c, b, u or p)",
                                         i, quoted ? quoted : "");
                }
                _cleanup_free_ char *quoted_path = str_quote(d->path ? d->path : "", 256);
                if (!d->path || d->path[0] != '/')
                        return error_set(error, EINVAL,
                                         "config.json: linux.devices[%zu].path: %s is not an "
                                         "absolute path",
                                         i, quoted_path ? quoted_path : "");
                _cleanup_free_ char *clean = path_clean(d->path);
                if (!clean)
                        return error_set(error, ENOMEM, "out of memory");
                if (strncmp(clean, "/dev/", 5) != 0)
                        return error_set(error, EINVAL,
                                         "config.json: linux.devices[%zu].path: %s is not under "
                                         "/dev",
                                         i, quoted_path ? quoted_path : "");
                if (type != S_IFIFO) {
                        if (!d->has_major || !d->has_minor)
                                return error_set(error, EINVAL,
                                                 "config.json: linux.devices[%zu]: a %s device "
                                                 "needs major and minor",
                                                 i, d->type);
                        if (d->major < 0 || d->major > UINT32_MAX || d->minor < 0 ||
                            d->minor > UINT32_MAX)
                                return error_set(error, EINVAL,
                                                 "config.json: linux.devices[%zu]: major and "
                                                 "minor must be between 0 and %u",
                                                 i, UINT32_MAX);
                }
                if (d->has_file_mode) {
                        /* runc and the engines pass a whole st_mode: its type
                         * bits may be there, but must name this device's type. */
                        mode_t mode = (mode_t) d->file_mode;
                        if (mode & ~(mode_t) S_IFMT & ~(mode_t) 07777)
                                return error_set(
                                    error, EINVAL,
                                    "config.json: linux.devices[%zu].fileMode: %" PRIu64
                                    " has bits other than the file type and "
                                    "permissions",
                                    i, (uint64_t) d->file_mode);
                        if ((mode & S_IFMT) && (mode & S_IFMT) != type)
                                return error_set(
                                    error, EINVAL,
                                    "config.json: linux.devices[%zu].fileMode: %" PRIu64
                                    " is a different file type than type %s",
                                    i, (uint64_t) d->file_mode, d->type);
                }
        }
        return 0;
}

/* The target of a bind from the host: an empty file, or the existing entry
 * when it is neither a directory nor a symlink (a symlink is replaced: the
 * mount must land on the entry itself, never where the image points it). */
static int open_bind_target(int parent_fd, const char *name, int *ret_fd, ocirun_error **error)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                int fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0) {
                        struct stat st;
                        if (fstat(fd, &st) < 0) {
                                int errnum = errno;
                                close(fd);
                                return error_set_errno(error, errnum, "stat `%s`", name);
                        }
                        if (S_ISDIR(st.st_mode)) {
                                close(fd);
                                return error_set(error, EISDIR, "`%s` is a directory", name);
                        }
                        if (!S_ISLNK(st.st_mode)) {
                                *ret_fd = fd;
                                return 0;
                        }
                        close(fd);
                        if (unlinkat(parent_fd, name, 0) < 0)
                                return error_set_errno(error, errno, "remove the symlink `%s`",
                                                       name);
                } else if (errno != ENOENT) {
                        return error_set_errno(error, errno, "open `%s`", name);
                }
                int created = openat(parent_fd, name,
                                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (created >= 0)
                        close(created);
                else if (errno != EEXIST)
                        return error_set_errno(error, errno, "create `%s`", name);
        }
        return error_set(error, EAGAIN, "`%s` keeps changing", name);
}

/* Bind-mounts the host's node at host_path onto parent_fd/name, after
 * checking it is the device the config describes. */
static int device_bind_from_host(int parent_fd, const char *name, const char *host_path,
                                 mode_t type, dev_t rdev, ocirun_error **error)
{
        _cleanup_close_ int host_fd = open(host_path, O_PATH | O_CLOEXEC);
        if (host_fd < 0)
                return error_set_errno(error, errno, "open the host's `%s`", host_path);
        struct stat st;
        if (fstat(host_fd, &st) < 0)
                return error_set_errno(error, errno, "stat the host's `%s`", host_path);
        if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != rdev))
                return error_set(error, ENODEV,
                                 "the host's `%s` is not the device %u:%u the config names",
                                 host_path, major(rdev), minor(rdev));
        _cleanup_close_ int target_fd = -1;
        int r = open_bind_target(parent_fd, name, &target_fd, error);
        if (r < 0)
                return r;
        _cleanup_close_ int mount_fd = -1;
        r = mount_clone_detached(host_fd, "", false, &mount_fd, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        if (r < 0)
                return error_prefix(error, "bind the host's `%s`", host_path);
        return 0;
}

/* mknod of path inside the root; an entry already there that is the same
 * device is kept (its mode and owner set), anything else but a directory
 * is replaced. */
static int device_make(int root_fd, const char *path, mode_t type, mode_t permissions, dev_t rdev,
                       uid_t uid, gid_t gid, bool bind_from_host, ocirun_error **error)
{
        _cleanup_close_ int parent_fd = -1;
        _cleanup_free_ char *name = NULL;
        int r = path_open_parent_in_root(root_fd, path, &parent_fd, &name, error);
        if (r < 0)
                return error_prefix(error, "device `%s`", path);
        /* A user namespace may make fifos but no device nodes. */
        if (bind_from_host && type != S_IFIFO) {
                r = device_bind_from_host(parent_fd, name, path, type, rdev, error);
                return r < 0 ? error_prefix(error, "device `%s`", path) : 0;
        }

        struct stat st;
        bool keep = false;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(st.st_mode))
                        return error_set(error, EISDIR, "device `%s`: a directory is in the way",
                                         path);
                keep = (st.st_mode & S_IFMT) == type && (type == S_IFIFO || st.st_rdev == rdev);
                if (!keep && unlinkat(parent_fd, name, 0) < 0)
                        return error_set_errno(error, errno, "device `%s`: remove what is there",
                                               path);
        } else if (errno != ENOENT) {
                return error_set_errno(error, errno, "device `%s`: stat", path);
        }
        if (!keep) {
                /* The mode is exactly fileMode, whatever the umask. */
                mode_t old_umask = umask(0);
                r = mknodat(parent_fd, name, type | permissions, rdev);
                int errnum = errno;
                umask(old_umask);
                if (r < 0)
                        return error_set_errno(error, errnum, "device `%s`: mknod", path);
        } else if (fchmodat(parent_fd, name, permissions, AT_SYMLINK_NOFOLLOW) < 0) {
                return error_set_errno(error, errno, "device `%s`: chmod", path);
        }
        if (fchownat(parent_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set_errno(error, errno, "device `%s`: chown", path);
        return 0;
}

static bool config_lists_device(const ocispec_config *config, const char *path)
{
        if (!config->linux)
                return false;
        for (size_t i = 0; i < config->linux->devices_len; i++) {
                const char *p = config->linux->devices[i].path;
                _cleanup_free_ char *clean = p ? path_clean(p) : NULL;
                if (clean && strcmp(clean, path) == 0)
                        return true;
        }
        return false;
}

typedef struct dev_link {
        const char *name;
        const char *target;
} dev_link;

static const dev_link dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

int devices_setup_default(int root_fd, const ocispec_config *config, bool bind_from_host,
                          ocirun_error **error)
{
        for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
                const default_device *d = &default_devices[i];
                if (config_lists_device(config, d->path))
                        continue;
                int r = device_make(root_fd, d->path, S_IFCHR, 0666, makedev(d->major, d->minor), 0,
                                    0, bind_from_host, error);
                if (r < 0)
                        return r;
        }

        _cleanup_close_ int dev_fd = -1;
        int r = path_open_in_root(root_fd, "/dev", PATH_CREATE_DIRECTORY, false, &dev_fd, error);
        if (r < 0)
                return r;
        /* An existing link (or file) is left alone, as runc does. */
        for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
                if (symlinkat(dev_links[i].target, dev_fd, dev_links[i].name) < 0 &&
                    errno != EEXIST)
                        return error_set_errno(error, errno, "symlink /dev/%s -> %s",
                                               dev_links[i].name, dev_links[i].target);
        /* /dev/core only when this kernel has /proc/kcore (CONFIG_PROC_KCORE),
         * checked on the host's /proc: we have not pivoted yet. */
        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev_fd, "core") < 0 &&
            errno != EEXIST)
                return error_set_errno(error, errno, "symlink /dev/core -> /proc/kcore");
        /* ptmx must be the devpts instance's: whatever the image has there goes. */
        if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT)
                return error_set_errno(error, errno, "remove /dev/ptmx");
        if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0)
                return error_set_errno(error, errno, "symlink /dev/ptmx -> pts/ptmx");
        return 0;
}

int devices_create_configured(int root_fd, const ocispec_config *config, bool bind_from_host,
                              ocirun_error **error)
{
        if (!config->linux)
                return 0;
        for (size_t i = 0; i < config->linux->devices_len; i++) {
                const ocispec_device *d = &config->linux->devices[i];
                mode_t type;
                if (device_type_mode(d->type, &type) < 0 || !d->path)
                        return error_set(error, EINVAL, "config.json: linux.devices[%zu]: invalid",
                                         i);
                _cleanup_free_ char *path = path_clean(d->path);
                if (!path)
                        return error_set(error, ENOMEM, "out of memory");
                mode_t permissions = d->has_file_mode ? (mode_t) d->file_mode & 07777 : 0666;
                dev_t rdev =
                    type == S_IFIFO ? 0 : makedev((unsigned) d->major, (unsigned) d->minor);
                int r = device_make(root_fd, path, type, permissions, rdev, d->has_uid ? d->uid : 0,
                                    d->has_gid ? d->gid : 0, bind_from_host, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int devices_open_null(int root_fd, int *ret_fd, ocirun_error **error)
{
        int fd;
        int r = path_open_in_root(root_fd, "/dev/null", PATH_MUST_EXIST, true, &fd, error);
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int errnum = errno;
                close(fd);
                return error_set_errno(error, errnum, "stat /dev/null");
        }
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
                close(fd);
                return error_set(error, EPERM,
                                 "/dev/null in the container is not the null device (1:3)");
        }
        *ret_fd = fd;
        return 0;
}
