/* `ocirun ps`: the processes of a container, from its cgroup: as a JSON
 * array of pids (what containerd's shim reads) or as ps(1) shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "commands/commands.h"
#include "error.h"

static const char ps_usage[] =
    "Usage: ocirun ps [--format table|json] ID [-- PS ARGS]\n"
    "\n"
    "Show the processes of container ID: ps(1)'s table (with PS ARGS, default -ef)\n"
    "limited to the container's pids, or a JSON array of the pids.\n"
    "\n"
    "Options:\n"
    "  -f, --format FORMAT   table (default) or json\n"
    "  -h, --help            show this help\n";

static bool contains(const pid_t *pids, size_t len, long pid)
{
        for (size_t i = 0; i < len; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* Runs ps with the caller's arguments and keeps the header and the lines
 * whose PID column is one of the container's, as runc does. */
static int print_ps_table(char **ps_args, int n_args, const pid_t *pids, size_t len,
                          ocirun_error **error)
{
        _cleanup_free_ char *command = strdup("ps");
        for (int i = 0; command && i < n_args; i++) {
                char *longer = NULL;
                /* Arguments are quoted for the shell one by one. */
                _cleanup_free_ char *quoted = malloc(strlen(ps_args[i]) * 4 + 3);
                if (!quoted)
                        return error_set(error, ENOMEM, "out of memory");
                char *q = quoted;
                *q++ = '\'';
                for (const char *a = ps_args[i]; *a; a++) {
                        if (*a == '\'') {
                                memcpy(q, "'\\''", 4);
                                q += 4;
                        } else {
                                *q++ = *a;
                        }
                }
                *q++ = '\'';
                *q = '\0';
                if (asprintf(&longer, "%s %s", command, quoted) < 0)
                        longer = NULL;
                free(command);
                command = longer;
        }
        if (n_args == 0) {
                free(command);
                command = strdup("ps -ef");
        }
        if (!command)
                return error_set(error, ENOMEM, "out of memory");
        FILE *ps = popen(command, "re");
        if (!ps)
                return error_set_errno(error, errno, "ps: run `%s`", command);
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        int pid_column = -1;
        for (ssize_t n; (n = getline(&line, &size, ps)) > 0;) {
                if (pid_column < 0) {
                        /* The header says which column is PID. */
                        int column = 0;
                        for (char *w = line; *w;) {
                                while (*w == ' ')
                                        w++;
                                if (strncmp(w, "PID", 3) == 0 && (w[3] == ' ' || w[3] == '\n')) {
                                        pid_column = column;
                                        break;
                                }
                                while (*w && *w != ' ')
                                        w++;
                                column++;
                        }
                        fputs(line, stdout);
                        if (pid_column < 0) {
                                pclose(ps);
                                return error_set(error, EINVAL, "ps: its output has no PID column");
                        }
                        continue;
                }
                const char *w = line;
                for (int column = 0; column < pid_column && *w; column++) {
                        while (*w == ' ')
                                w++;
                        while (*w && *w != ' ')
                                w++;
                }
                if (contains(pids, len, strtol(w, NULL, 10)))
                        fputs(line, stdout);
        }
        int status = pclose(ps);
        if (status != 0)
                return error_set(error, EIO, "ps: `%s` failed (status %d)", command,
                                 WIFEXITED(status) ? WEXITSTATUS(status) : status);
        return 0;
}

static int run_ps(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        const char *format = "table";
        bool help = false;
        int c;

        while ((c = cli_getopt(cli, &command_ps, argc, argv, "+:f:h", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'f')
                        format = optarg;
        }
        if (help)
                return 0;
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
                return cli_usage_error(cli, error,
                                       "ps: invalid --format `%s`: expected table or json", format);
        if (argc - optind < 1)
                return cli_usage_error(cli, error, "ps: expected a container id");
        const char *id = argv[optind++];
        if (optind < argc && strcmp(argv[optind], "--") == 0)
                optind++;

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        _cleanup_free_ pid_t *pids = NULL;
        size_t len = 0;
        r = ocirun_container_processes(root, id, &pids, &len, error);
        if (r < 0)
                return r;
        if (strcmp(format, "json") == 0) {
                fputc('[', stdout);
                for (size_t i = 0; i < len; i++)
                        printf("%s%d", i ? "," : "", (int) pids[i]);
                fputs("]\n", stdout);
                return 0;
        }
        fflush(stdout);
        return print_ps_table(argv + optind, argc - optind, pids, len, error);
}

const ocirun_command command_ps = {
    .name = "ps",
    .summary = "show the processes of a container",
    .usage = ps_usage,
    .run = run_ps,
};
