/* The device rules a container gets, and writing them to the v1 devices
 * controller (cgroup2 gets a BPF program from them instead, see
 * cgroup_devices_bpf.c). Every container starts from "deny everything":
 * the config's rules open what it asks for, and the nodes every
 * container's /dev has stay usable whatever the config says, as with
 * runc's default allow list. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_controllers.h"
#include "error.h"

typedef struct default_device {
        int64_t major, minor; /* -1: any */
} default_device;

/* /dev/null, zero, full, random, urandom, tty, console, ptmx and the ptys
 * (devpts' own ptmx is 5:2; pty slaves are major 136 and up, 136 in
 * practice). All are character devices. */
static const default_device default_devices[] = {
    {1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, -1},
};

void cgroup_device_rules_free(ocispec_device_cgroup *rules, size_t len)
{
        for (size_t i = 0; rules && i < len; i++) {
                free(rules[i].type);
                free(rules[i].access);
        }
        free(rules);
}

static int set_rule(ocispec_device_cgroup *rule, bool allow, const char *type, int64_t major,
                    int64_t minor, const char *access)
{
        *rule = (ocispec_device_cgroup){
            .allow = allow,
            .has_allow = true,
            .type = strdup(type),
            .major = major,
            .has_major = major >= 0,
            .minor = minor,
            .has_minor = minor >= 0,
            .access = strdup(access),
        };
        return rule->type && rule->access ? 0 : -ENOMEM;
}

int cgroup_device_rules(const ocispec_linux_resources *resources, ocispec_device_cgroup **ret,
                        size_t *ret_len, ocirun_error **error)
{
        size_t n_config = resources ? resources->devices_len : 0;
        size_t n_defaults = sizeof(default_devices) / sizeof(default_devices[0]);
        size_t len = 1 + n_config + n_defaults, at = 0;
        ocispec_device_cgroup *rules = calloc(len, sizeof(*rules));
        if (!rules)
                return error_set(error, ENOMEM, "out of memory");
        int r = set_rule(&rules[at++], false, "a", -1, -1, "rwm");
        for (size_t i = 0; r == 0 && i < n_config; i++) {
                const ocispec_device_cgroup *rule = &resources->devices[i];
                r = set_rule(&rules[at++], rule->has_allow && rule->allow,
                             rule->type ? rule->type : "a", rule->has_major ? rule->major : -1,
                             rule->has_minor ? rule->minor : -1,
                             rule->access ? rule->access : "rwm");
        }
        for (size_t i = 0; r == 0 && i < n_defaults; i++)
                r = set_rule(&rules[at++], true, "c", default_devices[i].major,
                             default_devices[i].minor, "rwm");
        if (r < 0) {
                cgroup_device_rules_free(rules, len);
                return error_set(error, ENOMEM, "out of memory");
        }
        *ret = rules;
        *ret_len = len;
        return 0;
}

/* v1's devices.allow and devices.deny take "TYPE MAJOR:MINOR ACCESS"; "a"
 * alone resets the list to everything (allow) or nothing (deny). Written
 * in order, the rules give the kernel's list the meaning OCI gives them:
 * later rules override earlier ones. */
int cgroup_v1_devices(const char *dir, const ocispec_device_cgroup *rules, size_t len,
                      const char *prefix, ocirun_error **error)
{
        for (size_t i = 0; i < len; i++) {
                const ocispec_device_cgroup *rule = &rules[i];
                char field[256], major[24] = "*", minor[24] = "*";
                /* The failing rule shows in the message as written. */
                snprintf(field, sizeof(field), "%s.devices", prefix);
                const char *file = rule->allow ? "devices.allow" : "devices.deny";
                int r;
                if (strcmp(rule->type, "a") == 0 && !rule->has_major && !rule->has_minor &&
                    strspn(rule->access, "rwm") == strlen(rule->access) &&
                    strchr(rule->access, 'r') && strchr(rule->access, 'w') &&
                    strchr(rule->access, 'm')) {
                        r = cgroup_write(error, field, dir, file, "a");
                } else {
                        if (rule->has_major)
                                snprintf(major, sizeof(major), "%" PRId64, rule->major);
                        if (rule->has_minor)
                                snprintf(minor, sizeof(minor), "%" PRId64, rule->minor);
                        r = cgroup_write(error, field, dir, file, "%s %s:%s %s", rule->type, major,
                                         minor, rule->access);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}
