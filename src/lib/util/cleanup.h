/* The one home of every _cleanup_ helper: scope-bound ownership built on
 * __attribute__((cleanup)), so error paths return early instead of unwinding
 * through goto ladders. Every destructor here accepts NULL / -1. */
#ifndef OCIRUN_UTIL_CLEANUP_H
#define OCIRUN_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Declares NAME##p(type *p) that calls func(*p) when *p is set, for use with
 * _cleanup_(NAME##p). */
#define DEFINE_CLEANUP_FUNC(type, func)                                                            \
        static inline void func##p(type *p)                                                        \
        {                                                                                          \
                if (*p)                                                                            \
                        func(*p);                                                                  \
        }

static inline void freep(void *p)
{
        free(*(void **) p);
}

/* Closing must not clobber the errno that the failing path is about to report. */
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved_errno = errno;
                close(*fd);
                errno = saved_errno;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

static inline void closedirp(DIR **dir)
{
        if (*dir)
                closedir(*dir);
}

static inline void strv_free(char **strv)
{
        if (!strv)
                return;
        for (char **s = strv; *s; s++)
                free(*s);
        free(strv);
}
DEFINE_CLEANUP_FUNC(char **, strv_free)

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_ _cleanup_(strv_freep)

/* Moves ownership out of a cleanup-guarded variable. */
#define steal_pointer(pp)                                                                          \
        ({                                                                                         \
                __typeof__(*(pp)) _stolen = *(pp);                                                 \
                *(pp) = NULL;                                                                      \
                _stolen;                                                                           \
        })

static inline int steal_fd(int *fd)
{
        int stolen = *fd;
        *fd = -1;
        return stolen;
}

#endif
