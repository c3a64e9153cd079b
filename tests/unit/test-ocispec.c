/* Unit tests of libocispec: every kind of field the descriptors know (strings,
 * booleans, each integer width at its bounds, enums, patterns, minItems,
 * required, arrays, maps, null, duplicate keys), the exact one-line error
 * messages, malformed and too deeply nested JSON, the runtime-spec examples
 * in $TESTDATA/runtime-spec, round trips, the typed wrappers, the builders and
 * file reading. Documents are written with ' for " to keep the tables readable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocispec.h"
#include "tap.h"

static void freep(void *p)
{
        free(*(void **) p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

/* 'a' -> "a": the tables below would drown in backslashes otherwise. */
static char *json(const char *s)
{
        char *copy = strdup(s);
        for (char *p = copy; p && *p; p++)
                if (*p == '\'')
                        *p = '"';
        return copy;
}

/* printf's %s must not see NULL. */
static const char *str(const char *s)
{
        return s ? s : "(null)";
}

static const char *testdata(void)
{
        const char *dir = getenv("TESTDATA");
        return dir ? dir : "tests/unit/data";
}

/* Test names are one TAP line each: control characters are shown escaped. */
static const char *one_line(const char *s)
{
        static char buf[512];
        size_t n = 0;

        for (; *s && n + 5 < sizeof(buf); s++) {
                unsigned char c = *s;
                n += (size_t) snprintf(buf + n, sizeof(buf) - n,
                                       c < 0x20 || c >= 0x7f ? "\\x%02x" : "%c", c);
        }
        buf[n] = '\0';
        return buf;
}

/* Parses s (after the ' -> " swap) and checks the outcome: success when
 * expected is NULL, otherwise -EINVAL with exactly that message. Returns the
 * document on success for further checks. */
static void *check_parse(const ocispec_type *type, const char *source, const char *s,
                         const char *expected)
{
        _cleanup_free_ char *text = json(s);
        _cleanup_free_ char *error = NULL;
        void *doc = NULL;
        int r = ocispec_parse(type, text, strlen(text), source, &doc, &error);

        if (!expected) {
                if (!tap_ok(r == 0 && doc, "parses: %s", one_line(s)))
                        tap_diag("r=%d error: %s", r, error ? error : "(none)");
                return doc;
        }
        if (!tap_ok(r == -EINVAL && !doc && error && strcmp(error, expected) == 0, "rejects: %s",
                    one_line(s))) {
                tap_diag("r=%d", r);
                tap_diag("expected: %s", expected);
                tap_diag("got:      %s", error ? error : "(none)");
        }
        ocispec_free(type, doc);
        return NULL;
}

/* Generates doc, parses the output and generates again: the two texts must
 * be byte-identical, for the pretty and the compact form. */
static void check_round_trip(const ocispec_type *type, const void *doc, const char *name)
{
        for (unsigned flags = 0; flags <= OCISPEC_GENERATE_PRETTY; flags++) {
                _cleanup_free_ char *first = NULL, *second = NULL, *error = NULL;
                size_t first_len = 0, second_len = 0;
                void *again = NULL;
                int r = ocispec_generate(type, doc, flags, &first, &first_len, &error);
                if (r == 0)
                        r = ocispec_parse(type, first, first_len, "generated", &again, &error);
                if (r == 0)
                        r = ocispec_generate(type, again, flags, &second, &second_len, &error);
                ocispec_free(type, again);
                if (!tap_ok(r == 0 && first_len == second_len && first_len == strlen(first) &&
                                memcmp(first, second, first_len) == 0,
                            "round trip (%s) of %s", flags ? "pretty" : "compact", name))
                        tap_diag("r=%d error: %s first: %s second: %s", r, error ? error : "",
                                 first ? first : "", second ? second : "");
        }
}

#define CONFIG(rest) "{'ociVersion':'1.0.0'," rest "}"
#define PROCESS(rest) CONFIG("'process':{'cwd':'/'," rest "}")
#define RESOURCES(rest) CONFIG("'linux':{'resources':{" rest "}}")

struct error_case {
        const ocispec_type *type;
        const char *source;
        const char *json;
        const char *expected;
};

#define C(doc, message)                                                                            \
        {                                                                                          \
                &ocispec_config_type, "config.json", doc, "config.json: " message                  \
        }

static const struct error_case error_cases[] = {
    /* The messages promised in the design. */
    C(RESOURCES("'memory':{'limit':'1G'}"),
      "linux.resources.memory.limit: expected integer, got string \"1G\""),
    C(PROCESS("'user':{'uid':-1}"), "process.user.uid: -1 is out of range (0 to 4294967295)"),
    C(CONFIG("'linux':{'namespaces':[{'type':'foo'}]}"),
      "linux.namespaces[0].type: \"foo\" is not one of mount, pid, network, uts, ipc, user, "
      "cgroup, time"),
    C(RESOURCES("'hugepageLimits':[{'limit':1,'pageSize':'64kB'}]"),
      "linux.resources.hugepageLimits[0].pageSize: \"64kB\" does not match ^[1-9][0-9]*[KMG]B$"),
    C(CONFIG("'root':{'readonly':true}"), "root: missing required property \"path\""),
    C(CONFIG("'linux':{'sysctl':{'net.ipv4.ip_forward':1}}"),
      "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got integer 1"),
    C("[]", "expected object, got array"),
    C("'x'", "expected object, got string \"x\""),
    C("null", "expected object, got null"),

    /* Strings: every other JSON type is named with its value. */
    C(CONFIG("'hostname':5"), "hostname: expected string, got integer 5"),
    C(CONFIG("'hostname':-5.25e1"), "hostname: expected string, got number -5.25e1"),
    C(CONFIG("'hostname':true"), "hostname: expected string, got boolean true"),
    C(CONFIG("'hostname':false"), "hostname: expected string, got boolean false"),
    C(CONFIG("'hostname':{}"), "hostname: expected string, got object"),
    C(CONFIG("'hostname':['a']"), "hostname: expected string, got array"),
    C(CONFIG("'hostname':'a\\u0000b'"), "hostname: string contains a NUL character"),

    /* Booleans. */
    C(CONFIG("'root':{'path':'r','readonly':'yes'}"),
      "root.readonly: expected boolean, got string \"yes\""),
    C(CONFIG("'root':{'path':'r','readonly':1}"), "root.readonly: expected boolean, got integer 1"),
    C(CONFIG("'root':{'path':'r','readonly':[]}"), "root.readonly: expected boolean, got array"),

    /* Quoted values are escaped to one printable line and truncated. */
    C(CONFIG("'root':{'path':'r','readonly':'a\\tb\\n\\u0001\\u00e9\\'\\\\'}"),
      "root.readonly: expected boolean, got string \"a\\tb\\n\\x01\\xc3\\xa9\\\"\\\\\""),
    C(CONFIG("'root':{'path':'r','readonly':'0123456789012345678901234567890123456789XYZ'}"),
      "root.readonly: expected boolean, got string "
      "\"0123456789012345678901234567890123456789\"..."),
    C(RESOURCES("'memory':{'limit':12345678901234567890123456789012345678901234567890}"),
      "linux.resources.memory.limit: 1234567890123456789012345678901234567890... is out of range "
      "(-9223372036854775808 to 9223372036854775807)"),

    /* Integers: only integers, and each width at its bounds + 1. */
    C(RESOURCES("'memory':{'limit':1.5}"),
      "linux.resources.memory.limit: expected integer, got number 1.5"),
    C(RESOURCES("'memory':{'limit':1e3}"),
      "linux.resources.memory.limit: expected integer, got number 1e3"),
    C(RESOURCES("'memory':{'limit':1.0}"),
      "linux.resources.memory.limit: expected integer, got number 1.0"),
    C(RESOURCES("'memory':{'limit':true}"),
      "linux.resources.memory.limit: expected integer, got boolean true"),
    C(RESOURCES("'memory':{'limit':-9223372036854775809}"),
      "linux.resources.memory.limit: -9223372036854775809 is out of range "
      "(-9223372036854775808 to 9223372036854775807)"),
    C(RESOURCES("'memory':{'limit':9223372036854775808}"),
      "linux.resources.memory.limit: 9223372036854775808 is out of range "
      "(-9223372036854775808 to 9223372036854775807)"),
    C(RESOURCES("'memory':{'swappiness':-1}"),
      "linux.resources.memory.swappiness: -1 is out of range (0 to 18446744073709551615)"),
    C(RESOURCES("'memory':{'swappiness':18446744073709551616}"),
      "linux.resources.memory.swappiness: 18446744073709551616 is out of range "
      "(0 to 18446744073709551615)"),
    C(PROCESS("'user':{'uid':4294967296}"),
      "process.user.uid: 4294967296 is out of range (0 to 4294967295)"),
    C(PROCESS("'user':{'additionalGids':[1,-2]}"),
      "process.user.additionalGids[1]: -2 is out of range (0 to 4294967295)"),
    C(PROCESS("'user':{'additionalGids':[1,'2']}"),
      "process.user.additionalGids[1]: expected integer, got string \"2\""),
    C(PROCESS("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':2147483648}"),
      "process.ioPriority.priority: 2147483648 is out of range (-2147483648 to 2147483647)"),
    C(PROCESS("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':-2147483649}"),
      "process.ioPriority.priority: -2147483649 is out of range (-2147483648 to 2147483647)"),
    /* fileMode is a whole st_mode, as runc takes it (generate.py WIDER_RANGE). */
    C(CONFIG("'linux':{'devices':[{'type':'c','path':'/dev/x','fileMode':4294967296}]}"),
      "linux.devices[0].fileMode: 4294967296 is out of range (0 to 4294967295)"),
    C(CONFIG("'linux':{'devices':[{'type':'c','path':'/dev/x','fileMode':-1}]}"),
      "linux.devices[0].fileMode: -1 is out of range (0 to 4294967295)"),
    C(CONFIG("'hooks':{'prestart':[{'path':'/h','timeout':0}]}"),
      "hooks.prestart[0].timeout: 0 is out of range (1 to 9223372036854775807)"),
    C(RESOURCES("'blockIO':{'weight':65536}"),
      "linux.resources.blockIO.weight: 65536 is out of range (0 to 65535)"),
    C(RESOURCES("'blockIO':{'weightDevice':[{'major':1,'minor':2,'leafWeight':-1}]}"),
      "linux.resources.blockIO.weightDevice[0].leafWeight: -1 is out of range (0 to 65535)"),

    /* Enums and patterns, also on array items. */
    C(PROCESS("'scheduler':{'policy':'SCHED_FAST'}"),
      "process.scheduler.policy: \"SCHED_FAST\" is not one of SCHED_OTHER, SCHED_FIFO, "
      "SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE"),
    C(PROCESS("'scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_RECLAIM','x']}"),
      "process.scheduler.flags[1]: \"x\" is not one of SCHED_FLAG_RESET_ON_FORK, "
      "SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, "
      "SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX"),
    C(CONFIG("'linux':{'rootfsPropagation':'Private'}"),
      "linux.rootfsPropagation: \"Private\" is not one of private, shared, slave, unbindable, "
      "rprivate, rshared, rslave, runbindable"),
    C(PROCESS("'rlimits':[{'type':'rlimit_core','soft':1,'hard':1}]"),
      "process.rlimits[0].type: \"rlimit_core\" does not match ^RLIMIT_[A-Z]+$"),
    C(PROCESS("'execCPUAffinity':{'initial':'0-3,x'}"),
      "process.execCPUAffinity.initial: \"0-3,x\" does not match ^[0-9, -]*$"),
    C(CONFIG("'linux':{'devices':[{'type':'cb','path':'/dev/x'}]}"),
      "linux.devices[0].type: \"cb\" does not match ^[cbup]$"),
    /* [^\n] must really exclude the newline after the POSIX translation. */
    C(CONFIG("'linux':{'intelRdt':{'memBwSchema':'MB:0=70\\n1=70'}}"),
      "linux.intelRdt.memBwSchema: \"MB:0=70\\n1=70\" does not match ^MB:[^\\n]*$"),
    C(CONFIG("'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
             "'action':'SCMP_ACT_ERRNO'},{'names':['b'],'action':'SCMP_ACT_ERRNO','args':[{"
             "'index':0,'value':1,'op':'SCMP_CMP_EQUAL'}]}]}}"),
      "linux.seccomp.syscalls[1].args[0].op: \"SCMP_CMP_EQUAL\" is not one of SCMP_CMP_NE, "
      "SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ"),

    /* Arrays: type, items, minItems. */
    C(PROCESS("'args':'sh'"), "process.args: expected array, got string \"sh\""),
    C(PROCESS("'args':['sh',1]"), "process.args[1]: expected string, got integer 1"),
    C(PROCESS("'args':['sh',null]"), "process.args[1]: expected string, got null"),
    C(CONFIG("'mounts':{}"), "mounts: expected array, got object"),
    C(CONFIG("'mounts':[1]"), "mounts[0]: expected object, got integer 1"),
    C(CONFIG("'mounts':[{'destination':'/a'},{}]"),
      "mounts[1]: missing required property \"destination\""),
    C(CONFIG("'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
             "'action':'SCMP_ACT_ERRNO'}]}}"),
      "linux.seccomp.syscalls[0].names: expected at least 1 item, got 0"),

    /* Required properties, and null does not satisfy them. */
    C("{}", "missing required property \"ociVersion\""),
    C("{'ociVersion':null}", "missing required property \"ociVersion\""),
    C(CONFIG("'linux':{'seccomp':{}}"),
      "linux.seccomp: missing required property \"defaultAction\""),
    C(CONFIG("'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a']}]}}"),
      "linux.seccomp.syscalls[0]: missing required property \"action\""),
    C(RESOURCES("'pids':{'limit':null}"),
      "linux.resources.pids: missing required property \"limit\""),
    C(CONFIG("'process':{'args':['sh']}"), "process: missing required property \"cwd\""),

    /* Objects and maps. */
    C(CONFIG("'process':[]"), "process: expected object, got array"),
    C(CONFIG("'annotations':[]"), "annotations: expected object, got array"),
    C(CONFIG("'annotations':{'a':'1','b':true}"),
      "annotations.b: expected string, got boolean true"),
    C(CONFIG("'annotations':{'org.opencontainers.x':{}}"),
      "annotations[\"org.opencontainers.x\"]: expected string, got object"),
    C(CONFIG("'annotations':{'a\\'b\\n':1}"),
      "annotations[\"a\\\"b\\n\"]: expected string, got integer 1"),
    C(CONFIG("'annotations':{'':1}"), "annotations[\"\"]: expected string, got integer 1"),
    C(CONFIG("'annotations':{'9lives':1}"),
      "annotations[\"9lives\"]: expected string, got integer 1"),
    C(CONFIG("'annotations':{'a\\u0000b':'x'}"),
      "annotations[\"a\\x00b\"]: key contains a NUL character"),
    C(CONFIG("'linux':{'netDevices':[]}"), "linux.netDevices: expected object, got array"),
    C(CONFIG("'linux':{'netDevices':{'eth0':'eth1'}}"),
      "linux.netDevices.eth0: expected object, got string \"eth1\""),
    C(RESOURCES("'rdma':{'mlx5_1':{'hcaHandles':1},'mlx5_2':{'hcaObjects':-1}}"),
      "linux.resources.rdma.mlx5_2.hcaObjects: -1 is out of range (0 to 4294967295)"),

    /* Malformed JSON: the line and column (1-based, in bytes) where yajl
     * stopped: the offending character or the end of the offending token. */
    C("{]", "line 1, column 2: malformed JSON: invalid object key (must be a string)"),
    C("{\n  'ociVersion': '1.0.0',\n    }",
      "line 3, column 5: malformed JSON: invalid object key (must be a string)"),
    C("{'ociVersion' '1'}",
      "line 1, column 17: malformed JSON: object key and value must be separated by a colon "
      "(':')"),
    C("{'ociVersion':'1'} x", "line 1, column 20: malformed JSON: trailing garbage"),
    C("{'ociVersion':'1'}{}", "line 1, column 19: malformed JSON: trailing garbage"),
    C("{'a':[1,", "line 1, column 9: malformed JSON: premature EOF"),
    C("{'a':tru}", "line 1, column 8: malformed JSON: invalid string in json text"),
    C("{'a':'x\ny'}", "line 1, column 7: malformed JSON: invalid character inside string"),
    C("/* c */{}", "line 1, column 1: malformed JSON: probable comment found in input text, "
                   "comments are not enabled"),
    C("{'a':01}", "line 1, column 6: malformed JSON: after key and value, inside map, I expect "
                  "',' or '}'"),
    C("", "empty document, expected a JSON object"),
    C(" \n\t\r ", "empty document, expected a JSON object"),
    C("{'ociVersion':'\xff'}", "line 1, column 16: malformed JSON: invalid bytes in UTF8 string"),

    /* The other roots. */
    {&ocispec_process_type, "process.json", "{'args':['sh']}",
     "process.json: missing required property \"cwd\""},
    {&ocispec_process_type, "process.json", "{'cwd':'/','consoleSize':{'height':1}}",
     "process.json: consoleSize: missing required property \"width\""},
    {&ocispec_state_type, "state.json",
     "{'ociVersion':'1','id':'c','status':'paused','bundle':'/b'}",
     "state.json: status: \"paused\" is not one of creating, created, running, stopped"},
    {&ocispec_state_type, "state.json",
     "{'ociVersion':'1','id':'c','status':'running','bundle':'/b','pid':-1}",
     "state.json: pid: -1 is out of range (0 to 9223372036854775807)"},
    {&ocispec_state_type, "state.json", "{'ociVersion':'1','status':'running','bundle':'/b'}",
     "state.json: missing required property \"id\""},
    {&ocispec_runtime_state_type, "state.json",
     "{'ociVersion':'1','id':'c','status':'paused','bundle':'/b','pid':2147483648}",
     "state.json: pid: 2147483648 is out of range (0 to 2147483647)"},
    {&ocispec_runtime_state_type, "state.json",
     "{'ociVersion':'1','id':'c','status':'paused','bundle':'/b','initStartTime':-1}",
     "state.json: initStartTime: -1 is out of range (0 to 18446744073709551615)"},
    {&ocispec_features_type, "features.json",
     "{'ociVersionMin':'1','ociVersionMax':'2','linux':{'capabilities':['CAP_KILL','cap_x']}}",
     "features.json: linux.capabilities[1]: \"cap_x\" does not match ^CAP_[A-Z_]+$"},
    {&ocispec_features_type, "features.json",
     "{'ociVersionMin':'1','ociVersionMax':'2','linux':{'namespaces':['pid','net']}}",
     "features.json: linux.namespaces[1]: \"net\" is not one of mount, pid, network, uts, ipc, "
     "user, cgroup, time"},
    {&ocispec_features_type, "features.json",
     "{'ociVersionMin':'1','ociVersionMax':'2','linux':{'mountExtensions':{'idmap':{'enabled':"
     "'yes'}}}}",
     "features.json: linux.mountExtensions.idmap.enabled: expected boolean, got string \"yes\""},
    /* Without a source, messages start with the path. */
    {&ocispec_config_type, NULL, "{'ociVersion':1}", "ociVersion: expected string, got integer 1"},
    {&ocispec_config_type, NULL, "[]", "expected object, got array"},
};

static void test_error_cases(void)
{
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                const struct error_case *c = &error_cases[i];
                check_parse(c->type, c->source, c->json, c->expected);
        }
}

/* The bounds themselves are inside the range (the rejections above test the
 * values just outside). */
static const struct error_case accepted_bounds[] = {
    {&ocispec_config_type, NULL,
     CONFIG("'linux':{'devices':[{'type':'c','path':'/a','fileMode':0},"
            "{'type':'u','path':'/b','fileMode':4294967295,'major':-9223372036854775808}]}")},
    {&ocispec_config_type, NULL, CONFIG("'hooks':{'poststop':[{'path':'/h','timeout':1}]}")},
    {&ocispec_config_type, NULL,
     RESOURCES("'memory':{'swappiness':0},'blockIO':{'weight':0,'leafWeight':65535}")},
    {&ocispec_state_type, NULL,
     "{'ociVersion':'1','id':'c','status':'running','bundle':'/b','pid':0}"},
    {&ocispec_runtime_state_type, NULL,
     "{'ociVersion':'1','id':'c','status':'paused','bundle':'/b','pid':2147483647,"
     "'initStartTime':0}"},
    {&ocispec_features_type, NULL,
     "{'ociVersionMin':'1','ociVersionMax':'2','linux':{'capabilities':[],'namespaces':['time']}}"},
    {&ocispec_config_type, NULL, CONFIG("'linux':{'intelRdt':{'memBwSchema':'MB:0=70;1=70'}}")},
    {&ocispec_config_type, NULL, PROCESS("'execCPUAffinity':{'initial':'0-3, 7','final':''}")},
};

/* Values land in the right members with the right C types. */
static void test_values(void)
{
        for (size_t i = 0; i < sizeof(accepted_bounds) / sizeof(accepted_bounds[0]); i++) {
                const struct error_case *c = &accepted_bounds[i];
                void *doc = check_parse(c->type, c->source, c->json, NULL);
                if (doc)
                        check_round_trip(c->type, doc, "the document above");
                ocispec_free(c->type, doc);
        }

        ocispec_config *c = check_parse(
            &ocispec_config_type, "config.json",
            PROCESS("'args':['sh','-c','true'],'env':[],'terminal':false,"
                    "'user':{'uid':4294967295,'gid':0,'additionalGids':[0,4294967295]},"
                    "'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':-2147483648},"
                    "'scheduler':{'policy':'SCHED_RR','nice':2147483647,'runtime':"
                    "18446744073709551615},'oomScoreAdj':-1000,"
                    "'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':18446744073709551615}]"),
            NULL);
        ocispec_process *p;

        if (!c)
                return;
        p = c->process;
        tap_ok(strcmp(c->oci_version, "1.0.0") == 0 && c->root == NULL && c->linux == NULL &&
                   c->mounts == NULL && c->mounts_len == 0,
               "absent members are NULL");
        tap_ok(p->args_len == 3 && strcmp(p->args[0], "sh") == 0 &&
                   strcmp(p->args[2], "true") == 0 && p->args[3] == NULL,
               "string arrays keep their order and end with NULL");
        tap_ok(p->env && p->env_len == 0 && p->env[0] == NULL,
               "an empty string array is present: non-NULL and NULL-terminated");
        tap_ok(p->has_terminal && !p->terminal && !p->has_no_new_privileges,
               "false booleans are present, absent ones are not");
        tap_ok(p->user->has_uid && p->user->uid == 4294967295u && p->user->has_gid &&
                   p->user->gid == 0 && !p->user->has_umask,
               "uint32 maximum and zero");
        tap_ok(p->user->additional_gids_len == 2 && p->user->additional_gids[0] == 0 &&
                   p->user->additional_gids[1] == 4294967295u,
               "integer arrays");
        tap_ok(p->io_priority->has_priority && p->io_priority->priority == INT32_MIN,
               "int32 minimum");
        tap_ok(p->scheduler->nice == INT32_MAX && p->scheduler->runtime == UINT64_MAX &&
                   !p->scheduler->has_deadline,
               "int32 maximum, uint64 maximum");
        tap_ok(p->has_oom_score_adj && p->oom_score_adj == -1000, "unbounded integers are int64");
        tap_ok(p->rlimits_len == 1 && strcmp(p->rlimits[0].type, "RLIMIT_NOFILE") == 0 &&
                   p->rlimits[0].soft == 1024 && p->rlimits[0].hard == UINT64_MAX,
               "object arrays hold structs by value");
        check_round_trip(&ocispec_config_type, c, "the value test document");
        ocispec_config_free(c);

        ocispec_linux_resources *r =
            check_parse(&ocispec_linux_resources_type, NULL,
                        "{'memory':{'limit':-9223372036854775808,'swap':9223372036854775807,"
                        "'disableOOMKiller':true},'pids':{'limit':-1},'hugepageLimits':[],"
                        "'devices':[],'blockIO':{'weight':65535,'weightDevice':[{'major':8,"
                        "'minor':0,'weight':10}]},'rdma':{}}",
                        NULL);
        if (!r)
                return;
        tap_ok(r->memory->limit == INT64_MIN && r->memory->swap == INT64_MAX &&
                   r->memory->has_disable_oom_killer && r->memory->disable_oom_killer &&
                   !r->memory->has_use_hierarchy,
               "int64 minimum and maximum");
        tap_ok(r->pids->has_limit && r->pids->limit == -1, "negative int64");
        tap_ok(r->hugepage_limits && r->hugepage_limits_len == 0 && r->devices &&
                   r->devices_len == 0,
               "empty object arrays are present");
        tap_ok(r->block_io->weight == 65535 && r->block_io->weight_device_len == 1 &&
                   r->block_io->weight_device[0].major == 8 &&
                   r->block_io->weight_device[0].has_minor &&
                   r->block_io->weight_device[0].weight == 10 &&
                   !r->block_io->weight_device[0].has_leaf_weight,
               "allOf merges the properties of blockIODeviceWeight");
        tap_ok(r->rdma && r->rdma->len == 0, "an empty object map is present");
        check_round_trip(&ocispec_linux_resources_type, r, "linux.resources");
        ocispec_free(&ocispec_linux_resources_type, r);

        /* -0 is an integer, and 0. */
        ocispec_state *s = check_parse(
            &ocispec_state_type, NULL,
            "{'ociVersion':'1','id':'c','status':'created','bundle':'/b','pid':-0}", NULL);
        tap_ok(s && s->has_pid && s->pid == 0, "-0 reads as 0");
        ocispec_state_free(s);
}

static void test_maps(void)
{
        ocispec_config *c = check_parse(
            &ocispec_config_type, NULL,
            CONFIG("'annotations':{'z':'1','a':'2','org.x/y':'','m':'3'},"
                   "'linux':{'sysctl':{},'netDevices':{'eth0':{'name':'ctr0'},'eth1':{}},"
                   "'resources':{'unified':{'memory.max':'max'},'rdma':{'mlx5_1':{'hcaHandles':3,"
                   "'hcaObjects':10000},'rxe3':{'hcaObjects':1}}}}"),
            NULL);
        ocispec_string_map *a;

        if (!c)
                return;
        a = c->annotations;
        tap_ok(a && a->len == 4 && strcmp(a->keys[0], "z") == 0 && strcmp(a->values[0], "1") == 0 &&
                   strcmp(a->keys[1], "a") == 0 && strcmp(a->keys[3], "m") == 0 &&
                   strcmp(a->values[2], "") == 0,
               "string maps keep document order");
        tap_ok(strcmp(ocispec_string_map_get(a, "org.x/y"), "") == 0 &&
                   strcmp(ocispec_string_map_get(a, "m"), "3") == 0 &&
                   ocispec_string_map_get(a, "q") == NULL &&
                   ocispec_string_map_get(NULL, "q") == NULL,
               "ocispec_string_map_get");
        tap_ok(c->linux->sysctl && c->linux->sysctl->len == 0, "an empty string map is present");
        tap_ok(c->linux->net_devices->len == 2 &&
                   strcmp(c->linux->net_devices->keys[1], "eth1") == 0 &&
                   strcmp(c->linux->net_devices->values[0].name, "ctr0") == 0 &&
                   c->linux->net_devices->values[1].name == NULL,
               "object maps hold structs by value");
        tap_ok(c->linux->resources->rdma->len == 2 &&
                   c->linux->resources->rdma->values[0].hca_handles == 3 &&
                   c->linux->resources->rdma->values[0].hca_objects == 10000 &&
                   !c->linux->resources->rdma->values[1].has_hca_handles,
               "rdma map");
        tap_ok(strcmp(ocispec_string_map_get(c->linux->resources->unified, "memory.max"), "max") ==
                   0,
               "resources.unified");
        check_round_trip(&ocispec_config_type, c, "the map test document");
        ocispec_config_free(c);
}

/* Go tools write null for empty things; unknown properties belong to other
 * runtimes or newer specs. Neither is an error. */
static void test_null_and_unknown(void)
{
        ocispec_config *c = check_parse(
            &ocispec_config_type, NULL,
            CONFIG("'annotations':null,'hostname':null,'mounts':null,'process':null,"
                   "'root':{'path':'r','readonly':null},'linux':{'sysctl':null,'resources':"
                   "{'memory':{'limit':null}},'netDevices':{'a':null}},"
                   "'annotations2':{'deep':[[[[1]]]]},'solaris':{'anything':1},"
                   "'windows':7,'vm':[],'zos':'z','freebsd':null,'ociVersion2':1"),
            NULL);
        if (!c)
                return;
        tap_ok(!c->annotations && !c->hostname && !c->mounts && c->mounts_len == 0 && !c->process,
               "null members are absent");
        tap_ok(!c->root->has_readonly && !c->linux->sysctl && c->linux->resources->memory &&
                   !c->linux->resources->memory->has_limit,
               "null nested members are absent");
        tap_ok(c->linux->net_devices && c->linux->net_devices->len == 0,
               "null values in a map are absent");
        ocispec_config_free(c);

        /* null items in arrays are not "absent": an array has no holes. */
        check_parse(&ocispec_config_type, NULL, CONFIG("'mounts':[null]"),
                    "mounts[0]: expected object, got null");
}

/* The last of repeated keys wins, and the earlier values are freed (valgrind
 * checks that part). */
static void test_duplicates(void)
{
        ocispec_config *c = check_parse(
            &ocispec_config_type, NULL,
            "{'ociVersion':'0','ociVersion':'1.0.0','hostname':'a','hostname':null,"
            "'root':{'path':'x'},'root':{'path':'y','readonly':true},"
            "'mounts':[{'destination':'/a','options':['ro']}],'mounts':[{'destination':'/b'}],"
            "'annotations':{'k':'1','j':'2','k':'3','l':'4','j':'5'},"
            "'linux':{'netDevices':{'e':{'name':'x'},'e':{'name':'y'}},'uidMappings':"
            "[{'containerID':0,'hostID':1,'size':1,'size':2}]}}",
            NULL);
        ocispec_string_map *a;

        if (!c)
                return;
        a = c->annotations;
        tap_ok(strcmp(c->oci_version, "1.0.0") == 0 && c->hostname == NULL,
               "repeated scalar: the last wins, even null");
        tap_ok(strcmp(c->root->path, "y") == 0 && c->root->readonly,
               "repeated object: the last wins");
        tap_ok(c->mounts_len == 1 && strcmp(c->mounts[0].destination, "/b") == 0 &&
                   c->mounts[0].options == NULL,
               "repeated array: the last wins");
        tap_ok(a->len == 3 && strcmp(a->keys[0], "k") == 0 && strcmp(a->values[0], "3") == 0 &&
                   strcmp(a->keys[1], "l") == 0 && strcmp(a->keys[2], "j") == 0 &&
                   strcmp(a->values[2], "5") == 0,
               "repeated map keys: one entry each, the last value, at the last position");
        tap_ok(c->linux->net_devices->len == 1 &&
                   strcmp(c->linux->net_devices->values[0].name, "y") == 0,
               "repeated object map keys");
        tap_ok(c->linux->uid_mappings[0].size == 2, "repeated key inside an array item");
        ocispec_config_free(c);

        /* An error after a duplicate frees both values too. */
        check_parse(&ocispec_config_type, "config.json",
                    CONFIG("'annotations':{'a':'1','a':'2','b':3}"),
                    "config.json: annotations.b: expected string, got integer 3");
}

static void test_malformed(void)
{
        /* yajl gets the exact length: a NUL byte is an invalid character, not
         * the end of the input. */
        static const char with_nul[] = "{\"ociVersion\":\"1\"}\0garbage";
        _cleanup_free_ char *error = NULL;
        void *doc = NULL;
        int r = ocispec_parse(&ocispec_config_type, with_nul, sizeof(with_nul) - 1, "config.json",
                              &doc, &error);
        tap_ok(r == -EINVAL && error &&
                   strcmp(error, "config.json: line 1, column 19: malformed JSON: trailing "
                                 "garbage") == 0,
               "a NUL byte after the document is garbage (%s)", str(error));
        free(error);
        error = NULL;
        r = ocispec_parse(&ocispec_config_type, "{\"ociVersion\":\"1\"}", 5, "config.json", &doc,
                          &error);
        tap_ok(r == -EINVAL && error &&
                   strcmp(error, "config.json: line 1, column 6: malformed JSON: premature EOF") ==
                       0,
               "only len bytes are read (%s)", str(error));
        free(error);
        error = NULL;
        r = ocispec_parse(&ocispec_config_type, NULL, 0, "config.json", &doc, &error);
        tap_ok(r == -EINVAL && doc == NULL &&
                   strcmp(error, "config.json: empty document, expected a JSON object") == 0,
               "NULL data of length 0 is an empty document");
        free(error);
        error = NULL;
        r = ocispec_parse(&ocispec_config_type, "[", 1, NULL, &doc, NULL);
        tap_ok(r == -EINVAL && doc == NULL, "ret_error may be NULL");
}

static char *nested(size_t depth, const char *prefix, const char *suffix)
{
        size_t p = strlen(prefix), s = strlen(suffix);
        char *text = malloc(p + 2 * depth + s + 1);
        memcpy(text, prefix, p);
        memset(text + p, '[', depth);
        memset(text + p + depth, ']', depth);
        memcpy(text + p + 2 * depth, suffix, s + 1);
        return text;
}

static void test_depth(void)
{
        /* The object is level 1: 63 arrays inside it make 64 levels. */
        _cleanup_free_ char *ok = nested(63, "{\"ociVersion\":\"1\",\"x\":", "}");
        _cleanup_free_ char *too_deep = nested(64, "{\"ociVersion\":\"1\",\"x\":", "}");
        _cleanup_free_ char *error = NULL;
        void *doc = NULL;
        int r;

        r = ocispec_parse(&ocispec_config_type, ok, strlen(ok), "config.json", &doc, &error);
        tap_ok(r == 0, "64 levels of nesting are accepted");
        ocispec_free(&ocispec_config_type, doc);
        doc = NULL;
        r = ocispec_parse(&ocispec_config_type, too_deep, strlen(too_deep), "config.json", &doc,
                          &error);
        tap_ok(r == -EINVAL && error &&
                   strcmp(error, "config.json: line 1, column 86: JSON nested deeper than 64 "
                                 "levels") == 0,
               "65 levels are rejected: %s", str(error));
        free(error);
        error = NULL;

        /* What a fuzzer sends: far too deep to recurse over. */
        size_t depth = 1000000;
        _cleanup_free_ char *hostile = malloc(depth);
        memset(hostile, '[', depth);
        r = ocispec_parse(&ocispec_config_type, hostile, depth, "config.json", &doc, &error);
        tap_ok(r == -EINVAL && error &&
                   strcmp(error, "config.json: line 1, column 65: JSON nested deeper than 64 "
                                 "levels") == 0,
               "a million [ are rejected without recursion: %s", str(error));
}

struct example {
        const char *path; /* under $TESTDATA/runtime-spec */
        const ocispec_type *type;
        const char *expected; /* NULL: accepted */
};

static const struct example bad_examples[] = {
    {"config/bad/invalid-json.json", &ocispec_config_type,
     "config/bad/invalid-json.json: line 1, column 2: malformed JSON: invalid object key (must "
     "be a string)"},
    {"config/bad/linux-hugepage.json", &ocispec_config_type,
     "config/bad/linux-hugepage.json: linux.resources.hugepageLimits[0].pageSize: \"64kB\" does "
     "not match ^[1-9][0-9]*[KMG]B$"},
    {"config/bad/linux-netdevice.json", &ocispec_config_type,
     "config/bad/linux-netdevice.json: linux.netDevices.eth0.name: expected string, got "
     "integer 23"},
    {"config/bad/linux-rdma.json", &ocispec_config_type,
     "config/bad/linux-rdma.json: linux.resources.rdma.mlx5_1.hcaHandles: expected integer, "
     "got string \"not a uint32\""},
    /* Bad only for FreeBSD (freebsd.jail.vnet): ocirun ignores the freebsd
     * platform like any unknown property, so the document is accepted. */
    {"config/bad/freebsd-vnet-disable.json", &ocispec_config_type, NULL},
    {"features/bad/missing-ociVersionMax.json", &ocispec_features_type,
     "features/bad/missing-ociVersionMax.json: missing required property \"ociVersionMax\""},
    {"state/bad/invalid-json.json", &ocispec_state_type,
     "state/bad/invalid-json.json: line 1, column 2: malformed JSON: invalid object key (must "
     "be a string)"},
};

static void check_example(const char *relative, const ocispec_type *type, const char *expected)
{
        _cleanup_free_ char *path = NULL, *error = NULL;
        void *doc = NULL;
        int r;

        if (asprintf(&path, "%s/runtime-spec/%s", testdata(), relative) < 0)
                abort();
        r = ocispec_parse_file(type, path, relative, &doc, &error);
        if (expected) {
                if (!tap_ok(r == -EINVAL && error && strcmp(error, expected) == 0, "rejects %s",
                            relative))
                        tap_diag("r=%d expected: %s got: %s", r, expected, error ? error : "");
        } else if (tap_ok(r == 0, "accepts %s", relative)) {
                check_round_trip(type, doc, relative);
        } else {
                tap_diag("r=%d error: %s", r, error);
        }
        ocispec_free(type, doc);
}

/* Walks a directory so that a new example cannot go untested: good ones must
 * parse, bad ones must be in bad_examples. */
static void test_examples(const char *kind, const ocispec_type *type)
{
        for (int good = 1; good >= 0; good--) {
                _cleanup_free_ char *dir_path = NULL;
                struct dirent *entry;
                DIR *dir;
                int seen = 0;

                if (asprintf(&dir_path, "%s/runtime-spec/%s/%s", testdata(), kind,
                             good ? "good" : "bad") < 0)
                        abort();
                dir = opendir(dir_path);
                if (!tap_ok(dir != NULL, "open %s", dir_path))
                        continue;
                while ((entry = readdir(dir))) {
                        _cleanup_free_ char *relative = NULL;
                        const struct example *known = NULL;
                        if (!strstr(entry->d_name, ".json"))
                                continue;
                        seen++;
                        if (asprintf(&relative, "%s/%s/%s", kind, good ? "good" : "bad",
                                     entry->d_name) < 0)
                                abort();
                        if (good) {
                                check_example(relative, type, NULL);
                                continue;
                        }
                        for (size_t i = 0; i < sizeof(bad_examples) / sizeof(bad_examples[0]); i++)
                                if (strcmp(bad_examples[i].path, relative) == 0)
                                        known = &bad_examples[i];
                        if (tap_ok(known != NULL, "%s has an expected outcome", relative))
                                check_example(relative, known->type, known->expected);
                }
                closedir(dir);
                tap_ok(seen > 0, "%s has examples", dir_path);
        }
}

/* process.json (exec --process) is the config's process object on its own. */
static void test_process_root(void)
{
        _cleanup_free_ char *path = NULL, *text = NULL, *error = NULL;
        ocispec_config *config = NULL;
        ocispec_process *process = NULL;
        size_t len;
        int r;

        if (asprintf(&path, "%s/runtime-spec/config/good/spec-example.json", testdata()) < 0)
                abort();
        r = ocispec_config_parse_file(path, NULL, &config, &error);
        if (r == 0)
                r = ocispec_process_generate(config->process, OCISPEC_GENERATE_PRETTY, &text, &len,
                                             &error);
        if (r == 0)
                r = ocispec_process_parse_data(text, len, "process.json", &process, &error);
        tap_ok(r == 0 && process->args_len == 1 && strcmp(process->args[0], "sh") == 0 &&
                   process->capabilities->ambient_len == 1 && process->rlimits_len == 2,
               "the process of spec-example.json as a process.json document (%s)", str(error));
        ocispec_process_free(process);
        ocispec_config_free(config);
}

static void test_typed_wrappers(void)
{
        static const char features[] =
            "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.3.0\","
            "\"hooks\":[\"prestart\"],\"linux\":{\"cgroup\":{\"v2\":true}}}";
        static const char runtime_state[] =
            "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"paused\",\"pid\":42,"
            "\"initStartTime\":18446744073709551615,\"bundle\":\"/b\",\"created\":"
            "\"2024-01-01T00:00:00Z\",\"owner\":\"\",\"annotations\":{\"a\":\"b\"}}";
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t len = 0;
        int r;

        {
                __attribute__((cleanup(ocispec_features_freep))) ocispec_features *f = NULL;
                r = ocispec_features_parse_data(features, strlen(features), "features.json", &f,
                                                &error);
                tap_ok(r == 0 && f->hooks_len == 1 && f->linux->cgroup->has_v2 &&
                           f->linux->cgroup->v2 && !f->linux->cgroup->has_v1,
                       "ocispec_features_parse_data");
                if (r == 0)
                        r = ocispec_features_generate(f, 0, &text, &len, &error);
                tap_ok(r == 0 && len == strlen(features) && strcmp(text, features) == 0,
                       "ocispec_features_generate compact output is the input: %s", str(text));
        }
        free(text);
        text = NULL;
        {
                __attribute__((cleanup(ocispec_runtime_state_freep))) ocispec_runtime_state *s =
                    NULL;
                r = ocispec_runtime_state_parse_data(runtime_state, strlen(runtime_state), NULL, &s,
                                                     &error);
                tap_ok(r == 0 && s->pid == 42 && s->init_start_time == UINT64_MAX &&
                           strcmp(s->status, "paused") == 0 && strcmp(s->owner, "") == 0,
                       "ocispec_runtime_state_parse_data");
                if (r == 0)
                        r = ocispec_runtime_state_generate(s, 0, &text, NULL, &error);
                tap_ok(r == 0 && strcmp(text, runtime_state) == 0,
                       "ocispec_runtime_state_generate with ret_len NULL");
        }
        {
                __attribute__((cleanup(ocispec_state_freep))) ocispec_state *s = NULL;
                r = ocispec_state_parse_data("{", 1, "state.json", &s, &error);
                tap_ok(r == -EINVAL && s == NULL && error, "a failed parse leaves *ret untouched");
        }
        ocispec_config_free(NULL);
        ocispec_process_free(NULL);
        ocispec_free(&ocispec_state_type, NULL);
        tap_ok(1, "the free functions accept NULL");
}

/* A document made in C, as `ocirun spec` makes one. */
static void test_generate(void)
{
        static const char expected[] = "{\n"
                                       "\t\"ociVersion\": \"1.3.0\",\n"
                                       "\t\"annotations\": {\n"
                                       "\t\t\"org.example/key\": \"v\\\"1\\n\"\n"
                                       "\t},\n"
                                       "\t\"root\": {\n"
                                       "\t\t\"path\": \"rootfs\",\n"
                                       "\t\t\"readonly\": true\n"
                                       "\t},\n"
                                       "\t\"process\": {\n"
                                       "\t\t\"args\": [\n"
                                       "\t\t\t\"sh\",\n"
                                       "\t\t\t\"-c\"\n"
                                       "\t\t],\n"
                                       "\t\t\"cwd\": \"/\",\n"
                                       "\t\t\"env\": [],\n"
                                       "\t\t\"user\": {\n"
                                       "\t\t\t\"uid\": 0,\n"
                                       "\t\t\t\"gid\": 4294967295\n"
                                       "\t\t}\n"
                                       "\t},\n"
                                       "\t\"linux\": {\n"
                                       "\t\t\"sysctl\": {},\n"
                                       "\t\t\"timeOffsets\": {}\n"
                                       "\t}\n"
                                       "}\n";
        __attribute__((cleanup(ocispec_config_freep))) ocispec_config *c = calloc(1, sizeof(*c));
        ocispec_process_user user = {.has_uid = true, .gid = UINT32_MAX, .has_gid = true};
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t len = 0;
        int r;

        c->oci_version = strdup("1.3.0");
        c->root = calloc(1, sizeof(*c->root));
        c->root->path = strdup("rootfs");
        c->root->readonly = c->root->has_readonly = true;
        c->process = calloc(1, sizeof(*c->process));
        c->process->cwd = strdup("/");
        tap_ok(ocispec_strv_append(&c->process->args, &c->process->args_len, "sh") == 0 &&
                   ocispec_strv_append(&c->process->args, &c->process->args_len, "-c") == 0 &&
                   c->process->args_len == 2 && c->process->args[2] == NULL,
               "ocispec_strv_append keeps NULL termination");
        c->process->env = calloc(1, sizeof(char *));
        c->process->user = malloc(sizeof(user));
        *c->process->user = user;
        c->linux = calloc(1, sizeof(*c->linux));
        c->linux->time_offsets = calloc(1, sizeof(*c->linux->time_offsets));
        c->linux->sysctl = calloc(1, sizeof(*c->linux->sysctl));
        tap_ok(ocispec_string_map_set(&c->annotations, "org.example/key", "old") == 0 &&
                   ocispec_string_map_set(&c->annotations, "org.example/key", "v\"1\n") == 0 &&
                   c->annotations->len == 1,
               "ocispec_string_map_set replaces an existing key");

        r = ocispec_config_generate(c, OCISPEC_GENERATE_PRETTY, &text, &len, &error);
        if (!tap_ok(r == 0 && strcmp(text, expected) == 0 && len == strlen(expected),
                    "pretty output: tabs, [] and {} for empty, newline at the end"))
                tap_diag("r=%d error=%s", r, error ? error : "");
        free(text);
        text = NULL;
        r = ocispec_config_generate(c, 0, &text, &len, &error);
        tap_ok(r == 0 && strchr(text, '\n') == NULL && text[len - 1] == '}',
               "compact output is one line: %s", str(text));
        check_round_trip(&ocispec_config_type, c, "a document made in C");
}

static ocispec_config *minimal_config(void)
{
        ocispec_config *c = calloc(1, sizeof(*c));
        c->oci_version = strdup("1.0.0");
        return c;
}

static void check_generate_error(ocispec_config *c, const char *what, const char *expected)
{
        _cleanup_free_ char *text = NULL, *error = NULL;
        int r = ocispec_config_generate(c, OCISPEC_GENERATE_PRETTY, &text, NULL, &error);

        if (!tap_ok(r == -EINVAL && text == NULL && error && strcmp(error, expected) == 0,
                    "generate rejects %s", what))
                tap_diag("r=%d expected: %s got: %s", r, expected, error ? error : "");
        ocispec_config_free(c);
}

/* The generator checks documents made in C as the parser would: what it
 * writes can always be read back. */
static void test_generate_checks(void)
{
        ocispec_config *c;

        c = minimal_config();
        free(c->oci_version);
        c->oci_version = NULL;
        check_generate_error(c, "a missing required string",
                             "missing required property \"ociVersion\"");

        c = minimal_config();
        c->root = calloc(1, sizeof(*c->root));
        c->root->has_readonly = true;
        check_generate_error(c, "a missing required nested string",
                             "root: missing required property \"path\"");

        c = minimal_config();
        c->linux = calloc(1, sizeof(*c->linux));
        c->linux->resources = calloc(1, sizeof(*c->linux->resources));
        c->linux->resources->pids = calloc(1, sizeof(*c->linux->resources->pids));
        c->linux->resources->pids->limit = 5; /* but has_limit is false */
        check_generate_error(c, "a missing required integer",
                             "linux.resources.pids: missing required property \"limit\"");

        c = minimal_config();
        c->hooks = calloc(1, sizeof(*c->hooks));
        c->hooks->poststop = calloc(2, sizeof(*c->hooks->poststop));
        c->hooks->poststop_len = 2;
        c->hooks->poststop[0] = (ocispec_hook){.path = strdup("/h")};
        c->hooks->poststop[1] =
            (ocispec_hook){.path = strdup("/h"), .timeout = 0, .has_timeout = true};
        check_generate_error(
            c, "an integer out of the schema's range",
            "hooks.poststop[1].timeout: 0 is out of range (1 to 9223372036854775807)");

        c = minimal_config();
        c->linux = calloc(1, sizeof(*c->linux));
        c->linux->namespaces = calloc(1, sizeof(*c->linux->namespaces));
        c->linux->namespaces_len = 1;
        c->linux->namespaces[0].type = strdup("net");
        check_generate_error(c, "a value outside the enum",
                             "linux.namespaces[0].type: \"net\" is not one of mount, pid, network, "
                             "uts, ipc, user, cgroup, time");

        c = minimal_config();
        c->process = calloc(1, sizeof(*c->process));
        c->process->cwd = strdup("/");
        c->process->rlimits = calloc(1, sizeof(*c->process->rlimits));
        c->process->rlimits_len = 1;
        c->process->rlimits[0] = (ocispec_process_rlimit){
            .type = strdup("NOFILE"), .soft = 1, .has_soft = true, .hard = 1, .has_hard = true};
        check_generate_error(c, "a value not matching the pattern",
                             "process.rlimits[0].type: \"NOFILE\" does not match ^RLIMIT_[A-Z]+$");

        c = minimal_config();
        c->process = calloc(1, sizeof(*c->process));
        c->process->cwd = strdup("/");
        c->process->args = calloc(3, sizeof(char *));
        c->process->args[0] = strdup("sh");
        c->process->args_len = 2; /* args[1] is NULL */
        check_generate_error(c, "a NULL item inside an array's length",
                             "process.args[1]: string is NULL");

        c = minimal_config();
        c->hostname = strdup("caf\xc3");
        check_generate_error(c, "invalid UTF-8", "hostname: string is not valid UTF-8");

        c = minimal_config();
        c->linux = calloc(1, sizeof(*c->linux));
        c->linux->seccomp = calloc(1, sizeof(*c->linux->seccomp));
        c->linux->seccomp->default_action = strdup("SCMP_ACT_ALLOW");
        c->linux->seccomp->syscalls = calloc(1, sizeof(*c->linux->seccomp->syscalls));
        c->linux->seccomp->syscalls_len = 1;
        c->linux->seccomp->syscalls[0].action = strdup("SCMP_ACT_KILL");
        c->linux->seccomp->syscalls[0].names = calloc(1, sizeof(char *));
        check_generate_error(c, "an array shorter than minItems",
                             "linux.seccomp.syscalls[0].names: expected at least 1 item, got 0");

        c = minimal_config();
        tap_ok(ocispec_string_map_set(&c->annotations, "k", "\xff") == 0, "map value set");
        check_generate_error(c, "invalid UTF-8 in a map",
                             "annotations.k: string is not valid UTF-8");

        _cleanup_free_ char *error = NULL;
        char *text = NULL;
        tap_ok(ocispec_generate(&ocispec_config_type, NULL, 0, &text, NULL, &error) == -EINVAL &&
                   text == NULL && strcmp(error, "no document") == 0,
               "generate rejects a NULL document");
}

static void test_builders(void)
{
        ocispec_string_map *map = NULL;
        char **strv = NULL;
        size_t len = 0;

        tap_ok(ocispec_strv_append(&strv, &len, "a") == 0 && len == 1 && strv[1] == NULL,
               "strv_append creates the array");
        tap_ok(ocispec_strv_append(&strv, &len, "") == 0 && len == 2 && strcmp(strv[1], "") == 0 &&
                   strv[2] == NULL,
               "strv_append appends a copy");
        for (size_t i = 0; i < len; i++)
                free(strv[i]);
        free(strv);

        tap_ok(ocispec_string_map_get(map, "a") == NULL, "get on a NULL map");
        tap_ok(ocispec_string_map_set(&map, "a", "1") == 0 && map && map->len == 1,
               "string_map_set creates the map");
        tap_ok(ocispec_string_map_set(&map, "b", "2") == 0 &&
                   ocispec_string_map_set(&map, "a", "3") == 0 && map->len == 2 &&
                   strcmp(map->keys[0], "a") == 0 && strcmp(map->values[0], "3") == 0 &&
                   strcmp(ocispec_string_map_get(map, "b"), "2") == 0,
               "string_map_set appends new keys and replaces old ones in place");
        ocispec_string_map_free(map);
        ocispec_string_map_free(NULL);
}

static void test_parse_file(void)
{
        _cleanup_free_ char *error = NULL, *expected = NULL, *big = NULL;
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        void *doc = NULL;
        int r, fd;

        r = ocispec_parse_file(&ocispec_config_type, "/nonexistent/config.json", "config.json",
                               &doc, &error);
        tap_ok(r == -ENOENT && doc == NULL && error &&
                   strcmp(error, "/nonexistent/config.json: No such file or directory") == 0,
               "a missing file: %s", str(error));
        free(error);
        error = NULL;

        r = ocispec_parse_file(&ocispec_config_type, "/", NULL, &doc, &error);
        tap_ok(r == -EISDIR && error && strcmp(error, "/: Is a directory") == 0, "a directory: %s",
               error);
        free(error);
        error = NULL;

        /* A sparse file: the size alone must be enough to refuse it. */
        if (asprintf(&big, "%s/test-ocispec-XXXXXX", tmp) < 0)
                abort();
        fd = mkstemp(big);
        if (fd >= 0 && ftruncate(fd, OCISPEC_MAX_FILE_SIZE + 1) == 0) {
                r = ocispec_parse_file(&ocispec_config_type, big, "config.json", &doc, &error);
                if (asprintf(&expected, "%s: file is larger than 16 MiB", big) < 0)
                        abort();
                tap_ok(r == -EFBIG && error && strcmp(error, expected) == 0,
                       "a file over 16 MiB: %s", str(error));
                free(error);
                error = NULL;
        } else {
                tap_ok(0, "create %s", big);
        }
        if (fd >= 0) {
                /* Just under the limit the size is fine and the content is judged. */
                if (ftruncate(fd, OCISPEC_MAX_FILE_SIZE) == 0 && pwrite(fd, "{]", 2, 0) == 2) {
                        r = ocispec_parse_file(&ocispec_config_type, big, "config.json", &doc,
                                               &error);
                        tap_ok(r == -EINVAL && error &&
                                   strcmp(error, "config.json: line 1, column 2: malformed "
                                                 "JSON: invalid object key (must be a "
                                                 "string)") == 0,
                               "a 16 MiB file is read: %s", str(error));
                        free(error);
                        error = NULL;
                }
                close(fd);
                unlink(big);
        }

        /* Not a regular file: /dev/null reads as empty. */
        r = ocispec_parse_file(&ocispec_config_type, "/dev/null", NULL, &doc, &error);
        tap_ok(r == -EINVAL && error &&
                   strcmp(error, "/dev/null: empty document, expected a JSON object") == 0,
               "a character device is read until EOF: %s", str(error));
}

int main(void)
{
        test_error_cases();
        test_values();
        test_maps();
        test_null_and_unknown();
        test_duplicates();
        test_malformed();
        test_depth();
        test_examples("config", &ocispec_config_type);
        test_examples("features", &ocispec_features_type);
        test_examples("state", &ocispec_state_type);
        test_process_root();
        test_typed_wrappers();
        test_generate();
        test_generate_checks();
        test_builders();
        test_parse_file();
        return tap_done();
}
