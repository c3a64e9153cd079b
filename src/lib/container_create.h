/* The part of create that restore shares: a create job validates the
 * bundle's config, makes the state directory and the cgroup with its
 * limits, connects the console socket, and on commit writes state.json and
 * the pid file. Until it is committed, create_job_finish undoes all of it
 * (kills the init, removes the cgroup and the state directory), so either
 * path fails leaving nothing behind. Private to the library. */
#ifndef OCIRUN_CONTAINER_CREATE_H
#define OCIRUN_CONTAINER_CREATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "namespaces.h"
#include "ocirun.h"
#include "state.h"

typedef struct create_job {
        ocirun_root *root;
        const char *id;
        const ocirun_create_options *options;
        ocispec_config *config;
        char *bundle;
        char *rootfs;
        namespace_plan plan;
        ocispec_runtime_state *state;
        int dirfd;
        int exec_fifo_fd;
        int console_socket_fd; /* ours to close when we connected it */
        int sync_fd;
        pid_t child;          /* the cloned child */
        pid_t middle;         /* the child that forked the init, already reaped or 0 */
        pid_t init;           /* the container's init */
        int *bind_source_fds; /* see rootfs_open_bind_sources */
        pid_t cgroup_seed;    /* holds a new systemd scope until the init is in it */
        int netns_fd;         /* the container's, once linux.netDevices are in it */
        bool intel_rdt_made;  /* a resctrl group of ours to remove on failure */
        bool committed;
} create_job;

#define CREATE_JOB_INIT(root_, id_, options_)                                                      \
        {                                                                                          \
                .root = (root_), .id = (id_), .options = (options_), .dirfd = -1,                  \
                .exec_fifo_fd = -1, .console_socket_fd = (options_)->console_socket_fd,            \
                .sync_fd = -1, .plan = {.pid_join_fd = -1}, .netns_fd = -1,                        \
        }

/* Everything up to the point where the init is made; errors are not yet
 * prefixed with the command. job->state is set once there is something to
 * undo. */
int create_job_prepare(create_job *job, ocirun_error **error);

/* job->init is the container's init: records it (pid, start time, status)
 * in state.json, saves the config and writes the pid file. */
int create_job_commit(create_job *job, const char *status, ocirun_error **error);

/* The OCI state that hooks get on stdin, with status as given. */
int container_hook_state_json(ocispec_runtime_state *state, const char *status, char **ret,
                              size_t *ret_len, ocirun_error **error);

/* The cleanup of a create_job (with __attribute__((cleanup))). */
void create_job_finish(create_job *job);

#endif
