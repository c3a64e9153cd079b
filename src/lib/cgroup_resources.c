/* linux.resources, field by field, to whichever cgroup version has each
 * controller on this host: a hybrid host keeps most controllers on v1 and
 * may have some (hugetlb here) only on cgroup2; a field whose controller
 * is on neither is refused by name rather than silently dropped. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_controllers.h"
#include "cgroup_devices_bpf.h"
#include "error.h"
#include "id_maps.h"
#include "util/strings.h"

static bool memory_is_set(const ocispec_linux_resources_memory *m)
{
        return m && (m->has_limit || m->has_reservation || m->has_swap || m->has_kernel ||
                     m->has_kernel_tcp || m->has_swappiness || m->has_disable_oom_killer ||
                     m->has_use_hierarchy);
}

static bool cpu_is_set(const ocispec_linux_resources_cpu *c)
{
        return c && (c->has_shares || c->has_quota || c->has_period || c->has_burst ||
                     c->has_realtime_period || c->has_realtime_runtime || c->has_idle);
}

static bool cpuset_is_set(const ocispec_linux_resources_cpu *c)
{
        return c && (!str_empty(c->cpus) || !str_empty(c->mems));
}

static bool blkio_is_set(const ocispec_linux_resources_block_io *b)
{
        return b && (b->has_weight || b->has_leaf_weight || b->weight_device_len ||
                     b->throttle_read_bps_device_len || b->throttle_write_bps_device_len ||
                     b->throttle_read_iops_device_len || b->throttle_write_iops_device_len);
}

/* The container's directory for a controller that v1 names v1_name and
 * cgroup2 v2_name (NULL: v2 has no such controller). Absent: an error
 * naming the field that needed it. */
static cgroup_version find(cgroup_layout *layout, const char *v1_name, const char *v2_name,
                           const char *field, char **ret_dir, ocirun_error **error)
{
        cgroup_version version = cgroup_layout_dir(layout, v1_name, ret_dir);
        if (version == CGROUP_V2 && !v2_name) {
                free(*ret_dir);
                *ret_dir = NULL;
                version = CGROUP_ABSENT;
        } else if (version == CGROUP_ABSENT && v2_name && strcmp(v1_name, v2_name) != 0) {
                version = cgroup_layout_dir(layout, v2_name, ret_dir);
        }
        if (version == CGROUP_ABSENT)
                error_set(error, ENOTSUP,
                          "%s: the %s controller is not available to the container's cgroup on "
                          "this host%s",
                          field, v1_name, v2_name ? "" : " (cgroup v2 has no equivalent)");
        return version;
}

int cgroup_apply_devices(const ocispec_runtime_state *state,
                         const ocispec_linux_resources *resources, const char *prefix, bool update,
                         ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        _cleanup_free_ char *dir = NULL;
        ocispec_device_cgroup *rules = NULL;
        size_t len = 0;
        /* An update that names no devices leaves the rules alone. */
        if (update && (!resources || resources->devices_len == 0))
                return 0;
        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        cgroup_version version = cgroup_layout_dir(&layout, "devices", &dir);
        if (version == CGROUP_ABSENT)
                version = cgroup_layout_dir(&layout, NULL, &dir);
        if (version == CGROUP_ABSENT) {
                if (resources && resources->devices_len)
                        return error_set(error, ENOTSUP,
                                         "%s.devices: this host has neither the v1 devices "
                                         "controller nor cgroup2 to enforce device rules",
                                         prefix);
                return 0;
        }
        r = cgroup_device_rules(resources, &rules, &len, error);
        if (r < 0)
                return r;
        if (version == CGROUP_V1) {
                r = cgroup_v1_devices(dir, rules, len, prefix, error);
        } else {
                _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        r = error_set_errno(error, errno, "%s.devices: open %s", prefix, dir);
                else
                        r = cgroup_devices_bpf_apply(fd, rules, len, error);
                /* Loading a cgroup BPF program takes CAP_BPF and
                 * CAP_SYS_ADMIN on the host. runc leaves device rules to the
                 * user namespace for a rootless container, which cannot make
                 * device nodes and has only the host's devices bound in. */
                if ((r == -EPERM || r == -EACCES) && id_maps_caller_is_rootless()) {
                        ocirun_log(OCIRUN_LOG_DEBUG, "%s.devices: not enforced (rootless): %s",
                                   prefix, (*error)->message);
                        ocirun_error_free(steal_pointer(error));
                        r = 0;
                }
                if (r < 0 && fd >= 0)
                        error_prefix(error, "%s.devices", prefix);
        }
        cgroup_device_rules_free(rules, len);
        return r;
}

int cgroup_apply_resources(const ocispec_runtime_state *state,
                           const ocispec_linux_resources *resources, const char *prefix,
                           bool update, ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        char field[256];
        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        if (!resources)
                return 0;

        if (memory_is_set(resources->memory)) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.memory", prefix);
                cgroup_version version = find(&layout, "memory", "memory", field, &dir, error);
                if (version == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = version == CGROUP_V1
                        ? cgroup_v1_memory(dir, resources->memory, prefix, update, error)
                        : cgroup_v2_memory(dir, resources->memory, prefix, update, error);
                if (r < 0)
                        return r;
        }
        if (cpuset_is_set(resources->cpu)) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.cpu.%s", prefix,
                         str_empty(resources->cpu->cpus) ? "mems" : "cpus");
                if (find(&layout, "cpuset", "cpuset", field, &dir, error) == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_apply_cpuset(dir, resources->cpu, prefix, error);
                if (r < 0)
                        return r;
        }
        if (cpu_is_set(resources->cpu)) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.cpu", prefix);
                cgroup_version version = find(&layout, "cpu", "cpu", field, &dir, error);
                if (version == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = version == CGROUP_V1 ? cgroup_v1_cpu(dir, resources->cpu, prefix, error)
                                         : cgroup_v2_cpu(dir, resources->cpu, prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->pids && resources->pids->has_limit) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.pids.limit", prefix);
                if (find(&layout, "pids", "pids", field, &dir, error) == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_apply_pids(dir, resources->pids, prefix, error);
                if (r < 0)
                        return r;
        }
        if (blkio_is_set(resources->block_io)) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.blockIO", prefix);
                cgroup_version version = find(&layout, "blkio", "io", field, &dir, error);
                if (version == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = version == CGROUP_V1 ? cgroup_v1_blkio(dir, resources->block_io, prefix, error)
                                         : cgroup_v2_io(dir, resources->block_io, prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->hugepage_limits_len) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.hugepageLimits", prefix);
                cgroup_version version = find(&layout, "hugetlb", "hugetlb", field, &dir, error);
                if (version == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_apply_hugetlb(
                    dir, resources->hugepage_limits, resources->hugepage_limits_len,
                    version == CGROUP_V1 ? "limit_in_bytes" : "max", prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->network && resources->network->has_class_id) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.network.classID", prefix);
                if (find(&layout, "net_cls", NULL, field, &dir, error) == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_v1_net_cls(dir, resources->network, prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->network && resources->network->priorities_len) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.network.priorities", prefix);
                if (find(&layout, "net_prio", NULL, field, &dir, error) == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_v1_net_prio(dir, resources->network, prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->rdma && resources->rdma->len) {
                _cleanup_free_ char *dir = NULL;
                snprintf(field, sizeof(field), "%s.rdma", prefix);
                if (find(&layout, "rdma", "rdma", field, &dir, error) == CGROUP_ABSENT)
                        return -ENOTSUP;
                r = cgroup_apply_rdma(dir, resources->rdma, prefix, error);
                if (r < 0)
                        return r;
        }
        if (resources->unified && resources->unified->len) {
                _cleanup_free_ char *dir = NULL;
                if (cgroup_layout_dir(&layout, NULL, &dir) != CGROUP_V2)
                        return error_set(error, ENOTSUP,
                                         "%s.unified: this host has no cgroup2 hierarchy", prefix);
                /* Read now: cgroup_layout_dir reads it only for a
                 * controller. */
                _cleanup_free_ char *controllers = NULL;
                cgroup_read(dir, "cgroup.controllers", &controllers);
                r = cgroup_v2_unified(dir, controllers, resources->unified, prefix, error);
        }
        return r;
}

/* ---- checks that need no host --------------------------------------------------- */

static int validate_device_rule(const ocispec_device_cgroup *rule, size_t i, const char *prefix,
                                ocirun_error **error)
{
        if (rule->type && (strlen(rule->type) != 1 || !strchr("abc", rule->type[0])))
                return error_set(error, EINVAL, "%s.devices[%zu].type: `%s` is not a, b or c",
                                 prefix, i, rule->type);
        if (rule->access && (!*rule->access || strspn(rule->access, "rwm") != strlen(rule->access)))
                return error_set(error, EINVAL,
                                 "%s.devices[%zu].access: `%s` is not a combination of r, w "
                                 "and m",
                                 prefix, i, rule->access);
        /* -1 is runc's "any"; the kernel's numbers are 32 bits. */
        if (rule->has_major && (rule->major < -1 || rule->major > UINT32_MAX))
                return error_set(error, EINVAL,
                                 "%s.devices[%zu].major: %lld is not a device number", prefix, i,
                                 (long long) rule->major);
        if (rule->has_minor && (rule->minor < -1 || rule->minor > UINT32_MAX))
                return error_set(error, EINVAL,
                                 "%s.devices[%zu].minor: %lld is not a device number", prefix, i,
                                 (long long) rule->minor);
        return 0;
}

/* "2MB": digits, then KB, MB or GB, as the kernel names page sizes in
 * hugetlb file names; anything else would make a file name of its own. */
static int check_page_size(const char *page_size, const char *field, ocirun_error **error)
{
        size_t digits = strspn(page_size ? page_size : "", "0123456789");
        if (!page_size || digits == 0 || page_size[0] == '0' ||
            (strcmp(page_size + digits, "KB") != 0 && strcmp(page_size + digits, "MB") != 0 &&
             strcmp(page_size + digits, "GB") != 0))
                return error_set(error, EINVAL,
                                 "%s: `%s` is not a page size like 2MB or 1GB (digits, then KB, MB "
                                 "or GB)",
                                 field, page_size ? page_size : "");
        return 0;
}

int cgroup_resources_validate(const ocispec_linux_resources *resources, const char *prefix,
                              ocirun_error **error)
{
        if (!resources)
                return 0;
        for (size_t i = 0; i < resources->devices_len; i++) {
                int r = validate_device_rule(&resources->devices[i], i, prefix, error);
                if (r < 0)
                        return r;
        }
        const ocispec_linux_resources_memory *memory = resources->memory;
        if (memory && memory->has_swappiness && memory->swappiness > 100)
                return error_set(error, EINVAL,
                                 "%s.memory.swappiness: %llu is out of range [0, 100]", prefix,
                                 (unsigned long long) memory->swappiness);
        const ocispec_linux_resources_block_io *blkio = resources->block_io;
        if (blkio && blkio->has_weight && blkio->weight != 0 &&
            (blkio->weight < 10 || blkio->weight > 1000))
                return error_set(error, EINVAL, "%s.blockIO.weight: %d is out of range [10, 1000]",
                                 prefix, (int) blkio->weight);
        for (size_t i = 0; i < resources->hugepage_limits_len; i++) {
                char field[256];
                snprintf(field, sizeof(field), "%s.hugepageLimits[%zu].pageSize", prefix, i);
                int r = check_page_size(resources->hugepage_limits[i].page_size, field, error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; resources->unified && i < resources->unified->len; i++) {
                const char *key = resources->unified->keys[i];
                if (!strchr(key, '.') || strchr(key, '/') || key[0] == '.' ||
                    strcmp(key, "cgroup.procs") == 0 || strcmp(key, "cgroup.threads") == 0 ||
                    strcmp(key, "cgroup.subtree_control") == 0)
                        return error_set(error, EINVAL,
                                         "%s.unified: `%s` is not a cgroup2 interface file a "
                                         "container may set",
                                         prefix, key);
        }
        return 0;
}
