/* Small string helpers shared by the library and the CLI. */
#ifndef OCIRUN_UTIL_STRINGS_H
#define OCIRUN_UTIL_STRINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The n strings of argv, each as str_quote gives it, joined by spaces, for
 * a log line. NULL on ENOMEM. */
char *str_join_quoted(char *const *argv, size_t n);

/* A whole decimal integer ("-1", "4096"); -EINVAL for anything else,
 * -ERANGE when it does not fit. */
int str_parse_int64(const char *s, int64_t *ret);

/* A size as docker and runc's --memory flags take it: a number, possibly
 * with a fraction, then an optional binary unit k, m, g, t or p (any case,
 * optionally followed by b or ib): "512m", "1.5GiB", "4096". "-1" stays -1
 * (unlimited). -EINVAL or -ERANGE otherwise. */
int str_parse_bytes(const char *s, int64_t *ret);

static inline bool str_empty(const char *s)
{
        return !s || !*s;
}

#endif
