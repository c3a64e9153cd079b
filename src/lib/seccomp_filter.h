/* linux.seccomp: the filter is built with libseccomp from the config and
 * loaded into the container's process (the init, or an exec'd process),
 * with runc's semantics: unknown syscall names are skipped, a rule whose
 * action is the default one is dropped, the args of a rule are ANDed when
 * their indexes differ and become one rule each (ORed) when an index
 * repeats. SCMP_ACT_NOTIFY rules need linux.seccomp.listenerPath: the
 * seccomp agent listening there gets the notify fd. Without noNewPrivileges, loading a filter needs
 * CAP_SYS_ADMIN, so it is loaded before the process drops its capabilities; with it, at start,
 * before the startContainer hooks. Syscalls numbered above the highest the profile names get
 * ENOSYS (runc's stub; see seccomp_filter.c). */
#ifndef OCIRUN_SECCOMP_FILTER_H
#define OCIRUN_SECCOMP_FILTER_H

#include <stdbool.h>

#include "ocirun.h"

/* Checks names and values create (or exec) must refuse before touching
 * the system; errors name file and field:
 * `config.json: linux.seccomp.syscalls[2].action: unknown action "SCMP_ACT_FOO"`. */
int seccomp_validate(const ocispec_linux_seccomp *seccomp, const char *file, ocirun_error **error);

/* Loads the filter into the calling process when its moment has come:
 * late is false before the capabilities are dropped, true right before
 * execve; the filter goes in at the one that matches noNewPrivileges.
 * With SCMP_ACT_NOTIFY rules, the filter's notify fd goes to the parent
 * over handoff_fd (a sync.h socket: SYNC_SECCOMP_FD), which sends it to
 * linux.seccomp.listenerPath (seccomp_listener.h) and answers
 * SYNC_SECCOMP_DONE; only then does this return. The one syscall in between
 * is a sendmsg, which validation keeps out of notify rules. */
int seccomp_install(const ocispec_linux_seccomp *seccomp, bool no_new_privileges, bool late,
                    int handoff_fd, ocirun_error **error);

/* The filter has a rule with SCMP_ACT_NOTIFY. */
bool seccomp_has_notify(const ocispec_linux_seccomp *seccomp);

/* The tables behind the features document; each returns NULL past the
 * end. */
const char *seccomp_action_name(size_t index, unsigned *ret_api_level);
const char *seccomp_operator_name(size_t index);
const char *seccomp_arch_name(size_t index, const char **ret_libseccomp_name);
/* *ret_usable: libseccomp can set the flag (not only the kernel). */
const char *seccomp_flag_name(size_t index, unsigned long *ret_flag, bool *ret_usable);

#endif
