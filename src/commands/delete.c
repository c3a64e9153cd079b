/* `ocirun delete`: removes a created or stopped container. */
#include "commands/commands.h"

static const char delete_usage[] =
    "Usage: ocirun delete [--force] ID\n"
    "\n"
    "Remove container ID: poststop hooks, its cgroup and its state. A running\n"
    "container is an error unless --force, which kills it first.\n"
    "\n"
    "Options:\n"
    "  -f, --force   kill a running container; a missing one is not an error\n"
    "  -h, --help    show this help\n";

static int run_delete(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        bool force = false, help = false;
        int c;

        while ((c = cli_getopt(cli, &command_delete, argc, argv, "+:fh", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'f')
                        force = true;
        }
        if (help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "delete: expected exactly one container id");
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_delete(root, argv[optind], force, error);
}

const ocirun_command command_delete = {
    .name = "delete",
    .summary = "remove a created or stopped container (--force: any)",
    .usage = delete_usage,
    .run = run_delete,
};
