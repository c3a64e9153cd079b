/* Unit tests of the container's filesystem (rootfs.c, mounts.c, devices.c).
 * Each scenario builds a busybox rootfs in a temporary directory and runs
 * rootfs_prepare -> rootfs_pivot -> rootfs_finish in a forked child that
 * has unshared its mount namespace (and cgroup namespace when asked), so
 * the test process never changes the host: the child checks what it sees
 * from inside and reports each check over a pipe, the parent turns the
 * reports into TAP lines and then checks that the host's mountinfo and the
 * host directories the attacks aimed at are untouched. Needs root. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices.h"
#include "error.h"
#include "mounts.h"
#include "rootfs.h"
#include "tap.h"

/* The temporary directory of the whole run; removed at exit. */
static char top[PATH_MAX];

/* ---- small helpers ------------------------------------------------------- */

static void die(const char *what)
{
        perror(what);
        exit(EXIT_FAILURE);
}

__attribute__((format(printf, 1, 2))) static char *format(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                die("vasprintf");
        va_end(ap);
        return s;
}

static void write_file(const char *path, const char *content, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                die(path);
        size_t len = strlen(content);
        if (write(fd, content, len) != (ssize_t) len)
                die(path);
        close(fd);
}

static char *read_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t size = 0, capacity = 4096;
        char *data = malloc(capacity + 1);
        for (;;) {
                if (size == capacity) {
                        capacity *= 2;
                        data = realloc(data, capacity + 1);
                }
                ssize_t n = read(fd, data + size, capacity - size);
                if (n <= 0)
                        break;
                size += (size_t) n;
        }
        close(fd);
        data[size] = '\0';
        return data;
}

static void make_dir(const char *path, mode_t mode)
{
        if (mkdir(path, mode) < 0)
                die(path);
        chmod(path, mode);
}

static void copy_binary(const char *from, const char *to)
{
        int in = open(from, O_RDONLY | O_CLOEXEC);
        int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (in < 0 || out < 0)
                die(from);
        char buffer[65536];
        ssize_t n;
        while ((n = read(in, buffer, sizeof(buffer))) > 0)
                if (write(out, buffer, (size_t) n) != n)
                        die(to);
        close(in);
        close(out);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st;
        (void) ftw;
        if (flag == FTW_DP)
                rmdir(path);
        else
                unlink(path);
        return 0;
}

/* FTW_MOUNT: never descend into something mounted (there should be nothing:
 * every mount lives in a child's namespace). */
static void remove_tree(const char *path)
{
        nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void cleanup_top(void)
{
        if (top[0])
                remove_tree(top);
}

static bool dir_is_empty(const char *path)
{
        DIR *d = opendir(path);
        if (!d)
                return false;
        struct dirent *e;
        bool empty = true;
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                        empty = false;
        closedir(d);
        return empty;
}

/* ---- reports from the child ----------------------------------------------- */

static int report_fd = -1;

/* One line per check: "1 name" or "0 name: why". */
__attribute__((format(printf, 2, 3))) static bool report(bool ok, const char *fmt, ...)
{
        char line[1024];
        va_list ap;
        int n = snprintf(line, sizeof(line), "%d ", ok ? 1 : 0);
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
        va_end(ap);
        for (char *c = line; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        size_t len = strlen(line);
        line[len++] = '\n';
        if (write(report_fd, line, len) < 0)
                _exit(3);
        return ok;
}

static bool report_call(int r, ocirun_error *error, const char *what)
{
        return report(r == 0, "%s%s%s", what, r ? ": " : "",
                      r ? (error && error->message ? error->message : "(no message)") : "");
}

/* ---- checks run inside the container ---------------------------------------- */

static mountinfo *container_mounts(void)
{
        mountinfo *info = NULL;
        ocirun_error *error = NULL;
        if (mountinfo_read("/proc/self/mountinfo", &info, &error) < 0) {
                report(false, "read /proc/self/mountinfo: %s", error->message);
                ocirun_error_free(error);
                return NULL;
        }
        return info;
}

/* The topmost mount at mount_point (the last in mountinfo order). */
static const mountinfo_entry *find_mount(const mountinfo *info, const char *mount_point)
{
        const mountinfo_entry *found = NULL;
        for (size_t i = 0; info && i < info->len; i++)
                if (strcmp(info->entries[i].mount_point, mount_point) == 0)
                        found = &info->entries[i];
        return found;
}

static bool has_option(const char *options, const char *option)
{
        size_t len = strlen(option);
        for (const char *p = options; p && *p;) {
                const char *end = strchrnul(p, ',');
                if ((size_t) (end - p) == len && strncmp(p, option, len) == 0)
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

/* want: comma-separated per-mount options that must be present ("!x": absent). */
static void check_mount(const mountinfo *info, const char *mount_point, const char *fstype,
                        const char *want)
{
        const mountinfo_entry *e = find_mount(info, mount_point);
        if (!e) {
                report(false, "%s is mounted", mount_point);
                return;
        }
        bool ok = !fstype || strcmp(e->fstype, fstype) == 0;
        char *copy = strdup(want ? want : "");
        for (char *save = NULL, *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
                if (w[0] == '!' ? has_option(e->options, w + 1) : !has_option(e->options, w))
                        ok = false;
        free(copy);
        report(ok, "%s is %s with %s (got %s, %s)", mount_point, fstype ? fstype : "mounted",
               want ? want : "any options", e->fstype, e->options);
}

static void check_device(const char *path, mode_t type, unsigned major_number,
                         unsigned minor_number, mode_t mode, uid_t uid, gid_t gid)
{
        struct stat st;
        if (lstat(path, &st) < 0) {
                report(false, "%s exists: %m", path);
                return;
        }
        bool ok = (st.st_mode & S_IFMT) == type && (st.st_mode & 07777) == mode &&
                  st.st_uid == uid && st.st_gid == gid &&
                  (type == S_IFIFO ||
                   (major(st.st_rdev) == major_number && minor(st.st_rdev) == minor_number));
        report(ok, "%s is %s %u:%u mode %o owner %u:%u (got mode %o rdev %u:%u owner %u:%u)", path,
               type == S_IFCHR   ? "char"
               : type == S_IFBLK ? "block"
                                 : "fifo",
               major_number, minor_number, mode, uid, gid, st.st_mode, major(st.st_rdev),
               minor(st.st_rdev), st.st_uid, st.st_gid);
}

static void check_link(const char *path, const char *target)
{
        char buffer[PATH_MAX];
        ssize_t n = readlink(path, buffer, sizeof(buffer) - 1);
        if (n >= 0)
                buffer[n] = '\0';
        report(n >= 0 && strcmp(buffer, target) == 0, "%s -> %s (got %s)", path, target,
               n >= 0 ? buffer : "no link");
}

static void check_content(const char *path, const char *expected)
{
        char *content = read_file(path);
        report(content && strcmp(content, expected) == 0, "%s reads \"%s\" (got \"%s\")", path,
               expected, content ? content : "(cannot open)");
        free(content);
}

static void check_write_fails(const char *path, int expected_errno)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        int errnum = errno;
        if (fd >= 0)
                close(fd);
        report(fd < 0 && errnum == expected_errno, "writing %s fails with %s (got %s)", path,
               strerror(expected_errno), fd >= 0 ? "success" : strerror(errnum));
}

static void check_write_works(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        report(fd >= 0, "writing %s works%s%s", path, fd < 0 ? ": " : "",
               fd < 0 ? strerror(errno) : "");
        if (fd >= 0)
                close(fd);
}

static void check_fs_type(const char *path, unsigned long magic, const char *name)
{
        struct statfs st;
        bool ok = statfs(path, &st) == 0 && (unsigned long) st.f_type == magic;
        report(ok, "%s is on %s", path, name);
}

static void check_absent(const char *path)
{
        struct stat st;
        report(lstat(path, &st) < 0 && errno == ENOENT, "%s is not visible", path);
}

static void check_exec_busybox(void)
{
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/busybox", "busybox", "true", (char *) NULL);
                _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        report(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "/bin/busybox true runs inside the rootfs");
}

/* ---- scenarios ------------------------------------------------------------ */

typedef struct scenario {
        const char *name;
        char *json; /* config.json */
        char *bundle;
        char *rootfs;
        bool cgroup_namespace;
        bool no_pivot;
        const char *cgroup_path;
        /* Run in the child between rootfs_pivot and rootfs_finish, and after. */
        void (*after_pivot)(const struct scenario *);
        void (*after_finish)(const struct scenario *);
        /* A scenario that must fail: the step ("prepare" or "finish") and
         * a piece of the message expected. */
        const char *expected_failure_step;
        const char *expected_message;
} scenario;

static char *host_mountinfo(void)
{
        return read_file("/proc/self/mountinfo");
}

/* For a scenario that must fail at step: reports whether it did, with the
 * expected message, and returns true (the child is done). */
static bool expect_failure(const scenario *s, const char *step, int r, const ocirun_error *error)
{
        if (!s->expected_failure_step || strcmp(s->expected_failure_step, step) != 0)
                return false;
        const char *message = error && error->message ? error->message : "";
        report(r < 0 && strstr(message, s->expected_message),
               "rootfs_%s fails with a message naming \"%s\" (got %d: %s)", step,
               s->expected_message, r, message);
        return true;
}

static void child_main(const scenario *s)
{
        if (unshare(CLONE_NEWNS | (s->cgroup_namespace ? CLONE_NEWCGROUP : 0)) < 0) {
                report(false, "unshare: %m");
                _exit(1);
        }
        ocispec_config *config = NULL;
        char *parse_error = NULL;
        if (ocispec_config_parse_data(s->json, strlen(s->json), "config.json", &config,
                                      &parse_error) < 0) {
                report(false, "parse config.json: %s", parse_error ? parse_error : "?");
                _exit(1);
        }
        rootfs_context context = {
            .config = config,
            .bundle = s->bundle,
            .rootfs = s->rootfs,
            .no_pivot = s->no_pivot,
            .cgroup_path = s->cgroup_path,
            .has_cgroup_namespace = s->cgroup_namespace,
        };
        ocirun_error *error = NULL;
        if (!report_call(rootfs_validate(config, &error), error, "rootfs_validate"))
                _exit(1);
        int r = rootfs_prepare(&context, &error);
        if (expect_failure(s, "prepare", r, error))
                _exit(0);
        if (!report_call(r, error, "rootfs_prepare"))
                _exit(1);
        if (!report_call(rootfs_pivot(&context, &error), error, "rootfs_pivot"))
                _exit(1);
        if (s->after_pivot)
                s->after_pivot(s);
        r = rootfs_finish(&context, &error);
        if (expect_failure(s, "finish", r, error))
                _exit(0);
        if (!report_call(r, error, "rootfs_finish"))
                _exit(1);
        if (s->after_finish)
                s->after_finish(s);
        ocispec_config_free(config);
        _exit(0);
}

/* Runs s in a child and turns its reports into TAP lines. */
static void run_scenario(const scenario *s)
{
        char *before = host_mountinfo();
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                die("pipe");
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                close(fds[0]);
                report_fd = fds[1];
                child_main(s);
        }
        close(fds[1]);
        FILE *reports = fdopen(fds[0], "r");
        char *line = NULL;
        size_t size = 0;
        int count = 0;
        while (getline(&line, &size, reports) >= 0) {
                line[strcspn(line, "\n")] = '\0';
                tap_ok(line[0] == '1', "%s: %s", s->name, line + 2);
                count++;
        }
        free(line);
        fclose(reports);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && count > 0,
               "%s: the child finished its checks (status %d, %d reports)", s->name, status, count);
        char *after = host_mountinfo();
        tap_ok(before && after && strcmp(before, after) == 0,
               "%s: the host's mountinfo is unchanged", s->name);
        free(before);
        free(after);
}

/* A bundle with a busybox rootfs: bin/busybox, etc, proc, sys, dev, tmp. */
static void make_bundle(scenario *s, const char *name)
{
        s->bundle = format("%s/%s", top, name);
        s->rootfs = format("%s/rootfs", s->bundle);
        make_dir(s->bundle, 0755);
        make_dir(s->rootfs, 0755);
        const char *dirs[] = {"bin", "etc", "proc", "sys", "tmp"};
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                char *p = format("%s/%s", s->rootfs, dirs[i]);
                make_dir(p, strcmp(dirs[i], "tmp") == 0 ? 01777 : 0755);
                free(p);
        }
        char *busybox = format("%s/bin/busybox", s->rootfs);
        copy_binary("/bin/busybox", busybox);
        free(busybox);
}

/* ---- scenario: a full container ---------------------------------------------- */

static bool host_has_kcore;
static bool host_cgroup_v1; /* /sys/fs/cgroup is a tmpfs of hierarchies */
static bool host_has_cpu_hierarchy;
static bool host_has_unified;
static const char *suffix; /* of the temporary directory: unique names for this run */
static const char *const escape_names[] = {"mnt-a", "escape-b", "escape-c"};
static char *host_secret; /* a host file a masked-path symlink aims at */
static char *host_target; /* a host directory a destination symlink aims at */
static char *host_marker; /* a host file the container must not see */

static void full_after_pivot(const scenario *s)
{
        (void) s;
        /* The console: a pty of the container's devpts bound on /dev/console. */
        int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (!report(master >= 0, "open /dev/ptmx inside the container"))
                return;
        unlockpt(master);
        char *slave = ptsname(master);
        ocirun_error *error = NULL;
        int r = rootfs_bind_console(slave ? slave : "", &error);
        report_call(r, error, "rootfs_bind_console");
        struct stat console, pty;
        report(r == 0 && stat("/dev/console", &console) == 0 && slave && stat(slave, &pty) == 0 &&
                   console.st_rdev == pty.st_rdev,
               "/dev/console is the pty slave %s", slave ? slave : "?");
        ocirun_error_free(error);
        close(master);
}

static void full_after_finish(const scenario *s)
{
        mountinfo *info = container_mounts();

        /* The pivot: the rootfs is /, the host's root and files are gone. */
        const mountinfo_entry *root = find_mount(info, "/");
        size_t rootfs_len = strlen(s->rootfs);
        report(root && strlen(root->root) >= rootfs_len &&
                   strcmp(root->root + strlen(root->root) - strlen("/rootfs"), "/rootfs") == 0,
               "/ is the rootfs bind (root field %s)", root ? root->root : "none");
        bool host_root_visible = false;
        for (size_t i = 0; info && i < info->len; i++)
                if (strcmp(info->entries[i].root, "/") == 0 &&
                    strcmp(info->entries[i].fstype, root ? root->fstype : "") == 0)
                        host_root_visible = true;
        report(!host_root_visible, "the host's root filesystem is not mounted anywhere");
        check_absent(host_marker);
        check_exec_busybox();

        /* Mounts and their flags. */
        check_mount(info, "/", NULL, "ro");
        check_mount(info, "/proc", "proc", NULL);
        check_mount(info, "/dev", "tmpfs", "nosuid,!relatime,!noatime,ro");
        check_mount(info, "/dev/pts", "devpts", "nosuid,noexec");
        check_mount(info, "/dev/shm", "tmpfs", "nosuid,nodev,noexec");
        check_mount(info, "/dev/mqueue", "mqueue", "nosuid,nodev,noexec");
        check_mount(info, "/sys", "sysfs", "ro,nosuid,nodev,noexec");
        check_mount(info, "/sys/fs/cgroup", host_cgroup_v1 ? "tmpfs" : "cgroup2",
                    "ro,nosuid,nodev,noexec");
        check_mount(info, "/tmp", "tmpfs", "rw,nosuid,nodev,noatime");
        check_mount(info, "/etc/hostfile", NULL, "ro");
        check_mount(info, "/data", NULL, "rw,nosuid,noexec");
        check_mount(info, "/data/ro-sub", NULL, "ro");
        check_mount(info, "/reldest", "tmpfs", "ro");
        struct statfs reldest;
        bool statfs_ok = statfs("/reldest", &reldest) == 0;
        report(statfs_ok && (unsigned long long) reldest.f_blocks * reldest.f_bsize == 2 << 20,
               "remount gave /reldest its new size of 2m (got %llu bytes)",
               statfs_ok ? (unsigned long long) reldest.f_blocks * reldest.f_bsize : 0);
        const mountinfo_entry *data = find_mount(info, "/data");
        report(data && strstr(data->optional, "shared:"), "/data is shared (got \"%s\")",
               data ? data->optional : "");
        check_link("/etc/copied-link", "../some/target");
        check_mount(info, "/proc/sys", "proc", "ro");

        /* The cgroup hierarchies the host has, in the namespace. */
        const mountinfo_entry *cpu = NULL;
        if (host_cgroup_v1)
                cpu = find_mount(info, "/sys/fs/cgroup/cpu");
        const mountinfo_entry *unified = find_mount(info, "/sys/fs/cgroup/unified");
        if (host_cgroup_v1 && host_has_cpu_hierarchy)
                report(cpu && strcmp(cpu->fstype, "cgroup") == 0 &&
                           has_option(cpu->options, "ro") && strcmp(cpu->root, "/") == 0,
                       "/sys/fs/cgroup/cpu is a read-only cgroup mount of the namespace's root");
        if (host_cgroup_v1 && host_has_unified)
                report(unified && strcmp(unified->fstype, "cgroup2") == 0,
                       "/sys/fs/cgroup/unified is cgroup2");

        /* Default and configured devices, and the links. */
        check_device("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
        check_device("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0);
        check_device("/dev/full", S_IFCHR, 1, 7, 0666, 0, 0);
        check_device("/dev/random", S_IFCHR, 1, 8, 0666, 0, 0);
        check_device("/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0);
        check_device("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
        check_device("/dev/fuse", S_IFCHR, 10, 229, 0640, 0, 0);
        check_device("/dev/sub/loop7", S_IFBLK, 7, 7, 0600, 1, 2);
        check_device("/dev/fifo", S_IFIFO, 0, 0, 0666, 0, 0);
        check_link("/dev/fd", "/proc/self/fd");
        check_link("/dev/stdin", "/proc/self/fd/0");
        check_link("/dev/stdout", "/proc/self/fd/1");
        check_link("/dev/stderr", "/proc/self/fd/2");
        check_link("/dev/ptmx", "pts/ptmx");
        if (host_has_kcore)
                check_link("/dev/core", "/proc/kcore");
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        report(null_fd >= 0 && write(null_fd, "x", 1) == 1, "/dev/null works");
        if (null_fd >= 0)
                close(null_fd);

        /* Binds, tmpcopyup, masked and read-only paths, read-only root. */
        check_content("/etc/hostfile", "hello from the host\n");
        check_write_fails("/etc/hostfile", EROFS);
        check_write_works("/data/new-file");
        check_write_fails("/data/ro-sub/new-file", EROFS);
        check_content("/copyup/a.txt", "copied\n");
        check_content("/copyup/sub/b.txt", "deeper\n");
        check_link("/copyup/link", "a.txt");
        struct stat st = {0};
        bool stat_ok = stat("/copyup", &st) == 0;
        report(stat_ok && (st.st_mode & 07777) == 0711,
               "the tmpcopyup tmpfs keeps the directory's mode 0711 (got %o)", st.st_mode & 07777);
        check_fs_type("/copyup", TMPFS_MAGIC, "tmpfs");
        check_write_works("/copyup/new-file");
        check_content("/etc/masked-file", "");
        check_write_fails("/etc/masked-dir/new-file", EROFS);
        report(dir_is_empty("/etc/masked-dir"), "/etc/masked-dir is empty");
        check_content("/etc/inside-target", "");
        check_link("/etc/masked-link-inside", "/etc/inside-target");
        if (host_has_kcore)
                check_content("/proc/kcore", "");
        int fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
        report(fd < 0 && errno == EROFS, "writing /proc/sys/kernel/domainname fails with EROFS");
        if (fd >= 0)
                close(fd);
        check_write_fails("/new-file-in-root", EROFS);
        check_write_works("/tmp/new-file");

        /* The attacks on destinations all land inside the rootfs. */
        for (size_t i = 0; i < sizeof(escape_names) / sizeof(escape_names[0]); i++) {
                char *path = format("/%s-%s", escape_names[i], suffix);
                check_fs_type(path, TMPFS_MAGIC,
                              "tmpfs (a destination through /, .. or a symlink)");
                free(path);
        }
        check_fs_type("/abs-host-link", TMPFS_MAGIC,
                      "tmpfs (destination a symlink to a host directory)");
        check_fs_type(host_target, TMPFS_MAGIC, "tmpfs, inside the rootfs");
        mountinfo_free(info);
}

static void scenario_full(void)
{
        scenario s = {.name = "full",
                      .cgroup_namespace = true,
                      .after_pivot = full_after_pivot,
                      .after_finish = full_after_finish};
        make_bundle(&s, "full");
        char *p;
#define ROOTFS_PATH(rel) (free(p), p = format("%s/%s", s.rootfs, rel))
        p = NULL;
        /* Host-side sources and targets of the attacks. */
        char *host_file = format("%s/hostfile", top);
        write_file(host_file, "hello from the host\n", 0644);
        char *host_data = format("%s/data", top);
        make_dir(host_data, 0755);
        char *ro_sub = format("%s/data/ro-sub", top);
        make_dir(ro_sub, 0755);
        host_target = format("%s/host-target", top);
        make_dir(host_target, 0755);
        host_secret = format("%s/host-secret", top);
        write_file(host_secret, "secret\n", 0600);
        host_marker = format("%s/host-marker", top);
        write_file(host_marker, "host\n", 0644);
        char *host_link = format("%s/host-link", top);
        if (symlink("../some/target", host_link) < 0)
                die("symlink");

        /* The rootfs's own content. */
        make_dir(ROOTFS_PATH("copyup"), 0711);
        write_file(ROOTFS_PATH("copyup/a.txt"), "copied\n", 0644);
        make_dir(ROOTFS_PATH("copyup/sub"), 0755);
        write_file(ROOTFS_PATH("copyup/sub/b.txt"), "deeper\n", 0600);
        if (symlink("a.txt", ROOTFS_PATH("copyup/link")) < 0)
                die("symlink");
        write_file(ROOTFS_PATH("etc/masked-file"), "should be hidden\n", 0644);
        make_dir(ROOTFS_PATH("etc/masked-dir"), 0755);
        write_file(ROOTFS_PATH("etc/masked-dir/secret"), "hidden\n", 0644);
        write_file(ROOTFS_PATH("etc/inside-target"), "masked through a link\n", 0644);
        if (symlink("/etc/inside-target", ROOTFS_PATH("etc/masked-link-inside")) < 0 ||
            symlink(host_secret, ROOTFS_PATH("etc/masked-link-host")) < 0 ||
            symlink("/", ROOTFS_PATH("link-to-root")) < 0 ||
            symlink("../../../../../../..", ROOTFS_PATH("dotdot-link")) < 0 ||
            symlink(host_target, ROOTFS_PATH("abs-host-link")) < 0)
                die("symlink");
        free(p);

        s.json = format(
            "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
            "\"mounts\":["
            "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
            "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
            "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\",\"ro\"]},"
            "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
            "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"
            "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
            "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
            "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
            "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
            "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
            "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
            "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
            "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]},"
            "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
            "\"options\":[\"nosuid\",\"nodev\",\"noatime\",\"size=1m\"]},"
            "{\"destination\":\"/etc/hostfile\",\"type\":\"bind\",\"source\":\"../hostfile\","
            "\"options\":[\"rbind\",\"ro\"]},"
            "{\"destination\":\"/data\",\"type\":\"none\",\"source\":\"%s\","
            "\"options\":[\"bind\",\"nosuid\",\"noexec\",\"shared\"]},"
            "{\"destination\":\"/etc/copied-link\",\"type\":\"bind\",\"source\":\"%s\","
            "\"options\":[\"bind\",\"copy-symlink\"]},"
            "{\"destination\":\"/copyup\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
            "\"options\":[\"tmpcopyup\"]},"
            "{\"destination\":\"reldest\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
            "{\"destination\":\"/reldest\",\"options\":[\"remount\",\"ro\",\"size=2m\"]},"
            "{\"destination\":\"/link-to-root/mnt-a-%s\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
            "{\"destination\":\"/../../../escape-b-%s\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
            "{\"destination\":\"/dotdot-link/"
            "escape-c-%s\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
            "{\"destination\":\"/abs-host-link\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}"
            "],"
            "\"linux\":{"
            "\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
            "\"devices\":["
            "{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":416},"
            "{\"path\":\"/dev/sub/loop7\",\"type\":\"b\",\"major\":7,\"minor\":7,"
            "\"fileMode\":384,\"uid\":1,\"gid\":2},"
            "{\"path\":\"/dev/fifo\",\"type\":\"p\"}],"
            "\"maskedPaths\":[\"/proc/kcore\",\"/proc/does-not-exist\",\"/etc/masked-file\","
            "\"/etc/masked-dir\",\"/etc/masked-link-inside\",\"/etc/masked-link-host\"],"
            "\"readonlyPaths\":[\"/proc/sys\",\"/data/ro-sub\",\"/no/such/path\"]"
            "}}",
            host_data, host_link, suffix, suffix, suffix);
        run_scenario(&s);

        /* What the attacks aimed at on the host is untouched: a mount that
         * escaped the rootfs would have made its directory in the host's /. */
        for (size_t i = 0; i < sizeof(escape_names) / sizeof(escape_names[0]); i++) {
                char *path = format("/%s-%s", escape_names[i], suffix);
                tap_ok(access(path, F_OK) < 0 && errno == ENOENT,
                       "full: nothing was created at the host's %s", path);
                free(path);
        }
        tap_ok(dir_is_empty(host_target), "full: the host directory a destination symlink aims at "
                                          "is still empty");
        char *secret = read_file(host_secret);
        tap_ok(secret && strcmp(secret, "secret\n") == 0,
               "full: the host file a masked-path symlink aims at is untouched");
        free(secret);
        free(host_file);
        free(host_data);
        free(host_link);
        free(ro_sub);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
}

/* ---- scenario: /dev is a symlink to a host directory ------------------------ */

static char *host_dev;

static void dev_link_after_pivot(const scenario *s)
{
        (void) s;
        /* The console refuses a /dev/console that is a symlink (CVE-2025-52565). */
        int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (!report(master >= 0, "open /dev/pts/ptmx: %s", master < 0 ? strerror(errno) : "ok"))
                return;
        unlockpt(master);
        char *slave = ptsname(master);
        ocirun_error *error = NULL;
        int r = rootfs_bind_console(slave ? slave : "", &error);
        report(r == -EPERM && error && strstr(error->message, "symlink"),
               "rootfs_bind_console refuses a symlinked /dev/console (%s)",
               error ? error->message : "no error");
        ocirun_error_free(error);
        close(master);
}

static void dev_link_after_finish(const scenario *s)
{
        (void) s;
        check_device("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
        check_device("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
        check_link("/dev/ptmx", "pts/ptmx");
        check_link("/dev/fd", "/proc/self/fd");
        check_content("/etc/masked-file", "");
        char link[PATH_MAX];
        ssize_t n = readlink("/dev", link, sizeof(link) - 1);
        report(n > 0, "/dev is still the image's symlink");
}

static void scenario_dev_symlink(void)
{
        scenario s = {.name = "dev-symlink",
                      .after_pivot = dev_link_after_pivot,
                      .after_finish = dev_link_after_finish};
        make_bundle(&s, "dev-symlink");
        host_dev = format("%s/host-dev", top);
        make_dir(host_dev, 0755);
        char *host_ptmx = format("%s/ptmx", host_dev);
        write_file(host_ptmx, "host ptmx\n", 0644);
        char *dev = format("%s/dev", s.rootfs);
        if (symlink(host_dev, dev) < 0)
                die("symlink");
        /* Inside the rootfs, where /dev really resolves, a hostile console link. */
        char *inside_dev = format("%s%s", s.rootfs, host_dev);
        char *cursor = inside_dev + strlen(s.rootfs);
        for (char *slash = strchr(cursor + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                mkdir(inside_dev, 0755);
                *slash = '/';
        }
        make_dir(inside_dev, 0755);
        char *console = format("%s/console", inside_dev);
        if (symlink("/etc/hostname", console) < 0)
                die("symlink");
        /* And a /dev/null that points at a host file by its absolute path. */
        char *host_null_target = format("%s/host-null-target", top);
        write_file(host_null_target, "host file\n", 0644);
        char *inside_null = format("%s/null", inside_dev);
        if (symlink(host_null_target, inside_null) < 0)
                die("symlink");
        char *masked = format("%s/etc/masked-file", s.rootfs);
        write_file(masked, "hidden\n", 0644);

        s.json = format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                        "\"mounts\":["
                        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                        "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
                        "\"options\":[\"newinstance\",\"ptmxmode=0666\"]}],"
                        "\"linux\":{\"maskedPaths\":[\"/etc/masked-file\"]}}");
        run_scenario(&s);

        char *content = read_file(host_ptmx);
        tap_ok(content && strcmp(content, "host ptmx\n") == 0,
               "dev-symlink: the host's `ptmx` in the directory /dev points to is untouched");
        free(content);
        char *entries[] = {"null", "zero", "fd", "stdin", "pts"};
        bool clean = true;
        for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
                char *p = format("%s/%s", host_dev, entries[i]);
                struct stat st;
                if (lstat(p, &st) == 0)
                        clean = false;
                free(p);
        }
        tap_ok(clean, "dev-symlink: nothing was created in the host directory /dev points to");
        struct stat st;
        content = read_file(host_null_target);
        tap_ok(lstat(host_null_target, &st) == 0 && S_ISREG(st.st_mode) && content &&
                   strcmp(content, "host file\n") == 0,
               "dev-symlink: the host file an image's /dev/null symlink points to is untouched");
        free(content);
        free(host_null_target);
        free(inside_null);
        free(host_ptmx);
        free(dev);
        free(inside_dev);
        free(console);
        free(masked);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
}

/* ---- scenario: --no-pivot, cgroups without a namespace -------------------------- */

static char *own_memory_cgroup;

static void no_pivot_after_finish(const scenario *s)
{
        (void) s;
        mountinfo *info = container_mounts();
        check_absent(host_marker);
        check_exec_busybox();
        check_mount(info, "/proc", "proc", NULL);
        /* No full host procfs or sysfs is left reachable. */
        bool full_proc = false;
        for (size_t i = 0; info && i < info->len; i++) {
                const mountinfo_entry *e = &info->entries[i];
                if (strcmp(e->fstype, "sysfs") == 0 && strcmp(e->mount_point, "/sys") != 0)
                        full_proc = true;
                if (strcmp(e->fstype, "proc") == 0 && strcmp(e->mount_point, "/proc") != 0 &&
                    strcmp(e->root, "/") == 0)
                        full_proc = true;
        }
        report(!full_proc, "no host procfs or sysfs mount is left besides the container's");
        /* Without a cgroup namespace: binds of the container's own cgroups. */
        const mountinfo_entry *memory = find_mount(info, "/sys/fs/cgroup/memory");
        report(memory && own_memory_cgroup && strcmp(memory->root, own_memory_cgroup) == 0 &&
                   has_option(memory->options, "ro"),
               "/sys/fs/cgroup/memory is a read-only bind of our own memory cgroup %s (got %s)",
               own_memory_cgroup ? own_memory_cgroup : "?", memory ? memory->root : "nothing");
        const mountinfo_entry *cpu = find_mount(info, "/sys/fs/cgroup/cpu");
        report(cpu && strcmp(cpu->root, "/") == 0,
               "/sys/fs/cgroup/cpu is the bind of our own cpu cgroup / (got %s)",
               cpu ? cpu->root : "-");
        struct stat st;
        report(stat("/sys/fs/cgroup/memory/memory.limit_in_bytes", &st) == 0,
               "the memory controller's files are there");
        mountinfo_free(info);
}

static void scenario_no_pivot(void)
{
        /* A cgroup_path that exists in no hierarchy: the binds fall back to
         * the cgroups this process is in. */
        scenario s = {.name = "no-pivot",
                      .no_pivot = true,
                      .cgroup_path = "/ocirun-test-no-such-cgroup",
                      .after_finish = no_pivot_after_finish};
        make_bundle(&s, "no-pivot");
        s.json = format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                        "\"mounts\":["
                        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                        "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
                        "\"options\":[\"ro\"]},"
                        "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
                        "\"source\":\"cgroup\"},"
                        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
                        "\"linux\":{\"rootfsPropagation\":\"slave\"}}");
        run_scenario(&s);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
}

/* ---- scenario: an idmapped bind ----------------------------------------------- */

static void idmap_after_finish(const scenario *s)
{
        (void) s;
        struct stat st = {0};
        bool stat_ok = stat("/idmapped/owned-by-0", &st) == 0;
        report(stat_ok && st.st_uid == 1000 && st.st_gid == 2000,
               "a file owned by 0:0 shows as 1000:2000 through the idmapped bind (got %u:%u)",
               st.st_uid, st.st_gid);
        stat_ok = stat("/plain/owned-by-0", &st) == 0;
        report(stat_ok && st.st_uid == 0 && st.st_gid == 0,
               "the same file without idmap shows as 0:0 (got %u:%u)", st.st_uid, st.st_gid);
}

static void scenario_idmap(void)
{
        scenario s = {.name = "idmap", .after_finish = idmap_after_finish};
        make_bundle(&s, "idmap");
        char *source = format("%s/idmap-source", top);
        make_dir(source, 0755);
        char *file = format("%s/owned-by-0", source);
        write_file(file, "x", 0644);
        s.json = format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                        "\"mounts\":["
                        "{\"destination\":\"/idmapped\",\"type\":\"bind\",\"source\":\"%s\","
                        "\"options\":[\"rbind\",\"idmap\"],"
                        "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"
                        "\"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":10}]},"
                        "{\"destination\":\"/plain\",\"type\":\"bind\",\"source\":\"%s\","
                        "\"options\":[\"bind\"]},"
                        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}",
                        source, source);
        run_scenario(&s);
        free(source);
        free(file);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
}

/* ---- scenarios that must fail, and say why ---------------------------------- */

static void run_failing(const char *name, const char *step, const char *message, char *json)
{
        scenario s = {.name = name, .expected_failure_step = step, .expected_message = message};
        make_bundle(&s, name);
        s.json = json;
        run_scenario(&s);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
}

static void scenario_failures(void)
{
        /* The kernel's own words about bad filesystem data reach the error. */
        run_failing("bad-data", "prepare",
                    "mounts[1]: mount tmpfs `tmpfs` on `/tmp`: fsconfig size=lots: Invalid "
                    "argument (tmpfs: Bad value for 'size')",
                    format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\","
                           "\"source\":\"tmpfs\"},{\"destination\":\"/tmp\",\"type\":"
                           "\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=lots\"]}]}"));
        /* A bind may not hide what the kernel shows in /proc. */
        char *host_file = format("%s/hostfile", top);
        run_failing("proc-cover", "prepare", "is inside procfs",
                    format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\","
                           "\"source\":\"proc\"},{\"destination\":\"/proc/sys/kernel/"
                           "hostname\",\"type\":\"bind\",\"source\":\"%s\","
                           "\"options\":[\"bind\"]}]}",
                           host_file));
        /* CVE-2025-31133: a /dev/null that is a symlink (to a procfs file)
         * is refused, never bind-mounted over a masked path. */
        char *fake_dev = format("%s/fake-dev", top);
        make_dir(fake_dev, 0755);
        char *fake_null = format("%s/null", fake_dev);
        if (symlink("/proc/sys/kernel/core_pattern", fake_null) < 0)
                die("symlink");
        char *json = format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                            "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\","
                            "\"source\":\"proc\"},{\"destination\":\"/dev\",\"type\":"
                            "\"bind\",\"source\":\"%s\",\"options\":[\"rbind\"]}],"
                            "\"linux\":{\"maskedPaths\":[\"/etc/passwd-like\"]}}",
                            fake_dev);
        scenario s = {.name = "fake-null",
                      .expected_failure_step = "finish",
                      .expected_message = "/dev/null in the container is not the null device"};
        make_bundle(&s, "fake-null");
        char *masked = format("%s/etc/passwd-like", s.rootfs);
        write_file(masked, "root:x:0:0\n", 0644);
        s.json = json;
        run_scenario(&s);
        free(masked);
        free(s.json);
        free(s.bundle);
        free(s.rootfs);
        free(fake_null);
        free(fake_dev);
        free(host_file);
}

/* ---- rootfs_validate ------------------------------------------------------- */

static void check_invalid(const char *fragment, const char *expected_message)
{
        char *json =
            format("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},%s}", fragment);
        ocispec_config *config = NULL;
        char *parse_error = NULL;
        int r = ocispec_config_parse_data(json, strlen(json), "config.json", &config, &parse_error);
        if (r < 0) {
                tap_ok(false, "validate: parse %s: %s", fragment, parse_error ? parse_error : "?");
                free(parse_error);
                free(json);
                return;
        }
        ocirun_error *error = NULL;
        r = rootfs_validate(config, &error);
        bool ok = expected_message
                      ? r == -EINVAL && error && strcmp(error->message, expected_message) == 0
                      : r == 0;
        if (!tap_ok(ok, "validate: %s", expected_message ? expected_message : fragment))
                tap_diag("got %d: %s", r, error ? error->message : "(no error)");
        ocirun_error_free(error);
        ocispec_config_free(config);
        free(json);
}

/* The schema already refuses a device type other than c, b, u or p in
 * JSON; a config made in C reaches rootfs_validate unchecked. */
static void check_invalid_device_type(void)
{
        const char *json = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\","
                           "\"major\":1,\"minor\":2}]}}";
        ocispec_config *config = NULL;
        if (ocispec_config_parse_data(json, strlen(json), "config.json", &config, NULL) < 0) {
                tap_ok(false, "validate: parse the device config");
                return;
        }
        free(config->linux->devices[0].type);
        config->linux->devices[0].type = strdup("q");
        ocirun_error *error = NULL;
        int r = rootfs_validate(config, &error);
        const char *expected = "config.json: linux.devices[0].type: unknown device type \"q\" "
                               "(expected c, b, u or p)";
        if (!tap_ok(r == -EINVAL && error && strcmp(error->message, expected) == 0, "validate: %s",
                    expected))
                tap_diag("got %d: %s", r, error ? error->message : "(no error)");
        ocirun_error_free(error);
        ocispec_config_free(config);
}

static void validate_tests(void)
{
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/x\","
                      "\"options\":[\"rbind\",\"nosiud\"]}]",
                      "config.json: mounts[0].options: unknown mount option \"nosiud\"");
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"source\":\"t\"},"
                      "{\"destination\":\"/b\",\"source\":\"/x\",\"options\":[\"bind\","
                      "\"size=1m\"]}]",
                      "config.json: mounts[1].options: unknown mount option \"size=1m\" (a bind "
                      "mount takes no filesystem data)");
        /* On a filesystem mount an unknown word is filesystem data, for the kernel to judge. */
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"source\":\"t\","
                      "\"options\":[\"huge=always\",\"noswap\",\"rro\",\"rnosymfollow\"]}]",
                      NULL);
        check_invalid("\"mounts\":[{\"destination\":\"relative/dest\",\"type\":\"tmpfs\","
                      "\"source\":\"t\"}]",
                      NULL);
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"source\":\"t\"}]",
                      "config.json: mounts[0].type: required for a mount that is not a bind mount");
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\"}]",
                      "config.json: mounts[0].source: a bind mount needs a source");
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"proc\",\"source\":\"p\","
                      "\"options\":[\"tmpcopyup\"]}]",
                      "config.json: mounts[0].options: tmpcopyup applies to tmpfs mounts only");
        check_invalid("\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"source\":\"t\","
                      "\"options\":[\"idmap\"]}]",
                      "config.json: mounts[0]: idmapped mounts must be bind mounts");
        check_invalid_device_type();
        check_invalid("\"linux\":{\"devices\":[{\"path\":\"/dev/../etc/x\",\"type\":\"c\","
                      "\"major\":1,\"minor\":2}]}",
                      "config.json: linux.devices[0].path: \"/dev/../etc/x\" is not under /dev");
        check_invalid("\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\"}]}",
                      "config.json: linux.devices[0]: a c device needs major and minor");
        check_invalid("\"linux\":{\"maskedPaths\":[\"proc/kcore\"]}",
                      "config.json: linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path");
}

/* ---- mount option parsing ------------------------------------------------- */

static void option_tests(void)
{
        char *words[] = {
            "ro",        "nosuid",  "noatime", "rbind",           "rro",  "rnoatime", "rprivate",
            "tmpcopyup", "size=1m", "nouuid",  "context=\"a,b\"", "sync", "atime"};
        mount_options o;
        int r = mount_options_parse(words, sizeof(words) / sizeof(words[0]), &o);
        tap_ok(r == 0, "options: parse");
        tap_ok(o.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID) &&
                   o.atime == MOUNT_ATIME_UNSET,
               "options: ro,nosuid set; atime cancels noatime");
        tap_ok(o.bind && o.recursive && o.tmpcopyup, "options: rbind and tmpcopyup");
        tap_ok(o.recursive_set == MOUNT_ATTR_RDONLY && o.recursive_atime == MOUNT_ATIME_NOATIME,
               "options: recursive rro and rnoatime");
        tap_ok(o.n_propagation == 1 && o.propagation[0] == (MS_PRIVATE | MS_REC),
               "options: rprivate");
        tap_ok(o.superblock_set == MOUNT_SB_SYNC, "options: sync is a superblock flag");
        tap_ok(o.data && strcmp(o.data, "size=1m,nouuid,context=\"a,b\"") == 0,
               "options: the rest is filesystem data (%s)", o.data ? o.data : "(none)");
        tap_ok(o.first_unknown && strcmp(o.first_unknown, "nouuid") == 0,
               "options: the first unknown word is remembered");
        mount_options_done(&o);

        /* linux.mountLabel: SELinux is not enabled here, so only the data
         * that would reach the kernel is checked. */
        char *labelled = mount_data_with_label("mode=755,size=1m", "system_u:object_r:c:s0:c1,c2");
        tap_ok(labelled && strcmp(labelled,
                                  "mode=755,size=1m,context=\"system_u:object_r:c:s0:c1,c2\"") == 0,
               "mountLabel: appended as a quoted context= (%s)", labelled ? labelled : "(null)");
        free(labelled);
        labelled = mount_data_with_label("", "system_u:object_r:c:s0");
        tap_ok(labelled && strcmp(labelled, "context=\"system_u:object_r:c:s0\"") == 0,
               "mountLabel: alone when there is no other data");
        free(labelled);
        labelled = mount_data_with_label("mode=755", NULL);
        tap_ok(labelled && strcmp(labelled, "mode=755") == 0, "mountLabel: none, data unchanged");
        free(labelled);

        char *clean = path_clean("//a/./b/../../../c//d/");
        tap_ok(clean && strcmp(clean, "/c/d") == 0, "path_clean: %s", clean ? clean : "(null)");
        free(clean);
}

static void read_host_facts(void)
{
        host_has_kcore = access("/proc/kcore", F_OK) == 0;
        FILE *f = fopen("/proc/self/cgroup", "re");
        char line[4096];
        while (f && fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                char *controllers = strchr(line, ':');
                char *path = controllers ? strchr(controllers + 1, ':') : NULL;
                if (path && strncmp(controllers + 1, "memory:", 7) == 0)
                        own_memory_cgroup = strdup(path + 1);
        }
        if (f)
                fclose(f);
}

int main(void)
{
        option_tests();
        validate_tests();

        if (geteuid() != 0) {
                printf("# not root: the mount scenarios are skipped\n");
                return tap_done();
        }
        /* Valgrind 3.19 knows neither openat2 nor the fd-based mount calls:
         * under it the scenarios cannot run at all. */
        int probe = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (probe < 0) {
                printf("# the mount scenarios are skipped: fsopen fails (%s); valgrind 3.19 does "
                       "not know the fd-based mount syscalls\n",
                       strerror(errno));
                return tap_done();
        }
        close(probe);
        struct statfs cgroup_fs;
        host_cgroup_v1 = statfs("/sys/fs/cgroup", &cgroup_fs) == 0 &&
                         (unsigned long) cgroup_fs.f_type == TMPFS_MAGIC;
        host_has_cpu_hierarchy = statfs("/sys/fs/cgroup/cpu", &cgroup_fs) == 0 &&
                                 (unsigned long) cgroup_fs.f_type == CGROUP_SUPER_MAGIC;
        host_has_unified = statfs("/sys/fs/cgroup/unified", &cgroup_fs) == 0 &&
                           (unsigned long) cgroup_fs.f_type == CGROUP2_SUPER_MAGIC;
        snprintf(top, sizeof(top), "/tmp/ocirun-test-rootfs.XXXXXX");
        if (!mkdtemp(top))
                die("mkdtemp");
        suffix = top + strlen(top) - 6;
        chmod(top, 0755);
        atexit(cleanup_top);
        read_host_facts();

        scenario_full();
        scenario_dev_symlink();
        if (host_cgroup_v1 && own_memory_cgroup)
                scenario_no_pivot();
        else
                printf("# no-pivot scenario skipped: it checks cgroup v1 binds and this host has "
                       "none\n");
        scenario_idmap();
        scenario_failures();

        free(host_secret);
        free(host_target);
        free(host_marker);
        free(host_dev);
        free(own_memory_cgroup);
        return tap_done();
}
