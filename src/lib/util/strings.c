/* String helpers: quoting untrusted values for one-line messages. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/strings.h"

char *str_escape(const char *s, size_t max)
{
        size_t len = strlen(s);
        size_t shown = len > max ? max : len;
        char *out = malloc(shown * 4 + 4);
        size_t n = 0;

        if (!out)
                return NULL;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '"' || c == '\\') {
                        out[n++] = '\\';
                        out[n++] = (char) c;
                } else if (c < 0x20 || c >= 0x7f) {
                        n += (size_t) sprintf(out + n, "\\x%02x", c);
                } else {
                        out[n++] = (char) c;
                }
        }
        if (shown < len) {
                memcpy(out + n, "...", 3);
                n += 3;
        }
        out[n] = '\0';
        return out;
}

char *str_quote(const char *s, size_t max)
{
        _cleanup_free_ char *escaped = str_escape(s, max);
        char *out = NULL;

        if (!escaped || asprintf(&out, "\"%s\"", escaped) < 0)
                return NULL;
        return out;
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 if s does not
 * start one: overlong forms, surrogates and values past U+10FFFF are invalid. */
static size_t utf8_sequence_length(const unsigned char *s)
{
        unsigned char c = s[0];
        size_t len;
        unsigned long value;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                value = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                value = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                value = c & 0x07;
        } else {
                return 0;
        }
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                value = (value << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && (value < 0x800 || (value >= 0xd800 && value <= 0xdfff))) ||
            (len == 4 && (value < 0x10000 || value > 0x10ffff)))
                return 0;
        return len;
}

char *str_one_line(const char *s)
{
        size_t len = strlen(s);
        char *out = malloc(len * 4 + 1);
        size_t n = 0;

        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t sequence = utf8_sequence_length(p);
                if (sequence == 1 && (*p < 0x20 || *p == 0x7f))
                        sequence = 0;
                if (sequence == 0) {
                        n += (size_t) sprintf(out + n, "\\x%02x", *p++);
                        continue;
                }
                memcpy(out + n, p, sequence);
                n += sequence;
                p += sequence;
        }
        out[n] = '\0';
        return out;
}

int str_parse_int64(const char *s, int64_t *ret)
{
        char *end;
        if (str_empty(s) || isspace((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        long long value = strtoll(s, &end, 10);
        if (*end)
                return -EINVAL;
        if (errno == ERANGE)
                return -ERANGE;
        *ret = value;
        return 0;
}

int str_parse_bytes(const char *s, int64_t *ret)
{
        static const char units[] = "kmgtp";
        char *end;
        if (str_parse_int64(s, ret) == 0)
                return *ret >= -1 ? 0 : -EINVAL;
        if (str_empty(s) || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        double value = strtod(s, &end);
        if (errno || end == s)
                return -EINVAL;
        const char *unit = *end ? strchr(units, tolower((unsigned char) *end)) : NULL;
        if (*end && !unit)
                return -EINVAL;
        if (unit) {
                const char *rest = end + 1;
                if (strcasecmp(rest, "") != 0 && strcasecmp(rest, "b") != 0 &&
                    strcasecmp(rest, "ib") != 0)
                        return -EINVAL;
                value *= pow(1024.0, (double) (unit - units + 1));
        }
        if (value >= 9.2e18)
                return -ERANGE;
        *ret = (int64_t) value;
        return 0;
}

char *str_join_quoted(char *const *argv, size_t n)
{
        size_t len = 0, size = 1;
        char *out = malloc(size);
        if (!out)
                return NULL;
        out[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *quoted = str_quote(argv[i] ? argv[i] : "", 256);
                if (!quoted) {
                        free(out);
                        return NULL;
                }
                size_t add = strlen(quoted) + (i ? 1 : 0);
                char *grown = realloc(out, size + add);
                if (!grown) {
                        free(out);
                        return NULL;
                }
                out = grown;
                size += add;
                snprintf(out + len, size - len, "%s%s", i ? " " : "", quoted);
                len += add;
        }
        return out;
}
