/* The conversation between `create` (the parent) and the container's init
 * over a socketpair: length-prefixed messages, each a type, a number (an
 * errno or a pid) and an optional payload (a message or a state JSON). The
 * child reports a failure as {errno, message} so create prints the real
 * cause, never "EOF from the child". */
#ifndef OCIRUN_SYNC_H
#define OCIRUN_SYNC_H

#include <stddef.h>

#include "ocirun.h"

typedef enum sync_type {
        SYNC_ID_MAPS_PLEASE = 1, /* child: my user namespace needs its id maps */
        SYNC_ID_MAPS_DONE,       /* parent: written */
        SYNC_INIT_PID,           /* child: the init is another process (value: its pid) */
        SYNC_RUNTIME_HOOKS,      /* child: namespaces are ready, run prestart/createRuntime */
        SYNC_RUNTIME_HOOKS_DONE, /* parent: done; payload: the state JSON for the child's hooks */
        SYNC_READY,              /* child: set up, waiting for start */
        SYNC_ERROR,              /* child: failed (value: errno, payload: message) */
} sync_type;

typedef struct sync_message {
        sync_type type;
        int value;
        char *payload; /* NUL-terminated, or NULL */
        size_t payload_len;
} sync_message;

int sync_send(int fd, sync_type type, int value, const char *payload, size_t payload_len,
              ocirun_error **error);
/* Receives one message; the peer closing the socket is -EPIPE with a message
 * built from what (e.g. "the container's init"). */
int sync_receive(int fd, sync_message *ret, const char *what, ocirun_error **error);
void sync_message_clear(sync_message *message);

/* In the child: reports error to the parent as SYNC_ERROR. */
void sync_send_error(int fd, const ocirun_error *error);

#endif
