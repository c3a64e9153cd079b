/* `ocirun start`: runs the process of a created container. */
#include <stdlib.h>

#include "commands/commands.h"
#include "util/strings.h"

static const char start_usage[] = "Usage: ocirun start ID\n"
                                  "\n"
                                  "Run the user process of created container ID; poststart hooks\n"
                                  "run once it has started. With NOTIFY_SOCKET set, wait for the\n"
                                  "container's READY=1 and pass it on with MAINPID.\n"
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
        const char *id = argv[optind];
        const char *notify_socket = getenv("NOTIFY_SOCKET");
        _cleanup_close_ int notify_fd = -1;
        if (!str_empty(notify_socket)) {
                r = ocirun_notify_listen(root, id, &notify_fd, error);
                if (r < 0)
                        return r;
        }
        r = ocirun_container_start(root, id, error);
        if (r < 0 || notify_fd < 0)
                return r;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        r = ocirun_container_state(root, id, &state, error);
        if (r < 0)
                return r;
        return ocirun_notify_forward(notify_fd, notify_socket, state->pid, state->pid, -1, error);
}

const ocirun_command command_start = {
    .name = "start",
    .summary = "run the process of a created container",
    .usage = start_usage,
    .run = run_start,
};
