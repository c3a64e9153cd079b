/* Capabilities with libcap-ng: process.capabilities' five sets. */
#ifndef OCIRUN_CAPS_H
#define OCIRUN_CAPS_H

#include <stdbool.h>

#include "ocirun.h"

/* Checks every name (with or without CAP_, any case); an unknown name is an
 * error naming it and the set, a name the running kernel lacks is skipped
 * with a warning. Done by create before anything is touched. */
int caps_validate(const ocispec_process_capabilities *caps, ocirun_error **error);

/* Applies the five sets after process_switch_user: bounding (dropping what
 * is not listed), then effective, permitted and inheritable, then ambient.
 * Absent capabilities means an empty set for each. A capability the runtime
 * itself does not hold is an error naming it. */
int caps_apply(const ocispec_process_capabilities *caps, ocirun_error **error);

/* Whether the calling thread has capability cap (CAP_SYS_RESOURCE...) in its
 * effective set; false when that cannot be told. For error messages that
 * explain an EPERM. */
bool caps_effective_has(unsigned cap);

#endif
