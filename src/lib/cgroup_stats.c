/* The container's statistics as `ocirun events` prints them: read from the
 * cgroup files of whichever version holds each controller (and the
 * interface counters from the container's network namespace), and written
 * in the JSON shape of runc's types.Stats, which containerd's runc shim
 * decodes. Every top-level section runc writes is there (cpu, cpuset,
 * memory, pids, blkio, hugetlb, intel_rdt, network_interfaces), but a value
 * inside one only when a file gave it: a counter the host does not have is
 * left out rather than reported as 0, and an unreadable cgroup (one that
 * vanished as the container stopped) leaves its section empty. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "error.h"

/* Large enough for memory.stat and for blkio files of hosts with many
 * disks; cgroup_read stops at 4 KiB. */
#define STATS_FILE_MAX (1024 * 1024)

typedef struct stat_value {
        bool has;
        uint64_t value;
} stat_value;

typedef struct stat_list {
        size_t len;
        uint64_t *items;
} stat_list;

typedef struct memory_entry {
        stat_value limit, usage, max, failcnt;
} memory_entry;

typedef struct blkio_entry {
        uint64_t major, minor, value;
        char op[16];
} blkio_entry;

typedef struct blkio_list {
        size_t len, capacity;
        blkio_entry *items;
} blkio_list;

/* One line of /proc/PID/net/dev, under runc's names for the counters. */
typedef struct interface_entry {
        char name[IF_NAMESIZE + 1];
        uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
        uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
} interface_entry;

typedef struct hugetlb_entry {
        char *size; /* the kernel's name in the file names: "2MB", "1GB" */
        stat_value usage, max, failcnt;
} hugetlb_entry;

typedef struct container_stats {
        struct {
                stat_value total, kernel, user;
                stat_list percpu, percpu_kernel, percpu_user;
                stat_value periods, throttled_periods, throttled_time;
        } cpu;
        struct {
                stat_list cpus, mems;
                stat_value cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate,
                    memory_spread_page, memory_spread_slab, memory_pressure, sched_load_balance;
                bool has_sched_relax_domain_level;
                int64_t sched_relax_domain_level;
        } cpuset;
        struct {
                stat_value cache;
                memory_entry usage, swap, kernel, kernel_tcp;
                char *raw; /* memory.stat as read */
        } memory;
        struct {
                stat_value current, limit;
        } pids;
        struct {
                blkio_list service_bytes, serviced;
        } blkio;
        struct {
                size_t len;
                hugetlb_entry *items;
        } hugetlb;
        /* NULL (runc's null) when the container shares the caller's
         * network namespace: those are the host's interfaces. */
        struct {
                bool own_namespace;
                size_t len;
                interface_entry *items;
        } interfaces;
} container_stats;

static void container_stats_clear(container_stats *stats)
{
        free(stats->cpu.percpu.items);
        free(stats->cpu.percpu_kernel.items);
        free(stats->cpu.percpu_user.items);
        free(stats->cpuset.cpus.items);
        free(stats->cpuset.mems.items);
        free(stats->memory.raw);
        free(stats->blkio.service_bytes.items);
        free(stats->blkio.serviced.items);
        for (size_t i = 0; i < stats->hugetlb.len; i++)
                free(stats->hugetlb.items[i].size);
        free(stats->hugetlb.items);
        free(stats->interfaces.items);
}

/* ---- reading ------------------------------------------------------------- */

static int read_file(const char *dir, const char *file, char **ret)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = 0, capacity = 0;
        _cleanup_free_ char *text = NULL;
        for (;;) {
                if (capacity - len < 2) {
                        if (capacity >= STATS_FILE_MAX)
                                return -EFBIG;
                        capacity = capacity ? capacity * 2 : 4096;
                        char *grown = realloc(text, capacity);
                        if (!grown)
                                return -ENOMEM;
                        text = grown;
                }
                ssize_t n = read(fd, text + len, capacity - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        text[len] = '\0';
        *ret = steal_pointer(&text);
        return 0;
}

static bool parse_u64(const char *text, uint64_t *ret)
{
        char *end;
        if (*text < '0' || *text > '9')
                return false;
        errno = 0;
        *ret = strtoull(text, &end, 10);
        return errno == 0 && (*end == '\0' || *end == '\n' || *end == ' ');
}

static stat_value read_value(const char *dir, const char *file)
{
        stat_value v = {0};
        v.has = cgroup_read_u64(dir, file, &v.value) == 0;
        return v;
}

/* A limit file: a number, or "max" for none, which runc reports as
 * unlimited_value (UINT64_MAX for memory, 0 for pids). */
static stat_value read_limit(const char *dir, const char *file, uint64_t unlimited_value)
{
        _cleanup_free_ char *text = NULL;
        stat_value v = {0};
        if (cgroup_read(dir, file, &text) < 0)
                return v;
        if (strcmp(text, "max") == 0)
                v = (stat_value){true, unlimited_value};
        else
                v.has = parse_u64(text, &v.value);
        return v;
}

/* The start of the line after line's, NULL after the last. */
static const char *next_line(const char *line)
{
        const char *end = strchr(line, '\n');
        return end && end[1] ? end + 1 : NULL;
}

/* Names that go into the JSON as keys or values: the kernel's own words,
 * checked so that no file content can make the generator fail half-way. */
static bool plain_word(const char *word, size_t len)
{
        if (len == 0 || len > 64)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = word[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_'))
                        return false;
        }
        return true;
}

/* The value of `key` in a "key value" per line file. */
static stat_value keyed_value(const char *text, const char *key)
{
        size_t key_len = strlen(key);
        stat_value v = {0};
        for (const char *line = *text ? text : NULL; line; line = next_line(line))
                if (strncmp(line, key, key_len) == 0 && line[key_len] == ' ') {
                        v.has = parse_u64(line + key_len + 1, &v.value);
                        break;
                }
        return v;
}

static stat_value read_keyed_value(const char *dir, const char *file, const char *key)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, file, &text) < 0)
                return (stat_value){0};
        return keyed_value(text, key);
}

/* A line of numbers, one per CPU (cpuacct.usage_percpu*). */
static int read_list(const char *dir, const char *file, stat_list *ret)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, file, &text) < 0)
                return 0;
        size_t capacity = 0;
        for (char *p = text, *end; *p; p = end) {
                while (*p == ' ' || *p == '\n')
                        p++;
                if (!*p)
                        break;
                errno = 0;
                uint64_t value = strtoull(p, &end, 10);
                if (errno || end == p) {
                        /* A file we cannot parse gives no list at all. */
                        free(ret->items);
                        *ret = (stat_list){0};
                        return 0;
                }
                if (ret->len == capacity) {
                        capacity = capacity ? capacity * 2 : 16;
                        uint64_t *grown = realloc(ret->items, capacity * sizeof(*grown));
                        if (!grown)
                                return -ENOMEM;
                        ret->items = grown;
                }
                ret->items[ret->len++] = value;
        }
        return 0;
}

static int blkio_append(blkio_list *list, uint64_t major, uint64_t minor, const char *op,
                        uint64_t value)
{
        if (list->len == list->capacity) {
                size_t capacity = list->capacity ? list->capacity * 2 : 16;
                blkio_entry *grown = realloc(list->items, capacity * sizeof(*grown));
                if (!grown)
                        return -ENOMEM;
                list->items = grown;
                list->capacity = capacity;
        }
        blkio_entry *e = &list->items[list->len++];
        *e = (blkio_entry){.major = major, .minor = minor, .value = value};
        snprintf(e->op, sizeof(e->op), "%s", op);
        return 0;
}

/* ---- cgroup v1 ----------------------------------------------------------- */

static int v1_cpuacct(const char *dir, container_stats *stats)
{
        stats->cpu.total = read_value(dir, "cpuacct.usage");
        /* cpuacct.stat counts USER_HZ ticks. */
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, "cpuacct.stat", &text) == 0) {
                long ticks = sysconf(_SC_CLK_TCK);
                uint64_t ns_per_tick = ticks > 0 ? 1000000000 / (uint64_t) ticks : 0;
                stats->cpu.user = keyed_value(text, "user");
                stats->cpu.kernel = keyed_value(text, "system");
                stats->cpu.user.has &= ns_per_tick > 0;
                stats->cpu.kernel.has &= ns_per_tick > 0;
                stats->cpu.user.value *= ns_per_tick;
                stats->cpu.kernel.value *= ns_per_tick;
        }
        int r = read_list(dir, "cpuacct.usage_percpu", &stats->cpu.percpu);
        if (r == 0)
                r = read_list(dir, "cpuacct.usage_percpu_sys", &stats->cpu.percpu_kernel);
        if (r == 0)
                r = read_list(dir, "cpuacct.usage_percpu_user", &stats->cpu.percpu_user);
        return r;
}

static void v1_cpu(const char *dir, container_stats *stats)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, "cpu.stat", &text) < 0)
                return;
        stats->cpu.periods = keyed_value(text, "nr_periods");
        stats->cpu.throttled_periods = keyed_value(text, "nr_throttled");
        stats->cpu.throttled_time = keyed_value(text, "throttled_time");
}

/* memory.<prefix>usage_in_bytes and its siblings; prefix "" for memory
 * itself, "memsw.", "kmem." or "kmem.tcp.". */
static memory_entry v1_memory_entry(const char *dir, const char *prefix)
{
        char file[64];
        memory_entry e;
        snprintf(file, sizeof(file), "memory.%susage_in_bytes", prefix);
        e.usage = read_value(dir, file);
        snprintf(file, sizeof(file), "memory.%smax_usage_in_bytes", prefix);
        e.max = read_value(dir, file);
        snprintf(file, sizeof(file), "memory.%sfailcnt", prefix);
        e.failcnt = read_value(dir, file);
        snprintf(file, sizeof(file), "memory.%slimit_in_bytes", prefix);
        e.limit = read_value(dir, file);
        return e;
}

static void v1_memory(const char *dir, container_stats *stats)
{
        if (read_file(dir, "memory.stat", &stats->memory.raw) == 0)
                stats->memory.cache = keyed_value(stats->memory.raw, "cache");
        stats->memory.usage = v1_memory_entry(dir, "");
        stats->memory.swap = v1_memory_entry(dir, "memsw.");
        stats->memory.kernel = v1_memory_entry(dir, "kmem.");
        stats->memory.kernel_tcp = v1_memory_entry(dir, "kmem.tcp.");
}

/* blkio.throttle.*_recursive: "MAJ:MIN Op value" lines (Op: Read, Write,
 * Sync, Async, Discard, Total), then "Total value" for all devices, which
 * runc does not report. The throttle files count every request, whatever
 * the device's I/O scheduler (the CFQ/BFQ ones exist only with those). */
static int v1_blkio_file(const char *dir, const char *file, blkio_list *list)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, file, &text) < 0)
                return 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long major, minor, value;
                char op[16];
                if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) != 4 ||
                    !plain_word(op, strlen(op)))
                        continue;
                int r = blkio_append(list, major, minor, op, value);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v1_blkio(const char *dir, container_stats *stats)
{
        int r = v1_blkio_file(dir, "blkio.throttle.io_service_bytes_recursive",
                              &stats->blkio.service_bytes);
        if (r == 0)
                r = v1_blkio_file(dir, "blkio.throttle.io_serviced_recursive",
                                  &stats->blkio.serviced);
        return r;
}

/* ---- cgroup v2 ----------------------------------------------------------- */

static void v2_cpu(const char *dir, container_stats *stats, bool usage)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, "cpu.stat", &text) < 0)
                return;
        const struct {
                const char *key;
                stat_value *slot;
                uint64_t scale; /* the _usec counters become runc's nanoseconds */
        } fields[] = {
            {"usage_usec", &stats->cpu.total, 1000},
            {"user_usec", &stats->cpu.user, 1000},
            {"system_usec", &stats->cpu.kernel, 1000},
            {"nr_periods", &stats->cpu.periods, 1},
            {"nr_throttled", &stats->cpu.throttled_periods, 1},
            {"throttled_usec", &stats->cpu.throttled_time, 1000},
        };
        for (size_t i = usage ? 0 : 3; i < sizeof(fields) / sizeof(*fields); i++) {
                *fields[i].slot = keyed_value(text, fields[i].key);
                fields[i].slot->value *= fields[i].scale;
        }
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void v2_memory(const char *dir, container_stats *stats)
{
        if (read_file(dir, "memory.stat", &stats->memory.raw) == 0)
                stats->memory.cache = keyed_value(stats->memory.raw, "file");
        memory_entry *usage = &stats->memory.usage;
        usage->usage = read_value(dir, "memory.current");
        usage->limit = read_limit(dir, "memory.max", UINT64_MAX);
        usage->max = read_value(dir, "memory.peak");
        usage->failcnt = read_keyed_value(dir, "memory.events", "max");

        /* v1's memsw counts memory plus swap, and runc keeps that meaning
         * on v2 by adding memory's numbers to swap's. A peak of the sum
         * cannot be made from the two peaks, so there is none. */
        memory_entry *swap = &stats->memory.swap;
        stat_value swap_usage = read_value(dir, "memory.swap.current");
        stat_value swap_limit = read_limit(dir, "memory.swap.max", UINT64_MAX);
        if (swap_usage.has && usage->usage.has)
                swap->usage =
                    (stat_value){true, saturating_add(swap_usage.value, usage->usage.value)};
        if (swap_limit.has && usage->limit.has)
                swap->limit =
                    (stat_value){true, saturating_add(swap_limit.value, usage->limit.value)};
        if (swap_usage.has)
                swap->failcnt = read_keyed_value(dir, "memory.swap.events", "max");
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per
 * device; the read and write counts map to v1's tables as runc maps them. */
static int v2_io(const char *dir, container_stats *stats)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, "io.stat", &text) < 0)
                return 0;
        char *line_save = NULL;
        for (char *line = strtok_r(text, "\n", &line_save); line;
             line = strtok_r(NULL, "\n", &line_save)) {
                unsigned long long major, minor;
                int consumed = 0;
                if (sscanf(line, "%llu:%llu %n", &major, &minor, &consumed) != 2 || !consumed)
                        continue;
                char *save = NULL;
                for (char *item = strtok_r(line + consumed, " ", &save); item;
                     item = strtok_r(NULL, " ", &save)) {
                        static const struct {
                                const char *key, *op;
                                bool bytes;
                        } map[] = {
                            {"rbytes=", "Read", true},
                            {"wbytes=", "Write", true},
                            {"rios=", "Read", false},
                            {"wios=", "Write", false},
                        };
                        for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
                                size_t len = strlen(map[i].key);
                                uint64_t value;
                                if (strncmp(item, map[i].key, len) != 0 ||
                                    !parse_u64(item + len, &value))
                                        continue;
                                int r = blkio_append(map[i].bytes ? &stats->blkio.service_bytes
                                                                  : &stats->blkio.serviced,
                                                     major, minor, map[i].op, value);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return 0;
}

/* ---- controllers in either version --------------------------------------- */

/* A cpuset list, "0-3,8,10-11": the CPUs (or memory nodes) one by one, as
 * runc lists them. An empty file is an empty list; one that does not parse
 * gives none. runc holds the numbers in 16 bits, which bounds the list. */
static int cpuset_list(const char *dir, const char *file, stat_list *ret)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, file, &text) < 0)
                return 0;
        stat_list list = {0};
        size_t capacity = 0;
        for (char *p = text; *p && *p != '\n';) {
                char *end;
                errno = 0;
                unsigned long first = strtoul(p, &end, 10), last = first;
                bool ok = errno == 0 && end != p && *p >= '0' && *p <= '9';
                if (ok && *end == '-') {
                        p = end + 1;
                        last = strtoul(p, &end, 10);
                        ok = errno == 0 && end != p && *p >= '0' && *p <= '9';
                }
                if (!ok || first > last || last > UINT16_MAX ||
                    (*end != ',' && *end != '\n' && *end != '\0')) {
                        free(list.items);
                        return 0;
                }
                for (unsigned long n = first; n <= last; n++) {
                        if (list.len == capacity) {
                                capacity = capacity ? capacity * 2 : 16;
                                uint64_t *grown = realloc(list.items, capacity * sizeof(*grown));
                                if (!grown) {
                                        free(list.items);
                                        return -ENOMEM;
                                }
                                list.items = grown;
                        }
                        list.items[list.len++] = n;
                }
                p = *end == ',' ? end + 1 : end;
        }
        *ret = list;
        return 0;
}

/* v1 has the whole cpuset interface; cgroup2 keeps only the lists, of
 * which the .effective ones say what the container may use (runc reports
 * no cpuset on v2). */
static int cpuset_stats(const char *dir, cgroup_version version, container_stats *stats)
{
        if (version == CGROUP_V2) {
                int r = cpuset_list(dir, "cpuset.cpus.effective", &stats->cpuset.cpus);
                return r < 0 ? r : cpuset_list(dir, "cpuset.mems.effective", &stats->cpuset.mems);
        }
        int r = cpuset_list(dir, "cpuset.cpus", &stats->cpuset.cpus);
        if (r == 0)
                r = cpuset_list(dir, "cpuset.mems", &stats->cpuset.mems);
        if (r < 0)
                return r;
        stats->cpuset.cpu_exclusive = read_value(dir, "cpuset.cpu_exclusive");
        stats->cpuset.mem_hardwall = read_value(dir, "cpuset.mem_hardwall");
        stats->cpuset.mem_exclusive = read_value(dir, "cpuset.mem_exclusive");
        stats->cpuset.memory_migrate = read_value(dir, "cpuset.memory_migrate");
        stats->cpuset.memory_spread_page = read_value(dir, "cpuset.memory_spread_page");
        stats->cpuset.memory_spread_slab = read_value(dir, "cpuset.memory_spread_slab");
        stats->cpuset.memory_pressure = read_value(dir, "cpuset.memory_pressure");
        stats->cpuset.sched_load_balance = read_value(dir, "cpuset.sched_load_balance");
        /* The one signed value: -1 is the system default. */
        _cleanup_free_ char *text = NULL;
        if (cgroup_read(dir, "cpuset.sched_relax_domain_level", &text) == 0) {
                char *end;
                errno = 0;
                long long level = strtoll(text, &end, 10);
                stats->cpuset.has_sched_relax_domain_level =
                    errno == 0 && end != text && (*end == '\0' || *end == '\n');
                stats->cpuset.sched_relax_domain_level = level;
        }
        return 0;
}

static void pids_stats(const char *dir, container_stats *stats)
{
        stats->pids.current = read_value(dir, "pids.current");
        stats->pids.limit = read_limit(dir, "pids.max", 0);
}

/* One entry per page size, found from the files the kernel made:
 * hugetlb.<size>.usage_in_bytes on v1, hugetlb.<size>.current on v2
 * (skipping the .rsvd. variants, which count reservations). v2 keeps no
 * peak, and its hugetlb.<size>.max is the limit, not runc's max usage. */
static int hugetlb_stats(const char *dir, cgroup_version version, container_stats *stats)
{
        const char *usage_suffix = version == CGROUP_V1 ? ".usage_in_bytes" : ".current";
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        int r = 0;
        for (struct dirent *entry; r == 0 && (entry = readdir(d));) {
                const char *name = entry->d_name;
                if (strncmp(name, "hugetlb.", 8) != 0)
                        continue;
                const char *size = name + 8, *dot = strchr(size, '.');
                if (!dot || strcmp(dot, usage_suffix) != 0 ||
                    !plain_word(size, (size_t) (dot - size)))
                        continue;
                hugetlb_entry *grown =
                    realloc(stats->hugetlb.items, (stats->hugetlb.len + 1) * sizeof(*grown));
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                stats->hugetlb.items = grown;
                hugetlb_entry *e = &grown[stats->hugetlb.len];
                *e = (hugetlb_entry){.size = strndup(size, (size_t) (dot - size))};
                if (!e->size) {
                        r = -ENOMEM;
                        break;
                }
                stats->hugetlb.len++;
                char file[300];
                e->usage = read_value(dir, name);
                if (version == CGROUP_V1) {
                        snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", e->size);
                        e->max = read_value(dir, file);
                        snprintf(file, sizeof(file), "hugetlb.%s.failcnt", e->size);
                        e->failcnt = read_value(dir, file);
                } else {
                        snprintf(file, sizeof(file), "hugetlb.%s.events", e->size);
                        e->failcnt = read_keyed_value(dir, file, "max");
                }
        }
        closedir(d);
        return r;
}

/* ---- network ------------------------------------------------------------- */

/* Whether pid's network namespace is another than ours; false when either
 * cannot be told. */
static bool own_network_namespace(pid_t pid)
{
        char path[64];
        struct stat theirs, ours;
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        return stat(path, &theirs) == 0 && stat("/proc/self/ns/net", &ours) == 0 &&
               (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev);
}

/* The interfaces of the init's network namespace, from /proc/PID/net/dev:
 * two header lines, then "NAME: rx_bytes rx_packets rx_errs rx_drop fifo
 * frame compressed multicast tx_bytes tx_packets tx_errs tx_drop ...".
 * runc reports only the host ends of veth pairs it made itself, which a
 * container made from an OCI config never has, so its list is always null;
 * the container's own view is what a caller can use. */
static int interface_stats(pid_t pid, container_stats *stats)
{
        if (pid <= 0 || !own_network_namespace(pid))
                return 0;
        char dir[64];
        snprintf(dir, sizeof(dir), "/proc/%d/net", (int) pid);
        _cleanup_free_ char *text = NULL;
        if (read_file(dir, "dev", &text) < 0)
                return 0;
        stats->interfaces.own_namespace = true;
        char *save = NULL;
        int line_number = 0;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (++line_number <= 2)
                        continue;
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                char *name = line;
                while (*name == ' ')
                        name++;
                size_t name_len = (size_t) (colon - name);
                /* A name goes into the JSON as it is: the generator would
                 * stop at bytes that are not UTF-8. */
                bool printable = name_len > 0 && name_len <= IF_NAMESIZE;
                for (size_t i = 0; printable && i < name_len; i++)
                        printable = name[i] > ' ' && name[i] < 0x7f;
                if (!printable)
                        continue;
                unsigned long long v[16];
                if (sscanf(colon + 1,
                           "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
                           "%llu %llu",
                           &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                           &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
                        continue;
                interface_entry *grown =
                    realloc(stats->interfaces.items, (stats->interfaces.len + 1) * sizeof(*grown));
                if (!grown)
                        return -ENOMEM;
                stats->interfaces.items = grown;
                interface_entry *e = &grown[stats->interfaces.len++];
                *e = (interface_entry){
                    .rx_bytes = v[0],
                    .rx_packets = v[1],
                    .rx_errors = v[2],
                    .rx_dropped = v[3],
                    .tx_bytes = v[8],
                    .tx_packets = v[9],
                    .tx_errors = v[10],
                    .tx_dropped = v[11],
                };
                memcpy(e->name, name, name_len);
                e->name[name_len] = '\0';
        }
        return 0;
}

/* ---- all of it ------------------------------------------------------------ */

static int collect(const ocispec_runtime_state *state, container_stats *stats, ocirun_error **error)
{
        cgroup_layout layout;
        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        _cleanup_free_ char *cpuacct = NULL, *cpu = NULL, *memory = NULL, *pids = NULL,
                            *blkio = NULL, *io = NULL, *hugetlb = NULL, *core = NULL,
                            *cpuset = NULL;

        bool have_usage = cgroup_layout_dir(&layout, "cpuacct", &cpuacct) == CGROUP_V1;
        if (have_usage)
                r = v1_cpuacct(cpuacct, stats);
        switch (cgroup_layout_dir(&layout, "cpu", &cpu)) {
        case CGROUP_V1:
                v1_cpu(cpu, stats);
                break;
        case CGROUP_V2:
                v2_cpu(cpu, stats, !have_usage);
                have_usage = true;
                break;
        case CGROUP_ABSENT:
        default:
                break;
        }
        /* cgroup2 counts CPU time in every cgroup, with or without the cpu
         * controller enabled there. */
        if (!have_usage && cgroup_layout_dir(&layout, NULL, &core) == CGROUP_V2)
                v2_cpu(core, stats, true);

        switch (cgroup_layout_dir(&layout, "memory", &memory)) {
        case CGROUP_V1:
                v1_memory(memory, stats);
                break;
        case CGROUP_V2:
                v2_memory(memory, stats);
                break;
        case CGROUP_ABSENT:
        default:
                break;
        }
        if (cgroup_layout_dir(&layout, "pids", &pids) != CGROUP_ABSENT)
                pids_stats(pids, stats);
        if (r == 0 && cgroup_layout_dir(&layout, "blkio", &blkio) == CGROUP_V1)
                r = v1_blkio(blkio, stats);
        else if (r == 0 && cgroup_layout_dir(&layout, "io", &io) == CGROUP_V2)
                r = v2_io(io, stats);
        cgroup_version version = cgroup_layout_dir(&layout, "hugetlb", &hugetlb);
        if (r == 0 && version != CGROUP_ABSENT)
                r = hugetlb_stats(hugetlb, version, stats);
        version = cgroup_layout_dir(&layout, "cpuset", &cpuset);
        if (r == 0 && version != CGROUP_ABSENT)
                r = cpuset_stats(cpuset, version, stats);
        cgroup_layout_clear(&layout);
        if (r == 0 && state->has_pid)
                r = interface_stats(state->pid, stats);
        return r < 0
                   ? error_set_errno(error, -r, "read the statistics of container `%s`", state->id)
                   : 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static void gen_string(yajl_gen gen, const char *text)
{
        yajl_gen_string(gen, (const unsigned char *) text, strlen(text));
}

/* yajl_gen_integer takes a long long: counters and UINT64_MAX limits need
 * the full unsigned range. */
static void gen_u64(yajl_gen gen, uint64_t value)
{
        char number[24];
        int len = snprintf(number, sizeof(number), "%" PRIu64, value);
        yajl_gen_number(gen, number, (size_t) len);
}

static void gen_value(yajl_gen gen, const char *key, stat_value v)
{
        if (!v.has)
                return;
        gen_string(gen, key);
        gen_u64(gen, v.value);
}

static void gen_list(yajl_gen gen, const char *key, const stat_list *list)
{
        if (!list->len)
                return;
        gen_string(gen, key);
        yajl_gen_array_open(gen);
        for (size_t i = 0; i < list->len; i++)
                gen_u64(gen, list->items[i]);
        yajl_gen_array_close(gen);
}

static void gen_memory_entry(yajl_gen gen, const char *key, const memory_entry *e)
{
        if (!e->limit.has && !e->usage.has && !e->max.has && !e->failcnt.has)
                return;
        gen_string(gen, key);
        yajl_gen_map_open(gen);
        gen_value(gen, "limit", e->limit);
        gen_value(gen, "usage", e->usage);
        gen_value(gen, "max", e->max);
        gen_value(gen, "failcnt", e->failcnt);
        yajl_gen_map_close(gen);
}

static void gen_blkio_list(yajl_gen gen, const char *key, const blkio_list *list)
{
        if (!list->len)
                return;
        gen_string(gen, key);
        yajl_gen_array_open(gen);
        for (size_t i = 0; i < list->len; i++) {
                const blkio_entry *e = &list->items[i];
                yajl_gen_map_open(gen);
                gen_value(gen, "major", (stat_value){true, e->major});
                gen_value(gen, "minor", (stat_value){true, e->minor});
                gen_string(gen, "op");
                gen_string(gen, e->op);
                gen_value(gen, "value", (stat_value){true, e->value});
                yajl_gen_map_close(gen);
        }
        yajl_gen_array_close(gen);
}

static void gen_raw(yajl_gen gen, const char *raw)
{
        bool open = false;
        for (const char *line = raw && *raw ? raw : NULL; line; line = next_line(line)) {
                const char *space = strchr(line, ' '), *end = strchr(line, '\n');
                uint64_t value;
                if (!space || (end && space > end) || !plain_word(line, (size_t) (space - line)) ||
                    !parse_u64(space + 1, &value))
                        continue;
                if (!open) {
                        gen_string(gen, "raw");
                        yajl_gen_map_open(gen);
                        open = true;
                }
                yajl_gen_string(gen, (const unsigned char *) line, (size_t) (space - line));
                gen_u64(gen, value);
        }
        if (open)
                yajl_gen_map_close(gen);
}

static void gen_signed(yajl_gen gen, const char *key, int64_t value)
{
        char number[24];
        int len = snprintf(number, sizeof(number), "%" PRId64, value);
        gen_string(gen, key);
        yajl_gen_number(gen, number, (size_t) len);
}

static void gen_cpu(yajl_gen gen, const container_stats *s)
{
        const stat_value *cpu_values[] = {&s->cpu.total, &s->cpu.kernel, &s->cpu.user};
        bool usage = s->cpu.percpu.len || s->cpu.percpu_kernel.len || s->cpu.percpu_user.len;
        for (size_t i = 0; i < 3; i++)
                usage |= cpu_values[i]->has;
        bool throttling =
            s->cpu.periods.has || s->cpu.throttled_periods.has || s->cpu.throttled_time.has;
        gen_string(gen, "cpu");
        yajl_gen_map_open(gen);
        if (usage) {
                gen_string(gen, "usage");
                yajl_gen_map_open(gen);
                gen_value(gen, "total", s->cpu.total);
                gen_list(gen, "percpu", &s->cpu.percpu);
                gen_list(gen, "percpu_kernel", &s->cpu.percpu_kernel);
                gen_list(gen, "percpu_user", &s->cpu.percpu_user);
                gen_value(gen, "kernel", s->cpu.kernel);
                gen_value(gen, "user", s->cpu.user);
                yajl_gen_map_close(gen);
        }
        if (throttling) {
                gen_string(gen, "throttling");
                yajl_gen_map_open(gen);
                gen_value(gen, "periods", s->cpu.periods);
                gen_value(gen, "throttledPeriods", s->cpu.throttled_periods);
                gen_value(gen, "throttledTime", s->cpu.throttled_time);
                yajl_gen_map_close(gen);
        }
        yajl_gen_map_close(gen);
}

/* runc's order of the fields, the lists as arrays of numbers. */
static void gen_cpuset(yajl_gen gen, const container_stats *s)
{
        gen_string(gen, "cpuset");
        yajl_gen_map_open(gen);
        gen_list(gen, "cpus", &s->cpuset.cpus);
        gen_value(gen, "cpu_exclusive", s->cpuset.cpu_exclusive);
        gen_list(gen, "mems", &s->cpuset.mems);
        gen_value(gen, "mem_hardwall", s->cpuset.mem_hardwall);
        gen_value(gen, "mem_exclusive", s->cpuset.mem_exclusive);
        gen_value(gen, "memory_migrate", s->cpuset.memory_migrate);
        gen_value(gen, "memory_spread_page", s->cpuset.memory_spread_page);
        gen_value(gen, "memory_spread_slab", s->cpuset.memory_spread_slab);
        gen_value(gen, "memory_pressure", s->cpuset.memory_pressure);
        gen_value(gen, "sched_load_balance", s->cpuset.sched_load_balance);
        if (s->cpuset.has_sched_relax_domain_level)
                gen_signed(gen, "sched_relax_domain_level", s->cpuset.sched_relax_domain_level);
        yajl_gen_map_close(gen);
}

static void gen_memory(yajl_gen gen, const container_stats *s)
{
        gen_string(gen, "memory");
        yajl_gen_map_open(gen);
        gen_value(gen, "cache", s->memory.cache);
        gen_memory_entry(gen, "usage", &s->memory.usage);
        gen_memory_entry(gen, "swap", &s->memory.swap);
        gen_memory_entry(gen, "kernel", &s->memory.kernel);
        gen_memory_entry(gen, "kernelTCP", &s->memory.kernel_tcp);
        gen_raw(gen, s->memory.raw);
        yajl_gen_map_close(gen);
}

static void gen_hugetlb(yajl_gen gen, const container_stats *s)
{
        gen_string(gen, "hugetlb");
        yajl_gen_map_open(gen);
        for (size_t i = 0; i < s->hugetlb.len; i++) {
                const hugetlb_entry *e = &s->hugetlb.items[i];
                gen_string(gen, e->size);
                yajl_gen_map_open(gen);
                gen_value(gen, "usage", e->usage);
                gen_value(gen, "max", e->max);
                gen_value(gen, "failcnt", e->failcnt);
                yajl_gen_map_close(gen);
        }
        yajl_gen_map_close(gen);
}

/* runc's NetworkInterface has no JSON tags: its keys are the Go field
 * names. */
static void gen_interfaces(yajl_gen gen, const container_stats *s)
{
        gen_string(gen, "network_interfaces");
        if (!s->interfaces.own_namespace) {
                yajl_gen_null(gen);
                return;
        }
        yajl_gen_array_open(gen);
        for (size_t i = 0; i < s->interfaces.len; i++) {
                const interface_entry *e = &s->interfaces.items[i];
                yajl_gen_map_open(gen);
                gen_string(gen, "Name");
                gen_string(gen, e->name);
                gen_value(gen, "RxBytes", (stat_value){true, e->rx_bytes});
                gen_value(gen, "RxPackets", (stat_value){true, e->rx_packets});
                gen_value(gen, "RxErrors", (stat_value){true, e->rx_errors});
                gen_value(gen, "RxDropped", (stat_value){true, e->rx_dropped});
                gen_value(gen, "TxBytes", (stat_value){true, e->tx_bytes});
                gen_value(gen, "TxPackets", (stat_value){true, e->tx_packets});
                gen_value(gen, "TxErrors", (stat_value){true, e->tx_errors});
                gen_value(gen, "TxDropped", (stat_value){true, e->tx_dropped});
                yajl_gen_map_close(gen);
        }
        yajl_gen_array_close(gen);
}

/* Every section runc writes, in its order, so that a reader finds the same
 * keys; intel_rdt stays empty, as ocirun sets up no resctrl group
 * (linux.intelRdt), as it is in runc for a container without one. */
static void gen_stats(yajl_gen gen, const container_stats *s)
{
        yajl_gen_map_open(gen);
        gen_cpu(gen, s);
        gen_cpuset(gen, s);
        gen_memory(gen, s);

        gen_string(gen, "pids");
        yajl_gen_map_open(gen);
        gen_value(gen, "current", s->pids.current);
        gen_value(gen, "limit", s->pids.limit);
        yajl_gen_map_close(gen);

        gen_string(gen, "blkio");
        yajl_gen_map_open(gen);
        gen_blkio_list(gen, "ioServiceBytesRecursive", &s->blkio.service_bytes);
        gen_blkio_list(gen, "ioServicedRecursive", &s->blkio.serviced);
        yajl_gen_map_close(gen);

        gen_hugetlb(gen, s);

        gen_string(gen, "intel_rdt");
        yajl_gen_map_open(gen);
        yajl_gen_map_close(gen);

        gen_interfaces(gen, s);
        yajl_gen_map_close(gen);
}

static void yajl_gen_freep(yajl_gen *gen)
{
        if (*gen)
                yajl_gen_free(*gen);
}

int cgroup_event_line(const char *type, const char *id, const ocispec_runtime_state *stats_of,
                      char **ret_json, size_t *ret_len, ocirun_error **error)
{
        _cleanup_(container_stats_clear) container_stats stats = {0};
        if (stats_of) {
                int r = collect(stats_of, &stats, error);
                if (r < 0)
                        return r;
        }

        _cleanup_(yajl_gen_freep) yajl_gen gen = yajl_gen_alloc(NULL);
        if (!gen)
                return error_set(error, ENOMEM, "out of memory");
        yajl_gen_config(gen, yajl_gen_validate_utf8, 1);
        yajl_gen_map_open(gen);
        gen_string(gen, "type");
        gen_string(gen, type);
        gen_string(gen, "id");
        gen_string(gen, id);
        if (stats_of) {
                gen_string(gen, "data");
                gen_stats(gen, &stats);
        }
        const unsigned char *buf;
        size_t len;
        if (yajl_gen_map_close(gen) != yajl_gen_status_ok ||
            yajl_gen_get_buf(gen, &buf, &len) != yajl_gen_status_ok)
                return error_set(error, EINVAL, "events: cannot write the %s event as JSON", type);
        char *json = malloc(len + 2);
        if (!json)
                return error_set(error, ENOMEM, "out of memory");
        memcpy(json, buf, len);
        json[len] = '\n';
        json[len + 1] = '\0';
        *ret_json = json;
        *ret_len = len + 1;
        return 0;
}
