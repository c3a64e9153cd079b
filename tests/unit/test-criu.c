/* What ocirun reads of CRIU without running it: runc's names for the
 * cgroup modes, and the reason in a CRIU log that becomes the error a user
 * sees when a checkpoint or restore fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "criu.h"
#include "tap.h"

static void test_cgroup_modes(void)
{
        static const struct {
                const char *name;
                criu_cgroup_mode mode;
        } good[] = {
            {"soft", CRIU_CGROUP_MODE_SOFT},
            {"full", CRIU_CGROUP_MODE_FULL},
            {"strict", CRIU_CGROUP_MODE_STRICT},
            {"ignore", CRIU_CGROUP_MODE_IGNORE},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
                criu_cgroup_mode mode = CRIU_CGROUP_MODE_UNSET;
                tap_ok(criu_cgroup_mode_parse(good[i].name, &mode) == 0 && mode == good[i].mode,
                       "--manage-cgroups-mode %s is CRIU's mode %d", good[i].name,
                       (int) good[i].mode);
        }
        static const char *const bad[] = {"", "SOFT", "props", "none", "soft "};
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                criu_cgroup_mode mode = CRIU_CGROUP_MODE_UNSET;
                tap_ok(criu_cgroup_mode_parse(bad[i], &mode) == -EINVAL &&
                           mode == CRIU_CGROUP_MODE_UNSET,
                       "--manage-cgroups-mode `%s` is refused and sets nothing", bad[i]);
        }
}

static void expect_reason(const char *log, const char *expected, const char *what)
{
        char *reason = criu_log_first_error(log);
        int same = expected ? reason && strcmp(reason, expected) == 0 : reason == NULL;
        if (!tap_ok(same, "%s", what))
                tap_diag("got [%s], expected [%s]", reason ? reason : "(null)",
                         expected ? expected : "(null)");
        free(reason);
}

static void test_log_reason(void)
{
        expect_reason("(00.046776) vdso: PT_LOAD p_vaddr: 0\n"
                      "(00.046798) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                      "(00.046802) Error (criu/vdso.c:613): vdso: Failed to fill self vdso "
                      "symtable\n",
                      "vdso: Unexpected rt vDSO area bounds",
                      "the first error line of the log is the reason, without time and source");
        expect_reason("(00.000001) Version: 3.17.1\n(00.5) Warn (criu/x.c:1): not an error\n", NULL,
                      "a log without an error line gives no reason");
        expect_reason("", NULL, "an empty log gives no reason");
        expect_reason(NULL, NULL, "no log gives no reason");
        expect_reason("(01.000000) Error (criu/mount.c:10): mnt: No mapping for 1:/x   \r\n",
                      "mnt: No mapping for 1:/x", "trailing blanks and carriage return go");
        expect_reason("(01.0) Error (criu/cr-restore.c:2): ", NULL,
                      "an error line without a message is skipped");
        expect_reason("(01.0) Error (criu/a.c:1): \n(01.1) Error (criu/b.c:2): second\n", "second",
                      "the first error line that has a message counts");
        expect_reason("Error (criu/vdso.c:1): without a time prefix", "without a time prefix",
                      "criu check's lines have no time prefix");
}

static void test_log_reason_from_file(void)
{
        char dir[] = "/tmp/ocirun-test-criu.XXXXXX";
        if (!tap_ok(mkdtemp(dir) != NULL, "make a scratch directory"))
                return;
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int fd = openat(dirfd, "dump.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const char text[] = "(00.1) Error (criu/tty.c:5): tty: Found slave peer without master\n";
        tap_ok(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t) (sizeof(text) - 1),
               "write a log");
        close(fd);
        char *reason = criu_log_reason(dirfd, "dump.log");
        tap_ok(reason && strcmp(reason, "tty: Found slave peer without master") == 0,
               "criu_log_reason reads the reason from the log file");
        free(reason);
        tap_ok(criu_log_reason(dirfd, "missing.log") == NULL, "a missing log gives no reason");
        unlinkat(dirfd, "dump.log", 0);
        close(dirfd);
        rmdir(dir);
}

int main(void)
{
        test_cgroup_modes();
        test_log_reason();
        test_log_reason_from_file();
        return tap_done();
}
