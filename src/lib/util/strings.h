/* Small string helpers shared by the library and the CLI. */
#ifndef OCIRUN_UTIL_STRINGS_H
#define OCIRUN_UTIL_STRINGS_H

#include <stdbool.h>
#include <stddef.h>

/* s in double quotes for an error message: quote and backslash escaped,
 * control and non-ASCII bytes as \xNN, cut after max bytes with "...", so a
 * hostile value can never break a message into several lines. NULL on ENOMEM. */
char *str_quote(const char *s, size_t max);

/* The same escaping without the surrounding quotes, for messages that mark
 * values with backticks: `%s`. */
char *str_escape(const char *s, size_t max);

/* A copy of s safe to print as one line: control characters and bytes that
 * are not part of valid UTF-8 become \xNN; everything else, quotes and
 * non-ASCII letters included, is kept. NULL on ENOMEM. */
char *str_one_line(const char *s);

static inline bool str_empty(const char *s)
{
        return !s || !*s;
}

#endif
