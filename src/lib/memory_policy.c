/* linux.memoryPolicy through the raw set_mempolicy system call (no
 * libnuma). The mode and flag names are the kernel's (linux/mempolicy.h);
 * their values are spelled out here because older headers lack
 * MPOL_WEIGHTED_INTERLEAVE. The node list uses the kernel's list format
 * ("0-3,7"), as cpuset.mems does.
 *
 * The kernel quietly drops from the mask the nodes the task may not use
 * ("0,99" binds to 0), so create checks every node against
 * /sys/devices/system/node/online first: a node that does not exist is a
 * mistake in the config, not something to leave out. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "error.h"
#include "memory_policy.h"

#define NODE_ONLINE "/sys/devices/system/node/online"
/* The kernel's largest MAX_NUMNODES (CONFIG_NODES_SHIFT 10). */
#define MAX_NODES 1024
#define WORD_BITS (8 * sizeof(unsigned long))

typedef struct node_mask {
        unsigned long bits[MAX_NODES / WORD_BITS];
        int highest; /* -1 when empty */
} node_mask;

static const struct {
        const char *name;
        int value;
        bool takes_nodes; /* nodes may be given */
        bool needs_nodes; /* nodes must be given */
} modes[] = {
    {"MPOL_DEFAULT", 0, false, false},
    {"MPOL_PREFERRED", 1, true, false}, /* no nodes: allocate on the local node */
    {"MPOL_BIND", 2, true, true},
    {"MPOL_INTERLEAVE", 3, true, true},
    {"MPOL_LOCAL", 4, false, false},
    {"MPOL_PREFERRED_MANY", 5, true, true},
    {"MPOL_WEIGHTED_INTERLEAVE", 6, true, true},
};

static const struct {
        const char *name;
        int value;
} flags[] = {
    {"MPOL_F_STATIC_NODES", 1 << 15},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
};

/* Parses a list like "0-3,7" (white space around items allowed). */
static int parse_nodes(const char *text, node_mask *mask)
{
        memset(mask, 0, sizeof(*mask));
        mask->highest = -1;
        for (const char *p = text; *p;) {
                char *end;
                while (*p == ' ' || *p == '\n')
                        p++;
                if (!*p)
                        break;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                unsigned long first = strtoul(p, &end, 10), last = first;
                p = end;
                if (*p == '-') {
                        if (p[1] < '0' || p[1] > '9')
                                return -EINVAL;
                        last = strtoul(p + 1, &end, 10);
                        p = end;
                }
                if (last < first || last >= MAX_NODES)
                        return -ERANGE;
                for (unsigned long n = first; n <= last; n++)
                        mask->bits[n / WORD_BITS] |= 1UL << (n % WORD_BITS);
                if ((int) last > mask->highest)
                        mask->highest = (int) last;
                while (*p == ' ' || *p == '\n')
                        p++;
                if (*p == ',')
                        p++;
                else if (*p)
                        return -EINVAL;
        }
        return 0;
}

static bool node_set(const node_mask *mask, int n)
{
        return mask->bits[n / WORD_BITS] & (1UL << (n % WORD_BITS));
}

static int mode_index(const char *mode)
{
        for (size_t i = 0; mode && i < sizeof(modes) / sizeof(*modes); i++)
                if (strcmp(mode, modes[i].name) == 0)
                        return (int) i;
        return -1;
}

static int flag_value(const char *flag)
{
        for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
                if (strcmp(flag, flags[i].name) == 0)
                        return flags[i].value;
        return 0;
}

int memory_policy_validate(const ocispec_linux *linux_config, ocirun_error **error)
{
        const ocispec_linux_memory_policy *policy =
            linux_config ? linux_config->memory_policy : NULL;
        node_mask nodes, online;
        int all_flags = 0;

        if (!policy)
                return 0;
        int mode = mode_index(policy->mode);
        if (mode < 0)
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.mode: required (MPOL_DEFAULT, "
                                 "MPOL_BIND, MPOL_INTERLEAVE, ...)");
        for (size_t i = 0; i < policy->flags_len; i++) {
                int value = flag_value(policy->flags[i]);
                if (!value)
                        return error_set(error, EINVAL,
                                         "config.json: linux.memoryPolicy.flags: unknown flag `%s`",
                                         policy->flags[i]);
                all_flags |= value;
        }
        const char *text = policy->nodes ? policy->nodes : "";
        int r = parse_nodes(text, &nodes);
        if (r < 0)
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.nodes: `%s` is not a list of "
                                 "node numbers below %d like `0-3,7`",
                                 text, MAX_NODES);
        const char *name = modes[mode].name;
        if (nodes.highest >= 0 && !modes[mode].takes_nodes)
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.nodes: %s takes no nodes, got "
                                 "`%s`",
                                 name, text);
        if (nodes.highest < 0 && modes[mode].needs_nodes)
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.nodes: %s needs at least one "
                                 "node",
                                 name);
        if (all_flags && !modes[mode].takes_nodes)
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.flags: %s takes no flags", name);
        if ((all_flags & flags[0].value) && (all_flags & flags[1].value))
                return error_set(error, EINVAL,
                                 "config.json: linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and "
                                 "MPOL_F_RELATIVE_NODES exclude each other");

        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        _cleanup_fclose_ FILE *f = fopen(NODE_ONLINE, "re");
        if (!f || getline(&line, &size, f) < 0)
                return error_set_errno(error, errno,
                                       "config.json: linux.memoryPolicy: read " NODE_ONLINE
                                       " (does this kernel have NUMA support?)");
        line[strcspn(line, "\n")] = '\0';
        if (parse_nodes(line, &online) < 0)
                return error_set(error, EINVAL, "cannot parse " NODE_ONLINE ": `%s`", line);
        /* Relative nodes are positions in the allowed set, and static ones
         * may name nodes that come online later: only plain ones must be
         * there now. */
        if (all_flags & (flags[0].value | flags[1].value))
                return 0;
        for (int n = 0; n <= nodes.highest; n++)
                if (node_set(&nodes, n) && !node_set(&online, n))
                        return error_set(error, EINVAL,
                                         "config.json: linux.memoryPolicy.nodes: node %d does not "
                                         "exist (the online nodes are %s)",
                                         n, line);
        return 0;
}

int memory_policy_apply(const ocispec_linux *linux_config, ocirun_error **error)
{
        const ocispec_linux_memory_policy *policy =
            linux_config ? linux_config->memory_policy : NULL;
        node_mask nodes;
        int mode_flags = 0;

        if (!policy)
                return 0;
        int mode = mode_index(policy->mode);
        if (mode < 0 || parse_nodes(policy->nodes ? policy->nodes : "", &nodes) < 0)
                return error_set(error, EINVAL, "config.json: linux.memoryPolicy: invalid");
        for (size_t i = 0; i < policy->flags_len; i++)
                mode_flags |= flag_value(policy->flags[i]);
        /* maxnode counts one past the bits the kernel reads. */
        unsigned long maxnode = nodes.highest >= 0 ? (unsigned long) nodes.highest + 2 : 0;
        if (syscall(SYS_set_mempolicy, modes[mode].value | mode_flags, maxnode ? nodes.bits : NULL,
                    maxnode) < 0)
                return error_set_errno(error, errno,
                                       "config.json: linux.memoryPolicy: set_mempolicy %s%s%s%s",
                                       modes[mode].name, maxnode ? " on nodes `" : "",
                                       maxnode ? policy->nodes : "", maxnode ? "`" : "");
        return 0;
}
