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

/* One entry of a v1 whitelist: what devices.list shows. */
typedef struct device_entry {
        char type;
        int64_t major, minor; /* -1: * */
        unsigned access;      /* ACCESS_* bits */
} device_entry;

enum { ACCESS_R = 1, ACCESS_W = 2, ACCESS_M = 4 };

static unsigned access_bits(const char *access)
{
        unsigned bits = 0;
        for (const char *c = access; c && *c; c++)
                bits |= *c == 'r' ? ACCESS_R : *c == 'w' ? ACCESS_W : *c == 'm' ? ACCESS_M : 0;
        return bits;
}

static const char *access_text(unsigned bits, char buf[4])
{
        size_t n = 0;
        if (bits & ACCESS_R)
                buf[n++] = 'r';
        if (bits & ACCESS_W)
                buf[n++] = 'w';
        if (bits & ACCESS_M)
                buf[n++] = 'm';
        buf[n] = '\0';
        return buf;
}

typedef struct device_list {
        device_entry items[256];
        size_t len;
} device_list;

static device_entry *list_find(device_list *list, char type, int64_t major, int64_t minor)
{
        for (size_t i = 0; i < list->len; i++)
                if (list->items[i].type == type && list->items[i].major == major &&
                    list->items[i].minor == minor)
                        return &list->items[i];
        return NULL;
}

/* The whitelist the rules leave, computed as the kernel does: after the
 * deny-all, an allow adds its access to the entry of the same type and
 * numbers, a deny takes its access away from that entry only. False when
 * the rules allow everything, or hold more entries than we track: then
 * they are written in full. */
static bool emulate(const ocispec_device_cgroup *rules, size_t len, device_list *out)
{
        out->len = 0;
        if (len == 0 || rules[0].allow || strcmp(rules[0].type, "a") != 0)
                return false;
        for (size_t i = 1; i < len; i++) {
                const ocispec_device_cgroup *rule = &rules[i];
                /* The kernel reads any "a" rule as a reset: deny-all empties
                 * the list again, allow-all is no whitelist. */
                if (strcmp(rule->type, "a") == 0 && !rule->allow) {
                        out->len = 0;
                        continue;
                }
                if (strlen(rule->type) != 1 || !strchr("bc", rule->type[0]))
                        return false;
                int64_t major = rule->has_major ? rule->major : -1;
                int64_t minor = rule->has_minor ? rule->minor : -1;
                device_entry *entry = list_find(out, rule->type[0], major, minor);
                unsigned bits = access_bits(rule->access);
                if (rule->allow) {
                        if (!entry) {
                                if (out->len == sizeof(out->items) / sizeof(out->items[0]))
                                        return false;
                                entry = &out->items[out->len++];
                                *entry = (device_entry){rule->type[0], major, minor, 0};
                        }
                        entry->access |= bits;
                } else if (entry) {
                        entry->access &= ~bits;
                }
        }
        return true;
}

static int64_t parse_number(const char *text)
{
        return strcmp(text, "*") == 0 ? -1 : strtoll(text, NULL, 10);
}

/* devices.list as a whitelist; false when it is not one ("a *:* rwm":
 * everything allowed) or cannot be read. */
static bool read_list(const char *dir, device_list *out)
{
        char path[4200], line[128];
        snprintf(path, sizeof(path), "%s/devices.list", dir);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        out->len = 0;
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                char type, major[24], minor[24], access[8];
                if (sscanf(line, "%c %23[^:]:%23s %7s", &type, major, minor, access) != 4 ||
                    type == 'a' || out->len == sizeof(out->items) / sizeof(out->items[0]))
                        return false;
                out->items[out->len++] = (device_entry){type, parse_number(major),
                                                        parse_number(minor), access_bits(access)};
        }
        return true;
}

static int write_entry(const char *dir, const char *file, const device_entry *entry, unsigned bits,
                       const char *field, ocirun_error **error)
{
        char major[24] = "*", minor[24] = "*", access[4];
        if (entry->major >= 0)
                snprintf(major, sizeof(major), "%" PRId64, entry->major);
        if (entry->minor >= 0)
                snprintf(minor, sizeof(minor), "%" PRId64, entry->minor);
        return cgroup_write(error, field, dir, file, "%c %s:%s %s", entry->type, major, minor,
                            access_text(bits, access));
}

/* From one whitelist to another by the smallest steps: first what the new
 * list adds, then what it takes away. A running container never loses a
 * device both lists allow, as it would between writing "deny all" and the
 * allows that follow (runc's \"minimal transition rules\"). */
static int transition(const char *dir, device_list *current, device_list *target, const char *field,
                      ocirun_error **error)
{
        for (size_t i = 0; i < target->len; i++) {
                const device_entry *want = &target->items[i];
                device_entry *have = list_find(current, want->type, want->major, want->minor);
                unsigned missing = want->access & ~(have ? have->access : 0);
                int r =
                    missing ? write_entry(dir, "devices.allow", want, missing, field, error) : 0;
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < current->len; i++) {
                const device_entry *have = &current->items[i];
                device_entry *want = list_find(target, have->type, have->major, have->minor);
                unsigned extra = have->access & ~(want ? want->access : 0);
                int r = extra ? write_entry(dir, "devices.deny", have, extra, field, error) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* v1's devices.allow and devices.deny take "TYPE MAJOR:MINOR ACCESS"; "a"
 * alone resets the list to everything (allow) or nothing (deny). Written
 * in order, the rules give the kernel's list the meaning OCI gives them:
 * later rules override earlier ones. */
int cgroup_v1_devices(const char *dir, const ocispec_device_cgroup *rules, size_t len,
                      const char *prefix, ocirun_error **error)
{
        /* The cgroup is a whitelist already (an update, or a parent that
         * is one): go there step by step. */
        _cleanup_free_ device_list *current = malloc(sizeof(*current));
        _cleanup_free_ device_list *target = malloc(sizeof(*target));
        if (!current || !target)
                return OOM(error);
        if (read_list(dir, current) && emulate(rules, len, target)) {
                char field[256];
                snprintf(field, sizeof(field), "%s.devices", prefix);
                return transition(dir, current, target, field, error);
        }
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
