/* Building ocirun_error chains inside the library. Every failing function
 * sets or extends the caller's error and returns the negative errno, so a
 * failure is reported as `return error_set_errno(error, errno, "open %s", p);`. */
#ifndef OCIRUN_ERROR_H
#define OCIRUN_ERROR_H

#include <errno.h>

#include "ocirun.h"
#include "util/cleanup.h"

/* Sets *error to the formatted message and returns -code; code is a positive
 * errno chosen by the caller for failures that come from no system call. */
__attribute__((format(printf, 3, 4))) int error_set(ocirun_error **error, int code, const char *fmt,
                                                    ...);

/* As error_set, with ": strerror(errnum)" appended: for failed system calls. */
__attribute__((format(printf, 3, 4))) int error_set_errno(ocirun_error **error, int errnum,
                                                          const char *fmt, ...);

/* The one message for a failed allocation. */
#define OOM(error) error_set(error, ENOMEM, "out of memory")

/* Prepends "context: " to an error already set (the outer step names itself)
 * and returns its -code. */
__attribute__((format(printf, 2, 3))) int error_prefix(ocirun_error **error, const char *fmt, ...);

/* Takes ownership of a malloc'ed message from a lower layer (libocispec). */
int error_take_message(ocirun_error **error, int code, char *message);

#endif
