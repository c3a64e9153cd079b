/* The user process's own setup, done in the container (after pivot_root for
 * create, after joining the namespaces for exec) in the order init.c and
 * exec follow:
 *   process_apply_oom_score_adj, process_apply_rlimits,
 *   process_apply_scheduler, process_apply_io_priority,
 *   process_apply_cpu_affinity(initial),
 *   the cwd, while still root (again after the user switch if refused),
 *   seccomp_install (seccomp_filter.h; here without noNewPrivileges),
 *   process_switch_user (groups, gid, uid, umask; capabilities kept),
 *   caps_apply (caps.h), process_apply_no_new_privileges,
 *   process_find_executable,
 *   process_apply_cpu_affinity(final),
 *   seccomp_install (with noNewPrivileges), process_exec.
 * Each step returns 0 or a negative errno with an error naming the field. */
#ifndef OCIRUN_PROCESS_H
#define OCIRUN_PROCESS_H

#include <stdbool.h>

#include "ocirun.h"

/* The whole sequence above, from oom_score_adj to the executable, in that
 * order: what the init and exec both do before they execve. personality is
 * linux.personality, seccomp linux.seccomp (NULL for none): without
 * noNewPrivileges its filter is loaded before process_switch_user, while
 * the capabilities are still there (see seccomp_filter.h), and a notify fd
 * goes to the parent over seccomp_handoff_fd; with it, the caller loads it
 * later with seccomp_install(late). */
int process_prepare(const ocispec_process *process, const ocispec_personality *personality,
                    const ocispec_linux_seccomp *seccomp, int seccomp_handoff_fd,
                    char **ret_executable, ocirun_error **error);

/* Opens PATH (relative to /proc, such as "self/oom_score_adj" or
 * "sys/kernel/domainname") in the procfs mounted at /proc. The container's
 * /proc could be something else, or have something mounted over one of
 * its files (a procfs file that writes elsewhere, CVE-2025-52881), so /proc
 * must be procfs, the path is resolved without crossing a mount or
 * following a magic link (nor any symlink with no_symlinks), and the file
 * opened must be procfs's. */
int process_proc_open(const char *path, int flags, bool no_symlinks, ocirun_error **error);

/* Sets KEY=VALUE (assignment) in process.env: the first entry for KEY is
 * replaced in place and any later one dropped, or it is appended. */
int process_env_set(ocispec_process *process, const char *assignment);

/* The environment runc's users count on, added to process.env inside the
 * container after pivot_root: HOME, when the env has none, from the
 * container's /etc/passwd entry of process.user.uid (or "/"); and, with
 * listen_fds > 0, systemd's LISTEN_FDS and LISTEN_PID=1. */
int process_add_default_env(ocispec_process *process, int listen_fds, ocirun_error **error);

int process_apply_oom_score_adj(const ocispec_process *process, ocirun_error **error);
int process_apply_rlimits(const ocispec_process *process, ocirun_error **error);
int process_apply_scheduler(const ocispec_process *process, ocirun_error **error);
int process_apply_io_priority(const ocispec_process *process, ocirun_error **error);
/* linux.personality (domain LINUX or LINUX32, flags). */
int process_apply_personality(const ocispec_personality *personality, ocirun_error **error);

/* process.execCPUAffinity: `initial` right after the process joined the
 * container, `final` just before execve. */
int process_apply_cpu_affinity(const ocispec_process *process, bool final, ocirun_error **error);

/* Supplementary groups (additionalGids; none when absent), gid, uid and umask
 * from process.user, keeping the permitted capabilities across the uid
 * change so caps_apply can set the configured sets afterwards. */
int process_switch_user(const ocispec_process *process, ocirun_error **error);

int process_apply_no_new_privileges(const ocispec_process *process, ocirun_error **error);

/* chdir to process.cwd, then checks that the working directory really lies
 * inside the container's root (CVE-2024-21626: a cwd reached through a
 * leaked fd must never be outside). */
int process_chdir(const ocispec_process *process, ocirun_error **error);

/* args[0] as execve will find it: a path with '/' as is (it must exist and be
 * executable), otherwise searched in the PATH of process.env (or the default
 * PATH when env has none), inside the container's filesystem. */
int process_find_executable(const ocispec_process *process, char **ret_path, ocirun_error **error);

/* execve(path, args, env). Returns only on failure: `exec "/bin/x": No such
 * file or directory`. */
int process_exec(const ocispec_process *process, const char *path, ocirun_error **error);

/* Everything the functions above would reject in the config, checked
 * without touching the system, for `create` and `exec` to call in the parent
 * before anything is set up: args, cwd (absolute), user.umask, oomScoreAdj
 * (-1000..1000), rlimits (known, unique, soft <= hard), scheduler, ioPriority
 * and execCPUAffinity. The messages are the ones the apply functions give. */
int process_validate(const ocispec_process *process, ocirun_error **error);
int process_validate_personality(const ocispec_personality *personality, ocirun_error **error);

#endif
