/* The checks of a bundle's config.json that its schema cannot express,
 * done by create before it touches the system. */
#ifndef OCIRUN_CONFIG_H
#define OCIRUN_CONFIG_H

#include <stdbool.h>

#include "ocirun.h"

/* Reads <bundle>/config.json; messages name it `config.json`. */
int config_load(const char *bundle, ocispec_config **ret, ocirun_error **error);

/* What create needs beyond the schema: a process with args and an absolute
 * cwd, a root, a mount namespace, known mount options and capabilities, and
 * no field this build cannot honour yet (refused rather than ignored: a
 * runtime that silently skips seccomp or an LSM profile is unsafe). */
int config_validate_for_create(const ocispec_config *config, bool has_console_socket,
                               ocirun_error **error);

#endif
