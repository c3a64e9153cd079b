/* Length-prefixed messages over the create socketpair (SOCK_STREAM, so a
 * state JSON of any size fits in one message). */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "sync.h"

#define SYNC_MAX_PAYLOAD (16u * 1024 * 1024)

struct sync_header {
        uint32_t type;
        int32_t value;
        uint32_t payload_len;
};

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
        char *p = buf;
        while (len > 0) {
                ssize_t n = recv(fd, p, len, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EPIPE;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int sync_send(int fd, sync_type type, int value, const char *payload, size_t payload_len,
              ocirun_error **error)
{
        struct sync_header header = {
            .type = type, .value = value, .payload_len = (uint32_t) payload_len};
        int r = write_all(fd, &header, sizeof(header));
        if (r == 0 && payload_len)
                r = write_all(fd, payload, payload_len);
        if (r < 0)
                return error_set_errno(error, -r, "send to the %s", "other side of create");
        return 0;
}

int sync_receive(int fd, sync_message *ret, const char *what, ocirun_error **error)
{
        struct sync_header header;
        int r = read_all(fd, &header, sizeof(header));
        if (r == -EPIPE)
                return error_set(error, EPIPE, "%s exited without saying why", what);
        if (r < 0)
                return error_set_errno(error, -r, "read from %s", what);
        if (header.payload_len > SYNC_MAX_PAYLOAD)
                return error_set(error, EPROTO, "%s sent a message too large", what);
        char *payload = NULL;
        if (header.payload_len) {
                payload = malloc(header.payload_len + 1);
                if (!payload)
                        return error_set(error, ENOMEM, "out of memory");
                r = read_all(fd, payload, header.payload_len);
                if (r < 0) {
                        free(payload);
                        return error_set(error, EPIPE, "%s exited in the middle of a message",
                                         what);
                }
                payload[header.payload_len] = '\0';
        }
        ret->type = (sync_type) header.type;
        ret->value = header.value;
        ret->payload = payload;
        ret->payload_len = header.payload_len;
        return 0;
}

void sync_message_clear(sync_message *message)
{
        free(message->payload);
        memset(message, 0, sizeof(*message));
}

void sync_send_error(int fd, const ocirun_error *error)
{
        const char *message = error && error->message ? error->message : "failed";
        sync_send(fd, SYNC_ERROR, error ? error->code : EIO, message, strlen(message), NULL);
}
