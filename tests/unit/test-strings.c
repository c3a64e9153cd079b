/* Unit tests of the string helpers that keep untrusted values printable:
 * every message ocirun prints must stay one line of valid UTF-8. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "util/cleanup.h"
#include "util/strings.h"

static void check(char *(*function)(const char *), const char *name, const char *input,
                  const char *expected)
{
        _cleanup_free_ char *output = function(input);
        if (!tap_ok(output && strcmp(output, expected) == 0, "%s(\"%s\")", name, expected))
                tap_diag("got \"%s\"", output ? output : "(null)");
}

static char *escape_10(const char *s)
{
        return str_escape(s, 10);
}

static char *quote_10(const char *s)
{
        return str_quote(s, 10);
}

int main(void)
{
        /* str_one_line keeps quotes and valid UTF-8, escapes the rest. */
        check(str_one_line, "str_one_line", "plain text", "plain text");
        check(str_one_line, "str_one_line", "a\nb\tc\r", "a\\x0ab\\x09c\\x0d");
        check(str_one_line, "str_one_line", "quote \" and `tick` stay", "quote \" and `tick` stay");
        check(str_one_line, "str_one_line", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
        check(str_one_line, "str_one_line", "bad\xff\xfe", "bad\\xff\\xfe");
        check(str_one_line, "str_one_line", "overlong \xc0\xaf", "overlong \\xc0\\xaf");
        check(str_one_line, "str_one_line", "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80");
        check(str_one_line, "str_one_line", "cut \xe2\x82", "cut \\xe2\\x82");
        check(str_one_line, "str_one_line", "too big \xf4\x90\x80\x80",
              "too big \\xf4\\x90\\x80\\x80");
        check(str_one_line, "str_one_line", "del\x7f", "del\\x7f");

        /* str_escape / str_quote also escape quotes and every non-ASCII byte,
         * and cut long values. */
        check(escape_10, "str_escape", "a\"b\\c", "a\\\"b\\\\c");
        check(escape_10, "str_escape", "0123456789abc", "0123456789...");
        check(escape_10, "str_escape", "\xc3\xa9", "\\xc3\\xa9");
        check(quote_10, "str_quote", "id\n", "\"id\\x0a\"");
        check(quote_10, "str_quote", "", "\"\"");

        /* Sizes as --memory takes them. */
        static const struct {
                const char *text;
                int r;
                int64_t value;
        } sizes[] = {
            {"4096", 0, 4096},         {"-1", 0, -1},        {"512m", 0, 512LL << 20},
            {"512M", 0, 512LL << 20},  {"1g", 0, 1LL << 30}, {"1GiB", 0, 1LL << 30},
            {"2kb", 0, 2048},          {"1.5k", 0, 1536},    {"1t", 0, 1LL << 40},
            {"", -EINVAL, 0},          {"-2", -EINVAL, 0},   {"12q", -EINVAL, 0},
            {"1gx", -EINVAL, 0},       {" 1", -EINVAL, 0},   {"m", -EINVAL, 0},
            {"99999999p", -ERANGE, 0},
        };
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                int64_t value = 0;
                int r = str_parse_bytes(sizes[i].text, &value);
                if (!tap_ok(r == sizes[i].r && (r < 0 || value == sizes[i].value),
                            "str_parse_bytes(\"%s\")", sizes[i].text))
                        tap_diag("got %d, %lld", r, (long long) value);
        }
        int64_t number = 0;
        tap_ok(str_parse_int64("-42", &number) == 0 && number == -42, "str_parse_int64(\"-42\")");
        tap_ok(str_parse_int64("42x", &number) == -EINVAL, "str_parse_int64 refuses a suffix");
        tap_ok(str_parse_int64("99999999999999999999", &number) == -ERANGE,
               "str_parse_int64 reports overflow");
        return tap_done();
}
