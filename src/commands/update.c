/* `ocirun update`: changes a container's cgroup limits, from an OCI
 * linux.resources document (--resources FILE, or - for stdin, which is how
 * containerd and podman call it) and/or runc's per-limit flags; a flag wins
 * over the same field in the document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "error.h"
#include "util/strings.h"

static const char update_usage[] =
    "Usage: ocirun update [OPTIONS] ID\n"
    "\n"
    "Change the cgroup limits of container ID. Only what is given changes.\n"
    "\n"
    "Options:\n"
    "  -r, --resources FILE         an OCI linux.resources JSON document ('-': stdin)\n"
    "      --memory SIZE            memory limit (512m, 1g, bytes; -1: none)\n"
    "      --memory-reservation SIZE soft limit\n"
    "      --memory-swap SIZE       memory plus swap (-1: unlimited swap)\n"
    "      --kernel-memory SIZE     obsolete, ignored with a warning\n"
    "      --kernel-memory-tcp SIZE kernel TCP buffer limit (cgroup v1)\n"
    "      --cpu-share N            CPU shares (cpu.weight on cgroup v2)\n"
    "      --cpu-period US          CFS period\n"
    "      --cpu-quota US           CFS quota per period (-1: none)\n"
    "      --cpu-burst US           CFS burst\n"
    "      --cpu-rt-period US       real-time period (cgroup v1)\n"
    "      --cpu-rt-runtime US      real-time runtime (cgroup v1)\n"
    "      --cpu-idle 0|1           SCHED_IDLE for the cgroup\n"
    "      --cpuset-cpus LIST       CPUs to run on (0-3,5)\n"
    "      --cpuset-mems LIST       memory nodes to use\n"
    "      --pids-limit N           maximum number of tasks (0 or -1: none)\n"
    "      --blkio-weight N         block I/O weight, 10 to 1000\n"
    "  -h, --help                   show this help\n";

enum {
        OPT_MEMORY = 256,
        OPT_MEMORY_RESERVATION,
        OPT_MEMORY_SWAP,
        OPT_KERNEL_MEMORY,
        OPT_KERNEL_MEMORY_TCP,
        OPT_CPU_SHARE,
        OPT_CPU_PERIOD,
        OPT_CPU_QUOTA,
        OPT_CPU_BURST,
        OPT_CPU_RT_PERIOD,
        OPT_CPU_RT_RUNTIME,
        OPT_CPU_IDLE,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_PIDS_LIMIT,
        OPT_BLKIO_WEIGHT,
};

static int read_stdin(char **ret, size_t *ret_len)
{
        size_t len = 0, capacity = 0;
        char *data = NULL;
        for (;;) {
                if (len == capacity) {
                        capacity = capacity ? capacity * 2 : 4096;
                        char *grown = realloc(data, capacity);
                        if (!grown) {
                                free(data);
                                return -ENOMEM;
                        }
                        data = grown;
                }
                ssize_t n = read(STDIN_FILENO, data + len, capacity - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int saved = errno;
                        free(data);
                        return -saved;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        *ret = data;
        *ret_len = len;
        return 0;
}

static int load_resources(const char *path, ocispec_linux_resources **ret, ocirun_error **error)
{
        char *message = NULL;
        void *doc = NULL;
        int r;
        if (strcmp(path, "-") == 0) {
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                r = read_stdin(&data, &len);
                if (r < 0)
                        return error_set_errno(error, -r, "update: read the resources from stdin");
                r = ocispec_parse(&ocispec_linux_resources_type, data, len, "--resources -", &doc,
                                  &message);
        } else {
                r = ocispec_parse_file(&ocispec_linux_resources_type, path, path, &doc, &message);
        }
        if (r < 0)
                return error_take_message(error, -r, message);
        *ret = doc;
        return 0;
}

/* The sub-objects the flags fill in, made on first use. */
#define ENSURE(parent, member, type)                                                               \
        ((parent)->member ? (parent)->member : ((parent)->member = calloc(1, sizeof(type))))

static int parse_flag_value(ocirun_cli *cli, int option, const char *name, const char *value,
                            int64_t *ret, ocirun_error **error)
{
        bool bytes = option == OPT_MEMORY || option == OPT_MEMORY_RESERVATION ||
                     option == OPT_MEMORY_SWAP || option == OPT_KERNEL_MEMORY ||
                     option == OPT_KERNEL_MEMORY_TCP;
        int r = bytes ? str_parse_bytes(value, ret) : str_parse_int64(value, ret);
        if (r < 0)
                return cli_usage_error(cli, error, "update: --%s: `%s` is not %s", name, value,
                                       bytes ? "a size (like 512m, 1g or a number of bytes)"
                                             : "an integer");
        return 0;
}

static int apply_flag(ocirun_cli *cli, ocispec_linux_resources *resources, int option,
                      const char *name, const char *value, ocirun_error **error)
{
        ocispec_linux_resources_memory *memory = NULL;
        ocispec_linux_resources_cpu *cpu = NULL;
        int64_t number = 0;

        if (option != OPT_CPUSET_CPUS && option != OPT_CPUSET_MEMS) {
                int r = parse_flag_value(cli, option, name, value, &number, error);
                if (r < 0)
                        return r;
        }
        if (option >= OPT_MEMORY && option <= OPT_KERNEL_MEMORY_TCP)
                memory = ENSURE(resources, memory, ocispec_linux_resources_memory);
        else if (option >= OPT_CPU_SHARE && option <= OPT_CPUSET_MEMS)
                cpu = ENSURE(resources, cpu, ocispec_linux_resources_cpu);
        if ((option >= OPT_MEMORY && option <= OPT_KERNEL_MEMORY_TCP && !memory) ||
            (option >= OPT_CPU_SHARE && option <= OPT_CPUSET_MEMS && !cpu))
                return -ENOMEM;
        if (number < 0 && option != OPT_MEMORY && option != OPT_MEMORY_SWAP &&
            option != OPT_MEMORY_RESERVATION && option != OPT_CPU_QUOTA && option != OPT_PIDS_LIMIT)
                return cli_usage_error(cli, error, "update: --%s: must not be negative", name);

        switch (option) {
        case OPT_MEMORY:
                memory->limit = number, memory->has_limit = true;
                break;
        case OPT_MEMORY_RESERVATION:
                memory->reservation = number, memory->has_reservation = true;
                break;
        case OPT_MEMORY_SWAP:
                memory->swap = number, memory->has_swap = true;
                break;
        case OPT_KERNEL_MEMORY:
                memory->kernel = number, memory->has_kernel = true;
                break;
        case OPT_KERNEL_MEMORY_TCP:
                memory->kernel_tcp = number, memory->has_kernel_tcp = true;
                break;
        case OPT_CPU_SHARE:
                cpu->shares = (uint64_t) number, cpu->has_shares = true;
                break;
        case OPT_CPU_PERIOD:
                cpu->period = (uint64_t) number, cpu->has_period = true;
                break;
        case OPT_CPU_QUOTA:
                cpu->quota = number, cpu->has_quota = true;
                break;
        case OPT_CPU_BURST:
                cpu->burst = (uint64_t) number, cpu->has_burst = true;
                break;
        case OPT_CPU_RT_PERIOD:
                cpu->realtime_period = (uint64_t) number, cpu->has_realtime_period = true;
                break;
        case OPT_CPU_RT_RUNTIME:
                cpu->realtime_runtime = number, cpu->has_realtime_runtime = true;
                break;
        case OPT_CPU_IDLE:
                cpu->idle = number, cpu->has_idle = true;
                break;
        case OPT_CPUSET_CPUS:
        case OPT_CPUSET_MEMS: {
                char **slot = option == OPT_CPUSET_CPUS ? &cpu->cpus : &cpu->mems;
                free(*slot);
                *slot = strdup(value);
                if (!*slot)
                        return -ENOMEM;
                break;
        }
        case OPT_PIDS_LIMIT: {
                ocispec_linux_resources_pids *pids =
                    ENSURE(resources, pids, ocispec_linux_resources_pids);
                if (!pids)
                        return -ENOMEM;
                pids->limit = number, pids->has_limit = true;
                break;
        }
        case OPT_BLKIO_WEIGHT: {
                ocispec_linux_resources_block_io *blkio =
                    ENSURE(resources, block_io, ocispec_linux_resources_block_io);
                if (!blkio)
                        return -ENOMEM;
                if (number > 1000)
                        return cli_usage_error(cli, error,
                                               "update: --blkio-weight: %lld is out of range "
                                               "[10, 1000]",
                                               (long long) number);
                blkio->weight = (int32_t) number, blkio->has_weight = true;
                break;
        }
        default:
                return -EINVAL;
        }
        return 0;
}

static void resources_freep(ocispec_linux_resources **resources)
{
        ocispec_free(&ocispec_linux_resources_type, *resources);
}

static int run_update(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"resources", required_argument, NULL, 'r'},
            {"memory", required_argument, NULL, OPT_MEMORY},
            {"memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION},
            {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
            {"kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY},
            {"kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP},
            {"cpu-share", required_argument, NULL, OPT_CPU_SHARE},
            {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
            {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
            {"cpu-burst", required_argument, NULL, OPT_CPU_BURST},
            {"cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD},
            {"cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME},
            {"cpu-idle", required_argument, NULL, OPT_CPU_IDLE},
            {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
            {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
            {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
            {"blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        /* Flags are applied after the document, so they are collected first. */
        struct {
                int option;
                const char *name;
                const char *value;
        } flags[sizeof(options) / sizeof(options[0])];
        size_t n_flags = 0;
        const char *resources_path = NULL;
        bool help = false;
        int c, index;

        while ((c = cli_getopt(cli, &command_update, argc, argv, "+:r:h", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'r') {
                        resources_path = optarg;
                        continue;
                }
                if (c < OPT_MEMORY)
                        continue;
                for (index = 0; options[index].val != c; index++)
                        ;
                if (n_flags < sizeof(flags) / sizeof(flags[0]))
                        flags[n_flags++] = (typeof(flags[0])){c, options[index].name, optarg};
        }
        if (help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "update: expected exactly one container id");

        _cleanup_(resources_freep) ocispec_linux_resources *resources = NULL;
        int r = 0;
        if (resources_path)
                r = load_resources(resources_path, &resources, error);
        else if (!(resources = calloc(1, sizeof(*resources))))
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n_flags; i++)
                r = apply_flag(cli, resources, flags[i].option, flags[i].name, flags[i].value,
                               error);
        if (r == -ENOMEM && !*error)
                return error_set(error, ENOMEM, "out of memory");
        if (r < 0)
                return r;
        if (!resources_path && n_flags == 0)
                return cli_usage_error(cli, error,
                                       "update: nothing to change: give --resources or a limit "
                                       "flag");

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_update(root, argv[optind], resources, error);
}

const ocirun_command command_update = {
    .name = "update",
    .summary = "change a container's cgroup limits",
    .usage = update_usage,
    .run = run_update,
};
