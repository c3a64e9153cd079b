/* Timestamps as engines read them. */
#include <stdio.h>
#include <time.h>

#include "util/time.h"

void time_now_rfc3339(char *buf, size_t size)
{
        struct timespec now;
        struct tm tm;
        char seconds[32];

        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, size, "%s.%09ldZ", seconds, now.tv_nsec);
}

uint64_t time_monotonic_ms(void)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000;
}
