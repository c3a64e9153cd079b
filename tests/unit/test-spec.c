/* Unit tests of the documents libocirun makes itself: the default
 * config.json of `ocirun spec` (and its rootless variant) and the features
 * document, each round-tripped through libocispec. */
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "tap.h"

static bool has_namespace(const ocispec_linux *linux_config, const char *type)
{
        for (size_t i = 0; i < linux_config->namespaces_len; i++)
                if (strcmp(linux_config->namespaces[i].type, type) == 0)
                        return true;
        return false;
}

static const ocispec_mount *find_mount(const ocispec_config *config, const char *destination)
{
        for (size_t i = 0; i < config->mounts_len; i++)
                if (strcmp(config->mounts[i].destination, destination) == 0)
                        return &config->mounts[i];
        return NULL;
}

static bool strv_contains(char **strv, const char *s)
{
        for (; strv && *strv; strv++)
                if (strcmp(*strv, s) == 0)
                        return true;
        return false;
}

/* The generated text parses back to a document that generates the same text. */
static bool round_trips(const ocispec_config *config)
{
        _cleanup_free_ char *first = NULL, *second = NULL;
        ocispec_config *again = NULL;
        size_t len;
        bool same;

        if (ocispec_config_generate(config, OCISPEC_GENERATE_PRETTY, &first, &len, NULL) < 0)
                return false;
        if (ocispec_config_parse_data(first, len, "config.json", &again, NULL) < 0)
                return false;
        same = ocispec_config_generate(again, OCISPEC_GENERATE_PRETTY, &second, NULL, NULL) == 0 &&
               strcmp(first, second) == 0;
        ocispec_config_free(again);
        return same;
}

static void test_default_spec(void)
{
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        tap_ok(ocirun_spec_default(false, &config, &error) == 0, "the default spec builds");
        if (!config)
                return;
        tap_ok(strcmp(config->oci_version, OCI_VERSION) == 0, "ociVersion is " OCI_VERSION);
        tap_ok(config->process->terminal && config->process->args_len == 1 &&
                   strcmp(config->process->args[0], "sh") == 0 &&
                   strcmp(config->process->cwd, "/") == 0,
               "the process is sh on a terminal in /");
        tap_ok(config->process->capabilities->bounding_len == 3 &&
                   strv_contains(config->process->capabilities->bounding, "CAP_KILL"),
               "three default capabilities");
        tap_ok(config->process->no_new_privileges && config->process->has_no_new_privileges,
               "noNewPrivileges is set");
        tap_ok(config->root->readonly && strcmp(config->root->path, "rootfs") == 0,
               "the rootfs is read-only `rootfs`");
        tap_ok(config->mounts_len == 7 && find_mount(config, "/sys/fs/cgroup"),
               "seven mounts, /sys/fs/cgroup among them");
        tap_ok(has_namespace(config->linux, "network") && !has_namespace(config->linux, "user") &&
                   config->linux->namespaces_len == 6,
               "pid network ipc uts mount cgroup namespaces");
        tap_ok(config->linux->masked_paths_len == 10 && config->linux->readonly_paths_len == 5,
               "ten masked and five read-only paths");
        tap_ok(round_trips(config), "the default spec round-trips");
}

static void test_rootless_spec(void)
{
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        tap_ok(ocirun_spec_default(true, &config, &error) == 0, "the rootless spec builds");
        if (!config)
                return;
        tap_ok(!has_namespace(config->linux, "network") && has_namespace(config->linux, "user"),
               "rootless: a user namespace instead of a network namespace");
        tap_ok(config->linux->uid_mappings_len == 1 &&
                   config->linux->uid_mappings[0].container_id == 0 &&
                   config->linux->uid_mappings[0].host_id == geteuid() &&
                   config->linux->uid_mappings[0].size == 1 &&
                   config->linux->gid_mappings_len == 1 &&
                   config->linux->gid_mappings[0].host_id == getegid(),
               "rootless: the caller's ids are mapped to root");
        const ocispec_mount *sys = find_mount(config, "/sys");
        tap_ok(sys && strcmp(sys->type, "none") == 0 && strcmp(sys->source, "/sys") == 0 &&
                   strv_contains(sys->options, "rbind") && strv_contains(sys->options, "ro"),
               "rootless: /sys is a read-only rbind of the host's");
        tap_ok(!find_mount(config, "/sys/fs/cgroup"), "rootless: no cgroup mount");
        const ocispec_mount *pts = find_mount(config, "/dev/pts");
        tap_ok(pts && !strv_contains(pts->options, "gid=5") && pts->options_len == 5 &&
                   pts->options[5] == NULL,
               "rootless: no gid=5 on /dev/pts, the option list stays NULL-terminated");
        tap_ok(!config->linux->resources, "rootless: no cgroup resources");
        tap_ok(round_trips(config), "the rootless spec round-trips");
}

static void test_features(void)
{
        _cleanup_(ocispec_features_freep) ocispec_features *features = NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        _cleanup_free_ char *json = NULL;
        ocispec_features *again = NULL;
        size_t len;

        tap_ok(ocirun_features(&features, &error) == 0, "the features document builds");
        if (!features)
                return;
        tap_ok(strcmp(features->oci_version_max, OCI_VERSION) == 0 &&
                   strcmp(features->oci_version_min, OCI_VERSION_MIN) == 0,
               "features: the spec version range");
        tap_ok(strv_contains(features->linux->namespaces, "mount") &&
                   strv_contains(features->linux->capabilities, "CAP_SYS_ADMIN"),
               "features: the kernel's namespaces and capabilities");
        tap_ok(features->linux->seccomp && features->linux->seccomp->enabled &&
                   strv_contains(features->linux->seccomp->archs, "SCMP_ARCH_X86_64") &&
                   features->linux->seccomp->known_flags_len == 4,
               "features: seccomp archs and flags");
        tap_ok(ocispec_string_map_get(features->annotations,
                                      "io.github.seccomp.libseccomp.version") != NULL,
               "features: the libseccomp version annotation");
        tap_ok(ocispec_features_generate(features, 0, &json, &len, NULL) == 0 &&
                   ocispec_features_parse_data(json, len, "features", &again, NULL) == 0,
               "features: the document is valid against the schema checks");
        ocispec_features_free(again);
}

int main(void)
{
        test_default_spec();
        test_rootless_spec();
        test_features();
        return tap_done();
}
