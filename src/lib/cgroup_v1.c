/* linux.resources on cgroup v1 hierarchies (v1-only and hybrid hosts), plus
 * the files both versions share. Each v1 controller is its own hierarchy,
 * so each function gets the directory of its own controller. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_controllers.h"
#include "error.h"
#include "util/strings.h"

/* ---- shared by both versions ---------------------------------------------- */

int cgroup_apply_cpuset(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                        ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (!str_empty(cpu->cpus))
                r = cgroup_write(error, FIELD(field, prefix, "cpu.cpus"), dir, "cpuset.cpus", "%s",
                                 cpu->cpus);
        if (r == 0 && !str_empty(cpu->mems))
                r = cgroup_write(error, FIELD(field, prefix, "cpu.mems"), dir, "cpuset.mems", "%s",
                                 cpu->mems);
        return r;
}

int cgroup_apply_pids(const char *dir, const ocispec_linux_resources_pids *pids, const char *prefix,
                      ocirun_error **error)
{
        char field[256];
        if (!pids->has_limit)
                return 0;
        /* Zero or negative: no limit (what runtime-spec and runc settled on). */
        if (pids->limit <= 0)
                return cgroup_write(error, FIELD(field, prefix, "pids.limit"), dir, "pids.max",
                                    "max");
        return cgroup_write(error, FIELD(field, prefix, "pids.limit"), dir, "pids.max", "%" PRId64,
                            pids->limit);
}

int cgroup_apply_rdma(const char *dir, const ocispec_rdma_map *rdma, const char *prefix,
                      ocirun_error **error)
{
        for (size_t i = 0; rdma && i < rdma->len; i++) {
                const ocispec_rdma *limit = &rdma->values[i];
                char field[512], handles[32] = "", objects[32] = "";
                if (!limit->has_hca_handles && !limit->has_hca_objects)
                        continue;
                if (limit->has_hca_handles)
                        snprintf(handles, sizeof(handles), " hca_handle=%" PRIu32,
                                 limit->hca_handles);
                if (limit->has_hca_objects)
                        snprintf(objects, sizeof(objects), " hca_object=%" PRIu32,
                                 limit->hca_objects);
                snprintf(field, sizeof(field), "%s.rdma.%s", prefix, rdma->keys[i]);
                int r = cgroup_write(error, field, dir, "rdma.max", "%s%s%s", rdma->keys[i],
                                     handles, objects);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- memory ----------------------------------------------------------------- */

int cgroup_check_memory_usage(const char *dir, const char *usage_file,
                              const ocispec_linux_resources_memory *memory, const char *prefix,
                              ocirun_error **error)
{
        uint64_t usage;
        if (!memory->check_before_update || !memory->has_limit || memory->limit <= 0 ||
            cgroup_read_u64(dir, usage_file, &usage) < 0 || (uint64_t) memory->limit >= usage)
                return 0;
        return error_set(error, EBUSY,
                         "%s.memory.limit: %" PRId64 " is below the container's current usage of "
                         "%" PRIu64 " bytes (memory.checkBeforeUpdate is set)",
                         prefix, memory->limit, usage);
}

/* memory.memsw.limit_in_bytes (memory + swap) may never be below
 * memory.limit_in_bytes, so whichever grows is written first. */
static int v1_memory_limits(const char *dir, const ocispec_linux_resources_memory *memory,
                            const char *prefix, ocirun_error **error)
{
        char limit_field[256], swap_field[256];
        bool limit = memory->has_limit && memory->limit != 0;
        bool swap = memory->has_swap && memory->swap != 0;
        FIELD(limit_field, prefix, "memory.limit");
        FIELD(swap_field, prefix, "memory.swap");

        /* Without swap accounting, swap is unlimited already. */
        if (swap && memory->swap == -1 && !cgroup_has_file(dir, "memory.memsw.limit_in_bytes"))
                swap = false;
        if (swap && !cgroup_has_file(dir, "memory.memsw.limit_in_bytes"))
                return error_set(error, ENOTSUP,
                                 "%s: this kernel does not account swap (no "
                                 "memory.memsw.limit_in_bytes; boot with swapaccount=1)",
                                 swap_field);
        if (swap && limit && memory->swap != -1 && memory->limit != -1 &&
            memory->swap < memory->limit)
                return error_set(error, EINVAL,
                                 "%s: %" PRId64 " is memory plus swap and cannot be below "
                                 "memory.limit (%" PRId64 ")",
                                 swap_field, memory->swap, memory->limit);
        uint64_t current_swap = 0;
        bool swap_first =
            swap && (memory->swap == -1 ||
                     (cgroup_read_u64(dir, "memory.memsw.limit_in_bytes", &current_swap) == 0 &&
                      (uint64_t) memory->swap > current_swap));
        int r = 0;
        if (swap_first)
                r = cgroup_write(error, swap_field, dir, "memory.memsw.limit_in_bytes", "%" PRId64,
                                 memory->swap);
        if (r == 0 && limit)
                r = cgroup_write(error, limit_field, dir, "memory.limit_in_bytes", "%" PRId64,
                                 memory->limit);
        if (r == 0 && swap && !swap_first)
                r = cgroup_write(error, swap_field, dir, "memory.memsw.limit_in_bytes", "%" PRId64,
                                 memory->swap);
        return r;
}

int cgroup_v1_memory(const char *dir, const ocispec_linux_resources_memory *memory,
                     const char *prefix, bool update, ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (update)
                r = cgroup_check_memory_usage(dir, "memory.usage_in_bytes", memory, prefix, error);
        if (r == 0)
                r = v1_memory_limits(dir, memory, prefix, error);
        if (r == 0 && memory->has_reservation && memory->reservation != 0)
                r = cgroup_write(error, FIELD(field, prefix, "memory.reservation"), dir,
                                 "memory.soft_limit_in_bytes", "%" PRId64, memory->reservation);
        if (r == 0 && memory->has_kernel && memory->kernel != 0)
                ocirun_log(OCIRUN_LOG_WARNING,
                           "%s.memory.kernel: ignored: Linux no longer limits kernel memory on "
                           "its own (it is part of memory.limit)",
                           prefix);
        if (r == 0 && memory->has_kernel_tcp && memory->kernel_tcp != 0)
                r = cgroup_write(error, FIELD(field, prefix, "memory.kernelTCP"), dir,
                                 "memory.kmem.tcp.limit_in_bytes", "%" PRId64, memory->kernel_tcp);
        /* Its range was checked with the rest (cgroup_resources_validate). */
        if (r == 0 && memory->has_swappiness)
                r = cgroup_write(error, FIELD(field, prefix, "memory.swappiness"), dir,
                                 "memory.swappiness", "%" PRIu64, memory->swappiness);
        if (r == 0 && memory->has_disable_oom_killer)
                r = cgroup_write(error, FIELD(field, prefix, "memory.disableOOMKiller"), dir,
                                 "memory.oom_control", "%d", memory->disable_oom_killer);
        /* Kernels since 5.x always use the hierarchy and refuse 0. */
        if (r == 0 && memory->has_use_hierarchy && memory->use_hierarchy)
                r = cgroup_write(error, FIELD(field, prefix, "memory.useHierarchy"), dir,
                                 "memory.use_hierarchy", "1");
        return r;
}

/* ---- cpu ---------------------------------------------------------------------- */

int cgroup_v1_cpu(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                  ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (cpu->has_shares && cpu->shares != 0)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.shares"), dir, "cpu.shares",
                                 "%" PRIu64, cpu->shares);
        /* The kernel checks quota against period as each is written: when
         * the new period does not fit the old quota, the quota goes first. */
        bool period = cpu->has_period && cpu->period != 0;
        bool quota = cpu->has_quota && cpu->quota != 0;
        if (r == 0 && period) {
                _cleanup_(ocirun_error_freep) ocirun_error *first = NULL;
                r = cgroup_write(&first, FIELD(field, prefix, "cpu.period"), dir,
                                 "cpu.cfs_period_us", "%" PRIu64, cpu->period);
                if (r < 0 && quota) {
                        r = cgroup_write(error, FIELD(field, prefix, "cpu.quota"), dir,
                                         "cpu.cfs_quota_us", "%" PRId64, cpu->quota);
                        if (r == 0)
                                r = cgroup_write(error, FIELD(field, prefix, "cpu.period"), dir,
                                                 "cpu.cfs_period_us", "%" PRIu64, cpu->period);
                        quota = false;
                } else if (r < 0) {
                        *error = steal_pointer(&first);
                }
        }
        if (r == 0 && quota)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.quota"), dir, "cpu.cfs_quota_us",
                                 "%" PRId64, cpu->quota);
        if (r == 0 && cpu->has_burst)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.burst"), dir, "cpu.cfs_burst_us",
                                 "%" PRIu64, cpu->burst);
        if (r == 0 && cpu->has_realtime_period && cpu->realtime_period != 0)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.realtimePeriod"), dir,
                                 "cpu.rt_period_us", "%" PRIu64, cpu->realtime_period);
        if (r == 0 && cpu->has_realtime_runtime && cpu->realtime_runtime != 0)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.realtimeRuntime"), dir,
                                 "cpu.rt_runtime_us", "%" PRId64, cpu->realtime_runtime);
        if (r == 0 && cpu->has_idle)
                r = cgroup_write(error, FIELD(field, prefix, "cpu.idle"), dir, "cpu.idle",
                                 "%" PRId64, cpu->idle);
        return r;
}

/* ---- blkio ---------------------------------------------------------------------- */

/* CFQ's blkio.weight went with CFQ; BFQ's blkio.bfq.weight replaced it and
 * exists only while BFQ is some device's scheduler. */
static const char *v1_weight_file(const char *dir, bool per_device)
{
        if (cgroup_has_file(dir, per_device ? "blkio.weight_device" : "blkio.weight"))
                return per_device ? "blkio.weight_device" : "blkio.weight";
        return per_device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int v1_throttle(const char *dir, const ocispec_block_io_device_throttle *list, size_t len,
                       const char *prefix, const char *name, const char *file, ocirun_error **error)
{
        for (size_t i = 0; i < len; i++) {
                char field[256];
                snprintf(field, sizeof(field), "%s.blockIO.%s[%zu]", prefix, name, i);
                int r = cgroup_write(error, field, dir, file, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                     list[i].major, list[i].minor, list[i].rate);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_v1_blkio(const char *dir, const ocispec_linux_resources_block_io *blkio,
                    const char *prefix, ocirun_error **error)
{
        char field[256];
        int r = 0;
        if (blkio->has_weight && blkio->weight != 0)
                r = cgroup_write(error, FIELD(field, prefix, "blockIO.weight"), dir,
                                 v1_weight_file(dir, false), "%d", (int) blkio->weight);
        if (r == 0 && blkio->has_leaf_weight && blkio->leaf_weight != 0)
                r = cgroup_write(error, FIELD(field, prefix, "blockIO.leafWeight"), dir,
                                 "blkio.leaf_weight", "%d", (int) blkio->leaf_weight);
        for (size_t i = 0; r == 0 && i < blkio->weight_device_len; i++) {
                const ocispec_block_io_device_weight *device = &blkio->weight_device[i];
                snprintf(field, sizeof(field), "%s.blockIO.weightDevice[%zu]", prefix, i);
                if (device->has_weight)
                        r = cgroup_write(error, field, dir, v1_weight_file(dir, true),
                                         "%" PRId64 ":%" PRId64 " %d", device->major, device->minor,
                                         (int) device->weight);
                if (r == 0 && device->has_leaf_weight)
                        r = cgroup_write(error, field, dir, "blkio.leaf_weight_device",
                                         "%" PRId64 ":%" PRId64 " %d", device->major, device->minor,
                                         (int) device->leaf_weight);
        }
        if (r == 0)
                r = v1_throttle(dir, blkio->throttle_read_bps_device,
                                blkio->throttle_read_bps_device_len, prefix,
                                "throttleReadBpsDevice", "blkio.throttle.read_bps_device", error);
        if (r == 0)
                r = v1_throttle(dir, blkio->throttle_write_bps_device,
                                blkio->throttle_write_bps_device_len, prefix,
                                "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", error);
        if (r == 0)
                r = v1_throttle(dir, blkio->throttle_read_iops_device,
                                blkio->throttle_read_iops_device_len, prefix,
                                "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", error);
        if (r == 0)
                r = v1_throttle(
                    dir, blkio->throttle_write_iops_device, blkio->throttle_write_iops_device_len,
                    prefix, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", error);
        return r;
}

/* ---- hugetlb (both versions), net_cls, net_prio ------------------------------------------------
 */

int cgroup_apply_hugetlb(const char *dir, const ocispec_linux_resources_hugepage_limit *limits,
                         size_t len, const char *limit_suffix, const char *prefix,
                         ocirun_error **error)
{
        for (size_t i = 0; i < len; i++) {
                /* The page size's form was checked with the rest of the
                 * resources (cgroup_resources_validate): it makes a file name. */
                char field[256], file[128];
                snprintf(field, sizeof(field), "%s.hugepageLimits[%zu].pageSize", prefix, i);
                snprintf(file, sizeof(file), "hugetlb.%s.%s", limits[i].page_size, limit_suffix);
                if (!cgroup_has_file(dir, file))
                        return error_set(error, ENOTSUP, "%s: this host has no %s huge pages",
                                         field, limits[i].page_size);
                snprintf(field, sizeof(field), "%s.hugepageLimits[%zu].limit", prefix, i);
                int r = cgroup_write(error, field, dir, file, "%" PRIu64, limits[i].limit);
                /* Reservations are limited alike where the kernel can (5.7+):
                 * otherwise a reserved but unfaulted mapping escapes the limit. */
                snprintf(file, sizeof(file), "hugetlb.%s.rsvd.%s", limits[i].page_size,
                         limit_suffix);
                if (r == 0 && cgroup_has_file(dir, file))
                        r = cgroup_write(error, field, dir, file, "%" PRIu64, limits[i].limit);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_v1_net_cls(const char *dir, const ocispec_linux_resources_network *network,
                      const char *prefix, ocirun_error **error)
{
        char field[256];
        if (!network->has_class_id)
                return 0;
        return cgroup_write(error, FIELD(field, prefix, "network.classID"), dir, "net_cls.classid",
                            "%" PRIu32, network->class_id);
}

int cgroup_v1_net_prio(const char *dir, const ocispec_linux_resources_network *network,
                       const char *prefix, ocirun_error **error)
{
        for (size_t i = 0; i < network->priorities_len; i++) {
                char field[256];
                snprintf(field, sizeof(field), "%s.network.priorities[%zu]", prefix, i);
                int r = cgroup_write(error, field, dir, "net_prio.ifpriomap", "%s %" PRIu32,
                                     network->priorities[i].name, network->priorities[i].priority);
                if (r < 0)
                        return r;
        }
        return 0;
}
