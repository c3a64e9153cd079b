/* Length-prefixed messages over the create socketpair (SOCK_STREAM, so a
 * state JSON of any size fits in one message). */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "sync.h"
#include "util/fdpass.h"

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

/* Reads len bytes; an fd passed along with them lands in *passed_fd (when
 * passed_fd is not NULL; otherwise it is closed). 0 bytes at all before
 * EOF is -ENODATA, EOF later -EPIPE. */
static int read_all(int fd, void *buf, size_t len, int *passed_fd)
{
        char *p = buf;
        size_t got = 0;
        while (got < len) {
                union {
                        struct cmsghdr align;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                struct iovec iov = {.iov_base = p + got, .iov_len = len - got};
                struct msghdr msg = {.msg_iov = &iov,
                                     .msg_iovlen = 1,
                                     .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf)};
                ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                                continue;
                        int received;
                        memcpy(&received, CMSG_DATA(c), sizeof(received));
                        if (passed_fd && *passed_fd < 0)
                                *passed_fd = received;
                        else
                                close(received);
                }
                if (n == 0)
                        return got == 0 ? -ENODATA : -EPIPE;
                got += (size_t) n;
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

int sync_send_fd(int fd, sync_type type, int passed_fd, ocirun_error **error)
{
        struct sync_header header = {.type = type};
        ssize_t n = fd_send_with_data(fd, &header, sizeof(header), passed_fd);
        if (n < 0)
                return error_set_errno(error, (int) -n, "pass an fd to the other side");
        /* A unix stream socket takes a header this small whole, or not at
         * all (EAGAIN on a non-blocking socket, which this is not). */
        if ((size_t) n != sizeof(header))
                return error_set(error, EIO, "pass an fd to the other side: short send");
        return 0;
}

static int receive(int fd, sync_message *ret, const char *what, bool until_eof,
                   ocirun_error **error)
{
        struct sync_header header;
        int passed_fd = -1;
        int r = read_all(fd, &header, sizeof(header), &passed_fd);
        if (r == -ENODATA && until_eof) {
                *ret = (sync_message){.type = SYNC_EOF, .fd = -1};
                return 0;
        }
        if (r == -ENODATA || r == -EPIPE) {
                if (passed_fd >= 0)
                        close(passed_fd);
                return error_set(error, EPIPE, "%s exited without saying why", what);
        }
        if (r < 0) {
                if (passed_fd >= 0)
                        close(passed_fd);
                return error_set_errno(error, -r, "read from %s", what);
        }
        *ret = (sync_message){.type = (sync_type) header.type,
                              .value = header.value,
                              .fd = passed_fd,
                              .has_fd = passed_fd >= 0};
        if (header.payload_len > SYNC_MAX_PAYLOAD) {
                sync_message_clear(ret);
                return error_set(error, EPROTO, "%s sent a message too large", what);
        }
        if (header.payload_len) {
                ret->payload = malloc(header.payload_len + 1);
                if (!ret->payload) {
                        sync_message_clear(ret);
                        return error_set(error, ENOMEM, "out of memory");
                }
                ret->payload_len = header.payload_len;
                r = read_all(fd, ret->payload, header.payload_len, NULL);
                if (r < 0) {
                        sync_message_clear(ret);
                        return error_set(error, EPIPE, "%s exited in the middle of a message",
                                         what);
                }
                ret->payload[header.payload_len] = '\0';
        }
        return 0;
}

int sync_receive(int fd, sync_message *ret, const char *what, ocirun_error **error)
{
        return receive(fd, ret, what, false, error);
}

int sync_receive_until_eof(int fd, sync_message *ret, const char *what, ocirun_error **error)
{
        return receive(fd, ret, what, true, error);
}

void sync_message_clear(sync_message *message)
{
        free(message->payload);
        if (message->has_fd)
                close(message->fd);
        *message = (sync_message){.fd = -1};
}

void sync_send_error(int fd, const ocirun_error *error)
{
        const char *message = error && error->message ? error->message : "failed";
        sync_send(fd, SYNC_ERROR, error ? error->code : EIO, message, strlen(message), NULL);
}
