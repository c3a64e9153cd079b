/* `ocirun create`: sets a container up from a bundle; `start` runs it. The
 * flags are runc's, and `run` shares them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "error.h"

static const char create_usage[] =
    "Usage: ocirun create [OPTIONS] ID\n"
    "\n"
    "Create container ID from a bundle: everything is set up and the init waits;\n"
    "`ocirun start ID` runs the process of the bundle's config.json.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR          the bundle directory (default: .)\n"
    "      --pid-file FILE       write the init's pid to FILE\n"
    "      --console-socket PATH send the pty master of process.terminal to this unix socket\n"
    "      --pidfd-socket PATH   send a pidfd of the init to this unix socket\n"
    "      --preserve-fds N      pass fds 3 .. 3+N-1 to the container (plus LISTEN_FDS)\n"
    "      --no-pivot            use MS_MOVE and chroot instead of pivot_root\n"
    "      --no-new-keyring      keep the caller's session keyring\n"
    "  -h, --help                show this help\n";

int cli_parse_create_options(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
                             ocirun_create_options *options, bool *detach, bool *keep,
                             bool *ret_help, ocirun_error **error)
{
        enum {
                OPT_PID_FILE = 256,
                OPT_CONSOLE_SOCKET,
                OPT_PIDFD_SOCKET,
                OPT_PRESERVE_FDS,
                OPT_NO_PIVOT,
                OPT_NO_NEW_KEYRING,
                OPT_KEEP
        };
/* The flags of create, which run takes too (clang-format would scatter
 * this list). */
// clang-format off
#define CREATE_OPTIONS                                                                             \
        {"bundle", required_argument, NULL, 'b'},                                                  \
        {"pid-file", required_argument, NULL, OPT_PID_FILE},                                       \
        {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},                           \
        {"pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET},                               \
        {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},                               \
        {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},                                             \
        {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},                                 \
        {"help", no_argument, NULL, 'h'},
        // clang-format on
        static const struct option create_options[] = {CREATE_OPTIONS{}};
        static const struct option run_options[] = {
            CREATE_OPTIONS{"detach", no_argument, NULL, 'd'},
            {"keep", no_argument, NULL, OPT_KEEP},
            {},
        };
#undef CREATE_OPTIONS
        bool is_run = detach != NULL;
        char *end;
        int c;

        options->console_socket_fd = -1;
        while ((c = cli_getopt(cli, command, argc, argv, is_run ? "+:b:dh" : "+:b:h",
                               is_run ? run_options : create_options, ret_help, error)) != -1) {
                switch (c) {
                case 'b':
                        options->bundle = optarg;
                        break;
                case OPT_PID_FILE:
                        options->pid_file = optarg;
                        break;
                case OPT_CONSOLE_SOCKET:
                        options->console_socket = optarg;
                        break;
                case OPT_PIDFD_SOCKET:
                        options->pidfd_socket = optarg;
                        break;
                case OPT_PRESERVE_FDS:
                        options->preserve_fds = (int) strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || options->preserve_fds < 0)
                                return cli_usage_error(cli, error,
                                                       "%s: --preserve-fds: expected a number, "
                                                       "got `%s`",
                                                       command->name, optarg);
                        break;
                case OPT_NO_PIVOT:
                        options->no_pivot = true;
                        break;
                case OPT_NO_NEW_KEYRING:
                        options->no_new_keyring = true;
                        break;
                case 'd':
                        *detach = true;
                        break;
                case OPT_KEEP:
                        *keep = true;
                        break;
                default:
                        if (c < 0)
                                return c;
                        break;
                }
        }
        if (*ret_help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "%s: expected exactly one container id",
                                       command->name);
        /* systemd socket activation, passed through as runc does: the fds
         * are ours only when LISTEN_PID names us. */
        const char *listen_fds = getenv("LISTEN_FDS");
        const char *listen_pid = getenv("LISTEN_PID");
        if (listen_fds && *listen_fds && listen_pid && atol(listen_pid) == (long) getpid()) {
                options->listen_fds = (int) strtol(listen_fds, &end, 10);
                if (*end != '\0' || options->listen_fds < 0)
                        options->listen_fds = 0;
        }
        options->notify_socket = getenv("NOTIFY_SOCKET");
        options->systemd_cgroup = cli->systemd_cgroup;
        return cli_check_passed_fds(cli, options->preserve_fds + options->listen_fds, error);
}

static int run_create(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        ocirun_create_options options = {0};
        bool help = false;

        int r = cli_parse_create_options(cli, &command_create, argc, argv, &options, NULL, NULL,
                                         &help, error);
        if (r < 0 || help)
                return r;
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, true, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_create(root, argv[optind], &options, NULL, error);
}

const ocirun_command command_create = {
    .name = "create",
    .summary = "create a container from a bundle (start runs it)",
    .usage = create_usage,
    .run = run_create,
};
