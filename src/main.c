/* ocirun's entry point: parses the global options runc users and engines
 * pass, picks the command, and turns a returned error into one line on
 * stderr (and in the --log file) and exit status 1. */
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "error.h"

static const ocirun_command *const commands[] = {
    &command_create, &command_start,    &command_run,    &command_exec,       &command_state,
    &command_list,   &command_ps,       &command_kill,   &command_delete,     &command_pause,
    &command_resume, &command_update,   &command_events, &command_checkpoint, &command_restore,
    &command_spec,   &command_features,
};

static void print_usage(FILE *out)
{
        fputs("Usage: ocirun [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
              "\n"
              "ocirun runs OCI containers from a bundle's config.json.\n"
              "\n"
              "Commands:\n",
              out);
        for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
                fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
        fputs("\n"
              "Global options:\n"
              "  --root DIR                  where container state lives "
              "(default " OCIRUN_DEFAULT_ROOT ",\n"
              "                              $XDG_RUNTIME_DIR/ocirun when not root)\n"
              "  --log FILE                  also write messages to FILE\n"
              "  --log-format text|json      the format of --log lines (default text)\n"
              "  --debug                     log debug messages too\n"
              "  --systemd-cgroup            make each new container's cgroup a transient systemd "
              "unit\n"
              "  --rootless auto|true|false  whether to expect an unprivileged caller\n"
              "  --criu PATH                 the criu binary for checkpoint/restore\n"
              "  -h, --help                  show this help\n"
              "  -v, --version               show the version and build features\n"
              "\n"
              "Run 'ocirun COMMAND --help' for the options of a command.\n",
              out);
}

static void print_version(void)
{
        const struct scmp_version *seccomp = seccomp_version();

        /* Build features, in runc's +NAME form: what this binary can do. */
#ifdef HAVE_CRIU_RPC
        const char *criu = " +CRIU";
#else
        const char *criu = "";
#endif
        printf("ocirun version %s\n"
               "spec: %s\n"
               "libseccomp: %u.%u.%u\n"
               "+CAP%s +SECCOMP +YAJL\n",
               PACKAGE_VERSION, OCI_VERSION, seccomp->major, seccomp->minor, seccomp->micro, criu);
}

static const ocirun_command *find_command(const char *name)
{
        for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
                if (strcmp(commands[i]->name, name) == 0)
                        return commands[i];
        return NULL;
}

enum {
        OPT_ROOT = 256,
        OPT_LOG,
        OPT_LOG_FORMAT,
        OPT_DEBUG,
        OPT_SYSTEMD_CGROUP,
        OPT_ROOTLESS,
        OPT_CRIU,
};

/* Parses the options before the command. Returns 1 when the run is over
 * (--help, --version), 0 to go on, or a negative errno with *error set. */
static int parse_global_options(ocirun_cli *cli, int argc, char **argv, const char **log_path,
                                ocirun_log_format *log_format, ocirun_error **error)
{
        static const struct option options[] = {
            {"root", required_argument, NULL, OPT_ROOT},
            {"log", required_argument, NULL, OPT_LOG},
            {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
            {"debug", no_argument, NULL, OPT_DEBUG},
            {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
            {"rootless", required_argument, NULL, OPT_ROOTLESS},
            {"criu", required_argument, NULL, OPT_CRIU},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'v'},
            {},
        };
        static const ocirun_command global = {.name = "ocirun"};
        bool unused_help = false;
        int c;

        cli->command = "ocirun";
        while ((c = cli_getopt(cli, &global, argc, argv, "+:hv", options, &unused_help, error)) !=
               -1) {
                switch (c) {
                case OPT_ROOT:
                        cli->root_path = optarg;
                        break;
                case OPT_LOG:
                        *log_path = optarg;
                        break;
                case OPT_LOG_FORMAT:
                        if (ocirun_log_format_from_string(optarg, log_format) < 0)
                                return cli_usage_error(
                                    cli, error, "invalid --log-format `%s`: expected text or json",
                                    optarg);
                        break;
                case OPT_DEBUG:
                        cli->debug = true;
                        break;
                case OPT_SYSTEMD_CGROUP:
                        cli->systemd_cgroup = true;
                        break;
                case OPT_ROOTLESS:
                        if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "true") != 0 &&
                            strcmp(optarg, "false") != 0)
                                return cli_usage_error(
                                    cli, error,
                                    "invalid --rootless `%s`: expected auto, true or false",
                                    optarg);
                        cli->rootless = optarg;
                        break;
                case OPT_CRIU:
                        cli->criu_path = optarg;
                        break;
                case 'v':
                        print_version();
                        return 1;
                default:
                        if (c < 0)
                                return c;
                        break;
                }
        }
        /* cli_getopt printed the usage of the empty `global` command. */
        if (unused_help) {
                print_usage(stdout);
                return 1;
        }
        return 0;
}

static int run(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        const char *log_path = NULL;
        ocirun_log_format log_format = OCIRUN_LOG_FORMAT_TEXT;

        int r = parse_global_options(cli, argc, argv, &log_path, &log_format, error);
        /* Open the log before reporting even a usage error: an engine reads
         * the reason from the log file, not from our stderr. */
        if (log_path) {
                _cleanup_(ocirun_error_freep) ocirun_error *log_error = NULL;
                if (ocirun_log_open(log_path, log_format, cli->debug, &log_error) < 0)
                        ocirun_log(OCIRUN_LOG_WARNING, "%s", log_error->message);
        } else if (r == 0) {
                ocirun_log_open(NULL, log_format, cli->debug, NULL);
        }
        if (r < 0)
                return r;
        if (r > 0)
                return 0; /* --help or --version said it all */

        if (optind >= argc) {
                print_usage(stdout);
                return 0;
        }
        const char *name = argv[optind];
        if (strcmp(name, "help") == 0) {
                const ocirun_command *command =
                    optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
                if (command)
                        fputs(command->usage, stdout);
                else
                        print_usage(stdout);
                return 0;
        }
        const ocirun_command *command = find_command(name);
        if (!command)
                return cli_usage_error(cli, error, "unknown command `%s`", name);

        cli->command = command->name;
        /* Only a command needs the root: usage and help do not make it. */
        _cleanup_free_ char *default_root = NULL;
        if (!cli->root_path) {
                r = ocirun_default_root(&default_root, error);
                if (r < 0)
                        return r;
                cli->root_path = default_root;
        }
        ocirun_log(OCIRUN_LOG_DEBUG, "command %s, root %s", command->name, cli->root_path);
        /* The command parses argv from its own name on. */
        argc -= optind;
        argv += optind;
        optind = 0;
        return command->run(cli, argc, argv, error);
}

/* Before ocirun opens anything: the first fd above 2 its caller did not
 * pass. */
static int first_unopened_fd(void)
{
        int fd = 3;
        while (fcntl(fd, F_GETFD) >= 0)
                fd++;
        return fd;
}

int main(int argc, char **argv)
{
        ocirun_cli cli = {.root_path = NULL,
                          .rootless = "auto",
                          .failure_status = 1,
                          .first_own_fd = first_unopened_fd()};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = run(&cli, argc, argv, &error);
        if (fflush(stdout) != 0 && r >= 0)
                r = error_set_errno(&error, errno, "write to stdout");
        /* run and exec return the container process's exit status. */
        if (r >= 0)
                return r;

        ocirun_log(OCIRUN_LOG_ERROR, "%s", error ? error->message : "failed without saying why");
        if (cli.usage_error)
                fprintf(stderr, "Run 'ocirun %s%s--help' for usage.\n",
                        strcmp(cli.command, "ocirun") ? cli.command : "",
                        strcmp(cli.command, "ocirun") ? " " : "");
        ocirun_log_close();
        return cli.usage_error ? 1 : cli.failure_status;
}
