/* The default config.json that `ocirun spec` writes: a shell on a read-only
 * rootfs with the mounts, namespaces, masked and read-only paths and the
 * short capability list that runc's template has made familiar. The template
 * is JSON, parsed by libocispec like any bundle's config (a unit test keeps
 * it valid); the rootless variant is derived from it in C. */
#include <string.h>
#include <unistd.h>

#include "error.h"

static const char default_config_json[] =
    "{"
    "\"ociVersion\":\"" OCI_VERSION "\","
    "\"process\":{"
    "  \"terminal\":true,"
    "  \"user\":{\"uid\":0,\"gid\":0},"
    "  \"args\":[\"sh\"],"
    "  \"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "          \"TERM=xterm\"],"
    "  \"cwd\":\"/\","
    "  \"capabilities\":{"
    "    \"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "    \"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "    \"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]"
    "  },"
    "  \"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "  \"noNewPrivileges\":true"
    "},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"ocirun\","
    "\"mounts\":["
    "  {\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "  {\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "   \"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "  {\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "   \"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
    "                \"gid=5\"]},"
    "  {\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "   \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "  {\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "   \"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "  {\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "   \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "  {\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "   \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}"
    "],"
    "\"linux\":{"
    "  \"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "  \"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "                {\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "  \"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
    "                 \"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
    "                 \"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
    "  \"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "                   \"/proc/sysrq-trigger\"]"
    "}"
    "}";

static void mount_clear(ocispec_mount *mount)
{
        free(mount->destination);
        free(mount->type);
        free(mount->source);
        strv_free(mount->options);
        memset(mount, 0, sizeof(*mount));
}

static int strv_remove(char **strv, size_t *len, const char *value)
{
        size_t kept = 0;
        for (size_t i = 0; i < *len; i++) {
                if (strcmp(strv[i], value) == 0)
                        free(strv[i]);
                else
                        strv[kept++] = strv[i];
        }
        strv[kept] = NULL;
        *len = kept;
        return 0;
}

static int id_mapping_make(ocispec_id_mapping **ret, size_t *ret_len, uint32_t host_id)
{
        ocispec_id_mapping *mapping = calloc(1, sizeof(*mapping));
        if (!mapping)
                return -ENOMEM;
        mapping->container_id = 0;
        mapping->has_container_id = true;
        mapping->host_id = host_id;
        mapping->has_host_id = true;
        mapping->size = 1;
        mapping->has_size = true;
        *ret = mapping;
        *ret_len = 1;
        return 0;
}

/* What an unprivileged user can set up: its own uid and gid mapped to root
 * in a new user namespace, no new network namespace (it could not be
 * connected), the host's /sys bound instead of a new sysfs, no tty group
 * (gid 5 is not mapped) and no cgroup limits. */
static int make_rootless(ocispec_config *config)
{
        ocispec_linux *linux_config = config->linux;

        size_t kept = 0;
        for (size_t i = 0; i < linux_config->namespaces_len; i++) {
                ocispec_namespace_reference *ns = &linux_config->namespaces[i];
                if (strcmp(ns->type, "network") == 0) {
                        free(ns->type);
                        free(ns->path);
                        continue;
                }
                linux_config->namespaces[kept++] = *ns;
        }
        if (kept == linux_config->namespaces_len) {
                ocispec_namespace_reference *grown = realloc(
                    linux_config->namespaces, (kept + 1) * sizeof(*linux_config->namespaces));
                if (!grown)
                        return -ENOMEM;
                linux_config->namespaces = grown;
        }
        linux_config->namespaces[kept].type = strdup("user");
        linux_config->namespaces[kept].path = NULL;
        if (!linux_config->namespaces[kept].type)
                return -ENOMEM;
        linux_config->namespaces_len = kept + 1;

        if (id_mapping_make(&linux_config->uid_mappings, &linux_config->uid_mappings_len,
                            geteuid()) < 0 ||
            id_mapping_make(&linux_config->gid_mappings, &linux_config->gid_mappings_len,
                            getegid()) < 0)
                return -ENOMEM;

        ocispec_free(&ocispec_linux_resources_type, linux_config->resources);
        linux_config->resources = NULL;

        kept = 0;
        for (size_t i = 0; i < config->mounts_len; i++) {
                ocispec_mount *mount = &config->mounts[i];
                if (strcmp(mount->destination, "/sys/fs/cgroup") == 0) {
                        mount_clear(mount);
                        continue;
                }
                if (strcmp(mount->destination, "/dev/pts") == 0)
                        strv_remove(mount->options, &mount->options_len, "gid=5");
                if (strcmp(mount->destination, "/sys") == 0) {
                        static const char *const bind_options[] = {"rbind", "nosuid", "noexec",
                                                                   "nodev", "ro"};
                        mount_clear(mount);
                        mount->destination = strdup("/sys");
                        mount->type = strdup("none");
                        mount->source = strdup("/sys");
                        if (!mount->destination || !mount->type || !mount->source)
                                return -ENOMEM;
                        for (size_t o = 0; o < sizeof(bind_options) / sizeof(*bind_options); o++)
                                if (ocispec_strv_append(&mount->options, &mount->options_len,
                                                        bind_options[o]) < 0)
                                        return -ENOMEM;
                }
                config->mounts[kept++] = *mount;
        }
        config->mounts_len = kept;
        return 0;
}

int ocirun_spec_default(bool rootless, ocispec_config **ret, ocirun_error **error)
{
        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        char *message = NULL;

        int r = ocispec_config_parse_data(default_config_json, sizeof(default_config_json) - 1,
                                          "default config", &config, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        if (rootless) {
                r = make_rootless(config);
                if (r < 0)
                        return error_set_errno(error, -r, "make rootless config");
        }
        *ret = steal_pointer(&config);
        return 0;
}
