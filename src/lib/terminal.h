/* Terminals: the container's pty, handing its master to whoever asked for
 * it over --console-socket, and `run`'s foreground tty proxy. */
#ifndef OCIRUN_TERMINAL_H
#define OCIRUN_TERMINAL_H

#include <signal.h>
#include <stdbool.h>

#include "ocirun.h"

/* Connects to the unix socket at path (done by the parent on the host, so
 * the child can use the fd after pivot_root). */
int terminal_connect_console_socket(const char *path, int *ret_fd, ocirun_error **error);

/* In the container after pivot_root and /dev/pts is mounted: opens a new pty
 * from /dev/ptmx, sets its size from process.consoleSize when given, and
 * returns the master, the slave and the slave's path (/dev/pts/N). */
int terminal_open_pty(const ocispec_process *process, int *ret_master, int *ret_slave,
                      char **ret_slave_path, ocirun_error **error);

/* Sends fd over the connected unix socket with SCM_RIGHTS (and a short
 * name payload, as runc sends), as conmon and the containerd shim expect. */
int terminal_send_fd(int socket_fd, int fd, ocirun_error **error);

/* Makes slave the calling process's controlling terminal (setsid,
 * TIOCSCTTY) and its stdin, stdout and stderr. */
int terminal_become_controlling(int slave, ocirun_error **error);

/* `run`/`exec` in the foreground with a terminal and no --console-socket:
 * the caller gets the master; this puts our own stdin's tty in raw mode,
 * copies stdin -> master and master -> stdout until the master hangs up or
 * the child with pidfd exits, forwards window size changes (SIGWINCH), and
 * restores the tty. */
int terminal_proxy(int master, int pidfd, ocirun_error **error);

/* terminal_proxy that also passes each signal in forward (e.g. SIGINT,
 * SIGTERM, SIGHUP) that ocirun receives meanwhile on to the child with
 * pidfd_send_signal, so `run` needs no second event loop. The signals are
 * blocked and read from a signalfd while the proxy runs; the caller's signal
 * mask is restored on return. SIGCHLD is never forwarded. */
int terminal_proxy_forward(int master, int pidfd, const sigset_t *forward, ocirun_error **error);

#endif
