/* `ocirun features`: prints the OCI features document as JSON. */
#include "commands/commands.h"
#include "error.h"

static const char features_usage[] =
    "Usage: ocirun features\n"
    "\n"
    "Print the OCI runtime features document: the spec versions, namespaces,\n"
    "capabilities and seccomp support of this build on this kernel, as JSON.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

static int run_features(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        bool help = false;
        int r = cli_parse_help_only(cli, &command_features, argc, argv, 0, NULL, &help, error);
        if (r < 0 || help)
                return r;

        _cleanup_(ocispec_features_freep) ocispec_features *features = NULL;
        r = ocirun_features(&features, error);
        if (r < 0)
                return r;
        return cli_print_json(&ocispec_features_type, features, OCISPEC_GENERATE_PRETTY, error);
}

const ocirun_command command_features = {
    .name = "features",
    .summary = "show what this build and kernel support (OCI features JSON)",
    .usage = features_usage,
    .run = run_features,
};
