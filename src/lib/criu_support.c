/* What of CRIU needs no RPC, so it builds (and is unit-tested) without
 * protobuf-c: the names of runc's --manage-cgroups-mode, and reading
 * CRIU's log for the reason it gave when it failed. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "criu.h"
#include "util/cleanup.h"

int criu_cgroup_mode_parse(const char *name, criu_cgroup_mode *ret)
{
        static const struct {
                const char *name;
                criu_cgroup_mode mode;
        } modes[] = {
            {"soft", CRIU_CGROUP_MODE_SOFT},
            {"full", CRIU_CGROUP_MODE_FULL},
            {"strict", CRIU_CGROUP_MODE_STRICT},
            {"ignore", CRIU_CGROUP_MODE_IGNORE},
        };
        for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++)
                if (strcmp(name, modes[i].name) == 0) {
                        *ret = modes[i].mode;
                        return 0;
                }
        return -EINVAL;
}

char *criu_log_first_error(const char *log_text)
{
        /* CRIU prefixes every line with "(SECONDS.MICROS) "; errors then
         * say "Error (FILE:LINE): MESSAGE". The first one is the cause:
         * what follows it is CRIU unwinding ("Dumping FAILED."). */
        for (const char *line = log_text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *mark = memmem(line, (size_t) (end - line), "Error (", 7);
                const char *close = mark ? memmem(mark, (size_t) (end - mark), "): ", 3) : NULL;
                if (close) {
                        const char *message = close + 3;
                        while (end > message && (end[-1] == '\r' || end[-1] == ' '))
                                end--;
                        if (end > message)
                                return strndup(message, (size_t) (end - message));
                }
                line = *end ? end + 1 : end;
        }
        return NULL;
}

char *criu_log_reason(int dirfd, const char *name)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return NULL;
        /* A log of a large dump runs to megabytes; the error comes late. */
        const off_t tail = 1 << 20;
        off_t offset = st.st_size > tail ? st.st_size - tail : 0;
        size_t size = (size_t) (st.st_size - offset);
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return NULL;
        ssize_t n = pread(fd, text, size, offset);
        if (n < 0)
                return NULL;
        text[n] = '\0';
        return criu_log_first_error(text);
}
