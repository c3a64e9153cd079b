/* What `run` and `exec` share in the foreground: signals blocked from
 * before the process exists and forwarded to it, an internal console socket
 * when it wants a terminal and the caller gave none, the tty proxy, and the
 * exit status (128+N for signal N). */
#ifndef OCIRUN_FOREGROUND_H
#define OCIRUN_FOREGROUND_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ocirun.h"

typedef struct foreground {
        sigset_t previous_mask;
        int signal_fd;
        int console[2]; /* ours, the one handed to the library */
} foreground;

int foreground_begin(foreground *fg, bool want_console, ocirun_error **error);
/* Waits for pid (our child) and returns its exit code, or a negative errno. */
int foreground_wait(foreground *fg, pid_t pid, ocirun_error **error);
void foreground_end(foreground *fg);

#endif
