/* A minimal TAP producer for the C unit tests: automake's tap-driver.sh reads
 * the "ok N - name" / "not ok N - name" lines and the "1..N" plan printed at
 * exit, so every check is counted on its own in the test-suite totals. */
#ifndef OCIRUN_TESTS_TAP_H
#define OCIRUN_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count;
static int tap_failed;

__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
        va_list ap;

        tap_count++;
        if (!cond)
                tap_failed++;
        printf("%sok %d - ", cond ? "" : "not ", tap_count);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
        return cond;
}

/* Extra context for the failure just reported; TAP treats '#' lines as comments. */
__attribute__((format(printf, 1, 2))) static inline void tap_diag(const char *fmt, ...)
{
        va_list ap;

        fputs("# ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
}

static inline int tap_done(void)
{
        printf("1..%d\n", tap_count);
        return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
