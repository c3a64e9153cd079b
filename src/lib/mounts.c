/* Mount options and the safe mount primitives. This file owns the table of
 * every mount option ocirun understands (runc's set, plus crun's
 * copy-symlink), the resolution of destinations inside the rootfs, and the
 * mounting itself, which goes through the kernel's fd-based API: fsopen /
 * fsconfig / fsmount for new filesystems, open_tree(OPEN_TREE_CLONE) for
 * binds, mount_setattr for flags, move_mount to attach. That API was chosen
 * over mount(2) on /proc/self/fd/N because (1) the target is the very dentry
 * our O_PATH fd holds, with no magic-link re-resolution and no need for a
 * /proc at all (masked paths are mounted after pivot_root, when /proc may
 * be the container's or absent); (2) a bind is made read-only (or idmapped)
 * while still detached, so it never appears writable even for an instant;
 * (3) mount_setattr changes only the flags asked for, so the nosuid/nodev
 * flags the kernel locks on mounts from a more privileged namespace are
 * never cleared by accident (runc's remount has to read them back first);
 * (4) fsconfig failures come with the filesystem's own message. After a
 * mount no check of /proc/self/mountinfo is made: the mount is attached to
 * the object resolved inside the root, so there is no window between
 * resolving and mounting for mountinfo to catch. The cgroup filesystem
 * layout (v1 hierarchies, hybrid, unified) is mounted here too. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "id_maps.h"
#include "mounts.h"
#include "util/strings.h"

/* The kernel's own limit on symlinks followed in one lookup. */
#define MAX_SYMLINK_HOPS 40
/* tmpcopyup refuses to recurse deeper: a hostile image must not exhaust the stack. */
#define COPY_MAX_DEPTH 128

/* ---- the option table ---------------------------------------------------- */

typedef enum option_kind {
        OPTION_SET,       /* MOUNT_ATTR_* set on the mount itself */
        OPTION_CLEAR,     /* ... cleared */
        OPTION_ATIME,     /* an atime setting */
        OPTION_NOT_ATIME, /* cancels that atime setting: back to the kernel's default */
        OPTION_RECURSIVE_SET,
        OPTION_RECURSIVE_CLEAR,
        OPTION_RECURSIVE_ATIME,
        OPTION_SUPERBLOCK_SET, /* MOUNT_SB_* */
        OPTION_SUPERBLOCK_CLEAR,
        OPTION_PROPAGATION, /* MS_* */
        OPTION_BIND,
        OPTION_RBIND,
        OPTION_REMOUNT,
        OPTION_TMPCOPYUP,
        OPTION_COPY_SYMLINK,
        OPTION_IDMAP,
        OPTION_RIDMAP,
        /* Accepted and deliberately without effect: "defaults" means nothing;
         * "silent"/"loud" only tune kernel log noise that fsconfig reports to
         * us instead; i_version is always on in the filesystems that have it
         * (ext4 since 6.2, xfs, btrfs). */
        OPTION_IGNORED,
} option_kind;

typedef struct option_entry {
        const char *name;
        option_kind kind;
        uint64_t value;
} option_entry;

static const option_entry option_table[] = {
    {"ro", OPTION_SET, MOUNT_ATTR_RDONLY},
    {"rw", OPTION_CLEAR, MOUNT_ATTR_RDONLY},
    {"nosuid", OPTION_SET, MOUNT_ATTR_NOSUID},
    {"suid", OPTION_CLEAR, MOUNT_ATTR_NOSUID},
    {"nodev", OPTION_SET, MOUNT_ATTR_NODEV},
    {"dev", OPTION_CLEAR, MOUNT_ATTR_NODEV},
    {"noexec", OPTION_SET, MOUNT_ATTR_NOEXEC},
    {"exec", OPTION_CLEAR, MOUNT_ATTR_NOEXEC},
    {"nodiratime", OPTION_SET, MOUNT_ATTR_NODIRATIME},
    {"diratime", OPTION_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"nosymfollow", OPTION_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"symfollow", OPTION_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    {"noatime", OPTION_ATIME, MOUNT_ATIME_NOATIME},
    {"relatime", OPTION_ATIME, MOUNT_ATIME_RELATIME},
    {"strictatime", OPTION_ATIME, MOUNT_ATIME_STRICTATIME},
    {"atime", OPTION_NOT_ATIME, MOUNT_ATIME_NOATIME},
    {"norelatime", OPTION_NOT_ATIME, MOUNT_ATIME_RELATIME},
    {"nostrictatime", OPTION_NOT_ATIME, MOUNT_ATIME_STRICTATIME},
    {"sync", OPTION_SUPERBLOCK_SET, MOUNT_SB_SYNC},
    {"async", OPTION_SUPERBLOCK_CLEAR, MOUNT_SB_SYNC},
    {"dirsync", OPTION_SUPERBLOCK_SET, MOUNT_SB_DIRSYNC},
    {"lazytime", OPTION_SUPERBLOCK_SET, MOUNT_SB_LAZYTIME},
    {"nolazytime", OPTION_SUPERBLOCK_CLEAR, MOUNT_SB_LAZYTIME},
    {"mand", OPTION_SUPERBLOCK_SET, MOUNT_SB_MAND},
    {"nomand", OPTION_SUPERBLOCK_CLEAR, MOUNT_SB_MAND},
    {"defaults", OPTION_IGNORED, 0},
    {"silent", OPTION_IGNORED, 0},
    {"loud", OPTION_IGNORED, 0},
    {"iversion", OPTION_IGNORED, 0},
    {"noiversion", OPTION_IGNORED, 0},
    {"bind", OPTION_BIND, 0},
    {"rbind", OPTION_RBIND, 0},
    {"remount", OPTION_REMOUNT, 0},
    {"private", OPTION_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPTION_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPTION_PROPAGATION, MS_SHARED},
    {"rshared", OPTION_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPTION_PROPAGATION, MS_SLAVE},
    {"rslave", OPTION_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPTION_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPTION_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPTION_RECURSIVE_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPTION_RECURSIVE_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPTION_RECURSIVE_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_NOATIME},
    {"rrelatime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_RELATIME},
    {"rstrictatime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_STRICTATIME},
    /* mount_setattr cannot clear one atime value alone (EINVAL unless all
     * of MOUNT_ATTR__ATIME is cleared), so the negations pick the value
     * they mean: atime updates on (relatime, the kernel's default), or
     * neither relatime nor noatime (strictatime). */
    {"ratime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_RELATIME},
    {"rnostrictatime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_RELATIME},
    {"rnorelatime", OPTION_RECURSIVE_ATIME, MOUNT_ATIME_STRICTATIME},
    {"tmpcopyup", OPTION_TMPCOPYUP, 0},
    {"copy-symlink", OPTION_COPY_SYMLINK, 0},
    {"idmap", OPTION_IDMAP, 0},
    {"ridmap", OPTION_RIDMAP, 0},
};

const char *mount_option_name(size_t index)
{
        return index < sizeof(option_table) / sizeof(option_table[0]) ? option_table[index].name
                                                                      : NULL;
}

static const option_entry *option_lookup(const char *name)
{
        for (size_t i = 0; i < sizeof(option_table) / sizeof(option_table[0]); i++)
                if (strcmp(option_table[i].name, name) == 0)
                        return &option_table[i];
        return NULL;
}

static int data_append(char **data, const char *word)
{
        char *joined = NULL;
        if (asprintf(&joined, "%s%s%s", *data ? *data : "", *data ? "," : "", word) < 0)
                return -ENOMEM;
        free(*data);
        *data = joined;
        return 0;
}

int mount_options_parse(char *const *options, size_t n_options, mount_options *ret)
{
        *ret = (mount_options){0};
        for (size_t i = 0; i < n_options; i++) {
                const char *word = options[i];
                const option_entry *entry = option_lookup(word);
                if (!entry) {
                        /* Not a flag: filesystem data ("size=64m", "mode=755",
                         * "nr_inodes=..." or a bare word a filesystem knows). */
                        if (!ret->first_unknown && !strchr(word, '='))
                                ret->first_unknown = word;
                        if (data_append(&ret->data, word) < 0)
                                return -ENOMEM;
                        continue;
                }
                switch (entry->kind) {
                case OPTION_SET:
                        ret->attr_set |= entry->value;
                        ret->attr_clear &= ~entry->value;
                        break;
                case OPTION_CLEAR:
                        ret->attr_clear |= entry->value;
                        ret->attr_set &= ~entry->value;
                        break;
                case OPTION_ATIME:
                        ret->atime = (mount_atime) entry->value;
                        break;
                case OPTION_NOT_ATIME:
                        if (ret->atime == (mount_atime) entry->value)
                                ret->atime = MOUNT_ATIME_UNSET;
                        break;
                case OPTION_RECURSIVE_SET:
                        ret->recursive_set |= entry->value;
                        ret->recursive_clear &= ~entry->value;
                        break;
                case OPTION_RECURSIVE_CLEAR:
                        ret->recursive_clear |= entry->value;
                        ret->recursive_set &= ~entry->value;
                        break;
                case OPTION_RECURSIVE_ATIME:
                        ret->recursive_atime = (mount_atime) entry->value;
                        break;
                case OPTION_SUPERBLOCK_SET:
                        ret->superblock_set |= (unsigned) entry->value;
                        ret->superblock_clear &= ~(unsigned) entry->value;
                        break;
                case OPTION_SUPERBLOCK_CLEAR:
                        ret->superblock_clear |= (unsigned) entry->value;
                        ret->superblock_set &= ~(unsigned) entry->value;
                        break;
                case OPTION_PROPAGATION:
                        if (ret->n_propagation >= MOUNT_MAX_PROPAGATION)
                                return -E2BIG;
                        ret->propagation[ret->n_propagation++] = entry->value;
                        break;
                case OPTION_BIND:
                        ret->bind = true;
                        break;
                case OPTION_RBIND:
                        ret->bind = true;
                        ret->recursive = true;
                        break;
                case OPTION_REMOUNT:
                        ret->remount = true;
                        break;
                case OPTION_TMPCOPYUP:
                        ret->tmpcopyup = true;
                        break;
                case OPTION_COPY_SYMLINK:
                        ret->copy_symlink = true;
                        break;
                case OPTION_IDMAP:
                        ret->idmap = true;
                        break;
                case OPTION_RIDMAP:
                        ret->idmap = true;
                        ret->recursive_idmap = true;
                        break;
                case OPTION_IGNORED:
                        break;
                default:
                        break;
                }
        }
        return 0;
}

void mount_options_done(mount_options *options)
{
        free(options->data);
        options->data = NULL;
}

bool mount_is_bind(const char *type, const mount_options *options)
{
        return options->bind || (type && strcmp(type, "bind") == 0);
}

static uint64_t atime_attribute(mount_atime atime)
{
        switch (atime) {
        case MOUNT_ATIME_NOATIME:
                return MOUNT_ATTR_NOATIME;
        case MOUNT_ATIME_STRICTATIME:
                return MOUNT_ATTR_STRICTATIME;
        case MOUNT_ATIME_RELATIME:
        case MOUNT_ATIME_UNSET:
        default:
                return MOUNT_ATTR_RELATIME;
        }
}

void mount_options_attributes(const mount_options *options, uint64_t *ret_set, uint64_t *ret_clear)
{
        uint64_t set = options->attr_set, clear = options->attr_clear;
        if (options->atime != MOUNT_ATIME_UNSET) {
                set |= atime_attribute(options->atime);
                clear |= MOUNT_ATTR__ATIME;
        }
        *ret_set = set;
        *ret_clear = clear;
}

/* ---- resolving inside the root ---------------------------------------------- */

char *path_clean(const char *path)
{
        size_t len = strlen(path);
        char *out = malloc(len + 2);
        if (!out)
                return NULL;
        size_t j = 0;
        const char *p = path;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *end = strchrnul(p, '/');
                size_t n = (size_t) (end - p);
                if (n == 1 && p[0] == '.') {
                        /* nothing */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (j > 0 && out[j - 1] != '/')
                                j--;
                        if (j > 0)
                                j--;
                } else {
                        out[j++] = '/';
                        memcpy(out + j, p, n);
                        j += n;
                }
                p = end;
        }
        if (j == 0)
                out[j++] = '/';
        out[j] = '\0';
        return out;
}

/* openat2 confined to root_fd; EAGAIN (a rename raced the lookup) is retried. */
static int openat_in_root(int root_fd, const char *path, int flags)
{
        struct open_how how = {
            .flags = (uint64_t) (flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        for (int attempt = 0; attempt < 32; attempt++) {
                long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN)
                        return (int) fd;
        }
        return -1;
}

/* One pass over path: each prefix is resolved from the root (so a symlink
 * anywhere is followed the way the container will see it), and a missing
 * component is created in the directory its prefix resolved to. A dangling
 * symlink stops the pass: *ret_restart gets the path with that symlink
 * replaced by its target, to walk again. */
static int walk_creating(int root_fd, const char *path, path_create create, int last_flags,
                         int *ret_fd, char **ret_restart, ocirun_error **error)
{
        size_t path_len = strlen(path);
        _cleanup_free_ char *prefix = malloc(path_len + 2);
        if (!prefix)
                return error_set(error, ENOMEM, "out of memory");
        size_t prefix_len = 0;
        prefix[0] = '\0';

        _cleanup_close_ int parent_fd = openat_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
        if (parent_fd < 0)
                return error_set_errno(error, errno, "open the root of the rootfs");

        const char *p = path;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *end = strchrnul(p, '/');
                size_t component_len = (size_t) (end - p);
                const char *rest = end;
                while (*rest == '/')
                        rest++;
                bool last = *rest == '\0';
                size_t parent_len = prefix_len;

                prefix[prefix_len++] = '/';
                memcpy(prefix + prefix_len, p, component_len);
                prefix_len += component_len;
                prefix[prefix_len] = '\0';
                p = end;

                int flags = last ? last_flags : O_PATH;
                int fd = openat_in_root(root_fd, prefix, flags);
                if (fd < 0 && errno == ENOENT) {
                        _cleanup_free_ char *name = strndup(prefix + parent_len + 1, component_len);
                        if (!name)
                                return error_set(error, ENOMEM, "out of memory");
                        int r;
                        if (!last || create == PATH_CREATE_DIRECTORY) {
                                r = mkdirat(parent_fd, name, 0755);
                        } else {
                                r = openat(parent_fd, name,
                                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                           0644);
                                if (r >= 0)
                                        close(r);
                        }
                        if (r < 0 && errno != EEXIST)
                                return error_set_errno(error, errno,
                                                       "create `%s` inside the rootfs", prefix);
                        fd = openat_in_root(root_fd, prefix, flags);
                        if (fd < 0 && errno == ENOENT) {
                                /* It exists (EEXIST) yet cannot be opened: a
                                 * symlink to something missing. Walk again
                                 * through its target, still inside the root. */
                                char target[PATH_MAX];
                                ssize_t n = readlinkat(parent_fd, name, target, sizeof(target) - 1);
                                /* Not a symlink (EINVAL) or gone: someone
                                 * is swapping the path under us. */
                                if (n < 0 && (errno == EINVAL || errno == ENOENT))
                                        return error_set(error, EAGAIN,
                                                         "`%s` inside the rootfs changed while it "
                                                         "was being resolved",
                                                         prefix);
                                if (n < 0)
                                        return error_set_errno(
                                            error, errno, "open `%s` inside the rootfs", prefix);
                                target[n] = '\0';
                                prefix[parent_len] = '\0';
                                bool absolute = target[0] == '/';
                                if (asprintf(ret_restart, "%s/%s%s%s", absolute ? "" : prefix,
                                             target, *rest ? "/" : "", rest) < 0)
                                        return error_set(error, ENOMEM, "out of memory");
                                *ret_fd = -1;
                                return 0;
                        }
                }
                if (fd < 0)
                        return error_set_errno(error, errno, "open `%s` inside the rootfs", prefix);
                if (last) {
                        *ret_fd = fd;
                        return 0;
                }
                closep(&parent_fd);
                parent_fd = fd;
        }
        /* Only slashes: the root itself. */
        *ret_fd = steal_fd(&parent_fd);
        return 0;
}

int path_open_in_root(int root_fd, const char *path, path_create create, bool nofollow_last,
                      int *ret_fd, ocirun_error **error)
{
        int last_flags = O_PATH | (nofollow_last ? O_NOFOLLOW : 0);
        int fd = openat_in_root(root_fd, path, last_flags);
        if (fd >= 0) {
                *ret_fd = fd;
                return 0;
        }
        if (errno != ENOENT || create == PATH_MUST_EXIST)
                return error_set_errno(error, errno, "open `%s` inside the rootfs", path);

        _cleanup_free_ char *current = strdup(path);
        if (!current)
                return error_set(error, ENOMEM, "out of memory");
        for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
                _cleanup_free_ char *restart = NULL;
                int r = walk_creating(root_fd, current, create, last_flags, &fd, &restart, error);
                if (r < 0)
                        return error_prefix(error, "resolve `%s`", path);
                if (!restart) {
                        *ret_fd = fd;
                        return 0;
                }
                free(current);
                current = steal_pointer(&restart);
        }
        return error_set(error, ELOOP, "resolve `%s` inside the rootfs: too many symlinks", path);
}

int path_open_parent_in_root(int root_fd, const char *path, int *ret_parent_fd, char **ret_name,
                             ocirun_error **error)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return error_set(error, ENOMEM, "out of memory");
        size_t len = strlen(copy);
        while (len > 1 && copy[len - 1] == '/')
                copy[--len] = '\0';
        char *slash = strrchr(copy, '/');
        const char *name = slash ? slash + 1 : copy;
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return error_set(error, EINVAL, "`%s` does not name an entry in a directory", path);
        _cleanup_free_ char *name_copy = strdup(name);
        if (!name_copy)
                return error_set(error, ENOMEM, "out of memory");
        if (slash)
                *slash = '\0';
        int fd;
        int r = path_open_in_root(root_fd, slash && copy[0] ? copy : "/", PATH_CREATE_DIRECTORY,
                                  false, &fd, error);
        if (r < 0)
                return r;
        *ret_parent_fd = fd;
        *ret_name = steal_pointer(&name_copy);
        return 0;
}

/* ---- mounting through file descriptors ----------------------------------- */

/* The messages a filesystem left in its fs_context ("e tmpfs: Bad value for
 * 'size'"), joined; NULL when there are none. */
static char *fs_context_messages(int fs_fd)
{
        char *all = NULL;
        char buffer[1024];
        for (int i = 0; i < 16; i++) {
                ssize_t n = read(fs_fd, buffer, sizeof(buffer) - 1);
                if (n <= 0)
                        break;
                buffer[n] = '\0';
                while (n > 0 && buffer[n - 1] == '\n')
                        buffer[--n] = '\0';
                const char *text = n > 2 && buffer[1] == ' ' ? buffer + 2 : buffer;
                char *joined = NULL;
                if (asprintf(&joined, "%s%s%s", all ? all : "", all ? "; " : "", text) < 0) {
                        free(all);
                        return NULL;
                }
                free(all);
                all = joined;
        }
        return all;
}

__attribute__((format(printf, 4, 5))) static int
fs_error(int fs_fd, int errnum, ocirun_error **error, const char *fmt, ...)
{
        _cleanup_free_ char *what = NULL;
        _cleanup_free_ char *messages = fs_context_messages(fs_fd);
        _cleanup_free_ char *safe = messages ? str_one_line(messages) : NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (r < 0)
                return error_set(error, errnum, "out of memory");
        if (safe)
                return error_set(error, errnum, "%s: %s (%s)", what, strerror(errnum), safe);
        return error_set_errno(error, errnum, "%s", what);
}

/* Splits filesystem data at commas that are not inside double quotes. */
static char **data_split(const char *data)
{
        size_t n = 1;
        for (const char *c = data; *c; c++)
                n += *c == ',';
        _cleanup_strv_ char **items = calloc(n + 1, sizeof(char *));
        if (!items)
                return NULL;
        size_t count = 0;
        const char *start = data;
        bool quoted = false;
        for (const char *c = data;; c++) {
                if (*c == '"')
                        quoted = !quoted;
                if (*c == '\0' || (*c == ',' && !quoted)) {
                        if (c > start) {
                                items[count] = strndup(start, (size_t) (c - start));
                                if (!items[count])
                                        return NULL;
                                count++;
                        }
                        if (*c == '\0')
                                break;
                        start = c + 1;
                }
        }
        return steal_pointer(&items);
}

/* fsconfig for one data item: key=value as a string (the quotes mount(8)
 * and SELinux's context="..." use are removed: fsconfig gets the value
 * itself), a bare word as a flag. */
static int fs_config_item(int fs_fd, char *item, ocirun_error **error)
{
        char *equal = strchr(item, '=');
        if (!equal) {
                if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, item, NULL, 0) < 0)
                        return fs_error(fs_fd, errno, error, "fsconfig %s", item);
                return 0;
        }
        *equal = '\0';
        char *value = equal + 1;
        size_t value_len = strlen(value);
        if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
                value[value_len - 1] = '\0';
                value++;
        }
        if (fsconfig(fs_fd, FSCONFIG_SET_STRING, item, value, 0) < 0) {
                int errnum = errno;
                *equal = '=';
                return fs_error(fs_fd, errnum, error, "fsconfig %s", item);
        }
        *equal = '=';
        return 0;
}

static const struct {
        unsigned flag;
        const char *name;
} superblock_flag_names[] = {
    {MOUNT_SB_SYNC, "sync"},
    {MOUNT_SB_DIRSYNC, "dirsync"},
    {MOUNT_SB_LAZYTIME, "lazytime"},
    {MOUNT_SB_MAND, "mand"},
};

int mount_new_detached(const char *type, const char *source, const char *data,
                       unsigned superblock_set, uint64_t attributes, int *ret_mount_fd,
                       ocirun_error **error)
{
        _cleanup_close_ int fs_fd = fsopen(type, FSOPEN_CLOEXEC);
        if (fs_fd < 0)
                return error_set_errno(error, errno, "fsopen %s", type);
        if (!str_empty(source) && fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                return fs_error(fs_fd, errno, error, "fsconfig source");
        /* mount(2) sets the superblock read-only along with the mount; so
         * does this, so that filesystems behave as they do under runc. */
        if ((attributes & MOUNT_ATTR_RDONLY) &&
            fsconfig(fs_fd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
                return fs_error(fs_fd, errno, error, "fsconfig ro");
        for (size_t i = 0; i < sizeof(superblock_flag_names) / sizeof(superblock_flag_names[0]);
             i++) {
                const char *name = superblock_flag_names[i].name;
                if ((superblock_set & superblock_flag_names[i].flag) &&
                    fsconfig(fs_fd, FSCONFIG_SET_FLAG, name, NULL, 0) < 0)
                        return fs_error(fs_fd, errno, error, "fsconfig %s", name);
        }
        if (!str_empty(data)) {
                _cleanup_strv_ char **items = data_split(data);
                if (!items)
                        return error_set(error, ENOMEM, "out of memory");
                for (char **item = items; *item; item++) {
                        int r = fs_config_item(fs_fd, *item, error);
                        if (r < 0)
                                return r;
                }
        }
        if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return fs_error(fs_fd, errno, error, "create the %s superblock", type);
        int mount_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, (unsigned) attributes);
        if (mount_fd < 0)
                return fs_error(fs_fd, errno, error, "fsmount %s", type);
        *ret_mount_fd = mount_fd;
        return 0;
}

static const char *const superblock_clear_names[] = {"async", NULL, "nolazytime", "nomand"};

int mount_reconfigure(int target_fd, const char *data, unsigned superblock_set,
                      unsigned superblock_clear, ocirun_error **error)
{
        if (str_empty(data) && !superblock_set && !superblock_clear)
                return 0;
        _cleanup_close_ int fs_fd = fspick(target_fd, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
        if (fs_fd < 0)
                return error_set_errno(error, errno, "fspick");
        for (size_t i = 0; i < sizeof(superblock_flag_names) / sizeof(superblock_flag_names[0]);
             i++) {
                const char *name = NULL;
                if (superblock_set & superblock_flag_names[i].flag)
                        name = superblock_flag_names[i].name;
                else if (superblock_clear & superblock_flag_names[i].flag)
                        name = superblock_clear_names[i];
                if (name && fsconfig(fs_fd, FSCONFIG_SET_FLAG, name, NULL, 0) < 0)
                        return fs_error(fs_fd, errno, error, "fsconfig %s", name);
        }
        if (!str_empty(data)) {
                _cleanup_strv_ char **items = data_split(data);
                if (!items)
                        return error_set(error, ENOMEM, "out of memory");
                for (char **item = items; *item; item++) {
                        int r = fs_config_item(fs_fd, *item, error);
                        if (r < 0)
                                return r;
                }
        }
        if (fsconfig(fs_fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
                return fs_error(fs_fd, errno, error, "reconfigure the superblock");
        return 0;
}

int mount_clone_detached(int dirfd, const char *path, bool recursive, int *ret_mount_fd,
                         ocirun_error **error)
{
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
        if (recursive)
                flags |= AT_RECURSIVE;
        if (!*path)
                flags |= AT_EMPTY_PATH;
        int fd = open_tree(dirfd, path, flags);
        if (fd < 0)
                return error_set_errno(error, errno, "open_tree `%s`", *path ? path : "(fd)");
        *ret_mount_fd = fd;
        return 0;
}

int mount_set_attributes(int mount_fd, bool recursive, uint64_t set, uint64_t clear,
                         uint64_t propagation, int userns_fd, ocirun_error **error)
{
        if (!set && !clear && !propagation)
                return 0;
        struct mount_attr attr = {
            .attr_set = set,
            .attr_clr = clear,
            .propagation = propagation,
            .userns_fd = userns_fd >= 0 ? (uint64_t) userns_fd : 0,
        };
        unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
        if (mount_setattr(mount_fd, "", flags, &attr, sizeof(attr)) < 0)
                return error_set_errno(error, errno, "mount_setattr");
        return 0;
}

int mount_attach(int mount_fd, int target_fd, ocirun_error **error)
{
        if (move_mount(mount_fd, "", target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_set_errno(error, errno, "move_mount");
        return 0;
}

/* ---- idmapped mounts ----------------------------------------------------- */

/* A procfs that shows our own pid namespace: a fresh detached instance, or
 * /proc when it is provably ours (its "self" is our pid). The host's /proc
 * seen from a new pid namespace would name other processes by our pids. */
static int open_own_proc(int *ret_fd, ocirun_error **error)
{
        int fd;
        ocirun_error *ignored = NULL;
        if (mount_new_detached("proc", "proc", NULL, 0,
                               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &fd,
                               &ignored) == 0) {
                *ret_fd = fd;
                return 0;
        }
        ocirun_error_free(ignored);
        _cleanup_close_ int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0)
                return error_set_errno(error, errno, "open /proc");
        char self[32], expected[32];
        ssize_t n = readlinkat(proc_fd, "self", self, sizeof(self) - 1);
        snprintf(expected, sizeof(expected), "%d", (int) getpid());
        if (n < 0 || (self[n] = '\0', strcmp(self, expected) != 0))
                return error_set(error, EPERM,
                                 "no procfs of our own pid namespace to write id maps through");
        *ret_fd = steal_fd(&proc_fd);
        return 0;
}

static int write_proc_file(int proc_fd, pid_t pid, const char *name, const char *text,
                           ocirun_error **error)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/%s", (int) pid, name);
        _cleanup_close_ int fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set_errno(error, errno, "open /proc/%s", path);
        size_t len = strlen(text);
        ssize_t n = write(fd, text, len);
        if (n < 0)
                return error_set_errno(error, errno, "write /proc/%s", path);
        if ((size_t) n != len)
                return error_set(error, EIO, "write /proc/%s: short write", path);
        return 0;
}

/* The helper child that holds the user namespace until we have its fd. */
typedef struct userns_holder {
        pid_t pid;
        int release_fd; /* closing it lets the child exit */
} userns_holder;

static void userns_holder_release(userns_holder *holder)
{
        closep(&holder->release_fd);
        holder->release_fd = -1;
        if (holder->pid > 0) {
                while (waitpid(holder->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                holder->pid = 0;
        }
}

int mount_idmap_userns(const ocispec_id_mapping *uid_mappings, size_t n_uid,
                       const ocispec_id_mapping *gid_mappings, size_t n_gid, int *ret_fd,
                       ocirun_error **error)
{
        if (n_uid == 0 || n_gid == 0)
                return error_set(error, EINVAL,
                                 "an idmapped mount needs both uidMappings and gidMappings");
        _cleanup_free_ char *uid_map = id_map_text(uid_mappings, n_uid);
        _cleanup_free_ char *gid_map = id_map_text(gid_mappings, n_gid);
        if (!uid_map || !gid_map)
                return error_set(error, ENOMEM, "out of memory");
        _cleanup_close_ int proc_fd = -1;
        int r = open_own_proc(&proc_fd, error);
        if (r < 0)
                return r;

        int ready[2], hold[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "pipe");
        if (pipe2(hold, O_CLOEXEC) < 0) {
                int errnum = errno;
                close(ready[0]);
                close(ready[1]);
                return error_set_errno(error, errnum, "pipe");
        }
        pid_t pid = fork();
        if (pid == 0) {
                /* The child only unshares, says so, and waits to be released. */
                close(ready[0]);
                close(hold[1]);
                int result = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
                char byte;
                if (write(ready[1], &result, sizeof(result)) == sizeof(result))
                        while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
                                ;
                _exit(0);
        }
        int fork_errno = errno;
        close(ready[1]);
        close(hold[0]);
        _cleanup_close_ int ready_fd = ready[0];
        _cleanup_(userns_holder_release) userns_holder holder = {.pid = pid, .release_fd = hold[1]};
        if (pid < 0) {
                holder.pid = 0;
                return error_set_errno(error, fork_errno, "fork the idmap user namespace helper");
        }

        int result = 0;
        ssize_t n;
        while ((n = read(ready_fd, &result, sizeof(result))) < 0 && errno == EINTR)
                ;
        if (n != sizeof(result))
                return error_set(error, ECHILD, "the idmap user namespace helper died");
        if (result != 0)
                return error_set_errno(error, result,
                                       "unshare a user namespace for an idmapped mount");

        r = write_proc_file(proc_fd, pid, "uid_map", uid_map, error);
        if (r < 0)
                return r;
        r = write_proc_file(proc_fd, pid, "gid_map", gid_map, error);
        if (r < 0)
                return r;
        char path[64];
        snprintf(path, sizeof(path), "%d/ns/user", (int) pid);
        int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "open /proc/%s", path);
        *ret_fd = fd;
        return 0;
}

/* ---- tmpcopyup ------------------------------------------------------------ */

static int copy_file_contents(int source_fd, int dest_fd)
{
        for (;;) {
                ssize_t n = copy_file_range(source_fd, NULL, dest_fd, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return -errno;
                break;
        }
        char buffer[65536];
        for (;;) {
                ssize_t n = read(source_fd, buffer, sizeof(buffer));
                if (n == 0)
                        return 0;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(dest_fd, buffer + done, (size_t) (n - done));
                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        done += w;
                }
        }
}

static int copy_tree_at(int source_dir_fd, int dest_dir_fd, int depth, ocirun_error **error);

static int copy_entry(int source_dir_fd, int dest_dir_fd, const char *name, int depth,
                      ocirun_error **error)
{
        struct stat st;
        if (fstatat(source_dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set_errno(error, errno, "stat `%s`", name);
        mode_t mode = st.st_mode & 07777;

        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(dest_dir_fd, name, 0700) < 0 && errno != EEXIST)
                        return error_set_errno(error, errno, "mkdir `%s`", name);
                _cleanup_close_ int source_fd =
                    openat(source_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (source_fd < 0)
                        return error_set_errno(error, errno, "open `%s`", name);
                _cleanup_close_ int dest_fd =
                    openat(dest_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dest_fd < 0)
                        return error_set_errno(error, errno, "open the copy of `%s`", name);
                int r = copy_tree_at(source_fd, dest_fd, depth + 1, error);
                if (r < 0)
                        return error_prefix(error, "%s", name);
                if (fchown(dest_fd, st.st_uid, st.st_gid) < 0 || fchmod(dest_fd, mode) < 0)
                        return error_set_errno(error, errno, "set the owner and mode of `%s`",
                                               name);
                return 0;
        }
        if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int source_fd =
                    openat(source_dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (source_fd < 0)
                        return error_set_errno(error, errno, "open `%s`", name);
                _cleanup_close_ int dest_fd = openat(
                    dest_dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (dest_fd < 0)
                        return error_set_errno(error, errno, "create the copy of `%s`", name);
                int r = copy_file_contents(source_fd, dest_fd);
                if (r < 0)
                        return error_set_errno(error, -r, "copy `%s`", name);
                if (fchown(dest_fd, st.st_uid, st.st_gid) < 0 || fchmod(dest_fd, mode) < 0)
                        return error_set_errno(error, errno, "set the owner and mode of `%s`",
                                               name);
                return 0;
        }
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(source_dir_fd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return error_set_errno(error, errno, "readlink `%s`", name);
                target[n] = '\0';
                if (symlinkat(target, dest_dir_fd, name) < 0)
                        return error_set_errno(error, errno, "symlink `%s`", name);
        } else {
                /* Device nodes, fifos and sockets: the node, not its contents. */
                if (mknodat(dest_dir_fd, name, st.st_mode & (S_IFMT | 0700), st.st_rdev) < 0)
                        return error_set_errno(error, errno, "mknod `%s`", name);
        }
        if (fchownat(dest_dir_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set_errno(error, errno, "chown `%s`", name);
        if (!S_ISLNK(st.st_mode) && fchmodat(dest_dir_fd, name, mode, 0) < 0)
                return error_set_errno(error, errno, "chmod `%s`", name);
        return 0;
}

static int copy_tree_at(int source_dir_fd, int dest_dir_fd, int depth, ocirun_error **error)
{
        if (depth > COPY_MAX_DEPTH)
                return error_set(error, ELOOP, "directories nested deeper than %d", COPY_MAX_DEPTH);
        int fd = openat(source_dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "open a directory to copy");
        _cleanup_closedir_ DIR *dir = fdopendir(fd);
        if (!dir) {
                int errnum = errno;
                close(fd);
                return error_set_errno(error, errnum, "read a directory to copy");
        }
        for (;;) {
                errno = 0;
                struct dirent *entry = readdir(dir);
                if (!entry) {
                        if (errno)
                                return error_set_errno(error, errno, "read a directory to copy");
                        return 0;
                }
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                        continue;
                int r = copy_entry(dirfd(dir), dest_dir_fd, entry->d_name, depth, error);
                if (r < 0)
                        return r;
        }
}

int mount_copy_tree(int source_dir_fd, int dest_dir_fd, ocirun_error **error)
{
        return copy_tree_at(source_dir_fd, dest_dir_fd, 0, error);
}

/* ---- /proc/self/mountinfo ------------------------------------------------ */

/* Decodes the \ooo escapes mountinfo uses for space, tab, newline and backslash. */
static char *mountinfo_unescape(const char *field, size_t len)
{
        char *out = malloc(len + 1);
        if (!out)
                return NULL;
        size_t j = 0;
        for (size_t i = 0; i < len; i++) {
                if (field[i] == '\\' && i + 3 < len && field[i + 1] >= '0' && field[i + 1] <= '3' &&
                    field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' &&
                    field[i + 3] <= '7') {
                        out[j++] = (char) (((field[i + 1] - '0') << 6) |
                                           ((field[i + 2] - '0') << 3) | (field[i + 3] - '0'));
                        i += 3;
                } else {
                        out[j++] = field[i];
                }
        }
        out[j] = '\0';
        return out;
}

static void mountinfo_entry_done(mountinfo_entry *e)
{
        free(e->root);
        free(e->mount_point);
        free(e->options);
        free(e->optional);
        free(e->fstype);
        free(e->source);
        free(e->super_options);
}

void mountinfo_free(mountinfo *info)
{
        if (!info)
                return;
        for (size_t i = 0; i < info->len; i++)
                mountinfo_entry_done(&info->entries[i]);
        free(info->entries);
        free(info);
}

void mountinfo_freep(mountinfo **info)
{
        mountinfo_free(*info);
        *info = NULL;
}

/* Fields: id parent major:minor root mount_point options [optional...] - fstype source super */
static int mountinfo_parse_line(char *line, mountinfo_entry *e)
{
        char *fields[64];
        size_t n = 0;
        for (char *save = NULL, *f = strtok_r(line, " \n", &save); f && n < 64;
             f = strtok_r(NULL, " \n", &save))
                fields[n++] = f;
        size_t dash = 0;
        for (size_t i = 6; i < n; i++)
                if (strcmp(fields[i], "-") == 0) {
                        dash = i;
                        break;
                }
        if (n < 10 || dash == 0 || dash + 3 > n)
                return -EINVAL;
        e->id = atoi(fields[0]);
        e->parent_id = atoi(fields[1]);
        e->root = mountinfo_unescape(fields[3], strlen(fields[3]));
        e->mount_point = mountinfo_unescape(fields[4], strlen(fields[4]));
        e->options = strdup(fields[5]);
        size_t optional_len = 0;
        for (size_t i = 6; i < dash; i++)
                optional_len += strlen(fields[i]) + 1;
        e->optional = calloc(1, optional_len + 1);
        if (e->optional)
                for (size_t i = 6; i < dash; i++) {
                        if (i > 6)
                                strcat(e->optional, " ");
                        strcat(e->optional, fields[i]);
                }
        e->fstype = strdup(fields[dash + 1]);
        e->source = mountinfo_unescape(fields[dash + 2], strlen(fields[dash + 2]));
        e->super_options = strdup(dash + 3 < n ? fields[dash + 3] : "");
        if (!e->root || !e->mount_point || !e->options || !e->optional || !e->fstype ||
            !e->source || !e->super_options)
                return -ENOMEM;
        return 0;
}

int mountinfo_read(const char *path, mountinfo **ret, ocirun_error **error)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return error_set_errno(error, errno, "open %s", path);
        _cleanup_(mountinfo_freep) mountinfo *info = calloc(1, sizeof(*info));
        if (!info)
                return error_set(error, ENOMEM, "out of memory");
        size_t capacity = 0;
        _cleanup_free_ char *line = NULL;
        size_t line_size = 0;
        while (getline(&line, &line_size, f) >= 0) {
                if (info->len == capacity) {
                        size_t new_capacity = capacity ? capacity * 2 : 64;
                        mountinfo_entry *entries =
                            realloc(info->entries, new_capacity * sizeof(*entries));
                        if (!entries)
                                return error_set(error, ENOMEM, "out of memory");
                        info->entries = entries;
                        capacity = new_capacity;
                }
                mountinfo_entry *e = &info->entries[info->len];
                *e = (mountinfo_entry){0};
                int r = mountinfo_parse_line(line, e);
                if (r < 0) {
                        mountinfo_entry_done(e);
                        if (r == -ENOMEM)
                                return error_set(error, ENOMEM, "out of memory");
                        continue;
                }
                info->len++;
        }
        *ret = steal_pointer(&info);
        return 0;
}

const mountinfo_entry *mountinfo_find_id(const mountinfo *info, int id)
{
        for (size_t i = 0; i < info->len; i++)
                if (info->entries[i].id == id)
                        return &info->entries[i];
        return NULL;
}

int mount_id_of_fd(int fd, int *ret_id, ocirun_error **error)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return error_set_errno(error, errno, "open %s", path);
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        while (getline(&line, &size, f) >= 0) {
                int id;
                if (sscanf(line, "mnt_id: %d", &id) == 1) {
                        *ret_id = id;
                        return 0;
                }
        }
        return error_set(error, ENOENT, "%s has no mnt_id", path);
}

/* ---- cgroup filesystems -------------------------------------------------- */

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"

/* The path of our own cgroup in the hierarchy whose super options are
 * given (v1: its controllers or name=; cgroup2: the "0::" line). */
static char *own_cgroup(const mountinfo_entry *hierarchy)
{
        bool v2 = strcmp(hierarchy->fstype, "cgroup2") == 0;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return NULL;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        while (getline(&line, &size, f) >= 0) {
                line[strcspn(line, "\n")] = '\0';
                char *controllers = strchr(line, ':');
                if (!controllers)
                        continue;
                controllers++;
                char *path = strchr(controllers, ':');
                if (!path)
                        continue;
                *path++ = '\0';
                if (v2) {
                        if (!*controllers)
                                return strdup(path);
                        continue;
                }
                if (!*controllers)
                        continue;
                /* One controller of the line among the hierarchy's super
                 * options is enough: a controller lives in one hierarchy. */
                _cleanup_free_ char *super = strdup(hierarchy->super_options);
                if (!super)
                        return NULL;
                const char *first = strtok(controllers, ",");
                for (char *save = NULL, *o = strtok_r(super, ",", &save); o && first;
                     o = strtok_r(NULL, ",", &save))
                        if (strcmp(o, first) == 0)
                                return strdup(path);
        }
        return NULL;
}

/* The host directory of the container's cgroup in one hierarchy: cgroup_path
 * when it exists there, else our own cgroup (a hierarchy the cgroup code did
 * not create the container's directory in). */
static char *host_cgroup_directory(const mountinfo_entry *hierarchy, const char *cgroup_path)
{
        const char *root = hierarchy->root;
        bool root_is_slash = strcmp(root, "/") == 0;
        size_t root_len = strlen(root);
        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_free_ char *own = attempt == 1 ? own_cgroup(hierarchy) : NULL;
                const char *path = attempt == 0 ? cgroup_path : own;
                if (str_empty(path))
                        continue;
                const char *relative = path;
                if (!root_is_slash) {
                        if (strncmp(path, root, root_len) != 0 ||
                            (path[root_len] != '/' && path[root_len] != '\0'))
                                continue;
                        relative = path + root_len;
                }
                char *directory = NULL;
                if (asprintf(&directory, "%s%s%s", hierarchy->mount_point,
                             relative[0] == '/' ? "" : "/", relative) < 0)
                        return NULL;
                if (access(directory, F_OK) == 0)
                        return directory;
                free(directory);
        }
        return NULL;
}

static bool is_cgroup_hierarchy(const mountinfo_entry *e)
{
        size_t prefix_len = strlen(HOST_CGROUP_ROOT "/");
        if (strcmp(e->fstype, "cgroup") != 0 && strcmp(e->fstype, "cgroup2") != 0)
                return false;
        if (strncmp(e->mount_point, HOST_CGROUP_ROOT "/", prefix_len) != 0)
                return false;
        const char *name = e->mount_point + prefix_len;
        return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The super options a v1 hierarchy is mounted again with: its controllers,
 * name= and flags, without rw/ro (the attributes decide) and without
 * release_agent (never handed to a container: CVE-2022-0492). */
static char *cgroup_v1_data(const char *super_options)
{
        _cleanup_free_ char *copy = strdup(super_options);
        char *data = NULL;
        if (!copy)
                return NULL;
        for (char *save = NULL, *o = strtok_r(copy, ",", &save); o;
             o = strtok_r(NULL, ",", &save)) {
                if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0 ||
                    strncmp(o, "release_agent=", 14) == 0)
                        continue;
                if (data_append(&data, o) < 0) {
                        free(data);
                        return NULL;
                }
        }
        return data ? data : strdup("");
}

char *mount_data_with_label(const char *data, const char *label)
{
        char *result = NULL;
        if (str_empty(label))
                return strdup(data ? data : "");
        if (asprintf(&result, "%s%scontext=\"%s\"", data ? data : "", str_empty(data) ? "" : ",",
                     label) < 0)
                return NULL;
        return result;
}

static int mount_one_hierarchy(const mount_cgroup_context *context, const mountinfo_entry *h,
                               int target_fd, uint64_t attributes, ocirun_error **error)
{
        _cleanup_close_ int mount_fd = -1;
        bool v2 = strcmp(h->fstype, "cgroup2") == 0;
        int r;
        if (context->has_cgroup_namespace) {
                _cleanup_free_ char *data = v2 ? strdup("") : cgroup_v1_data(h->super_options);
                if (!data)
                        return error_set(error, ENOMEM, "out of memory");
                r = mount_new_detached(h->fstype, h->fstype, data, 0, attributes, &mount_fd, error);
        } else {
                _cleanup_free_ char *directory = host_cgroup_directory(h, context->cgroup_path);
                if (!directory)
                        return error_set(error, ENOENT,
                                         "no directory of the container's cgroup under `%s`",
                                         h->mount_point);
                r = mount_clone_detached(AT_FDCWD, directory, false, &mount_fd, error);
                if (r == 0)
                        r = mount_set_attributes(mount_fd, false, attributes, 0, 0, -1, error);
        }
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        if (r < 0)
                return error_prefix(error, "mount the %s hierarchy `%s`", h->fstype,
                                    h->mount_point);
        return 0;
}

/* The host's symlinks between hierarchies (cpu -> cpu,cpuacct) copied into
 * the container's cgroup tmpfs. */
static int copy_cgroup_symlinks(int tmpfs_fd, ocirun_error **error)
{
        int fd = open(HOST_CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "open %s", HOST_CGROUP_ROOT);
        _cleanup_closedir_ DIR *dir = fdopendir(fd);
        if (!dir) {
                int errnum = errno;
                close(fd);
                return error_set_errno(error, errnum, "read %s", HOST_CGROUP_ROOT);
        }
        struct dirent *entry;
        while ((entry = readdir(dir))) {
                if (entry->d_type != DT_LNK)
                        continue;
                char target[PATH_MAX];
                ssize_t n = readlinkat(dirfd(dir), entry->d_name, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                if (symlinkat(target, tmpfs_fd, entry->d_name) < 0 && errno != EEXIST)
                        return error_set_errno(error, errno, "symlink %s/%s", HOST_CGROUP_ROOT,
                                               entry->d_name);
        }
        return 0;
}

int mount_cgroup(const mount_cgroup_context *context, int target_fd, uint64_t attributes,
                 const char *data, ocirun_error **error)
{
        struct statfs host;
        if (statfs(HOST_CGROUP_ROOT, &host) < 0)
                return error_set_errno(error, errno, "statfs %s", HOST_CGROUP_ROOT);
        _cleanup_close_ int mount_fd = -1;
        int r;

        if (host.f_type == CGROUP2_SUPER_MAGIC) {
                if (context->has_cgroup_namespace) {
                        r = mount_new_detached("cgroup2", "cgroup2", data, 0, attributes, &mount_fd,
                                               error);
                } else {
                        mountinfo_entry unified = {.root = (char *) "/",
                                                   .mount_point = (char *) HOST_CGROUP_ROOT,
                                                   .fstype = (char *) "cgroup2",
                                                   .super_options = (char *) ""};
                        _cleanup_free_ char *directory =
                            host_cgroup_directory(&unified, context->cgroup_path);
                        if (!directory)
                                return error_set(error, ENOENT,
                                                 "no directory of the container's cgroup under "
                                                 "`%s`",
                                                 HOST_CGROUP_ROOT);
                        r = mount_clone_detached(AT_FDCWD, directory, false, &mount_fd, error);
                        if (r == 0)
                                r = mount_set_attributes(mount_fd, false, attributes, 0, 0, -1,
                                                         error);
                }
                if (r == 0)
                        r = mount_attach(mount_fd, target_fd, error);
                return r;
        }

        _cleanup_(mountinfo_freep) mountinfo *info = NULL;
        r = mountinfo_read("/proc/self/mountinfo", &info, error);
        if (r < 0)
                return r;
        if (context->unified_only) {
                for (size_t i = 0; i < info->len; i++) {
                        const mountinfo_entry *h = &info->entries[i];
                        if (is_cgroup_hierarchy(h) && strcmp(h->fstype, "cgroup2") == 0)
                                return mount_one_hierarchy(context, h, target_fd, attributes,
                                                           error);
                }
                if (!context->has_cgroup_namespace)
                        return error_set(error, ENOENT,
                                         "no cgroup2 hierarchy is mounted on this host to bind "
                                         "the container's cgroup from");
                r = mount_new_detached("cgroup2", "cgroup2", data, 0, attributes, &mount_fd, error);
                if (r == 0)
                        r = mount_attach(mount_fd, target_fd, error);
                return r;
        }

        /* v1 or hybrid: a tmpfs holding one directory per hierarchy. It is
         * made read-only last, once its directories exist. */
        _cleanup_free_ char *tmpfs_data = mount_data_with_label("mode=755", context->label);
        if (!tmpfs_data)
                return error_set(error, ENOMEM, "out of memory");
        uint64_t tmpfs_attributes = (attributes & ~MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID |
                                    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        r = mount_new_detached("tmpfs", "tmpfs", tmpfs_data, 0, tmpfs_attributes, &mount_fd, error);
        if (r == 0)
                r = mount_attach(mount_fd, target_fd, error);
        if (r < 0)
                return error_prefix(error, "mount the cgroup tmpfs");

        for (size_t i = 0; i < info->len; i++) {
                const mountinfo_entry *h = &info->entries[i];
                if (!is_cgroup_hierarchy(h))
                        continue;
                const char *name = h->mount_point + strlen(HOST_CGROUP_ROOT "/");
                if (mkdirat(mount_fd, name, 0755) < 0 && errno != EEXIST)
                        return error_set_errno(error, errno, "mkdir %s in the cgroup tmpfs", name);
                _cleanup_close_ int directory_fd =
                    openat(mount_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (directory_fd < 0)
                        return error_set_errno(error, errno, "open %s in the cgroup tmpfs", name);
                r = mount_one_hierarchy(context, h, directory_fd, attributes, error);
                if (r < 0)
                        return r;
        }
        r = copy_cgroup_symlinks(mount_fd, error);
        if (r < 0)
                return r;
        if (attributes & MOUNT_ATTR_RDONLY)
                return mount_set_attributes(mount_fd, false, MOUNT_ATTR_RDONLY, 0, 0, -1, error);
        return 0;
}
