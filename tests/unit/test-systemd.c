/* The systemd driver's decisions without a bus: unit and slice names from a
 * cgroupsPath, the slice's place in the cgroup tree, the unit properties a
 * config's resources, device rules and annotations become. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_systemd.h"
#include "error.h"
#include "tap.h"

static void expect_names(const char *path, const char *id, bool user, const char *unit,
                         const char *slice)
{
        char *got_unit = NULL, *got_slice = NULL;
        ocirun_error *error = NULL;
        int r = systemd_unit_names(path, id, user, &got_unit, &got_slice, &error);
        if (!tap_ok(r == 0 && strcmp(got_unit, unit) == 0 && strcmp(got_slice, slice) == 0,
                    "cgroupsPath `%s` (%s manager) is unit %s in %s", path ? path : "(none)",
                    user ? "user" : "system", unit, slice))
                tap_diag("got %d [%s] [%s] %s", r, got_unit ? got_unit : "",
                         got_slice ? got_slice : "", error ? error->message : "");
        free(got_unit);
        free(got_slice);
        ocirun_error_free(error);
}

static void expect_bad_names(const char *path, const char *id, const char *message_part)
{
        char *unit = NULL, *slice = NULL;
        ocirun_error *error = NULL;
        int r = systemd_unit_names(path, id, false, &unit, &slice, &error);
        if (!tap_ok(r == -EINVAL && unit == NULL && error && strstr(error->message, message_part),
                    "cgroupsPath `%s` is refused: %s", path, message_part))
                tap_diag("got %d: %s", r, error ? error->message : "(no error)");
        free(unit);
        free(slice);
        ocirun_error_free(error);
}

static void test_names(void)
{
        expect_names(NULL, "c1", false, "ocirun-c1.scope", "system.slice");
        expect_names("", "c1", true, "ocirun-c1.scope", "user.slice");
        expect_names("machine.slice:libpod:abc", "x", false, "libpod-abc.scope", "machine.slice");
        expect_names(":crio:abc", "x", false, "crio-abc.scope", "system.slice");
        expect_names(":crio:abc", "x", true, "crio-abc.scope", "user.slice");
        expect_names("kubepods-besteffort.slice:cri-containerd:123", "x", false,
                     "cri-containerd-123.scope", "kubepods-besteffort.slice");
        expect_names("system.slice::abc", "x", false, "abc.scope", "system.slice");
        expect_names("-:p:n", "x", false, "p-n.scope", "-.slice");
        expect_names("system.slice:p:test-a.slice", "x", false, "test-a.slice", "system.slice");
        expect_bad_names("a:b", "x", "slice:prefix:name");
        expect_bad_names("a:b:c:d", "x", "slice:prefix:name");
        expect_bad_names("system.slice:p:", "x", "empty");
        expect_bad_names("system.slice:p:a/b", "x", "not a valid systemd unit name");
        expect_bad_names("nope:p:n", "x", "not a valid systemd slice name");
        expect_bad_names("a--b.slice:p:n", "x", "not a valid systemd slice name");
        expect_bad_names("-a.slice:p:n", "x", "not a valid systemd slice name");
        expect_bad_names(NULL, "c+1", "the container id");
}

static void expect_slice(const char *slice, const char *path)
{
        char *got = NULL;
        int r = systemd_slice_path(slice, &got);
        if (path) {
                if (!tap_ok(r == 0 && strcmp(got, path) == 0, "slice %s lives at `%s`", slice,
                            path))
                        tap_diag("got %d [%s]", r, got ? got : "");
        } else {
                tap_ok(r == -EINVAL && !got, "slice `%s` is refused", slice);
        }
        free(got);
}

static void test_slice_paths(void)
{
        expect_slice("system.slice", "/system.slice");
        expect_slice("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
        expect_slice("user-1000.slice", "/user.slice/user-1000.slice");
        expect_slice("-.slice", "");
        expect_slice("a-.slice", NULL);
        expect_slice("a--b.slice", NULL);
        expect_slice("a.scope", NULL);
        expect_slice(".slice", NULL);
        expect_slice("a/b.slice", NULL);
}

static uint64_t number_of(const systemd_properties *p, const char *name, const char *signature)
{
        const systemd_property *found = systemd_properties_find(p, name);
        if (!found || strcmp(found->signature, signature) != 0)
                return 0xdeadbeef;
        return found->number;
}

static void test_resources(void)
{
        ocispec_linux_resources_memory memory = {.limit = 64 << 20,
                                                 .has_limit = true,
                                                 .reservation = 32 << 20,
                                                 .has_reservation = true,
                                                 .swap = 96 << 20,
                                                 .has_swap = true};
        ocispec_linux_resources_cpu cpu = {.shares = 1024,
                                           .has_shares = true,
                                           .quota = 25000,
                                           .has_quota = true,
                                           .period = 100000,
                                           .has_period = true,
                                           .cpus = "0-2,9",
                                           .mems = "0"};
        ocispec_linux_resources_pids pids = {.limit = 42, .has_limit = true};
        ocispec_linux_resources_block_io blkio = {.weight = 500, .has_weight = true};
        ocispec_linux_resources resources = {
            .memory = &memory, .cpu = &cpu, .pids = &pids, .block_io = &blkio};
        systemd_properties p = {0};
        ocirun_error *error = NULL;

        int r = systemd_resource_properties(&resources, CGROUP_V2, false, &p, &error);
        tap_ok(r == 0, "v2 resources map to properties");
        tap_ok(number_of(&p, "MemoryMax", "t") == 64 << 20, "memory.limit is MemoryMax on v2");
        tap_ok(number_of(&p, "MemoryLow", "t") == 32 << 20, "memory.reservation is MemoryLow");
        tap_ok(number_of(&p, "MemorySwapMax", "t") == 32 << 20,
               "memory.swap (memory plus swap) is MemorySwapMax of swap alone");
        tap_ok(number_of(&p, "CPUWeight", "t") == 100, "cpu.shares 1024 is CPUWeight 100");
        tap_ok(number_of(&p, "CPUQuotaPerSecUSec", "t") == 250000,
               "quota 25000 of period 100000 is 250 ms per second");
        tap_ok(number_of(&p, "CPUQuotaPeriodUSec", "t") == 100000,
               "cpu.period is CPUQuotaPeriodUSec");
        tap_ok(number_of(&p, "TasksMax", "t") == 42, "pids.limit is TasksMax");
        tap_ok(number_of(&p, "IOWeight", "t") == 1 + (500 - 10) * 9999 / 990,
               "blockIO.weight is IOWeight, converted");
        tap_ok(number_of(&p, "MemoryAccounting", "b") == 1 &&
                   number_of(&p, "IOAccounting", "b") == 1 &&
                   number_of(&p, "TasksAccounting", "b") == 1 &&
                   number_of(&p, "CPUAccounting", "b") == 1,
               "create turns on every accounting");
        const systemd_property *cpus = systemd_properties_find(&p, "AllowedCPUs");
        tap_ok(cpus && strcmp(cpus->signature, "ay") == 0 && cpus->bytes_len == 2 &&
                   cpus->bytes[0] == 0x07 && cpus->bytes[1] == 0x02,
               "cpu.cpus 0-2,9 is the AllowedCPUs mask 07 02");
        systemd_properties_clear(&p);

        r = systemd_resource_properties(&resources, CGROUP_V1, true, &p, &error);
        tap_ok(r == 0 && number_of(&p, "MemoryLimit", "t") == 64 << 20 &&
                   !systemd_properties_find(&p, "MemoryMax"),
               "memory.limit is MemoryLimit on v1");
        tap_ok(number_of(&p, "CPUShares", "t") == 1024, "cpu.shares is CPUShares on v1");
        tap_ok(number_of(&p, "BlockIOWeight", "t") == 500, "blockIO.weight is BlockIOWeight on v1");
        tap_ok(!systemd_properties_find(&p, "MemoryAccounting"), "update sets no accounting");
        systemd_properties_clear(&p);

        memory = (ocispec_linux_resources_memory){.limit = -1, .has_limit = true};
        pids.limit = -1;
        cpu = (ocispec_linux_resources_cpu){.quota = -1, .has_quota = true};
        resources = (ocispec_linux_resources){.memory = &memory, .cpu = &cpu, .pids = &pids};
        r = systemd_resource_properties(&resources, CGROUP_V2, true, &p, &error);
        tap_ok(r == 0 && number_of(&p, "MemoryMax", "t") == UINT64_MAX &&
                   number_of(&p, "TasksMax", "t") == UINT64_MAX &&
                   number_of(&p, "CPUQuotaPerSecUSec", "t") == UINT64_MAX,
               "-1 (no limit) is infinity");
        systemd_properties_clear(&p);

        cpu = (ocispec_linux_resources_cpu){.quota = 12345, .has_quota = true};
        r = systemd_resource_properties(&resources, CGROUP_V2, true, &p, &error);
        tap_ok(r == 0 && number_of(&p, "CPUQuotaPerSecUSec", "t") == 130000,
               "a quota is rounded up to systemd's 10 ms");
        systemd_properties_clear(&p);

        ocispec_string_map unified = {.len = 3,
                                      .keys = (char *[]){"memory.high", "pids.max", "cpu.max"},
                                      .values = (char *[]){"max", "7", "50000 200000"}};
        resources = (ocispec_linux_resources){.unified = &unified};
        r = systemd_resource_properties(&resources, CGROUP_V2, true, &p, &error);
        tap_ok(r == 0 && number_of(&p, "MemoryHigh", "t") == UINT64_MAX &&
                   number_of(&p, "TasksMax", "t") == 7 &&
                   number_of(&p, "CPUQuotaPerSecUSec", "t") == 250000 &&
                   number_of(&p, "CPUQuotaPeriodUSec", "t") == 200000,
               "unified memory.high, pids.max and cpu.max become properties");
        systemd_properties_clear(&p);

        cpu = (ocispec_linux_resources_cpu){.cpus = "1-x"};
        resources = (ocispec_linux_resources){.cpu = &cpu};
        r = systemd_resource_properties(&resources, CGROUP_V2, true, &p, &error);
        tap_ok(r == -EINVAL && error && strstr(error->message, "linux.resources.cpu.cpus"),
               "a bad cpu list is refused naming the field");
        ocirun_error_free(error);
        systemd_properties_clear(&p);
}

static const char *device_policy(const systemd_properties *p)
{
        const systemd_property *policy = systemd_properties_find(p, "DevicePolicy");
        return policy ? policy->string : "";
}

static void test_devices(void)
{
        ocispec_device_cgroup rules[] = {
            {.allow = false, .has_allow = true, .access = "rwm"},
            {.allow = true,
             .has_allow = true,
             .type = "c",
             .major = 1,
             .has_major = true,
             .minor = 3,
             .has_minor = true,
             .access = "rwm"},
            {.allow = true,
             .has_allow = true,
             .type = "c",
             .major = 136,
             .has_major = true,
             .minor = -1,
             .has_minor = true,
             .access = "rw"},
            {.allow = true, .has_allow = true, .type = "b", .access = "m"},
        };
        systemd_properties p = {0};
        ocirun_error *error = NULL;
        int r = systemd_device_properties(rules, 4, &p, &error);
        const systemd_property *allow = systemd_properties_find(&p, "DeviceAllow");
        tap_ok(r == 0 && strcmp(device_policy(&p), "strict") == 0,
               "deny-all then allows is DevicePolicy strict");
        tap_ok(allow && strcmp(allow->signature, "a(ss)") == 0 && allow->strings[0] &&
                   strcmp(allow->strings[0], "/dev/char/1:3") == 0 &&
                   strcmp(allow->strings[1], "rwm") == 0 &&
                   strcmp(allow->strings[2], "char-pts") == 0 &&
                   strcmp(allow->strings[3], "rw") == 0 &&
                   strcmp(allow->strings[4], "block-*") == 0 &&
                   strcmp(allow->strings[5], "m") == 0 && !allow->strings[6],
               "allows are /dev/char/M:N, char-NAME from /proc/devices and block-*");
        systemd_properties_clear(&p);

        ocispec_device_cgroup open[] = {{.allow = true, .has_allow = true, .access = "rwm"}};
        r = systemd_device_properties(open, 1, &p, &error);
        tap_ok(r == 0 && strcmp(device_policy(&p), "auto") == 0 &&
                   !systemd_properties_find(&p, "DeviceAllow"),
               "allow-all (privileged) is DevicePolicy auto");
        systemd_properties_clear(&p);

        ocispec_device_cgroup partial_deny[] = {
            {.allow = true, .has_allow = true, .access = "rwm"},
            {.allow = false,
             .has_allow = true,
             .type = "c",
             .major = 1,
             .has_major = true,
             .minor = 3,
             .has_minor = true,
             .access = "rwm"},
        };
        r = systemd_device_properties(partial_deny, 2, &p, &error);
        tap_ok(r == 0 && strcmp(device_policy(&p), "auto") == 0 &&
                   !systemd_properties_find(&p, "DeviceAllow"),
               "a deny systemd cannot hold leaves systemd at auto (ocirun's rules enforce it)");
        systemd_properties_clear(&p);
}

static void test_annotations(void)
{
        ocispec_string_map annotations = {
            .len = 7,
            .keys = (char *[]){"org.systemd.property.TimeoutStopUSec",
                               "org.systemd.property.CollectMode",
                               "org.systemd.property.TimeoutStopSec", "other.annotation",
                               "org.systemd.property.After", "org.systemd.property.CPUWeight",
                               "org.systemd.property.SendSIGKILL"},
            .values = (char *[]){"uint64 123456789", "'inactive-or-failed'", "5", "x",
                                 "['a.service', \"b.service\"]", "@t 300", "false"}};
        systemd_properties p = {0};
        ocirun_error *error = NULL;
        systemd_properties_add_u64(&p, "CPUWeight", 100);
        int r = systemd_annotation_properties(&annotations, &p, &error);
        tap_ok(r == 0, "org.systemd.property annotations parse");
        tap_ok(number_of(&p, "TimeoutStopUSec", "t") == 5000000,
               "NAMESec given in seconds is NAMEUSec, and the later annotation wins");
        const systemd_property *mode = systemd_properties_find(&p, "CollectMode");
        tap_ok(mode && strcmp(mode->signature, "s") == 0 &&
                   strcmp(mode->string, "inactive-or-failed") == 0,
               "a quoted value is a string");
        const systemd_property *after = systemd_properties_find(&p, "After");
        tap_ok(after && strcmp(after->signature, "as") == 0 &&
                   strcmp(after->strings[0], "a.service") == 0 &&
                   strcmp(after->strings[1], "b.service") == 0 && !after->strings[2],
               "an array of strings is as");
        tap_ok(number_of(&p, "CPUWeight", "t") == 300, "an annotation replaces ocirun's property");
        tap_ok(number_of(&p, "SendSIGKILL", "b") == 0 && systemd_properties_find(&p, "SendSIGKILL"),
               "false is a boolean");
        tap_ok(!systemd_properties_find(&p, "annotation"), "other annotations are not properties");
        systemd_properties_clear(&p);

        static const char *const bad[][2] = {
            {"org.systemd.property.lower", "1"},         {"org.systemd.property.X", "uint64 -1"},
            {"org.systemd.property.X", "'unterminated"}, {"org.systemd.property.X", "byte 300"},
            {"org.systemd.property.X", "[1, 2]"},        {"org.systemd.property.X", "uint32 12 13"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ocispec_string_map one = {.len = 1,
                                          .keys = (char *[]){(char *) bad[i][0]},
                                          .values = (char *[]){(char *) bad[i][1]}};
                r = systemd_annotation_properties(&one, &p, &error);
                if (!tap_ok(r == -EINVAL && error && strstr(error->message, bad[i][0]),
                            "annotation %s=`%s` is refused naming it", bad[i][0], bad[i][1]))
                        tap_diag("got %d %s", r, error ? error->message : "");
                ocirun_error_free(error);
                error = NULL;
                systemd_properties_clear(&p);
        }
}

int main(void)
{
        test_names();
        test_slice_paths();
        test_resources();
        test_devices();
        test_annotations();
        return tap_done();
}
