/* Unit tests of the messages between ocirun and its children (sync.h) and
 * of what the seccomp listener receives (seccomp_listener.h): payloads and
 * passed fds arrive whole, EOF between messages is told apart from EOF in
 * one, and the container process state is the document the runtime-spec
 * describes, with the fd alongside. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "seccomp_listener.h"
#include "sync.h"
#include "tap.h"

static char temp_dir[] = "/tmp/ocirun-test-sync.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        remove(path);
        return 0;
}

static void remove_temp_dir(void)
{
        nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool pair(int fds[2])
{
        return tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0, "socketpair");
}

static void test_payload(void)
{
        int fds[2];
        if (!pair(fds))
                return;
        ocirun_error *error = NULL;
        sync_message message = {.fd = -1};
        int r = sync_send(fds[0], SYNC_ERROR, 13, "it broke", 8, &error);
        if (r == 0)
                r = sync_receive(fds[1], &message, "the child", &error);
        tap_ok(r == 0 && message.type == SYNC_ERROR && message.value == 13 &&
                   message.payload_len == 8 && strcmp(message.payload, "it broke") == 0 &&
                   !message.has_fd,
               "a message arrives with its type, value and payload, without an fd");
        sync_message_clear(&message);
        ocirun_error_free(error);
        close(fds[0]);
        close(fds[1]);
}

static void test_fd(void)
{
        int fds[2], pipe_fds[2];
        if (!pair(fds) || !tap_ok(pipe(pipe_fds) == 0, "pipe"))
                return;
        ocirun_error *error = NULL;
        sync_message message = {.fd = -1};
        int r = sync_send_fd(fds[0], SYNC_SECCOMP_FD, pipe_fds[1], &error);
        close(pipe_fds[1]);
        if (r == 0)
                r = sync_receive(fds[1], &message, "the child", &error);
        tap_ok(r == 0 && message.type == SYNC_SECCOMP_FD && message.has_fd && message.fd >= 0,
               "a passed fd arrives with its message");
        if (message.has_fd) {
                char byte = 0;
                tap_ok(fcntl(message.fd, F_GETFD) & FD_CLOEXEC, "the received fd is CLOEXEC");
                tap_ok(write(message.fd, "x", 1) == 1 && read(pipe_fds[0], &byte, 1) == 1 &&
                           byte == 'x',
                       "the received fd is the sent one");
        }
        int received = message.fd;
        sync_message_clear(&message);
        tap_ok(fcntl(received, F_GETFD) < 0 && errno == EBADF,
               "sync_message_clear closes the received fd");
        sync_message empty = {0};
        sync_message_clear(&empty);
        tap_ok(fcntl(0, F_GETFD) >= 0, "clearing a message without an fd leaves fd 0 alone");
        ocirun_error_free(error);
        close(pipe_fds[0]);
        close(fds[0]);
        close(fds[1]);
}

static void test_eof(void)
{
        int fds[2];
        if (!pair(fds))
                return;
        ocirun_error *error = NULL;
        sync_message message = {.fd = -1};
        sync_send(fds[0], SYNC_READY, 0, NULL, 0, NULL);
        close(fds[0]);
        int r = sync_receive_until_eof(fds[1], &message, "the child", &error);
        tap_ok(r == 0 && message.type == SYNC_READY, "until_eof: the message before EOF");
        sync_message_clear(&message);
        r = sync_receive_until_eof(fds[1], &message, "the child", &error);
        tap_ok(r == 0 && message.type == SYNC_EOF, "until_eof: EOF between messages is SYNC_EOF");
        r = sync_receive(fds[1], &message, "the child", &error);
        tap_ok(r == -EPIPE && error &&
                   strcmp(error->message, "the child exited without saying why") == 0,
               "sync_receive: EOF is an error naming the peer");
        ocirun_error_free(error);
        error = NULL;
        close(fds[1]);

        /* A header cut short. */
        if (!pair(fds))
                return;
        tap_ok(write(fds[0], "\1\0\0", 3) == 3, "write half a header");
        close(fds[0]);
        r = sync_receive_until_eof(fds[1], &message, "the child", &error);
        tap_ok(r == -EPIPE && error && strstr(error->message, "exited without saying why"),
               "until_eof: EOF inside a message is still an error");
        ocirun_error_free(error);
        close(fds[1]);
}

static void test_listener(void)
{
        char path[sizeof(temp_dir) + 16];
        snprintf(path, sizeof(path), "%s/agent.sock", temp_dir);
        ocispec_linux_seccomp seccomp = {.listener_path = path, .listener_metadata = "meta"};
        ocispec_state state = {.oci_version = "1.3.0",
                               .id = "c1",
                               .status = "creating",
                               .pid = 42,
                               .has_pid = true,
                               .bundle = "/b"};
        ocirun_error *error = NULL;
        int pipe_fds[2];
        if (!tap_ok(pipe(pipe_fds) == 0, "pipe"))
                return;

        int r = seccomp_listener_send(&seccomp, &state, 43, pipe_fds[1], &error);
        char expected[256];
        snprintf(expected, sizeof(expected),
                 "linux.seccomp.listenerPath: connect to `%s`: No such file or directory", path);
        tap_ok(r == -ENOENT && error && strcmp(error->message, expected) == 0,
               "no listener: the error names the path and the reason");
        if (r != -ENOENT && error)
                tap_diag("%s", error->message);
        ocirun_error_free(error);
        error = NULL;

        struct sockaddr_un address = {.sun_family = AF_UNIX};
        strcpy(address.sun_path, path);
        int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!tap_ok(bind(listener, (struct sockaddr *) &address, sizeof(address)) == 0 &&
                        listen(listener, 1) == 0,
                    "listen at %s", path))
                return;
        r = seccomp_listener_send(&seccomp, &state, 43, pipe_fds[1], &error);
        tap_ok(r == 0, "the state goes to a listener");
        int conn = accept(listener, NULL, NULL);

        char json[4096];
        size_t len = 0;
        int received = -1;
        for (;;) {
                char control[CMSG_SPACE(sizeof(int))];
                struct iovec iov = {.iov_base = json + len, .iov_len = sizeof(json) - 1 - len};
                struct msghdr msg = {.msg_iov = &iov,
                                     .msg_iovlen = 1,
                                     .msg_control = control,
                                     .msg_controllen = sizeof(control)};
                ssize_t n = recvmsg(conn, &msg, 0);
                struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
                if (c && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&received, CMSG_DATA(c), sizeof(int));
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        json[len] = '\0';
        tap_ok(len > 0, "one message, then the runtime closes the connection");

        ocispec_container_process_state *doc = NULL;
        char *parse_error = NULL;
        r = ocispec_container_process_state_parse_data(json, len, "message", &doc, &parse_error);
        tap_ok(r == 0 && doc, "the message is a container process state");
        if (r < 0)
                tap_diag("%s: %s", json, parse_error);
        if (doc) {
                tap_ok(strcmp(doc->oci_version, "1.3.0") == 0 && doc->fds_len == 1 &&
                           strcmp(doc->fds[0], "seccompFd") == 0 && doc->pid == 43 &&
                           strcmp(doc->metadata, "meta") == 0,
                       "ociVersion, fds [\"seccompFd\"], pid and metadata");
                tap_ok(doc->state && strcmp(doc->state->id, "c1") == 0 &&
                           strcmp(doc->state->status, "creating") == 0 && doc->state->pid == 42 &&
                           strcmp(doc->state->bundle, "/b") == 0,
                       "the container's state");
        }
        char byte = 0;
        tap_ok(received >= 0 && write(received, "y", 1) == 1 && read(pipe_fds[0], &byte, 1) == 1 &&
                   byte == 'y',
               "the fd came along and is the one given");
        ocispec_container_process_state_free(doc);
        free(parse_error);
        ocirun_error_free(error);
        close(received);
        close(conn);
        close(listener);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
}

int main(void)
{
        if (!mkdtemp(temp_dir)) {
                printf("Bail out! mkdtemp: %s\n", strerror(errno));
                return 1;
        }
        atexit(remove_temp_dir);

        test_payload();
        test_fd();
        test_eof();
        test_listener();
        return tap_done();
}
