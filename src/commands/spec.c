/* `ocirun spec`: writes a default config.json into a bundle directory, and
 * never over an existing one. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "error.h"

static const char spec_usage[] =
    "Usage: ocirun spec [--bundle DIR] [--rootless]\n"
    "\n"
    "Write a default config.json for a container that runs `sh` on the bundle's\n"
    "rootfs directory. An existing config.json is never overwritten.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR   the bundle directory to write config.json into (default: .)\n"
    "      --rootless     a config for an unprivileged user: the caller's uid and gid\n"
    "                     mapped to root in a user namespace, no network namespace,\n"
    "                     the host's /sys bound read-only, no cgroup limits\n"
    "  -h, --help         show this help\n";

static int run_spec(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"bundle", required_argument, NULL, 'b'},
            {"rootless", no_argument, NULL, 'r'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        const char *bundle = ".";
        bool rootless = false, help = false;
        int c;

        while ((c = cli_getopt(cli, &command_spec, argc, argv, "+:b:h", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'b')
                        bundle = optarg;
                else if (c == 'r')
                        rootless = true;
        }
        if (help)
                return 0;
        if (optind < argc)
                return cli_usage_error(cli, error, "spec: unexpected argument `%s`", argv[optind]);

        _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
        int r = ocirun_spec_default(rootless, &config, error);
        if (r < 0)
                return r;

        _cleanup_free_ char *json = NULL;
        char *message = NULL;
        size_t len;
        r = ocispec_config_generate(config, OCISPEC_GENERATE_PRETTY, &json, &len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);

        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return error_set(error, ENOMEM, "out of memory");
        /* O_EXCL: refusing to overwrite must not race with another writer. */
        _cleanup_close_ int fd =
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0 && errno == EEXIST)
                return error_set(error, EEXIST, "spec: `%s` already exists; remove it first", path);
        if (fd < 0)
                return error_set_errno(error, errno, "spec: create `%s`", path);
        for (size_t done = 0; done < len;) {
                ssize_t n = write(fd, json + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int saved = errno;
                        unlink(path);
                        return error_set_errno(error, saved, "spec: write `%s`", path);
                }
                done += (size_t) n;
        }
        return 0;
}

const ocirun_command command_spec = {
    .name = "spec",
    .summary = "write a default config.json into a bundle",
    .usage = spec_usage,
    .run = run_spec,
};
