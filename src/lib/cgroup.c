/* Where the container's cgroup is and how processes get in and out of it.
 * The hierarchies come from /proc/self/mountinfo: one cgroup2 mount (v2 or
 * the unified part of a hybrid host) and any number of v1 mounts, each with
 * its controllers. Every hierarchy mounted gets the container's directory,
 * named= ones (systemd's) included, as runc does. */
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_systemd.h"
#include "error.h"
#include "id_maps.h"
#include "util/strings.h"

void cgroup_layout_clear(cgroup_layout *layout)
{
        for (size_t i = 0; i < layout->len; i++) {
                free(layout->items[i].mount_point);
                free(layout->items[i].controllers);
        }
        free(layout->unified_controllers);
        layout->unified_controllers = NULL;
        layout->unified = NULL;
        layout->len = 0;
}

bool cgroup_word_in_list(const char *list, const char *word, char sep)
{
        size_t len = strlen(word);
        for (const char *p = list; p && *p;) {
                const char *end = strchr(p, sep);
                size_t n = end ? (size_t) (end - p) : strlen(p);
                if (n == len && strncmp(p, word, len) == 0)
                        return true;
                if (!end)
                        break;
                p = end + 1;
        }
        return false;
}

int cgroup_read(const char *dir, const char *file, char **ret)
{
        char path[4200], buffer[4097];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
        if (n < 0)
                return -errno;
        while (n > 0 && buffer[n - 1] == '\n')
                n--;
        buffer[n] = '\0';
        *ret = strdup(buffer);
        return *ret ? 0 : -ENOMEM;
}

int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = cgroup_read(dir, file, &text);
        if (r < 0)
                return r;
        char *end;
        errno = 0;
        *ret = strtoull(text, &end, 10);
        return errno || end == text ? -EINVAL : 0;
}

bool cgroup_has_file(const char *dir, const char *file)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return access(path, F_OK) == 0;
}

int cgroup_write(ocirun_error **error, const char *field, const char *dir, const char *file,
                 const char *fmt, ...)
{
        char path[4200], value[4096];
        va_list ap;
        va_start(ap, fmt);
        int len = vsnprintf(value, sizeof(value), fmt, ap);
        va_end(ap);
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        if (len < 0 || (size_t) len >= sizeof(value))
                return error_set(error, E2BIG, "%s: the value for %s is too long", field, path);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, value, (size_t) len) < 0) {
                int saved = errno;
                if (saved == ENOENT)
                        return error_set(error, ENOTSUP,
                                         "%s: this kernel has no %s (looked for %s)", field, file,
                                         path);
                return error_set_errno(error, saved, "%s: write `%s` to %s", field, value, path);
        }
        return 0;
}

cgroup_version cgroup_layout_dir(cgroup_layout *layout, const char *controller, char **ret_dir)
{
        const ocispec_string_map *paths = layout->state ? layout->state->cgroup_paths : NULL;
        *ret_dir = NULL;
        if (!paths)
                return CGROUP_ABSENT;
        for (size_t i = 0; controller && i < layout->len; i++) {
                const cgroup_hierarchy *h = &layout->items[i];
                if (!h->controllers || !cgroup_word_in_list(h->controllers, controller, ','))
                        continue;
                const char *relative = ocispec_string_map_get(paths, h->mount_point);
                if (!relative || asprintf(ret_dir, "%s%s", h->mount_point, relative) < 0) {
                        *ret_dir = NULL;
                        return CGROUP_ABSENT;
                }
                return CGROUP_V1;
        }
        if (!layout->unified)
                return CGROUP_ABSENT;
        const char *relative = ocispec_string_map_get(paths, layout->unified->mount_point);
        _cleanup_free_ char *dir = NULL;
        if (!relative || asprintf(&dir, "%s%s", layout->unified->mount_point, relative) < 0)
                return CGROUP_ABSENT;
        if (controller) {
                if (!layout->unified_controllers &&
                    cgroup_read(dir, "cgroup.controllers", &layout->unified_controllers) < 0)
                        return CGROUP_ABSENT;
                if (!cgroup_word_in_list(layout->unified_controllers, controller, ' '))
                        return CGROUP_ABSENT;
        }
        *ret_dir = steal_pointer(&dir);
        return CGROUP_V2;
}

/* The v1 controllers are the super options that are not generic ones. */
static char *v1_controllers(const char *super_options)
{
        _cleanup_free_ char *copy = strdup(super_options);
        char *out = calloc(1, strlen(super_options) + 1);
        char *save = NULL;

        if (!copy || !out) {
                free(out);
                return NULL;
        }
        for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
                if (strcmp(word, "rw") == 0 || strcmp(word, "ro") == 0 ||
                    strncmp(word, "release_agent=", 14) == 0 || strcmp(word, "noprefix") == 0 ||
                    strcmp(word, "clone_children") == 0 || strcmp(word, "xattr") == 0 ||
                    strcmp(word, "cpuset_v2_mode") == 0)
                        continue;
                if (*out)
                        strcat(out, ",");
                strcat(out, word);
        }
        return out;
}

int cgroup_layout_read(cgroup_layout *list, const ocispec_runtime_state *state,
                       ocirun_error **error)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        *list = (cgroup_layout){.state = state};
        if (!f)
                return error_set_errno(error, errno, "read /proc/self/mountinfo");
        while (getline(&line, &size, f) > 0) {
                /* id parent major:minor root mount-point options [optional...] - type source super
                 */
                char *fields[16];
                size_t n = 0;
                char *save = NULL;
                for (char *w = strtok_r(line, " \n", &save); w && n < 16;
                     w = strtok_r(NULL, " \n", &save))
                        fields[n++] = w;
                size_t dash = 6;
                while (dash < n && strcmp(fields[dash], "-") != 0)
                        dash++;
                if (dash + 3 >= n)
                        continue;
                const char *type = fields[dash + 1];
                bool v2 = strcmp(type, "cgroup2") == 0;
                if (!v2 && strcmp(type, "cgroup") != 0)
                        continue;
                /* Only a hierarchy's root mount is one we can create cgroups in. */
                if (strcmp(fields[3], "/") != 0 || list->len == 32)
                        continue;
                cgroup_hierarchy *h = &list->items[list->len];
                h->mount_point = strdup(fields[4]);
                h->controllers = v2 ? NULL : v1_controllers(fields[dash + 3]);
                if (!h->mount_point || (!v2 && !h->controllers)) {
                        free(h->mount_point);
                        free(h->controllers);
                        cgroup_layout_clear(list);
                        return error_set(error, ENOMEM, "out of memory");
                }
                if (v2 && !list->unified)
                        list->unified = h;
                list->len++;
        }
        if (list->len == 0)
                return error_set(error, ENOENT, "no cgroup hierarchy is mounted");
        return 0;
}

/* ocirun's own cgroup in a hierarchy, from /proc/self/cgroup. */
static char *own_cgroup(const cgroup_hierarchy *h)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        while (getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = '\0';
                char *controllers = strchr(line, ':');
                char *path = controllers ? strchr(controllers + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = '\0';
                controllers++;
                if (h->controllers ? strcmp(controllers, h->controllers) == 0
                                   : *controllers == '\0')
                        return strdup(path);
        }
        return NULL;
}

/* A new cpuset cgroup starts with no cpus and no memory nodes, which makes
 * every attach fail (ENOSPC): it inherits its parent's. This is done for
 * every directory on the path, made by us or found, when it is still
 * empty: another create may have made a parent an instant ago and not yet
 * filled it. Parents are handled before children, and racing writers
 * write the same value. */
static void cpuset_inherit(const char *dir)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        for (size_t i = 0; i < 2; i++) {
                char path[4200], parent_path[4200], value[4096], own[8];
                snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
                snprintf(parent_path, sizeof(parent_path), "%.*s/%s",
                         (int) (strrchr(dir, '/') - dir), dir, files[i]);
                _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t own_len = read(fd, own, sizeof(own));
                if (own_len > 0 && own[0] != '\n')
                        continue;
                _cleanup_close_ int parent = open(parent_path, O_RDONLY | O_CLOEXEC);
                ssize_t n = parent >= 0 ? read(parent, value, sizeof(value)) : -1;
                if (n > 0 && pwrite(fd, value, (size_t) n, 0) < 0)
                        ocirun_log(OCIRUN_LOG_DEBUG, "inherit %s: %m", path);
        }
}

/* On cgroup2 a controller reaches a cgroup only when every ancestor lists
 * it in cgroup.subtree_control: enable in parent whatever it has and does
 * not pass on yet, one controller per write so that one the kernel refuses
 * (a parent with processes of its own may refuse them all, the "no internal
 * processes" rule) does not hold back the others. A resource whose
 * controller stays off fails later, naming its field. */
static void enable_v2_controllers(const char *parent)
{
        _cleanup_free_ char *available = NULL, *enabled = NULL;
        if (cgroup_read(parent, "cgroup.controllers", &available) < 0 ||
            cgroup_read(parent, "cgroup.subtree_control", &enabled) < 0)
                return;
        char *save = NULL;
        for (char *c = strtok_r(available, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                if (cgroup_word_in_list(enabled, c, ' '))
                        continue;
                _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                if (cgroup_write(&ignored, "cgroup.subtree_control", parent,
                                 "cgroup.subtree_control", "+%s", c) < 0)
                        ocirun_log(OCIRUN_LOG_DEBUG, "%s", ignored->message);
        }
}

/* What an unprivileged caller may not do in a hierarchy: the cgroup is
 * skipped, as runc skips it for rootless containers. */
static bool permission_error(int err)
{
        return err == EACCES || err == EPERM || err == EROFS;
}

/* mkdir -p of dir below mount_point, recording what it made (deepest last).
 * Returns 1 when an unprivileged caller cannot use dir. */
static int make_cgroup_dirs(const cgroup_hierarchy *h, const char *dir,
                            ocispec_runtime_state *state, ocirun_error **error)
{
        size_t base = strlen(h->mount_point);
        _cleanup_free_ char *copy = strdup(dir);
        if (!copy)
                return error_set(error, ENOMEM, "out of memory");
        for (char *p = copy + base + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                if (!h->controllers) {
                        /* The parent of this level; p is at least one past
                         * the mount point's end. */
                        char *slash = strrchr(copy, '/');
                        *slash = '\0';
                        enable_v2_controllers(copy);
                        *slash = '/';
                }
                if (mkdir(copy, 0755) == 0) {
                        if (ocispec_strv_append(&state->cgroup_created, &state->cgroup_created_len,
                                                copy) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                } else if (errno != EEXIST) {
                        if (permission_error(errno) && id_maps_caller_is_rootless())
                                return 1;
                        return error_set_errno(error, errno, "create cgroup `%s`", copy);
                }
                if (h->controllers && strstr(h->controllers, "cpuset"))
                        cpuset_inherit(copy);
                *p = saved;
                if (saved == '\0')
                        break;
        }
        if (id_maps_caller_is_rootless()) {
                char procs[4200];
                snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
                if (access(procs, W_OK) < 0)
                        return 1;
        }
        return 0;
}

static int check_cgroup_path(const char *path, ocirun_error **error)
{
        /* Every component must be a plain name: `..` would leave the
         * hierarchy. */
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;
        if (!copy)
                return error_set(error, ENOMEM, "out of memory");
        const char *colon = strchr(path, ':');
        if (path[0] != '/' && colon && strchr(colon + 1, ':') && !strchr(path, '/'))
                return error_set(error, EINVAL,
                                 "config.json: linux.cgroupsPath: `%s` is systemd's "
                                 "slice:prefix:name form: run ocirun with --systemd-cgroup, or "
                                 "give a cgroup path",
                                 path);
        for (char *w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save))
                if (strcmp(w, "..") == 0 || strcmp(w, ".") == 0)
                        return error_set(error, EINVAL,
                                         "config.json: linux.cgroupsPath: `%s` must not contain "
                                         "`.` or `..`",
                                         path);
        return 0;
}

/* Whether resources asks for a limit a cgroup must hold; device rules do
 * not count: an unprivileged caller cannot make device nodes anyway. */
static bool resources_need_cgroup(const ocispec_linux_resources *r)
{
        return r && (r->memory || r->cpu || r->pids || r->block_io || r->hugepage_limits_len ||
                     r->network || (r->rdma && r->rdma->len) || (r->unified && r->unified->len));
}

/* The hierarchy's directory for path: absolute from its root, relative
 * under ocirun's own cgroup there. */
static int hierarchy_dir(const cgroup_hierarchy *h, const char *path, char **ret_relative,
                         char **ret_dir, ocirun_error **error)
{
        _cleanup_free_ char *own = NULL, *relative = NULL, *dir = NULL;
        if (path[0] != '/') {
                own = own_cgroup(h);
                if (!own)
                        return error_set(error, ENOENT, "find ocirun's own cgroup under `%s`",
                                         h->mount_point);
                if (asprintf(&relative, "%s/%s", strcmp(own, "/") ? own : "", path) < 0)
                        relative = NULL;
        } else {
                relative = strdup(path);
        }
        if (!relative || asprintf(&dir, "%s%s", h->mount_point, relative) < 0)
                return error_set(error, ENOMEM, "out of memory");
        *ret_relative = steal_pointer(&relative);
        *ret_dir = steal_pointer(&dir);
        return 0;
}

/* Makes path in every hierarchy; *ret_skipped counts the hierarchies an
 * unprivileged caller could not use. */
static int create_everywhere(const char *path, ocispec_runtime_state *state, size_t *ret_skipped,
                             ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout list = {0};
        size_t skipped = 0;
        int r = cgroup_layout_read(&list, NULL, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < list.len; i++) {
                const cgroup_hierarchy *h = &list.items[i];
                _cleanup_free_ char *relative = NULL, *dir = NULL;
                r = hierarchy_dir(h, path, &relative, &dir, error);
                if (r == 0)
                        r = make_cgroup_dirs(h, dir, state, error);
                if (r < 0)
                        return r;
                if (r == 1) {
                        ocirun_log(OCIRUN_LOG_DEBUG, "cgroup %s: not writable, skipped", dir);
                        skipped++;
                        continue;
                }
                if (ocispec_string_map_set(&state->cgroup_paths, h->mount_point, relative) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        }
        if (ret_skipped)
                *ret_skipped = skipped;
        return 0;
}

int cgroup_create_at(const char *path, ocispec_runtime_state *state, ocirun_error **error)
{
        return create_everywhere(path, state, NULL, error);
}

/* Why the container's cgroup cannot run an init: frozen in the v1 freezer
 * (FROZEN, or FREEZING on the way there) or on cgroup2, which on a hybrid
 * host freezes its members as well. *ret_why is a static string, NULL when
 * nothing is frozen. */
static void frozen_dir(cgroup_layout *layout, char **ret_dir, const char **ret_why)
{
        _cleanup_free_ char *v1 = NULL, *unified = NULL, *state = NULL, *freeze = NULL;
        *ret_dir = NULL;
        *ret_why = NULL;
        if (cgroup_layout_dir(layout, "freezer", &v1) == CGROUP_V1 &&
            cgroup_read(v1, "freezer.state", &state) == 0 && strcmp(state, "THAWED") != 0) {
                *ret_why = strcmp(state, "FROZEN") == 0 ? "freezer.state is FROZEN"
                                                        : "freezer.state is FREEZING";
                *ret_dir = steal_pointer(&v1);
                return;
        }
        if (cgroup_layout_dir(layout, NULL, &unified) != CGROUP_V2)
                return;
        _cleanup_free_ char *events = NULL;
        if (cgroup_read(unified, "cgroup.freeze", &freeze) == 0 && strcmp(freeze, "1") == 0)
                *ret_why = "cgroup.freeze is 1";
        /* A new cgroup below a frozen one is frozen too, with its own
         * cgroup.freeze still 0. */
        else if (cgroup_read(unified, "cgroup.events", &events) == 0 && strstr(events, "frozen 1"))
                *ret_why = "frozen by an ancestor (cgroup.events: frozen 1)";
        if (*ret_why)
                *ret_dir = steal_pointer(&unified);
}

/* A cgroupsPath may name a cgroup that exists already. A frozen one would
 * hold the init frozen before it could report back, and create would wait
 * forever: refused, as runc refuses it. One with processes in it is used,
 * with runc 1.1's warning: the container then shares its limits and its
 * kill --all with strangers. */
static int check_existing(const ocispec_runtime_state *state, ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        _cleanup_free_ char *frozen = NULL;
        const char *why = NULL;

        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        frozen_dir(&layout, &frozen, &why);
        if (frozen)
                return error_set(error, EBUSY,
                                 "container's cgroup unexpectedly frozen (%s: %s; thaw it or give "
                                 "another linux.cgroupsPath)",
                                 frozen, why);
        size_t n_all = cgroup_subtrees_count_pids(state);
        if (n_all) {
                ocirun_log(OCIRUN_LOG_WARNING,
                           "container's cgroup is not empty: %zu process(es) found", n_all);
                ocirun_log(OCIRUN_LOG_WARNING,
                           "DEPRECATED: running a container in a non-empty cgroup will become an "
                           "error, as it is in runc 1.2 and later; see "
                           "https://github.com/opencontainers/runc/issues/3132");
        }
        return 0;
}

/* runc takes linux.resources.unified only where the host is on cgroup v2
 * alone: on a hybrid host its controllers are v1's, and a key could name a
 * file of either. */
int cgroup_check_unified(const ocispec_linux_resources *resources, const char *prefix,
                         ocirun_error **error)
{
        if (!resources || !resources->unified || resources->unified->len == 0)
                return 0;
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        int r = cgroup_layout_read(&layout, NULL, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < layout.len; i++)
                if (layout.items[i].controllers)
                        return error_set(error, EINVAL,
                                         "%s.unified: cannot use unified on cgroup v1: this host "
                                         "mounts cgroup v1 hierarchies (%s at %s); set the v1 "
                                         "fields of linux.resources instead",
                                         prefix, layout.items[i].controllers,
                                         layout.items[i].mount_point);
        return 0;
}

int cgroup_create(const ocispec_config *config, const char *id, ocispec_runtime_state *state,
                  ocirun_error **error)
{
        _cleanup_free_ char *default_path = NULL;
        const char *path = config->linux ? config->linux->cgroups_path : NULL;
        size_t skipped = 0;
        int r;

        if (!path || !*path) {
                if (asprintf(&default_path, "/ocirun/%s", id) < 0)
                        return error_set(error, ENOMEM, "out of memory");
                path = default_path;
        }
        r = check_cgroup_path(path, error);
        if (r == 0)
                r = cgroup_check_unified(config->linux ? config->linux->resources : NULL,
                                         "config.json: linux.resources", error);
        if (r == 0)
                r = create_everywhere(path, state, &skipped, error);
        if (r == 0)
                r = check_existing(state, error);
        if (r < 0)
                return r;
        if (skipped && resources_need_cgroup(config->linux ? config->linux->resources : NULL))
                return error_set(error, EPERM,
                                 "config.json: linux.resources: limits need a cgroup, and uid %u "
                                 "cannot write the cgroup hierarchies here (rootless: drop "
                                 "linux.resources, or use --systemd-cgroup with a user systemd "
                                 "on cgroup v2, which delegates a cgroup)",
                                 (unsigned) geteuid());
        return 0;
}

static int write_pid(const char *mount_point, const char *path, pid_t pid, ocirun_error **error)
{
        char file[4200], value[32];
        snprintf(file, sizeof(file), "%s%s/cgroup.procs", mount_point, path);
        int len = snprintf(value, sizeof(value), "%d", (int) pid);
        _cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, value, (size_t) len) < 0)
                return error_set_errno(error, errno, "move pid %d into cgroup `%s%s`",
                                       (int) (pid > 0 ? pid : getpid()), mount_point, path);
        return 0;
}

int cgroup_enter(const ocispec_runtime_state *state, pid_t pid, ocirun_error **error)
{
        const ocispec_string_map *paths = state->cgroup_paths;
        for (size_t i = 0; paths && i < paths->len; i++) {
                int r = write_pid(paths->keys[i], paths->values[i], pid, error);
                /* A user's own processes live in cgroups it may not write
                 * (a login session's, a system service's): moving one into
                 * its delegated subtree takes the user manager, which asks
                 * the system manager. Then the write finds it in place. */
                if ((r == -EACCES || r == -EPERM) && cgroup_systemd_is_user(state)) {
                        ocirun_error_free(steal_pointer(error));
                        r = cgroup_systemd_attach(state, pid > 0 ? pid : getpid(), error);
                        if (r == 0)
                                r = write_pid(paths->keys[i], paths->values[i], pid, error);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *cgroup_rootless_hint(void)
{
        return id_maps_caller_is_rootless()
                   ? " (a rootless container gets one only where the caller may write: "
                     "--systemd-cgroup with a user systemd on cgroup v2 delegates one)"
                   : "";
}

int cgroup_pids(const ocispec_runtime_state *state, pid_t **ret_pids, size_t *ret_len,
                ocirun_error **error)
{
        const ocispec_string_map *paths = state->cgroup_paths;
        char dir[4200];

        if (!paths || paths->len == 0)
                return error_set(error, ENOENT, "container `%s` has no cgroup%s", state->id,
                                 cgroup_rootless_hint());
        /* Any hierarchy holds every process of the container somewhere in
         * the container's subtree, as runc's GetAllPids reads it. */
        snprintf(dir, sizeof(dir), "%s%s", paths->keys[0], paths->values[0]);
        return cgroup_subtree_pids(dir, ret_pids, ret_len, error);
}

static int signal_listed(const ocispec_runtime_state *state, int signal, ocirun_error **error)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t len = 0;
        int r = cgroup_pids(state, &pids, &len, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < len; i++)
                if (kill(pids[i], signal) < 0 && errno != ESRCH)
                        return error_set_errno(error, errno, "kill pid %d", (int) pids[i]);
        return 0;
}

int cgroup_kill_all(const ocispec_runtime_state *state, int signal, ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        _cleanup_free_ char *unified = NULL, *freezer = NULL;
        int r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        if (signal == SIGKILL && cgroup_layout_dir(&layout, NULL, &unified) == CGROUP_V2 &&
            cgroup_has_file(unified, "cgroup.kill"))
                return cgroup_write(error, "kill --all", unified, "cgroup.kill", "1");
        /* A process forking while the list is walked could escape the
         * signal: walk a frozen cgroup, as runc does. The signals are
         * delivered once it thaws. */
        bool frozen = cgroup_layout_dir(&layout, "freezer", &freezer) != CGROUP_ABSENT &&
                      !cgroup_layout_is_frozen(&layout) &&
                      cgroup_layout_freeze(&layout, true, NULL) == 0;
        r = signal_listed(state, signal, error);
        if (frozen) {
                _cleanup_(ocirun_error_freep) ocirun_error *thaw_error = NULL;
                if (cgroup_layout_freeze(&layout, false, &thaw_error) < 0)
                        ocirun_log(OCIRUN_LOG_WARNING, "%s", thaw_error->message);
        }
        return r;
}

/* Whether dir is the container's own cgroup in one of its hierarchies. */
static bool is_container_dir(const ocispec_runtime_state *state, const char *dir)
{
        const ocispec_string_map *paths = state->cgroup_paths;
        for (size_t i = 0; paths && i < paths->len; i++) {
                size_t n = strlen(paths->keys[i]);
                if (strncmp(dir, paths->keys[i], n) == 0 && strcmp(dir + n, paths->values[i]) == 0)
                        return true;
        }
        return false;
}

int cgroup_destroy(const ocispec_runtime_state *state, ocirun_error **error)
{
        if (!str_empty(state->systemd_unit)) {
                /* Whatever is left goes first: stopping a scope would send
                 * SIGTERM and wait systemd's stop timeout for it. */
                _cleanup_(ocirun_error_freep) ocirun_error *kill_error = NULL;
                if (state->cgroup_paths && state->cgroup_paths->len &&
                    cgroup_kill_all(state, SIGKILL, &kill_error) < 0)
                        ocirun_log(OCIRUN_LOG_DEBUG, "%s", kill_error->message);
                int r = cgroup_systemd_destroy(state, error);
                if (r < 0)
                        return r;
        }
        /* The container's own directory is the first recorded in each
         * hierarchy's run of created directories, deepest last: remove in
         * reverse so children go before parents. */
        for (size_t i = state->cgroup_created_len; i-- > 0;) {
                const char *dir = state->cgroup_created[i];
                bool leaf = true;
                for (size_t j = i + 1; j < state->cgroup_created_len; j++)
                        if (strncmp(state->cgroup_created[j], dir, strlen(dir)) == 0 &&
                            state->cgroup_created[j][strlen(dir)] == '/')
                                leaf = false;
                /* Sub-cgroups the container's processes made go with the
                 * container's cgroup; a parent ocirun made may hold other
                 * containers' cgroups, and only its own children go. */
                int r = is_container_dir(state, dir) ? cgroup_subtree_remove(dir, 0, error) : 0;
                if (r < 0)
                        return r;
                if (leaf) {
                        r = cgroup_rmdir(dir, error);
                        if (r < 0)
                                return r;
                } else if (rmdir(dir) < 0 && errno != ENOENT && errno != EBUSY &&
                           errno != ENOTEMPTY) {
                        /* A parent another container still uses stays. */
                        return error_set_errno(error, errno, "remove cgroup `%s`", dir);
                }
        }
        return 0;
}
