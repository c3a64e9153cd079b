/* The id maps of a new user namespace (see id_maps.h). The kernel takes a
 * map from a process that holds CAP_SETUID (CAP_SETGID) over the parent
 * namespace; from anyone else only the single line that maps its own id,
 * and a gid map only after setgroups is denied. Everything else an
 * unprivileged caller asks for goes through shadow's newuidmap and
 * newgidmap, as runc does: they are setuid root and allow what
 * /etc/subuid and /etc/subgid grant the user. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "id_maps.h"
#include "util/cleanup.h"

bool id_maps_caller_is_rootless(void)
{
        static int cached = -1;
        if (cached < 0) {
                _cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
                unsigned long inside = 1, outside = 1, count = 0;
                bool initial = f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
                               inside == 0 && outside == 0 && count == 4294967295UL;
                cached = geteuid() != 0 || !initial;
        }
        return cached;
}

char *id_map_text(const ocispec_id_mapping *maps, size_t n)
{
        char *text = NULL;
        size_t len = 0;
        _cleanup_fclose_ FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%u %u %u\n", maps[i].container_id, maps[i].host_id, maps[i].size);
        bool failed = ferror(f) != 0;
        if (fclose(steal_pointer(&f)) != 0 || failed) {
                free(text);
                return NULL;
        }
        return text;
}

bool id_map_is_only(const ocispec_id_mapping *maps, size_t n, unsigned id)
{
        return n == 1 && maps[0].host_id == id && maps[0].size == 1;
}

static char *number_text(long long value)
{
        char *text;
        return asprintf(&text, "%lld", value) < 0 ? NULL : text;
}

int id_map_helper_argv(const char *program, pid_t pid, const ocispec_id_mapping *maps, size_t n,
                       char ***ret, ocirun_error **error)
{
        /* Zeroed: on failure strv_free frees what was made, up to the
         * first hole, and nothing lies beyond it. */
        _cleanup_strv_ char **argv = calloc(3 * n + 3, sizeof(*argv));
        if (!argv || !(argv[0] = strdup(program)) || !(argv[1] = number_text(pid)))
                return OOM(error);
        for (size_t i = 0; i < n; i++) {
                char **triple = &argv[2 + 3 * i];
                if (!(triple[0] = number_text(maps[i].container_id)) ||
                    !(triple[1] = number_text(maps[i].host_id)) ||
                    !(triple[2] = number_text(maps[i].size)))
                        return OOM(error);
        }
        *ret = steal_pointer(&argv);
        return 0;
}

static int write_proc_file(pid_t pid, const char *file, const char *text, ocirun_error **error)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(error, errno, "open `%s`", path);
        /* The kernel takes the whole map in one write or not at all. */
        size_t len = strlen(text);
        if (write(fd, text, len) < 0) {
                int err = errno;
                return error_set(error, err, "write %s `%.*s`: %s%s", file,
                                 (int) (len && text[len - 1] == '\n' ? len - 1 : len), text,
                                 strerror(err),
                                 err == EPERM && id_maps_caller_is_rootless()
                                     ? " (an unprivileged caller maps only its own id itself)"
                                     : "");
        }
        return 0;
}

/* Runs HELPER PID TRIPLES... and waits; its own complaint (it names the
 * range /etc/subuid does not grant) becomes the error. */
static int run_helper(const char *helper, pid_t pid, const ocispec_id_mapping *maps, size_t n,
                      ocirun_error **error)
{
        _cleanup_strv_ char **argv = NULL;
        int r = id_map_helper_argv(helper, pid, maps, n, &argv, error);
        if (r < 0)
                return r;
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return error_set_errno(error, errno, "create a pipe for %s", helper);
        _cleanup_close_ int out_read = fds[0];
        _cleanup_close_ int out_write = fds[1];
        pid_t child = fork();
        if (child < 0)
                return error_set_errno(error, errno, "fork %s", helper);
        if (child == 0) {
                dup2(out_write, STDOUT_FILENO);
                dup2(out_write, STDERR_FILENO);
                execvp(helper, argv);
                dprintf(STDERR_FILENO, "%s", strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(steal_fd(&out_write));
        char said[512];
        size_t len = 0;
        ssize_t got;
        while (len < sizeof(said) - 1 &&
               ((got = read(out_read, said + len, sizeof(said) - 1 - len)) > 0 ||
                (got < 0 && errno == EINTR)))
                if (got > 0)
                        len += (size_t) got;
        said[len] = '\0';
        while (len && (said[len - 1] == '\n' || said[len - 1] == ' '))
                said[--len] = '\0';
        for (char *c = said; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        int status;
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set_errno(error, errno, "wait for %s", helper);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return error_set(error, ENOENT,
                                 "mapping more than your own id needs `%s` (Debian's uidmap "
                                 "package), which is not on PATH",
                                 helper);
        return error_set(error, EPERM, "%s refused the mappings: %s", helper,
                         *said ? said : "(it said nothing)");
}

static int write_one(pid_t pid, const char *file, const char *helper,
                     const ocispec_id_mapping *maps, size_t n, unsigned own_id,
                     ocirun_error **error)
{
        if (id_maps_caller_is_rootless() && !id_map_is_only(maps, n, own_id))
                return run_helper(helper, pid, maps, n, error);
        /* An unprivileged writer of a gid map must give up setgroups first,
         * so that dropping groups cannot become a way into files denied to
         * them. */
        if (strcmp(file, "gid_map") == 0 && id_maps_caller_is_rootless()) {
                int r = write_proc_file(pid, "setgroups", "deny", error);
                if (r < 0)
                        return r;
        }
        _cleanup_free_ char *text = id_map_text(maps, n);
        if (!text)
                return OOM(error);
        return write_proc_file(pid, file, text, error);
}

int id_maps_write(pid_t pid, const ocispec_linux *linux_config, ocirun_error **error)
{
        int r = write_one(pid, "uid_map", "newuidmap", linux_config->uid_mappings,
                          linux_config->uid_mappings_len, (unsigned) geteuid(), error);
        if (r < 0)
                return error_prefix(error, "config.json: linux.uidMappings");
        r = write_one(pid, "gid_map", "newgidmap", linux_config->gid_mappings,
                      linux_config->gid_mappings_len, (unsigned) getegid(), error);
        if (r < 0)
                return error_prefix(error, "config.json: linux.gidMappings");
        return 0;
}
