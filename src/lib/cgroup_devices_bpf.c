/* linux.resources.devices on cgroup v2: compiles the rules into a
 * BPF_CGROUP_DEVICE program, assembled here instruction by instruction from
 * the encoding linux/bpf.h documents (no libbpf), and swaps it in on a cgroup
 * with raw bpf(2) calls. See cgroup_devices_bpf.h for what the rules mean.
 *
 * The program. The kernel calls it with struct bpf_cgroup_dev_ctx in r1 for
 * each access to a block or char device and takes 1 as allow, 0 as deny.
 * The prologue splits access_type into the device type (low 16 bits) and the
 * requested access bits (high 16 bits: BPF_DEVCG_ACC_MKNOD, _READ, _WRITE;
 * one open for read-write asks for both in one call) and loads major and
 * minor when some rule needs them. r3 then holds the requested bits that no
 * rule has decided yet. The rules follow last to first, each as:
 *
 *     if type  != T goto next      ; only for type b or c
 *     if major != M goto next      ; only when major is given
 *     if minor != N goto next      ; only when minor is given
 *   allow:
 *     r3 &= ~ACCESS                ; these bits are allowed: decided
 *     if r3 == 0 goto allow        ; every requested bit is allowed
 *   deny:
 *     if r3 & ACCESS goto deny     ; an undecided bit is denied here
 *
 * and the end is "deny: r0 = 0; exit", then "allow: r0 = 1; exit". Walking
 * back from the last rule, the first rule that names a bit is the last one
 * in the config that does, so it decides that bit, which is the OCI meaning;
 * a bit an allow rule decided is out of r3 and no earlier deny sees it.
 * A rule costs 1 to 5 instructions, the prologue 4 to 6, the end 2 or 4. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_devices_bpf.h"
#include "error.h"
#include "util/strings.h"

/* The registers of the program (r1 holds the context on entry). */
enum {
        REG_RESULT = BPF_REG_0,
        REG_CONTEXT = BPF_REG_1,
        REG_TYPE = BPF_REG_2,
        REG_ACCESS = BPF_REG_3,
        REG_MAJOR = BPF_REG_4,
        REG_MINOR = BPF_REG_5,
};

/* Jump offsets are 16 bits wide and every rule may jump to the end. */
#define PROGRAM_MAX_LEN INT16_MAX

/* The kernel's verifier log for a program this size is a few KiB. */
#define VERIFIER_LOG_SIZE (256 * 1024)
/* The reason for a rejection is at the end of the log; keep that much. */
#define VERIFIER_LOG_KEEP 2048

/* A rule checked and in the program's terms. */
typedef struct device_rule {
        bool allow;
        uint32_t type; /* 0 for any, else BPF_DEVCG_DEV_BLOCK or BPF_DEVCG_DEV_CHAR */
        uint32_t access;
        bool has_major;
        bool has_minor;
        uint32_t major;
        uint32_t minor;
} device_rule;

/* ---- the rules --------------------------------------------------------------- */

static int bad_rule(ocirun_error **error, size_t index, const char *field, const char *what,
                    const char *value, const char *expected)
{
        _cleanup_free_ char *quoted = str_quote(value, 64);
        return error_set(error, EINVAL, "linux.resources.devices[%zu].%s: %s %s (expected %s)",
                         index, field, what, quoted ? quoted : "", expected);
}

static int rule_number(bool present, int64_t value, size_t index, const char *field,
                       bool *ret_present, uint32_t *ret, ocirun_error **error)
{
        /* -1 is how runc spells "any" inside, and what configs generated
         * from its rules carry. */
        if (!present || value == -1) {
                *ret_present = false;
                return 0;
        }
        /* The context's major and minor are 32 bits wide: a larger value
         * would be compared truncated and match a device it does not name. */
        if (value < 0 || value > UINT32_MAX)
                return error_set(error, EINVAL,
                                 "linux.resources.devices[%zu].%s: %" PRId64 " is out of range",
                                 index, field, value);
        *ret_present = true;
        *ret = (uint32_t) value;
        return 0;
}

static int rule_parse(const ocispec_device_cgroup *rule, size_t index, device_rule *ret,
                      ocirun_error **error)
{
        device_rule parsed = {.allow = rule->allow};

        if (!rule->type || strcmp(rule->type, "a") == 0)
                parsed.type = 0;
        else if (strcmp(rule->type, "b") == 0)
                parsed.type = BPF_DEVCG_DEV_BLOCK;
        else if (strcmp(rule->type, "c") == 0)
                parsed.type = BPF_DEVCG_DEV_CHAR;
        else
                return bad_rule(error, index, "type", "unknown device type", rule->type,
                                "a, b or c");

        const char *access = rule->access ? rule->access : "rwm";
        if (!*access)
                return bad_rule(error, index, "access", "no access in", access,
                                "some of r, w and m");
        for (const char *p = access; *p; p++)
                switch (*p) {
                case 'r':
                        parsed.access |= BPF_DEVCG_ACC_READ;
                        break;
                case 'w':
                        parsed.access |= BPF_DEVCG_ACC_WRITE;
                        break;
                case 'm':
                        parsed.access |= BPF_DEVCG_ACC_MKNOD;
                        break;
                default:
                        return bad_rule(error, index, "access", "unknown access", access,
                                        "some of r, w and m");
                }

        int r = rule_number(rule->has_major, rule->major, index, "major", &parsed.has_major,
                            &parsed.major, error);
        if (r < 0)
                return r;
        r = rule_number(rule->has_minor, rule->minor, index, "minor", &parsed.has_minor,
                        &parsed.minor, error);
        if (r < 0)
                return r;
        *ret = parsed;
        return 0;
}

static size_t rule_len(const device_rule *rule)
{
        return (rule->type != 0) + rule->has_major + rule->has_minor + (rule->allow ? 2 : 1);
}

/* ---- the instructions -------------------------------------------------------- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        return (struct bpf_insn){
            .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

typedef struct emitter {
        struct bpf_insn *insns;
        size_t len;
} emitter;

static void emit(emitter *e, struct bpf_insn instruction)
{
        e->insns[e->len++] = instruction;
}

static void emit_load_context(emitter *e, uint8_t dst, int16_t offset)
{
        emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, dst, REG_CONTEXT, offset, 0));
}

/* A conditional jump to the instruction at target. The 32-bit compare
 * (BPF_JMP32, Linux 5.1) matters: BPF_JMP would sign-extend an immediate
 * above INT32_MAX and never equal the zero-extended field. */
static void emit_jump_if(emitter *e, uint8_t op, uint8_t reg, uint32_t value, size_t target)
{
        emit(e, insn(BPF_JMP32 | op | BPF_K, reg, 0, (int16_t) (target - (e->len + 1)),
                     (int32_t) value));
}

static void emit_rule(emitter *e, const device_rule *rule, size_t deny_at, size_t allow_at)
{
        size_t next = e->len + rule_len(rule);

        if (rule->type != 0)
                emit_jump_if(e, BPF_JNE, REG_TYPE, rule->type, next);
        if (rule->has_major)
                emit_jump_if(e, BPF_JNE, REG_MAJOR, rule->major, next);
        if (rule->has_minor)
                emit_jump_if(e, BPF_JNE, REG_MINOR, rule->minor, next);
        if (rule->allow) {
                emit(e, insn(BPF_ALU | BPF_AND | BPF_K, REG_ACCESS, 0, 0, ~(int32_t) rule->access));
                emit_jump_if(e, BPF_JEQ, REG_ACCESS, 0, allow_at);
        } else {
                emit_jump_if(e, BPF_JSET, REG_ACCESS, rule->access, deny_at);
        }
}

static void emit_return(emitter *e, int32_t verdict)
{
        emit(e, insn(BPF_ALU | BPF_MOV | BPF_K, REG_RESULT, 0, 0, verdict));
        emit(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* ---- compiling ----------------------------------------------------------------- */

void cgroup_devices_program_free(cgroup_devices_program *program)
{
        if (!program)
                return;
        free(program->insns);
        program->insns = NULL;
        program->len = 0;
}

int cgroup_devices_program_build(const ocispec_device_cgroup *rules, size_t len,
                                 cgroup_devices_program *ret, ocirun_error **error)
{
        _cleanup_free_ device_rule *parsed = len ? calloc(len, sizeof(*parsed)) : NULL;
        if (len && !parsed)
                return error_set_errno(error, ENOMEM, "linux.resources.devices");

        bool any_allow = false, any_major = false, any_minor = false;
        size_t rules_len = 0;
        for (size_t i = 0; i < len; i++) {
                int r = rule_parse(&rules[i], i, &parsed[i], error);
                if (r < 0)
                        return r;
                any_allow |= parsed[i].allow;
                any_major |= parsed[i].has_major;
                any_minor |= parsed[i].has_minor;
                rules_len += rule_len(&parsed[i]);
        }

        /* Without an allow rule no path could return 1: skip straight to the
         * verdict, the program for an empty list too. It must be so, not
         * merely shorter: the verifier rejects a program with an instruction
         * no path reaches ("unreachable insn"), as the allow end would be. */
        size_t prologue_len = any_allow ? 4 + any_major + any_minor : 0;
        if (!any_allow)
                rules_len = 0;
        size_t total = prologue_len + rules_len + (any_allow ? 4 : 2);
        if (total > PROGRAM_MAX_LEN)
                return error_set(error, E2BIG,
                                 "linux.resources.devices: %zu rules make a program of %zu "
                                 "instructions, more than the %d a jump can cross",
                                 len, total, PROGRAM_MAX_LEN);

        emitter e = {.insns = calloc(total, sizeof(struct bpf_insn))};
        if (!e.insns)
                return error_set_errno(error, ENOMEM, "linux.resources.devices");

        if (any_allow) {
                emit_load_context(&e, REG_TYPE, offsetof(struct bpf_cgroup_dev_ctx, access_type));
                if (any_major)
                        emit_load_context(&e, REG_MAJOR,
                                          offsetof(struct bpf_cgroup_dev_ctx, major));
                if (any_minor)
                        emit_load_context(&e, REG_MINOR,
                                          offsetof(struct bpf_cgroup_dev_ctx, minor));
                emit(&e, insn(BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, REG_TYPE, 0, 0));
                emit(&e, insn(BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16));
                emit(&e, insn(BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff));

                size_t deny_at = prologue_len + rules_len, allow_at = deny_at + 2;
                for (size_t i = len; i-- > 0;)
                        emit_rule(&e, &parsed[i], deny_at, allow_at);
        }
        emit_return(&e, 0);
        if (any_allow)
                emit_return(&e, 1);

        *ret = (cgroup_devices_program){.insns = e.insns, .len = e.len};
        return 0;
}

/* ---- the kernel ---------------------------------------------------------------- */

static int bpf_call(int command, union bpf_attr *attr)
{
        long r = syscall(__NR_bpf, command, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

/* The verifier's log as one line of an error message: its end, where the
 * reason is, with the lines joined by "; ". */
static char *verifier_log_line(char *log)
{
        size_t len = strlen(log);
        while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
                log[--len] = '\0';
        char *start = len > VERIFIER_LOG_KEEP ? log + len - VERIFIER_LOG_KEEP : log;
        _cleanup_free_ char *joined = malloc(2 * strlen(start) + 4);
        if (!joined)
                return NULL;
        char *out = joined;
        if (start != log)
                out = stpcpy(out, "...");
        for (const char *p = start; *p; p++)
                if (*p == '\n')
                        out = stpcpy(out, "; ");
                else
                        *out++ = *p;
        *out = '\0';
        return str_one_line(joined);
}

static int program_load(const cgroup_devices_program *program, int *ret_fd, ocirun_error **error)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.expected_attach_type = BPF_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) program->insns;
        attr.insn_cnt = (uint32_t) program->len;
        /* The license of the code the program was generated by: ocirun is
         * GPL-2.0-or-later (COPYING). The program calls no helper, so no
         * GPL-only function depends on it. */
        attr.license = (uint64_t) (uintptr_t) "GPL";
        /* What `bpftool prog` shows next to the program's id. */
        memcpy(attr.prog_name, "ocirun_devices", sizeof("ocirun_devices"));

        int fd = bpf_call(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
                *ret_fd = fd;
                return 0;
        }

        /* Only a failure pays for the log: load again with it, and report
         * the first attempt's errno (a log that overflows is an error too). */
        int load_errno = -fd;
        _cleanup_free_ char *log = calloc(1, VERIFIER_LOG_SIZE);
        if (log) {
                attr.log_level = 1;
                attr.log_size = VERIFIER_LOG_SIZE;
                attr.log_buf = (uint64_t) (uintptr_t) log;
                fd = bpf_call(BPF_PROG_LOAD, &attr);
                if (fd >= 0) {
                        /* Passed the second time (a transient failure, such
                         * as memory); take it. */
                        *ret_fd = fd;
                        return 0;
                }
        }
        _cleanup_free_ char *line = log && *log ? verifier_log_line(log) : NULL;
        return error_set(
            error, load_errno, "load the BPF_CGROUP_DEVICE program (%zu instructions): %s%s%s",
            program->len, strerror(load_errno), line ? ": verifier: " : "", line ? line : "");
}

/* The ids of the device programs attached to the cgroup itself (not those it
 * inherits) and the flags they were attached with. */
static int attached_programs(int cgroup_fd, uint32_t **ret_ids, uint32_t *ret_count,
                             uint32_t *ret_flags, ocirun_error **error)
{
        _cleanup_free_ uint32_t *ids = NULL;
        uint32_t capacity = 0;
        for (;;) {
                union bpf_attr attr;
                memset(&attr, 0, sizeof(attr));
                attr.query.target_fd = (uint32_t) cgroup_fd;
                attr.query.attach_type = BPF_CGROUP_DEVICE;
                attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
                attr.query.prog_cnt = capacity;
                int r = bpf_call(BPF_PROG_QUERY, &attr);
                /* ENOSPC: more programs than ids room, and prog_cnt now says
                 * how many; the first call with no room at all is for that. */
                if (r == -ENOSPC || (r == 0 && attr.query.prog_cnt > capacity)) {
                        capacity = attr.query.prog_cnt;
                        free(ids);
                        ids = calloc(capacity, sizeof(*ids));
                        if (!ids)
                                return error_set_errno(error, ENOMEM, "query device programs");
                        continue;
                }
                if (r < 0)
                        return error_set_errno(error, -r,
                                               "query the cgroup's BPF_CGROUP_DEVICE programs");
                *ret_ids = steal_pointer(&ids);
                *ret_count = attr.query.prog_cnt;
                *ret_flags = attr.query.attach_flags;
                return 0;
        }
}

static int program_attach(int cgroup_fd, int program_fd, uint32_t flags)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) program_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = flags;
        return bpf_call(BPF_PROG_ATTACH, &attr);
}

static int program_detach(int cgroup_fd, int program_fd)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) program_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        return bpf_call(BPF_PROG_DETACH, &attr);
}

/* Detaches the program with that id; one that is gone already (another
 * process detached it between the query and now) is not an error. */
static int program_detach_by_id(int cgroup_fd, uint32_t id)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_id = id;
        _cleanup_close_ int fd = bpf_call(BPF_PROG_GET_FD_BY_ID, &attr);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        int r = program_detach(cgroup_fd, fd);
        return r == -ENOENT ? 0 : r;
}

int cgroup_devices_bpf_apply(int cgroup_fd, const ocispec_device_cgroup *rules, size_t len,
                             ocirun_error **error)
{
        _cleanup_(cgroup_devices_program_free) cgroup_devices_program program = {0};
        int r = cgroup_devices_program_build(rules, len, &program, error);
        if (r < 0)
                return r;

        _cleanup_close_ int program_fd = -1;
        r = program_load(&program, &program_fd, error);
        if (r < 0)
                return r;

        _cleanup_free_ uint32_t *old_ids = NULL;
        uint32_t old_count = 0, old_flags = 0;
        r = attached_programs(cgroup_fd, &old_ids, &old_count, &old_flags, error);
        if (r < 0)
                return r;

        /* The kernel refuses BPF_F_ALLOW_MULTI next to a program attached
         * without it (EPERM). Such a program is alone in its cgroup, and
         * attaching with its own flags replaces it in one step instead. */
        if (old_count > 0 && !(old_flags & BPF_F_ALLOW_MULTI)) {
                r = program_attach(cgroup_fd, program_fd, old_flags);
                if (r < 0)
                        return error_set_errno(error, -r,
                                               "replace the BPF_CGROUP_DEVICE program (attach "
                                               "flags %#x)",
                                               old_flags);
                return 0;
        }

        r = program_attach(cgroup_fd, program_fd, BPF_F_ALLOW_MULTI);
        if (r < 0)
                return error_set_errno(error, -r, "attach the BPF_CGROUP_DEVICE program");

        for (uint32_t i = 0; i < old_count; i++) {
                r = program_detach_by_id(cgroup_fd, old_ids[i]);
                if (r == 0)
                        continue;
                /* Nothing detached yet: take the new program back so the
                 * cgroup keeps the rules it had. Past that, keep it: the
                 * cgroup then needs both the new rules and the remaining old
                 * ones to allow a device, never less than the new rules. */
                if (i == 0)
                        (void) program_detach(cgroup_fd, program_fd);
                return error_set_errno(error, -r,
                                       "detach the BPF_CGROUP_DEVICE program with id %" PRIu32
                                       " that was attached before",
                                       old_ids[i]);
        }
        return 0;
}
