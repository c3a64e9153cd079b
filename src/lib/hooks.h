/* OCI hooks: each runs with the container's state JSON on its stdin, the
 * hook's own args and env, and its timeout. */
#ifndef OCIRUN_HOOKS_H
#define OCIRUN_HOOKS_H

#include <stddef.h>

#include "ocirun.h"

/* Runs hooks[0..n) in order; the first failure (non-zero exit, a signal,
 * the timeout, exec failure) stops the list and is returned as an error:
 * `createRuntime hook #1 (/path): exited with status 3: <last line of its
 * stderr>`. kind names the hook list in messages. A hook that times out is
 * killed (SIGKILL) and reaped. The hook runs in the caller's namespaces with
 * its stdout and stderr captured (up to 4 KiB each, for the message) and no
 * other fds of ours. */
int hooks_run(const char *kind, const ocispec_hook *hooks, size_t n, const char *state_json,
              ocirun_error **error);

/* The same, each hook starting in cwd (NULL: the caller's), as runc's do:
 * prestart and createRuntime in the bundle (runc create chdirs there),
 * createContainer in the rootfs (runc's init chdirs there first). */
int hooks_run_in(const char *kind, const ocispec_hook *hooks, size_t n, const char *state_json,
                 const char *cwd, ocirun_error **error);

#endif
