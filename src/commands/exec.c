/* `ocirun exec`: runs a new process in a running container, described by
 * --process JSON or by the command line on top of the container's own
 * process (its env, cwd, user, capabilities, rlimits), as runc does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/foreground.h"
#include "error.h"
#include "process.h"

static const char exec_usage[] =
    "Usage: ocirun exec [OPTIONS] ID [COMMAND [ARG...]]\n"
    "\n"
    "Run a process in running container ID: COMMAND, or the process of --process.\n"
    "It exits with the process's status unless --detach; 255 if exec itself fails.\n"
    "\n"
    "Options:\n"
    "  -p, --process FILE        the process as OCI process JSON (as config.json's process)\n"
    "  -t, --tty                 give the process a terminal\n"
    "      --console-socket PATH send the pty master to this unix socket\n"
    "      --pidfd-socket PATH   send a pidfd of the process to this unix socket\n"
    "  -d, --detach              return once the process runs\n"
    "      --pid-file FILE       write the process's pid to FILE\n"
    "      --cwd DIR             the working directory\n"
    "  -e, --env KEY=VALUE       add or replace an environment variable (repeatable)\n"
    "  -u, --user UID[:GID]      the user (and group) ids\n"
    "  -g, --additional-gids GID a supplementary group (repeatable)\n"
    "  -c, --cap CAP             add a capability (repeatable)\n"
    "      --no-new-privs        set no_new_privileges\n"
    "      --apparmor PROFILE    the AppArmor profile of the process\n"
    "      --process-label LABEL the SELinux label of the process\n"
    "      --preserve-fds N      pass fds 3 .. 3+N-1 to the process\n"
    "      --ignore-paused       exec into a paused container too (the process\n"
    "                            waits, frozen, until resume)\n"
    "      --cgroup [CONTROLLER[,CONTROLLER]:]PATH\n"
    "                            run in the existing sub-cgroup PATH of the\n"
    "                            container's cgroup (repeatable with CONTROLLER:)\n"
    "  -h, --help                show this help\n";

static int parse_id(const char *text, uint32_t *ret)
{
        char *end;
        errno = 0;
        unsigned long value = strtoul(text, &end, 10);
        /* Digits only ("+5" and " 5" are not ids), and not 4294967295:
         * to setresuid that is -1, "leave unchanged", so the process would
         * stay root. */
        if (*text < '0' || *text > '9' || errno || *end || value >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) value;
        return 0;
}

/* CVE-2026-30892 class: --user must be numbers, all of it: "0:0:extra",
 * "1000:" or names are refused, never half-parsed. */
static int apply_user(ocispec_process *process, const char *spec)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return -ENOMEM;
        char *colon = strchr(copy, ':');
        if (colon)
                *colon = '\0';
        uint32_t uid, gid = 0;
        if (parse_id(copy, &uid) < 0 || (colon && parse_id(colon + 1, &gid) < 0))
                return -EINVAL;
        if (!process->user && !(process->user = calloc(1, sizeof(*process->user))))
                return -ENOMEM;
        process->user->uid = uid;
        process->user->has_uid = true;
        /* Without :GID the container's own gid stays, as in runc. */
        if (colon) {
                process->user->gid = gid;
                process->user->has_gid = true;
        }
        return 0;
}

static int add_gid(ocispec_process *process, const char *text)
{
        uint32_t gid;
        if (parse_id(text, &gid) < 0)
                return -EINVAL;
        if (!process->user && !(process->user = calloc(1, sizeof(*process->user))))
                return -ENOMEM;
        uint32_t *grown = realloc(process->user->additional_gids,
                                  (process->user->additional_gids_len + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        grown[process->user->additional_gids_len++] = gid;
        process->user->additional_gids = grown;
        return 0;
}

static int add_capability(ocispec_process *process, const char *name)
{
        ocispec_process_capabilities *caps = process->capabilities;
        if (!caps && !(caps = process->capabilities = calloc(1, sizeof(*caps))))
                return -ENOMEM;
        if (ocispec_strv_append(&caps->bounding, &caps->bounding_len, name) < 0 ||
            ocispec_strv_append(&caps->effective, &caps->effective_len, name) < 0 ||
            ocispec_strv_append(&caps->permitted, &caps->permitted_len, name) < 0)
                return -ENOMEM;
        return 0;
}

static int replace_string(char **field, const char *value)
{
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static int run_exec(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        enum {
                OPT_CONSOLE_SOCKET = 256,
                OPT_PID_FILE,
                OPT_CWD,
                OPT_NO_NEW_PRIVS,
                OPT_PRESERVE_FDS,
                OPT_APPARMOR,
                OPT_PROCESS_LABEL,
                OPT_IGNORE_PAUSED,
                OPT_PIDFD_SOCKET,
                OPT_CGROUP
        };
        static const struct option options[] = {
            {"process", required_argument, NULL, 'p'},
            {"tty", no_argument, NULL, 't'},
            {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
            {"detach", no_argument, NULL, 'd'},
            {"pid-file", required_argument, NULL, OPT_PID_FILE},
            {"cwd", required_argument, NULL, OPT_CWD},
            {"env", required_argument, NULL, 'e'},
            {"user", required_argument, NULL, 'u'},
            {"additional-gids", required_argument, NULL, 'g'},
            {"cap", required_argument, NULL, 'c'},
            {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
            {"apparmor", required_argument, NULL, OPT_APPARMOR},
            {"process-label", required_argument, NULL, OPT_PROCESS_LABEL},
            {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
            {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
            {"pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET},
            {"cgroup", required_argument, NULL, OPT_CGROUP},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        ocirun_exec_options exec_options = {.console_socket_fd = -1};
        const char *process_file = NULL, *cwd = NULL, *user = NULL;
        const char *apparmor = NULL, *process_label = NULL;
        bool tty = false, detach = false, no_new_privs = false, help = false;
        _cleanup_strv_ char **envs = NULL, **gids = NULL, **caps = NULL, **cgroups = NULL;
        size_t envs_len = 0, gids_len = 0, caps_len = 0, cgroups_len = 0;
        char *end;
        int c;

        /* As runc: 255 for any failure of exec itself, so that a caller can
         * tell it from the status of a process that ran. */
        cli->failure_status = 255;
        while ((c = cli_getopt(cli, &command_exec, argc, argv, "+:p:tde:u:g:c:h", options, &help,
                               error)) != -1) {
                switch (c) {
                case 'p':
                        process_file = optarg;
                        break;
                case 't':
                        tty = true;
                        break;
                case OPT_CONSOLE_SOCKET:
                        exec_options.console_socket = optarg;
                        break;
                case 'd':
                        detach = true;
                        break;
                case OPT_PID_FILE:
                        exec_options.pid_file = optarg;
                        break;
                case OPT_CWD:
                        cwd = optarg;
                        break;
                case 'e':
                        if (!strchr(optarg, '='))
                                return cli_usage_error(
                                    cli, error, "exec: --env `%s`: expected KEY=VALUE", optarg);
                        if (ocispec_strv_append(&envs, &envs_len, optarg) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        break;
                case 'u':
                        user = optarg;
                        break;
                case 'g':
                        if (ocispec_strv_append(&gids, &gids_len, optarg) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        break;
                case 'c':
                        if (ocispec_strv_append(&caps, &caps_len, optarg) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        break;
                case OPT_NO_NEW_PRIVS:
                        no_new_privs = true;
                        break;
                case OPT_APPARMOR:
                        apparmor = optarg;
                        break;
                case OPT_PROCESS_LABEL:
                        process_label = optarg;
                        break;
                case OPT_IGNORE_PAUSED:
                        exec_options.ignore_paused = true;
                        break;
                case OPT_PIDFD_SOCKET:
                        exec_options.pidfd_socket = optarg;
                        break;
                case OPT_CGROUP:
                        if (ocispec_strv_append(&cgroups, &cgroups_len, optarg) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                        break;
                case OPT_PRESERVE_FDS:
                        exec_options.preserve_fds = (int) strtol(optarg, &end, 10);
                        if (!*optarg || *end || exec_options.preserve_fds < 0)
                                return cli_usage_error(cli, error,
                                                       "exec: --preserve-fds: expected a number, "
                                                       "got `%s`",
                                                       optarg);
                        break;
                default:
                        if (c < 0)
                                return c;
                        break;
                }
        }
        if (help)
                return 0;
        if (argc - optind < 1)
                return cli_usage_error(cli, error, "exec: expected a container id");
        const char *id = argv[optind++];
        if (!process_file && optind >= argc)
                return cli_usage_error(cli, error, "exec: expected a command or --process");
        if (process_file && optind < argc)
                return cli_usage_error(cli, error,
                                       "exec: a command and --process exclude each other");

        int r = cli_check_passed_fds(cli, exec_options.preserve_fds, error);
        if (r < 0)
                return r;
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;

        /* The base: --process, or the container's own process. */
        _cleanup_(ocispec_process_freep) ocispec_process *process = NULL;
        if (process_file) {
                char *message = NULL;
                r = ocispec_process_parse_file(process_file, NULL, &process, &message);
                if (r < 0)
                        return error_take_message(error, -r, message);
        } else {
                _cleanup_(ocispec_config_freep) ocispec_config *config = NULL;
                r = ocirun_container_config(root, id, &config, error);
                if (r < 0)
                        return r;
                process = steal_pointer(&config->process);
                if (!process)
                        return error_set(error, EINVAL, "exec: container `%s` has no process", id);
                strv_free(process->args);
                process->args = NULL;
                process->args_len = 0;
                for (int i = optind; i < argc; i++)
                        if (ocispec_strv_append(&process->args, &process->args_len, argv[i]) < 0)
                                return error_set(error, ENOMEM, "out of memory");
                process->terminal = tty;
                process->has_terminal = true;
                free(process->console_size);
                process->console_size = NULL;
        }
        for (size_t i = 0; i < envs_len; i++)
                if (process_env_set(process, envs[i]) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        if (cwd && replace_string(&process->cwd, cwd) < 0)
                return error_set(error, ENOMEM, "out of memory");
        if (user && apply_user(process, user) < 0)
                return cli_usage_error(
                    cli, error, "exec: --user `%s`: expected UID or UID:GID (numbers)", user);
        for (size_t i = 0; i < gids_len; i++)
                if (add_gid(process, gids[i]) < 0)
                        return cli_usage_error(
                            cli, error, "exec: --additional-gids `%s`: expected a number", gids[i]);
        for (size_t i = 0; i < caps_len; i++)
                if (add_capability(process, caps[i]) < 0)
                        return error_set(error, ENOMEM, "out of memory");
        if (no_new_privs) {
                process->no_new_privileges = true;
                process->has_no_new_privileges = true;
        }
        if ((apparmor && replace_string(&process->apparmor_profile, apparmor) < 0) ||
            (process_label && replace_string(&process->selinux_label, process_label) < 0))
                return error_set(error, ENOMEM, "out of memory");

        __attribute__((cleanup(foreground_end)))
        foreground fg = {.signal_fd = -1, .console = {-1, -1}};
        r = foreground_begin(&fg, !detach && process->terminal && !exec_options.console_socket,
                             error);
        if (r < 0)
                return r;
        exec_options.console_socket_fd = fg.console[1];
        exec_options.cgroups = cgroups;
        exec_options.cgroups_len = cgroups_len;
        pid_t pid;
        r = ocirun_container_exec(root, id, process, &exec_options, &pid, error);
        if (r < 0 || detach)
                return r;
        return foreground_wait(&fg, pid, error);
}

const ocirun_command command_exec = {
    .name = "exec",
    .summary = "run a new process in a running container",
    .usage = exec_usage,
    .run = run_exec,
};
