/* `ocirun events`: runc's stream of container events, one JSON object per
 * line: a stats line every --interval, an oom line as soon as the kernel
 * OOM-kills in the container, until the container's init is gone; or with
 * --stats one stats line. containerd's runc shim reads these lines. */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "error.h"
#include "util/time.h"

static const char events_usage[] =
    "Usage: ocirun events [--stats] [--interval DURATION] ID\n"
    "\n"
    "Print the events of container ID as JSON lines: its statistics every\n"
    "DURATION and each OOM kill when it happens, until the container stops.\n"
    "\n"
    "Options:\n"
    "      --stats              print the statistics once and exit\n"
    "      --interval DURATION  time between statistics (Go syntax: 5s, 500ms, 1m30s;\n"
    "                           default 5s)\n"
    "  -h, --help               show this help\n";

enum {
        OPT_STATS = 256,
        OPT_INTERVAL,
};

/* Go's time.ParseDuration syntax, which runc's --interval takes: an
 * optional sign, then one or more decimal numbers (with an optional
 * fraction) each followed by a unit, ns, us (µs), ms, s, m or h; a bare "0"
 * needs none. The result is in nanoseconds; -EINVAL or -ERANGE. */
static int parse_duration(const char *text, int64_t *ret_ns)
{
        static const struct {
                const char *name;
                uint64_t ns;
        } units[] = {
            {"ns", 1},           {"us", 1000},      {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
            {"\xce\xbcs", 1000},                                         /* U+03BC Greek mu */
            {"ms", 1000000},     {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000},
        };
        const char *p = text;
        bool negative = *p == '-';
        if (*p == '-' || *p == '+')
                p++;
        if (strcmp(p, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        uint64_t total = 0;
        while (*p) {
                uint64_t whole = 0, fraction = 0, scale = 1;
                bool digits = false;
                for (; *p >= '0' && *p <= '9'; p++, digits = true) {
                        if (whole > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (uint64_t) (*p - '0');
                }
                if (*p == '.') {
                        /* Digits past nanosecond precision add nothing. */
                        for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
                                if (scale < 1000000000000000000ULL) {
                                        fraction = fraction * 10 + (uint64_t) (*p - '0');
                                        scale *= 10;
                                }
                }
                if (!digits)
                        return -EINVAL;
                size_t best = 0, best_len = 0;
                for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
                        size_t len = strlen(units[i].name);
                        if (strncmp(p, units[i].name, len) == 0 && len > best_len)
                                best = i, best_len = len;
                }
                if (!best_len)
                        return -EINVAL;
                p += best_len;
                uint64_t unit = units[best].ns;
                if (whole > UINT64_MAX / unit)
                        return -ERANGE;
                uint64_t value = whole * unit;
                /* In floating point, as fraction * unit can pass 64 bits;
                 * what is lost is below a nanosecond. */
                value += (uint64_t) ((double) fraction * ((double) unit / (double) scale));
                if (value > (uint64_t) INT64_MAX - total)
                        return -ERANGE;
                total += value;
        }
        *ret_ns = negative ? -(int64_t) total : (int64_t) total;
        return 0;
}

static int print_line(char *json, size_t len, ocirun_error **error)
{
        _cleanup_free_ char *owned = json;
        return cli_write_stdout(owned, len, error);
}

/* Whether the container's init is gone: stopped, or deleted meanwhile. */
static int container_gone(ocirun_root *root, const char *id, bool *ret_gone, ocirun_error **error)
{
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        int r = ocirun_container_state(root, id, &state, error);
        if (r == -ENOENT) {
                ocirun_error_freep(error);
                *ret_gone = true;
                return 0;
        }
        if (r < 0)
                return r;
        *ret_gone = strcmp(state->status, "stopped") == 0;
        return 0;
}

/* The oom line of a kill that happened, if one did; the OOM watch is read
 * whether or not it woke us, as on cgroup v2 the inotify event may come
 * after the killed init is gone. */
static int pass_oom(ocirun_oom_watch *watch, ocirun_error **error)
{
        char *json = NULL;
        size_t len = 0;
        int r = ocirun_oom_watch_read(watch, &json, &len, error);
        if (r == 0 && json)
                r = print_line(json, len, error);
        return r;
}

/* Stats every interval_ms, OOM lines as they come, until the init exits
 * (its pidfd wakes the poll) or the container is deleted. */
static int watch_events(ocirun_root *root, const char *id, uint64_t interval_ms,
                        ocirun_error **error)
{
        _cleanup_(ocirun_oom_watch_freep) ocirun_oom_watch *watch = NULL;
        int r = ocirun_container_oom_watch_open(root, id, &watch, error);
        if (r < 0)
                return r;
        uint64_t next = time_monotonic_ms() + interval_ms;
        for (;;) {
                uint64_t now = time_monotonic_ms();
                /* poll skips a negative fd. */
                struct pollfd pfd[2] = {
                    {.fd = ocirun_oom_watch_fd(watch), .events = POLLIN},
                    {.fd = ocirun_oom_watch_exit_fd(watch), .events = POLLIN},
                };
                uint64_t wait = next > now ? next - now : 0;
                int n = poll(pfd, 2, wait > INT_MAX ? INT_MAX : (int) wait);
                if (n < 0 && errno != EINTR)
                        return error_set_errno(error, errno, "events: poll");
                if (n > 0 && (pfd[0].revents || pfd[1].revents)) {
                        r = pass_oom(watch, error);
                        if (r < 0)
                                return r;
                }
                /* runc ends once the cgroup is gone; the init's exit is
                 * as final for the container and comes first. */
                if (n > 0 && pfd[1].revents)
                        return 0;
                bool gone;
                r = container_gone(root, id, &gone, error);
                if (r < 0 || gone)
                        return r;
                now = time_monotonic_ms();
                if (now < next)
                        continue;
                char *json = NULL;
                size_t len = 0;
                r = ocirun_container_stats(root, id, &json, &len, error);
                /* The init may have exited since it was checked. */
                if (r == -ESRCH || r == -ENOENT) {
                        ocirun_error_freep(error);
                        return 0;
                }
                if (r < 0)
                        return r;
                r = print_line(json, len, error);
                if (r < 0)
                        return r;
                /* A late wake-up does not make the next lines come in a burst. */
                next += interval_ms;
                if (next <= now)
                        next = now + interval_ms;
        }
}

static int run_events(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"stats", no_argument, NULL, OPT_STATS},
            {"interval", required_argument, NULL, OPT_INTERVAL},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        bool stats = false, help = false;
        int64_t interval_ns = 5000000000;
        int c;

        while ((c = cli_getopt(cli, &command_events, argc, argv, "+:h", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == OPT_STATS) {
                        stats = true;
                } else if (c == OPT_INTERVAL) {
                        if (parse_duration(optarg, &interval_ns) < 0)
                                return cli_usage_error(cli, error,
                                                       "events: --interval: `%s` is not a "
                                                       "duration (like 5s, 500ms or 1m)",
                                                       optarg);
                        if (interval_ns <= 0)
                                return cli_usage_error(cli, error,
                                                       "events: --interval: `%s` must be greater "
                                                       "than 0",
                                                       optarg);
                }
        }
        if (help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "events: expected exactly one container id");

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        const char *id = argv[optind];
        if (stats) {
                char *json = NULL;
                size_t len = 0;
                r = ocirun_container_stats(root, id, &json, &len, error);
                return r < 0 ? r : print_line(json, len, error);
        }
        /* poll counts milliseconds: a shorter interval is one. */
        uint64_t interval_ms = ((uint64_t) interval_ns + 999999) / 1000000;
        return watch_events(root, id, interval_ms, error);
}

const ocirun_command command_events = {
    .name = "events",
    .summary = "print a container's statistics and OOM events as JSON lines",
    .usage = events_usage,
    .run = run_events,
};
