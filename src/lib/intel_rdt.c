/* linux.intelRdt through the resctrl filesystem (Documentation/filesystems/
 * resctrl.rst), as runc does: the container's group is /sys/fs/resctrl/
 * <closID>, or /sys/fs/resctrl/<container id> without a closID; its
 * `schemata` gets l3CacheSchema, memBwSchema and then the schemata lines;
 * the init joins it through `tasks` (its children inherit the group), and
 * with enableMonitoring a mon_groups/<container id> group under it.
 *
 * Where no resctrl is mounted the field is refused before anything is made,
 * never ignored: a container asked to have its cache share limited must not
 * run unlimited. The resctrl paths are fixed host paths outside any
 * container rootfs, so plain string paths are safe here. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "error.h"
#include "intel_rdt.h"

#define RESCTRL "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821

static bool resctrl_mounted(void)
{
        struct statfs st;
        return statfs(RESCTRL, &st) == 0 && st.f_type == RDTGROUP_SUPER_MAGIC;
}

static bool resctrl_has(const char *what)
{
        char path[128];
        snprintf(path, sizeof(path), RESCTRL "/info/%s", what);
        return access(path, F_OK) == 0;
}

static bool has_schemata(const ocispec_linux_intel_rdt *rdt)
{
        return (rdt->l3_cache_schema && *rdt->l3_cache_schema) ||
               (rdt->mem_bw_schema && *rdt->mem_bw_schema) || rdt->schemata_len > 0;
}

static int group_path(const ocispec_linux_intel_rdt *rdt, const char *id, char **ret)
{
        const char *name = rdt->clos_id && *rdt->clos_id ? rdt->clos_id : id;
        if (asprintf(ret, RESCTRL "/%s", name) < 0)
                return -ENOMEM;
        return 0;
}

int intel_rdt_validate(const ocispec_config *config, ocirun_error **error)
{
        const ocispec_linux_intel_rdt *rdt = config->linux ? config->linux->intel_rdt : NULL;
        if (!rdt)
                return 0;
        const char *clos = rdt->clos_id;
        if (clos && (strcmp(clos, ".") == 0 || strcmp(clos, "..") == 0 || strchr(clos, '/') ||
                     strchr(clos, '\n')))
                return error_set(error, EINVAL,
                                 "config.json: linux.intelRdt.closID: `%s` is not a plain "
                                 "directory name",
                                 clos);
        if (!resctrl_mounted())
                return error_set(error, ENOTSUP,
                                 "config.json: linux.intelRdt: Intel RDT is not enabled on this "
                                 "host (no resctrl filesystem is mounted at " RESCTRL ")");
        if (rdt->l3_cache_schema && *rdt->l3_cache_schema && !resctrl_has("L3"))
                return error_set(error, ENOTSUP,
                                 "config.json: linux.intelRdt.l3CacheSchema: Intel RDT/CAT is not "
                                 "enabled on this host (no " RESCTRL "/info/L3)");
        if (rdt->mem_bw_schema && *rdt->mem_bw_schema && !resctrl_has("MB"))
                return error_set(error, ENOTSUP,
                                 "config.json: linux.intelRdt.memBwSchema: Intel RDT/MBA is not "
                                 "enabled on this host (no " RESCTRL "/info/MB)");
        if (rdt->has_enable_monitoring && rdt->enable_monitoring && !resctrl_has("L3_MON"))
                return error_set(error, ENOTSUP,
                                 "config.json: linux.intelRdt.enableMonitoring: Intel RDT "
                                 "monitoring is not enabled on this host (no " RESCTRL
                                 "/info/L3_MON)");
        if (clos && *clos && !has_schemata(rdt)) {
                _cleanup_free_ char *path = NULL;
                if (group_path(rdt, NULL, &path) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                if (access(path, F_OK) < 0)
                        return error_set_errno(error, errno,
                                               "config.json: linux.intelRdt.closID: no "
                                               "pre-configured resctrl group `%s`",
                                               path);
        }
        return 0;
}

static int write_file(const char *dir, const char *file, const char *text, ocirun_error **error)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return error_set(error, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) < 0)
                return error_set_errno(error, errno, "write `%s` to %s", text, path);
        return 0;
}

/* The text for `schemata` from l3CacheSchema and memBwSchema: when both
 * name memory bandwidth, memBwSchema's MB line wins (runtime-spec). */
static char *cache_and_bandwidth(const ocispec_linux_intel_rdt *rdt)
{
        const char *l3 = rdt->l3_cache_schema ? rdt->l3_cache_schema : "";
        const char *mb = rdt->mem_bw_schema ? rdt->mem_bw_schema : "";
        size_t size = strlen(l3) + strlen(mb) + 3;
        char *text = calloc(1, size), *end = text;
        if (!text)
                return NULL;
        for (const char *line = l3; *line;) {
                size_t len = strcspn(line, "\n");
                if (len && !(*mb && strncmp(line, "MB:", 3) == 0))
                        end += sprintf(end, "%.*s\n", (int) len, line);
                line += len + (line[len] == '\n');
        }
        if (*mb)
                sprintf(end, "%s\n", mb);
        return text;
}

/* A group that already existed keeps its schemata: each line asked for
 * must be among them (runtime-spec), compared as text. */
static int check_existing(const char *dir, const char *wanted, ocirun_error **error)
{
        _cleanup_free_ char *path = NULL, *have = NULL;
        size_t size = 0;
        if (asprintf(&path, "%s/schemata", dir) < 0)
                return error_set(error, ENOMEM, "out of memory");
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f || getdelim(&have, &size, '\0', f) < 0)
                return error_set_errno(error, errno, "read %s", path);
        for (const char *line = wanted; *line;) {
                size_t len = strcspn(line, "\n");
                bool found = false;
                for (const char *h = have; *h && !found;) {
                        size_t hlen = strcspn(h, "\n");
                        while (hlen && h[0] == ' ')
                                h++, hlen--;
                        found = hlen == len && strncmp(h, line, len) == 0;
                        h += hlen + (h[hlen] == '\n');
                }
                if (len && !found)
                        return error_set(error, EEXIST,
                                         "config.json: linux.intelRdt: the existing group %s does "
                                         "not have `%.*s` in its schemata",
                                         dir, (int) len, line);
                line += len + (line[len] == '\n');
        }
        return 0;
}

int intel_rdt_apply(const ocispec_config *config, const char *id, pid_t pid, bool *ret_made,
                    ocirun_error **error)
{
        const ocispec_linux_intel_rdt *rdt = config->linux ? config->linux->intel_rdt : NULL;
        _cleanup_free_ char *dir = NULL, *first = NULL, *lines = NULL;
        char pid_text[32];
        int r;

        *ret_made = false;
        if (!rdt)
                return 0;
        if (group_path(rdt, id, &dir) < 0 || !(first = cache_and_bandwidth(rdt)))
                return error_set(error, ENOMEM, "out of memory");
        size_t size = 1;
        for (size_t i = 0; i < rdt->schemata_len; i++)
                size += strlen(rdt->schemata[i]) + 1;
        lines = calloc(1, size);
        if (!lines)
                return error_set(error, ENOMEM, "out of memory");
        for (size_t i = 0; i < rdt->schemata_len; i++)
                strcat(strcat(lines, rdt->schemata[i]), "\n");

        if (mkdir(dir, 0755) == 0)
                *ret_made = true;
        else if (errno != EEXIST)
                return error_set_errno(error, errno, "config.json: linux.intelRdt: make %s", dir);
        if (!*ret_made && rdt->clos_id && *rdt->clos_id) {
                r = check_existing(dir, first, error);
                if (r == 0)
                        r = check_existing(dir, lines, error);
        } else {
                r = *first ? write_file(dir, "schemata", first, error) : 0;
                if (r == 0 && *lines)
                        r = write_file(dir, "schemata", lines, error);
        }
        snprintf(pid_text, sizeof(pid_text), "%d", (int) pid);
        if (r == 0)
                r = write_file(dir, "tasks", pid_text, error);
        if (r == 0 && rdt->has_enable_monitoring && rdt->enable_monitoring) {
                _cleanup_free_ char *mon = NULL;
                if (asprintf(&mon, "%s/mon_groups/%s", dir, id) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                if (mkdir(mon, 0755) < 0 && errno != EEXIST)
                        r = error_set_errno(error, errno, "config.json: linux.intelRdt: make %s",
                                            mon);
                else
                        r = write_file(mon, "tasks", pid_text, error);
        }
        if (r < 0) {
                intel_rdt_remove(config, id, *ret_made);
                *ret_made = false;
                return error_prefix(error, "config.json: linux.intelRdt");
        }
        return 0;
}

void intel_rdt_remove(const ocispec_config *config, const char *id, bool made)
{
        const ocispec_linux_intel_rdt *rdt = config->linux ? config->linux->intel_rdt : NULL;
        _cleanup_free_ char *dir = NULL, *mon = NULL;

        if (!rdt || !resctrl_mounted() || group_path(rdt, id, &dir) < 0)
                return;
        if (asprintf(&mon, "%s/mon_groups/%s", dir, id) >= 0 && rmdir(mon) < 0 && errno != ENOENT)
                ocirun_log(OCIRUN_LOG_WARNING, "remove %s: %m", mon);
        /* A closID group may be shared by other containers: only the one
         * named after this container, or one this create made, goes. */
        if ((made || !rdt->clos_id || !*rdt->clos_id) && rmdir(dir) < 0 && errno != ENOENT)
                ocirun_log(OCIRUN_LOG_WARNING, "remove %s: %m", dir);
}
