/* The user process's own setup inside the container, one function per field
 * of `process` (and linux.personality): rlimits, oom_score_adj, scheduler,
 * I/O priority, personality, CPU affinity, the switch to the configured
 * user, no_new_privs, the working directory, finding the executable, and the
 * execve itself. The order of the calls is process.h's; each parses its field
 * with the same helper process_validate uses, so `create` can reject a bad
 * config in the parent with the very message the child would have given.
 * Errors name the field (`process.rlimits[2].type: ...`) and, for the
 * failures a user cannot guess the reason of (a hard limit that cannot be
 * raised, a cwd outside the root), say why. */
#include <ctype.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "caps.h"
#include "error.h"
#include "process.h"
#include "seccomp_filter.h"
#include "util/strings.h"

/* Used when process.env sets no PATH: the one Docker gives images that set
 * none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* execCPUAffinity lists may name any CPU below this; the mask handed to
 * sched_setaffinity is this wide (8 KiB), more than any kernel's NR_CPUS, so
 * the kernel never refuses it for being shorter than nr_cpu_ids. */
#define CPU_LIST_MAX_CPUS 65536

/* Messages quote config values through str_quote, cut after this many bytes. */
#define QUOTE_MAX 256

/* ---- rlimits ------------------------------------------------------------ */

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
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

static int rlimit_resource(const char *name)
{
        for (size_t i = 0; name && i < sizeof(rlimit_names) / sizeof(*rlimit_names); i++)
                if (strcmp(rlimit_names[i].name, name) == 0)
                        return rlimit_names[i].resource;
        return -1;
}

static void rlimit_value_string(uint64_t value, char *buf, size_t size)
{
        if (value == (uint64_t) RLIM_INFINITY)
                snprintf(buf, size, "unlimited");
        else
                snprintf(buf, size, "%" PRIu64, value);
}

/* Every entry names a resource the kernel has, once (the runtime spec asks
 * for an error on duplicates: which one should win is anyone's guess), with
 * a soft limit no higher than the hard one. */
static int rlimits_check(const ocispec_process *process, ocirun_error **error)
{
        unsigned seen = 0;

        for (size_t i = 0; process && i < process->rlimits_len; i++) {
                const ocispec_process_rlimit *rlimit = &process->rlimits[i];
                int resource = rlimit_resource(rlimit->type);

                if (resource < 0) {
                        _cleanup_free_ char *quoted =
                            str_quote(rlimit->type ? rlimit->type : "", QUOTE_MAX);
                        return error_set(error, EINVAL,
                                         "process.rlimits[%zu].type: unknown resource %s", i,
                                         quoted ? quoted : "?");
                }
                if (seen & (1u << resource))
                        return error_set(error, EINVAL,
                                         "process.rlimits[%zu].type: %s is set more than once", i,
                                         rlimit->type);
                seen |= 1u << resource;
                if (rlimit->soft > rlimit->hard) {
                        char soft[32], hard[32];
                        rlimit_value_string(rlimit->soft, soft, sizeof(soft));
                        rlimit_value_string(rlimit->hard, hard, sizeof(hard));
                        return error_set(error, EINVAL,
                                         "process.rlimits[%zu]: the soft limit of %s (%s) is above "
                                         "its hard limit (%s)",
                                         i, rlimit->type, soft, hard);
                }
        }
        return 0;
}

/* fs.nr_open, the ceiling of RLIMIT_NOFILE even for CAP_SYS_RESOURCE; 0 when
 * it cannot be read. Only read to explain a failure. */
static uint64_t read_nr_open(void)
{
        char buf[32] = "";
        _cleanup_close_ int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return 0;
        return strtoull(buf, NULL, 10);
}

/* Why setrlimit said EPERM, as the tail of the message ("" when unknown). */
static void rlimit_eperm_reason(int resource, const struct rlimit *wanted, char *buf, size_t size)
{
        struct rlimit current;
        uint64_t nr_open;

        buf[0] = '\0';
        if (getrlimit(resource, &current) == 0 && wanted->rlim_max > current.rlim_max) {
                /* First the ceiling no capability lifts. */
                if (resource == RLIMIT_NOFILE && (nr_open = read_nr_open()) > 0 &&
                    wanted->rlim_max > nr_open) {
                        snprintf(buf, size,
                                 " (RLIMIT_NOFILE cannot exceed fs.nr_open, %" PRIu64 ")", nr_open);
                        return;
                }
                if (!caps_effective_has(CAP_SYS_RESOURCE)) {
                        snprintf(buf, size,
                                 " (the hard limit can only be raised with CAP_SYS_RESOURCE, which "
                                 "ocirun does not have)");
                        return;
                }
                /* A user namespace's CAP_SYS_RESOURCE does not count:
                 * setrlimit asks for it in the initial namespace. */
                snprintf(buf, size,
                         " (raising a hard limit needs CAP_SYS_RESOURCE in the initial user "
                         "namespace)");
        }
}

int process_apply_rlimits(const ocispec_process *process, ocirun_error **error)
{
        int r = rlimits_check(process, error);
        if (r < 0)
                return r;

        for (size_t i = 0; process && i < process->rlimits_len; i++) {
                const ocispec_process_rlimit *rlimit = &process->rlimits[i];
                int resource = rlimit_resource(rlimit->type);
                struct rlimit value = {.rlim_cur = rlimit->soft, .rlim_max = rlimit->hard};
                char soft[32], hard[32], reason[160] = "";

                if (setrlimit(resource, &value) == 0)
                        continue;
                int saved_errno = errno;
                rlimit_value_string(rlimit->soft, soft, sizeof(soft));
                rlimit_value_string(rlimit->hard, hard, sizeof(hard));
                if (saved_errno == EPERM)
                        rlimit_eperm_reason(resource, &value, reason, sizeof(reason));
                return error_set(error, saved_errno,
                                 "process.rlimits[%zu]: setrlimit %s to %s/%s: %s%s", i,
                                 rlimit->type, soft, hard, strerror(saved_errno), reason);
        }
        return 0;
}

/* ---- /proc/self --------------------------------------------------------- */

int process_proc_open(const char *path, int flags, bool no_symlinks, ocirun_error **error)
{
        _cleanup_close_ int proc_fd = -1;
        struct statfs fs;
        int fd;

        proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (proc_fd < 0)
                return error_set_errno(error, errno, "open /proc");
        if (fstatfs(proc_fd, &fs) < 0)
                return error_set_errno(error, errno, "statfs /proc");
        if (fs.f_type != PROC_SUPER_MAGIC)
                return error_set(error, EINVAL, "/proc is not a procfs mount");

        struct open_how how = {
            .flags = (uint64_t) (flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY),
            .resolve =
                RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0),
        };
        fd = (int) syscall(SYS_openat2, proc_fd, path, &how, sizeof(how));
        if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: no mount check */
                fd = openat(proc_fd, path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set_errno(error, errno, "open /proc/%s", path);
        /* Whatever the path went through, the file must be procfs's. */
        if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC) {
                close(fd);
                return error_set(error, EINVAL, "/proc/%s is not a file of procfs", path);
        }
        return fd;
}

static int proc_self_open(const char *name, int flags, ocirun_error **error)
{
        char path[64];
        snprintf(path, sizeof(path), "self/%s", name);
        return process_proc_open(path, flags, false, error);
}

/* ---- oom_score_adj ------------------------------------------------------- */

static int oom_score_adj_check(const ocispec_process *process, ocirun_error **error)
{
        if (process && process->has_oom_score_adj &&
            (process->oom_score_adj < -1000 || process->oom_score_adj > 1000))
                return error_set(error, EINVAL,
                                 "process.oomScoreAdj: %" PRId64 " is out of range -1000..1000",
                                 process->oom_score_adj);
        return 0;
}

int process_apply_oom_score_adj(const ocispec_process *process, ocirun_error **error)
{
        _cleanup_close_ int fd = -1;
        char buf[32];
        int r, len;

        if (!process || !process->has_oom_score_adj)
                return 0;
        r = oom_score_adj_check(process, error);
        if (r < 0)
                return r;
        fd = proc_self_open("oom_score_adj", O_WRONLY, error);
        if (fd < 0)
                return error_prefix(error, "process.oomScoreAdj");
        len = snprintf(buf, sizeof(buf), "%" PRId64, process->oom_score_adj);
        if (write(fd, buf, (size_t) len) == len)
                return 0;
        int saved_errno = errno;
        /* The kernel keeps a floor, the last value a process with
         * CAP_SYS_RESOURCE wrote; going below it needs that capability. */
        if (saved_errno == EACCES && !caps_effective_has(CAP_SYS_RESOURCE))
                return error_set(error, EACCES,
                                 "process.oomScoreAdj: write %s to /proc/self/oom_score_adj: %s "
                                 "(lowering it needs CAP_SYS_RESOURCE, which ocirun does not have)",
                                 buf, strerror(saved_errno));
        return error_set_errno(error, saved_errno,
                               "process.oomScoreAdj: write %s to /proc/self/oom_score_adj", buf);
}

/* ---- scheduler ---------------------------------------------------------- */

/* Not all of these are in every libc's <sched.h>; the values are the kernel's ABI. */
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define PROCESS_SCHED_ISO 4 /* reserved by Linux, never implemented in mainline */

/* sched_setattr(2)'s argument, SCHED_ATTR_SIZE_VER1 (with the utilization
 * clamps). <linux/sched/types.h> has it too, but it also defines struct
 * sched_param, which glibc's <sched.h> defines again. */
struct process_sched_attr {
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

static const struct {
        const char *name;
        uint32_t policy;
} sched_policies[] = {
    {"SCHED_OTHER", SCHED_OTHER},
    {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_ISO", PROCESS_SCHED_ISO},
    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct {
        const char *name;
        uint64_t flag;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

/* process.scheduler as sched_setattr(2)'s argument. The cross-field rules
 * are runc's: nice in -20..19 for SCHED_OTHER and SCHED_BATCH, a priority
 * only for the real-time policies, runtime, deadline and period only for
 * SCHED_DEADLINE. A real-time policy without a priority in 1..99 is refused
 * here too: the kernel would refuse it with a bare EINVAL. */
static int scheduler_attr(const ocispec_process *process, struct process_sched_attr *ret,
                          ocirun_error **error)
{
        const ocispec_process_scheduler *scheduler = process ? process->scheduler : NULL;
        struct process_sched_attr attr = {.size = sizeof(attr)};
        bool found = false;

        if (!scheduler)
                return 0;
        for (size_t i = 0;
             scheduler->policy && i < sizeof(sched_policies) / sizeof(*sched_policies); i++) {
                if (strcmp(scheduler->policy, sched_policies[i].name) == 0) {
                        attr.sched_policy = sched_policies[i].policy;
                        found = true;
                }
        }
        if (!found) {
                _cleanup_free_ char *quoted =
                    str_quote(scheduler->policy ? scheduler->policy : "", QUOTE_MAX);
                return error_set(error, EINVAL, "process.scheduler.policy: unknown policy %s",
                                 quoted ? quoted : "?");
        }
        for (size_t i = 0; i < scheduler->flags_len; i++) {
                found = false;
                for (size_t j = 0; j < sizeof(sched_flags) / sizeof(*sched_flags); j++) {
                        if (scheduler->flags[i] &&
                            strcmp(scheduler->flags[i], sched_flags[j].name) == 0) {
                                attr.sched_flags |= sched_flags[j].flag;
                                found = true;
                        }
                }
                if (!found) {
                        _cleanup_free_ char *quoted =
                            str_quote(scheduler->flags[i] ? scheduler->flags[i] : "", QUOTE_MAX);
                        return error_set(error, EINVAL,
                                         "process.scheduler.flags[%zu]: unknown flag %s", i,
                                         quoted ? quoted : "?");
                }
        }

        bool realtime = attr.sched_policy == SCHED_FIFO || attr.sched_policy == SCHED_RR;
        /* For the other policies the kernel ignores nice (it clamps it). */
        bool fair = attr.sched_policy == SCHED_OTHER || attr.sched_policy == SCHED_BATCH;
        if (fair && scheduler->has_nice && (scheduler->nice < -20 || scheduler->nice > 19))
                return error_set(error, EINVAL,
                                 "process.scheduler.nice: %" PRId32 " is out of range -20..19",
                                 scheduler->nice);
        if (realtime &&
            (!scheduler->has_priority || scheduler->priority < 1 || scheduler->priority > 99))
                return error_set(error, EINVAL,
                                 "process.scheduler.priority: %s needs a priority in 1..99",
                                 scheduler->policy);
        if (!realtime && scheduler->has_priority && scheduler->priority != 0)
                return error_set(error, EINVAL,
                                 "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a "
                                 "priority, not %s",
                                 scheduler->policy);
        if (attr.sched_policy != SCHED_DEADLINE &&
            (scheduler->runtime || scheduler->deadline || scheduler->period))
                return error_set(error, EINVAL,
                                 "process.scheduler: runtime, deadline and period are only for "
                                 "SCHED_DEADLINE, not %s",
                                 scheduler->policy);
        attr.sched_nice = scheduler->has_nice ? scheduler->nice : 0;
        attr.sched_priority = realtime ? (uint32_t) scheduler->priority : 0;
        attr.sched_runtime = scheduler->runtime;
        attr.sched_deadline = scheduler->deadline;
        attr.sched_period = scheduler->period;
        *ret = attr;
        return 1;
}

int process_apply_scheduler(const ocispec_process *process, ocirun_error **error)
{
        struct process_sched_attr attr;
        int r = scheduler_attr(process, &attr, error);
        if (r <= 0)
                return r;

        /* glibc has no wrapper for sched_setattr. */
        if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0)
                return 0;
        int saved_errno = errno;
        const char *reason = "";
        if (saved_errno == EINVAL && attr.sched_policy == PROCESS_SCHED_ISO)
                reason = " (SCHED_ISO is not implemented by Linux)";
        else if (saved_errno == EINVAL && attr.sched_policy == SCHED_DEADLINE)
                reason = " (SCHED_DEADLINE needs 1024 <= runtime <= deadline <= period, in "
                         "nanoseconds)";
        else if (saved_errno == EBUSY && attr.sched_policy == SCHED_DEADLINE)
                reason = " (the deadline scheduler's admission control refused the bandwidth)";
        else if (saved_errno == EPERM && attr.sched_policy == SCHED_DEADLINE)
                reason = " (SCHED_DEADLINE needs CAP_SYS_NICE and a process allowed on every CPU "
                         "of its root domain: no cpuset or affinity restriction)";
        else if (saved_errno == EPERM &&
                 (attr.sched_policy == SCHED_FIFO || attr.sched_policy == SCHED_RR))
                reason = " (real-time policies need CAP_SYS_NICE, and with real-time group "
                         "scheduling a cpu.rt_runtime_us for the container's cgroup)";
        return error_set(error, saved_errno, "process.scheduler: sched_setattr %s: %s%s",
                         process->scheduler->policy, strerror(saved_errno), reason);
}

/* ---- ioPriority ---------------------------------------------------------- */

static int io_priority_value(const ocispec_process *process, int *ret, ocirun_error **error)
{
        const ocispec_process_io_priority *io = process ? process->io_priority : NULL;
        int class;

        if (!io)
                return 0;
        if (io->class && strcmp(io->class, "IOPRIO_CLASS_RT") == 0)
                class = IOPRIO_CLASS_RT;
        else if (io->class && strcmp(io->class, "IOPRIO_CLASS_BE") == 0)
                class = IOPRIO_CLASS_BE;
        else if (io->class && strcmp(io->class, "IOPRIO_CLASS_IDLE") == 0)
                class = IOPRIO_CLASS_IDLE;
        else {
                _cleanup_free_ char *quoted = str_quote(io->class ? io->class : "", QUOTE_MAX);
                return error_set(error, EINVAL, "process.ioPriority.class: unknown class %s",
                                 quoted ? quoted : "?");
        }
        /* An absent priority is 0, as Go's zero value makes it in runc. */
        int32_t priority = io->has_priority ? io->priority : 0;
        if (priority < 0 || priority > 7)
                return error_set(error, EINVAL,
                                 "process.ioPriority.priority: %" PRId32 " is out of range 0..7",
                                 priority);
        *ret = IOPRIO_PRIO_VALUE(class, priority);
        return 1;
}

int process_apply_io_priority(const ocispec_process *process, ocirun_error **error)
{
        int value;
        int r = io_priority_value(process, &value, error);
        if (r <= 0)
                return r;

        /* glibc has no wrapper for ioprio_set. */
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) == 0)
                return 0;
        return error_set_errno(error, errno, "process.ioPriority: ioprio_set %s %d",
                               process->io_priority->class, (int) IOPRIO_PRIO_DATA(value));
}

/* ---- personality --------------------------------------------------------- */

static int personality_value(const ocispec_personality *config, unsigned long *ret,
                             ocirun_error **error)
{
        if (!config)
                return 0;
        if (!config->domain || strcmp(config->domain, "LINUX") == 0)
                *ret = PER_LINUX;
        else if (strcmp(config->domain, "LINUX32") == 0)
                *ret = PER_LINUX32;
        else {
                _cleanup_free_ char *quoted = str_quote(config->domain, QUOTE_MAX);
                return error_set(error, EINVAL, "linux.personality.domain: unknown domain %s",
                                 quoted ? quoted : "?");
        }
        /* The runtime spec defines no flag yet, so every name is unknown;
         * applying the kernel's own flags (ADDR_NO_RANDOMIZE...) under names
         * the spec never chose would make configs that only ocirun reads. */
        if (config->flags_len > 0) {
                _cleanup_free_ char *quoted =
                    str_quote(config->flags[0] ? config->flags[0] : "", QUOTE_MAX);
                return error_set(error, EINVAL,
                                 "linux.personality.flags[0]: unknown flag %s (the runtime spec "
                                 "defines none)",
                                 quoted ? quoted : "?");
        }
        return 1;
}

/* The parameter is not called personality: that would hide personality(2). */
int process_apply_personality(const ocispec_personality *config, ocirun_error **error)
{
        unsigned long persona;
        int r = personality_value(config, &persona, error);
        if (r <= 0)
                return r;
        if (personality(persona) < 0)
                return error_set_errno(error, errno, "linux.personality: personality %s",
                                       config->domain ? config->domain : "LINUX");
        return 0;
}

/* ---- execCPUAffinity ------------------------------------------------------ */

static const char *skip_spaces(const char *p)
{
        while (*p == ' ')
                p++;
        return p;
}

/* Reads a CPU number at *p, advancing it; -1 when there is none or it is too
 * large. */
static long parse_cpu_number(const char **p)
{
        long value = 0;

        if (!isdigit((unsigned char) **p))
                return -1;
        for (; isdigit((unsigned char) **p); (*p)++) {
                value = value * 10 + (**p - '0');
                if (value >= CPU_LIST_MAX_CPUS)
                        return -1;
        }
        return value;
}

/* A CPU list, "0-3,7" with spaces allowed around the numbers (the schema's
 * pattern ^[0-9, -]*$), as a CPU set CPU_LIST_MAX_CPUS wide. An empty or
 * blank list sets *ret to NULL: the field is as good as absent. */
static int cpu_list_parse(const char *list, const char *field, cpu_set_t **ret,
                          ocirun_error **error)
{
        size_t size = CPU_ALLOC_SIZE(CPU_LIST_MAX_CPUS);
        _cleanup_free_ cpu_set_t *set = NULL;
        const char *p = skip_spaces(list);

        *ret = NULL;
        if (!*p)
                return 0;
        set = CPU_ALLOC(CPU_LIST_MAX_CPUS);
        if (!set)
                return error_set(error, ENOMEM, "process.execCPUAffinity.%s: out of memory", field);
        CPU_ZERO_S(size, set);
        for (;;) {
                long first = parse_cpu_number(&p), last;
                p = skip_spaces(p);
                if (first >= 0 && *p == '-') {
                        p = skip_spaces(p + 1);
                        last = parse_cpu_number(&p);
                        p = skip_spaces(p);
                } else {
                        last = first;
                }
                if (first < 0 || last < first || (*p && *p != ',')) {
                        _cleanup_free_ char *quoted = str_quote(list, QUOTE_MAX);
                        return error_set(error, EINVAL,
                                         "process.execCPUAffinity.%s: %s is not a list of CPUs "
                                         "below %d like \"0-3,7\"",
                                         field, quoted ? quoted : "?", CPU_LIST_MAX_CPUS);
                }
                for (long cpu = first; cpu <= last; cpu++)
                        CPU_SET_S((size_t) cpu, size, set);
                if (!*p)
                        break;
                p = skip_spaces(p + 1);
        }
        *ret = steal_pointer(&set);
        return 0;
}

static int cpu_affinity_check(const ocispec_process *process, ocirun_error **error)
{
        const ocispec_process_exec_cpu_affinity *affinity =
            process ? process->exec_cpu_affinity : NULL;
        _cleanup_free_ cpu_set_t *initial = NULL;
        _cleanup_free_ cpu_set_t *final = NULL;
        int r;

        if (!affinity)
                return 0;
        if (affinity->initial &&
            (r = cpu_list_parse(affinity->initial, "initial", &initial, error)) < 0)
                return r;
        if (affinity->final && (r = cpu_list_parse(affinity->final, "final", &final, error)) < 0)
                return r;
        return 0;
}

int process_apply_cpu_affinity(const ocispec_process *process, bool final, ocirun_error **error)
{
        const ocispec_process_exec_cpu_affinity *affinity =
            process ? process->exec_cpu_affinity : NULL;
        const char *field = final ? "final" : "initial";
        _cleanup_free_ cpu_set_t *set = NULL;
        int r;

        if (!affinity)
                return 0;
        const char *list = final ? affinity->final : affinity->initial;
        if (!list)
                return 0;
        r = cpu_list_parse(list, field, &set, error);
        if (r < 0 || !set)
                return r;
        if (sched_setaffinity(0, CPU_ALLOC_SIZE(CPU_LIST_MAX_CPUS), set) == 0)
                return 0;
        int saved_errno = errno;
        _cleanup_free_ char *quoted = str_quote(list, QUOTE_MAX);
        return error_set(error, saved_errno,
                         "process.execCPUAffinity.%s: sched_setaffinity %s: %s%s", field,
                         quoted ? quoted : "?", strerror(saved_errno),
                         saved_errno == EINVAL ? " (none of these CPUs is online and allowed by "
                                                 "the container's cpuset)"
                                               : "");
}

/* ---- user ----------------------------------------------------------------- */

/* Whether /proc/self/setgroups says "deny": a user namespace set up by an
 * unprivileged user, where setgroups(2) always fails. */
static bool setgroups_denied(void)
{
        char buf[16] = "";
        _cleanup_close_ int fd = proc_self_open("setgroups", O_RDONLY, NULL);

        return fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strncmp(buf, "deny", 4) == 0;
}

static int set_groups(const ocispec_process_user *user, ocirun_error **error)
{
        size_t count = user ? user->additional_gids_len : 0;
        _cleanup_free_ gid_t *gids = NULL;

        if (count > 0) {
                gids = calloc(count, sizeof(*gids));
                if (!gids)
                        return error_set(error, ENOMEM,
                                         "process.user.additionalGids: out of memory");
                for (size_t i = 0; i < count; i++)
                        gids[i] = user->additional_gids[i];
        }
        if (setgroups(count, gids) == 0)
                return 0;
        int saved_errno = errno;
        /* With no groups asked for, a process that may not call setgroups
         * keeps the ones it has: there is nothing else it could do, and runc
         * makes the same exception. */
        if (saved_errno == EPERM && count == 0 && setgroups_denied())
                return 0;
        return error_set(
            error, saved_errno, "process.user.additionalGids: setgroups (%zu groups): %s%s", count,
            strerror(saved_errno),
            saved_errno == EPERM && setgroups_denied()
                ? " (the user namespace was set up with setgroups denied)"
            : saved_errno == EINVAL ? " (a group is not mapped in the container's user namespace)"
                                    : "");
}

static int umask_check(const ocispec_process *process, ocirun_error **error)
{
        const ocispec_process_user *user = process ? process->user : NULL;

        if (user && user->has_umask && user->umask > 0777)
                return error_set(error, EINVAL,
                                 "process.user.umask: %#o is not a file mode mask (0..0777)",
                                 user->umask);
        return 0;
}

/* Done directly rather than with capng_change_id: that takes the groups only
 * from initgroups(), an NSS lookup in the container's /etc that ocirun must
 * not do and that cannot express additionalGids, and it applies libcap-ng's
 * idea of the capability sets and clears PR_SET_KEEPCAPS itself, which is
 * caps_apply's job here. */
int process_switch_user(const ocispec_process *process, ocirun_error **error)
{
        const ocispec_process_user *user = process ? process->user : NULL;
        uid_t uid = user && user->has_uid ? user->uid : 0;
        gid_t gid = user && user->has_gid ? user->gid : 0;
        int r;

        r = umask_check(process, error);
        if (r < 0)
                return r;
        /* Groups first: setgroups needs CAP_SETGID, which the uid change
         * takes out of the effective set. */
        r = set_groups(user, error);
        if (r < 0)
                return r;
        /* Without it, leaving uid 0 empties the permitted set, and caps_apply
         * could not hand any capability on. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return error_set_errno(error, errno, "process.user: prctl(PR_SET_KEEPCAPS, 1)");
        if (setresgid(gid, gid, gid) < 0) {
                int saved_errno = errno;
                return error_set(error, saved_errno, "process.user.gid: setresgid %u: %s%s",
                                 (unsigned) gid, strerror(saved_errno),
                                 saved_errno == EINVAL
                                     ? " (the gid is not mapped in the container's user namespace)"
                                     : "");
        }
        if (setresuid(uid, uid, uid) < 0) {
                int saved_errno = errno;
                return error_set(error, saved_errno, "process.user.uid: setresuid %u: %s%s",
                                 (unsigned) uid, strerror(saved_errno),
                                 saved_errno == EINVAL
                                     ? " (the uid is not mapped in the container's user namespace)"
                                     : "");
        }
        /* Unset means unchanged: the runtime spec leaves the caller's umask. */
        if (user && user->has_umask)
                umask((mode_t) user->umask);
        return 0;
}

/* ---- no_new_privs --------------------------------------------------------- */

int process_apply_no_new_privileges(const ocispec_process *process, ocirun_error **error)
{
        if (!process || !process->has_no_new_privileges || !process->no_new_privileges)
                return 0;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return error_set_errno(error, errno,
                                       "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
        return 0;
}

/* ---- cwd -------------------------------------------------------------------- */

static int cwd_check(const ocispec_process *process, ocirun_error **error)
{
        const char *cwd = process ? process->cwd : NULL;

        if (!cwd || cwd[0] != '/') {
                _cleanup_free_ char *quoted = str_quote(cwd ? cwd : "", QUOTE_MAX);
                return error_set(error, EINVAL, "process.cwd: %s is not an absolute path",
                                 quoted ? quoted : "?");
        }
        return 0;
}

/* chdir resolves cwd from the process's root, and `..` stops there, so the
 * only ways out are a magic link (/proc/self/fd/N of a directory fd leaked
 * from the host, CVE-2024-21626) or a directory moved out from under a
 * bind mount. The kernel already answers "is this directory below my root"
 * when it builds the getcwd(2) string: one it cannot reach from the root
 * comes back prefixed with "(unreachable)". That single check is the one
 * runc added for the CVE; comparing st_dev/st_ino while walking `..` up to
 * `/` would ask the same question with many more system calls. The raw
 * system call is used because glibc's getcwd() turns that answer into
 * ENOENT, losing the path the message shows. */
static int cwd_verify(const ocispec_process *process, ocirun_error **error)
{
        char cwd[PATH_MAX + 1];
        long len = syscall(SYS_getcwd, cwd, sizeof(cwd) - 1);
        if (len < 0) {
                int saved_errno = errno;
                _cleanup_free_ char *quoted = str_quote(process->cwd, PATH_MAX);
                return error_set_errno(error, saved_errno, "process.cwd: getcwd after chdir %s",
                                       quoted ? quoted : "?");
        }
        cwd[len] = '\0';
        if (cwd[0] != '/') {
                _cleanup_free_ char *quoted = str_quote(process->cwd, PATH_MAX);
                _cleanup_free_ char *where = str_quote(cwd, PATH_MAX);
                return error_set(error, EPERM,
                                 "process.cwd: %s leads to %s, outside the container's root "
                                 "(CVE-2024-21626)",
                                 quoted ? quoted : "?", where ? where : "?");
        }
        return 0;
}

/* chdir, or -errno with nothing set when denied_is_not_an_error and chdir
 * was refused for lack of permission. */
static int enter_cwd(const ocispec_process *process, bool denied_is_not_an_error,
                     ocirun_error **error)
{
        int r = cwd_check(process, error);
        if (r < 0)
                return r;
        if (chdir(process->cwd) < 0) {
                int saved_errno = errno;
                if (denied_is_not_an_error && (saved_errno == EACCES || saved_errno == EPERM))
                        return -saved_errno;
                _cleanup_free_ char *quoted = str_quote(process->cwd, PATH_MAX);
                return error_set_errno(error, saved_errno, "process.cwd: chdir %s",
                                       quoted ? quoted : "?");
        }
        return cwd_verify(process, error);
}

int process_chdir(const ocispec_process *process, ocirun_error **error)
{
        return enter_cwd(process, false, error);
}

/* ---- the executable --------------------------------------------------------- */

/* 0 when path is a regular file execve could run, or the errno execve would
 * fail with: ENOENT, EACCES for a directory or a file without an x bit for
 * us (or on a noexec mount: faccessat checks that too). */
static int check_executable(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        /* AT_EACCESS: execve judges by the effective ids. */
        if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
                return -errno;
        return 0;
}

/* Engines choose the exit status of a failed start (127 or 126) by finding
 * Go's errno text, "no such file or directory" or "permission denied", in
 * the runtime's message (Docker, podman, CRI-O all do), so a failed exec is
 * told in those words: strerror's, lowercase. */
static int exec_error(ocirun_error **error, int errnum, const char *quoted)
{
        char text[128];
        snprintf(text, sizeof(text), "%s", strerror(errnum));
        text[0] = (char) tolower((unsigned char) text[0]);
        return error_set(error, errnum, "exec %s: %s", quoted, text);
}

static const char *env_path(const ocispec_process *process)
{
        /* The first PATH= is the one getenv() in the new program sees. */
        for (size_t i = 0; process->env && i < process->env_len && process->env[i]; i++)
                if (strncmp(process->env[i], "PATH=", 5) == 0)
                        return process->env[i] + 5;
        return DEFAULT_PATH;
}

static int args_check(const ocispec_process *process, ocirun_error **error)
{
        if (!process || !process->args || process->args_len == 0 || !process->args[0])
                return error_set(error, EINVAL, "process.args: no program to run");
        return 0;
}

int process_find_executable(const ocispec_process *process, char **ret_path, ocirun_error **error)
{
        int r = args_check(process, error);
        if (r < 0)
                return r;

        const char *name = process->args[0];
        _cleanup_free_ char *quoted = str_quote(name, PATH_MAX);
        if (!quoted)
                return error_set(error, ENOMEM, "exec: out of memory");

        /* A name with a slash is a path, as for execvp: no search. */
        if (strchr(name, '/')) {
                r = check_executable(name);
                if (r < 0)
                        return exec_error(error, -r, quoted);
                char *path = strdup(name);
                if (!path)
                        return error_set(error, ENOMEM, "exec %s: out of memory", quoted);
                *ret_path = path;
                return 0;
        }

        if (*name) {
                const char *p = env_path(process);
                for (;;) {
                        const char *end = strchrnul(p, ':');
                        int dir_len = (int) (end - p);
                        _cleanup_free_ char *candidate = NULL;

                        /* An empty entry is the current directory, as for execvp. */
                        if (asprintf(&candidate, "%.*s%s%s", dir_len, p, dir_len ? "/" : "", name) <
                            0)
                                return error_set(error, ENOMEM, "exec %s: out of memory", quoted);
                        if (strlen(candidate) < PATH_MAX && check_executable(candidate) == 0) {
                                *ret_path = steal_pointer(&candidate);
                                return 0;
                        }
                        if (!*end)
                                break;
                        p = end + 1;
                }
        }
        return error_set(error, ENOENT, "exec %s: executable file not found in $PATH", quoted);
}

int process_exec(const ocispec_process *process, const char *path, ocirun_error **error)
{
        char *empty_env[] = {NULL};
        int r = args_check(process, error);
        if (r < 0)
                return r;

        execve(path, process->args, process->env ? process->env : empty_env);
        int saved_errno = errno;
        _cleanup_free_ char *quoted = str_quote(path, PATH_MAX);
        return exec_error(error, saved_errno, quoted ? quoted : "?");
}

/* ---- validation ---------------------------------------------------------------- */

/* 4294967295 is (uid_t) -1, which setresuid and setresgid read as "leave
 * unchanged": a process asking for it would silently stay root. */
static int ids_check(const ocispec_process *process, ocirun_error **error)
{
        const ocispec_process_user *user = process->user;
        if (!user)
                return 0;
        if (user->has_uid && user->uid == UINT32_MAX)
                return error_set(error, EINVAL, "process.user.uid: 4294967295 is not a valid uid");
        if (user->has_gid && user->gid == UINT32_MAX)
                return error_set(error, EINVAL, "process.user.gid: 4294967295 is not a valid gid");
        for (size_t i = 0; i < user->additional_gids_len; i++)
                if (user->additional_gids[i] == UINT32_MAX)
                        return error_set(error, EINVAL,
                                         "process.user.additionalGids[%zu]: 4294967295 is not a "
                                         "valid gid",
                                         i);
        return 0;
}

int process_validate(const ocispec_process *process, ocirun_error **error)
{
        struct process_sched_attr attr;
        int io_value;
        int r;

        if ((r = args_check(process, error)) < 0 || (r = cwd_check(process, error)) < 0 ||
            (r = ids_check(process, error)) < 0 || (r = umask_check(process, error)) < 0 ||
            (r = oom_score_adj_check(process, error)) < 0 ||
            (r = rlimits_check(process, error)) < 0 ||
            (r = scheduler_attr(process, &attr, error)) < 0 ||
            (r = io_priority_value(process, &io_value, error)) < 0 ||
            (r = cpu_affinity_check(process, error)) < 0)
                return r;
        return 0;
}

int process_validate_personality(const ocispec_personality *config, ocirun_error **error)
{
        unsigned long persona;
        int r = personality_value(config, &persona, error);
        return r < 0 ? r : 0;
}

int process_prepare(const ocispec_process *process, const ocispec_personality *personality,
                    const ocispec_linux_seccomp *seccomp, int seccomp_handoff_fd,
                    char **ret_executable, ocirun_error **error)
{
        int r = process_apply_oom_score_adj(process, error);
        if (r == 0)
                r = process_apply_rlimits(process, error);
        if (r == 0)
                r = process_apply_scheduler(process, error);
        if (r == 0)
                r = process_apply_io_priority(process, error);
        if (r == 0 && personality)
                r = process_apply_personality(personality, error);
        if (r == 0)
                r = process_apply_cpu_affinity(process, false, error);
        /* The cwd is entered while still root, as runc does, so that a
         * directory the process's user may not search (a 0700 volume of
         * the runtime's) still works as its cwd; where root is refused
         * (root squashed on NFS, a directory only that user may enter) it
         * is tried again as the user. */
        bool cwd_entered = false;
        if (r == 0) {
                r = enter_cwd(process, true, error);
                cwd_entered = r == 0;
                if (r == -EACCES || r == -EPERM)
                        r = 0;
        }
        if (r == 0)
                r = seccomp_install(seccomp, process->no_new_privileges, false, seccomp_handoff_fd,
                                    error);
        if (r == 0)
                r = process_switch_user(process, error);
        if (r == 0)
                r = caps_apply(process->capabilities, error);
        if (r == 0)
                r = process_apply_no_new_privileges(process, error);
        if (r == 0 && !cwd_entered)
                r = process_chdir(process, error);
        if (r == 0)
                r = process_find_executable(process, ret_executable, error);
        return r;
}

/* The home directory of uid in the container's /etc/passwd, read directly:
 * no NSS module of the host (or of the image) is loaded into ocirun. */
static char *passwd_home(uid_t uid)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        while (f && getline(&line, &size, f) > 0) {
                /* name:password:uid:gid:gecos:home:shell */
                char *fields[7] = {0};
                char *p = line;
                size_t n = 0;
                for (; n < 7 && p; n++) {
                        fields[n] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                if (n < 6 || !fields[2] || !*fields[2])
                        continue;
                char *end;
                unsigned long entry_uid = strtoul(fields[2], &end, 10);
                if (*end != '\0' || entry_uid != uid)
                        continue;
                fields[5][strcspn(fields[5], "\n")] = '\0';
                return *fields[5] ? strdup(fields[5]) : NULL;
        }
        return NULL;
}

static bool env_has(const ocispec_process *process, const char *name)
{
        size_t len = strlen(name);
        for (size_t i = 0; i < process->env_len; i++)
                if (strncmp(process->env[i], name, len) == 0 && process->env[i][len] == '=')
                        return true;
        return false;
}

int process_env_set(ocispec_process *process, const char *assignment)
{
        size_t key_len = strcspn(assignment, "=");
        char *copy = strdup(assignment); /* first: nothing can fail mid-edit */
        if (!copy)
                return -ENOMEM;
        bool replaced = false;
        size_t kept = 0;
        for (size_t i = 0; i < process->env_len; i++) {
                char *entry = process->env[i];
                if (strncmp(entry, assignment, key_len) != 0 || entry[key_len] != '=') {
                        process->env[kept++] = entry;
                        continue;
                }
                free(entry);
                if (!replaced)
                        process->env[kept++] = copy;
                replaced = true;
        }
        process->env_len = kept;
        if (process->env)
                process->env[kept] = NULL;
        if (replaced)
                return 0;
        free(copy);
        return ocispec_strv_append(&process->env, &process->env_len, assignment);
}

int process_add_default_env(ocispec_process *process, int listen_fds, ocirun_error **error)
{
        if (!env_has(process, "HOME")) {
                uid_t uid = process->user && process->user->has_uid ? process->user->uid : 0;
                _cleanup_free_ char *home = passwd_home(uid);
                _cleanup_free_ char *assignment = NULL;
                if (asprintf(&assignment, "HOME=%s", home ? home : "/") < 0 ||
                    ocispec_strv_append(&process->env, &process->env_len, assignment) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        if (listen_fds > 0) {
                char count[32];
                snprintf(count, sizeof(count), "LISTEN_FDS=%d", listen_fds);
                if (ocispec_strv_append(&process->env, &process->env_len, count) < 0 ||
                    ocispec_strv_append(&process->env, &process->env_len, "LISTEN_PID=1") < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        return 0;
}
