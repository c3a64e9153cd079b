/* The CLI's command table and what every command file shares: the global
 * options, the usage-error helper and output helpers. Each command lives in
 * its own file and only parses its flags, calls libocirun and formats. */
#ifndef OCIRUN_COMMANDS_H
#define OCIRUN_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>

#include "ocirun.h"
#include "util/cleanup.h"

typedef struct ocirun_cli {
        const char *root_path;
        const char *criu_path;
        bool debug;
        bool systemd_cgroup;
        const char *rootless; /* "auto", "true" or "false" */
        bool usage_error;     /* set by cli_usage_error: main adds the --help hint */
        /* The exit status of a failure that is not a usage error: 1, or
         * 255 for exec, whose callers tell the runtime's own failure from
         * the process's status by it, as runc's do. */
        int failure_status;
        const char *command; /* the name of the running command */
        /* The lowest fd above 2 that was not open when ocirun started: fds
         * from there on are ocirun's own and must never be passed on as
         * the caller's (--preserve-fds, LISTEN_FDS). */
        int first_own_fd;
} ocirun_cli;

typedef struct ocirun_command {
        const char *name;
        const char *summary;
        const char *usage; /* the full --help text of the command */
        int (*run)(ocirun_cli *cli, int argc, char **argv, ocirun_error **error);
} ocirun_command;

extern const ocirun_command command_spec, command_features, command_state, command_list,
    command_create, command_start, command_run, command_kill, command_delete, command_ps,
    command_exec, command_pause, command_resume, command_update, command_events, command_checkpoint,
    command_restore;

/* create's flags, shared with run; detach and keep are NULL for create. */
int cli_parse_create_options(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
                             ocirun_create_options *options, bool *detach, bool *keep,
                             bool *ret_help, ocirun_error **error);

/* A bad flag or argument: one line, and main points at `ocirun CMD --help`. */
__attribute__((format(printf, 3, 4))) int cli_usage_error(ocirun_cli *cli, ocirun_error **error,
                                                          const char *fmt, ...);

/* getopt_long over argv with the command's options; "--help"/"-h" prints the
 * command's usage. Returns the option, -1 at the end, or -EINVAL (with a
 * usage error set) for an unknown option or a missing argument. */
int cli_getopt(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
               const char *shortopts, const struct option *longopts, bool *ret_help,
               ocirun_error **error);

/* The public view of a container's state as JSON (what `state` prints and
 * `list --format json` lists): without ocirun's bookkeeping, pid 0 once
 * stopped. */
int cli_state_json(ocispec_runtime_state *state, unsigned flags, char **ret_json, size_t *ret_len,
                   ocirun_error **error);

/* For commands whose only option is --help: parses it, then checks that
 * exactly `operands` operands follow; `expected` describes them in the usage
 * error ("exactly one container id"). */
int cli_parse_help_only(ocirun_cli *cli, const ocirun_command *command, int argc, char **argv,
                        int operands, const char *expected, bool *ret_help, ocirun_error **error);

/* Writes a document of any libocispec type to stdout as JSON. */
int cli_print_json(const ocispec_type *type, const void *doc, unsigned flags, ocirun_error **error);

/* Checks that fds 3 .. 3+count-1 were all given to ocirun by its caller. */
int cli_check_passed_fds(ocirun_cli *cli, int count, ocirun_error **error);

/* Writes a whole buffer to stdout, reporting EPIPE and short writes. */
int cli_write_stdout(const char *data, size_t len, ocirun_error **error);

#endif
