/* `ocirun pause` and `ocirun resume`: freeze and thaw every process of a
 * container through its cgroup. */
#include "commands/commands.h"

static const char pause_usage[] =
    "Usage: ocirun pause ID\n"
    "\n"
    "Freeze every process of container ID (the v1 freezer, or cgroup.freeze on\n"
    "cgroup v2) and return once the kernel reports them frozen; `state` then\n"
    "says \"paused\". `resume` thaws them.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

static const char resume_usage[] = "Usage: ocirun resume ID\n"
                                   "\n"
                                   "Thaw the processes of paused container ID.\n"
                                   "\n"
                                   "Options:\n"
                                   "  -h, --help   show this help\n";

static int run_freeze(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
                      bool frozen, ocirun_error **error)
{
        bool help = false;
        int r = cli_parse_help_only(cli, command, argc, argv, 1, "exactly one container id", &help,
                                    error);
        if (r < 0 || help)
                return r;
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return frozen ? ocirun_container_pause(root, argv[optind], error)
                      : ocirun_container_resume(root, argv[optind], error);
}

static int run_pause(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        return run_freeze(cli, &command_pause, argc, argv, true, error);
}

static int run_resume(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        return run_freeze(cli, &command_resume, argc, argv, false, error);
}

const ocirun_command command_pause = {
    .name = "pause",
    .summary = "freeze every process of a container",
    .usage = pause_usage,
    .run = run_pause,
};

const ocirun_command command_resume = {
    .name = "resume",
    .summary = "thaw the processes of a paused container",
    .usage = resume_usage,
    .run = run_resume,
};
