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

/* Spec architecture names and libseccomp's names for them. */
static const struct {
        const char *spec_name;
        const char *libseccomp_name;
} seccomp_archs[] = {
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
    {"SCMP_ARCH_M68K", "m68k"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_SH", "sh"},
    {"SCMP_ARCH_SHEB", "sheb"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
};

/* Each action with the libseccomp API level that first carries it
 * (seccomp_api_get(3)): older kernels or libraries lack the newer ones. */
static const struct {
        const char *name;
        unsigned api_level;
} seccomp_actions[] = {
    {"SCMP_ACT_ALLOW", 1},        {"SCMP_ACT_ERRNO", 1}, {"SCMP_ACT_KILL", 1},
    {"SCMP_ACT_KILL_THREAD", 1},  {"SCMP_ACT_TRACE", 1}, {"SCMP_ACT_TRAP", 1},
    {"SCMP_ACT_KILL_PROCESS", 3}, {"SCMP_ACT_LOG", 3},   {"SCMP_ACT_NOTIFY", 5},
};

static const char *const seccomp_operators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const struct {
        const char *name;
        unsigned long flag;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

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

        unsigned api_level = (unsigned) seccomp_api_get();
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_actions); i++)
                if (api_level >= seccomp_actions[i].api_level)
                        APPEND(seccomp->actions, seccomp_actions[i].name);
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_operators); i++)
                APPEND(seccomp->operators, seccomp_operators[i]);
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_archs); i++)
                if (seccomp_arch_resolve_name(seccomp_archs[i].libseccomp_name) != 0)
                        APPEND(seccomp->archs, seccomp_archs[i].spec_name);
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++) {
                APPEND(seccomp->known_flags, seccomp_flags[i].name);
                if (kernel_has_seccomp_flag(seccomp_flags[i].flag))
                        APPEND(seccomp->supported_flags, seccomp_flags[i].name);
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
                r = add_hooks_and_mount_options(features);
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
