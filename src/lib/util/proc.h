/* Facts about processes read from /proc. */
#ifndef OCIRUN_UTIL_PROC_H
#define OCIRUN_UTIL_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot) and the
 * process state letter (field 3). Together with the pid, the start time
 * names one process for good: a recycled pid has another. */
int proc_stat_start_time(pid_t pid, uint64_t *ret_start_time, char *ret_state);

#endif
