/* linux.resources on cgroup2, with the v1-to-v2 conversions engines rely on:
 * cpu.shares to cpu.weight, blkio weights to io weights, and OCI's swap
 * (memory plus swap, v1's meaning) to memory.swap.max (swap alone). Fields
 * v2 has no file for are refused when they would change behaviour, and
 * warned about when they only tune it. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_controllers.h"
#include "error.h"
#include "util/strings.h"

uint64_t cgroup_cpu_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        /* weight = 10^((l^2 + 125 l) / 612 - 7/34), l = log2(shares). The
         * exponent is written over one denominator (7/34 = 126/612) so the
         * ends come out exact: shares 2 gives 10^0, 262144 gives 10^4. */
        double l = log2((double) shares);
        double weight = ceil(pow(10.0, (l * l + 125.0 * l - 126.0) / 612.0));
        return weight < 1 ? 1 : weight > 10000 ? 10000 : (uint64_t) weight;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        return 1 + (weight - 10) * 9999 / 990;
}

/* ---- memory ----------------------------------------------------------------- */

static int write_limit(ocirun_error **error, const char *field, const char *dir, const char *file,
                       int64_t value)
{
        if (value < 0)
                return cgroup_write(error, field, dir, file, "max");
        return cgroup_write(error, field, dir, file, "%" PRId64, value);
}

/* memory.swap.max is swap alone: OCI's swap minus the memory limit. The
 * limit comes from the same resources or, for an update that changes only
 * swap, from memory.max. */
static int v2_swap(const char *dir, const ocispec_linux_resources_memory *memory,
                   const char *prefix, ocirun_error **error)
{
        char field[256];
        FIELD(field, prefix, "memory.swap");
        if (!memory->has_swap || memory->swap == 0)
                return 0;
        if (!cgroup_has_file(dir, "memory.swap.max"))
                return error_set(error, ENOTSUP,
                                 "%s: this kernel does not account swap (no memory.swap.max)",
                                 field);
        if (memory->swap < 0)
                return cgroup_write(error, field, dir, "memory.swap.max", "max");
        int64_t limit = memory->has_limit ? memory->limit : 0;
        if (limit == 0) {
                _cleanup_free_ char *current = NULL;
                if (cgroup_read(dir, "memory.max", &current) == 0 && strcmp(current, "max") != 0)
                        limit = strtoll(current, NULL, 10);
                else
                        limit = -1;
        }
        if (limit < 0)
                return error_set(error, EINVAL,
                                 "%s: %" PRId64 " is memory plus swap, which needs a memory "
                                 "limit on cgroup v2",
                                 field, memory->swap);
        if (memory->swap < limit)
                return error_set(error, EINVAL,
                                 "%s: %" PRId64 " is memory plus swap and cannot be below "
                                 "memory.limit (%" PRId64 ")",
                                 field, memory->swap, limit);
        return cgroup_write(error, field, dir, "memory.swap.max", "%" PRId64, memory->swap - limit);
}

int cgroup_v2_memory(const char *dir, const ocispec_linux_resources_memory *memory,
                     const char *prefix, bool update, ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (update)
                r = cgroup_check_memory_usage(dir, "memory.current", memory, prefix, error);
        /* A lower limit with swap: the old swap.max may be too large for a
         * moment, which the kernel allows; the order matters only on v1. */
        if (r == 0 && memory->has_limit && memory->limit != 0)
                r = write_limit(error, FIELD(field, prefix, "memory.limit"), dir, "memory.max",
                                memory->limit);
        if (r == 0)
                r = v2_swap(dir, memory, prefix, error);
        if (r == 0 && memory->has_reservation && memory->reservation != 0)
                r = write_limit(error, FIELD(field, prefix, "memory.reservation"), dir,
                                "memory.low", memory->reservation);
        if (r < 0)
                return r;
        if (memory->has_kernel && memory->kernel != 0)
                ocirun_log(OCIRUN_LOG_WARNING,
                           "%s.memory.kernel: ignored: cgroup v2 counts kernel memory in "
                           "memory.max",
                           prefix);
        if (memory->has_kernel_tcp && memory->kernel_tcp != 0)
                ocirun_log(OCIRUN_LOG_WARNING,
                           "%s.memory.kernelTCP: ignored: cgroup v2 counts socket memory in "
                           "memory.max",
                           prefix);
        if (memory->has_swappiness)
                ocirun_log(OCIRUN_LOG_WARNING,
                           "%s.memory.swappiness: ignored: cgroup v2 has no per-cgroup "
                           "swappiness",
                           prefix);
        if (memory->has_disable_oom_killer && memory->disable_oom_killer)
                return error_set(error, ENOTSUP,
                                 "%s.memory.disableOOMKiller: cgroup v2 cannot turn the OOM "
                                 "killer off",
                                 prefix);
        return 0;
}

/* ---- cpu ---------------------------------------------------------------------- */

int cgroup_v2_cpu(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                  ocirun_error **error)
{
        char field[256];
        int r = 0;
        if ((cpu->has_realtime_period && cpu->realtime_period != 0) ||
            (cpu->has_realtime_runtime && cpu->realtime_runtime != 0))
                return error_set(error, ENOTSUP,
                                 "%s.cpu.realtimeRuntime: cgroup v2 has no real-time group "
                                 "scheduling",
                                 prefix);
        if (cpu->has_shares && cpu->shares != 0)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.shares"), dir, "cpu.weight",
                                 "%" PRIu64, cgroup_cpu_shares_to_weight(cpu->shares));
        bool period = cpu->has_period && cpu->period != 0;
        bool quota = cpu->has_quota && cpu->quota != 0;
        if (r == 0 && (period || quota)) {
                /* cpu.max is "QUOTA PERIOD" in one write; a missing period
                 * keeps the one the cgroup has. */
                char period_text[32] = "";
                if (period)
                        snprintf(period_text, sizeof(period_text), " %" PRIu64, cpu->period);
                if (quota && cpu->quota > 0)
                        r = cgroup_write(error, FIELD(field, prefix, "cpu.quota"), dir, "cpu.max",
                                         "%" PRId64 "%s", cpu->quota, period_text);
                else if (quota)
                        r = cgroup_write(error, FIELD(field, prefix, "cpu.quota"), dir, "cpu.max",
                                         "max%s", period_text);
                else {
                        _cleanup_free_ char *current = NULL;
                        if (cgroup_read(dir, "cpu.max", &current) < 0)
                                current = strdup("max");
                        if (!current)
                                return error_set(error, ENOMEM, "out of memory");
                        current[strcspn(current, " ")] = '\0';
                        r = cgroup_write(error, FIELD(field, prefix, "cpu.period"), dir, "cpu.max",
                                         "%s%s", current, period_text);
                }
        }
        if (r == 0 && cpu->has_burst)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.burst"), dir, "cpu.max.burst",
                                 "%" PRIu64, cpu->burst);
        if (r == 0 && cpu->has_idle)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.idle"), dir, "cpu.idle",
                                 "%" PRId64, cpu->idle);
        return r;
}

/* ---- io ------------------------------------------------------------------------ */

/* io.bfq.weight takes blkio's range as it is; io.weight (the
 * io.cost/iolatency weight) needs converting. */
static int v2_weight(const char *dir, const char *field, const char *device, uint64_t weight,
                     ocirun_error **error)
{
        if (cgroup_has_file(dir, "io.bfq.weight"))
                return cgroup_write(error, field, dir, "io.bfq.weight", "%s%" PRIu64, device,
                                    weight);
        return cgroup_write(error, field, dir, "io.weight", "%s%" PRIu64,
                            *device ? device : "default ",
                            cgroup_blkio_weight_to_io_weight(weight));
}

static int v2_throttle(const char *dir, const ocispec_block_io_device_throttle *list, size_t len,
                       const char *prefix, const char *name, const char *key, ocirun_error **error)
{
        for (size_t i = 0; i < len; i++) {
                char field[256];
                snprintf(field, sizeof(field), "%s.blockIO.%s[%zu]", prefix, name, i);
                /* A rate of 0 removes the limit, as it does on v1. */
                int r = list[i].rate == 0
                            ? cgroup_write(error, field, dir, "io.max",
                                           "%" PRId64 ":%" PRId64 " %s=max", list[i].major,
                                           list[i].minor, key)
                            : cgroup_write(error, field, dir, "io.max",
                                           "%" PRId64 ":%" PRId64 " %s=%" PRIu64, list[i].major,
                                           list[i].minor, key, list[i].rate);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_v2_io(const char *dir, const ocispec_linux_resources_block_io *blkio, const char *prefix,
                 ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (blkio->has_weight && blkio->weight != 0)
                r = v2_weight(dir, FIELD(field, prefix, "blockIO.weight"), "",
                              (uint64_t) blkio->weight, error);
        if (r == 0 && blkio->has_leaf_weight && blkio->leaf_weight != 0)
                ocirun_log(OCIRUN_LOG_WARNING,
                           "%s.blockIO.leafWeight: ignored: cgroup v2 has no leaf weights", prefix);
        for (size_t i = 0; r == 0 && i < blkio->weight_device_len; i++) {
                const ocispec_block_io_device_weight *device = &blkio->weight_device[i];
                char key[64];
                snprintf(field, sizeof(field), "%s.blockIO.weightDevice[%zu]", prefix, i);
                snprintf(key, sizeof(key), "%" PRId64 ":%" PRId64 " ", device->major,
                         device->minor);
                if (device->has_weight)
                        r = v2_weight(dir, field, key, (uint64_t) device->weight, error);
        }
        if (r == 0)
                r = v2_throttle(dir, blkio->throttle_read_bps_device,
                                blkio->throttle_read_bps_device_len, prefix,
                                "throttleReadBpsDevice", "rbps", error);
        if (r == 0)
                r = v2_throttle(dir, blkio->throttle_write_bps_device,
                                blkio->throttle_write_bps_device_len, prefix,
                                "throttleWriteBpsDevice", "wbps", error);
        if (r == 0)
                r = v2_throttle(dir, blkio->throttle_read_iops_device,
                                blkio->throttle_read_iops_device_len, prefix,
                                "throttleReadIOPSDevice", "riops", error);
        if (r == 0)
                r = v2_throttle(dir, blkio->throttle_write_iops_device,
                                blkio->throttle_write_iops_device_len, prefix,
                                "throttleWriteIOPSDevice", "wiops", error);
        return r;
}

/* ---- unified ----------------------------------------------------------------------- */

int cgroup_v2_unified(const char *dir, const char *controllers, const ocispec_string_map *unified,
                      const char *prefix, ocirun_error **error)
{
        for (size_t i = 0; unified && i < unified->len; i++) {
                const char *key = unified->keys[i];
                char field[512], controller[64];
                snprintf(field, sizeof(field), "%s.unified.%s", prefix, key);
                size_t len = strcspn(key, ".");
                snprintf(controller, sizeof(controller), "%.*s", (int) len, key);
                if (strcmp(controller, "cgroup") != 0 &&
                    !cgroup_word_in_list(controllers, controller, ' '))
                        return error_set(error, ENOTSUP,
                                         "%s: the %s controller is not enabled for the "
                                         "container's cgroup on cgroup v2 (enabled: %s)",
                                         field, controller,
                                         str_empty(controllers) ? "none" : controllers);
                if (!cgroup_has_file(dir, key))
                        return error_set(error, ENOENT, "%s: cgroup v2 has no file `%s`", field,
                                         key);
                int r = cgroup_write(error, field, dir, key, "%s", unified->values[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
