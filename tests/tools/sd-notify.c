/* sd-notify MESSAGE...: sends the messages, one per line, as one datagram to
 * $NOTIFY_SOCKET, as systemd-notify does. Linked statically so the tests can
 * copy it into a bare busybox rootfs; busybox has no unix datagram client. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        char message[4096];
        size_t len = 0;

        if (!path || !*path || strlen(path) >= sizeof(address.sun_path)) {
                fprintf(stderr, "sd-notify: NOTIFY_SOCKET is not set to a usable path\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                int n = snprintf(message + len, sizeof(message) - len, "%s\n", argv[i]);
                if (n < 0 || (size_t) n >= sizeof(message) - len) {
                        fprintf(stderr, "sd-notify: message too long\n");
                        return 2;
                }
                len += (size_t) n;
        }
        strcpy(address.sun_path, path);
        if (path[0] == '@')
                address.sun_path[0] = '\0';
        socklen_t address_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path));
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0 || sendto(fd, message, len, 0, (struct sockaddr *) &address, address_len) < 0) {
                fprintf(stderr, "sd-notify: send to %s: %s\n", path, strerror(errno));
                return 1;
        }
        return 0;
}
