/* Unit tests of the user process's setup (process.c) and capabilities
 * (caps.c). Everything that changes the calling process runs in a forked
 * child, which reports each check back over a pipe ("1 name" / "0 name" /
 * "# note" lines) for the parent to print as TAP; the child's mount
 * namespace, when it needs one, dies with it. The parent itself only
 * creates temporary directories, and removes them even when checks fail.
 * Run as root (make check does): the checks read the results back from
 * /proc/self/status, getrlimit, sched_getattr, ioprio_get, personality,
 * sched_getaffinity and getcwd. */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "caps.h"
#include "error.h"
#include "process.h"
#include "tap.h"

/* ---- running checks in a child ------------------------------------------- */

static int report_fd = -1;

static void report_line(char kind, const char *fmt, va_list ap)
{
        char line[2048];
        int n = snprintf(line, sizeof(line), "%c ", kind);

        vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
        for (char *c = line; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        size_t len = strlen(line);
        line[len++] = '\n';
        if (write(report_fd, line, len) < 0)
                _exit(3);
}

/* In a child: one TAP check, printed by the parent. */
__attribute__((format(printf, 2, 3))) static int report_check(int cond, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report_line(cond ? '1' : '0', fmt, ap);
        va_end(ap);
        return cond;
}

/* The condition is evaluated before the message's arguments, which often
 * show the error the condition's call just set. */
#define check(cond, ...)                                                                           \
        ({                                                                                         \
                int check_cond_ = !!(cond);                                                        \
                report_check(check_cond_, __VA_ARGS__);                                            \
        })
#define TAP_OK(cond, ...)                                                                          \
        ({                                                                                         \
                int tap_cond_ = !!(cond);                                                          \
                tap_ok(tap_cond_, __VA_ARGS__);                                                    \
        })

/* In a child: a diagnostic line. */
__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report_line('#', fmt, ap);
        va_end(ap);
}

/* In a child: a check that cannot run here, with the machine limit that
 * prevents it. */
__attribute__((format(printf, 2, 3))) static void skip(const char *name, const char *fmt, ...)
{
        char reason[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        check(1, "%s # SKIP %s", name, reason);
}

typedef void (*child_fn)(void *arg);

/* Runs fn in a child and turns its reports into TAP lines; a child that
 * crashes, hangs (30 s) or exits non-zero is one more failed check. */
static void run_child(const char *name, child_fn fn, void *arg)
{
        int fds[2];
        char *buf = NULL;
        size_t len = 0, size = 0;
        int status = 0;

        if (pipe2(fds, O_CLOEXEC) < 0) {
                tap_ok(0, "%s: pipe: %s", name, strerror(errno));
                return;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
                tap_ok(0, "%s: fork: %s", name, strerror(errno));
                close(fds[0]);
                close(fds[1]);
                return;
        }
        if (pid == 0) {
                close(fds[0]);
                report_fd = fds[1];
                alarm(30);
                fn(arg);
                _exit(0);
        }
        close(fds[1]);
        for (;;) {
                if (size - len < 4096) {
                        size = size ? size * 2 : 8192;
                        char *bigger = realloc(buf, size);
                        if (!bigger)
                                break;
                        buf = bigger;
                }
                ssize_t n = read(fds[0], buf + len, size - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (buf) {
                buf[len] = '\0';
                for (char *line = buf, *next; line && *line; line = next) {
                        next = strchr(line, '\n');
                        if (next)
                                *next++ = '\0';
                        if (line[0] == '#')
                                tap_diag("%s: %s", name, line + 2);
                        else
                                tap_ok(line[0] == '1', "%s: %s", name, line + 2);
                }
        }
        free(buf);
        tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "%s: the child exited cleanly (%s %d)", name,
               WIFEXITED(status) ? "status" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* ---- helpers -------------------------------------------------------------- */

static ocispec_process *parse_process(const char *json)
{
        ocispec_process *process = NULL;
        _cleanup_free_ char *message = NULL;

        if (ocispec_process_parse_data(json, strlen(json), "process.json", &process, &message) <
            0) {
                printf("# cannot parse test process %s: %s\n", json, message ? message : "?");
                return NULL;
        }
        return process;
}

static void process_freep(ocispec_process **process)
{
        ocispec_process_free(*process);
        *process = NULL;
}
#define _cleanup_process_ _cleanup_(process_freep)

/* The value of key in /proc/self/status ("CapEff", "Groups"...), with the
 * whitespace around it trimmed; "" when absent. */
static void status_field(const char *key, char *buf, size_t size)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[1024];
        size_t key_len = strlen(key);

        buf[0] = '\0';
        while (f && fgets(line, sizeof(line), f)) {
                if (strncmp(line, key, key_len) != 0 || line[key_len] != ':')
                        continue;
                char *value = line + key_len + 1;
                while (*value == ' ' || *value == '\t')
                        value++;
                size_t n = strlen(value);
                while (n > 0 && (value[n - 1] == '\n' || value[n - 1] == ' '))
                        value[--n] = '\0';
                snprintf(buf, size, "%s", value);
                return;
        }
}

static uint64_t status_mask(const char *key)
{
        char value[64];
        status_field(key, value, sizeof(value));
        return strtoull(value, NULL, 16);
}

static const char *error_message(const ocirun_error *error)
{
        return error && error->message ? error->message : "(no error)";
}

static bool has_bounding(unsigned cap)
{
        return prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) > 0;
}

/* Valgrind keeps file descriptors of its own above the client's limit and
 * refuses any change of the hard RLIMIT_NOFILE; it announces itself in
 * LD_PRELOAD. */
static bool under_valgrind(void)
{
        const char *preload = getenv("LD_PRELOAD");
        return preload && strstr(preload, "vgpreload");
}

static char *make_temp_dir(void)
{
        char template[] = "/tmp/ocirun-test-process.XXXXXX";
        return mkdtemp(template) ? strdup(template) : NULL;
}

static void remove_tree(const char *path)
{
        char command[4200];
        snprintf(command, sizeof(command), "rm -rf '%s'", path);
        if (system(command) != 0)
                tap_diag("could not remove %s", path);
}

static int write_file(const char *path, const char *content, mode_t mode)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0 || write(fd, content, strlen(content)) < 0)
                return -1;
        return fchmod(fd, mode);
}

/* ---- rlimits --------------------------------------------------------------- */

static const struct {
        const char *name;
        int resource;
} all_rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};
#define N_RLIMITS (sizeof(all_rlimits) / sizeof(*all_rlimits))

/* Every type, each lowered by one below its current limits where that is
 * possible, so a wrong mapping shows as a limit that moved in the wrong place. */
static void child_rlimits_all(void *arg)
{
        char json[8192] = "{\"cwd\":\"/\",\"rlimits\":[";
        size_t n = strlen(json);
        struct rlimit wanted[N_RLIMITS];

        for (size_t i = 0; i < N_RLIMITS; i++) {
                struct rlimit current;
                getrlimit(all_rlimits[i].resource, &current);
                if (all_rlimits[i].resource == RLIMIT_NOFILE && under_valgrind()) {
                        /* Set to what valgrind reports, which it accepts. */
                        wanted[i] = current;
                        n += (size_t) snprintf(json + n, sizeof(json) - n,
                                               "%s{\"type\":\"%s\",\"soft\":%llu,\"hard\":%llu}",
                                               i ? "," : "", all_rlimits[i].name,
                                               (unsigned long long) current.rlim_cur,
                                               (unsigned long long) current.rlim_max);
                        continue;
                }
                wanted[i] = current;
                /* Lowering is always allowed: keeps the test independent of
                 * CAP_SYS_RESOURCE. RLIM_INFINITY stays, other values drop by one. */
                if (current.rlim_max != RLIM_INFINITY && current.rlim_max > 1)
                        wanted[i].rlim_max = current.rlim_max - 1;
                if (wanted[i].rlim_cur > wanted[i].rlim_max)
                        wanted[i].rlim_cur = wanted[i].rlim_max;
                else if (wanted[i].rlim_cur != RLIM_INFINITY && wanted[i].rlim_cur > 2)
                        wanted[i].rlim_cur -= 2;
                n += (size_t) snprintf(
                    json + n, sizeof(json) - n, "%s{\"type\":\"%s\",\"soft\":%llu,\"hard\":%llu}",
                    i ? "," : "", all_rlimits[i].name, (unsigned long long) wanted[i].rlim_cur,
                    (unsigned long long) wanted[i].rlim_max);
        }
        snprintf(json + n, sizeof(json) - n, "]}");
        _cleanup_process_ ocispec_process *process = parse_process(json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(process != NULL, "a process with all 16 rlimit types parses"))
                return;
        int r = process_apply_rlimits(process, &error);
        check(r == 0, "all 16 RLIMIT_ types are applied (%s)", error_message(error));
        for (size_t i = 0; i < N_RLIMITS; i++) {
                struct rlimit now;
                getrlimit(all_rlimits[i].resource, &now);
                check(now.rlim_cur == wanted[i].rlim_cur && now.rlim_max == wanted[i].rlim_max,
                      "%s reads back as set", all_rlimits[i].name);
        }
}

static void child_rlimits_values(void *arg)
{
        struct rlimit nofile, core, memlock;
        char json[512];

        getrlimit(RLIMIT_NOFILE, &nofile);
        getrlimit(RLIMIT_MEMLOCK, &memlock);
        bool nofile_settable = !under_valgrind();
        bool memlock_settable = memlock.rlim_max == RLIM_INFINITY;
        if (!nofile_settable)
                skip("RLIMIT_NOFILE 1024/4096", "valgrind refuses changes of RLIMIT_NOFILE");
        if (!memlock_settable)
                skip(
                    "RLIMIT_MEMLOCK hard limit unlimited",
                    "machine limit: the hard RLIMIT_MEMLOCK is %llu here and only CAP_SYS_RESOURCE "
                    "(not in this machine's bounding set) could raise it",
                    (unsigned long long) memlock.rlim_max);
        snprintf(
            json, sizeof(json),
            "{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0}%s%s]}",
            nofile_settable ? ",{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":4096}" : "",
            memlock_settable ? ",{\"type\":\"RLIMIT_MEMLOCK\",\"soft\":65536,"
                               "\"hard\":18446744073709551615}"
                             : "");
        _cleanup_process_ ocispec_process *process = parse_process(json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(process != NULL, "the rlimit process parses"))
                return;
        check(process_apply_rlimits(process, &error) == 0, "the limits are applied (%s)",
              error_message(error));
        getrlimit(RLIMIT_NOFILE, &nofile);
        getrlimit(RLIMIT_CORE, &core);
        getrlimit(RLIMIT_MEMLOCK, &memlock);
        check(core.rlim_cur == 0 && core.rlim_max == 0, "RLIMIT_CORE is 0/0");
        if (nofile_settable)
                check(nofile.rlim_cur == 1024 && nofile.rlim_max == 4096,
                      "RLIMIT_NOFILE is 1024/4096");
        if (memlock_settable)
                check(memlock.rlim_cur == 65536 && memlock.rlim_max == RLIM_INFINITY,
                      "RLIMIT_MEMLOCK is 65536/unlimited (18446744073709551615)");
}

static void child_rlimits_raise(void *arg)
{
        struct rlimit current;
        char json[512], expected[512];

        getrlimit(RLIMIT_NOFILE, &current);
        if (caps_effective_has(CAP_SYS_RESOURCE)) {
                skip("raising the hard RLIMIT_NOFILE fails with a reason",
                     "the test runs with CAP_SYS_RESOURCE, so the raise is allowed");
                return;
        }
        const unsigned long long targets[] = {1048576,
                                              (unsigned long long) current.rlim_max + 10000};
        for (size_t i = 0; i < 2; i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                snprintf(json, sizeof(json),
                         "{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":%llu,"
                         "\"hard\":%llu}]}",
                         targets[i], targets[i]);
                _cleanup_process_ ocispec_process *process = parse_process(json);
                if (!process)
                        continue;
                snprintf(expected, sizeof(expected),
                         "process.rlimits[0]: setrlimit RLIMIT_NOFILE to %llu/%llu: Operation not "
                         "permitted (the hard limit can only be raised with CAP_SYS_RESOURCE, "
                         "which ocirun does not have)",
                         targets[i], targets[i]);
                int r = process_apply_rlimits(process, &error);
                check(r == -EPERM && error && strcmp(error->message, expected) == 0,
                      "raising the hard NOFILE limit from %llu to %llu says CAP_SYS_RESOURCE is "
                      "missing (%s)",
                      (unsigned long long) current.rlim_max, targets[i], error_message(error));
        }
}

static void test_rlimits(void)
{
        static const struct {
                const char *json;
                const char *message;
        } invalid[] = {
            {"{\"cwd\":\"/"
             "\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0},"
             "{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}",
             "process.rlimits[1].type: unknown resource \"RLIMIT_FOO\""},
            {"{\"cwd\":\"/"
             "\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0},"
             "{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]}",
             "process.rlimits[1].type: RLIMIT_CORE is set more than once"},
            {"{\"cwd\":\"/"
             "\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2048,\"hard\":"
             "1024}]}",
             "process.rlimits[0]: the soft limit of RLIMIT_NOFILE (2048) is above its hard limit "
             "(1024)"},
        };
        struct rlimit before, after;

        getrlimit(RLIMIT_CORE, &before);
        for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
                _cleanup_process_ ocispec_process *process = parse_process(invalid[i].json);
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                _cleanup_(ocirun_error_freep) ocirun_error *validate_error = NULL;

                /* Safe in the test process: a bad entry stops everything
                 * before the first setrlimit. */
                int r = process_apply_rlimits(process, &error);
                TAP_OK(r == -EINVAL && error && strcmp(error->message, invalid[i].message) == 0,
                       "rlimits: %s (%s)", invalid[i].message, error_message(error));
                r = process_validate(process, &validate_error);
                TAP_OK(r == -EINVAL && validate_error &&
                           strcmp(validate_error->message, invalid[i].message) == 0,
                       "rlimits: process_validate gives the same message");
        }
        getrlimit(RLIMIT_CORE, &after);
        TAP_OK(before.rlim_cur == after.rlim_cur && before.rlim_max == after.rlim_max,
               "rlimits: an invalid list changes no limit, not even the valid entries before it");

        run_child("rlimits all types", child_rlimits_all, NULL);
        run_child("rlimits values", child_rlimits_values, NULL);
        run_child("rlimits raise", child_rlimits_raise, NULL);
}

/* ---- oom_score_adj ------------------------------------------------------------ */

static int read_oom_score_adj(void)
{
        char buf[32] = "";
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return -9999;
        return atoi(buf);
}

static void child_oom(void *arg)
{
        _cleanup_process_ ocispec_process *raise =
            parse_process("{\"cwd\":\"/\",\"oomScoreAdj\":500}");
        _cleanup_process_ ocispec_process *lower =
            parse_process("{\"cwd\":\"/\",\"oomScoreAdj\":-1000}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(raise && lower, "the oomScoreAdj processes parse"))
                return;
        int r = process_apply_oom_score_adj(raise, &error);
        check(r == 0 && read_oom_score_adj() == 500, "oomScoreAdj 500 reads back as 500 (%s)",
              error_message(error));
        ocirun_error_freep(&error);
        r = process_apply_oom_score_adj(lower, &error);
        if (r == 0)
                check(read_oom_score_adj() == -1000, "oomScoreAdj -1000 reads back as -1000");
        else
                check(r == -EACCES && strstr(error_message(error), "CAP_SYS_RESOURCE"),
                      "lowering oomScoreAdj without CAP_SYS_RESOURCE says why (%s)",
                      error_message(error));
}

static void test_oom_score_adj(void)
{
        _cleanup_process_ ocispec_process *absent = parse_process("{\"cwd\":\"/\"}");
        _cleanup_process_ ocispec_process *invalid =
            parse_process("{\"cwd\":\"/\",\"args\":[\"sh\"],\"oomScoreAdj\":1001}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int before = read_oom_score_adj();
        TAP_OK(process_apply_oom_score_adj(absent, NULL) == 0 && read_oom_score_adj() == before,
               "oomScoreAdj: absent leaves it alone");
        if (invalid) {
                int r = process_validate(invalid, &error);
                TAP_OK(r == -EINVAL &&
                           strcmp(error_message(error), "process.oomScoreAdj: 1001 is out of range "
                                                        "-1000..1000") == 0,
                       "oomScoreAdj: 1001 is out of range (%s)", error_message(error));
        } else {
                TAP_OK(1, "oomScoreAdj: 1001 is refused by the schema already");
        }
        run_child("oomScoreAdj", child_oom, NULL);
}

/* ---- scheduler ------------------------------------------------------------------ */

struct test_sched_attr {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
        uint32_t sched_util_min;
        uint32_t sched_util_max;
};

static int get_sched_attr(struct test_sched_attr *attr)
{
        memset(attr, 0, sizeof(*attr));
        return (int) syscall(SYS_sched_getattr, 0, attr, sizeof(*attr), 0);
}

struct sched_case {
        const char *name;
        const char *json;
        uint32_t policy;
        int32_t nice;
        uint32_t priority;
        uint64_t flags;
        uint64_t runtime;
};

static void child_scheduler(void *arg)
{
        const struct sched_case *c = arg;
        _cleanup_process_ ocispec_process *process = parse_process(c->json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        struct test_sched_attr attr;

        if (!check(process != NULL, "%s parses", c->name))
                return;
        int r = process_apply_scheduler(process, &error);
        if (r == -EPERM && (c->policy == SCHED_FIFO || c->policy == 6)) {
                skip(c->name, "real-time scheduling is refused here: %s", error_message(error));
                return;
        }
        if (r == -EBUSY && c->policy == 6) {
                skip(c->name, "no deadline bandwidth left on this machine: %s",
                     error_message(error));
                return;
        }
        check(r == 0, "%s is applied (%s)", c->name, error_message(error));
        if (!check(get_sched_attr(&attr) == 0, "sched_getattr works"))
                return;
        check(attr.sched_policy == c->policy, "policy is %u (got %u)", c->policy,
              attr.sched_policy);
        if (c->policy != SCHED_FIFO && c->policy != 6)
                check(attr.sched_nice == c->nice, "nice is %d (got %d)", c->nice, attr.sched_nice);
        check(attr.sched_priority == c->priority, "priority is %u (got %u)", c->priority,
              attr.sched_priority);
        check((attr.sched_flags & c->flags) == c->flags,
              "flags %#" PRIx64 " are set (got %#" PRIx64 ")", c->flags,
              (uint64_t) attr.sched_flags);
        if (c->runtime)
                check(attr.sched_runtime == c->runtime, "runtime is %" PRIu64, c->runtime);
}

static void test_scheduler(void)
{
        static const struct sched_case cases[] = {
            {"SCHED_BATCH nice 5",
             "{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"nice\":5}}", SCHED_BATCH,
             5, 0, 0, 0},
            {"SCHED_IDLE", "{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_IDLE\"}}", SCHED_IDLE,
             0, 0, 0, 0},
            {"SCHED_OTHER nice -3 reset-on-fork",
             "{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":-3,"
             "\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"]}}",
             SCHED_OTHER, -3, 0, 1, 0},
            {"SCHED_FIFO priority 10",
             "{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":10}}",
             SCHED_FIFO, 0, 10, 0, 0},
            {"SCHED_DEADLINE 1ms/10ms/10ms",
             "{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":1000000,"
             "\"deadline\":10000000,\"period\":10000000}}",
             6, 0, 0, 0, 1000000},
        };
        static const struct {
                const char *json;
                const char *message;
        } invalid[] = {
            {"{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"priority\":3}}",
             "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not "
             "SCHED_BATCH"},
            {"{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_RR\"}}",
             "process.scheduler.priority: SCHED_RR needs a priority in 1..99"},
            {"{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":20}}",
             "process.scheduler.nice: 20 is out of range -20..19"},
            {"{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"runtime\":100}}",
             "process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, not "
             "SCHED_OTHER"},
        };

        for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
                _cleanup_process_ ocispec_process *process = parse_process(invalid[i].json);
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                int r = process_apply_scheduler(process, &error);
                TAP_OK(r == -EINVAL && strcmp(error_message(error), invalid[i].message) == 0,
                       "scheduler: %s (%s)", invalid[i].message, error_message(error));
        }
        /* The schema's enum stops unknown names in JSON; a config built in C
         * still gets an error. */
        _cleanup_process_ ocispec_process *process = parse_process(
            "{\"cwd\":\"/\",\"args\":[\"sh\"],\"scheduler\":{\"policy\":\"SCHED_OTHER\","
            "\"flags\":[\"SCHED_FLAG_RECLAIM\"]}}");
        if (process) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                free(process->scheduler->flags[0]);
                process->scheduler->flags[0] = strdup("SCHED_FLAG_BOGUS");
                TAP_OK(process_validate(process, &error) == -EINVAL &&
                           strcmp(error_message(error), "process.scheduler.flags[0]: unknown flag "
                                                        "\"SCHED_FLAG_BOGUS\"") == 0,
                       "scheduler: an unknown flag is named (%s)", error_message(error));
                ocirun_error_freep(&error);
                free(process->scheduler->policy);
                process->scheduler->policy = strdup("SCHED_BOGUS");
                TAP_OK(process_validate(process, &error) == -EINVAL &&
                           strcmp(error_message(error),
                                  "process.scheduler.policy: unknown policy \"SCHED_BOGUS\"") == 0,
                       "scheduler: an unknown policy is named (%s)", error_message(error));
        }
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                char name[128];
                snprintf(name, sizeof(name), "scheduler %s", cases[i].name);
                run_child(name, child_scheduler, (void *) &cases[i]);
        }
}

/* ---- ioPriority --------------------------------------------------------------------- */

struct ioprio_case {
        const char *json;
        int class;
        int priority;
};

static void child_io_priority(void *arg)
{
        const struct ioprio_case *c = arg;
        _cleanup_process_ ocispec_process *process = parse_process(c->json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(process != NULL, "the process parses"))
                return;
        int r = process_apply_io_priority(process, &error);
        check(r == 0, "ioprio_set succeeds (%s)", error_message(error));
        long value = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
        check(value >= 0 && IOPRIO_PRIO_CLASS(value) == (unsigned long) c->class,
              "ioprio_get gives class %d (got %ld)", c->class,
              value < 0 ? -1L : (long) IOPRIO_PRIO_CLASS(value));
        if (c->class != IOPRIO_CLASS_IDLE)
                check(value >= 0 && IOPRIO_PRIO_DATA(value) == (unsigned long) c->priority,
                      "ioprio_get gives priority %d (got %ld)", c->priority,
                      value < 0 ? -1L : (long) IOPRIO_PRIO_DATA(value));
}

static void test_io_priority(void)
{
        static const struct ioprio_case cases[] = {
            {"{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":5}}",
             IOPRIO_CLASS_BE, 5},
            {"{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":1}}",
             IOPRIO_CLASS_RT, 1},
            {"{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\"}}", IOPRIO_CLASS_IDLE,
             0},
        };
        _cleanup_process_ ocispec_process *invalid = parse_process(
            "{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        TAP_OK(invalid && process_apply_io_priority(invalid, &error) == -EINVAL &&
                   strcmp(error_message(error),
                          "process.ioPriority.priority: 8 is out of range 0..7") == 0,
               "ioPriority: priority 8 is out of range (%s)", error_message(error));
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                char name[64];
                snprintf(name, sizeof(name), "ioPriority class %d", cases[i].class);
                run_child(name, child_io_priority, (void *) &cases[i]);
        }
}

/* ---- personality --------------------------------------------------------------------- */

static void child_personality(void *arg)
{
        ocispec_personality linux32 = {.domain = (char *) "LINUX32"};
        ocispec_personality linux64 = {.domain = (char *) "LINUX"};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        struct utsname name;

        check(process_apply_personality(&linux32, &error) == 0, "LINUX32 is applied (%s)",
              error_message(error));
        check((personality(0xffffffff) & PER_MASK) == PER_LINUX32,
              "personality(0xffffffff) reads PER_LINUX32");
        check(uname(&name) == 0 && strcmp(name.machine, "x86_64") != 0,
              "uname's machine is no longer x86_64 (%s)", name.machine);
        check(process_apply_personality(&linux64, &error) == 0, "LINUX is applied (%s)",
              error_message(error));
        check((personality(0xffffffff) & PER_MASK) == PER_LINUX,
              "personality(0xffffffff) reads PER_LINUX");
}

static void test_personality(void)
{
        char *flags[] = {(char *) "ADDR_NO_RANDOMIZE", NULL};
        ocispec_personality with_flags = {
            .domain = (char *) "LINUX", .flags = flags, .flags_len = 1};
        ocispec_personality unknown = {.domain = (char *) "LINUX64"};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        TAP_OK(process_apply_personality(NULL, &error) == 0, "personality: absent is a no-op");
        TAP_OK(process_apply_personality(&with_flags, &error) == -EINVAL &&
                   strcmp(error_message(error),
                          "linux.personality.flags[0]: unknown flag \"ADDR_NO_RANDOMIZE\" (the "
                          "runtime spec defines none)") == 0,
               "personality: flags are refused (%s)", error_message(error));
        ocirun_error_freep(&error);
        TAP_OK(process_validate_personality(&unknown, &error) == -EINVAL &&
                   strcmp(error_message(error),
                          "linux.personality.domain: unknown domain \"LINUX64\"") == 0,
               "personality: an unknown domain is named (%s)", error_message(error));
#if defined(__x86_64__)
        run_child("personality", child_personality, NULL);
#endif
}

/* ---- execCPUAffinity -------------------------------------------------------------------- */

/* The CPUs this test may use, as "a" and "a,b" lists, from its own affinity. */
struct affinity_case {
        char first[16];
        char all[64];
        int first_cpu;
        int count;
};

static void child_affinity(void *arg)
{
        const struct affinity_case *c = arg;
        char json[512];
        cpu_set_t set;

        snprintf(json, sizeof(json),
                 "{\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\" %s \",\"final\":\"%s\"}}",
                 c->first, c->all);
        _cleanup_process_ ocispec_process *process = parse_process(json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        if (!check(process != NULL, "the process parses"))
                return;

        check(process_apply_cpu_affinity(process, false, &error) == 0,
              "initial \"%s\" is applied (%s)", c->first, error_message(error));
        sched_getaffinity(0, sizeof(set), &set);
        check(CPU_COUNT(&set) == 1 && CPU_ISSET(c->first_cpu, &set),
              "sched_getaffinity gives CPU %d alone", c->first_cpu);
        check(process_apply_cpu_affinity(process, true, &error) == 0,
              "final \"%s\" is applied (%s)", c->all, error_message(error));
        sched_getaffinity(0, sizeof(set), &set);
        check(CPU_COUNT(&set) == c->count, "sched_getaffinity gives %d CPUs (got %d)", c->count,
              CPU_COUNT(&set));

        _cleanup_process_ ocispec_process *unavailable =
            parse_process("{\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\"65535\"}}");
        ocirun_error_freep(&error);
        check(unavailable && process_apply_cpu_affinity(unavailable, false, &error) == -EINVAL &&
                  strstr(error_message(error), "process.execCPUAffinity.initial: "
                                               "sched_setaffinity \"65535\": Invalid argument"),
              "a CPU that does not exist is an error naming the field (%s)", error_message(error));
}

static void test_cpu_affinity(void)
{
        static const char *const invalid[] = {"1-0", "0-",       ",",  "0,,1",
                                              "0,",  "99999999", "-1", "1 2"};
        struct affinity_case c = {.first_cpu = -1};
        cpu_set_t set;
        size_t n = 0;

        for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
                char json[256], expected[256];
                snprintf(json, sizeof(json),
                         "{\"cwd\":\"/\",\"args\":[\"sh\"],\"execCPUAffinity\":{\"final\":\"%s\"}}",
                         invalid[i]);
                snprintf(expected, sizeof(expected),
                         "process.execCPUAffinity.final: \"%s\" is not a list of CPUs below 65536 "
                         "like \"0-3,7\"",
                         invalid[i]);
                _cleanup_process_ ocispec_process *process = parse_process(json);
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                TAP_OK(process && process_validate(process, &error) == -EINVAL &&
                           strcmp(error_message(error), expected) == 0,
                       "execCPUAffinity: \"%s\" is refused (%s)", invalid[i], error_message(error));
        }
        _cleanup_process_ ocispec_process *empty =
            parse_process("{\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\"\",\"final\":\" \"}}");
        TAP_OK(empty && process_apply_cpu_affinity(empty, false, NULL) == 0 &&
                   process_apply_cpu_affinity(empty, true, NULL) == 0,
               "execCPUAffinity: empty lists are as good as absent");

        sched_getaffinity(0, sizeof(set), &set);
        for (int cpu = 0; cpu < CPU_SETSIZE && c.count < 2; cpu++) {
                if (!CPU_ISSET(cpu, &set))
                        continue;
                if (c.first_cpu < 0) {
                        c.first_cpu = cpu;
                        snprintf(c.first, sizeof(c.first), "%d", cpu);
                }
                n += (size_t) snprintf(c.all + n, sizeof(c.all) - n, "%s%d", n ? " , " : "", cpu);
                c.count++;
        }
        run_child("execCPUAffinity", child_affinity, &c);
}

/* ---- user and capabilities ------------------------------------------------------------- */

#define BIT(cap) ((uint64_t) 1 << (cap))

static void check_cap_masks(const char *when, uint64_t bounding, uint64_t effective,
                            uint64_t permitted, uint64_t inheritable, uint64_t ambient)
{
        check(status_mask("CapBnd") == bounding,
              "%s: CapBnd is %016" PRIx64 " (got %016" PRIx64 ")", when, bounding,
              status_mask("CapBnd"));
        check(status_mask("CapEff") == effective,
              "%s: CapEff is %016" PRIx64 " (got %016" PRIx64 ")", when, effective,
              status_mask("CapEff"));
        check(status_mask("CapPrm") == permitted,
              "%s: CapPrm is %016" PRIx64 " (got %016" PRIx64 ")", when, permitted,
              status_mask("CapPrm"));
        check(status_mask("CapInh") == inheritable,
              "%s: CapInh is %016" PRIx64 " (got %016" PRIx64 ")", when, inheritable,
              status_mask("CapInh"));
        check(status_mask("CapAmb") == ambient, "%s: CapAmb is %016" PRIx64 " (got %016" PRIx64 ")",
              when, ambient, status_mask("CapAmb"));
}

static const char *const caps_json =
    "{\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1001,\"additionalGids\":[10,20,30],"
    "\"umask\":23},\"capabilities\":{"
    "\"bounding\":[\"CAP_CHOWN\",\"net_admin\",\"cap_kill\",\"CAP_SETPCAP\"],"
    "\"effective\":[\"CAP_CHOWN\"],"
    "\"permitted\":[\"CAP_CHOWN\",\"Cap_Kill\"],"
    "\"inheritable\":[\"CAP_KILL\"],"
    "\"ambient\":[\"CAP_KILL\"]}}";
#define CAPS_BOUNDING (BIT(CAP_CHOWN) | BIT(CAP_NET_ADMIN) | BIT(CAP_KILL) | BIT(CAP_SETPCAP))

static void child_caps_as_root(void *arg)
{
        _cleanup_process_ ocispec_process *process = parse_process(caps_json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(process != NULL, "the process parses"))
                return;
        check(caps_validate(process->capabilities, &error) == 0, "caps_validate accepts (%s)",
              error_message(error));
        check(caps_apply(process->capabilities, &error) == 0, "caps_apply succeeds (%s)",
              error_message(error));
        check_cap_masks("as root", CAPS_BOUNDING, BIT(CAP_CHOWN), BIT(CAP_CHOWN) | BIT(CAP_KILL),
                        BIT(CAP_KILL), BIT(CAP_KILL));
        check(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "keep-caps is cleared");
}

static void child_caps_none(void *arg)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        check(caps_apply(NULL, &error) == 0, "caps_apply(NULL) succeeds (%s)",
              error_message(error));
        check_cap_masks("no capabilities", 0, 0, 0, 0, 0);
}

static void child_switch_user(void *arg)
{
        _cleanup_process_ ocispec_process *process = parse_process(caps_json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        char value[256];

        if (!check(process != NULL, "the process parses"))
                return;
        uint64_t permitted_before = status_mask("CapPrm");
        check(process_switch_user(process, &error) == 0, "process_switch_user succeeds (%s)",
              error_message(error));
        status_field("Uid", value, sizeof(value));
        check(strcmp(value, "1000\t1000\t1000\t1000") == 0, "Uid is 1000 everywhere (%s)", value);
        status_field("Gid", value, sizeof(value));
        check(strcmp(value, "1001\t1001\t1001\t1001") == 0, "Gid is 1001 everywhere (%s)", value);
        status_field("Groups", value, sizeof(value));
        check(strcmp(value, "10 20 30") == 0, "Groups are 10 20 30 (%s)", value);
        status_field("Umask", value, sizeof(value));
        check(strcmp(value, "0027") == 0, "Umask is 0027 (%s)", value);
        check(status_mask("CapPrm") == permitted_before,
              "the permitted set survived the uid change");
        check(status_mask("CapEff") == 0, "the effective set is empty after leaving uid 0");
        check(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1, "keep-caps is set for caps_apply");

        check(caps_apply(process->capabilities, &error) == 0,
              "caps_apply as uid 1000 succeeds (%s)", error_message(error));
        check_cap_masks("as uid 1000", CAPS_BOUNDING, BIT(CAP_CHOWN),
                        BIT(CAP_CHOWN) | BIT(CAP_KILL), BIT(CAP_KILL), BIT(CAP_KILL));
        check(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "keep-caps is cleared");
}

static void child_switch_user_defaults(void *arg)
{
        _cleanup_process_ ocispec_process *process = parse_process("{\"cwd\":\"/\"}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        char value[256];

        setgroups(2, (gid_t[]){4, 5});
        mode_t umask_before = umask(0);
        umask(umask_before);
        check(process && process_switch_user(process, &error) == 0,
              "process_switch_user without user succeeds (%s)", error_message(error));
        status_field("Uid", value, sizeof(value));
        check(strcmp(value, "0\t0\t0\t0") == 0, "Uid is 0 (%s)", value);
        status_field("Groups", value, sizeof(value));
        check(strcmp(value, "") == 0, "no supplementary groups are left (%s)", value);
        mode_t umask_after = umask(0);
        check(umask_after == umask_before, "the umask is unchanged when user.umask is absent");
}

/* Everything in process.h's order, then exec: the program, run as uid 1000,
 * must find CAP_KILL in its ambient, permitted and effective sets. */
static void child_full_sequence(void *arg)
{
        int out[2];
        const char *json =
            "{\"cwd\":\"/usr\",\"args\":[\"grep\",\"^Cap\",\"/proc/self/status\"],"
            "\"env\":[\"PATH=/nonexistent:/usr/bin:/bin\"],"
            "\"user\":{\"uid\":1000,\"gid\":1000},\"noNewPrivileges\":true,"
            "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
            "\"permitted\":[\"CAP_KILL\"],\"inheritable\":[\"CAP_KILL\"],"
            "\"ambient\":[\"CAP_KILL\"]}}";
        _cleanup_process_ ocispec_process *process = parse_process(json);
        if (!check(process != NULL, "the process parses") || !check(pipe2(out, 0) == 0, "pipe"))
                return;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                _cleanup_free_ char *path = NULL;
                close(out[0]);
                dup2(out[1], STDOUT_FILENO);
                if (process_prepare(process, NULL, NULL, -1, &path, &error) < 0 ||
                    process_apply_cpu_affinity(process, true, &error) < 0)
                        ;
                else
                        process_exec(process, path, &error);
                printf("error: %s\n", error_message(error));
                fflush(stdout);
                _exit(1);
        }
        close(out[1]);
        char output[4096] = "";
        size_t len = 0;
        ssize_t n;
        while ((n = read(out[0], output + len, sizeof(output) - 1 - len)) > 0)
                len += (size_t) n;
        output[len] = '\0';
        close(out[0]);
        int status;
        waitpid(pid, &status, 0);
        check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "grep ran and exited 0");
        const char *expected[] = {"CapInh:\t0000000000000020", "CapPrm:\t0000000000000020",
                                  "CapEff:\t0000000000000020", "CapBnd:\t0000000000000020",
                                  "CapAmb:\t0000000000000020"};
        for (size_t i = 0; i < sizeof(expected) / sizeof(*expected); i++)
                check(strstr(output, expected[i]) != NULL, "the exec'd program has %s",
                      expected[i]);
        if (!strstr(output, "CapAmb"))
                note("output: %s", output);
}

/* The kernel raises an ambient capability only if it is both permitted and
 * inheritable; one that is not is left out (as runc leaves it out), and the
 * rest of the sets still apply. */
static void child_caps_ambient_left_out(void *arg)
{
        _cleanup_process_ ocispec_process *process =
            parse_process("{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\"],"
                          "\"permitted\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
                          "\"ambient\":[\"CAP_KILL\"]}}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!check(process != NULL, "the process parses"))
                return;
        int r = caps_apply(process->capabilities, &error);
        check(r == 0, "caps_apply succeeds (%s)", error_message(error));
        check(status_mask("CapAmb") == 0, "CapAmb is empty (got %016" PRIx64 ")",
              status_mask("CapAmb"));
        check(status_mask("CapPrm") == CAP_TO_MASK(CAP_KILL),
              "CapPrm is CAP_KILL (got %016" PRIx64 ")", status_mask("CapPrm"));
}

static void child_caps_errors_consistency(void *arg)
{
        static const struct {
                const char *json;
                const char *message;
        } cases[] = {
            {"{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"]}",
             "process.capabilities.effective: CAP_KILL is not in process.capabilities.permitted, "
             "and the kernel only makes permitted capabilities effective"},
            {"{\"bounding\":[\"CAP_KILL\"],\"inheritable\":[\"CAP_CHOWN\"]}",
             "process.capabilities.inheritable: CAP_CHOWN is not in process.capabilities.bounding, "
             "and the kernel refuses an inheritable capability outside the bounding set"},
        };
        uint64_t bounding_before = status_mask("CapBnd");

        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                char json[1024];
                snprintf(json, sizeof(json), "{\"cwd\":\"/\",\"capabilities\":%s}", cases[i].json);
                _cleanup_process_ ocispec_process *process = parse_process(json);
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                if (!check(process != NULL, "case %zu parses", i))
                        continue;
                int r = caps_apply(process->capabilities, &error);
                check(r == -EINVAL && strcmp(error_message(error), cases[i].message) == 0,
                      "%s (%s)", cases[i].message, error_message(error));
        }
        check(status_mask("CapBnd") == bounding_before,
              "a config refused by the checks drops nothing from the bounding set");
}

static void child_caps_not_held(void *arg)
{
        static const char *const sets[] = {"bounding", "permitted", "effective", "inheritable"};

        if (has_bounding(CAP_SYS_RESOURCE)) {
                skip("CAP_SYS_RESOURCE outside ocirun's bounding set is an error",
                     "this machine's bounding set has CAP_SYS_RESOURCE");
                return;
        }
        for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
                char json[512], expected[256];
                snprintf(json, sizeof(json),
                         "{\"cwd\":\"/\",\"capabilities\":{\"%s\":[\"CAP_SYS_RESOURCE\"]}}",
                         sets[i]);
                snprintf(expected, sizeof(expected),
                         "process.capabilities.%s: CAP_SYS_RESOURCE is not in ocirun's own "
                         "bounding set, so the container cannot get it",
                         sets[i]);
                _cleanup_process_ ocispec_process *process = parse_process(json);
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                if (!check(process != NULL, "%s parses", sets[i]))
                        continue;
                int r = caps_apply(process->capabilities, &error);
                check(r == -EPERM && strcmp(error_message(error), expected) == 0, "%s (%s)",
                      expected, error_message(error));
        }
        check(status_mask("CapPrm") != 0, "nothing was dropped on the way");
}

/* A kernel whose last capability is 39 (one older than CAP_CHECKPOINT_RESTORE),
 * simulated with a seccomp filter that makes PR_CAPBSET_READ fail with EINVAL
 * from 40 on, exactly as such a kernel would. */
static void child_caps_old_kernel(void *arg)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int log_fd = memfd_create("stderr", MFD_CLOEXEC);
        char log[2048] = "";

        if (!check(ctx && log_fd >= 0, "seccomp_init and memfd_create"))
                return;
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 2,
                                 SCMP_A0(SCMP_CMP_EQ, PR_CAPBSET_READ), SCMP_A1(SCMP_CMP_GE, 40));
        if (!check(r == 0 && seccomp_load(ctx) == 0, "the seccomp filter is loaded")) {
                seccomp_release(ctx);
                return;
        }
        seccomp_release(ctx);

        _cleanup_process_ ocispec_process *process = parse_process(
            "{\"cwd\":\"/"
            "\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_CHECKPOINT_RESTORE\"],"
            "\"permitted\":[\"CAP_CHOWN\",\"CAP_CHECKPOINT_RESTORE\"],"
            "\"effective\":[\"CAP_CHECKPOINT_RESTORE\",\"CAP_CHOWN\"]}}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        if (!check(process != NULL, "the process parses"))
                return;

        int saved_stderr = dup(STDERR_FILENO);
        dup2(log_fd, STDERR_FILENO);
        r = caps_validate(process->capabilities, &error);
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        ssize_t n = pread(log_fd, log, sizeof(log) - 1, 0);
        log[n > 0 ? n : 0] = '\0';
        close(log_fd);
        check(r == 0, "caps_validate accepts a capability the kernel lacks (%s)",
              error_message(error));
        check(strstr(log,
                     "ocirun: warning: process.capabilities.bounding: \"CAP_CHECKPOINT_RESTORE\" "
                     "is not supported by the running kernel (its last capability is 39), "
                     "skipping it") != NULL,
              "the warning names it once (%s)", log);
        check(strstr(log, "permitted") == NULL, "no second warning for the other sets");

        r = caps_apply(process->capabilities, &error);
        check(r == 0, "caps_apply skips it (%s)", error_message(error));
        check(status_mask("CapPrm") == BIT(CAP_CHOWN) && status_mask("CapEff") == BIT(CAP_CHOWN),
              "only CAP_CHOWN is permitted and effective");
        check((status_mask("CapBnd") & (BIT(40) - 1)) == BIT(CAP_CHOWN),
              "the bounding set up to the last capability is CAP_CHOWN alone");
}

static void test_caps(void)
{
        static const struct {
                const char *json;
                const char *message;
        } unknown[] = {
            {"{\"bounding\":[\"CAP_CHOWN\",\"CAP_FOO\"]}",
             "process.capabilities.bounding: unknown capability \"CAP_FOO\""},
            {"{\"ambient\":[\"CAP_\"]}",
             "process.capabilities.ambient: unknown capability \"CAP_\""},
            {"{\"effective\":[\"\"]}", "process.capabilities.effective: unknown capability \"\""},
            {"{\"permitted\":[\"12\"]}",
             "process.capabilities.permitted: unknown capability \"12\""},
            {"{\"inheritable\":[\"CAP_NET_ADMIN\\n\"]}",
             "process.capabilities.inheritable: unknown capability \"CAP_NET_ADMIN\\x0a\""},
        };
        _cleanup_process_ ocispec_process *valid = parse_process(caps_json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        TAP_OK(valid && caps_validate(valid->capabilities, &error) == 0,
               "caps: CAP_CHOWN, net_admin, cap_kill, Cap_Kill are all known (%s)",
               error_message(error));
        TAP_OK(caps_validate(NULL, &error) == 0, "caps: absent capabilities are valid");
        for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
                char json[512];
                snprintf(json, sizeof(json), "{\"cwd\":\"/\",\"capabilities\":%s}",
                         unknown[i].json);
                _cleanup_process_ ocispec_process *process = parse_process(json);
                ocirun_error_freep(&error);
                TAP_OK(process && caps_validate(process->capabilities, &error) == -EINVAL &&
                           strcmp(error_message(error), unknown[i].message) == 0,
                       "caps: %s (%s)", unknown[i].message, error_message(error));
                ocirun_error_freep(&error);
                TAP_OK(process && caps_apply(process->capabilities, &error) == -EINVAL,
                       "caps: caps_apply refuses it too, before changing anything");
        }
        TAP_OK(caps_effective_has(CAP_CHOWN), "caps: the test runs with CAP_CHOWN effective");

        run_child("caps as root", child_caps_as_root, NULL);
        run_child("caps none", child_caps_none, NULL);
        run_child("switch user and caps", child_switch_user, NULL);
        run_child("switch user defaults", child_switch_user_defaults, NULL);
        run_child("caps ambient left out", child_caps_ambient_left_out, NULL);
        run_child("caps consistency errors", child_caps_errors_consistency, NULL);
        run_child("caps not held", child_caps_not_held, NULL);
        run_child("caps old kernel", child_caps_old_kernel, NULL);
}

/* ---- no_new_privs -----------------------------------------------------------------------------
 */

static void child_no_new_privs(void *arg)
{
        _cleanup_process_ ocispec_process *off =
            parse_process("{\"cwd\":\"/\",\"noNewPrivileges\":false}");
        _cleanup_process_ ocispec_process *on =
            parse_process("{\"cwd\":\"/\",\"noNewPrivileges\":true}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        char value[32];

        check(off && process_apply_no_new_privileges(off, &error) == 0, "false is accepted");
        status_field("NoNewPrivs", value, sizeof(value));
        check(strcmp(value, "0") == 0, "NoNewPrivs stays 0 (%s)", value);
        check(on && process_apply_no_new_privileges(on, &error) == 0, "true is applied (%s)",
              error_message(error));
        status_field("NoNewPrivs", value, sizeof(value));
        check(strcmp(value, "1") == 0, "NoNewPrivs is 1 (%s)", value);
}

/* ---- cwd ------------------------------------------------------------------------------------- */

static void child_chdir(void *arg)
{
        const char *dir = arg;
        char json[512], cwd[4096];

        snprintf(json, sizeof(json), "{\"cwd\":\"%s/bin1/../bin2\"}", dir);
        _cleanup_process_ ocispec_process *process = parse_process(json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        if (!check(process != NULL, "the process parses"))
                return;
        check(process_chdir(process, &error) == 0, "chdir succeeds (%s)", error_message(error));
        char expected[4096];
        snprintf(expected, sizeof(expected), "%s/bin2", dir);
        check(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, expected) == 0, "getcwd is %s (%s)", expected,
              cwd);

        _cleanup_process_ ocispec_process *missing =
            parse_process("{\"cwd\":\"/nonexistent-ocirun-test\"}");
        ocirun_error_freep(&error);
        check(missing && process_chdir(missing, &error) == -ENOENT &&
                  strcmp(error_message(error), "process.cwd: chdir \"/nonexistent-ocirun-test\": "
                                               "No such file or directory") == 0,
              "a missing cwd is an error naming it (%s)", error_message(error));
}

/* CVE-2024-21626: a cwd that goes through a directory fd leaked from outside
 * the root. The child gets its own mount namespace, builds a root with /proc
 * bind-mounted in, keeps an fd of a directory outside it, chroots, and asks
 * for /proc/self/fd/N as cwd. */
static void child_chdir_unreachable(void *arg)
{
        const char *dir = arg;
        char root[4096], proc[4096], outside[4096], json[512];

        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(proc, sizeof(proc), "%s/root/proc", dir);
        snprintf(outside, sizeof(outside), "%s/outside", dir);
        if (!check(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)") ||
            !check(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0,
                   "make the mounts private") ||
            !check(mount("/proc", proc, "none", MS_BIND | MS_REC, NULL) == 0,
                   "bind-mount /proc into the root"))
                return;
        int leaked = open(outside, O_RDONLY | O_DIRECTORY); /* no O_CLOEXEC: "leaked" */
        if (!check(leaked >= 0, "open a directory outside the root") ||
            !check(chroot(root) == 0 && chdir("/") == 0, "chroot into the root"))
                return;

        snprintf(json, sizeof(json), "{\"cwd\":\"/proc/self/fd/%d\"}", leaked);
        _cleanup_process_ ocispec_process *process = parse_process(json);
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        char expected[4200];
        snprintf(expected, sizeof(expected),
                 "process.cwd: \"/proc/self/fd/%d\" leads to \"(unreachable)%s\", outside the "
                 "container's root (CVE-2024-21626)",
                 leaked, outside);
        int r = process ? process_chdir(process, &error) : 0;
        check(r == -EPERM && strcmp(error_message(error), expected) == 0,
              "a cwd outside the root is refused (%s)", error_message(error));
        close(leaked);
}

static void test_chdir(const char *dir)
{
        _cleanup_process_ ocispec_process *relative =
            parse_process("{\"cwd\":\"foo/bar\",\"args\":[\"sh\"]}");
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        char root[4096];

        TAP_OK(relative && process_chdir(relative, &error) == -EINVAL &&
                   strcmp(error_message(error),
                          "process.cwd: \"foo/bar\" is not an absolute path") == 0,
               "cwd: a relative cwd is refused (%s)", error_message(error));
        ocirun_error_freep(&error);
        TAP_OK(relative && process_validate(relative, &error) == -EINVAL &&
                   strcmp(error_message(error),
                          "process.cwd: \"foo/bar\" is not an absolute path") == 0,
               "cwd: process_validate refuses it too (%s)", error_message(error));
        run_child("chdir", child_chdir, (void *) dir);

        snprintf(root, sizeof(root), "%s/root/proc", dir);
        char outside[4096];
        snprintf(outside, sizeof(outside), "%s/outside", dir);
        char root_dir[4096];
        snprintf(root_dir, sizeof(root_dir), "%s/root", dir);
        if (mkdir(root_dir, 0755) < 0 || mkdir(root, 0755) < 0 || mkdir(outside, 0755) < 0) {
                TAP_OK(0, "cwd: make the directories for the unreachable test: %s",
                       strerror(errno));
                return;
        }
        run_child("chdir unreachable", child_chdir_unreachable, (void *) dir);
}

/* ---- executable lookup and exec ----------------------------------------------------------------
 */

static int find(const char *name, const char *path_env, char **ret_path, ocirun_error **error)
{
        char *args[] = {(char *) name, NULL};
        char *env[] = {(char *) "A=1", (char *) path_env, (char *) "PATH=/ignored", NULL};
        ocispec_process process = {.args = args, .args_len = 1, .env = env, .env_len = 3};

        if (!path_env) {
                env[1] = (char *) "B=2";
                env[2] = NULL;
                process.env_len = 2;
        }
        return process_find_executable(&process, ret_path, error);
}

static void test_find_executable(const char *dir)
{
        char path[4096], path_env[8400], expected[4200];
        static const struct {
                const char *name;
                mode_t mode;
        } files[] = {
            {"bin1/foo", 0755}, {"bin2/foo", 0755}, {"bin1/bar", 0644},
            {"bin2/bar", 0755}, {"bin2/baz", 0700}, {"bin2/qux", 0644},
        };

        for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                if (write_file(path, "#!/bin/sh\nexit 0\n", files[i].mode) < 0) {
                        TAP_OK(0, "exec: create %s: %s", path, strerror(errno));
                        return;
                }
        }
        snprintf(path, sizeof(path), "%s/bin1/baz", dir);
        mkdir(path, 0755);
        snprintf(path_env, sizeof(path_env), "PATH=%s/bin1:%s/bin2", dir, dir);

        static const struct {
                const char *name;
                const char *found_in;
        } lookups[] = {{"foo", "bin1"}, {"bar", "bin2"}, {"baz", "bin2"}};
        for (size_t i = 0; i < sizeof(lookups) / sizeof(*lookups); i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                _cleanup_free_ char *found = NULL;
                snprintf(expected, sizeof(expected), "%s/%s/%s", dir, lookups[i].found_in,
                         lookups[i].name);
                int r = find(lookups[i].name, path_env, &found, &error);
                TAP_OK(r == 0 && found && strcmp(found, expected) == 0,
                       "exec: %s is found in %s (%s)", lookups[i].name, lookups[i].found_in,
                       r == 0 ? found : error_message(error));
        }

        static const struct {
                const char *name;
                const char *message;
                int code;
        } failures[] = {
            {"nothere", "exec \"nothere\": executable file not found in $PATH", ENOENT},
            {"qux", "exec \"qux\": executable file not found in $PATH", ENOENT},
            {"", "exec \"\": executable file not found in $PATH", ENOENT},
            {"/nonexistent-ocirun-test",
             "exec \"/nonexistent-ocirun-test\": no such file or directory", ENOENT},
        };
        for (size_t i = 0; i < sizeof(failures) / sizeof(*failures); i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                char *found = NULL;
                int r = find(failures[i].name, path_env, &found, &error);
                TAP_OK(r == -failures[i].code && !found &&
                           strcmp(error_message(error), failures[i].message) == 0,
                       "exec: %s (%s)", failures[i].message, error_message(error));
                free(found);
        }

        static const char *const not_executable[] = {"bin1/bar", "bin1/baz"};
        for (size_t i = 0; i < 2; i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                char *found = NULL;
                snprintf(path, sizeof(path), "%s/%s", dir, not_executable[i]);
                snprintf(expected, sizeof(expected), "exec \"%s\": permission denied", path);
                int r = find(path, path_env, &found, &error);
                TAP_OK(r == -EACCES && !found && strcmp(error_message(error), expected) == 0,
                       "exec: %s (%s)", expected, error_message(error));
                free(found);
        }
        {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                _cleanup_free_ char *found = NULL;
                snprintf(path, sizeof(path), "%s/bin2/foo", dir);
                TAP_OK(find(path, path_env, &found, &error) == 0 && strcmp(found, path) == 0,
                       "exec: a path with a slash is taken as is");
        }
        {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                _cleanup_free_ char *found = NULL;
                int r = find("sh", NULL, &found, &error);
                TAP_OK(r == 0 && found && found[0] == '/' && strstr(found, "/sh") &&
                           access(found, X_OK) == 0,
                       "exec: without PATH in env, the default PATH finds sh (%s)",
                       r == 0 ? found : error_message(error));
        }
        {
                ocispec_process empty = {0};
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                char *found = NULL;
                TAP_OK(process_find_executable(&empty, &found, &error) == -EINVAL && !found &&
                           strcmp(error_message(error), "process.args: no program to run") == 0,
                       "exec: no args is an error (%s)", error_message(error));
        }
}

/* process_env_set: exec --env and the NOTIFY_SOCKET of create share it. */
static void test_env_set(void)
{
        ocispec_process process = {0};
        const char *initial[] = {"A=1", "K=old", "B=2", "K=dup"};
        for (size_t i = 0; i < 4; i++)
                ocispec_strv_append(&process.env, &process.env_len, initial[i]);

        int r = process_env_set(&process, "K=new");
        TAP_OK(r == 0 && process.env_len == 3 && strcmp(process.env[0], "A=1") == 0 &&
                   strcmp(process.env[1], "K=new") == 0 && strcmp(process.env[2], "B=2") == 0 &&
                   process.env[3] == NULL,
               "env_set: the first K= replaced in place, the later one dropped");
        r = process_env_set(&process, "KEY=x");
        TAP_OK(r == 0 && process.env_len == 4 && strcmp(process.env[3], "KEY=x") == 0 &&
                   strcmp(process.env[1], "K=new") == 0,
               "env_set: a key that only shares a prefix is appended");
        r = process_env_set(&process, "EMPTY=");
        TAP_OK(r == 0 && process.env_len == 5 && strcmp(process.env[4], "EMPTY=") == 0,
               "env_set: an empty value is appended");
        strv_free(process.env);

        ocispec_process none = {0};
        r = process_env_set(&none, "ONLY=1");
        TAP_OK(r == 0 && none.env_len == 1 && strcmp(none.env[0], "ONLY=1") == 0 && !none.env[1],
               "env_set: on an empty env");
        strv_free(none.env);
}

static void child_exec(void *arg)
{
        char *args[] = {(char *) "/bin/sh", (char *) "-c", (char *) "test \"$A\" = B && exit 7",
                        NULL};
        char *env[] = {(char *) "A=B", NULL};
        ocispec_process process = {.args = args, .args_len = 3, .env = env, .env_len = 1};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = process_exec(&process, "/nonexistent-ocirun-test", &error);
        check(r == -ENOENT && strcmp(error_message(error), "exec \"/nonexistent-ocirun-test\": no "
                                                           "such file or directory") == 0,
              "a missing program is an error naming it (%s)", error_message(error));

        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                process_exec(&process, "/bin/sh", NULL);
                _exit(99);
        }
        int status;
        waitpid(pid, &status, 0);
        check(WIFEXITED(status) && WEXITSTATUS(status) == 7,
              "execve runs the program with the env (exit status %d)",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
        _cleanup_free_ char *dir = make_temp_dir();

        if (!dir) {
                TAP_OK(0, "create a temporary directory: %s", strerror(errno));
                return tap_done();
        }
        char sub[4200];
        snprintf(sub, sizeof(sub), "%s/bin1", dir);
        mkdir(sub, 0755);
        snprintf(sub, sizeof(sub), "%s/bin2", dir);
        mkdir(sub, 0755);

        if (geteuid() != 0) {
                TAP_OK(1, "# SKIP the process tests need root (make check runs them as root)");
                remove_tree(dir);
                return tap_done();
        }
        test_rlimits();
        test_oom_score_adj();
        test_scheduler();
        test_io_priority();
        test_personality();
        test_cpu_affinity();
        test_caps();
        run_child("noNewPrivileges", child_no_new_privs, NULL);
        test_chdir(dir);
        test_find_executable(dir);
        test_env_set();
        run_child("exec", child_exec, NULL);
        run_child("the whole sequence as uid 1000", child_full_sequence, NULL);

        remove_tree(dir);
        return tap_done();
}
