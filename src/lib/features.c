/* The OCI features document (`ocirun features`): what this build and the
 * running kernel can do, found out by asking them (the kernel's namespaces
 * and capabilities, libseccomp's architectures and API level, the kernel's
 * seccomp filter flags) or the tables the runtime itself works from (the
 * mount options of mounts.c), never from a separate list. Each part of the
 * runtime adds its own section here when it lands. */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <cap-ng.h>

#include "error.h"
#include "mounts.h"
#include "seccomp_filter.h"

/* The namespace names of the spec, and the /proc/self/ns entry of each. */
static const struct {
        const char *spec_name;
        const char *proc_name;
} namespace_names[] = {
    {"mount", "mnt"}, {"pid", "pid"},   {"network", "net"},   {"uts", "uts"},
    {"ipc", "ipc"},   {"user", "user"}, {"cgroup", "cgroup"}, {"time", "time"},
};

static int add_namespaces(ocispec_features_linux *linux_features)
{
        for (size_t i = 0; i < sizeof(namespace_names) / sizeof(*namespace_names); i++) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/self/ns/%s", namespace_names[i].proc_name);
                if (access(path, F_OK) < 0)
                        continue;
                if (ocispec_strv_append(&linux_features->namespaces,
                                        &linux_features->namespaces_len,
                                        namespace_names[i].spec_name) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int read_cap_last_cap(void)
{
        char buf[16] = "";
        int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return CAP_LAST_CAP;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n > 0 ? atoi(buf) : CAP_LAST_CAP;
}

/* Every capability the kernel has and libcap-ng can name. */
static int add_capabilities(ocispec_features_linux *linux_features)
{
        int last = read_cap_last_cap();
        for (int cap = 0; cap <= last; cap++) {
                const char *name = capng_capability_to_name((unsigned) cap);
                char upper[64] = "CAP_";
                size_t n = 4;

                if (!name)
                        continue;
                for (; *name && n < sizeof(upper) - 1; name++)
                        upper[n++] = (char) (*name >= 'a' && *name <= 'z' ? *name - 32 : *name);
                upper[n] = '\0';
                if (ocispec_strv_append(&linux_features->capabilities,
                                        &linux_features->capabilities_len, upper) < 0)
                        return -ENOMEM;
        }
        return 0;
}

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The kernel checks the flags before it reads the filter: EFAULT for the
 * NULL filter means the flag is known, EINVAL that it is not. */
static bool kernel_has_seccomp_flag(unsigned long flag)
{
        /* The kernel takes WAIT_KILLABLE_RECV only together with NEW_LISTENER. */
        if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
                flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define APPEND(list, value)                                                                        \
        do {                                                                                       \
                if (ocispec_strv_append(&(list), &(list##_len), (value)) < 0)                      \
                        return -ENOMEM;                                                            \
        } while (0)

static int add_seccomp(ocispec_features_linux *linux_features)
{
        ocispec_features_linux_seccomp *seccomp = calloc(1, sizeof(*seccomp));
        if (!seccomp)
                return -ENOMEM;
        linux_features->seccomp = seccomp;
        seccomp->enabled = true;
        seccomp->has_enabled = true;

        /* The tables of seccomp_filter.c, filtered by what libseccomp, its API
         * level and the kernel can do: what is listed here works. */
        unsigned api_level = (unsigned) seccomp_api_get(), needed;
        const char *name, *libseccomp_name;
        unsigned long flag;
        bool usable;
        for (size_t i = 0; (name = seccomp_action_name(i, &needed)); i++)
                if (api_level >= needed)
                        APPEND(seccomp->actions, name);
        for (size_t i = 0; (name = seccomp_operator_name(i)); i++)
                APPEND(seccomp->operators, name);
        for (size_t i = 0; (name = seccomp_arch_name(i, &libseccomp_name)); i++)
                if (seccomp_arch_resolve_name(libseccomp_name) != 0)
                        APPEND(seccomp->archs, name);
        for (size_t i = 0; (name = seccomp_flag_name(i, &flag, &usable)); i++) {
                APPEND(seccomp->known_flags, name);
                if (usable && kernel_has_seccomp_flag(flag))
                        APPEND(seccomp->supported_flags, name);
        }
        return 0;
}

/* The hook kinds init.c and container.c run, and every mount option the
 * mount table of mounts.c understands. */
static int add_hooks_and_mount_options(ocispec_features *features)
{
        static const char *const hooks[] = {"prestart",       "createRuntime", "createContainer",
                                            "startContainer", "poststart",     "poststop"};
        for (size_t i = 0; i < ARRAY_SIZE(hooks); i++)
                APPEND(features->hooks, hooks[i]);
        for (size_t i = 0; mount_option_name(i); i++)
                APPEND(features->mount_options, mount_option_name(i));

        ocispec_features_linux_mount_extensions *extensions = calloc(1, sizeof(*extensions));
        if (!extensions)
                return -ENOMEM;
        features->linux->mount_extensions = extensions;
        extensions->idmap = calloc(1, sizeof(*extensions->idmap));
        if (!extensions->idmap)
                return -ENOMEM;
        extensions->idmap->enabled = true;
        extensions->idmap->has_enabled = true;
        return 0;
}

/* Both cgroup versions, and hybrid hosts, are driven by this build, with
 * ocirun's own cgroupfs driver or through systemd, the system's or a
 * user's (--systemd-cgroup). */
static int add_cgroup(ocispec_features_linux *linux_features)
{
        ocispec_features_linux_cgroup *cgroup = calloc(1, sizeof(*cgroup));
        if (!cgroup)
                return -ENOMEM;
        *cgroup = (ocispec_features_linux_cgroup){
            .v1 = true,
            .has_v1 = true,
            .v2 = true,
            .has_v2 = true,
            .systemd = true,
            .has_systemd = true,
            .systemd_user = true,
            .has_systemd_user = true,
            .rdma = true,
            .has_rdma = true,
        };
        linux_features->cgroup = cgroup;
        return 0;
}

/* linux.netDevices (net_devices.c) and linux.intelRdt (intel_rdt.c) are
 * implemented. As in runc, intelRdt says what this build can do, not what
 * the host has: without resctrl, create refuses the field. */
static int add_devices_and_rdt(ocispec_features_linux *linux_features)
{
        linux_features->net_devices = calloc(1, sizeof(*linux_features->net_devices));
        linux_features->intel_rdt = calloc(1, sizeof(*linux_features->intel_rdt));
        if (!linux_features->net_devices || !linux_features->intel_rdt)
                return -ENOMEM;
        *linux_features->net_devices =
            (ocispec_features_linux_net_devices){.enabled = true, .has_enabled = true};
        *linux_features->intel_rdt =
            (ocispec_features_linux_intel_rdt){.enabled = true, .has_enabled = true};
        return 0;
}

static int build_features(ocispec_features *features)
{
        char version[64];

        features->oci_version_min = strdup(OCI_VERSION_MIN);
        features->oci_version_max = strdup(OCI_VERSION);
        features->linux = calloc(1, sizeof(*features->linux));
        if (!features->oci_version_min || !features->oci_version_max || !features->linux)
                return -ENOMEM;

        int r = add_namespaces(features->linux);
        if (r == 0)
                r = add_capabilities(features->linux);
        if (r == 0)
                r = add_seccomp(features->linux);
        if (r == 0)
                r = add_cgroup(features->linux);
        if (r == 0)
                r = add_hooks_and_mount_options(features);
        if (r == 0)
                r = add_devices_and_rdt(features->linux);
        if (r < 0)
                return r;

        const struct scmp_version *v = seccomp_version();
        snprintf(version, sizeof(version), "%u.%u.%u", v->major, v->minor, v->micro);
        return ocispec_string_map_set(&features->annotations,
                                      "io.github.seccomp.libseccomp.version", version);
}

int ocirun_features(ocispec_features **ret, ocirun_error **error)
{
        _cleanup_(ocispec_features_freep) ocispec_features *features = calloc(1, sizeof(*features));
        if (!features)
                return error_set(error, ENOMEM, "out of memory");
        int r = build_features(features);
        if (r < 0)
                return error_set_errno(error, -r, "build the features document");
        *ret = steal_pointer(&features);
        return 0;
}
