/* linux.seccomp: the filter is built with libseccomp from the config and
 * loaded into the container's process (the init, or an exec'd process),
 * with runc's semantics: unknown syscall names are skipped, a rule whose
 * action is the default one is dropped, the args of a rule are ANDed when
 * their indexes differ and become one rule each (ORed) when an index
 * repeats. Without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN,
 * so it is loaded before the process drops its capabilities; with it, as
 * late as possible, right before execve. */
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
 * execve; the filter goes in at the one that matches noNewPrivileges. */
int seccomp_install(const ocispec_linux_seccomp *seccomp, bool no_new_privileges, bool late,
                    ocirun_error **error);

/* The tables behind the features document; each returns NULL past the
 * end. */
/* *ret_usable: this build takes the action (not SCMP_ACT_NOTIFY yet). */
const char *seccomp_action_name(size_t index, unsigned *ret_api_level, bool *ret_usable);
const char *seccomp_operator_name(size_t index);
const char *seccomp_arch_name(size_t index, const char **ret_libseccomp_name);
/* *ret_usable: libseccomp can set the flag (not only the kernel). */
const char *seccomp_flag_name(size_t index, unsigned long *ret_flag, bool *ret_usable);

#endif
