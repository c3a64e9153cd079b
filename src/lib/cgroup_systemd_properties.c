/* What the systemd driver asks systemd for, worked out without a bus: the
 * unit and slice a cgroupsPath names, and the unit properties a config
 * sets. The numbers follow runc's systemd driver, so an engine that moves
 * from runc sees the same `systemctl show` of its containers. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_controllers.h"
#include "cgroup_systemd.h"
#include "error.h"
#include "util/strings.h"

/* ---- names ------------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* systemd's unit name characters (unit_name_is_valid): letters, digits and
 * ":-_.\"; at most 255 bytes with the suffix. */
static bool unit_name_valid(const char *name)
{
        if (!*name || strlen(name) > 255)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr(":-_.\\", *p))
                        return false;
        return true;
}

int systemd_slice_path(const char *slice, char **ret_path)
{
        if (strcmp(slice, "-.slice") == 0) {
                *ret_path = strdup("");
                return *ret_path ? 0 : -ENOMEM;
        }
        if (!ends_with(slice, ".slice") || !unit_name_valid(slice))
                return -EINVAL;
        size_t stem = strlen(slice) - strlen(".slice");
        /* Each dash makes a parent: no leading, trailing or double dash. */
        if (stem == 0 || slice[0] == '-' || slice[stem - 1] == '-' || strstr(slice, "--"))
                return -EINVAL;
        size_t size = 1;
        for (size_t i = 0; i <= stem; i++)
                if (i == stem || slice[i] == '-')
                        size += i + strlen(".slice") + 1;
        char *path = malloc(size), *out = path;
        if (!path)
                return -ENOMEM;
        for (size_t i = 0; i <= stem; i++)
                if (i == stem || slice[i] == '-')
                        out += sprintf(out, "/%.*s.slice", (int) i, slice);
        *ret_path = path;
        return 0;
}

bool systemd_unit_is_slice(const char *unit)
{
        return ends_with(unit, ".slice");
}

static bool slice_name_valid(const char *slice)
{
        _cleanup_free_ char *path = NULL;
        return systemd_slice_path(slice, &path) == 0;
}

int systemd_unit_names(const char *cgroups_path, const char *id, bool user_manager, char **ret_unit,
                       char **ret_slice, ocirun_error **error)
{
        _cleanup_free_ char *copy = NULL, *unit = NULL, *slice = NULL;
        const char *slice_part = "", *prefix = "ocirun", *name = id;

        if (!str_empty(cgroups_path)) {
                copy = strdup(cgroups_path);
                if (!copy)
                        return OOM(error);
                char *first = strchr(copy, ':');
                char *second = first ? strchr(first + 1, ':') : NULL;
                if (!second || strchr(second + 1, ':'))
                        return error_set(error, EINVAL,
                                         "config.json: linux.cgroupsPath: `%s`: the systemd "
                                         "cgroup driver takes slice:prefix:name",
                                         cgroups_path);
                *first = *second = '\0';
                slice_part = copy;
                prefix = first + 1;
                name = second + 1;
                if (!*name)
                        return error_set(error, EINVAL,
                                         "config.json: linux.cgroupsPath: `%s`: the name after "
                                         "the last `:` is empty",
                                         cgroups_path);
        }
        const char *field =
            str_empty(cgroups_path) ? "the container id" : "config.json: linux.cgroupsPath";
        if (systemd_unit_is_slice(name))
                unit = strdup(name);
        else if (asprintf(&unit, "%s%s%s.scope", prefix, *prefix ? "-" : "", name) < 0)
                unit = NULL;
        if (!unit)
                return OOM(error);
        if (!unit_name_valid(unit) || (systemd_unit_is_slice(unit) && !slice_name_valid(unit)))
                return error_set(error, EINVAL,
                                 "%s: `%s` is not a valid systemd unit name (letters, digits "
                                 "and `:-_.\\` only)",
                                 field, unit);
        if (*slice_part)
                slice = strdup(strcmp(slice_part, "-") == 0 ? "-.slice" : slice_part);
        else
                slice = strdup(user_manager ? "user.slice" : "system.slice");
        if (!slice)
                return OOM(error);
        if (!slice_name_valid(slice))
                return error_set(error, EINVAL,
                                 "config.json: linux.cgroupsPath: `%s` is not a valid systemd "
                                 "slice name (NAME.slice, dashes for parents)",
                                 slice);
        *ret_unit = steal_pointer(&unit);
        *ret_slice = steal_pointer(&slice);
        return 0;
}

/* ---- the property list ------------------------------------------------------ */

static void property_clear(systemd_property *p)
{
        free(p->name);
        free(p->string);
        strv_free(p->strings);
        free(p->bytes);
        *p = (systemd_property){0};
}

void systemd_properties_clear(systemd_properties *properties)
{
        for (size_t i = 0; i < properties->len; i++)
                property_clear(&properties->items[i]);
        free(properties->items);
        *properties = (systemd_properties){0};
}

const systemd_property *systemd_properties_find(const systemd_properties *properties,
                                                const char *name)
{
        for (size_t i = 0; i < properties->len; i++)
                if (strcmp(properties->items[i].name, name) == 0)
                        return &properties->items[i];
        return NULL;
}

/* Takes p's contents; a property of the same name is replaced, so the last
 * setter (an annotation, say) wins. */
static int properties_put(systemd_properties *properties, systemd_property *p)
{
        for (size_t i = 0; i < properties->len; i++)
                if (strcmp(properties->items[i].name, p->name) == 0) {
                        property_clear(&properties->items[i]);
                        properties->items[i] = *p;
                        *p = (systemd_property){0};
                        return 0;
                }
        systemd_property *grown =
            realloc(properties->items, (properties->len + 1) * sizeof(*properties->items));
        if (!grown)
                return -ENOMEM;
        properties->items = grown;
        properties->items[properties->len++] = *p;
        *p = (systemd_property){0};
        return 0;
}

static int put_scalar(systemd_properties *properties, const char *name, const char *signature,
                      uint64_t number)
{
        systemd_property p = {.name = strdup(name), .number = number};
        if (!p.name)
                return -ENOMEM;
        snprintf(p.signature, sizeof(p.signature), "%s", signature);
        int r = properties_put(properties, &p);
        property_clear(&p);
        return r;
}

int systemd_properties_add_bool(systemd_properties *properties, const char *name, bool value)
{
        return put_scalar(properties, name, "b", value);
}

int systemd_properties_add_u64(systemd_properties *properties, const char *name, uint64_t value)
{
        return put_scalar(properties, name, "t", value);
}

int systemd_properties_add_string(systemd_properties *properties, const char *name,
                                  const char *value)
{
        systemd_property p = {.name = strdup(name), .string = strdup(value)};
        int r = p.name && p.string ? 0 : -ENOMEM;
        if (r == 0) {
                strcpy(p.signature, "s");
                r = properties_put(properties, &p);
        }
        property_clear(&p);
        return r;
}

static int add_bytes(systemd_properties *properties, const char *name, uint8_t *bytes, size_t len)
{
        systemd_property p = {.name = strdup(name), .bytes = bytes, .bytes_len = len};
        if (!p.name) {
                free(bytes);
                return -ENOMEM;
        }
        strcpy(p.signature, "ay");
        int r = properties_put(properties, &p);
        property_clear(&p);
        return r;
}

int systemd_properties_add_strv(systemd_properties *properties, const char *name,
                                const char *const *values)
{
        size_t n = 0;
        while (values[n])
                n++;
        systemd_property p = {.name = strdup(name), .strings = calloc(n + 1, sizeof(char *))};
        int r = p.name && p.strings ? 0 : -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++)
                if (!(p.strings[i] = strdup(values[i])))
                        r = -ENOMEM;
        if (r == 0) {
                strcpy(p.signature, "as");
                r = properties_put(properties, &p);
        }
        property_clear(&p);
        return r;
}

int systemd_properties_add_u32_array(systemd_properties *properties, const char *name,
                                     const uint32_t *values, size_t n)
{
        systemd_property p = {.name = strdup(name),
                              .bytes = malloc(n * sizeof(*values) + 1),
                              .bytes_len = n * sizeof(*values)};
        int r = p.name && p.bytes ? 0 : -ENOMEM;
        if (r == 0) {
                memcpy(p.bytes, values, n * sizeof(*values));
                strcpy(p.signature, "au");
                r = properties_put(properties, &p);
        }
        property_clear(&p);
        return r;
}

/* ---- resources ----------------------------------------------------------------- */

int systemd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_len)
{
        _cleanup_free_ uint8_t *mask = NULL;
        size_t len = 0;
        const char *p = list;

        while (*p) {
                char *end;
                errno = 0;
                unsigned long first = strtoul(p, &end, 10), last = first;
                if (errno || end == p || first > 65535)
                        return -EINVAL;
                p = end;
                if (*p == '-') {
                        last = strtoul(p + 1, &end, 10);
                        if (errno || end == p + 1 || last < first || last > 65535)
                                return -EINVAL;
                        p = end;
                }
                if (*p == ',')
                        p++;
                else if (*p)
                        return -EINVAL;
                if (last / 8 + 1 > len) {
                        uint8_t *grown = realloc(mask, last / 8 + 1);
                        if (!grown)
                                return -ENOMEM;
                        memset(grown + len, 0, last / 8 + 1 - len);
                        mask = grown;
                        len = last / 8 + 1;
                }
                for (unsigned long bit = first; bit <= last; bit++)
                        mask[bit / 8] |= (uint8_t) (1u << (bit % 8));
        }
        *ret = steal_pointer(&mask);
        *ret_len = len;
        return 0;
}

static int add_cpuset(systemd_properties *properties, const char *name, const char *list,
                      const char *field, ocirun_error **error)
{
        uint8_t *mask = NULL;
        size_t len = 0;
        if (str_empty(list))
                return 0;
        int r = systemd_cpuset_mask(list, &mask, &len);
        if (r == -EINVAL)
                return error_set(error, EINVAL, "%s: `%s` is not a list of numbers and ranges",
                                 field, list);
        if (r == 0)
                r = add_bytes(properties, name, mask, len);
        return r < 0 ? OOM(error) : 0;
}

/* CPUQuotaPerSecUSec from quota and period as runc computes it: the share
 * of a second, rounded up to systemd's 10 ms granularity; no quota (or -1)
 * is infinity. */
static uint64_t quota_per_second(int64_t quota, uint64_t period)
{
        if (quota <= 0)
                return UINT64_MAX;
        if (period == 0)
                period = 100000;
        uint64_t per_second = (uint64_t) quota * 1000000 / period;
        if (per_second % 10000)
                per_second = (per_second / 10000 + 1) * 10000;
        return per_second;
}

/* A unified value: "max" is infinity, else a number. */
static int unified_number(const char *value, uint64_t *ret)
{
        if (strcmp(value, "max") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        int64_t n;
        if (str_parse_int64(value, &n) < 0 || n < 0)
                return -EINVAL;
        *ret = (uint64_t) n;
        return 0;
}

/* The cgroup2 files runc maps to properties from linux.resources.unified. */
static int unified_properties(const ocispec_string_map *unified, systemd_properties *properties,
                              const char *prefix, ocirun_error **error)
{
        static const struct {
                const char *file, *property;
        } numbers[] = {
            {"memory.high", "MemoryHigh"},        {"memory.low", "MemoryLow"},
            {"memory.min", "MemoryMin"},          {"memory.max", "MemoryMax"},
            {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
            {"cpu.weight", "CPUWeight"},
        };
        char field[512];
        for (size_t i = 0; unified && i < unified->len; i++) {
                const char *file = unified->keys[i], *value = unified->values[i];
                snprintf(field, sizeof(field), "%s.unified.%s", prefix, file);
                for (size_t j = 0; j < sizeof(numbers) / sizeof(numbers[0]); j++) {
                        uint64_t n;
                        if (strcmp(file, numbers[j].file) != 0)
                                continue;
                        if (unified_number(value, &n) < 0)
                                return error_set(error, EINVAL, "%s: `%s` is not a number or `max`",
                                                 field, value);
                        if (systemd_properties_add_u64(properties, numbers[j].property, n) < 0)
                                return OOM(error);
                }
                int r = 0;
                if (strcmp(file, "cpuset.cpus") == 0)
                        r = add_cpuset(properties, "AllowedCPUs", value, field, error);
                else if (strcmp(file, "cpuset.mems") == 0)
                        r = add_cpuset(properties, "AllowedMemoryNodes", value, field, error);
                else if (strcmp(file, "cpu.max") == 0) {
                        /* "QUOTA PERIOD" or "max [PERIOD]". */
                        char quota[32] = "";
                        unsigned long long period = 0;
                        if (sscanf(value, "%31s %llu", quota, &period) < 1)
                                return error_set(error, EINVAL, "%s: `%s` is not `QUOTA [PERIOD]`",
                                                 field, value);
                        int64_t q = -1;
                        if (strcmp(quota, "max") != 0 && (str_parse_int64(quota, &q) < 0 || q <= 0))
                                return error_set(error, EINVAL, "%s: `%s` is not `QUOTA [PERIOD]`",
                                                 field, value);
                        r = systemd_properties_add_u64(properties, "CPUQuotaPerSecUSec",
                                                       quota_per_second(q, period));
                        if (r == 0 && period)
                                r = systemd_properties_add_u64(properties, "CPUQuotaPeriodUSec",
                                                               period);
                        if (r < 0)
                                return OOM(error);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int systemd_resource_properties(const ocispec_linux_resources *resources, cgroup_version version,
                                bool update, systemd_properties *properties, ocirun_error **error)
{
        const char *prefix = update ? "linux.resources" : "config.json: linux.resources";
        bool v2 = version == CGROUP_V2;
        char field[256];
        int r = 0;

        if (!update) {
                r = systemd_properties_add_bool(properties, "CPUAccounting", true);
                if (r == 0)
                        r = systemd_properties_add_bool(properties, "MemoryAccounting", true);
                if (r == 0)
                        r = systemd_properties_add_bool(properties, "TasksAccounting", true);
                if (r == 0)
                        r = systemd_properties_add_bool(
                            properties, v2 ? "IOAccounting" : "BlockIOAccounting", true);
                if (r < 0)
                        return OOM(error);
        }
        if (!resources)
                return 0;

        const ocispec_linux_resources_memory *memory = resources->memory;
        if (memory && memory->has_limit && memory->limit != 0)
                r = systemd_properties_add_u64(properties, v2 ? "MemoryMax" : "MemoryLimit",
                                               memory->limit < 0 ? UINT64_MAX
                                                                 : (uint64_t) memory->limit);
        if (r == 0 && v2 && memory && memory->has_reservation && memory->reservation != 0)
                r = systemd_properties_add_u64(
                    properties, "MemoryLow",
                    memory->reservation < 0 ? UINT64_MAX : (uint64_t) memory->reservation);
        /* OCI's swap is memory plus swap; the combinations the cgroupfs
         * writer refuses are left to it, which names the field. */
        if (r == 0 && v2 && memory && memory->has_swap && memory->swap != 0) {
                if (memory->swap < 0)
                        r = systemd_properties_add_u64(properties, "MemorySwapMax", UINT64_MAX);
                else if (memory->has_limit && memory->limit > 0 && memory->swap >= memory->limit)
                        r = systemd_properties_add_u64(properties, "MemorySwapMax",
                                                       (uint64_t) (memory->swap - memory->limit));
        }

        const ocispec_linux_resources_cpu *cpu = resources->cpu;
        if (r == 0 && cpu && cpu->has_shares && cpu->shares != 0)
                r = v2 ? systemd_properties_add_u64(properties, "CPUWeight",
                                                    cgroup_cpu_shares_to_weight(cpu->shares))
                       : systemd_properties_add_u64(properties, "CPUShares", cpu->shares);
        if (r == 0 && cpu && cpu->has_period && cpu->period != 0)
                r = systemd_properties_add_u64(properties, "CPUQuotaPeriodUSec", cpu->period);
        if (r == 0 && cpu &&
            ((cpu->has_quota && cpu->quota != 0) || (cpu->has_period && cpu->period != 0)))
                r = systemd_properties_add_u64(properties, "CPUQuotaPerSecUSec",
                                               quota_per_second(cpu->has_quota ? cpu->quota : -1,
                                                                cpu->has_period ? cpu->period : 0));
        if (r < 0)
                return OOM(error);
        if (cpu) {
                r = add_cpuset(properties, "AllowedCPUs", cpu->cpus,
                               FIELD(field, prefix, "cpu.cpus"), error);
                if (r == 0)
                        r = add_cpuset(properties, "AllowedMemoryNodes", cpu->mems,
                                       FIELD(field, prefix, "cpu.mems"), error);
                if (r < 0)
                        return r;
        }

        const ocispec_linux_resources_block_io *blkio = resources->block_io;
        if (blkio && blkio->has_weight && blkio->weight != 0)
                r = v2 ? systemd_properties_add_u64(
                             properties, "IOWeight",
                             cgroup_blkio_weight_to_io_weight((uint64_t) blkio->weight))
                       : systemd_properties_add_u64(properties, "BlockIOWeight",
                                                    (uint64_t) blkio->weight);

        const ocispec_linux_resources_pids *pids = resources->pids;
        if (r == 0 && pids && pids->has_limit && pids->limit != 0)
                r = systemd_properties_add_u64(
                    properties, "TasksMax", pids->limit < 0 ? UINT64_MAX : (uint64_t) pids->limit);
        if (r < 0)
                return OOM(error);
        if (v2)
                return unified_properties(resources->unified, properties, prefix, error);
        return 0;
}

/* ---- devices ----------------------------------------------------------------- */

/* The /proc/devices name of a major number of type 'c' or 'b'. */
static char *proc_devices_name(char type, int64_t major)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/devices", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        bool in_section = false;
        while (f && getline(&line, &size, f) > 0) {
                if (strncmp(line, "Character devices:", 18) == 0)
                        in_section = type == 'c';
                else if (strncmp(line, "Block devices:", 14) == 0)
                        in_section = type == 'b';
                long long number;
                char name[128];
                if (in_section && sscanf(line, "%lld %127s", &number, name) == 2 && number == major)
                        return strdup(name);
        }
        return NULL;
}

/* One allow rule as DeviceAllow's (path, access), or NULL when systemd
 * has no word for it. */
static char *device_allow_path(const ocispec_device_cgroup *rule)
{
        char type = rule->type && *rule->type ? rule->type[0] : 'a';
        bool any_major = !rule->has_major || rule->major < 0;
        bool any_minor = !rule->has_minor || rule->minor < 0;
        char *path = NULL;
        if (type != 'c' && type != 'b')
                return NULL;
        if (any_major && any_minor)
                return strdup(type == 'c' ? "char-*" : "block-*");
        if (any_major)
                return NULL;
        if (!any_minor) {
                if (asprintf(&path, "/dev/%s/%" PRId64 ":%" PRId64, type == 'c' ? "char" : "block",
                             rule->major, rule->minor) < 0)
                        return NULL;
                return path;
        }
        _cleanup_free_ char *name = proc_devices_name(type, rule->major);
        if (!name || asprintf(&path, "%s-%s", type == 'c' ? "char" : "block", name) < 0)
                return NULL;
        return path;
}

static bool rule_is_everything(const ocispec_device_cgroup *rule)
{
        return (!rule->type || !*rule->type || rule->type[0] == 'a') &&
               (!rule->has_major || rule->major < 0) && (!rule->has_minor || rule->minor < 0);
}

int systemd_device_properties(const ocispec_device_cgroup *rules, size_t len,
                              systemd_properties *properties, ocirun_error **error)
{
        _cleanup_strv_ char **pairs = NULL;
        size_t n = 0;
        bool strict = false, expressible = true;

        for (size_t i = 0; i < len && expressible; i++) {
                const ocispec_device_cgroup *rule = &rules[i];
                bool allow = rule->has_allow && rule->allow;
                if (rule_is_everything(rule)) {
                        /* Everything allowed or denied: what came before no
                         * longer matters. */
                        strv_free(steal_pointer(&pairs));
                        n = 0;
                        strict = !allow;
                        if (allow && rule->access && strcmp(rule->access, "rwm") != 0 &&
                            strcmp(rule->access, "mrw") != 0)
                                expressible = false;
                        continue;
                }
                if (!allow || !strict) {
                        /* A deny of part, or an allow under allow-all: a
                         * deny list systemd cannot hold. */
                        if (!allow)
                                expressible = false;
                        continue;
                }
                _cleanup_free_ char *path = device_allow_path(rule);
                if (!path) {
                        expressible = false;
                        break;
                }
                char **grown = realloc(pairs, (n + 3) * sizeof(*pairs));
                if (!grown)
                        return OOM(error);
                pairs = grown;
                pairs[n] = steal_pointer(&path);
                pairs[n + 1] = strdup(rule->access ? rule->access : "rwm");
                pairs[n + 2] = NULL;
                n += 2;
                if (!pairs[n - 1])
                        return OOM(error);
        }
        if (!expressible || !strict) {
                if (!expressible)
                        ocirun_log(OCIRUN_LOG_DEBUG,
                                   "systemd: the device rules have no DeviceAllow form; "
                                   "ocirun's own rules enforce them");
                return systemd_properties_add_string(properties, "DevicePolicy", "auto") < 0
                           ? OOM(error)
                           : 0;
        }
        if (systemd_properties_add_string(properties, "DevicePolicy", "strict") < 0)
                return OOM(error);
        systemd_property p = {.name = strdup("DeviceAllow"), .strings = steal_pointer(&pairs)};
        if (!p.name) {
                property_clear(&p);
                return OOM(error);
        }
        strcpy(p.signature, "a(ss)");
        if (!p.strings) {
                p.strings = calloc(1, sizeof(char *));
                if (!p.strings) {
                        property_clear(&p);
                        return OOM(error);
                }
        }
        int r = properties_put(properties, &p);
        property_clear(&p);
        return r < 0 ? OOM(error) : 0;
}

/* ---- annotations: GVariant text ------------------------------------------------ */

#define PROPERTY_ANNOTATION "org.systemd.property."

static const char *skip_spaces(const char *p)
{
        while (isspace((unsigned char) *p))
                p++;
        return p;
}

/* A quoted string at *p ('...' or "..."), with GVariant's backslash
 * escapes for the quote, backslash, n and t. */
static int parse_quoted(const char **p, char **ret)
{
        char quote = **p;
        const char *s = *p + 1;
        _cleanup_free_ char *out = malloc(strlen(s) + 1);
        size_t n = 0;
        if (!out)
                return -ENOMEM;
        for (; *s && *s != quote; s++) {
                if (*s == '\\' && s[1]) {
                        s++;
                        out[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
                } else {
                        out[n++] = *s;
                }
        }
        if (*s != quote)
                return -EINVAL;
        out[n] = '\0';
        *p = s + 1;
        *ret = steal_pointer(&out);
        return 0;
}

static const struct {
        const char *keyword, *signature;
} gvariant_types[] = {
    {"boolean", "b"}, {"byte", "y"},  {"int16", "n"},  {"uint16", "q"}, {"int32", "i"},
    {"uint32", "u"},  {"int64", "x"}, {"uint64", "t"}, {"double", "d"}, {"string", "s"},
};

/* value in GVariant text form -> p's signature and value. */
static int parse_gvariant(const char *value, systemd_property *p)
{
        const char *s = skip_spaces(value);
        const char *signature = NULL;

        if (*s == '@') {
                /* "@TYPE value": the type given explicitly. */
                const char *end = s + 1;
                while (*end && !isspace((unsigned char) *end))
                        end++;
                if ((size_t) (end - s - 1) >= sizeof(p->signature))
                        return -EINVAL;
                snprintf(p->signature, sizeof(p->signature), "%.*s", (int) (end - s - 1), s + 1);
                signature = p->signature;
                s = skip_spaces(end);
        } else {
                for (size_t i = 0; i < sizeof(gvariant_types) / sizeof(gvariant_types[0]); i++) {
                        size_t n = strlen(gvariant_types[i].keyword);
                        if (strncmp(s, gvariant_types[i].keyword, n) == 0 &&
                            isspace((unsigned char) s[n])) {
                                signature = gvariant_types[i].signature;
                                s = skip_spaces(s + n);
                                break;
                        }
                }
        }

        if (*s == '[') {
                /* An array of strings, the only kind unit properties given
                 * this way need (e.g. ['a.service', 'b.service']). */
                if (signature && strcmp(signature, "as") != 0)
                        return -EINVAL;
                strcpy(p->signature, "as");
                size_t n = 0;
                p->strings = calloc(1, sizeof(char *));
                if (!p->strings)
                        return -ENOMEM;
                s = skip_spaces(s + 1);
                while (*s != ']') {
                        if (*s != '\'' && *s != '"')
                                return -EINVAL;
                        char *item;
                        int r = parse_quoted(&s, &item);
                        if (r < 0)
                                return r;
                        char **grown = realloc(p->strings, (n + 2) * sizeof(char *));
                        if (!grown) {
                                free(item);
                                return -ENOMEM;
                        }
                        p->strings = grown;
                        p->strings[n++] = item;
                        p->strings[n] = NULL;
                        s = skip_spaces(s);
                        if (*s == ',')
                                s = skip_spaces(s + 1);
                        else if (*s != ']')
                                return -EINVAL;
                }
                return *skip_spaces(s + 1) ? -EINVAL : 0;
        }
        if (*s == '\'' || *s == '"') {
                if (signature && strcmp(signature, "s") != 0)
                        return -EINVAL;
                strcpy(p->signature, "s");
                int r = parse_quoted(&s, &p->string);
                return r < 0 ? r : *skip_spaces(s) ? -EINVAL : 0;
        }
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
                if (signature && strcmp(signature, "b") != 0)
                        return -EINVAL;
                strcpy(p->signature, "b");
                p->number = s[0] == 't';
                return 0;
        }
        if (!signature)
                signature = strchr(s, '.') ? "d" : "i";
        if (strlen(signature) != 1 || !strchr("ynqiuxtd", signature[0]))
                return -EINVAL;
        strcpy(p->signature, signature);
        char *end;
        errno = 0;
        if (signature[0] == 'd') {
                p->real = strtod(s, &end);
        } else if (strchr("nix", signature[0])) {
                long long n = strtoll(s, &end, 0);
                long long min = signature[0] == 'n'   ? INT16_MIN
                                : signature[0] == 'i' ? INT32_MIN
                                                      : INT64_MIN;
                long long max = signature[0] == 'n'   ? INT16_MAX
                                : signature[0] == 'i' ? INT32_MAX
                                                      : INT64_MAX;
                if (n < min || n > max)
                        return -ERANGE;
                p->number = (uint64_t) n;
        } else {
                if (*s == '-')
                        return -ERANGE;
                unsigned long long n = strtoull(s, &end, 0);
                unsigned long long max = signature[0] == 'y'   ? UINT8_MAX
                                         : signature[0] == 'q' ? UINT16_MAX
                                         : signature[0] == 'u' ? UINT32_MAX
                                                               : UINT64_MAX;
                if (n > max)
                        return -ERANGE;
                p->number = n;
        }
        if (errno || end == s || *skip_spaces(end))
                return errno == ERANGE ? -ERANGE : -EINVAL;
        return 0;
}

/* runc turns NAMESec given as a number into NAMEUSec, which is what systemd
 * takes over D-Bus: seconds times a million. */
static int seconds_to_microseconds(systemd_property *p)
{
        size_t n = strlen(p->name);
        if (n < 4 || !ends_with(p->name, "Sec") || ends_with(p->name, "USec") ||
            ends_with(p->name, "NSec"))
                return 0;
        char sig = p->signature[0];
        if (p->signature[1] || !strchr("ynqiuxtd", sig))
                return 0;
        double seconds = sig == 'd'           ? p->real
                         : strchr("nix", sig) ? (double) (int64_t) p->number
                                              : (double) p->number;
        if (seconds < 0)
                return -ERANGE;
        char *name;
        if (asprintf(&name, "%.*sUSec", (int) (n - 3), p->name) < 0)
                return -ENOMEM;
        free(p->name);
        p->name = name;
        strcpy(p->signature, "t");
        p->number =
            seconds * 1e6 >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t) (seconds * 1e6);
        return 0;
}

int systemd_annotation_properties(const ocispec_string_map *annotations,
                                  systemd_properties *properties, ocirun_error **error)
{
        size_t prefix_len = strlen(PROPERTY_ANNOTATION);
        for (size_t i = 0; annotations && i < annotations->len; i++) {
                const char *key = annotations->keys[i];
                if (strncmp(key, PROPERTY_ANNOTATION, prefix_len) != 0)
                        continue;
                const char *name = key + prefix_len;
                bool valid = isupper((unsigned char) name[0]);
                for (const char *c = name; *c; c++)
                        valid = valid && isalnum((unsigned char) *c);
                if (!valid)
                        return error_set(error, EINVAL,
                                         "config.json: annotations: `%s`: `%s` is not a systemd "
                                         "property name (CamelCase letters and digits)",
                                         key, name);
                systemd_property p = {.name = strdup(name)};
                if (!p.name)
                        return OOM(error);
                int r = parse_gvariant(annotations->values[i], &p);
                if (r == 0)
                        r = seconds_to_microseconds(&p);
                if (r == 0)
                        r = properties_put(properties, &p);
                property_clear(&p);
                if (r == -ENOMEM)
                        return OOM(error);
                if (r < 0)
                        return error_set(error, EINVAL,
                                         "config.json: annotations: `%s`: `%s` is not a value in "
                                         "GVariant text form that ocirun can pass (e.g. `uint64 "
                                         "123`, `true`, `'text'`, `['a', 'b']`)%s",
                                         key, annotations->values[i],
                                         r == -ERANGE ? ": out of range" : "");
        }
        return 0;
}
