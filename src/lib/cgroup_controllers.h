/* The per-controller writers behind cgroup_apply_resources: one function
 * per controller and cgroup version, each given the container's directory
 * for that controller and the JSON path of the resources for its errors
 * ("config.json: linux.resources"). Fields that are not set are not
 * written, so `update` changes only what it names. */
#ifndef OCIRUN_CGROUP_CONTROLLERS_H
#define OCIRUN_CGROUP_CONTROLLERS_H

#include "cgroup.h"

/* "PREFIX.NAME", the JSON path of a field for errors, in a caller's array. */
#define FIELD(buf, prefix, name) (snprintf((buf), sizeof(buf), "%s.%s", (prefix), (name)), (buf))

/* Files with the same name and format in both versions. */
int cgroup_apply_cpuset(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                        ocirun_error **error);
int cgroup_apply_pids(const char *dir, const ocispec_linux_resources_pids *pids, const char *prefix,
                      ocirun_error **error);
int cgroup_apply_rdma(const char *dir, const ocispec_rdma_map *rdma, const char *prefix,
                      ocirun_error **error);

/* hugetlb.SIZE.LIMIT_SUFFIX and its rsvd twin: v1 names the limit
 * limit_in_bytes, v2 max. */
int cgroup_apply_hugetlb(const char *dir, const ocispec_linux_resources_hugepage_limit *limits,
                         size_t len, const char *limit_suffix, const char *prefix,
                         ocirun_error **error);

/* memory.checkBeforeUpdate: an update must not set a limit below what the
 * container uses now (usage_file: memory.usage_in_bytes or memory.current),
 * which the kernel would reclaim or OOM-kill to reach. */
int cgroup_check_memory_usage(const char *dir, const char *usage_file,
                              const ocispec_linux_resources_memory *memory, const char *prefix,
                              ocirun_error **error);

int cgroup_v1_memory(const char *dir, const ocispec_linux_resources_memory *memory,
                     const char *prefix, bool update, ocirun_error **error);
int cgroup_v1_cpu(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                  ocirun_error **error);
int cgroup_v1_blkio(const char *dir, const ocispec_linux_resources_block_io *blkio,
                    const char *prefix, ocirun_error **error);
int cgroup_v1_net_cls(const char *dir, const ocispec_linux_resources_network *network,
                      const char *prefix, ocirun_error **error);
int cgroup_v1_net_prio(const char *dir, const ocispec_linux_resources_network *network,
                       const char *prefix, ocirun_error **error);

int cgroup_v2_memory(const char *dir, const ocispec_linux_resources_memory *memory,
                     const char *prefix, bool update, ocirun_error **error);
int cgroup_v2_cpu(const char *dir, const ocispec_linux_resources_cpu *cpu, const char *prefix,
                  ocirun_error **error);
int cgroup_v2_io(const char *dir, const ocispec_linux_resources_block_io *blkio, const char *prefix,
                 ocirun_error **error);
/* linux.resources.unified: raw cgroup2 files, each checked against the
 * controllers enabled for the container (controllers: its
 * cgroup.controllers) and written last, so they win over the fields. */
int cgroup_v2_unified(const char *dir, const char *controllers, const ocispec_string_map *unified,
                      const char *prefix, ocirun_error **error);

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000], the mapping runc 1.3.2
 * and crun 1.23 adopted: default shares (1024) give the default weight
 * (100), and the ends of the ranges meet. 0 (unset) gives 0. */
uint64_t cgroup_cpu_shares_to_weight(uint64_t shares);
/* blkio.weight [10, 1000] -> io.weight [1, 10000]. */
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);

/* linux.resources.devices: the rules ocirun enforces, in order: deny
 * everything, the config's rules, then the nodes every container's /dev
 * has (null, zero, full, random, urandom, tty, console and ptys). */
int cgroup_device_rules(const ocispec_linux_resources *resources, ocispec_device_cgroup **ret,
                        size_t *ret_len, ocirun_error **error);
void cgroup_device_rules_free(ocispec_device_cgroup *rules, size_t len);
int cgroup_v1_devices(const char *dir, const ocispec_device_cgroup *rules, size_t len,
                      const char *prefix, ocirun_error **error);

#endif
