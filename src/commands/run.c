/* `ocirun run`: create + start, and in the foreground wait for the
 * container, forward signals to it, proxy its terminal, delete it and exit
 * with its status (128+N when killed by signal N). It prints nothing of its
 * own: what reaches stdout is the container's. */
#include "commands/commands.h"
#include "commands/foreground.h"
#include "error.h"
#include "util/strings.h"

static const char run_usage[] =
    "Usage: ocirun run [OPTIONS] ID\n"
    "\n"
    "Create and start container ID from a bundle. In the foreground, wait for it,\n"
    "forward signals to it, remove it when it exits and exit with its status\n"
    "(128+N when it was killed by signal N).\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR          the bundle directory (default: .)\n"
    "  -d, --detach              return once the container runs\n"
    "      --keep                do not remove the container when it exits\n"
    "      --pid-file FILE       write the init's pid to FILE\n"
    "      --console-socket PATH send the pty master of process.terminal to this socket\n"
    "      --pidfd-socket PATH   send a pidfd of the init to this unix socket\n"
    "      --preserve-fds N      pass fds 3 .. 3+N-1 to the container (plus LISTEN_FDS)\n"
    "      --no-pivot            use MS_MOVE and chroot instead of pivot_root\n"
    "      --no-new-keyring      keep the caller's session keyring\n"
    "  -h, --help                show this help\n";

static int run_run(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        ocirun_create_options options = {0};
        bool detach = false, keep = false, help = false;
        int r = cli_parse_create_options(cli, &command_run, argc, argv, &options, &detach, &keep,
                                         &help, error);
        if (r < 0 || help)
                return r;
        const char *id = argv[optind];

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, true, &root, error);
        if (r < 0)
                return r;

        __attribute__((cleanup(foreground_end)))
        foreground fg = {.signal_fd = -1, .console = {-1, -1}};
        r = foreground_begin(&fg, !detach && !options.console_socket, error);
        if (r < 0)
                return r;
        options.console_socket_fd = fg.console[1];

        pid_t init;
        r = ocirun_container_create(root, id, &options, &init, error);
        if (r < 0)
                return r;
        _cleanup_close_ int notify_fd = -1;
        if (!str_empty(options.notify_socket))
                r = ocirun_notify_listen(root, id, &notify_fd, error);
        if (r == 0)
                r = ocirun_container_start(root, id, error);
        /* In the foreground ocirun is the process the service manager
         * must watch: it stays, and exits with the container's status. */
        if (r == 0 && notify_fd >= 0)
                r = ocirun_notify_forward(notify_fd, options.notify_socket, init,
                                          detach ? init : getpid(), detach ? -1 : fg.signal_fd,
                                          error);
        if (r < 0) {
                _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
                ocirun_container_delete(root, id, true, &ignored);
                return r;
        }
        if (detach)
                return 0;

        int code = foreground_wait(&fg, init, error);
        if (code < 0)
                return code;
        if (!keep) {
                r = ocirun_container_delete(root, id, false, error);
                if (r < 0)
                        return r;
        }
        return code;
}

const ocirun_command command_run = {
    .name = "run",
    .summary = "create and start a container, wait for it and remove it",
    .usage = run_usage,
    .run = run_run,
};
