/* `ocirun list`: the containers under the runtime root, as runc's table,
 * JSON array or bare ids. */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "error.h"

static const char list_usage[] =
    "Usage: ocirun list [--format table|json] [--quiet]\n"
    "\n"
    "List the containers under the runtime root.\n"
    "\n"
    "Options:\n"
    "  -f, --format FORMAT   table (default) or json (one JSON array)\n"
    "  -q, --quiet           print only the container ids\n"
    "  -h, --help            show this help\n";

enum { COLUMNS = 6 };

static void row_cells(const ocispec_runtime_state *s, char pid[static 16],
                      const char *cells[COLUMNS])
{
        snprintf(pid, 16, "%d", strcmp(s->status, "stopped") ? s->pid : 0);
        cells[0] = s->id;
        cells[1] = pid;
        cells[2] = s->status;
        cells[3] = s->bundle;
        cells[4] = s->created;
        cells[5] = s->owner;
}

/* Columns as Go's tabwriter lays out runc's table: at least 12 wide, and
 * 3 spaces past the widest cell. */
static void print_table(const ocirun_container_list *list)
{
        static const char *const headers[COLUMNS] = {"ID",     "PID",     "STATUS",
                                                     "BUNDLE", "CREATED", "OWNER"};
        const char *cells[COLUMNS];
        size_t width[COLUMNS];
        char pid[16];

        for (size_t col = 0; col < COLUMNS; col++)
                width[col] = strlen(headers[col]);
        for (size_t i = 0; i < list->len; i++) {
                row_cells(list->states[i], pid, cells);
                for (size_t col = 0; col < COLUMNS; col++) {
                        size_t len = cells[col] ? strlen(cells[col]) : 0;
                        if (len > width[col])
                                width[col] = len;
                }
        }
        for (size_t col = 0; col < COLUMNS; col++)
                width[col] = width[col] + 3 < 12 ? 12 : width[col] + 3;

        for (size_t i = 0; i <= list->len; i++) {
                if (i == 0)
                        memcpy(cells, headers, sizeof(cells));
                else
                        row_cells(list->states[i - 1], pid, cells);
                for (size_t col = 0; col + 1 < COLUMNS; col++)
                        printf("%-*s", (int) width[col], cells[col] ? cells[col] : "");
                printf("%s\n", cells[COLUMNS - 1] ? cells[COLUMNS - 1] : "");
        }
}

static int run_list(ocirun_cli *cli, int argc, char **argv, ocirun_error **error)
{
        static const struct option options[] = {
            {"format", required_argument, NULL, 'f'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        const char *format = "table";
        bool quiet = false, help = false;
        int c;

        while ((c = cli_getopt(cli, &command_list, argc, argv, "+:f:qh", options, &help, error)) !=
               -1) {
                if (c < 0)
                        return c;
                if (c == 'f')
                        format = optarg;
                else if (c == 'q')
                        quiet = true;
        }
        if (help)
                return 0;
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
                return cli_usage_error(
                    cli, error, "list: invalid --format `%s`: expected table or json", format);
        if (optind < argc)
                return cli_usage_error(cli, error, "list: unexpected argument `%s`", argv[optind]);

        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        int r = ocirun_root_open(cli->root_path, false, &root, error);
        if (r < 0)
                return r;
        _cleanup_(ocirun_container_list_freep) ocirun_container_list *list = NULL;
        r = ocirun_container_list_all(root, &list, error);
        if (r < 0)
                return r;

        if (quiet) {
                for (size_t i = 0; i < list->len; i++)
                        printf("%s\n", list->states[i]->id);
        } else if (strcmp(format, "json") == 0) {
                fputc('[', stdout);
                for (size_t i = 0; i < list->len; i++) {
                        _cleanup_free_ char *json = NULL;
                        size_t len;
                        r = cli_state_json(list->states[i], 0, &json, &len, error);
                        if (r < 0)
                                return r;
                        if (i > 0)
                                fputc(',', stdout);
                        fwrite(json, 1, len, stdout);
                }
                fputs("]\n", stdout);
        } else {
                print_table(list);
        }
        if (fflush(stdout) != 0 || ferror(stdout))
                return error_set_errno(error, errno, "write to stdout");
        return 0;
}

const ocirun_command command_list = {
    .name = "list",
    .summary = "list the containers under the runtime root",
    .usage = list_usage,
    .run = run_list,
};
