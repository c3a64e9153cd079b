/* AppArmor and SELinux exec labels; see lsm.h. */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "lsm.h"
#include "process.h"
#include "util/strings.h"

static int apparmor_state = -1, selinux_state = -1;

bool lsm_apparmor_enabled(void)
{
        if (apparmor_state < 0) {
                char value = 0;
                int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
                apparmor_state = fd >= 0 && read(fd, &value, 1) == 1 && value == 'Y';
                if (fd >= 0)
                        close(fd);
        }
        return apparmor_state > 0;
}

/* SELinux is on when selinuxfs is mounted. */
bool lsm_selinux_enabled(void)
{
        if (selinux_state < 0) {
                struct statfs st;
                selinux_state = statfs("/sys/fs/selinux", &st) == 0 &&
                                (unsigned long) st.f_type == SELINUX_MAGIC;
        }
        return selinux_state > 0;
}

int lsm_validate(const ocispec_process *process, const char *source, ocirun_error **error)
{
        if (!str_empty(process->apparmor_profile) && !lsm_apparmor_enabled()) {
                _cleanup_free_ char *quoted = str_quote(process->apparmor_profile, 128);
                return error_set(error, ENOTSUP,
                                 "%s: process.apparmorProfile: profile %s asked for, but AppArmor "
                                 "is not enabled on this host",
                                 source, quoted ? quoted : "");
        }
        if (!str_empty(process->selinux_label) && !lsm_selinux_enabled()) {
                _cleanup_free_ char *quoted = str_quote(process->selinux_label, 128);
                return error_set(error, ENOTSUP,
                                 "%s: process.selinuxLabel: label %s asked for, but SELinux is "
                                 "not enabled on this host",
                                 source, quoted ? quoted : "");
        }
        return 0;
}

static int write_attr(const char *path, const char *text, const char *field, ocirun_error **error)
{
        _cleanup_close_ int fd = process_proc_open(path, O_WRONLY, false, error);
        if (fd < 0)
                return error_prefix(error, "%s", field);
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t) len)
                return error_set_errno(error, errno, "%s: write `%s` to /proc/%s", field, text,
                                       path);
        return 0;
}

int lsm_set_exec_labels(const ocispec_process *process, ocirun_error **error)
{
        if (!str_empty(process->apparmor_profile)) {
                /* AppArmor's own attr directory first (since Linux 5.8, so
                 * other LSMs' exec attr is not taken), the shared one
                 * before. */
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "exec %s", process->apparmor_profile) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                const char *path = access("/proc/thread-self/attr/apparmor/exec", F_OK) == 0
                                       ? "thread-self/attr/apparmor/exec"
                                       : "thread-self/attr/exec";
                int r = write_attr(path, text, "process.apparmorProfile", error);
                if (r < 0)
                        return r;
        }
        if (!str_empty(process->selinux_label))
                return write_attr("thread-self/attr/exec", process->selinux_label,
                                  "process.selinuxLabel", error);
        return 0;
}
