/* Unit tests of the cgroup v2 device controller (cgroup_devices_bpf.h):
 * the compiler's errors and program sizes; its meaning, by running the
 * programs in a small interpreter of the instructions it emits and comparing
 * with a direct model of the OCI rules, over hand-picked and random rule
 * lists; every program through the kernel's verifier; and, for real, what a
 * process in a cgroup with the program attached may open and mknod. That
 * cgroup is made under <cgroup2>/ocirun-test/ and removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_devices_bpf.h"
#include "error.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

/* A wildcard major or minor: the field is left out. */
#define ANY (-1)

#define RULE(allow_, type_, major_, minor_, access_)                                               \
        {                                                                                          \
                .allow = (allow_), .has_allow = true, .type = (char *) (type_), .major = (major_), \
                .has_major = (major_) != ANY, .minor = (minor_), .has_minor = (minor_) != ANY,     \
                .access = (char *) (access_)                                                       \
        }

#define DENY_ALL RULE(false, "a", ANY, ANY, "rwm")

/* ---- a model of the rules, and an interpreter of the programs ------------------ */

typedef struct request {
        uint32_t type; /* BPF_DEVCG_DEV_BLOCK or _CHAR */
        uint32_t major;
        uint32_t minor;
        uint32_t access; /* BPF_DEVCG_ACC_* bits */
} request;

static uint32_t model_access(const ocispec_device_cgroup *rule)
{
        uint32_t bits = 0;
        for (const char *p = rule->access ? rule->access : "rwm"; *p; p++)
                bits |= *p == 'r'   ? BPF_DEVCG_ACC_READ
                        : *p == 'w' ? BPF_DEVCG_ACC_WRITE
                                    : BPF_DEVCG_ACC_MKNOD;
        return bits;
}

static bool model_matches(const ocispec_device_cgroup *rule, const request *q)
{
        if (rule->type && strcmp(rule->type, "b") == 0 && q->type != BPF_DEVCG_DEV_BLOCK)
                return false;
        if (rule->type && strcmp(rule->type, "c") == 0 && q->type != BPF_DEVCG_DEV_CHAR)
                return false;
        if (rule->has_major && rule->major != -1 && rule->major != q->major)
                return false;
        if (rule->has_minor && rule->minor != -1 && rule->minor != q->minor)
                return false;
        return true;
}

/* The OCI meaning read forward, as cgroup v1 applies the rules one by one:
 * each access bit ends up as the last rule naming it (and the device) says. */
static bool model_allows(const ocispec_device_cgroup *rules, size_t len, const request *q)
{
        for (uint32_t bit = 1; bit <= 4; bit <<= 1) {
                if (!(q->access & bit))
                        continue;
                bool allowed = false;
                for (size_t i = 0; i < len; i++)
                        if (model_matches(&rules[i], q) && (model_access(&rules[i]) & bit))
                                allowed = rules[i].allow;
                if (!allowed)
                        return false;
        }
        return true;
}

/* Runs the program on a request: 1 or 0 as the program returns, -1 for an
 * instruction this interpreter does not know or a program that runs off. */
static int interpret(const cgroup_devices_program *program, const request *q)
{
        struct bpf_cgroup_dev_ctx context = {
            .access_type = q->access << 16 | q->type, .major = q->major, .minor = q->minor};
        uint64_t reg[MAX_BPF_REG] = {0};
        size_t pc = 0;

        for (size_t steps = 0; pc < program->len && steps < 100000; steps++) {
                const struct bpf_insn *i = &program->insns[pc++];
                uint32_t dst32 = (uint32_t) reg[i->dst_reg], imm = (uint32_t) i->imm;
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W: {
                        uint32_t value;
                        if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off % 4 ||
                            (size_t) i->off + 4 > sizeof(context))
                                return -1;
                        memcpy(&value, (const char *) &context + i->off, 4);
                        reg[i->dst_reg] = value;
                        break;
                }
                case BPF_ALU | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = dst32 & imm;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        reg[i->dst_reg] = dst32 >> (imm & 31);
                        break;
                case BPF_JMP32 | BPF_JNE | BPF_K:
                        if (dst32 != imm)
                                pc += i->off;
                        break;
                case BPF_JMP32 | BPF_JEQ | BPF_K:
                        if (dst32 == imm)
                                pc += i->off;
                        break;
                case BPF_JMP32 | BPF_JSET | BPF_K:
                        if (dst32 & imm)
                                pc += i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return reg[0] <= 1 ? (int) reg[0] : -1;
                default:
                        return -1;
                }
        }
        return -1;
}

/* The instructions the header's layout promises for a rule list. */
static size_t expected_len(const ocispec_device_cgroup *rules, size_t len)
{
        bool any_allow = false, any_major = false, any_minor = false;
        size_t total = 0;
        for (size_t i = 0; i < len; i++) {
                bool typed = rules[i].type && strcmp(rules[i].type, "a") != 0;
                bool major = rules[i].has_major && rules[i].major != -1;
                bool minor = rules[i].has_minor && rules[i].minor != -1;
                any_allow |= rules[i].allow;
                any_major |= major;
                any_minor |= minor;
                total += typed + major + minor + (rules[i].allow ? 2 : 1);
        }
        return any_allow ? 4 + any_major + any_minor + total + 4 : 2;
}

/* ---- the kernel ------------------------------------------------------------------ */

static bool kernel_usable;

static int bpf_call(int command, union bpf_attr *attr)
{
        long r = syscall(__NR_bpf, command, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

/* Loads a program as the library does, with the verifier's log on failure. */
static int load(const cgroup_devices_program *program)
{
        static char log[64 * 1024];
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) program->insns;
        attr.insn_cnt = (uint32_t) program->len;
        attr.license = (uint64_t) (uintptr_t) "GPL";
        int fd = bpf_call(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        int r = fd;
        log[0] = '\0';
        attr.log_level = 1;
        attr.log_buf = (uint64_t) (uintptr_t) log;
        attr.log_size = sizeof(log);
        fd = bpf_call(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                close(fd);
        tap_diag("BPF_PROG_LOAD: %s; verifier log:\n%s", strerror(-r), log);
        return r;
}

static bool loads(const cgroup_devices_program *program)
{
        int fd = load(program);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static int query(int cgroup_fd, uint32_t *ids, uint32_t capacity, uint32_t *ret_count,
                 uint32_t *ret_flags)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t) cgroup_fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
        attr.query.prog_cnt = capacity;
        int r = bpf_call(BPF_PROG_QUERY, &attr);
        *ret_count = attr.query.prog_cnt;
        *ret_flags = attr.query.attach_flags;
        return r;
}

static int attach(int cgroup_fd, int program_fd, uint32_t flags)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) program_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = flags;
        return bpf_call(BPF_PROG_ATTACH, &attr);
}

/* Leaves the cgroup with no device program, for the tests that attach
 * programs of their own first. */
static bool detach_all(int cgroup_fd)
{
        uint32_t ids[64], count, flags;
        if (query(cgroup_fd, ids, ARRAY_SIZE(ids), &count, &flags) < 0)
                return false;
        for (uint32_t i = 0; i < count; i++) {
                union bpf_attr attr;
                memset(&attr, 0, sizeof(attr));
                attr.prog_id = ids[i];
                int fd = bpf_call(BPF_PROG_GET_FD_BY_ID, &attr);
                if (fd < 0)
                        return false;
                memset(&attr, 0, sizeof(attr));
                attr.target_fd = (uint32_t) cgroup_fd;
                attr.attach_bpf_fd = (uint32_t) fd;
                attr.attach_type = BPF_CGROUP_DEVICE;
                int r = bpf_call(BPF_PROG_DETACH, &attr);
                close(fd);
                if (r < 0)
                        return false;
        }
        return true;
}

/* ---- the compiler ---------------------------------------------------------------- */

static void test_empty(void)
{
        cgroup_devices_program program = {0};
        ocirun_error *error = NULL;
        int r = cgroup_devices_program_build(NULL, 0, &program, &error);
        tap_ok(r == 0 && program.len == 2 && program.insns[0].code == (BPF_ALU | BPF_MOV | BPF_K) &&
                   program.insns[0].dst_reg == BPF_REG_0 && program.insns[0].imm == 0 &&
                   program.insns[1].code == (BPF_JMP | BPF_EXIT),
               "no rules: the program is `r0 = 0; exit` (deny-all)");
        if (kernel_usable)
                tap_ok(loads(&program), "the deny-all program passes the verifier");
        cgroup_devices_program_free(&program);
        tap_ok(program.insns == NULL && program.len == 0, "free empties the program");
        cgroup_devices_program_free(&program);
        cgroup_devices_program_free(NULL);
        tap_ok(true, "free accepts an empty program and NULL");

        ocispec_device_cgroup denies[] = {DENY_ALL, RULE(false, "c", 1, 3, "w")};
        r = cgroup_devices_program_build(denies, ARRAY_SIZE(denies), &program, &error);
        tap_ok(r == 0 && program.len == 2 && program.insns[0].imm == 0,
               "only deny rules: deny-all in 2 instructions");
        cgroup_devices_program_free(&program);
        ocirun_error_free(error);
}

static void test_sizes(void)
{
        static const struct {
                const char *name;
                ocispec_device_cgroup rules[3];
                size_t len;
                size_t expect;
        } cases[] = {
            {"allow c 1:3 rwm: prologue 6, rule 5, end 4", {RULE(true, "c", 1, 3, "rwm")}, 1, 15},
            {"deny-all, allow c 1:3 rwm: a deny-all rule is 1 instruction",
             {DENY_ALL, RULE(true, "c", 1, 3, "rwm")},
             2,
             16},
            {"allow a *:* rwm: no major or minor load, the rule is 2 instructions",
             {RULE(true, "a", ANY, ANY, "rwm")},
             1,
             10},
            {"deny-all, allow c *:* m: only the type is compared",
             {DENY_ALL, RULE(true, "c", ANY, ANY, "m")},
             2,
             12},
            {"deny-all, allow c 1:* rw: no minor load",
             {DENY_ALL, RULE(true, "c", 1, ANY, "rw")},
             2,
             14},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                cgroup_devices_program program = {0};
                ocirun_error *error = NULL;
                int r =
                    cgroup_devices_program_build(cases[i].rules, cases[i].len, &program, &error);
                tap_ok(r == 0 && program.len == cases[i].expect &&
                           program.len == expected_len(cases[i].rules, cases[i].len),
                       "%s: %zu instructions", cases[i].name, cases[i].expect);
                if (r == 0 && program.len != cases[i].expect)
                        tap_diag("got %zu", program.len);
                if (r == 0 && kernel_usable)
                        tap_ok(loads(&program), "%s: passes the verifier", cases[i].name);
                cgroup_devices_program_free(&program);
                ocirun_error_free(error);
        }

        /* -1 is runc's wildcard: the same program as a missing field. */
        ocispec_device_cgroup minus_one[] = {{.allow = true,
                                              .type = "c",
                                              .major = -1,
                                              .has_major = true,
                                              .minor = 3,
                                              .has_minor = true}};
        ocispec_device_cgroup missing[] = {RULE(true, "c", ANY, 3, NULL)};
        cgroup_devices_program a = {0}, b = {0};
        int r1 = cgroup_devices_program_build(minus_one, 1, &a, NULL);
        int r2 = cgroup_devices_program_build(missing, 1, &b, NULL);
        tap_ok(r1 == 0 && r2 == 0 && a.len == b.len &&
                   memcmp(a.insns, b.insns, a.len * sizeof(*a.insns)) == 0,
               "major -1 compiles as an absent major; access NULL as \"rwm\"");
        cgroup_devices_program_free(&a);
        cgroup_devices_program_free(&b);
}

static void test_errors(void)
{
        static const struct {
                ocispec_device_cgroup rule;
                const char *prefix;
        } cases[] = {
            {RULE(true, "x", ANY, ANY, "rwm"), "linux.resources.devices[1].type: "},
            {RULE(true, "", ANY, ANY, "rwm"), "linux.resources.devices[1].type: "},
            {RULE(true, "cb", ANY, ANY, "rwm"), "linux.resources.devices[1].type: "},
            {RULE(true, "c", ANY, ANY, "rwx"), "linux.resources.devices[1].access: "},
            {RULE(true, "c", ANY, ANY, "RW"), "linux.resources.devices[1].access: "},
            {RULE(true, "c", ANY, ANY, ""), "linux.resources.devices[1].access: "},
            {RULE(false, "c", -2, ANY, "r"), "linux.resources.devices[1].major: "},
            {RULE(false, "c", 1, 1LL << 32, "r"), "linux.resources.devices[1].minor: "},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                ocispec_device_cgroup rules[] = {RULE(true, "c", 1, 3, "rwm"), cases[i].rule};
                struct bpf_insn sentinel;
                cgroup_devices_program program = {.insns = &sentinel, .len = 42};
                ocirun_error *error = NULL;
                int r = cgroup_devices_program_build(rules, 2, &program, &error);
                bool named =
                    error && strncmp(error->message, cases[i].prefix, strlen(cases[i].prefix)) == 0;
                tap_ok(r == -EINVAL && named && program.insns == &sentinel && program.len == 42,
                       "type %s, access %s, major %" PRId64 ", minor %" PRId64
                       ": EINVAL, the program untouched, the error says: %s",
                       cases[i].rule.type, cases[i].rule.access, cases[i].rule.major,
                       cases[i].rule.minor, error ? error->message : "(nothing)");
                ocirun_error_free(error);
        }
}

/* ---- the meaning, without the kernel ------------------------------------------ */

/* What the behaviour tests ask for from inside the cgroup, as requests. */
static const struct probe {
        const char *name;
        const char *path; /* NULL: mknod c 1:3 */
        int flags;
        request request;
} probes[] = {
    {"open /dev/null rw",
     "/dev/null",
     O_RDWR,
     {BPF_DEVCG_DEV_CHAR, 1, 3, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE}},
    {"open /dev/zero r", "/dev/zero", O_RDONLY, {BPF_DEVCG_DEV_CHAR, 1, 5, BPF_DEVCG_ACC_READ}},
    {"open /dev/zero w", "/dev/zero", O_WRONLY, {BPF_DEVCG_DEV_CHAR, 1, 5, BPF_DEVCG_ACC_WRITE}},
    {"open /dev/zero rw",
     "/dev/zero",
     O_RDWR,
     {BPF_DEVCG_DEV_CHAR, 1, 5, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE}},
    {"open /dev/full w", "/dev/full", O_WRONLY, {BPF_DEVCG_DEV_CHAR, 1, 7, BPF_DEVCG_ACC_WRITE}},
    {"mknod c 1:3", NULL, 0, {BPF_DEVCG_DEV_CHAR, 1, 3, BPF_DEVCG_ACC_MKNOD}},
};

/* Rule lists with the verdict of each probe, in order: + allowed, - EPERM. */
static const struct scenario {
        const char *name;
        ocispec_device_cgroup rules[4];
        size_t len;
        const char *expect;
} scenarios[] = {
    {"no rules", {{0}}, 0, "------"},
    {"deny a *:* rwm", {DENY_ALL}, 1, "------"},
    {"deny-all, allow c 1:3 rwm", {DENY_ALL, RULE(true, "c", 1, 3, "rwm")}, 2, "+----+"},
    {"allow a *:* rwm", {RULE(true, "a", ANY, ANY, "rwm")}, 1, "++++++"},
    {"type and access left out: allow all", {RULE(true, NULL, ANY, ANY, NULL)}, 1, "++++++"},
    {"deny-all, allow c 1:5 r (read only)", {DENY_ALL, RULE(true, "c", 1, 5, "r")}, 2, "-+----"},
    {"deny-all, allow c *:* m (mknod only)",
     {DENY_ALL, RULE(true, "c", ANY, ANY, "m")},
     2,
     "-----+"},
    {"allow a *:* rwm, then deny c 1:3 rwm",
     {RULE(true, "a", ANY, ANY, "rwm"), RULE(false, "c", 1, 3, "rwm")},
     2,
     "-++++-"},
    {"allow c 1:3 rwm, then deny c 1:3 w",
     {RULE(true, "c", 1, 3, "rwm"), RULE(false, "c", 1, 3, "w")},
     2,
     "-----+"},
    {"allow c 1:5 rw, then deny c 1:5 w",
     {RULE(true, "c", 1, 5, "rw"), RULE(false, "c", 1, 5, "w")},
     2,
     "-+----"},
    {"deny-all, allow c 1:5 r, allow c 1:5 w (rw from two rules)",
     {DENY_ALL, RULE(true, "c", 1, 5, "r"), RULE(true, "c", 1, 5, "w")},
     3,
     "-+++--"},
    {"allow a *:* rw, deny c 1:5 r, allow c 1:5 r (w stays allowed)",
     {RULE(true, "a", ANY, ANY, "rw"), RULE(false, "c", 1, 5, "r"), RULE(true, "c", 1, 5, "r")},
     3,
     "+++++-"},
    {"allow a *:* rwm, deny b *:* rwm",
     {RULE(true, "a", ANY, ANY, "rwm"), RULE(false, "b", ANY, ANY, "rwm")},
     2,
     "++++++"},
    {"deny-all, allow b *:* rwm", {DENY_ALL, RULE(true, "b", ANY, ANY, "rwm")}, 2, "------"},
    {"deny-all, allow c 1:* rw", {DENY_ALL, RULE(true, "c", 1, ANY, "rw")}, 2, "+++++-"},
    {"deny-all, allow c *:5 rwm", {DENY_ALL, RULE(true, "c", ANY, 5, "rwm")}, 2, "-+++--"},
};

static void test_scenarios_model(void)
{
        for (size_t s = 0; s < ARRAY_SIZE(scenarios); s++) {
                const struct scenario *sc = &scenarios[s];
                cgroup_devices_program program = {0};
                int r = cgroup_devices_program_build(sc->rules, sc->len, &program, NULL);
                char model[ARRAY_SIZE(probes) + 1] = {0}, run[ARRAY_SIZE(probes) + 1] = {0};
                for (size_t p = 0; r == 0 && p < ARRAY_SIZE(probes); p++) {
                        model[p] = model_allows(sc->rules, sc->len, &probes[p].request) ? '+' : '-';
                        int verdict = interpret(&program, &probes[p].request);
                        run[p] = verdict == 1 ? '+' : verdict == 0 ? '-' : '?';
                }
                tap_ok(r == 0 && strcmp(model, sc->expect) == 0 && strcmp(run, sc->expect) == 0,
                       "%s: %s in the model and the interpreted program", sc->name, sc->expect);
                if (r == 0 && (strcmp(model, sc->expect) != 0 || strcmp(run, sc->expect) != 0))
                        tap_diag("model %s, program %s", model, run);
                cgroup_devices_program_free(&program);
        }
}

static uint64_t random_state = 0x9e3779b97f4a7c15ULL;

static uint32_t random_below(uint32_t n)
{
        /* xorshift64: reproducible from the seed above, good enough to pick. */
        random_state ^= random_state << 13;
        random_state ^= random_state >> 7;
        random_state ^= random_state << 17;
        return (uint32_t) (random_state % n);
}

/* Random rule lists over a few types, numbers and accesses, each compared
 * with the model on every request those can express, and loaded. */
static void test_random(void)
{
        static const char *const types[] = {NULL, "a", "b", "c"};
        static const int64_t majors[] = {ANY, 1, 2};
        static const int64_t minors[] = {ANY, 3, 5};
        static const char *const accesses[] = {NULL, "r", "w", "m", "rw", "rm", "wm", "rwm", "mwr"};
        static const uint32_t request_majors[] = {1, 2, 7}, request_minors[] = {3, 5, 9};
        size_t lists = 0, requests = 0, wrong = 0, unloaded = 0, bad_len = 0;

        for (int n = 0; n < 3000; n++) {
                ocispec_device_cgroup rules[8];
                size_t len = random_below(ARRAY_SIZE(rules) + 1);
                for (size_t i = 0; i < len; i++) {
                        int64_t major = majors[random_below(ARRAY_SIZE(majors))];
                        int64_t minor = minors[random_below(ARRAY_SIZE(minors))];
                        rules[i] = (ocispec_device_cgroup) RULE(
                            random_below(2), types[random_below(ARRAY_SIZE(types))], major, minor,
                            accesses[random_below(ARRAY_SIZE(accesses))]);
                }
                cgroup_devices_program program = {0};
                if (cgroup_devices_program_build(rules, len, &program, NULL) < 0) {
                        wrong++;
                        continue;
                }
                lists++;
                bad_len += program.len != expected_len(rules, len);
                for (uint32_t type = BPF_DEVCG_DEV_BLOCK; type <= BPF_DEVCG_DEV_CHAR; type++)
                        for (size_t a = 0; a < ARRAY_SIZE(request_majors); a++)
                                for (size_t b = 0; b < ARRAY_SIZE(request_minors); b++)
                                        for (uint32_t access = 1; access <= 7; access++) {
                                                request q = {type, request_majors[a],
                                                             request_minors[b], access};
                                                int expect = model_allows(rules, len, &q);
                                                requests++;
                                                if (interpret(&program, &q) != expect && !wrong++)
                                                        tap_diag("list %d: type %u %u:%u access "
                                                                 "%u: the program says %d",
                                                                 n, type, q.major, q.minor, access,
                                                                 interpret(&program, &q));
                                        }
                if (kernel_usable && !loads(&program))
                        unloaded++;
                cgroup_devices_program_free(&program);
        }
        tap_ok(wrong == 0,
               "random: %zu rule lists, %zu requests, the program agrees with the model", lists,
               requests);
        tap_ok(bad_len == 0, "random: every program has the size the layout says");
        if (kernel_usable)
                tap_ok(unloaded == 0,
                       "random: all %zu programs pass the kernel's verifier (%zu not)", lists,
                       unloaded);
}

/* ---- for real, in a cgroup --------------------------------------------------------- */

static char cgroup2[PATH_MAX];
static char parent_path[PATH_MAX + 32];
static char cgroup_path[PATH_MAX + 64];
static bool made_cgroup;
static char node_dir[] = "/tmp/ocirun-test-devices-bpf.XXXXXX";
static char node_path[sizeof(node_dir) + 8];
static bool made_node_dir;
static volatile pid_t child_pid = -1;

/* Everything the test made, undone even when it fails half-way: only this
 * test's own child is killed; the shared parent goes only if it is empty. */
static void cleanup(void)
{
        if (child_pid > 0) {
                kill(child_pid, SIGKILL);
                waitpid(child_pid, NULL, 0);
                child_pid = -1;
        }
        if (made_cgroup && rmdir(cgroup_path) == 0)
                made_cgroup = false;
        if (parent_path[0])
                rmdir(parent_path);
        if (made_node_dir) {
                unlink(node_path);
                rmdir(node_dir);
                made_node_dir = false;
        }
}

static void cleanup_on_signal(int sig)
{
        cleanup();
        signal(sig, SIG_DFL);
        raise(sig);
}

/* The mount point of the first cgroup2 mount, from /proc/self/mountinfo:
 * hybrid hosts mount it at /sys/fs/cgroup/unified, unified ones at
 * /sys/fs/cgroup, and a container may have it elsewhere. */
static bool find_cgroup2(void)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char line[4096];
        bool found = false;
        while (!found && fgets(line, sizeof(line), f)) {
                char mount_point[PATH_MAX];
                const char *separator = strstr(line, " - ");
                if (!separator || strncmp(separator, " - cgroup2 ", 11) != 0)
                        continue;
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) != 1)
                        continue;
                /* mountinfo escapes space, tab, newline and backslash as \ooo. */
                char *out = cgroup2;
                for (const char *p = mount_point; *p; p++) {
                        unsigned code;
                        if (p[0] == '\\' && sscanf(p + 1, "%3o", &code) == 1) {
                                *out++ = (char) code;
                                p += 3;
                        } else {
                                *out++ = *p;
                        }
                }
                *out = '\0';
                found = true;
        }
        fclose(f);
        return found;
}

static int probe_run(const struct probe *probe)
{
        if (!probe->path) {
                if (mknod(node_path, S_IFCHR | 0600, makedev(1, 3)) < 0)
                        return errno;
                unlink(node_path);
                return 0;
        }
        int fd = open(probe->path, probe->flags | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

/* Forks a child, moves it into the test cgroup, has it try every probe and
 * reads back its errnos as "+-" verdicts ('?' for any other errno). */
static bool probe_in_cgroup(int cgroup_fd, char *ret)
{
        int go[2], report[2];
        if (pipe2(go, O_CLOEXEC) < 0)
                return false;
        if (pipe2(report, O_CLOEXEC) < 0) {
                close(go[0]);
                close(go[1]);
                return false;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                int results[ARRAY_SIZE(probes)];
                char byte;
                close(go[1]);
                close(report[0]);
                if (read(go[0], &byte, 1) != 1)
                        _exit(1);
                for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
                        results[i] = probe_run(&probes[i]);
                _exit(write(report[1], results, sizeof(results)) == sizeof(results) ? 0 : 1);
        }
        close(go[0]);
        close(report[1]);
        if (pid < 0) {
                close(go[1]);
                close(report[0]);
                return false;
        }
        child_pid = pid;

        bool moved = false;
        int procs = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (procs >= 0) {
                moved = dprintf(procs, "%d\n", (int) pid) > 0;
                close(procs);
        }
        /* The child must really be in the cgroup, or it proves nothing. */
        char proc_path[64], line[PATH_MAX + 8], suffix[64];
        snprintf(proc_path, sizeof(proc_path), "/proc/%d/cgroup", (int) pid);
        snprintf(suffix, sizeof(suffix), "/devices-bpf-%d\n", (int) getpid());
        FILE *f = moved ? fopen(proc_path, "re") : NULL;
        bool inside = false;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0 && strlen(line) >= strlen(suffix) &&
                    strcmp(line + strlen(line) - strlen(suffix), suffix) == 0)
                        inside = true;
        if (f)
                fclose(f);
        if (!inside)
                tap_diag("the child is not in %s", cgroup_path);

        int results[ARRAY_SIZE(probes)];
        bool reported = false;
        if (inside && write(go[1], "x", 1) == 1)
                reported = read(report[0], results, sizeof(results)) == sizeof(results);
        close(go[1]);
        close(report[0]);
        waitpid(pid, NULL, 0);
        child_pid = -1;
        if (!reported)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
                ret[i] = results[i] == 0 ? '+' : results[i] == EPERM ? '-' : '?';
                if (ret[i] == '?')
                        tap_diag("%s: %s", probes[i].name, strerror(results[i]));
        }
        ret[ARRAY_SIZE(probes)] = '\0';
        return true;
}

/* Applies the rules, then checks that one program with BPF_F_ALLOW_MULTI is
 * attached and that the probes get the expected verdicts. */
static void check_apply(int cgroup_fd, const ocispec_device_cgroup *rules, size_t len,
                        const char *expect, uint32_t expect_flags, const char *name)
{
        ocirun_error *error = NULL;
        int r = cgroup_devices_bpf_apply(cgroup_fd, rules, len, &error);
        if (!tap_ok(r == 0, "%s: applied", name)) {
                tap_diag("%s", error ? error->message : "no error message");
                ocirun_error_free(error);
                return;
        }
        uint32_t ids[64], count = 0, flags = 0;
        r = query(cgroup_fd, ids, ARRAY_SIZE(ids), &count, &flags);
        tap_ok(r == 0 && count == 1 && flags == expect_flags,
               "%s: exactly one device program attached, flags %#x", name, expect_flags);
        if (r < 0 || count != 1 || flags != expect_flags)
                tap_diag("query: %d, %u programs, flags %#x", r, count, flags);
        char got[ARRAY_SIZE(probes) + 1] = "";
        bool probed = probe_in_cgroup(cgroup_fd, got);
        tap_ok(probed && strcmp(got, expect) == 0, "%s: in the cgroup %s", name, expect);
        if (probed && strcmp(got, expect) != 0)
                for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
                        if (got[i] != expect[i])
                                tap_diag("%s: expected %c, got %c", probes[i].name, expect[i],
                                         got[i]);
}

/* A program of the test's own, loaded and attached with the given flags,
 * standing for one another manager (systemd, an older ocirun) left. */
static bool attach_foreign(int cgroup_fd, bool allow, uint32_t flags)
{
        ocispec_device_cgroup all[] = {RULE(allow, "a", ANY, ANY, "rwm")};
        cgroup_devices_program program = {0};
        if (cgroup_devices_program_build(all, 1, &program, NULL) < 0)
                return false;
        int fd = load(&program);
        cgroup_devices_program_free(&program);
        if (fd < 0)
                return false;
        int r = attach(cgroup_fd, fd, flags);
        close(fd);
        return r == 0;
}

static void test_in_cgroup(void)
{
        if (!kernel_usable || !find_cgroup2()) {
                tap_ok(true, "# SKIP machine limit: %s",
                       kernel_usable ? "no cgroup2 mount" : "cannot load BPF programs (not root?)");
                return;
        }
        tap_diag("cgroup2 at %s", cgroup2);
        snprintf(parent_path, sizeof(parent_path), "%s/ocirun-test", cgroup2);
        snprintf(cgroup_path, sizeof(cgroup_path), "%s/devices-bpf-%d", parent_path,
                 (int) getpid());
        if (!tap_ok((mkdir(parent_path, 0755) == 0 || errno == EEXIST) &&
                        mkdir(cgroup_path, 0755) == 0,
                    "make the cgroup %s", cgroup_path)) {
                tap_diag("mkdir: %s", strerror(errno));
                return;
        }
        made_cgroup = true;
        if (!tap_ok(mkdtemp(node_dir) != NULL, "make %s for mknod", node_dir))
                return;
        made_node_dir = true;
        snprintf(node_path, sizeof(node_path), "%s/null", node_dir);
        int cgroup_fd = open(cgroup_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (!tap_ok(cgroup_fd >= 0, "open the cgroup"))
                return;

        /* Without a program the probes all pass: the v1 devices cgroup of
         * this process is its root, so the program alone decides below. */
        char got[ARRAY_SIZE(probes) + 1] = "";
        tap_ok(probe_in_cgroup(cgroup_fd, got) && strcmp(got, "++++++") == 0,
               "no program yet: every probe passes (%s)", got);

        /* Each scenario on the same cgroup: every apply replaces the last. */
        for (size_t s = 0; s < ARRAY_SIZE(scenarios); s++)
                check_apply(cgroup_fd, scenarios[s].rules, scenarios[s].len, scenarios[s].expect,
                            BPF_F_ALLOW_MULTI, scenarios[s].name);

        /* Replacement, explicitly: set A, then set B. */
        ocispec_device_cgroup set_a[] = {RULE(true, "a", ANY, ANY, "rwm")};
        ocispec_device_cgroup set_b[] = {DENY_ALL, RULE(true, "c", 1, 3, "rwm")};
        uint32_t ids[64], count = 0, flags = 0, id_a = 0;
        check_apply(cgroup_fd, set_a, 1, "++++++", BPF_F_ALLOW_MULTI, "set A (allow all)");
        if (query(cgroup_fd, ids, ARRAY_SIZE(ids), &count, &flags) == 0 && count == 1)
                id_a = ids[0];
        check_apply(cgroup_fd, set_b, 2, "+----+", BPF_F_ALLOW_MULTI,
                    "set B replaces A (deny-all, allow c 1:3 rwm)");
        tap_ok(query(cgroup_fd, ids, ARRAY_SIZE(ids), &count, &flags) == 0 && count == 1 &&
                   ids[0] != id_a,
               "the program of set A is detached, B's is a new one");

        /* Invalid rules fail before touching the cgroup. */
        ocispec_device_cgroup invalid[] = {RULE(true, "c", ANY, ANY, "rwq")};
        ocirun_error *error = NULL;
        int r = cgroup_devices_bpf_apply(cgroup_fd, invalid, 1, &error);
        uint32_t after[64];
        tap_ok(r == -EINVAL && query(cgroup_fd, after, ARRAY_SIZE(after), &count, &flags) == 0 &&
                   count == 1 && after[0] == ids[0],
               "invalid rules: EINVAL, the attached program stays");
        ocirun_error_free(error);
        error = NULL;

        /* Programs another manager attached: several with ALLOW_MULTI all go. */
        tap_ok(detach_all(cgroup_fd) && attach_foreign(cgroup_fd, true, BPF_F_ALLOW_MULTI) &&
                   attach_foreign(cgroup_fd, false, BPF_F_ALLOW_MULTI),
               "attach an allow-all and a deny-all program of the test's own");
        check_apply(cgroup_fd, set_a, 1, "++++++", BPF_F_ALLOW_MULTI,
                    "over two foreign ALLOW_MULTI programs");

        /* One attached without ALLOW_MULTI refuses company: it is replaced in
         * place, keeping its flags. */
        tap_ok(detach_all(cgroup_fd) && attach_foreign(cgroup_fd, true, 0),
               "attach an allow-all program without flags");
        check_apply(cgroup_fd, set_b, 2, "+----+", 0, "over a foreign program without flags");
        tap_ok(detach_all(cgroup_fd) && attach_foreign(cgroup_fd, true, BPF_F_ALLOW_OVERRIDE),
               "attach an allow-all program with BPF_F_ALLOW_OVERRIDE");
        check_apply(cgroup_fd, set_b, 2, "+----+", BPF_F_ALLOW_OVERRIDE,
                    "over a foreign program with BPF_F_ALLOW_OVERRIDE");

        /* Not a cgroup: the error says which step failed. */
        int tmp_fd = open("/tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        r = cgroup_devices_bpf_apply(tmp_fd, set_b, 2, &error);
        tap_ok(r < 0 && error && strstr(error->message, "BPF_CGROUP_DEVICE"),
               "a directory that is not a cgroup: %s", error ? error->message : "(no error)");
        ocirun_error_free(error);
        close(tmp_fd);
        close(cgroup_fd);

        cleanup();
        tap_ok(!made_cgroup, "the test cgroup is removed");
}

int main(void)
{
        atexit(cleanup);
        signal(SIGINT, cleanup_on_signal);
        signal(SIGTERM, cleanup_on_signal);
        signal(SIGHUP, cleanup_on_signal);

        if (geteuid() == 0) {
                /* Root can still be refused BPF (a seccomp profile, lockdown):
                 * find out with the smallest program. */
                cgroup_devices_program probe = {0};
                if (cgroup_devices_program_build(NULL, 0, &probe, NULL) == 0) {
                        int fd = load(&probe);
                        kernel_usable = fd >= 0;
                        if (fd >= 0)
                                close(fd);
                }
                cgroup_devices_program_free(&probe);
        }
        if (!kernel_usable)
                tap_diag("no BPF_PROG_LOAD here: kernel checks are skipped");

        test_empty();
        test_sizes();
        test_errors();
        test_scenarios_model();
        test_random();
        test_in_cgroup();
        return tap_done();
}
