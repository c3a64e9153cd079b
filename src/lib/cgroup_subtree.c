/* The container's cgroup as a tree. Processes of the container may make
 * sub-cgroups of their own (systemd in a container does, and so do
 * `exec --cgroup` users), so everything that means "the container's
 * processes" walks the subtree: listing them (ps, kill --all, the check that
 * a reused cgroup is empty), removing the cgroup (delete must take the
 * sub-cgroups with it, in every hierarchy), and placing an exec'd process
 * in a sub-cgroup (runc's exec --cgroup). A cgroup's cgroup.procs lists only
 * its own members, never its descendants'. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "error.h"
#include "util/strings.h"

/* Deep enough for any tree a container makes, bounded so that a loop of
 * bind mounts (which cgroupfs cannot have, but a path can be odd) ends. */
#define MAX_DEPTH 64

DEFINE_CLEANUP_FUNC(ocispec_string_map *, ocispec_string_map_free)

typedef struct pid_list {
        pid_t *items;
        size_t len, capacity;
} pid_list;

static int pid_list_add(pid_list *list, pid_t pid)
{
        for (size_t i = 0; i < list->len; i++)
                if (list->items[i] == pid)
                        return 0;
        if (list->len == list->capacity) {
                size_t capacity = list->capacity ? list->capacity * 2 : 16;
                pid_t *grown = realloc(list->items, capacity * sizeof(*grown));
                if (!grown)
                        return -ENOMEM;
                list->items = grown;
                list->capacity = capacity;
        }
        list->items[list->len++] = pid;
        return 0;
}

/* The pids of dir and of every cgroup below it. A directory that vanishes
 * while it is walked (its processes exited and someone removed it) counts
 * as empty. */
static int collect_pids(const char *dir, int depth, pid_list *list, ocirun_error **error)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f) {
                if (errno == ENOENT || errno == ENODEV)
                        return 0;
                return error_set_errno(error, errno, "read `%s`", path);
        }
        for (int pid; fscanf(f, "%d", &pid) == 1;)
                if (pid_list_add(list, pid) < 0)
                        return OOM(error);
        if (depth >= MAX_DEPTH)
                return 0;
        _cleanup_closedir_ DIR *d = opendir(dir);
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
                    strcmp(e->d_name, "..") == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                int r = collect_pids(path, depth + 1, list, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_subtree_pids(const char *dir, pid_t **ret_pids, size_t *ret_len, ocirun_error **error)
{
        pid_list list = {0};
        int r = collect_pids(dir, 0, &list, error);
        if (r < 0) {
                free(list.items);
                return r;
        }
        *ret_pids = list.items;
        *ret_len = list.len;
        return 0;
}

size_t cgroup_subtrees_count_pids(const ocispec_runtime_state *state)
{
        const ocispec_string_map *paths = state->cgroup_paths;
        pid_list list = {0};
        for (size_t i = 0; paths && i < paths->len; i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *unread = NULL;
                char dir[4200];
                snprintf(dir, sizeof(dir), "%s%s", paths->keys[i], paths->values[i]);
                collect_pids(dir, 0, &list, &unread);
        }
        free(list.items);
        return list.len;
}

/* Kills what is left in dir itself: its processes may be on their way out
 * already (delete killed the init), or be strays in a sub-cgroup. */
static void kill_members(const char *dir)
{
        char procs[4200];
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
        _cleanup_fclose_ FILE *f = fopen(procs, "re");
        for (int pid; f && fscanf(f, "%d", &pid) == 1;)
                kill(pid, SIGKILL);
}

int cgroup_rmdir(const char *dir, ocirun_error **error)
{
        for (int attempt = 0; rmdir(dir) < 0; attempt++) {
                if (errno == ENOENT)
                        return 0;
                if (errno != EBUSY || attempt == 200)
                        return error_set_errno(error, errno, "remove cgroup `%s`", dir);
                /* Processes are still leaving, or were left behind: kill
                 * what remains and give the kernel a moment. */
                kill_members(dir);
                nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
        }
        return 0;
}

int cgroup_subtree_remove(const char *dir, int depth, ocirun_error **error)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : error_set_errno(error, errno, "open `%s`", dir);
        for (struct dirent *e; (e = readdir(d));) {
                char path[4200];
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
                    strcmp(e->d_name, "..") == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                int r = depth < MAX_DEPTH ? cgroup_subtree_remove(path, depth + 1, error) : 0;
                if (r == 0)
                        r = cgroup_rmdir(path, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- exec --cgroup ---------------------------------------------------------- */

/* base/sub with `.` and `..` resolved as text (cgroupfs has no symlinks)
 * into *ret; -EINVAL when the result is not base or below it: a sub-cgroup
 * must stay inside the container's cgroup, and a sibling whose name merely
 * starts with the container's (c1 and c1x) is not inside it. */
static int sub_path(const char *base, const char *sub, char **ret)
{
        size_t base_len = strlen(base), len = base_len;
        _cleanup_free_ char *out = malloc(base_len + strlen(sub) + 2);
        _cleanup_free_ char *copy = strdup(sub);
        char *save = NULL;
        if (!out || !copy)
                return -ENOMEM;
        memcpy(out, base, base_len + 1);
        for (char *w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
                if (strcmp(w, ".") == 0)
                        continue;
                if (strcmp(w, "..") == 0) {
                        if (len <= base_len)
                                return -EINVAL;
                        /* Back to the slash before the last component. */
                        while (out[len - 1] != '/')
                                len--;
                        out[--len] = '\0';
                        continue;
                }
                out[len++] = '/';
                strcpy(out + len, w);
                len += strlen(w);
        }
        *ret = steal_pointer(&out);
        return 0;
}

/* Whether hierarchy h is one an exec --cgroup CONTROLLER[,CONTROLLER]:PATH
 * argument names: v1 hierarchies by any of their controllers (name=systemd
 * included), as runc keys its cgroup paths. */
static bool names_hierarchy(const char *controllers, const cgroup_hierarchy *h)
{
        if (!h->controllers)
                return false;
        _cleanup_free_ char *copy = strdup(controllers);
        char *save = NULL;
        for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save))
                if (cgroup_word_in_list(h->controllers, c, ','))
                        return true;
        return false;
}

/* runc's form: one PATH for every hierarchy, or any number of
 * CONTROLLER[,CONTROLLER]:PATH. */
static int check_arguments(char *const *args, size_t len, ocirun_error **error)
{
        for (size_t i = 0; i < len; i++) {
                const char *colon = strchr(args[i], ':');
                if (colon && strchr(colon + 1, ':'))
                        return error_set(error, EINVAL, "exec: invalid --cgroup argument: %s",
                                         args[i]);
                if (!colon && len != 1)
                        return error_set(error, EINVAL,
                                         "exec: invalid --cgroup argument: %s (missing "
                                         "<controller>: prefix)",
                                         args[i]);
        }
        return 0;
}

/* Every controller an argument names must be one the container has a
 * cgroup for. */
static int check_controllers(const cgroup_layout *layout, const ocispec_string_map *paths,
                             char *const *args, size_t len, ocirun_error **error)
{
        for (size_t k = 0; k < len; k++) {
                const char *colon = strchr(args[k], ':');
                if (!colon || colon == args[k])
                        continue;
                _cleanup_free_ char *controllers = strndup(args[k], (size_t) (colon - args[k]));
                if (!controllers)
                        return OOM(error);
                char *save = NULL;
                for (char *c = strtok_r(controllers, ",", &save); c;
                     c = strtok_r(NULL, ",", &save)) {
                        bool found = false;
                        for (size_t j = 0; j < layout->len && !found; j++)
                                found = layout->items[j].controllers &&
                                        cgroup_word_in_list(layout->items[j].controllers, c, ',') &&
                                        ocispec_string_map_get(paths, layout->items[j].mount_point);
                        if (!found)
                                return error_set(error, EINVAL,
                                                 "exec: --cgroup %s: the container has no cgroup "
                                                 "for controller `%s`%s",
                                                 args[k], c,
                                                 !layout->unified || layout->len > 1
                                                     ? ""
                                                     : " (cgroup v2 has one hierarchy: give "
                                                       "PATH alone)");
                }
        }
        return 0;
}

/* The sub-cgroup the arguments give hierarchy h (NULL: the container's own
 * cgroup); the last argument that names it wins. */
static const char *sub_for(const cgroup_hierarchy *h, char *const *args, size_t len)
{
        const char *sub = NULL;
        for (size_t k = 0; k < len; k++) {
                const char *colon = strchr(args[k], ':');
                /* No controller (PATH, or :PATH) is every hierarchy. */
                if (!colon || colon == args[k]) {
                        sub = colon ? colon + 1 : args[k];
                        continue;
                }
                _cleanup_free_ char *controllers = strndup(args[k], (size_t) (colon - args[k]));
                if (h && controllers && names_hierarchy(controllers, h))
                        sub = colon + 1;
        }
        return sub;
}

int cgroup_sub_paths_resolve(const ocispec_runtime_state *state, char *const *args, size_t len,
                             ocispec_string_map **ret_paths, ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        _cleanup_(ocispec_string_map_freep) ocispec_string_map *out = NULL;
        const ocispec_string_map *paths = state->cgroup_paths;

        int r = check_arguments(args, len, error);
        if (r < 0)
                return r;
        if (!paths || paths->len == 0)
                return error_set(error, ENOENT, "exec: --cgroup: container `%s` has no cgroup%s",
                                 state->id, cgroup_rootless_hint());
        r = cgroup_layout_read(&layout, state, error);
        if (r == 0)
                r = check_controllers(&layout, paths, args, len, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < paths->len; i++) {
                const cgroup_hierarchy *h = NULL;
                for (size_t j = 0; j < layout.len; j++)
                        if (strcmp(layout.items[j].mount_point, paths->keys[i]) == 0)
                                h = &layout.items[j];
                const char *sub = sub_for(h, args, len);
                _cleanup_free_ char *joined = NULL;
                r = sub ? sub_path(paths->values[i], sub, &joined) : 0;
                if (r == -ENOMEM)
                        return OOM(error);
                if (r < 0)
                        return error_set(error, EINVAL,
                                         "exec: --cgroup: `%s` is not a sub-cgroup of the "
                                         "container's cgroup",
                                         sub);
                if (ocispec_string_map_set(&out, paths->keys[i],
                                           joined ? joined : paths->values[i]) < 0)
                        return OOM(error);
        }
        *ret_paths = steal_pointer(&out);
        return 0;
}
