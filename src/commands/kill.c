/* `ocirun kill`: sends a signal to a container. */
#include "commands/commands.h"

static const char kill_usage[] =
    "Usage: ocirun kill [--all] ID [SIGNAL]\n"
    "\n"
    "Send SIGNAL (a name such as TERM, SIGKILL or a number; default TERM) to the\n"
    "init of container ID.\n"
    "\n"
    "Options:\n"
    "  -a, --all    signal every process in the container's cgroup\n"
    "  -h, --help   show this help\n";

static int run_kill(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"all", no_argument, NULL, 'a'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        bool all = false, help = false;
        int c, signal = 15;

        while ((c = cli_getopt(cli, &command_kill, argc, argv, "+:ah", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'a')
                        all = true;
        }
        if (help)
                return 0;
        if (argc - optind < 1 || argc - optind > 2)
                return cli_usage_error(cli, error,
                                       "kill: expected a container id and optionally a signal");
        if (argc - optind == 2 && ocirun_signal_parse(argv[optind + 1], &signal) < 0)
                return cli_usage_error(cli, error, "kill: unknown signal `%s`", argv[optind + 1]);
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_kill(root, argv[optind], signal, all, error);
}

const ocirun_command command_kill = {
    .name = "kill",
    .summary = "send a signal to a container's init (or all its processes)",
    .usage = kill_usage,
    .run = run_kill,
};
