/* Helpers every command uses: flag parsing with one-line usage errors, and
 * writing results to stdout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "error.h"
#include "util/strings.h"

int cli_usage_error(ocirun_cli *cli, ocirun_error **error, const char *fmt, ...)
{
        _cleanup_free_ char *message = NULL;
        va_list ap;

        cli->usage_error = true;
        va_start(ap, fmt);
        int r = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return error_set(error, ENOMEM, "out of memory");
        return error_set(error, EINVAL, "%s", message);
}

int cli_getopt(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
               const char *shortopts, const struct option *longopts, bool *ret_help,
               ocirun_error **error)
{
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);

        /* Optstrings start with "+:": getopt stops at the first operand and
         * tells a missing value (':') from an unknown option ('?'). optopt
         * names a bad short option; for a long one it is 0. */
        if (c == ':' || c == '?') {
                const char *word = argv[optind - 1];
                _cleanup_free_ char *quoted = str_quote(word, 64);
                if (c == ':')
                        return cli_usage_error(cli, error, "%s: option %s needs a value",
                                               command->name, quoted ? quoted : "");
                if (optopt)
                        return cli_usage_error(cli, error, "%s: unknown option '-%c'",
                                               command->name, optopt);
                return cli_usage_error(cli, error, "%s: unknown option %s", command->name,
                                       quoted ? quoted : "");
        }
        if (c == 'h') {
                *ret_help = true;
                if (command->usage)
                        fputs(command->usage, stdout);
                return -1;
        }
        return c;
}

int cli_parse_help_only(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
                        int operands, const char *expected, bool *ret_help, ocirun_error **error)
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        int c;

        while ((c = cli_getopt(cli, command, argc, argv, "+:h", options, ret_help, error)) != -1)
                if (c < 0)
                        return c;
        if (*ret_help || argc - optind == operands)
                return 0;
        if (operands == 0)
                return cli_usage_error(cli, error, "%s: unexpected argument `%s`", command->name,
                                       argv[optind]);
        return cli_usage_error(cli, error, "%s: expected %s", command->name, expected);
}

int cli_print_json(const ocispec_type *type, const void *doc, unsigned flags, ocirun_error **error)
{
        _cleanup_free_ char *json = NULL;
        char *message = NULL;
        size_t len;

        int r = ocispec_generate(type, doc, flags, &json, &len, &message);
        if (r < 0)
                return error_take_message(error, -r, message);
        return cli_write_stdout(json, len, error);
}

int cli_check_passed_fds(ocirun_cli *cli, int count, ocirun_error **error)
{
        if (count > 0 && 3 + count > cli->first_own_fd)
                return cli_usage_error(cli, error,
                                       "%s: %d fds to pass on, but fd %d was not open when ocirun "
                                       "started",
                                       cli->command, count, cli->first_own_fd);
        return 0;
}

int cli_write_stdout(const char *data, size_t len, ocirun_error **error)
{
        while (len > 0) {
                ssize_t n = write(STDOUT_FILENO, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(error, errno, "write to stdout");
                data += n;
                len -= (size_t) n;
        }
        return 0;
}

/* The public view of a state record: ocirun's bookkeeping (the init's start
 * time) stays private, and a stopped container has no pid, as in runc. */
int cli_state_json(ocispec_runtime_state *state, unsigned flags, char **ret_json, size_t *ret_len,
                   ocirun_error **error)
{
        /* ocirun's bookkeeping is taken out of the document for the
         * generation and put back afterwards. */
        bool had_start_time = state->has_init_start_time;
        ocispec_string_map *cgroup_paths = state->cgroup_paths;
        char **cgroup_created = state->cgroup_created;
        size_t cgroup_created_len = state->cgroup_created_len;
        int32_t pid = state->pid;
        char *message = NULL;

        state->has_init_start_time = false;
        state->cgroup_paths = NULL;
        state->cgroup_created = NULL;
        state->cgroup_created_len = 0;
        if (state->status && strcmp(state->status, "stopped") == 0) {
                state->pid = 0;
                state->has_pid = true;
        }
        int r = ocispec_runtime_state_generate(state, flags, ret_json, ret_len, &message);
        state->has_init_start_time = had_start_time;
        state->cgroup_paths = cgroup_paths;
        state->cgroup_created = cgroup_created;
        state->cgroup_created_len = cgroup_created_len;
        state->pid = pid;
        if (r < 0)
                return error_take_message(error, -r, message);
        return 0;
}
