/* `ocirun start`: runs the process of a created container. */
#include "commands/commands.h"

static const char start_usage[] = "Usage: ocirun start ID\n"
                                  "\n"
                                  "Run the user process of created container ID; poststart hooks\n"
                                  "run once it has started.\n"
                                  "\n"
                                  "Options:\n"
                                  "  -h, --help   show this help\n";

static int run_start(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        bool help = false;
        int r = cli_parse_help_only(cli, &command_start, argc, argv, 1, "exactly one container id",
                                    &help, error);
        if (r < 0 || help)
                return r;
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_start(root, argv[optind], error);
}

const ocirun_command command_start = {
    .name = "start",
    .summary = "run the process of a created container",
    .usage = start_usage,
    .run = run_start,
};
