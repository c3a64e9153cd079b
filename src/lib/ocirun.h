/* libocirun's public API: the one header the ocirun CLI (and any other
 * program) uses to drive containers. Shaped after libcontainer: a runtime
 * root holds containers; every call returns 0 or a negative errno and, on
 * failure, fills an ocirun_error whose message says what failed and where. */
#ifndef OCIRUN_H
#define OCIRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocispec.h"

#define OCIRUN_DEFAULT_ROOT "/run/ocirun"

/* ---- errors ---------------------------------------------------------- */

typedef struct ocirun_error {
        int code;      /* a positive errno value */
        char *message; /* one line: "what: why", outermost context first */
} ocirun_error;

void ocirun_error_free(ocirun_error *error);
void ocirun_error_freep(ocirun_error **error);

/* ---- logging ---------------------------------------------------------- */

typedef enum ocirun_log_level {
        OCIRUN_LOG_ERROR,
        OCIRUN_LOG_WARNING,
        OCIRUN_LOG_INFO,
        OCIRUN_LOG_DEBUG,
} ocirun_log_level;

typedef enum ocirun_log_format {
        OCIRUN_LOG_FORMAT_TEXT,
        OCIRUN_LOG_FORMAT_JSON,
} ocirun_log_format;

/* Where messages go: errors and warnings always to stderr; with a log file,
 * every message at or above max_level also to it, one write() per line, as
 * logrus text (`time="..." level=error msg="..."`) or as the JSON lines
 * (`{"level":"error","msg":"...","time":"RFC 3339"}`) that containerd and
 * podman read back to show the user why a command failed. */
int ocirun_log_open(const char *path, ocirun_log_format format, bool debug, ocirun_error **error);
void ocirun_log_close(void);
__attribute__((format(printf, 2, 3))) void ocirun_log(ocirun_log_level level, const char *fmt, ...);
int ocirun_log_format_from_string(const char *name, ocirun_log_format *ret);

/* ---- the runtime root and container ids --------------------------------- */

typedef struct ocirun_root ocirun_root;

/* Opens the directory that holds one state directory per container. With
 * create, a missing root is made (mode 0700, parents as needed); without it,
 * a missing root reads as an empty one (ret is set, with no containers). */
int ocirun_root_open(const char *path, bool create, ocirun_root **ret, ocirun_error **error);
void ocirun_root_free(ocirun_root *root);
void ocirun_root_freep(ocirun_root **root);
const char *ocirun_root_path(const ocirun_root *root);

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes. */
int ocirun_container_id_validate(const char *id, ocirun_error **error);

/* ---- container state ---------------------------------------------------- */

/* The container's state.json with `status` derived now from its init's pid
 * and that pid's start time, so a recycled pid never reads as running. */
int ocirun_container_state(ocirun_root *root, const char *id, ocispec_runtime_state **ret,
                           ocirun_error **error);

typedef struct ocirun_container_list {
        size_t len;
        ocispec_runtime_state **states; /* sorted by id */
} ocirun_container_list;

int ocirun_container_list_all(ocirun_root *root, ocirun_container_list **ret, ocirun_error **error);
void ocirun_container_list_free(ocirun_container_list *list);
void ocirun_container_list_freep(ocirun_container_list **list);

/* ---- documents ---------------------------------------------------------- */

/* The default config.json `ocirun spec` writes; rootless maps the calling
 * user to root in a user namespace and keeps only what an unprivileged user
 * can set up. */
int ocirun_spec_default(bool rootless, ocispec_config **ret, ocirun_error **error);

/* The OCI features document: what this build and the running kernel support. */
int ocirun_features(ocispec_features **ret, ocirun_error **error);

#endif
