/* linux.seccomp through libseccomp; see seccomp_filter.h for the semantics. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "seccomp_filter.h"
#include "sync.h"
#include "util/strings.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

/* ---- the tables ------------------------------------------------------------ */

/* Spec architecture names and libseccomp's names for them. */
static const struct {
        const char *spec_name;
        const char *libseccomp_name;
} archs[] = {
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
    {"SCMP_ARCH_M68K", "m68k"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_SH", "sh"},
    {"SCMP_ARCH_SHEB", "sheb"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
};

typedef enum action_kind {
        ACTION_ALLOW,
        ACTION_ERRNO,
        ACTION_KILL_THREAD,
        ACTION_KILL_PROCESS,
        ACTION_TRACE,
        ACTION_TRAP,
        ACTION_LOG,
        ACTION_NOTIFY,
} action_kind;

/* Each action with the libseccomp API level that first carries it
 * (seccomp_api_get(3)): older kernels or libraries lack the newer ones. */
static const struct {
        const char *name;
        action_kind kind;
        unsigned api_level;
} actions[] = {
    {"SCMP_ACT_ALLOW", ACTION_ALLOW, 1},
    {"SCMP_ACT_ERRNO", ACTION_ERRNO, 1},
    {"SCMP_ACT_KILL", ACTION_KILL_THREAD, 1},
    {"SCMP_ACT_KILL_THREAD", ACTION_KILL_THREAD, 1},
    {"SCMP_ACT_TRACE", ACTION_TRACE, 1},
    {"SCMP_ACT_TRAP", ACTION_TRAP, 1},
    {"SCMP_ACT_KILL_PROCESS", ACTION_KILL_PROCESS, 3},
    {"SCMP_ACT_LOG", ACTION_LOG, 3},
    {"SCMP_ACT_NOTIFY", ACTION_NOTIFY, 5},
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Each flag and the libseccomp attribute that sets it; -1 where this
 * libseccomp has none (WAIT_KILLABLE_RECV came with 2.6). */
static const struct {
        const char *name;
        unsigned long flag;
        int attribute;
} flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB},
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
     SCMP_FLTATR_CTL_WAITKILL},
#else
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, -1},
#endif
};

const char *seccomp_action_name(size_t index, unsigned *ret_api_level)
{
        if (index >= ARRAY_SIZE(actions))
                return NULL;
        *ret_api_level = actions[index].api_level;
        return actions[index].name;
}

const char *seccomp_operator_name(size_t index)
{
        return index < ARRAY_SIZE(operators) ? operators[index].name : NULL;
}

const char *seccomp_arch_name(size_t index, const char **ret_libseccomp_name)
{
        if (index >= ARRAY_SIZE(archs))
                return NULL;
        *ret_libseccomp_name = archs[index].libseccomp_name;
        return archs[index].spec_name;
}

const char *seccomp_flag_name(size_t index, unsigned long *ret_flag, bool *ret_usable)
{
        if (index >= ARRAY_SIZE(flags))
                return NULL;
        *ret_flag = flags[index].flag;
        *ret_usable = flags[index].attribute >= 0;
        return flags[index].name;
}

static int action_lookup(const char *name, action_kind *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
                if (strcmp(actions[i].name, name) == 0) {
                        if ((unsigned) seccomp_api_get() < actions[i].api_level)
                                return -ENOTSUP;
                        *ret = actions[i].kind;
                        return 0;
                }
        return -EINVAL;
}

static int operator_lookup(const char *name, enum scmp_compare *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(operators); i++)
                if (strcmp(operators[i].name, name) == 0) {
                        *ret = operators[i].op;
                        return 0;
                }
        return -EINVAL;
}

static uint32_t arch_token(const char *spec_name)
{
        for (size_t i = 0; i < ARRAY_SIZE(archs); i++)
                if (strcmp(archs[i].spec_name, spec_name) == 0)
                        return seccomp_arch_resolve_name(archs[i].libseccomp_name);
        return 0;
}

static unsigned long flag_value(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                if (strcmp(flags[i].name, name) == 0)
                        return flags[i].flag;
        return 0;
}

static int flag_attribute(const char *name, int *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                if (strcmp(flags[i].name, name) == 0) {
                        *ret = flags[i].attribute;
                        return 0;
                }
        return -EINVAL;
}

/* ---- validation --------------------------------------------------------------- */

static int bad_value(ocirun_error **error, const char *file, const char *field, const char *what,
                     const char *value)
{
        _cleanup_free_ char *quoted = str_quote(value ? value : "", 128);
        return error_set(error, EINVAL, "%s: linux.seccomp.%s: %s %s", file, field, what,
                         quoted ? quoted : "");
}

static int validate_action(const char *name, bool has_errno_ret, const char *file,
                           const char *field, action_kind *ret, ocirun_error **error)
{
        int r = action_lookup(name ? name : "", ret);
        if (r == -ENOTSUP)
                return error_set(error, ENOTSUP,
                                 "%s: linux.seccomp.%s: %s needs a newer libseccomp or kernel "
                                 "(API level %d here)",
                                 file, field, name, seccomp_api_get());
        if (r < 0)
                return bad_value(error, file, field, "unknown action", name);
        if (has_errno_ret && *ret != ACTION_ERRNO && *ret != ACTION_TRACE)
                return error_set(error, EINVAL,
                                 "%s: linux.seccomp.%s: an errno return value needs "
                                 "SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                                 file, field, name);
        return 0;
}

/* The handoff of the notify fd (seccomp_install) is one sendmsg: were it
 * notified, it would wait for a listener that can only get the fd from it. */
static int validate_notify_rule(const ocispec_linux_seccomp *seccomp, size_t index,
                                const char *file, ocirun_error **error)
{
        const ocispec_syscall *call = &seccomp->syscalls[index];
        for (size_t j = 0; j < call->names_len; j++)
                if (strcmp(call->names[j], "sendmsg") == 0)
                        return error_set(error, EINVAL,
                                         "%s: linux.seccomp.syscalls[%zu].names[%zu]: "
                                         "SCMP_ACT_NOTIFY cannot apply to sendmsg: ocirun hands "
                                         "the listener its fd with it",
                                         file, index, j);
        if (!seccomp->listener_path || !*seccomp->listener_path)
                return error_set(error, EINVAL,
                                 "%s: linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY "
                                 "(syscalls[%zu])",
                                 file, index);
        return 0;
}

static int validate_listener(const ocispec_linux_seccomp *seccomp, const char *file,
                             ocirun_error **error)
{
        struct sockaddr_un address;
        const char *path = seccomp->listener_path;
        /* Empty is unset, as in runc (Go cannot tell the two apart). */
        if (path && !*path)
                path = NULL;
        if (!path)
                return seccomp->listener_metadata
                           ? error_set(error, EINVAL,
                                       "%s: linux.seccomp.listenerMetadata: needs listenerPath",
                                       file)
                           : 0;
        if (path[0] != '/')
                return bad_value(error, file, "listenerPath", "must be an absolute path, not",
                                 path);
        if (strlen(path) >= sizeof(address.sun_path))
                return error_set(error, ENAMETOOLONG,
                                 "%s: linux.seccomp.listenerPath: longer than a unix socket "
                                 "path can be (%zu bytes)",
                                 file, sizeof(address.sun_path) - 1);
        return 0;
}

bool seccomp_has_notify(const ocispec_linux_seccomp *seccomp)
{
        action_kind kind;
        for (size_t i = 0; seccomp && i < seccomp->syscalls_len; i++)
                if (seccomp->syscalls[i].action &&
                    action_lookup(seccomp->syscalls[i].action, &kind) == 0 && kind == ACTION_NOTIFY)
                        return true;
        return false;
}

int seccomp_validate(const ocispec_linux_seccomp *seccomp, const char *file, ocirun_error **error)
{
        char field[96];
        action_kind kind;

        if (!seccomp)
                return 0;
        if (!seccomp->default_action)
                return error_set(error, EINVAL, "%s: linux.seccomp.defaultAction: required", file);
        int r = validate_action(seccomp->default_action, seccomp->has_default_errno_ret, file,
                                "defaultAction", &kind, error);
        if (r < 0)
                return r;
        if (kind == ACTION_NOTIFY)
                return error_set(error, EINVAL,
                                 "%s: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
                                 "default action: the runtime's own syscalls would wait for a "
                                 "listener that has no fd yet",
                                 file);
        r = validate_listener(seccomp, file, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < seccomp->architectures_len; i++) {
                snprintf(field, sizeof(field), "architectures[%zu]", i);
                /* The schema knows the names; libseccomp may not. */
                if (arch_token(seccomp->architectures[i]) == 0)
                        return error_set(error, ENOTSUP,
                                         "%s: linux.seccomp.%s: %s is not supported by "
                                         "libseccomp %u.%u",
                                         file, field, seccomp->architectures[i], SCMP_VER_MAJOR,
                                         SCMP_VER_MINOR);
        }
        for (size_t i = 0; i < seccomp->flags_len; i++) {
                int attribute;
                snprintf(field, sizeof(field), "flags[%zu]", i);
                if (flag_attribute(seccomp->flags[i], &attribute) < 0)
                        return bad_value(error, file, field, "unknown flag", seccomp->flags[i]);
                if (attribute < 0)
                        return error_set(error, ENOTSUP,
                                         "%s: linux.seccomp.%s: %s needs libseccomp 2.6 (this "
                                         "build has %u.%u)",
                                         file, field, seccomp->flags[i], SCMP_VER_MAJOR,
                                         SCMP_VER_MINOR);
        }
        for (size_t i = 0; i < seccomp->syscalls_len; i++) {
                const ocispec_syscall *call = &seccomp->syscalls[i];
                snprintf(field, sizeof(field), "syscalls[%zu].action", i);
                r = validate_action(call->action, call->has_errno_ret, file, field, &kind, error);
                if (r == 0 && kind == ACTION_NOTIFY)
                        r = validate_notify_rule(seccomp, i, file, error);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < call->args_len; j++) {
                        const ocispec_syscall_arg *arg = &call->args[j];
                        enum scmp_compare op;
                        snprintf(field, sizeof(field), "syscalls[%zu].args[%zu]", i, j);
                        if (operator_lookup(arg->op ? arg->op : "", &op) < 0)
                                return bad_value(error, file, field, "unknown operator", arg->op);
                        if (arg->index > 5)
                                return error_set(error, EINVAL,
                                                 "%s: linux.seccomp.%s.index: %u is not an "
                                                 "argument index (0 to 5)",
                                                 file, field, arg->index);
                }
        }
        return 0;
}

/* ---- building and loading ------------------------------------------------------ */

static uint32_t action_value(action_kind kind, bool has_errno_ret, uint32_t errno_ret)
{
        uint16_t ret = has_errno_ret ? (uint16_t) errno_ret : EPERM;
        switch (kind) {
        case ACTION_ALLOW:
                return SCMP_ACT_ALLOW;
        case ACTION_ERRNO:
                return SCMP_ACT_ERRNO(ret);
        case ACTION_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case ACTION_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case ACTION_TRACE:
                return SCMP_ACT_TRACE(ret);
        case ACTION_TRAP:
                return SCMP_ACT_TRAP;
        case ACTION_LOG:
                return SCMP_ACT_LOG;
        case ACTION_NOTIFY:
                return SCMP_ACT_NOTIFY;
        default:
                return SCMP_ACT_KILL_PROCESS;
        }
}

static void release_filter(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* Whether two args of the rule compare the same argument: runc then makes
 * one rule per arg, so that they are ORed rather than ANDed (libseccomp
 * refuses two conditions on one argument in a single rule). */
static bool has_repeated_index(const ocispec_syscall *call)
{
        for (size_t i = 0; i < call->args_len; i++)
                for (size_t j = i + 1; j < call->args_len; j++)
                        if (call->args[i].index == call->args[j].index)
                                return true;
        return false;
}

static void to_condition(const ocispec_syscall_arg *arg, struct scmp_arg_cmp *ret)
{
        enum scmp_compare op = SCMP_CMP_EQ;
        operator_lookup(arg->op, &op);
        *ret = (struct scmp_arg_cmp){
            .arg = arg->index, .op = op, .datum_a = arg->value, .datum_b = arg->value_two};
}

static int add_rules(scmp_filter_ctx ctx, const ocispec_syscall *call, size_t index,
                     uint32_t default_action, bool *notify_used, ocirun_error **error)
{
        action_kind kind;
        if (action_lookup(call->action, &kind) < 0)
                return error_set(error, EINVAL, "linux.seccomp.syscalls[%zu]: bad action", index);
        uint32_t action = action_value(kind, call->has_errno_ret, call->errno_ret);
        if (action == default_action)
                return 0; /* libseccomp refuses it, and it changes nothing */

        struct scmp_arg_cmp conditions[6];
        bool one_rule_per_arg = has_repeated_index(call);
        size_t n = one_rule_per_arg ? 0 : call->args_len;
        for (size_t j = 0; j < n; j++)
                to_condition(&call->args[j], &conditions[j]);

        for (size_t i = 0; i < call->names_len; i++) {
                int nr = seccomp_syscall_resolve_name(call->names[i]);
                if (nr == __NR_SCMP_ERROR) {
                        /* Unknown to libseccomp (a newer syscall, a typo):
                         * skipped, as runc does. */
                        ocirun_log(OCIRUN_LOG_DEBUG, "seccomp: unknown syscall `%s` skipped",
                                   call->names[i]);
                        continue;
                }
                int r = 0;
                if (one_rule_per_arg) {
                        for (size_t j = 0; r == 0 && j < call->args_len; j++) {
                                struct scmp_arg_cmp condition;
                                to_condition(&call->args[j], &condition);
                                r = seccomp_rule_add_array(ctx, action, nr, 1, &condition);
                        }
                } else {
                        r = seccomp_rule_add_array(ctx, action, nr, (unsigned) n, conditions);
                }
                if (r < 0)
                        return error_set_errno(error, -r,
                                               "linux.seccomp.syscalls[%zu]: add the rule for "
                                               "`%s`",
                                               index, call->names[i]);
                if (kind == ACTION_NOTIFY)
                        *notify_used = true;
        }
        return 0;
}

static int build_filter(const ocispec_linux_seccomp *seccomp, scmp_filter_ctx *ret,
                        bool *ret_notify_used, ocirun_error **error)
{
        action_kind kind;
        if (action_lookup(seccomp->default_action, &kind) < 0)
                return error_set(error, EINVAL, "linux.seccomp.defaultAction: bad action");
        uint32_t default_action =
            action_value(kind, seccomp->has_default_errno_ret, seccomp->default_errno_ret);
        __attribute__((cleanup(release_filter))) scmp_filter_ctx ctx = seccomp_init(default_action);
        if (!ctx)
                return error_set(error, EINVAL, "linux.seccomp: seccomp_init failed");

        /* no_new_privs is process.noNewPrivileges' business, not the
         * filter's: libseccomp would set it on its own. */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return error_set_errno(error, -r,
                                       "linux.seccomp: clear the no_new_privs attribute");
        for (size_t i = 0; i < seccomp->architectures_len; i++) {
                r = seccomp_arch_add(ctx, arch_token(seccomp->architectures[i]));
                if (r < 0 && r != -EEXIST)
                        return error_set_errno(error, -r, "linux.seccomp.architectures[%zu]: `%s`",
                                               i, seccomp->architectures[i]);
        }
        for (size_t i = 0; i < seccomp->flags_len; i++) {
                int attribute = -1;
                flag_attribute(seccomp->flags[i], &attribute);
                r = attribute < 0 ? -ENOTSUP
                                  : seccomp_attr_set(ctx, (enum scmp_filter_attr) attribute, 1);
                if (r < 0)
                        return error_set_errno(error, -r, "linux.seccomp.flags[%zu]: `%s`", i,
                                               seccomp->flags[i]);
        }
        *ret_notify_used = false;
        for (size_t i = 0; i < seccomp->syscalls_len; i++) {
                r = add_rules(ctx, &seccomp->syscalls[i], i, default_action, ret_notify_used,
                              error);
                if (r < 0)
                        return r;
        }
        *ret = ctx;
        ctx = NULL;
        return 0;
}

/* ---- the -ENOSYS stub ------------------------------------------------------------ */

/* A syscall that the profile does not know, being newer than the profile
 * or its libseccomp, would get the default action, usually EPERM; programs
 * (glibc's clone3 and close_range wrappers, say) fall back to an older call
 * only on ENOSYS, and read EPERM as a real refusal. As runc does, a stub in
 * front of libseccomp's program answers ENOSYS for every syscall numbered
 * above the highest one the profile names, per architecture of
 * linux.seccomp.architectures (none listed: no stub, as in runc). x32 shares
 * x86_64's audit arch and sets bit 30 of the number, so it gets a bound of
 * its own; s390's syscall 0 (setup) is where the kernel leaves numbers too
 * large for the instruction, so it gets ENOSYS too. */

#define X32_SYSCALL_BIT 0x40000000U
#define STUB_MAX_ARCHS ARRAY_SIZE(archs)
/* Per arch: load, two jumps, a return and a jump to the filter, doubled for
 * x86_64 with x32, plus the s390 test; the dispatch takes two per arch. */
#define STUB_MAX_LEN (2 + STUB_MAX_ARCHS * 12)

struct stub_arch {
        uint32_t audit_arch; /* what the kernel puts in seccomp_data.arch */
        uint32_t highest;    /* 0: none of the profile's names is known there */
        uint32_t highest_x32;
        bool s390;
};

static uint32_t highest_syscall(const ocispec_linux_seccomp *seccomp, uint32_t arch)
{
        uint32_t highest = 0;
        for (size_t i = 0; i < seccomp->syscalls_len; i++)
                for (size_t j = 0; j < seccomp->syscalls[i].names_len; j++) {
                        /* Negative: unknown, or a multiplexed pseudo-syscall. */
                        int nr =
                            seccomp_syscall_resolve_name_arch(arch, seccomp->syscalls[i].names[j]);
                        if (nr > 0 && (uint32_t) nr > highest)
                                highest = (uint32_t) nr;
                }
        return highest;
}

static bool wants_enosys_stub(const ocispec_linux_seccomp *seccomp, action_kind default_kind,
                              uint32_t default_action)
{
        /* Allow, log and trace already let an unknown syscall reach the
         * kernel, which answers ENOSYS itself (a tracer handles it). */
        return default_kind != ACTION_ALLOW && default_kind != ACTION_LOG &&
               default_kind != ACTION_TRACE && default_action != SCMP_ACT_ERRNO(ENOSYS) &&
               seccomp->architectures_len > 0;
}

static size_t collect_stub_archs(const ocispec_linux_seccomp *seccomp, struct stub_arch *out)
{
        size_t n = 0;
        for (size_t i = 0; i < seccomp->architectures_len; i++) {
                uint32_t token = arch_token(seccomp->architectures[i]);
                bool x32 = token == SCMP_ARCH_X32;
                uint32_t audit_arch = x32 ? SCMP_ARCH_X86_64 : token;
                uint32_t highest = highest_syscall(seccomp, token);
                size_t k = 0;
                while (k < n && out[k].audit_arch != audit_arch)
                        k++;
                if (k == n) {
                        if (n == STUB_MAX_ARCHS)
                                break;
                        out[n++] = (struct stub_arch){.audit_arch = audit_arch,
                                                      .s390 = token == SCMP_ARCH_S390 ||
                                                              token == SCMP_ARCH_S390X};
                }
                if (x32)
                        out[k].highest_x32 = highest;
                else
                        out[k].highest = highest;
        }
        return n;
}

/* Jumps of classic BPF are relative; a conditional one reaches 255
 * instructions at most, so the conditionals here only hop over their
 * neighbours and every far target is reached with `ja`, patched once the
 * stub's length is known. */
struct stub_builder {
        struct sock_filter insns[STUB_MAX_LEN];
        size_t len;
        size_t to_filter[STUB_MAX_LEN]; /* the `ja`s to the filter's start */
        size_t n_to_filter;
};

static void emit(struct stub_builder *b, struct sock_filter insn)
{
        b->insns[b->len++] = insn;
}

static void emit_to_filter(struct stub_builder *b)
{
        b->to_filter[b->n_to_filter++] = b->len;
        emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0));
}

/* Numbers above HIGHEST get ENOSYS, the others go on to the filter. */
static void emit_bound(struct stub_builder *b, uint32_t highest)
{
        emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, highest, 0, 1));
        emit(b, (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS)));
        emit_to_filter(b);
}

static void emit_section(struct stub_builder *b, const struct stub_arch *arch)
{
        emit(b, (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                              offsetof(struct seccomp_data, nr)));
        if (arch->s390) {
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1));
                emit(b, (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS)));
        }
        if (arch->audit_arch != SCMP_ARCH_X86_64) {
                emit_bound(b, arch->highest);
                return;
        }
        /* x86_64: bit 30 tells x32 calls from native ones; a mode the
         * profile does not list goes to the filter untouched. */
        if (arch->highest && arch->highest_x32) {
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT,
                                                      3, 0));
                emit_bound(b, arch->highest);
                emit_bound(b, arch->highest_x32);
        } else if (arch->highest) {
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT,
                                                      2, 0));
                emit_bound(b, arch->highest);
        } else {
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT,
                                                      0, 2));
                emit_bound(b, arch->highest_x32);
        }
}

/* The stub for the profile, or 0 instructions when it needs none. */
static size_t build_enosys_stub(const ocispec_linux_seccomp *seccomp, struct stub_builder *b)
{
        struct stub_arch found[STUB_MAX_ARCHS], used[STUB_MAX_ARCHS];
        size_t n_found = collect_stub_archs(seccomp, found), n = 0;
        size_t dispatch[STUB_MAX_ARCHS];

        for (size_t i = 0; i < n_found; i++)
                if (found[i].highest || found[i].highest_x32)
                        used[n++] = found[i];
        b->len = b->n_to_filter = 0;
        if (n == 0)
                return 0;
        emit(b, (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                              offsetof(struct seccomp_data, arch)));
        for (size_t i = 0; i < n; i++) {
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, used[i].audit_arch,
                                                      0, 1));
                dispatch[i] = b->len;
                emit(b, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0));
        }
        emit_to_filter(b);
        for (size_t i = 0; i < n; i++) {
                b->insns[dispatch[i]].k = (uint32_t) (b->len - dispatch[i] - 1);
                emit_section(b, &used[i]);
        }
        for (size_t i = 0; i < b->n_to_filter; i++)
                b->insns[b->to_filter[i]].k = (uint32_t) (b->len - b->to_filter[i] - 1);
        return b->len;
}

/* libseccomp's program for the filter, as the kernel takes it. */
static int export_program(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_len,
                          ocirun_error **error)
{
        _cleanup_close_ int fd = memfd_create("ocirun-seccomp", MFD_CLOEXEC);
        struct stat st;
        if (fd < 0)
                return error_set_errno(error, errno, "seccomp: create a memfd for the filter");
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return error_set_errno(error, -r, "seccomp: export the filter");
        if (fstat(fd, &st) < 0)
                return error_set_errno(error, errno, "seccomp: stat the exported filter");
        size_t size = (size_t) st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return error_set(error, EINVAL, "seccomp: the exported filter has %zu bytes", size);
        _cleanup_free_ struct sock_filter *program = malloc(size);
        if (!program)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t done = 0; done < size;) {
                ssize_t n = pread(fd, (char *) program + done, size - done, (off_t) done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return error_set_errno(error, n < 0 ? errno : EIO,
                                               "seccomp: read the exported filter");
                done += (size_t) n;
        }
        *ret = program;
        program = NULL;
        *ret_len = size / sizeof(struct sock_filter);
        return 0;
}

/* The flags libseccomp's seccomp_load would pass, from the config (TSYNC
 * aside: the caller is single-threaded, and the kernel refuses it next to
 * NEW_LISTENER). */
static unsigned long load_flags(const ocispec_linux_seccomp *seccomp, bool notify_used)
{
        unsigned long result = notify_used ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
        for (size_t i = 0; i < seccomp->flags_len; i++) {
                unsigned long flag = flag_value(seccomp->flags[i]);
                if (flag == SECCOMP_FILTER_FLAG_TSYNC ||
                    (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify_used))
                        continue;
                result |= flag;
        }
        return result;
}

/* Loads the stub followed by libseccomp's program; returns the notify fd
 * (or -1) through ret_notify_fd. */
static int load_with_stub(scmp_filter_ctx ctx, const ocispec_linux_seccomp *seccomp,
                          const struct stub_builder *stub, bool notify_used, int *ret_notify_fd,
                          ocirun_error **error)
{
        _cleanup_free_ struct sock_filter *program = NULL;
        size_t program_len = 0;
        int r = export_program(ctx, &program, &program_len, error);
        if (r < 0)
                return r;
        size_t total = stub->len + program_len;
        if (total > BPF_MAXINSNS)
                return error_set(error, E2BIG,
                                 "load the seccomp filter: %zu instructions, more than the "
                                 "kernel's %d",
                                 total, BPF_MAXINSNS);
        _cleanup_free_ struct sock_filter *full = malloc(total * sizeof(*full));
        if (!full)
                return error_set(error, ENOMEM, "out of memory");
        memcpy(full, stub->insns, stub->len * sizeof(*full));
        memcpy(full + stub->len, program, program_len * sizeof(*full));
        struct sock_fprog prog = {.len = (unsigned short) total, .filter = full};
        long fd =
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, load_flags(seccomp, notify_used), &prog);
        if (fd < 0)
                return error_set_errno(error, errno, "load the seccomp filter");
        *ret_notify_fd = notify_used ? (int) fd : -1;
        return 0;
}

/* Passes the filter's notify fd to the parent, which gives it to the
 * listener, and waits until the listener has it: the process must not go
 * on (a notified syscall would wait forever) or exec before that. */
static int hand_off_notify_fd(int handoff_fd, int notify_fd, ocirun_error **error)
{
        int r = sync_send_fd(handoff_fd, SYNC_SECCOMP_FD, notify_fd, error);
        /* The container's processes must never hold their own listener. */
        close(notify_fd);
        if (r < 0)
                return error_prefix(error, "seccomp listener");
        sync_message reply = {.fd = -1};
        r = sync_receive(handoff_fd, &reply, "the runtime", error);
        if (r == 0 && reply.type != SYNC_SECCOMP_DONE)
                r = error_set(error, EPROTO, "seccomp listener: unexpected message %d", reply.type);
        sync_message_clear(&reply);
        return r;
}

int seccomp_install(const ocispec_linux_seccomp *seccomp, bool no_new_privileges, bool late,
                    int handoff_fd, ocirun_error **error)
{
        if (!seccomp || late != no_new_privileges)
                return 0;
        __attribute__((cleanup(release_filter))) scmp_filter_ctx ctx = NULL;
        bool notify_used = false;
        int r = build_filter(seccomp, &ctx, &notify_used, error);
        if (r < 0)
                return r;

        action_kind default_kind = ACTION_KILL_PROCESS;
        action_lookup(seccomp->default_action, &default_kind);
        uint32_t default_action =
            action_value(default_kind, seccomp->has_default_errno_ret, seccomp->default_errno_ret);
        int notify_fd = -1;
        struct stub_builder stub;
        if (wants_enosys_stub(seccomp, default_kind, default_action) &&
            build_enosys_stub(seccomp, &stub) > 0) {
                r = load_with_stub(ctx, seccomp, &stub, notify_used, &notify_fd, error);
                if (r < 0)
                        return r;
        } else {
                r = seccomp_load(ctx);
                if (r < 0)
                        return error_set_errno(error, -r, "load the seccomp filter");
                /* None when every name of the notify rules was unknown
                 * (skipped). */
                notify_fd = notify_used ? seccomp_notify_fd(ctx) : -1;
        }
        if (notify_fd < 0)
                return 0;
        return hand_off_notify_fd(handoff_fd, notify_fd, error);
}
