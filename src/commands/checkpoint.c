/* `ocirun checkpoint`: saves a running container through CRIU, with runc's
 * flags. Unless --leave-running or --pre-dump, the container is gone
 * afterwards, to come back with `ocirun restore`. */
#include <sched.h>
#include <string.h>

#include "commands/commands.h"

static const char checkpoint_usage[] =
    "Usage: ocirun checkpoint [OPTIONS] ID\n"
    "\n"
    "Save running container ID to an image directory with CRIU. Unless\n"
    "--leave-running or --pre-dump, the container is removed afterwards.\n"
    "\n"
    "Options:\n"
    "      --image-path DIR            where the images go (default: ./checkpoint)\n"
    "      --work-path DIR             where CRIU writes dump.log (default: the image path)\n"
    "      --parent-path DIR           a previous pre-dump, relative to the image path\n"
    "      --leave-running             keep the container running after the dump\n"
    "      --pre-dump                  save memory only, to shorten a later dump\n"
    "      --tcp-established           dump established TCP connections\n"
    "      --ext-unix-sk               allow unix sockets connected outside the container\n"
    "      --shell-job                 the container was started from a shell (has a session "
    "outside)\n"
    "      --file-locks                dump file locks\n"
    "      --manage-cgroups-mode MODE  soft, full, strict or ignore (default: CRIU's, soft)\n"
    "      --empty-ns NS               leave namespace NS (network) to be set up at restore\n"
    "      --auto-dedup                punch holes in the parent images as pages are saved\n"
    "      --lazy-pages                leave memory pages to be fetched at restore "
    "(userfaultfd)\n"
    "      --page-server ADDRESS:PORT  send the pages to a criu page-server\n"
    "  -h, --help                      show this help\n";

enum {
        OPT_IMAGE_PATH = 256,
        OPT_WORK_PATH,
        OPT_PARENT_PATH,
        OPT_LEAVE_RUNNING,
        OPT_PRE_DUMP,
        OPT_TCP_ESTABLISHED,
        OPT_EXT_UNIX_SK,
        OPT_SHELL_JOB,
        OPT_FILE_LOCKS,
        OPT_MANAGE_CGROUPS_MODE,
        OPT_EMPTY_NS,
        OPT_AUTO_DEDUP,
        OPT_LAZY_PAGES,
        OPT_PAGE_SERVER,
};

static int run_checkpoint(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"image-path", required_argument, NULL, OPT_IMAGE_PATH},
            {"work-path", required_argument, NULL, OPT_WORK_PATH},
            {"parent-path", required_argument, NULL, OPT_PARENT_PATH},
            {"leave-running", no_argument, NULL, OPT_LEAVE_RUNNING},
            {"pre-dump", no_argument, NULL, OPT_PRE_DUMP},
            {"tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED},
            {"ext-unix-sk", no_argument, NULL, OPT_EXT_UNIX_SK},
            {"shell-job", no_argument, NULL, OPT_SHELL_JOB},
            {"file-locks", no_argument, NULL, OPT_FILE_LOCKS},
            {"manage-cgroups-mode", required_argument, NULL, OPT_MANAGE_CGROUPS_MODE},
            {"empty-ns", required_argument, NULL, OPT_EMPTY_NS},
            {"auto-dedup", no_argument, NULL, OPT_AUTO_DEDUP},
            {"lazy-pages", no_argument, NULL, OPT_LAZY_PAGES},
            {"page-server", required_argument, NULL, OPT_PAGE_SERVER},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        ocirun_checkpoint_options o = {.criu_path = cli->criu_path};
        bool help = false;
        int c;

        while ((c = cli_getopt(cli, &command_checkpoint, argc, argv, "+:h", options, &help,
                               error)) != -1) {
                switch (c) {
                case OPT_IMAGE_PATH:
                        o.image_path = optarg;
                        break;
                case OPT_WORK_PATH:
                        o.work_path = optarg;
                        break;
                case OPT_PARENT_PATH:
                        o.parent_path = optarg;
                        break;
                case OPT_LEAVE_RUNNING:
                        o.leave_running = true;
                        break;
                case OPT_PRE_DUMP:
                        o.pre_dump = true;
                        break;
                case OPT_TCP_ESTABLISHED:
                        o.tcp_established = true;
                        break;
                case OPT_EXT_UNIX_SK:
                        o.ext_unix_sk = true;
                        break;
                case OPT_SHELL_JOB:
                        o.shell_job = true;
                        break;
                case OPT_FILE_LOCKS:
                        o.file_locks = true;
                        break;
                case OPT_MANAGE_CGROUPS_MODE:
                        o.manage_cgroups_mode = optarg;
                        break;
                case OPT_EMPTY_NS:
                        /* As runc: only the network namespace can be left
                         * for the restoring side to set up. */
                        if (strcmp(optarg, "network") != 0)
                                return cli_usage_error(
                                    cli, error,
                                    "checkpoint: --empty-ns: `%s` is not supported (only "
                                    "network)",
                                    optarg);
                        o.empty_ns |= CLONE_NEWNET;
                        break;
                case OPT_AUTO_DEDUP:
                        o.auto_dedup = true;
                        break;
                case OPT_LAZY_PAGES:
                        o.lazy_pages = true;
                        break;
                case OPT_PAGE_SERVER:
                        o.page_server = optarg;
                        break;
                default:
                        if (c < 0)
                                return c;
                        break;
                }
        }
        if (help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "checkpoint: expected exactly one container id");
        if (o.lazy_pages && o.pre_dump)
                return cli_usage_error(
                    cli, error, "checkpoint: --lazy-pages and --pre-dump exclude each other");
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        return ocirun_container_checkpoint(root, argv[optind], &o, error);
}

const ocirun_command command_checkpoint = {
    .name = "checkpoint",
    .summary = "save a running container with CRIU",
    .usage = checkpoint_usage,
    .run = run_checkpoint,
};
