/* The library side of `ocirun events`: a container's statistics as one
 * runc events line, and a watch that tells when the kernel OOM-kills in the
 * container's memory cgroup. On cgroup v1 that is an eventfd registered
 * with cgroup.event_control against memory.oom_control; cgroup v2 has no
 * such registration, so inotify watches memory.events, whose oom_kill
 * count is what grows on a kill (the file also changes for the low, high
 * and max events). The watch also holds a pidfd of the init, readable once
 * it exits, so that events ends with the container at once instead of at
 * its next statistics line (or never: the cgroup, whose removal the OOM
 * watch would notice, stays until delete). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include "cgroup.h"
#include "error.h"
#include "state.h"

struct ocirun_oom_watch {
        int fd;      /* the eventfd (v1) or inotify instance (v2); -1: nothing to watch */
        int exit_fd; /* a pidfd of the container's init */
        cgroup_version version;
        char *dir; /* the container's memory cgroup */
        char *id;
        uint64_t oom_kills; /* v2: memory.events' oom_kill when last read */
};

/* The container's state with its status derived now, its lock held (in
 * *ret_dirfd) while the caller reads the cgroup; a stopped container is an
 * error, as it is for runc events. */
static int load_live_state(ocirun_root *root, const char *id, int *ret_dirfd,
                           ocispec_runtime_state **ret, ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        int r = state_load(root, id, LOCK_SH, &dirfd, &state, error);
        if (r < 0)
                return r;
        if (strcmp(state->status, "stopped") == 0)
                return error_set(error, ESRCH, "container `%s` is not running", id);
        *ret_dirfd = steal_fd(&dirfd);
        *ret = steal_pointer(&state);
        return 0;
}

int ocirun_container_stats(ocirun_root *root, const char *id, char **ret_json, size_t *ret_len,
                           ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        int r = load_live_state(root, id, &dirfd, &state, error);
        if (r < 0)
                return r;
        return cgroup_event_line("stats", id, state, ret_json, ret_len, error);
}

/* memory.events' oom_kill count; false when the file cannot be read (the
 * cgroup is gone). */
static bool read_oom_kills(const char *dir, uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        if (cgroup_read(dir, "memory.events", &text) < 0)
                return false;
        *ret = 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long value;
                if (sscanf(line, "oom_kill %llu", &value) == 1) {
                        *ret = value;
                        break;
                }
        }
        return true;
}

static int watch_v1(ocirun_oom_watch *watch, ocirun_error **error)
{
        char path[4200];
        _cleanup_close_ int event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (event < 0)
                return error_set_errno(error, errno, "watch for OOM kills: eventfd");
        snprintf(path, sizeof(path), "%s/memory.oom_control", watch->dir);
        _cleanup_close_ int oom_control = open(path, O_RDONLY | O_CLOEXEC);
        if (oom_control < 0)
                return error_set_errno(error, errno, "watch for OOM kills: open %s", path);
        snprintf(path, sizeof(path), "%s/cgroup.event_control", watch->dir);
        _cleanup_close_ int control = open(path, O_WRONLY | O_CLOEXEC);
        if (control < 0 || dprintf(control, "%d %d", event, oom_control) < 0)
                return error_set_errno(error, errno, "watch for OOM kills: register with %s", path);
        /* The kernel holds its own references from here on: the
         * registration lasts until the eventfd is closed or the cgroup is
         * removed. */
        watch->fd = steal_fd(&event);
        return 0;
}

static int watch_v2(ocirun_oom_watch *watch, ocirun_error **error)
{
        char path[4200];
        _cleanup_close_ int inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (inotify < 0)
                return error_set_errno(error, errno, "watch for OOM kills: inotify_init1");
        snprintf(path, sizeof(path), "%s/memory.events", watch->dir);
        if (inotify_add_watch(inotify, path, IN_MODIFY) < 0)
                return error_set_errno(error, errno, "watch for OOM kills: watch %s", path);
        /* Read after the watch is in place, so that no kill falls between. */
        if (!read_oom_kills(watch->dir, &watch->oom_kills))
                return error_set(error, ENOENT, "watch for OOM kills: cannot read %s", path);
        watch->fd = steal_fd(&inotify);
        return 0;
}

int ocirun_container_oom_watch_open(ocirun_root *root, const char *id, ocirun_oom_watch **ret,
                                    ocirun_error **error)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        int r = load_live_state(root, id, &dirfd, &state, error);
        if (r < 0)
                return r;

        _cleanup_(ocirun_oom_watch_freep) ocirun_oom_watch *watch = calloc(1, sizeof(*watch));
        if (!watch)
                return error_set(error, ENOMEM, "out of memory");
        watch->fd = -1;
        watch->exit_fd = -1;
        r = state_open_init_pidfd(state, &watch->exit_fd, error);
        if (r < 0)
                return r;
        watch->id = strdup(id);
        cgroup_layout layout;
        r = cgroup_layout_read(&layout, state, error);
        if (r < 0)
                return r;
        watch->version = cgroup_layout_dir(&layout, "memory", &watch->dir);
        cgroup_layout_clear(&layout);
        if (!watch->id || (watch->version != CGROUP_ABSENT && !watch->dir))
                return error_set(error, ENOMEM, "out of memory");

        if (watch->version == CGROUP_V1)
                r = watch_v1(watch, error);
        else if (watch->version == CGROUP_V2)
                r = watch_v2(watch, error);
        if (r < 0)
                return error_prefix(error, "events %s", id);
        *ret = steal_pointer(&watch);
        return 0;
}

int ocirun_oom_watch_fd(const ocirun_oom_watch *watch)
{
        return watch ? watch->fd : -1;
}

int ocirun_oom_watch_exit_fd(const ocirun_oom_watch *watch)
{
        return watch ? watch->exit_fd : -1;
}

static void watch_end(ocirun_oom_watch *watch)
{
        close(watch->fd);
        watch->fd = -1;
}

/* Whether the wake-up was an OOM kill; ends the watch when the cgroup is
 * gone. */
static int consume(ocirun_oom_watch *watch, bool *ret_oom, ocirun_error **error)
{
        *ret_oom = false;
        if (watch->version == CGROUP_V1) {
                uint64_t count;
                if (read(watch->fd, &count, sizeof(count)) < 0)
                        return errno == EAGAIN || errno == EINTR
                                   ? 0
                                   : error_set_errno(error, errno, "read the OOM eventfd");
                /* The kernel signals the eventfd once more when the cgroup
                 * is removed: that is no OOM kill. */
                if (!cgroup_has_file(watch->dir, "cgroup.event_control")) {
                        watch_end(watch);
                        return 0;
                }
                *ret_oom = true;
                return 0;
        }

        /* Drain the queue; IN_IGNORED says the watched file is gone. */
        bool gone = false;
        char buffer[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        for (;;) {
                ssize_t n = read(watch->fd, buffer, sizeof(buffer));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0)
                        return error_set_errno(error, errno, "read the OOM inotify events");
                for (char *p = buffer; p < buffer + n;) {
                        const struct inotify_event *event = (const struct inotify_event *) p;
                        gone |= (event->mask & IN_IGNORED) != 0;
                        p += sizeof(*event) + event->len;
                }
        }
        uint64_t kills;
        if (read_oom_kills(watch->dir, &kills) && kills > watch->oom_kills) {
                watch->oom_kills = kills;
                *ret_oom = true;
        }
        if (gone || !cgroup_has_file(watch->dir, "memory.events"))
                watch_end(watch);
        return 0;
}

int ocirun_oom_watch_read(ocirun_oom_watch *watch, char **ret_json, size_t *ret_len,
                          ocirun_error **error)
{
        bool oom = false;
        if (watch->fd >= 0) {
                int r = consume(watch, &oom, error);
                if (r < 0)
                        return r;
        }
        if (!oom) {
                *ret_json = NULL;
                *ret_len = 0;
                return 0;
        }
        return cgroup_event_line("oom", watch->id, NULL, ret_json, ret_len, error);
}

void ocirun_oom_watch_free(ocirun_oom_watch *watch)
{
        if (!watch)
                return;
        if (watch->fd >= 0)
                close(watch->fd);
        if (watch->exit_fd >= 0)
                close(watch->exit_fd);
        free(watch->dir);
        free(watch->id);
        free(watch);
}

void ocirun_oom_watch_freep(ocirun_oom_watch **watch)
{
        ocirun_oom_watch_free(*watch);
        *watch = NULL;
}
