/* pause and resume: the v1 freezer controller where a v1 hierarchy has it
 * (hybrid hosts), else cgroup2's cgroup.freeze. Both freeze asynchronously:
 * the write starts it and the kernel says later when every task is frozen,
 * so pause waits for that before it reports success. A cgroup that does not
 * freeze in time (a task stuck in uninterruptible sleep) is thawed again
 * and reported: a half-frozen container helps nobody. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "error.h"
#include "util/time.h"

#define FREEZE_TIMEOUT_MS 10000

static bool v1_state_is(const char *dir, const char *want)
{
        _cleanup_free_ char *state = NULL;
        return cgroup_read(dir, "freezer.state", &state) == 0 && strcmp(state, want) == 0;
}

/* v1 has no notification for the end of FREEZING: poll the file, with a
 * short sleep that doubles up to 10 ms. */
static int v1_freeze(const char *dir, bool frozen, ocirun_error **error)
{
        const char *want = frozen ? "FROZEN" : "THAWED";
        int r = cgroup_write(error, "freezer", dir, "freezer.state", "%s", want);
        if (r < 0)
                return r;
        long sleep_us = 100, waited_us = 0;
        while (!v1_state_is(dir, want)) {
                if (waited_us > FREEZE_TIMEOUT_MS * 1000L) {
                        if (frozen)
                                cgroup_write(NULL, "freezer", dir, "freezer.state", "THAWED");
                        return error_set(error, ETIMEDOUT,
                                         "the cgroup %s did not become %s within %d s", dir, want,
                                         FREEZE_TIMEOUT_MS / 1000);
                }
                /* Writing FROZEN again makes the kernel retry the tasks it
                 * could not freeze yet. */
                if (frozen)
                        cgroup_write(NULL, "freezer", dir, "freezer.state", "FROZEN");
                nanosleep(&(struct timespec){.tv_nsec = sleep_us * 1000}, NULL);
                waited_us += sleep_us;
                if (sleep_us < 10000)
                        sleep_us *= 2;
        }
        return 0;
}

static int v2_frozen_value(const char *dir)
{
        _cleanup_free_ char *events = NULL;
        if (cgroup_read(dir, "cgroup.events", &events) < 0)
                return -1;
        const char *line = strstr(events, "frozen ");
        return line ? line[7] == '1' : -1;
}

/* cgroup.events changes when the frozen state flips and the kernel wakes
 * pollers with POLLPRI, so the wait needs no polling loop. */
static int v2_freeze(const char *dir, bool frozen, ocirun_error **error)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/cgroup.events", dir);
        _cleanup_close_ int events = open(path, O_RDONLY | O_CLOEXEC);
        int r = cgroup_write(error, "cgroup.freeze", dir, "cgroup.freeze", "%d", frozen);
        if (r < 0)
                return r;
        uint64_t deadline = time_monotonic_ms() + FREEZE_TIMEOUT_MS;
        while (v2_frozen_value(dir) != frozen) {
                uint64_t now = time_monotonic_ms();
                if (events < 0 || now >= deadline) {
                        if (frozen)
                                cgroup_write(NULL, "cgroup.freeze", dir, "cgroup.freeze", "0");
                        return error_set(error, ETIMEDOUT,
                                         "the cgroup %s did not become %s within %d s", dir,
                                         frozen ? "frozen" : "thawed", FREEZE_TIMEOUT_MS / 1000);
                }
                struct pollfd pfd = {.fd = events, .events = POLLPRI};
                if (poll(&pfd, 1, (int) (deadline - now)) < 0 && errno != EINTR)
                        return error_set_errno(error, errno, "wait for %s", path);
        }
        return 0;
}

/* The container's freezer: the v1 controller where a hierarchy has it,
 * else cgroup2's core files (cgroup.freeze needs no controller). */
static cgroup_version freezer_dir(cgroup_layout *layout, char **ret_dir)
{
        cgroup_version version = cgroup_layout_dir(layout, "freezer", ret_dir);
        return version == CGROUP_ABSENT ? cgroup_layout_dir(layout, NULL, ret_dir) : version;
}

int cgroup_layout_freeze(cgroup_layout *layout, bool frozen, ocirun_error **error)
{
        _cleanup_free_ char *dir = NULL;
        switch (freezer_dir(layout, &dir)) {
        case CGROUP_V1:
                return v1_freeze(dir, frozen, error);
        case CGROUP_V2:
                return v2_freeze(dir, frozen, error);
        case CGROUP_ABSENT:
        default:
                if (!layout->state->cgroup_paths || layout->state->cgroup_paths->len == 0)
                        return error_set(error, ENOTSUP, "container `%s` has no cgroup to freeze%s",
                                         layout->state->id, cgroup_rootless_hint());
                return error_set(error, ENOTSUP,
                                 "this host has neither a v1 freezer nor cgroup2 to freeze `%s`",
                                 layout->state->id);
        }
}

bool cgroup_layout_is_frozen(cgroup_layout *layout)
{
        _cleanup_free_ char *dir = NULL;
        switch (freezer_dir(layout, &dir)) {
        case CGROUP_V1:
                return v1_state_is(dir, "FROZEN");
        case CGROUP_V2:
                return v2_frozen_value(dir) == 1;
        case CGROUP_ABSENT:
        default:
                return false;
        }
}

int cgroup_freeze(const ocispec_runtime_state *state, bool frozen, ocirun_error **error)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        int r = cgroup_layout_read(&layout, state, error);
        return r < 0 ? r : cgroup_layout_freeze(&layout, frozen, error);
}

bool cgroup_is_frozen(const ocispec_runtime_state *state)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        return cgroup_layout_read(&layout, state, NULL) == 0 && cgroup_layout_is_frozen(&layout);
}
