/* linux.netDevices: moving host network devices into the container's network
 * namespace, as runc 1.3 and crun do. create does it from the runtime's
 * network namespace once the init is in the container's: one RTM_NEWLINK
 * that moves and renames at once (IFLA_NET_NS_FD + IFLA_IFNAME), so the new
 * name never has to exist in the runtime's namespace and the old one never
 * in the container's. A move drops the device's addresses; its global ones
 * are read first and added again inside, and the device is set up there,
 * as runc does. rtnetlink is spoken directly: a request is a few attributes.
 *
 * Nothing is done at delete, as in runc: when the container's own network
 * namespace goes away the kernel sends physical devices back to the initial
 * network namespace and destroys virtual ones (veth, dummy, macvlan); a
 * device in a namespace joined by path stays there with it. */
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "error.h"
#include "net_devices.h"

/* One rtnetlink request: header, ifinfomsg or ifaddrmsg, attributes. */
typedef struct netlink_request {
        struct nlmsghdr header;
        char body[512];
} netlink_request;

/* The global addresses of one device, as RTM_NEWADDR requests to replay. */
typedef struct saved_addresses {
        size_t len;
        netlink_request *requests;
} saved_addresses;

static void saved_addresses_clear(saved_addresses *saved)
{
        free(saved->requests);
        *saved = (saved_addresses){0};
}

/* The kernel's dev_valid_name(): what a rename to `name` would accept. */
static bool valid_interface_name(const char *name)
{
        if (!name || !*name || strlen(name) >= IFNAMSIZ || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0)
                return false;
        for (const char *c = name; *c; c++)
                if (*c == '/' || *c == ':' || *c == ' ' || (*c >= '\t' && *c <= '\r'))
                        return false;
        return true;
}

static const char *container_name(const ocispec_net_device_map *devices, size_t i)
{
        const char *name = devices->values[i].name;
        return name && *name ? name : devices->keys[i];
}

static const ocispec_namespace_reference *network_namespace(const ocispec_linux *linux_config)
{
        for (size_t i = 0; linux_config && i < linux_config->namespaces_len; i++)
                if (strcmp(linux_config->namespaces[i].type, "network") == 0)
                        return &linux_config->namespaces[i];
        return NULL;
}

/* Whether path is the network namespace the runtime runs in: moving a device
 * "into" it would rename it on the host, not give it to the container. */
static bool is_own_network_namespace(const char *path)
{
        struct stat ours, theirs;
        return stat("/proc/self/ns/net", &ours) == 0 && stat(path, &theirs) == 0 &&
               ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

int net_devices_validate(const ocispec_config *config, ocirun_error **error)
{
        const ocispec_net_device_map *devices = config->linux ? config->linux->net_devices : NULL;
        if (!devices || devices->len == 0)
                return 0;
        const ocispec_namespace_reference *netns = network_namespace(config->linux);
        if (!netns)
                return error_set(error, EINVAL,
                                 "config.json: linux.netDevices: moving network devices needs a "
                                 "network namespace of the container's own (linux.namespaces has "
                                 "no `network` entry)");
        if (netns->path && *netns->path && is_own_network_namespace(netns->path))
                return error_set(error, EINVAL,
                                 "config.json: linux.netDevices: the network namespace `%s` is the "
                                 "runtime's own: there is nowhere to move the devices to",
                                 netns->path);
        for (size_t i = 0; i < devices->len; i++) {
                const char *key = devices->keys[i];
                const char *name = devices->values[i].name;
                if (!valid_interface_name(key))
                        return error_set(error, EINVAL,
                                         "config.json: linux.netDevices.%s: not a valid network "
                                         "interface name (1 to %d characters, no `/`, `:` or "
                                         "white space, not `.` or `..`)",
                                         key, IFNAMSIZ - 1);
                if (name && *name && !valid_interface_name(name))
                        return error_set(error, EINVAL,
                                         "config.json: linux.netDevices.%s.name: `%s` is not a "
                                         "valid network interface name (1 to %d characters, no "
                                         "`/`, `:` or white space, not `.` or `..`)",
                                         key, name, IFNAMSIZ - 1);
                if (if_nametoindex(key) == 0)
                        return error_set(error, ENODEV,
                                         "config.json: linux.netDevices.%s: no network device `%s` "
                                         "in the runtime's network namespace",
                                         key, key);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(container_name(devices, i), container_name(devices, j)) == 0)
                                return error_set(error, EINVAL,
                                                 "config.json: linux.netDevices.%s: `%s` and `%s` "
                                                 "would both be `%s` in the container",
                                                 key, devices->keys[j], key,
                                                 container_name(devices, i));
        }
        return 0;
}

/* ---- rtnetlink -------------------------------------------------------------- */

static int netlink_open(ocirun_error **error)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return error_set_errno(error, errno, "open an rtnetlink socket");
        return fd;
}

/* A netlink socket of the network namespace netns_fd: a socket belongs to
 * the namespace it was made in, so the runtime steps in and out. */
static int netlink_open_in(int netns_fd, ocirun_error **error)
{
        _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return error_set_errno(error, errno, "open the runtime's network namespace");
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return error_set_errno(error, errno, "enter the container's network namespace");
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        int saved = errno;
        if (setns(own, CLONE_NEWNET) < 0) {
                /* Every later step would run in the wrong namespace. */
                if (fd >= 0)
                        close(fd);
                return error_set_errno(error, errno, "return to the runtime's network namespace");
        }
        if (fd < 0)
                return error_set_errno(error, saved, "open an rtnetlink socket in the container");
        return fd;
}

static void *request_tail(netlink_request *request)
{
        return (char *) request + NLMSG_ALIGN(request->header.nlmsg_len);
}

static void add_attribute(netlink_request *request, unsigned short type, const void *data,
                          size_t len)
{
        struct rtattr *attribute = request_tail(request);
        attribute->rta_type = type;
        attribute->rta_len = (unsigned short) RTA_LENGTH(len);
        memcpy(RTA_DATA(attribute), data, len);
        request->header.nlmsg_len =
            NLMSG_ALIGN(request->header.nlmsg_len) + RTA_ALIGN(RTA_LENGTH(len));
}

static struct ifinfomsg *link_request(netlink_request *request, int ifindex)
{
        memset(request, 0, sizeof(*request));
        request->header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        request->header.nlmsg_type = RTM_NEWLINK;
        request->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        struct ifinfomsg *info = NLMSG_DATA(&request->header);
        info->ifi_family = AF_UNSPEC;
        info->ifi_index = ifindex;
        return info;
}

/* Sends request and reads the kernel's answers to it: each message goes to
 * on_message (when given), which returns 0 to read on, or a value to end
 * with; an error message (an ack is one with error 0) or the end of a dump
 * ends it too. Returns that value, the ack's 0, or -errno. */
static int netlink_exchange(int fd, netlink_request *request,
                            int (*on_message)(const struct nlmsghdr *message, void *data),
                            void *data)
{
        static unsigned sequence;
        char answer[16384];

        request->header.nlmsg_seq = ++sequence;
        if (send(fd, request, request->header.nlmsg_len, 0) < 0)
                return -errno;
        for (;;) {
                ssize_t n = recv(fd, answer, sizeof(answer), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                for (struct nlmsghdr *h = (struct nlmsghdr *) answer; NLMSG_OK(h, (size_t) n);
                     h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != request->header.nlmsg_seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        int r = on_message ? on_message(h, data) : 0;
                        if (r != 0)
                                return r;
                }
        }
}

/* Sends a request with NLM_F_ACK and returns the kernel's answer: 0 or
 * -errno. */
static int netlink_call(int fd, netlink_request *request)
{
        return netlink_exchange(fd, request, NULL, NULL);
}

static int link_set_up(int fd, int ifindex, bool up)
{
        netlink_request request;
        struct ifinfomsg *info = link_request(&request, ifindex);
        info->ifi_change = IFF_UP;
        info->ifi_flags = up ? IFF_UP : 0;
        return netlink_call(fd, &request);
}

/* The one request that moves and renames. */
static int link_move(int fd, int ifindex, const char *name, int netns_fd)
{
        netlink_request request;
        uint32_t target = (uint32_t) netns_fd;
        link_request(&request, ifindex);
        add_attribute(&request, IFLA_IFNAME, name, strlen(name) + 1);
        add_attribute(&request, IFLA_NET_NS_FD, &target, sizeof(target));
        return netlink_call(fd, &request);
}

static int link_index_of(const struct nlmsghdr *message, void *data)
{
        (void) data;
        return message->nlmsg_type == RTM_NEWLINK
                   ? ((const struct ifinfomsg *) NLMSG_DATA(message))->ifi_index
                   : 0;
}

/* The index of name in the namespace of the socket fd, or -errno. */
static int link_index(int fd, const char *name)
{
        netlink_request request;

        memset(&request, 0, sizeof(request));
        request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        request.header.nlmsg_type = RTM_GETLINK;
        request.header.nlmsg_flags = NLM_F_REQUEST;
        add_attribute(&request, IFLA_IFNAME, name, strlen(name) + 1);
        int r = netlink_exchange(fd, &request, link_index_of, NULL);
        return r == 0 ? -ENODEV : r;
}

typedef struct saved_for {
        int ifindex;
        saved_addresses *saved;
} saved_for;

/* One address of the dump: kept as an RTM_NEWADDR request if it is a
 * global one of the device. */
static int save_address(const struct nlmsghdr *h, void *data)
{
        const saved_for *target = data;
        saved_addresses *saved = target->saved;
        const struct ifaddrmsg *address = NLMSG_DATA(h);
        if (h->nlmsg_type != RTM_NEWADDR || (int) address->ifa_index != target->ifindex ||
            address->ifa_scope != RT_SCOPE_UNIVERSE)
                return 0;
        netlink_request *more = realloc(saved->requests, (saved->len + 1) * sizeof(*more));
        if (!more)
                return -ENOMEM;
        saved->requests = more;
        netlink_request *add = &saved->requests[saved->len++];
        memset(add, 0, sizeof(*add));
        add->header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        add->header.nlmsg_type = RTM_NEWADDR;
        add->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
        struct ifaddrmsg *copy = NLMSG_DATA(&add->header);
        *copy = *address;
        int len = (int) IFA_PAYLOAD(h);
        for (const struct rtattr *a = IFA_RTA(address); RTA_OK(a, len); a = RTA_NEXT(a, len))
                if ((a->rta_type == IFA_ADDRESS || a->rta_type == IFA_LOCAL ||
                     a->rta_type == IFA_BROADCAST) &&
                    RTA_PAYLOAD(a) <= 16)
                        add_attribute(add, a->rta_type, RTA_DATA(a), RTA_PAYLOAD(a));
        return 0;
}

/* Reads the device's global (scope universe) addresses into RTM_NEWADDR
 * requests: link-local ones come back by themselves, and a label would name
 * the old interface. */
static int save_addresses(int fd, int ifindex, saved_addresses *saved)
{
        netlink_request request;

        memset(&request, 0, sizeof(request));
        request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        request.header.nlmsg_type = RTM_GETADDR;
        request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        saved_for target = {.ifindex = ifindex, .saved = saved};
        return netlink_exchange(fd, &request, save_address, &target);
}

static int restore_addresses(int fd, int ifindex, saved_addresses *saved)
{
        for (size_t i = 0; i < saved->len; i++) {
                struct ifaddrmsg *address = NLMSG_DATA(&saved->requests[i].header);
                address->ifa_index = (unsigned) ifindex;
                int r = netlink_call(fd, &saved->requests[i]);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

/* Moves the device ifindex of the namespace of from_fd (a socket there) to
 * the namespace netns_fd (to_fd a socket there) as name, with its global
 * addresses, set up there or left down. *ret_moved says whether it left;
 * the error is -errno and *ret_step names the step that failed. */
static int transfer(int from_fd, int ifindex, const char *name, int netns_fd, int to_fd, bool up,
                    bool *ret_moved, const char **ret_step)
{
        _cleanup_(saved_addresses_clear) saved_addresses saved = {0};

        *ret_moved = false;
        *ret_step = "read its addresses";
        int r = save_addresses(from_fd, ifindex, &saved);
        if (r < 0)
                return r;
        /* Down first, as runc: nothing keeps using it while it changes
         * namespace and name. */
        *ret_step = "move it";
        r = link_set_up(from_fd, ifindex, false);
        if (r == 0)
                r = link_move(from_fd, ifindex, name, netns_fd);
        if (r < 0)
                return r;
        *ret_moved = true;
        *ret_step = "set it up";
        int moved = link_index(to_fd, name);
        r = moved < 0 ? moved : restore_addresses(to_fd, moved, &saved);
        if (r == 0 && up)
                r = link_set_up(to_fd, moved, true);
        return r;
}

/* Moves devices[0..n) back from the container, down, under their host
 * names: the undo of a create that failed. */
static void move_back_first(const ocispec_net_device_map *devices, size_t n, int container_fd)
{
        _cleanup_close_ int host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int host_fd = netlink_open(NULL);
        for (size_t i = 0; host_ns >= 0 && host_fd >= 0 && i < n; i++) {
                const char *step;
                bool moved;
                /* A rename that fails after the move leaves the device
                 * inside under its host name. */
                int inside = link_index(container_fd, container_name(devices, i));
                if (inside < 0)
                        inside = link_index(container_fd, devices->keys[i]);
                int r = inside < 0 ? inside
                                   : transfer(container_fd, inside, devices->keys[i], host_ns,
                                              host_fd, false, &moved, &step);
                if (r < 0)
                        ocirun_log(OCIRUN_LOG_WARNING,
                                   "move network device `%s` back to the runtime's network "
                                   "namespace: %s",
                                   devices->keys[i], strerror(-r));
        }
}

int net_devices_move(const ocispec_config *config, pid_t pid, int *ret_netns_fd,
                     ocirun_error **error)
{
        const ocispec_net_device_map *devices = config->linux ? config->linux->net_devices : NULL;
        char path[64];

        *ret_netns_fd = -1;
        if (!devices || devices->len == 0)
                return 0;
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        _cleanup_close_ int netns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0)
                return error_set_errno(error, errno, "open the container's network namespace");
        _cleanup_close_ int host_fd = netlink_open(error);
        if (host_fd < 0)
                return host_fd;
        _cleanup_close_ int container_fd = netlink_open_in(netns_fd, error);
        if (container_fd < 0)
                return container_fd;
        for (size_t i = 0; i < devices->len; i++) {
                const char *key = devices->keys[i], *name = container_name(devices, i), *step;
                bool moved = false;
                int ifindex = (int) if_nametoindex(key);
                /* Taken inside (`lo`, or a device of a joined namespace):
                 * the kernel would move the device first and fail the
                 * rename after, so it is checked before. */
                bool taken = ifindex > 0 && link_index(container_fd, name) >= 0;
                int r = ifindex == 0 ? -errno
                        : taken      ? -EEXIST
                                : transfer(host_fd, ifindex, name, netns_fd, container_fd, true,
                                           &moved, &step);
                if (r == 0)
                        continue;
                /* Device i may be inside even when the request failed. */
                move_back_first(devices, i + (ifindex > 0 && !taken), container_fd);
                if (ifindex == 0)
                        return error_set_errno(error, -r,
                                               "config.json: linux.netDevices.%s: no network "
                                               "device `%s` in the runtime's network namespace",
                                               key, key);
                if (taken)
                        return error_set_errno(error, -r,
                                               "config.json: linux.netDevices.%s: move it into the "
                                               "container as `%s` (the container already has a "
                                               "device of that name)",
                                               key, name);
                return error_set_errno(error, -r,
                                       "config.json: linux.netDevices.%s: %s into the container's "
                                       "network namespace as `%s`",
                                       key, step, name);
        }
        *ret_netns_fd = steal_fd(&netns_fd);
        return 0;
}

void net_devices_move_back(const ocispec_config *config, int netns_fd)
{
        const ocispec_net_device_map *devices = config->linux ? config->linux->net_devices : NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        if (!devices || netns_fd < 0)
                return;
        _cleanup_close_ int container_fd = netlink_open_in(netns_fd, &error);
        if (container_fd < 0) {
                ocirun_log(OCIRUN_LOG_WARNING, "%s", error->message);
                return;
        }
        move_back_first(devices, devices->len, container_fd);
}
