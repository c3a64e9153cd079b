/* The conversation between `create` (the parent) and the container's init
 * over a socketpair: length-prefixed messages, each a type, a number (an
 * errno or a pid) and an optional payload (a message or a state JSON). The
 * child reports a failure as {errno, message} so create prints the real
 * cause, never "EOF from the child". A message can carry one fd (the
 * seccomp notify fd). exec speaks the same protocol with its child. */
#ifndef OCIRUN_SYNC_H
#define OCIRUN_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "ocirun.h"

typedef enum sync_type {
        SYNC_ID_MAPS_PLEASE = 1, /* child: my user namespace needs its id maps */
        SYNC_ID_MAPS_DONE,       /* parent: written */
        SYNC_INIT_PID,           /* child: the init is another process (value: its pid) */
        SYNC_CGROUP_PLEASE,      /* child: am I in my cgroup (for a cgroup namespace)? */
        SYNC_CGROUP_DONE,        /* parent: yes */
        SYNC_RUNTIME_HOOKS,      /* child: mounts are done, run prestart/createRuntime */
        SYNC_RUNTIME_HOOKS_DONE, /* parent: done; payload: the state JSON for the child's hooks */
        SYNC_READY,              /* child: set up, waiting for start */
        SYNC_ERROR,              /* child: failed (value: errno, payload: message) */
        SYNC_SECCOMP_FD,         /* child: the filter's notify fd, passed along */
        SYNC_SECCOMP_DONE,       /* parent: the seccomp listener has it */
        SYNC_EOF,                /* (sync_receive_until_eof) the peer closed at a boundary */
} sync_type;

typedef struct sync_message {
        sync_type type;
        int value;
        char *payload; /* NUL-terminated, or NULL */
        size_t payload_len;
        int fd; /* the passed fd (CLOEXEC), when has_fd */
        bool has_fd;
} sync_message;

int sync_send(int fd, sync_type type, int value, const char *payload, size_t payload_len,
              ocirun_error **error);
/* A message without payload that passes passed_fd along, in one sendmsg(2):
 * the only syscall between loading a seccomp filter with notify actions and
 * its listener getting the fd (see seccomp_filter.c). */
int sync_send_fd(int fd, sync_type type, int passed_fd, ocirun_error **error);
/* Receives one message; the peer closing the socket is -EPIPE with a message
 * built from what (e.g. "the container's init"). */
int sync_receive(int fd, sync_message *ret, const char *what, ocirun_error **error);
/* The same, but the peer closing the socket between two messages is a
 * message of type SYNC_EOF: exec's child closes it by execve. */
int sync_receive_until_eof(int fd, sync_message *ret, const char *what, ocirun_error **error);
void sync_message_clear(sync_message *message);

/* In the child: reports error to the parent as SYNC_ERROR. */
void sync_send_error(int fd, const ocirun_error *error);

#endif
