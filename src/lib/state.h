/* The state store: <root>/<id>/ holds one container's state.json (and, in
 * later steps, its exec fifo). Each command takes the container's lock, a
 * flock on its state directory, so commands on one id serialize while
 * commands on different ids never wait for each other. */
#ifndef OCIRUN_STATE_H
#define OCIRUN_STATE_H

#include <sys/file.h>

#include "ocirun.h"

struct ocirun_root {
        int fd; /* -1 when the root does not exist (yet) */
        char *path;
};

#define STATE_FILE "state.json"
/* The config as create read it: start, exec and delete use this copy, so
 * editing the bundle later changes neither the hooks that run nor what
 * exec inherits. */
#define CONFIG_FILE "config.json"

/* Makes <root>/<id>/ (mode 0700) and returns its fd, locked exclusively. */
int state_dir_create(ocirun_root *root, const char *id, int *ret_dirfd, ocirun_error **error);

/* Opens <root>/<id>/ and takes its lock (LOCK_SH or LOCK_EX). A directory
 * that another command removed while this one waited for the lock reads as
 * missing. */
int state_dir_open(ocirun_root *root, const char *id, int lock, int *ret_dirfd,
                   ocirun_error **error);

/* Removes <root>/<id>/ and what it holds (the caller holds the lock). */
int state_dir_remove(ocirun_root *root, const char *id, ocirun_error **error);

/* state.json is written to a temporary file and renamed over the old one, so
 * a reader sees the old state or the new one, never half of one. */
int state_write(int dirfd, const ocispec_runtime_state *state, ocirun_error **error);
int state_write_config(int dirfd, const ocispec_config *config, ocirun_error **error);
int state_read_config(int dirfd, const char *id, ocispec_config **ret, ocirun_error **error);
int state_read(int dirfd, const char *id, ocispec_runtime_state **ret, ocirun_error **error);

/* Sets state->status from what the init process is now: "stopped" once its
 * pid is gone, a zombie, or a different process (another start time). */
void state_refresh_status(ocispec_runtime_state *state);

/* state_dir_open, state_read and state_refresh_status in one: the
 * container's state with its status derived now, and its directory fd in
 * *ret_dirfd, still holding the lock, for as long as the caller needs it. */
int state_load(ocirun_root *root, const char *id, int lock, int *ret_dirfd,
               ocispec_runtime_state **ret, ocirun_error **error);

/* The OCI state of the container, with status as given: what hooks and the
 * seccomp listener get, without ocirun's bookkeeping. It points into state. */
ocispec_state state_oci_view(const ocispec_runtime_state *state, const char *status);

/* A pidfd for the container's init, checked against the recorded start
 * time after it was opened: from then on it cannot name another process.
 * ESRCH when the init is gone. */
int state_open_init_pidfd(const ocispec_runtime_state *state, int *ret_pidfd, ocirun_error **error);

/* Writes pid to path (--pid-file) through a temporary name and a rename. */
int state_write_pid_file(const char *path, pid_t pid, ocirun_error **error);

#endif
