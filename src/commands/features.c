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
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        bool help = false;
        int c;

        while ((c = cli_getopt(cli, &command_features, argc, argv, "+:h", options, &help, error)) !=
               -1)
                if (c < 0)
                        return c;
        if (help)
                return 0;
        if (optind < argc)
                return cli_usage_error(cli, error, "features: unexpected argument `%s`",
                                       argv[optind]);

        _cleanup_(ocispec_features_freep) ocispec_features *features = NULL;
        int r = ocirun_features(&features, error);
        if (r < 0)
                return r;
        _cleanup_free_ char *json = NULL;
        char *message = NULL;
        size_t len;
        r = ocispec_features_generate(features, OCISPEC_GENERATE_PRETTY, &json, &len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        return cli_write_stdout(json, len, error);
}

const ocirun_command command_features = {
    .name = "features",
    .summary = "show what this build and kernel support (OCI features JSON)",
    .usage = features_usage,
    .run = run_features,
};
