/* Reading /proc/PID/stat. The command name (field 2) may itself contain
 * spaces and parentheses, so fields are counted from the last ')'. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/proc.h"

int proc_stat_start_time(pid_t pid, uint64_t *ret_start_time, char *ret_state)
{
        char path[64], buf[1024];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';

        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EIO;
        p += 2;
        char state = *p;
        /* After ')' come field 3 (state) .. field 22 (starttime): skip 19 fields. */
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        char *end;
        errno = 0;
        uint64_t start_time = strtoull(p, &end, 10);
        if (errno || end == p)
                return -EIO;
        if (ret_start_time)
                *ret_start_time = start_time;
        if (ret_state)
                *ret_state = state;
        return 0;
}
