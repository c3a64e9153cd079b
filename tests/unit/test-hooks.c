/* Unit tests of hooks_run: what a hook receives (state JSON on stdin, its
 * exact args and env, no other fds), how failures read (status, signal,
 * timeout, exec errors, the last stderr line), that a failure stops the list,
 * and that nothing is left behind: no zombie, no process of a timed-out hook,
 * no SIGPIPE for ocirun when a hook ignores a large stdin.
 *
 * The test binary doubles as a hook (`--dump FILE`) because a script cannot
 * see its own argv[0]. Hooks run as our children, in our namespaces: nothing
 * here changes the host beyond a temporary directory, removed at exit. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hooks.h"
#include "tap.h"

extern char **environ;

static char temp_dir[] = "/tmp/ocirun-test-hooks.XXXXXX";
static char self_path[4096];

/* ---- the hook side: `test-hooks --dump FILE` ---------------------------- */

/* Writes argv, environ and the open fds (as "arg:", "env:", "fd:" lines) and
 * whether stdin is a pipe, for the parent to compare. */
static int dump_main(int argc, char **argv)
{
        FILE *out = fopen(argv[2], "we");
        if (!out)
                return 10;
        for (int i = 0; i < argc; i++)
                fprintf(out, "arg:%s\n", argv[i]);
        for (char **e = environ; *e; e++)
                fprintf(out, "env:%s\n", *e);
        DIR *dir = opendir("/proc/self/fd");
        if (!dir)
                return 11;
        struct dirent *entry;
        while ((entry = readdir(dir))) {
                int fd = atoi(entry->d_name);
                if (entry->d_name[0] == '.' || fd == dirfd(dir) || fd == fileno(out))
                        continue;
                fprintf(out, "fd:%d\n", fd);
        }
        closedir(dir);
        struct stat st;
        fprintf(out, "stdin:%s\n", fstat(0, &st) == 0 && S_ISFIFO(st.st_mode) ? "pipe" : "other");
        sigset_t mask;
        sigprocmask(SIG_SETMASK, NULL, &mask);
        fprintf(out, "sigpipe-blocked:%d\n", sigismember(&mask, SIGPIPE));
        return fclose(out) == 0 ? 0 : 12;
}

/* ---- helpers ------------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        remove(path);
        return 0;
}

static void remove_temp_dir(void)
{
        nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *temp_path(const char *name)
{
        char *path = NULL;
        if (asprintf(&path, "%s/%s", temp_dir, name) < 0)
                abort();
        return path;
}

/* Writes an executable shell script and returns its path. */
static char *write_script(const char *name, const char *body)
{
        char *path = temp_path(name);
        FILE *f = fopen(path, "we");
        if (!f)
                abort();
        fprintf(f, "#!/bin/sh\n%s\n", body);
        fclose(f);
        chmod(path, 0755);
        return path;
}

static char *read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        size_t cap = 4096, len = 0;
        char *data = malloc(cap + 1);
        size_t n;
        while ((n = fread(data + len, 1, cap - len, f)) > 0) {
                len += n;
                if (len == cap)
                        data = realloc(data, (cap *= 2) + 1);
        }
        fclose(f);
        data[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return data;
}

static double now_seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static pid_t read_pid(const char *path)
{
        _cleanup_free_ char *text = read_file(path, NULL);
        return text ? (pid_t) atoi(text) : 0;
}

/* A killed orphan is reaped by init a moment later: give it a second. */
static bool process_gone(pid_t pid)
{
        for (int i = 0; i < 100; i++) {
                if (kill(pid, 0) < 0 && errno == ESRCH)
                        return true;
                usleep(20 * 1000);
        }
        return false;
}

static const char *STATE_JSON =
    "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
    "\"bundle\":\"/run/b\\u00e9\",\"annotations\":{\"k\":\"v with \\\"quotes\\\"\\n\"}}";

/* ---- tests -------------------------------------------------------------- */

static void test_state_on_stdin(void)
{
        _cleanup_free_ char *script = write_script("save-state.sh", "cat > \"$1\"");
        _cleanup_free_ char *out = temp_path("state.out");
        char *args[] = {script, out, NULL};
        ocispec_hook hook = {.path = script, .args = args, .args_len = 2};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = hooks_run("prestart", &hook, 1, STATE_JSON, &error);
        _cleanup_free_ char *got = read_file(out, NULL);
        if (!tap_ok(r == 0 && got && strcmp(got, STATE_JSON) == 0,
                    "the hook reads the exact state JSON on stdin"))
                tap_diag("r=%d error=%s got=%s", r, error ? error->message : "-", got);

        /* An empty state: the hook sees EOF at once. */
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        r = hooks_run("prestart", &hook, 1, "", &error2);
        _cleanup_free_ char *empty = read_file(out, NULL);
        tap_ok(r == 0 && empty && empty[0] == '\0', "an empty state gives the hook an empty stdin");
}

static bool has_line(const char *text, const char *line)
{
        size_t len = strlen(line);
        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
                        return true;
        return false;
}

static int count_prefix(const char *text, const char *prefix)
{
        int n = 0;
        size_t len = strlen(prefix);
        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                n += strncmp(p, prefix, len) == 0;
        return n;
}

static void test_args_env_fds(void)
{
        _cleanup_free_ char *out = temp_path("dump.out");
        char *args[] = {"custom-argv0", "--dump", out, "with space", "", NULL};
        char *env[] = {"A=1", "B=two words", "EMPTY=", NULL};
        ocispec_hook hook = {
            .path = self_path, .args = args, .args_len = 5, .env = env, .env_len = 3};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        /* A stray fd of ours without CLOEXEC: the hook must not see it. */
        int stray = open("/dev/null", O_RDONLY);
        int r = hooks_run("createRuntime", &hook, 1, STATE_JSON, &error);
        close(stray);
        _cleanup_free_ char *dump = read_file(out, NULL);
        if (!tap_ok(r == 0 && dump, "the dump hook ran"))
                tap_diag("r=%d error=%s", r, error ? error->message : "-");
        if (!dump)
                return;
        tap_ok(has_line(dump, "arg:custom-argv0") && has_line(dump, "arg:--dump") &&
                   has_line(dump, "arg:with space") && has_line(dump, "arg:") &&
                   count_prefix(dump, "arg:") == 5,
               "args are passed exactly, args[0] included");
        if (!tap_ok(has_line(dump, "env:A=1") && has_line(dump, "env:B=two words") &&
                        has_line(dump, "env:EMPTY=") && count_prefix(dump, "env:") == 3,
                    "env is exactly the hook's env"))
                tap_diag("dump:\n%s", dump);
        if (!tap_ok(has_line(dump, "fd:0") && has_line(dump, "fd:1") && has_line(dump, "fd:2") &&
                        count_prefix(dump, "fd:") == 3,
                    "the hook has fds 0, 1 and 2 only"))
                tap_diag("dump:\n%s", dump);
        tap_ok(has_line(dump, "stdin:pipe"), "its stdin is a pipe");
        tap_ok(has_line(dump, "sigpipe-blocked:0"), "the hook starts with SIGPIPE unblocked");

        /* No args: argv is [path]; no env: an empty environment. */
        char *args_only[] = {self_path, "--dump", out, NULL};
        ocispec_hook bare = {.path = self_path, .args = args_only, .args_len = 3};
        r = hooks_run("createRuntime", &bare, 1, STATE_JSON, NULL);
        _cleanup_free_ char *bare_dump = read_file(out, NULL);
        tap_ok(r == 0 && bare_dump && count_prefix(bare_dump, "env:") == 0,
               "a hook without env gets an empty environment");

        _cleanup_free_ char *count_out = temp_path("argc.out");
        _cleanup_free_ char *body = NULL;
        if (asprintf(&body, "echo \"$#\" > %s", count_out) < 0)
                abort();
        _cleanup_free_ char *script = write_script("argc.sh", body);
        ocispec_hook no_args = {.path = script};
        r = hooks_run("createRuntime", &no_args, 1, STATE_JSON, NULL);
        _cleanup_free_ char *argc_text = read_file(count_out, NULL);
        tap_ok(r == 0 && argc_text && strcmp(argc_text, "0\n") == 0,
               "a hook without args runs with argv = [path]");
}

/* With fds 0, 1 and 2 closed, our pipes get those numbers: the child must
 * still wire stdin/stdout/stderr right. Run in a child, since it closes our
 * stdio. */
static void test_closed_stdio(void)
{
        _cleanup_free_ char *script = write_script("closed-stdio.sh", "cat > \"$1\"; echo err >&2");
        _cleanup_free_ char *out = temp_path("closed-stdio.out");
        char *args[] = {script, out, NULL};
        ocispec_hook hook = {.path = script, .args = args, .args_len = 2};

        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                close(0);
                close(1);
                close(2);
                _exit(hooks_run("prestart", &hook, 1, STATE_JSON, NULL) == 0 ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        _cleanup_free_ char *got = read_file(out, NULL);
        tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && got && strcmp(got, STATE_JSON) == 0,
               "a caller with fds 0-2 closed still feeds the hook's stdin");
}

static void test_exit_status(void)
{
        _cleanup_free_ char *script =
            write_script("exit3.sh", "echo 'first line' >&2\n"
                                     "printf 'the reason: \"quoted\"\\ttab\\n\\n   \\n' >&2\n"
                                     "echo 'on stdout'\n"
                                     "exit 3");
        ocispec_hook hook = {.path = script};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        _cleanup_free_ char *expected = NULL;

        if (asprintf(&expected,
                     "createRuntime hook #0 (%s): exited with status 3: the reason: "
                     "\"quoted\"\\x09tab",
                     script) < 0)
                abort();
        int r = hooks_run("createRuntime", &hook, 1, STATE_JSON, &error);
        if (!tap_ok(r < 0 && error && error->code == -r && strcmp(error->message, expected) == 0,
                    "exit 3: the message has kind, index, path, status and the last stderr line"))
                tap_diag("got: %s", error ? error->message : "(none)");

        _cleanup_free_ char *quiet =
            write_script("stdout-only.sh", "echo 'said on stdout'; exit 1");
        ocispec_hook quiet_hook = {.path = quiet};
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        r = hooks_run("poststop", &quiet_hook, 1, STATE_JSON, &error2);
        if (!tap_ok(r < 0 && error2 &&
                        strstr(error2->message, "exited with status 1: stdout: "
                                                "said on stdout"),
                    "with nothing on stderr, the last stdout line is quoted"))
                tap_diag("got: %s", error2 ? error2->message : "(none)");

        /* More output than a pipe holds, before the hook even looks at its
         * stdin: the parent must drain while it writes. */
        _cleanup_free_ char *loud =
            write_script("loud.sh", "head -c 300000 /dev/zero | tr '\\0' x >&2\n"
                                    "echo >&2\n"
                                    "echo 'final words' >&2\n"
                                    "cat > /dev/null\n"
                                    "exit 1");
        ocispec_hook loud_hook = {.path = loud};
        _cleanup_(ocirun_error_freep) ocirun_error *error3 = NULL;
        r = hooks_run("poststart", &loud_hook, 1, STATE_JSON, &error3);
        size_t len = error3 ? strlen(error3->message) : 0;
        if (!tap_ok(r < 0 && len > 11 && strcmp(error3->message + len - 11, "final words") == 0 &&
                        len < 2048,
                    "300 kB of stderr: no deadlock, the message ends with its last line"))
                tap_diag("got %zu bytes: %.200s", len, error3 ? error3->message : "(none)");

        /* A line longer than the message keeps is cut. */
        _cleanup_free_ char *long_line =
            write_script("long-line.sh", "head -c 3000 /dev/zero | tr '\\0' y >&2; exit 2");
        ocispec_hook long_hook = {.path = long_line};
        _cleanup_(ocirun_error_freep) ocirun_error *error4 = NULL;
        r = hooks_run("poststart", &long_hook, 1, STATE_JSON, &error4);
        len = error4 ? strlen(error4->message) : 0;
        tap_ok(r < 0 && len > 1024 && len < 1400 && strcmp(error4->message + len - 3, "...") == 0,
               "a very long stderr line is cut with \"...\"");
}

static void test_signal(void)
{
        _cleanup_free_ char *script =
            write_script("killed.sh", "echo 'about to die' >&2; kill -TERM $$; sleep 5");
        ocispec_hook hook = {.path = script};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = hooks_run("prestart", &hook, 1, STATE_JSON, &error);
        if (!tap_ok(r < 0 && error && strstr(error->message, "prestart hook #0 (") &&
                        strstr(error->message, "killed by signal 15 (SIGTERM): about to die"),
                    "a hook killed by a signal: the message names the signal"))
                tap_diag("got: %s", error ? error->message : "(none)");
}

static void test_timeout(void)
{
        _cleanup_free_ char *pid_file = temp_path("timeout.pid");
        _cleanup_free_ char *child_pid_file = temp_path("timeout-child.pid");
        _cleanup_free_ char *body = NULL;
        /* The sleep is the script's child: a timeout must take it too. */
        if (asprintf(&body, "echo $$ > %s\nsleep 30 &\necho $! > %s\necho 'waiting' >&2\nwait",
                     pid_file, child_pid_file) < 0)
                abort();
        _cleanup_free_ char *script = write_script("timeout.sh", body);
        ocispec_hook hook = {.path = script, .timeout = 1, .has_timeout = true};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        double start = now_seconds();
        int r = hooks_run("createContainer", &hook, 1, STATE_JSON, &error);
        double elapsed = now_seconds() - start;
        if (!tap_ok(r == -ETIMEDOUT && error &&
                        strstr(error->message, "createContainer hook #0 (") &&
                        strstr(error->message, "timed out after 1 s"),
                    "timeout 1: the error says it timed out"))
                tap_diag("r=%d got: %s", r, error ? error->message : "(none)");
        if (!tap_ok(elapsed >= 0.9 && elapsed < 2.0, "timeout 1 returns after about 1 s"))
                tap_diag("took %.3f s", elapsed);
        pid_t pid = read_pid(pid_file), child = read_pid(child_pid_file);
        tap_ok(pid > 0 && kill(pid, 0) < 0 && errno == ESRCH,
               "the timed-out hook is killed and reaped");
        if (!tap_ok(child > 0 && process_gone(child), "its child (sleep 30) is killed too") &&
            child > 0)
                kill(child, SIGKILL);
}

static void test_exec_errors(void)
{
        ocispec_hook missing = {.path = "/nonexistent/ocirun-hook"};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        int r = hooks_run("prestart", &missing, 1, STATE_JSON, &error);
        if (!tap_ok(r == -ENOENT && error &&
                        strcmp(error->message, "prestart hook #0 (/nonexistent/ocirun-hook): "
                                               "exec: No such file or directory") == 0,
                    "a missing hook path: a clear ENOENT error"))
                tap_diag("got: %s", error ? error->message : "(none)");

        _cleanup_free_ char *plain = temp_path("not-executable");
        FILE *f = fopen(plain, "we");
        fputs("#!/bin/sh\nexit 0\n", f);
        fclose(f);
        chmod(plain, 0644);
        ocispec_hook not_exec = {.path = plain};
        _cleanup_(ocirun_error_freep) ocirun_error *error2 = NULL;
        r = hooks_run("prestart", &not_exec, 1, STATE_JSON, &error2);
        /* root may execute nothing without an x bit either: EACCES. */
        tap_ok(r == -EACCES && error2 && strstr(error2->message, "exec: Permission denied"),
               "a hook without the execute bit: EACCES");

        ocispec_hook relative = {.path = "hooks/x"};
        _cleanup_(ocirun_error_freep) ocirun_error *error3 = NULL;
        r = hooks_run("prestart", &relative, 1, STATE_JSON, &error3);
        tap_ok(r == -EINVAL && error3 && strstr(error3->message, "is not absolute"),
               "a relative hook path is refused");
}

static void test_order_and_stop(void)
{
        _cleanup_free_ char *log = temp_path("order.log");
        _cleanup_free_ char *body1 = NULL, *body2 = NULL;
        if (asprintf(&body1, "echo one >> %s", log) < 0 ||
            asprintf(&body2, "echo two >> %s", log) < 0)
                abort();
        _cleanup_free_ char *one = write_script("one.sh", body1);
        _cleanup_free_ char *two = write_script("two.sh", body2);
        _cleanup_free_ char *fail = write_script("fail.sh", "echo no >&2; exit 1");
        ocispec_hook ok_list[] = {{.path = one}, {.path = two}};

        int r = hooks_run("prestart", ok_list, 2, STATE_JSON, NULL);
        _cleanup_free_ char *text = read_file(log, NULL);
        tap_ok(r == 0 && text && strcmp(text, "one\ntwo\n") == 0, "hooks run in order");
        unlink(log);

        ocispec_hook failing[] = {{.path = one}, {.path = fail}, {.path = two}};
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        r = hooks_run("prestart", failing, 3, STATE_JSON, &error);
        _cleanup_free_ char *text2 = read_file(log, NULL);
        tap_ok(r < 0 && error && strstr(error->message, "prestart hook #1 (") && text2 &&
                   strcmp(text2, "one\n") == 0,
               "a failing hook stops the list and is named by its index");
        tap_ok(hooks_run("prestart", NULL, 0, STATE_JSON, NULL) == 0, "an empty list is a no-op");
}

static void test_large_state_unread(void)
{
        size_t size = 1024 * 1024;
        _cleanup_free_ char *big = malloc(size + 1);
        memset(big, 'a', size);
        big[0] = '{';
        big[size - 1] = '}';
        big[size] = '\0';

        _cleanup_free_ char *quick = write_script("no-read.sh", "exit 0");
        _cleanup_free_ char *slow = write_script("no-read-slow.sh", "sleep 0.3; exit 0");
        _cleanup_free_ char *close_stdin =
            write_script("close-stdin.sh", "exec 0<&-; sleep 0.2; exit 0");
        _cleanup_free_ char *out = temp_path("big.out");
        _cleanup_free_ char *reader = write_script("big-read.sh", "cat > \"$1\"");
        char *reader_args[] = {reader, out, NULL};
        ocispec_hook hooks[] = {
            {.path = quick},
            {.path = slow, .timeout = 10, .has_timeout = true},
            {.path = close_stdin},
            {.path = reader, .args = reader_args, .args_len = 2},
        };
        sigset_t before, after, pending;

        sigprocmask(SIG_SETMASK, NULL, &before);
        double start = now_seconds();
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        int r = hooks_run("prestart", hooks, 4, big, &error);
        double elapsed = now_seconds() - start;
        sigprocmask(SIG_SETMASK, NULL, &after);
        sigpending(&pending);
        if (!tap_ok(r == 0 && elapsed < 5,
                    "hooks that ignore a 1 MiB state neither block nor fail"))
                tap_diag("r=%d %.2f s: %s", r, elapsed, error ? error->message : "-");
        tap_ok(!sigismember(&pending, SIGPIPE) && !sigismember(&after, SIGPIPE) &&
                   sigismember(&before, SIGPIPE) == sigismember(&after, SIGPIPE),
               "no SIGPIPE pending afterwards and the signal mask is restored");
        size_t len = 0;
        _cleanup_free_ char *got = read_file(out, &len);
        tap_ok(got && len == size && memcmp(got, big, size) == 0,
               "a hook that reads gets all of the 1 MiB state");
}

/* A hook that leaves a daemon holding its stdout/stderr: we stop at the
 * hook's exit, not at EOF. */
static void test_daemon_keeps_pipes(void)
{
        _cleanup_free_ char *pid_file = temp_path("daemon.pid");
        _cleanup_free_ char *body = NULL;
        if (asprintf(&body, "sleep 20 &\necho $! > %s\nexit 0", pid_file) < 0)
                abort();
        _cleanup_free_ char *script = write_script("daemon.sh", body);
        ocispec_hook hook = {.path = script};

        double start = now_seconds();
        int r = hooks_run("poststart", &hook, 1, STATE_JSON, NULL);
        double elapsed = now_seconds() - start;
        if (!tap_ok(r == 0 && elapsed < 3,
                    "a hook whose background child keeps the pipes open returns at its exit"))
                tap_diag("r=%d took %.2f s", r, elapsed);
        pid_t daemon = read_pid(pid_file);
        if (daemon > 0)
                kill(daemon, SIGKILL);
}

int main(int argc, char **argv)
{
        if (argc >= 3 && strcmp(argv[1], "--dump") == 0)
                return dump_main(argc, argv);

        ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
        if (n <= 0 || !mkdtemp(temp_dir)) {
                printf("Bail out! cannot set up: %s\n", strerror(errno));
                return 1;
        }
        self_path[n] = '\0';
        atexit(remove_temp_dir);

        test_state_on_stdin();
        test_args_env_fds();
        test_closed_stdio();
        test_exit_status();
        test_signal();
        test_timeout();
        test_exec_errors();
        test_order_and_stop();
        test_large_state_unread();
        test_daemon_keeps_pipes();

        /* Every hook was reaped: we have no child left, zombie or not. */
        tap_ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no child process is left");
        return tap_done();
}
