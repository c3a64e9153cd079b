/* linux.netDevices: host network devices moved into the container's network
 * namespace (runtime-spec 1.3, "Network Devices"), over rtnetlink. */
#ifndef OCIRUN_NET_DEVICES_H
#define OCIRUN_NET_DEVICES_H

#include <sys/types.h>

#include "ocirun.h"

/* Before anything is made: the container has a network namespace that is
 * not the runtime's own, every key names a device that exists in the
 * runtime's network namespace, and every name (key or `name`) is a valid
 * interface name, no two landing on the same one. */
int net_devices_validate(const ocispec_config *config, ocirun_error **error);

/* Moves each device into the network namespace of pid, renamed to its
 * `name` when given, with its global addresses, and sets it up. On failure
 * the devices already moved are moved back. On success *ret_netns_fd is an
 * fd of that namespace (it keeps the namespace alive), for
 * net_devices_move_back if create fails later; -1 when there were no
 * devices. */
int net_devices_move(const ocispec_config *config, pid_t pid, int *ret_netns_fd,
                     ocirun_error **error);

/* Undo of net_devices_move for a create that failed after it: every device
 * is set down and moved back to the runtime's network namespace under its
 * host name. Best effort; failures are logged. */
void net_devices_move_back(const ocispec_config *config, int netns_fd);

#endif
