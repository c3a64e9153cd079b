/* Timestamps as engines read them. */
#ifndef OCIRUN_UTIL_TIME_H
#define OCIRUN_UTIL_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Now, as RFC 3339 in UTC with nanoseconds ("2026-11-23T15:37:17.123456789Z"):
 * Go's time.Time parses it as is. buf needs 40 bytes. */
void time_now_rfc3339(char *buf, size_t size);

/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
uint64_t time_monotonic_ms(void);

#endif
