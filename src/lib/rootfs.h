/* The container's filesystem, set up by the container's init in its new
 * mount namespace, in this order:
 *   rootfs_prepare  propagation, the rootfs bind, every config mount in
 *                   order, /dev (default devices and links when /dev is a
 *                   tmpfs of ocirun's), linux.devices
 *   (createContainer hooks run here, by init.c)
 *   rootfs_pivot    pivot_root into the rootfs (MS_MOVE + chroot with
 *                   --no-pivot), the old root detached
 *   rootfs_bind_console, when there is a terminal
 *   rootfs_finish   masked paths, read-only paths, root.readonly, the
 *                   final propagation of /
 * Every destination inside the rootfs is resolved relative to an fd of the
 * rootfs (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, with a safe
 * component-by-component fallback) and mounted through that fd, never by
 * following a string path (CVE-2021-30465 class). */
#ifndef OCIRUN_ROOTFS_H
#define OCIRUN_ROOTFS_H

#include <stdbool.h>

#include "ocirun.h"

typedef struct rootfs_context {
        const ocispec_config *config;
        const char *bundle; /* absolute; relative bind sources are relative to it */
        const char *rootfs; /* absolute path of root.path */
        bool no_pivot;
        /* The container's cgroup path, the same in every hierarchy
         * ("/ocirun/ID"): what a `cgroup` mount shows without a cgroup
         * namespace. */
        const char *cgroup_path;
        bool has_cgroup_namespace;
        bool has_user_namespace;
        /* mknod is not allowed (a user namespace, the container's or the
         * runtime's own): devices are bind-mounted from the host. */
        bool bind_devices;
        /* One per config mount: a detached clone of a bind mount's source
         * made by create before the init existed, or -1 (the init clones
         * the source itself). NULL: -1 for all. */
        const int *bind_source_fds;
} rootfs_context;

/* Checks what create must refuse before touching the system: mount
 * destinations absolute (or relative, as runc accepts, made absolute), every
 * mount option known (an unknown one is an error naming it and the mount),
 * device types and paths under /dev. Errors name the config field:
 * `config.json: mounts[3].options: unknown mount option "foo"`. */
int rootfs_validate(const ocispec_config *config, ocirun_error **error);

/* A bind mount's source as create resolves it: a relative one is
 * relative to the bundle. NULL on ENOMEM. */
char *rootfs_bind_source_path(const char *bundle, const ocispec_mount *m);

/* In create, before the init exists, for a container with a new user
 * namespace: its root may not reach a source the caller can (a directory of
 * mode 0700, ocirun's own state directory), so every bind source is cloned
 * here (open_tree), as the caller, and the init only attaches the clones.
 * *ret_fds gets config->mounts_len fds, -1 for the mounts that are not
 * binds; rootfs_close_bind_sources frees them. */
int rootfs_open_bind_sources(const ocispec_config *config, const char *bundle, int **ret_fds,
                             ocirun_error **error);
void rootfs_close_bind_sources(int *fds, size_t n);

int rootfs_prepare(const rootfs_context *context, ocirun_error **error);
int rootfs_pivot(const rootfs_context *context, ocirun_error **error);
/* Bind-mounts the pty slave at slave_path onto /dev/console (made as an
 * empty file if missing; never through a symlink: CVE-2025-52565). */
int rootfs_bind_console(const char *slave_path, ocirun_error **error);
int rootfs_finish(const rootfs_context *context, ocirun_error **error);

#endif
