/* Checks of config.json that the schema cannot express, table-free because
 * each is a different kind of rule; every message names the JSON path. */
#include <string.h>

#include "caps.h"
#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "intel_rdt.h"
#include "memory_policy.h"
#include "net_devices.h"
#include "lsm.h"
#include "seccomp_filter.h"
#include "process.h"
#include "rootfs.h"

int config_load(const char *bundle, ocispec_config **ret, ocirun_error **error)
{
        _cleanup_free_ char *path = NULL;
        char *message = NULL;

        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return error_set(error, ENOMEM, "out of memory");
        int r = ocispec_config_parse_file(path, "config.json", ret, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        return 0;
}

static bool has_namespace(const ocispec_linux *linux_config, const char *type)
{
        for (size_t i = 0; linux_config && i < linux_config->namespaces_len; i++)
                if (strcmp(linux_config->namespaces[i].type, type) == 0)
                        return true;
        return false;
}

int config_validate_for_create(const ocispec_config *config, bool has_console_socket,
                               ocirun_error **error)
{
        const ocispec_process *process = config->process;
        const ocispec_linux *linux_config = config->linux;

        if (!config->root || !config->root->path || !*config->root->path)
                return error_set(error, EINVAL,
                                 "config.json: root.path: required to create a container");
        if (!process)
                return error_set(error, EINVAL,
                                 "config.json: process: required to create a container");
        if (!process->args || process->args_len == 0 || !*process->args[0])
                return error_set(error, EINVAL, "config.json: process.args: must name a program");
        if (!process->cwd || process->cwd[0] != '/')
                return error_set(error, EINVAL,
                                 "config.json: process.cwd: must be an absolute path, got `%s`",
                                 process->cwd ? process->cwd : "");
        if (process->terminal && !has_console_socket)
                return error_set(error, EINVAL,
                                 "config.json: process.terminal: a terminal needs --console-socket "
                                 "(or `run` in the foreground)");
        if (!has_namespace(linux_config, "mount"))
                return error_set(error, EINVAL,
                                 "config.json: linux.namespaces: a mount namespace is required");
        if ((config->hostname && *config->hostname) && !has_namespace(linux_config, "uts"))
                return error_set(error, EINVAL,
                                 "config.json: hostname: setting it needs a uts namespace");
        /* Without a uts namespace of its own, setdomainname would rename
         * the host: runc refuses it too. */
        if ((config->domainname && *config->domainname) && !has_namespace(linux_config, "uts"))
                return error_set(error, EINVAL,
                                 "config.json: domainname: setting it needs a uts namespace");
        /* Refused like process.selinuxLabel rather than dropped (runc drops
         * it): a container asked to have its mounts labelled must not get
         * unlabelled ones. Engines only send it where SELinux runs. */
        if (linux_config && linux_config->mount_label && *linux_config->mount_label &&
            !lsm_selinux_enabled())
                return error_set(error, ENOTSUP,
                                 "config.json: linux.mountLabel: label `%s` asked for, but SELinux "
                                 "is not enabled on this host",
                                 linux_config->mount_label);
        if (linux_config) {
                int r = seccomp_validate(linux_config->seccomp, "config.json", error);
                if (r < 0)
                        return r;
        }
        int r = lsm_validate(process, "config.json", error);
        if (r < 0)
                return r;
        if (linux_config) {
                r = cgroup_resources_validate(linux_config->resources,
                                              "config.json: linux.resources", error);
                if (r < 0)
                        return r;
        }
        r = process_validate(process, error);
        if (r == 0 && linux_config && linux_config->personality)
                r = process_validate_personality(linux_config->personality, error);
        if (r == 0)
                r = caps_validate(process->capabilities, error);
        if (r < 0)
                return error_prefix(error, "config.json");
        r = net_devices_validate(config, error);
        if (r == 0)
                r = memory_policy_validate(linux_config, error);
        if (r == 0)
                r = intel_rdt_validate(config, error);
        if (r < 0)
                return r;
        return rootfs_validate(config, error);
}
