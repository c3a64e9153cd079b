/* Error objects: a positive errno code plus one line of text that grows
 * outward as each caller adds the step it was doing. If memory runs out while
 * building a message, the code still reaches the caller with a fixed text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static ocirun_error out_of_memory_error = {.code = ENOMEM, .message = (char *) "out of memory"};

void ocirun_error_free(ocirun_error *error)
{
        if (!error || error == &out_of_memory_error)
                return;
        free(error->message);
        free(error);
}

void ocirun_error_freep(ocirun_error **error)
{
        ocirun_error_free(*error);
        *error = NULL;
}

int error_take_message(ocirun_error **error, int code, char *message)
{
        if (code <= 0)
                code = EINVAL;
        if (!error) {
                free(message);
                return -code;
        }
        ocirun_error_free(*error);
        *error = NULL;
        if (!message) {
                *error = &out_of_memory_error;
                return -code;
        }
        ocirun_error *e = malloc(sizeof(*e));
        if (!e) {
                free(message);
                *error = &out_of_memory_error;
                return -code;
        }
        e->code = code;
        e->message = message;
        *error = e;
        return -code;
}

__attribute__((format(printf, 4, 0))) static int error_setv(ocirun_error **error, int code,
                                                            int errnum, const char *fmt, va_list ap)
{
        _cleanup_free_ char *text = NULL;
        char *message = NULL;

        if (vasprintf(&text, fmt, ap) < 0)
                return error_take_message(error, code, NULL);
        if (errnum == 0)
                message = steal_pointer(&text);
        else if (asprintf(&message, "%s: %s", text, strerror(errnum)) < 0)
                message = NULL;
        return error_take_message(error, code, message);
}

int error_set(ocirun_error **error, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(error, code, 0, fmt, ap);
        va_end(ap);
        return r;
}

int error_set_errno(ocirun_error **error, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(error, errnum, errnum, fmt, ap);
        va_end(ap);
        return r;
}

int error_prefix(ocirun_error **error, const char *fmt, ...)
{
        _cleanup_free_ char *context = NULL;
        char *message = NULL;
        va_list ap;

        if (!error || !*error)
                return -EINVAL;
        int code = (*error)->code;
        va_start(ap, fmt);
        int r = vasprintf(&context, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&message, "%s: %s", context, (*error)->message) < 0)
                return error_take_message(error, code, NULL);
        return error_take_message(error, code, message);
}
