/* `ocirun state`: prints one container's state as runc does, so engines
 * that parse runc's output read ocirun's unchanged. */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "error.h"

static const char state_usage[] = "Usage: ocirun state ID\n"
                                  "\n"
                                  "Print the state of container ID as JSON: ociVersion, id, pid,\n"
                                  "status (created, running, paused or stopped), bundle, rootfs,\n"
                                  "created, owner and annotations.\n"
                                  "\n"
                                  "Options:\n"
                                  "  -h, --help   show this help\n";

static int run_state(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        bool help = false;
        int r = cli_parse_help_only(cli, &command_state, argc, argv, 1, "exactly one container id",
                                    &help, error);
        if (r < 0 || help)
                return r;

        const char *id = argv[optind];
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        _cleanup_(ocispec_runtime_state_freep) ocispec_runtime_state *state = NULL;
        r = ocirun_container_state(root, id, &state, error);
        if (r < 0)
                return r;
        _cleanup_free_ char *json = NULL;
        size_t len;
        r = cli_state_json(state, OCISPEC_GENERATE_PRETTY, &json, &len, error);
        if (r < 0)
                return r;
        return cli_write_stdout(json, len, error);
}

const ocirun_command command_state = {
    .name = "state",
    .summary = "print the state of a container as JSON",
    .usage = state_usage,
    .run = run_state,
};
