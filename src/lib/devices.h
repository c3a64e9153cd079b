/* Internal to libocirun: the container's /dev. The default device nodes
 * (null zero full random urandom tty) and the standard links, the devices of
 * linux.devices, and the verified /dev/null that masks files. Every entry is
 * made relative to an fd of its directory resolved inside the rootfs, so a
 * /dev that is a symlink in the image can never make ocirun create, remove
 * or mount anything outside the rootfs (runc CVE-2026-41579, crun's
 * GHSA-7vwr-4279-7gq5). */
#ifndef OCIRUN_DEVICES_H
#define OCIRUN_DEVICES_H

#include <stdbool.h>

#include "ocirun.h"

/* linux.devices: type c, b, u or p; major and minor for all but p; path
 * absolute and under /dev; fileMode only permission bits. Errors name the
 * field: `config.json: linux.devices[0].type: unknown device type "x"`. */
int devices_validate(const ocispec_config *config, ocirun_error **error);

/* In the rootfs whose root is root_fd (before pivot_root): the default
 * devices that linux.devices does not list, made with mknod (mode 0666,
 * owned by root) or, with bind_from_host (a user namespace cannot mknod),
 * bind-mounted from the host's /dev; then the links /dev/fd, stdin, stdout,
 * stderr -> /proc/self/fd..., ptmx -> pts/ptmx and, when the kernel has
 * /proc/kcore, core -> /proc/kcore, as runc makes them. */
int devices_setup_default(int root_fd, const ocispec_config *config, bool bind_from_host,
                          ocirun_error **error);

/* linux.devices, made in the rootfs: mknod with fileMode/uid/gid, or with
 * bind_from_host a bind of the host's node at the same path, checked to be
 * the device the config names. An existing entry that is not that device
 * is replaced. */
int devices_create_configured(int root_fd, const ocispec_config *config, bool bind_from_host,
                              ocirun_error **error);

/* Opens /dev/null inside the tree of root_fd without following a symlink
 * and checks that it is the character device 1:3 (CVE-2025-31133: a
 * /dev/null swapped for a symlink made runc bind-mount a procfs file of the
 * attacker's choice over masked paths). Returns an O_PATH fd. */
int devices_open_null(int root_fd, int *ret_fd, ocirun_error **error);

#endif
