/* Internal to libocirun: the mount options of config.json parsed into what
 * the kernel's fd-based mount API takes, the resolution of paths inside the
 * rootfs (openat2 RESOLVE_IN_ROOT, creating what is missing one component at
 * a time) and the primitives that mount through file descriptors. rootfs.c
 * decides what is mounted when; devices.c uses the same primitives. */
#ifndef OCIRUN_MOUNTS_H
#define OCIRUN_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocirun.h"

#define MOUNT_MAX_PROPAGATION 8

/* The kernel keeps atime settings as an enum inside the attribute bits, and
 * relatime's value is 0: "not given" needs its own value. */
typedef enum mount_atime {
        MOUNT_ATIME_UNSET,
        MOUNT_ATIME_RELATIME,
        MOUNT_ATIME_NOATIME,
        MOUNT_ATIME_STRICTATIME,
} mount_atime;

/* Superblock flags, which fsconfig takes by name ("sync", "dirsync",
 * "lazytime", "mand"); the mount attributes cannot express them. */
enum {
        MOUNT_SB_SYNC = 1 << 0,
        MOUNT_SB_DIRSYNC = 1 << 1,
        MOUNT_SB_LAZYTIME = 1 << 2,
        MOUNT_SB_MAND = 1 << 3,
};

/* One config mount's options, parsed once by mount_options_parse. */
typedef struct mount_options {
        uint64_t attr_set;   /* MOUNT_ATTR_* set on the mount itself */
        uint64_t attr_clear; /* MOUNT_ATTR_* cleared on the mount itself (suid, rw...) */
        mount_atime atime;
        uint64_t recursive_set; /* rro, rnosuid...: MOUNT_ATTR_* on the whole tree */
        uint64_t recursive_clear;
        mount_atime recursive_atime;
        unsigned superblock_set; /* MOUNT_SB_* */
        unsigned superblock_clear;
        unsigned long propagation[MOUNT_MAX_PROPAGATION]; /* MS_SHARED | MS_REC..., in order */
        size_t n_propagation;
        bool bind;      /* "bind" or "rbind" */
        bool recursive; /* "rbind" */
        bool remount;
        bool tmpcopyup;
        bool copy_symlink;
        bool idmap;           /* "idmap", "ridmap", or uid/gid mappings on the mount */
        bool recursive_idmap; /* "ridmap" */
        char *data;           /* filesystem data: every other word, comma-joined; NULL if none */
        /* The first word that is not a known option (it is in data too):
         * an error on a bind mount, which takes no filesystem data. */
        const char *first_unknown;
} mount_options;

/* Never fails on a word it does not know (that is filesystem data, see
 * first_unknown); -E2BIG for more than MOUNT_MAX_PROPAGATION propagation
 * options, -ENOMEM. *ret is cleared first and always safe to pass to
 * mount_options_done. */
/* The index-th mount option ocirun knows, NULL past the last (for
 * `ocirun features`). */
const char *mount_option_name(size_t index);

int mount_options_parse(char *const *options, size_t n_options, mount_options *ret);
void mount_options_done(mount_options *options);

/* True when the config mount is a bind mount: type "bind", or "bind" /
 * "rbind" among its options (whatever its type: runc ignores it then). */
bool mount_is_bind(const char *type, const mount_options *options);

/* path made absolute and clean, lexically: "//a/./b/../c/" is "/a/c", ".."
 * stops at "/". NULL on ENOMEM. */
char *path_clean(const char *path);

/* How path_open_in_root treats a path that does not exist. */
typedef enum path_create {
        PATH_MUST_EXIST,
        PATH_CREATE_DIRECTORY, /* missing components become directories (0755) */
        PATH_CREATE_FILE,      /* ... and the last one an empty file (0644) */
} path_create;

/* Opens path (read as absolute) inside the tree whose root is root_fd,
 * following symlinks as if root_fd were "/" (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), and returns an O_PATH fd in *ret_fd. Missing
 * components are created with mkdirat/openat relative to the fd of their
 * parent, itself resolved inside the root; a dangling symlink's target is
 * created inside the root too. With nofollow_last, a symlink as the last
 * component is opened itself (the caller refuses it). Nothing is ever
 * created or opened outside root_fd's tree. */
int path_open_in_root(int root_fd, const char *path, path_create create, bool nofollow_last,
                      int *ret_fd, ocirun_error **error);

/* Opens the parent directory of path inside the root (created as with
 * PATH_CREATE_DIRECTORY) and returns it with the last component's name, for
 * callers that create that entry themselves (mknod, symlink). *ret_name is
 * malloc'ed. path must not end in "/" or "..". */
int path_open_parent_in_root(int root_fd, const char *path, int *ret_parent_fd, char **ret_name,
                             ocirun_error **error);

/* A new filesystem as a detached mount (fsopen, fsconfig, fsmount): data is
 * split at commas outside double quotes, "key=value" items set as strings,
 * bare words as flags; the kernel's own explanation of a failure is added to
 * the error. attributes are MOUNT_ATTR_* for fsmount. */
int mount_new_detached(const char *type, const char *source, const char *data,
                       unsigned superblock_set, uint64_t attributes, int *ret_mount_fd,
                       ocirun_error **error);

/* "remount" with filesystem data or superblock flags: fspick the
 * superblock of the mount at target_fd and reconfigure it. */
int mount_reconfigure(int target_fd, const char *data, unsigned superblock_set,
                      unsigned superblock_clear, ocirun_error **error);

/* data with `context="label"` appended (linux.mountLabel, as runc does for
 * the filesystems that take it); a copy of data when label is empty. */
char *mount_data_with_label(const char *data, const char *label);

/* A detached copy of the mount tree at dirfd/path (open_tree CLONE);
 * path "" means dirfd itself. */
int mount_clone_detached(int dirfd, const char *path, bool recursive, int *ret_mount_fd,
                         ocirun_error **error);

/* mount_setattr on the mount mount_fd refers to (AT_RECURSIVE with recursive). */
int mount_set_attributes(int mount_fd, bool recursive, uint64_t set, uint64_t clear,
                         uint64_t propagation, int userns_fd, ocirun_error **error);

/* Attaches the detached mount_fd onto what target_fd refers to (move_mount). */
int mount_attach(int mount_fd, int target_fd, ocirun_error **error);

/* The attribute set/clear pairs of options for the mount itself, with the
 * atime enum folded in. */
void mount_options_attributes(const mount_options *options, uint64_t *ret_set, uint64_t *ret_clear);

/* A user namespace with the given mappings, as an fd for MOUNT_ATTR_IDMAP:
 * a short-lived child unshares it, the maps are written through a procfs
 * instance of our own pid namespace, and the child exits. */
int mount_idmap_userns(const ocispec_id_mapping *uid_mappings, size_t n_uid,
                       const ocispec_id_mapping *gid_mappings, size_t n_gid, int *ret_fd,
                       ocirun_error **error);

/* Copies the tree under source_dir_fd into dest_dir_fd (tmpcopyup): files,
 * directories, symlinks (never followed), device nodes, fifos, with their
 * modes and owners. */
int mount_copy_tree(int source_dir_fd, int dest_dir_fd, ocirun_error **error);

/* /proc/self/mountinfo, one entry per line, with \ooo escapes decoded. */
typedef struct mountinfo_entry {
        int id;
        int parent_id;
        char *root;
        char *mount_point;
        char *options;
        char *optional; /* "shared:1 master:2", "" when none */
        char *fstype;
        char *source;
        char *super_options;
} mountinfo_entry;

typedef struct mountinfo {
        size_t len;
        mountinfo_entry *entries;
} mountinfo;

int mountinfo_read(const char *path, mountinfo **ret, ocirun_error **error);
void mountinfo_free(mountinfo *info);
void mountinfo_freep(mountinfo **info);
const mountinfo_entry *mountinfo_find_id(const mountinfo *info, int id);

/* The mount id of what fd refers to, from /proc/self/fdinfo. */
int mount_id_of_fd(int fd, int *ret_id, ocirun_error **error);

/* What a `cgroup`/`cgroup2` config mount needs to know. */
typedef struct mount_cgroup_context {
        const char *cgroup_path; /* the container's cgroup, "/ocirun/ID" */
        bool has_cgroup_namespace;
        /* A mount of type cgroup2: the unified hierarchy only, even on a v1
         * or hybrid host (as runc mounts it). */
        bool unified_only;
        const char *label; /* linux.mountLabel when SELinux is on, else NULL */
} mount_cgroup_context;

/* Mounts the cgroup filesystems at target_fd (a directory inside the rootfs)
 * the way the host has them: cgroup2 on a unified host; on a v1 or hybrid
 * host a tmpfs with one mount per v1 hierarchy (and `unified`), the host's
 * symlinks between them copied; with unified_only the unified hierarchy
 * alone. With a cgroup namespace they are new
 * mounts; without one, binds of the container's own cgroup directories.
 * attributes (MOUNT_ATTR_*) apply to each. */
int mount_cgroup(const mount_cgroup_context *context, int target_fd, uint64_t attributes,
                 const char *data, ocirun_error **error);

static inline void mount_options_donep(mount_options *options)
{
        mount_options_done(options);
}

#endif
