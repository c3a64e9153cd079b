/* Namespaces: the plan made from linux.namespaces before anything is
 * touched (so a bad path fails create early), the id maps written by the
 * parent, and the joins and the time namespace done in the child. */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "error.h"
#include "namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *type;
        unsigned long flag;
} namespace_types[NAMESPACE_TYPES] = {
    {"mount", CLONE_NEWNS},      {"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET},
    {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC},   {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

unsigned long namespaces_flag_from_type(const char *type)
{
        for (size_t i = 0; i < NAMESPACE_TYPES; i++)
                if (strcmp(namespace_types[i].type, type) == 0)
                        return namespace_types[i].flag;
        return 0;
}

void namespaces_plan_clear(namespace_plan *plan)
{
        for (size_t i = 0; i < plan->n_joins; i++) {
                if (plan->joins[i].fd >= 0)
                        close(plan->joins[i].fd);
                free(plan->joins[i].path);
        }
        if (plan->pid_join_fd >= 0)
                close(plan->pid_join_fd);
        memset(plan, 0, sizeof(*plan));
        plan->pid_join_fd = -1;
}

static int open_namespace(const char *path, unsigned long flag, const char *type, size_t index,
                          int *ret_fd, ocirun_error **error)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno,
                                       "config.json: linux.namespaces[%zu].path: open `%s`", index,
                                       path);
        /* NS_GET_NSTYPE tells a namespace file from any other file, and its
         * type from the others: joining a net namespace as a mount one would
         * fail late and obscurely. */
        int actual = ioctl(fd, NS_GET_NSTYPE);
        if (actual < 0)
                return error_set(error, EINVAL,
                                 "config.json: linux.namespaces[%zu].path: `%s` is not a namespace",
                                 index, path);
        if ((unsigned long) actual != flag)
                return error_set(
                    error, EINVAL,
                    "config.json: linux.namespaces[%zu].path: `%s` is not a %s namespace", index,
                    path, type);
        *ret_fd = steal_fd(&fd);
        return 0;
}

int namespaces_plan_make(const ocispec_config *config, namespace_plan *plan, ocirun_error **error)
{
        const ocispec_linux *linux_config = config->linux;
        unsigned long seen = 0, joined_user = 0;
        int r;

        memset(plan, 0, sizeof(*plan));
        plan->pid_join_fd = -1;
        if (!linux_config)
                return 0;

        for (size_t i = 0; i < linux_config->namespaces_len; i++) {
                const ocispec_namespace_reference *ns = &linux_config->namespaces[i];
                unsigned long flag = namespaces_flag_from_type(ns->type);
                if (seen & flag)
                        return error_set(error, EINVAL,
                                         "config.json: linux.namespaces[%zu]: the %s namespace is "
                                         "listed twice",
                                         i, ns->type);
                seen |= flag;
                if (!ns->path || !*ns->path) {
                        if (flag == CLONE_NEWUSER)
                                plan->new_user = true;
                        if (flag == CLONE_NEWTIME)
                                plan->new_time = true;
                        else if (flag == CLONE_NEWCGROUP)
                                plan->new_cgroup = true;
                        else
                                plan->clone_flags |= flag;
                        continue;
                }
                int fd = -1;
                r = open_namespace(ns->path, flag, ns->type, i, &fd, error);
                if (r < 0) {
                        namespaces_plan_clear(plan);
                        return r;
                }
                if (flag == CLONE_NEWPID) {
                        plan->pid_join_fd = fd;
                        continue;
                }
                if (flag == CLONE_NEWUSER)
                        joined_user = 1;
                /* The user namespace is joined before the others. */
                size_t slot = plan->n_joins++;
                if (flag == CLONE_NEWUSER && slot > 0) {
                        plan->joins[slot] = plan->joins[0];
                        slot = 0;
                }
                plan->joins[slot].fd = fd;
                plan->joins[slot].type = flag;
                plan->joins[slot].path = strdup(ns->path);
                if (!plan->joins[slot].path) {
                        namespaces_plan_clear(plan);
                        return error_set(error, ENOMEM, "out of memory");
                }
        }

        if ((linux_config->uid_mappings_len || linux_config->gid_mappings_len) && !plan->new_user &&
            !joined_user) {
                namespaces_plan_clear(plan);
                return error_set(error, EINVAL,
                                 "config.json: linux.uidMappings: id mappings need a new user "
                                 "namespace in linux.namespaces");
        }
        if (plan->new_user &&
            (!linux_config->uid_mappings_len || !linux_config->gid_mappings_len)) {
                namespaces_plan_clear(plan);
                return error_set(error, EINVAL,
                                 "config.json: linux.uidMappings: a new user namespace needs "
                                 "uidMappings and gidMappings");
        }
        if (linux_config->time_offsets && !plan->new_time) {
                namespaces_plan_clear(plan);
                return error_set(error, EINVAL,
                                 "config.json: linux.timeOffsets: offsets need a new time "
                                 "namespace in linux.namespaces");
        }

        if (joined_user) {
                /* Namespaces made after joining a user namespace must be
                 * owned by it, so the child unshares them itself; a new pid
                 * namespace then only takes effect for a child of its own. */
                plan->unshare_flags = plan->clone_flags;
                plan->clone_flags = 0;
                if (plan->unshare_flags & CLONE_NEWPID)
                        plan->init_needs_fork = true;
        }
        if (plan->new_user && !joined_user)
                plan->clone_flags |= CLONE_NEWUSER;
        return 0;
}

int namespaces_join(const namespace_plan *plan, ocirun_error **error)
{
        for (size_t i = 0; i < plan->n_joins; i++)
                if (setns(plan->joins[i].fd, (int) plan->joins[i].type) < 0)
                        return error_set_errno(error, errno, "join namespace `%s`",
                                               plan->joins[i].path);
        if (plan->unshare_flags && unshare((int) plan->unshare_flags) < 0)
                return error_set_errno(error, errno, "unshare namespaces");
        return 0;
}

static int write_time_offset(int fd, const char *clock, const ocispec_time_offsets *offset,
                             ocirun_error **error)
{
        char line[96];
        if (!offset)
                return 0;
        int len = snprintf(line, sizeof(line), "%s %lld %u\n", clock,
                           (long long) (offset->has_secs ? offset->secs : 0),
                           offset->has_nanosecs ? offset->nanosecs : 0);
        if (write(fd, line, (size_t) len) < 0)
                return error_set_errno(error, errno, "config.json: linux.timeOffsets.%s", clock);
        return 0;
}

int namespaces_enter_new_time(const ocispec_linux *linux_config, ocirun_error **error)
{
        if (unshare(CLONE_NEWTIME) < 0)
                return error_set_errno(error, errno, "unshare the time namespace");
        if (linux_config->time_offsets) {
                _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return error_set_errno(error, errno, "open /proc/self/timens_offsets");
                int r = write_time_offset(fd, "monotonic", linux_config->time_offsets->monotonic,
                                          error);
                if (r == 0)
                        r = write_time_offset(fd, "boottime", linux_config->time_offsets->boottime,
                                              error);
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int ns = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWTIME) < 0)
                return error_set_errno(error, errno, "enter the new time namespace");
        return 0;
}

int namespaces_loopback_up(ocirun_error **error)
{
        struct ifreq request = {0};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(error, errno, "bring lo up: socket");
        strcpy(request.ifr_name, "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &request) < 0)
                return error_set_errno(error, errno, "bring lo up: read its flags");
        if (request.ifr_flags & IFF_UP)
                return 0;
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &request) < 0)
                return error_set_errno(error, errno, "bring lo up");
        return 0;
}

int namespaces_loopback_up_of(pid_t pid, ocirun_error **error)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        _cleanup_close_ int target = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (target < 0 || own < 0)
                return error_set_errno(error, errno, "bring lo up: open %s",
                                       target < 0 ? path : "/proc/self/ns/net");
        if (setns(target, CLONE_NEWNET) < 0)
                return error_set_errno(error, errno, "bring lo up: enter %s", path);
        /* The socket, made inside, keeps acting on that namespace. */
        int r = namespaces_loopback_up(error);
        if (setns(own, CLONE_NEWNET) < 0)
                return error_set_errno(error, errno, "return to our network namespace");
        return r;
}
