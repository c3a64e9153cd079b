/* The container's init: what the child cloned by create does, in the fixed
 * order below, before it waits for `start` and execs the user process. */
#ifndef OCIRUN_INIT_H
#define OCIRUN_INIT_H

#include <stdbool.h>

#include "namespaces.h"
#include "rootfs.h"

typedef struct init_args {
        const char *id;
        const ocispec_config *config;
        const namespace_plan *plan;
        rootfs_context rootfs;
        int sync_fd;           /* the child's end of the socketpair */
        int exec_fifo_fd;      /* opened for reading by the parent */
        int console_socket_fd; /* connected by the parent, or -1 */
        int preserve_fds;      /* fds 3 .. 3+N-1 stay open across execve */
        int listen_fds;        /* socket activation fds after those; 0 for none */
        bool no_new_keyring;
} init_args;

/* Runs in the cloned child and never returns: it execs the user process or
 * exits after reporting its failure to the parent over sync_fd.
 *
 * Order: inherited fds closed -> namespaces (id maps by the parent, joins,
 * time) -> lo up in a new network namespace -> the init process itself (a
 * fork when the pid namespace demands it) -> a new cgroup namespace (once
 * the parent has put the init in its cgroup) -> session keyring -> mounts
 * and devices -> prestart and createRuntime hooks (by the parent, as runc
 * runs them: after the mounts, before pivot_root) -> createContainer hooks
 * -> pivot_root -> terminal and /dev/console ->
 * hostname, domainname, sysctl -> masked and read-only paths -> HOME and
 * LISTEN_FDS in the env -> process_prepare (oom_score_adj, rlimits,
 * scheduler, I/O priority, personality, CPU affinity, user and groups,
 * capabilities, no_new_privs, cwd, the executable) -> fds marked
 * close-on-exec -> ready -> wait for start -> startContainer hooks -> final
 * CPU affinity -> execve. */
_Noreturn void init_main(init_args *args);

#endif
