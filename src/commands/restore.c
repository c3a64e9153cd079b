/* `ocirun restore`: makes a container from a bundle and the images of a
 * checkpoint, with runc's flags. In the foreground it then behaves as run:
 * signals are forwarded, the terminal proxied, the container removed when
 * it exits and its status returned. */
#include "commands/commands.h"
#include "commands/foreground.h"

static const char restore_usage[] =
    "Usage: ocirun restore [OPTIONS] ID\n"
    "\n"
    "Restore container ID from a checkpoint with CRIU, using the bundle's\n"
    "config.json for its cgroup, mounts and console. In the foreground, wait\n"
    "for it, remove it when it exits and exit with its status.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR                the bundle directory (default: .)\n"
    "      --image-path DIR            the checkpoint's images (default: ./checkpoint)\n"
    "      --work-path DIR             where CRIU writes restore.log (default: the image path)\n"
    "  -d, --detach                    return once the container runs\n"
    "      --pid-file FILE             write the restored init's pid to FILE\n"
    "      --console-socket PATH       send the new pty master of a terminal to this socket\n"
    "      --tcp-established           restore established TCP connections\n"
    "      --ext-unix-sk               allow unix sockets connected outside the container\n"
    "      --shell-job                 the checkpoint was of a shell job\n"
    "      --file-locks                restore file locks\n"
    "      --manage-cgroups-mode MODE  soft, full, strict or ignore (default: CRIU's, soft)\n"
    "      --auto-dedup                free the image's pages as they are restored\n"
    "      --lazy-pages                fetch memory pages as they are touched (from criu "
    "lazy-pages)\n"
    "      --lsm-profile TYPE:NAME     the processes' apparmor: or selinux: label\n"
    "      --lsm-mount-context CONTEXT the SELinux context of the restored mounts\n"
    "      --no-pivot                  accepted as runc does; CRIU sets up the root itself\n"
    "      --no-subreaper              accepted as runc does; the init is restore's own child\n"
    "  -h, --help                      show this help\n";

enum {
        OPT_IMAGE_PATH = 256,
        OPT_WORK_PATH,
        OPT_PID_FILE,
        OPT_CONSOLE_SOCKET,
        OPT_TCP_ESTABLISHED,
        OPT_EXT_UNIX_SK,
        OPT_SHELL_JOB,
        OPT_FILE_LOCKS,
        OPT_MANAGE_CGROUPS_MODE,
        OPT_NO_PIVOT,
        OPT_NO_SUBREAPER,
        OPT_AUTO_DEDUP,
        OPT_LAZY_PAGES,
        OPT_LSM_PROFILE,
        OPT_LSM_MOUNT_CONTEXT,
};

static int parse_restore_options(ocirun_cli *cli, int argc, char **argv, ocirun_restore_options *o,
                                 bool *detach, bool *help, ocirun_error **error)
{
        static const struct option options[] = {
            {"bundle", required_argument, NULL, 'b'},
            {"image-path", required_argument, NULL, OPT_IMAGE_PATH},
            {"work-path", required_argument, NULL, OPT_WORK_PATH},
            {"detach", no_argument, NULL, 'd'},
            {"pid-file", required_argument, NULL, OPT_PID_FILE},
            {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
            {"tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED},
            {"ext-unix-sk", no_argument, NULL, OPT_EXT_UNIX_SK},
            {"shell-job", no_argument, NULL, OPT_SHELL_JOB},
            {"file-locks", no_argument, NULL, OPT_FILE_LOCKS},
            {"manage-cgroups-mode", required_argument, NULL, OPT_MANAGE_CGROUPS_MODE},
            {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
            {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
            {"auto-dedup", no_argument, NULL, OPT_AUTO_DEDUP},
            {"lazy-pages", no_argument, NULL, OPT_LAZY_PAGES},
            {"lsm-profile", required_argument, NULL, OPT_LSM_PROFILE},
            {"lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT_CONTEXT},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        int c;

        while ((c = cli_getopt(cli, &command_restore, argc, argv, "+:b:dh", options, help,
                               error)) != -1) {
                switch (c) {
                case 'b':
                        o->create.bundle = optarg;
                        break;
                case OPT_IMAGE_PATH:
                        o->image_path = optarg;
                        break;
                case OPT_WORK_PATH:
                        o->work_path = optarg;
                        break;
                case 'd':
                        *detach = true;
                        break;
                case OPT_PID_FILE:
                        o->create.pid_file = optarg;
                        break;
                case OPT_CONSOLE_SOCKET:
                        o->create.console_socket = optarg;
                        break;
                case OPT_TCP_ESTABLISHED:
                        o->tcp_established = true;
                        break;
                case OPT_EXT_UNIX_SK:
                        o->ext_unix_sk = true;
                        break;
                case OPT_SHELL_JOB:
                        o->shell_job = true;
                        break;
                case OPT_FILE_LOCKS:
                        o->file_locks = true;
                        break;
                case OPT_MANAGE_CGROUPS_MODE:
                        o->manage_cgroups_mode = optarg;
                        break;
                case OPT_NO_PIVOT:
                        o->create.no_pivot = true;
                        break;
                case OPT_NO_SUBREAPER:
                        /* containerd's shim passes it: ocirun never makes
                         * itself a subreaper, the init is its child. */
                        break;
                case OPT_AUTO_DEDUP:
                        o->auto_dedup = true;
                        break;
                case OPT_LAZY_PAGES:
                        o->lazy_pages = true;
                        break;
                case OPT_LSM_PROFILE:
                        o->lsm_profile = optarg;
                        break;
                case OPT_LSM_MOUNT_CONTEXT:
                        o->lsm_mount_context = optarg;
                        break;
                default:
                        if (c < 0)
                                return c;
                        break;
                }
        }
        if (*help)
                return 0;
        if (argc - optind != 1)
                return cli_usage_error(cli, error, "restore: expected exactly one container id");
        return 0;
}

static int run_restore(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        ocirun_restore_options o = {.criu_path = cli->criu_path,
                                    .create.console_socket_fd = -1,
                                    .create.systemd_cgroup = cli->systemd_cgroup};
        bool detach = false, help = false;
        int r = parse_restore_options(cli, argc, argv, &o, &detach, &help, error);
        if (r < 0 || help)
                return r;
        const char *id = argv[optind];

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, true, &root, error);
        if (r < 0)
                return r;

        __attribute__((cleanup(foreground_end)))
        foreground fg = {.signal_fd = -1, .console = {-1, -1}};
        r = foreground_begin(&fg, !detach && !o.create.console_socket, error);
        if (r < 0)
                return r;
        o.create.console_socket_fd = fg.console[1];

        pid_t init;
        r = ocirun_container_restore(root, id, &o, &init, error);
        if (r < 0 || detach)
                return r;
        int code = foreground_wait(&fg, init, error);
        if (code < 0)
                return code;
        r = ocirun_container_delete(root, id, false, error);
        return r < 0 ? r : code;
}

const ocirun_command command_restore = {
    .name = "restore",
    .summary = "make a container from a checkpoint with CRIU",
    .usage = restore_usage,
    .run = run_restore,
};
