/* syscall-probe [i386:|x32:]NR...: makes each system call NR with all
 * arguments 0 and prints one line per call, "NR ok" or "NR ERRNO-NAME"
 * (ENOSYS, EPERM, ...). With "i386:", the call goes through int 0x80, the
 * i386 entry of an x86_64 kernel, which seccomp sees as AUDIT_ARCH_I386;
 * with "x32:", NR gets bit 30, as an x32 program's calls have (seccomp sees
 * them before a kernel without x32 refuses them with ENOSYS). For the
 * seccomp tests: a number no profile names, or no kernel has, cannot be
 * reached from a shell. Static, to run in the tests' busybox rootfs. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long call_i386(long nr)
{
#if defined(__x86_64__)
        long result;
        __asm__ volatile("int $0x80"
                         : "=a"(result)
                         : "a"(nr), "b"(0L), "c"(0L), "d"(0L), "S"(0L), "D"(0L)
                         : "memory", "r8", "r9", "r10", "r11");
        if (result < 0 && result > -4096) {
                errno = (int) -result;
                return -1;
        }
        return result;
#else
        (void) nr;
        errno = EAFNOSUPPORT;
        return -1;
#endif
}

int main(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];
                bool i386 = strncmp(arg, "i386:", 5) == 0, x32 = strncmp(arg, "x32:", 4) == 0;
                long nr = strtol(i386 ? arg + 5 : x32 ? arg + 4 : arg, NULL, 0);
                if (x32)
                        nr |= 0x40000000L;
                errno = 0;
                long r = i386 ? call_i386(nr) : syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
                const char *name = r < 0 ? strerrorname_np(errno) : NULL;
                printf("%s %s\n", arg, r >= 0 ? "ok" : name ? name : "?");
        }
        return 0;
}
