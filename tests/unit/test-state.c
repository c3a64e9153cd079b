/* Unit tests of the state store: container id rules, the runtime root,
 * state directories and their lock, atomic state.json writes, and status
 * derived from the init's pid and start time. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "state.h"
#include "tap.h"
#include "util/proc.h"

static void test_container_ids(void)
{
        static const char *const valid[] = {"a", "Z", "0", "abc-DEF_1.2+3", "a..b", "1-"};
        static const char *const invalid[] = {"",    ".",    "..",  "-a",   "_a", "+a",  ".hidden",
                                              "a/b", "../x", "a b", "a\nb", "é",  "a:b", "a*"};
        char long_id[1026];

        for (size_t i = 0; i < sizeof(valid) / sizeof(*valid); i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                tap_ok(ocirun_container_id_validate(valid[i], &error) == 0 && !error,
                       "id \"%s\" is valid", valid[i]);
        }
        for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
                _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
                int r = ocirun_container_id_validate(invalid[i], &error);
                tap_ok(r == -EINVAL && error && error->code == EINVAL &&
                           !strchr(error->message, '\n'),
                       "id #%zu is rejected with a one-line message", i);
        }
        memset(long_id, 'a', 1024);
        long_id[1024] = '\0';
        tap_ok(ocirun_container_id_validate(long_id, NULL) == 0, "a 1024-byte id is valid");
        long_id[1024] = 'a';
        long_id[1025] = '\0';
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        tap_ok(ocirun_container_id_validate(long_id, &error) == -EINVAL &&
                   strstr(error->message, "longer than 1024 bytes"),
               "a 1025-byte id is rejected as too long");
}

static void test_error_chain(void)
{
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;

        int r = error_set_errno(&error, ENOENT, "open `%s`", "/x");
        tap_ok(r == -ENOENT && strcmp(error->message, "open `/x`: No such file or directory") == 0,
               "error_set_errno appends strerror");
        r = error_prefix(&error, "create %s", "c1");
        tap_ok(r == -ENOENT &&
                   strcmp(error->message, "create c1: open `/x`: No such file or directory") == 0,
               "error_prefix adds the outer step and keeps the code");
        r = error_set(&error, EINVAL, "bad %d", 7);
        tap_ok(r == -EINVAL && error->code == EINVAL && strcmp(error->message, "bad 7") == 0,
               "error_set replaces an earlier error");
        tap_ok(error_set(NULL, EPERM, "ignored") == -EPERM, "a NULL error pointer is allowed");
}

static char *make_temp_dir(void)
{
        char template[] = "/tmp/ocirun-test-state.XXXXXX";
        return mkdtemp(template) ? strdup(template) : NULL;
}

static void remove_tree(const char *path)
{
        char command[4200];
        snprintf(command, sizeof(command), "rm -rf '%s'", path);
        if (system(command) != 0)
                tap_diag("could not remove %s", path);
}

static ocispec_runtime_state *make_state(const char *id, const char *status, pid_t pid,
                                         uint64_t start_time)
{
        ocispec_runtime_state *state = calloc(1, sizeof(*state));
        state->oci_version = strdup("1.3.0");
        state->id = strdup(id);
        state->status = strdup(status);
        state->bundle = strdup("/bundle");
        state->pid = pid;
        state->has_pid = true;
        state->init_start_time = start_time;
        state->has_init_start_time = true;
        return state;
}

static void test_root_and_state_dirs(void)
{
        _cleanup_free_ char *tmp = make_temp_dir();
        _cleanup_free_ char *root_path = NULL;
        _cleanup_(ocirun_root_freep) ocirun_root *root = NULL;
        _cleanup_(ocirun_error_freep) ocirun_error *error = NULL;
        struct stat st;

        asprintf(&root_path, "%s/a/b/root", tmp);
        tap_ok(ocirun_root_open(root_path, false, &root, &error) == 0 && root->fd < 0,
               "opening a missing root without create gives an empty root");
        ocirun_root_freep(&root);
        tap_ok(ocirun_root_open(root_path, true, &root, &error) == 0 && root->fd >= 0,
               "a missing root is created with its parents");
        tap_ok(stat(root_path, &st) == 0 && (st.st_mode & 07777) == 0700,
               "the runtime root has mode 0700");

        int dirfd = -1;
        tap_ok(state_dir_create(root, "c1", &dirfd, &error) == 0 && dirfd >= 0,
               "state_dir_create makes <root>/c1");
        int again = -1;
        tap_ok(state_dir_create(root, "c1", &again, &error) == -EEXIST &&
                   strcmp(error->message, "container `c1` already exists") == 0,
               "creating an existing container fails with a clear message");

        /* The exclusive lock is held: a second open description cannot lock. */
        int other = openat(root->fd, "c1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        tap_ok(flock(other, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK,
               "the new state directory is locked exclusively");
        close(other);

        ocispec_runtime_state *state = make_state("c1", "created", getpid(), 0);
        uint64_t start_time;
        proc_stat_start_time(getpid(), &start_time, NULL);
        state->init_start_time = start_time;
        tap_ok(state_write(dirfd, state, &error) == 0, "state_write succeeds");
        tap_ok(faccessat(dirfd, ".state.json.tmp", F_OK, 0) < 0,
               "no temporary file is left after the rename");
        close(dirfd);

        ocispec_runtime_state *read_back = NULL;
        tap_ok(ocirun_container_state(root, "c1", &read_back, &error) == 0 &&
                   strcmp(read_back->status, "created") == 0 && read_back->pid == getpid() &&
                   read_back->init_start_time == start_time,
               "ocirun_container_state reads back what was written, live pid keeps its status");
        ocispec_runtime_state_free(read_back);

        tap_ok(ocirun_container_state(root, "nosuch", &read_back, &error) == -ENOENT &&
                   strcmp(error->message, "container `nosuch` does not exist") == 0,
               "an unknown container does not exist");
        tap_ok(ocirun_container_state(root, "../c1", &read_back, &error) == -EINVAL,
               "state refuses an invalid id before touching the filesystem");

        ocirun_container_list *list = NULL;
        mkdirat(root->fd, "creating", 0700); /* no state.json yet: not listed */
        mkdirat(root->fd, ".not-an-id", 0700);
        tap_ok(ocirun_container_list_all(root, &list, &error) == 0 && list->len == 1 &&
                   strcmp(list->states[0]->id, "c1") == 0,
               "list shows containers with a state and skips the rest");
        ocirun_container_list_free(list);
        tap_ok(ocirun_container_state(root, "creating", &read_back, &error) == -ENOENT &&
                   strstr(error->message, "still being created"),
               "a state directory without state.json is still being created");

        tap_ok(state_dir_remove(root, "c1", &error) == 0 && faccessat(root->fd, "c1", F_OK, 0) < 0,
               "state_dir_remove removes the directory and its files");
        tap_ok(state_dir_remove(root, "c1", &error) == 0, "removing it again is not an error");

        ocispec_runtime_state_free(state);
        remove_tree(tmp);
}

static void test_status_refresh(void)
{
        uint64_t start_time;
        pid_t child = fork();
        if (child == 0) {
                pause();
                _exit(0);
        }
        tap_ok(proc_stat_start_time(child, &start_time, NULL) == 0,
               "the start time of a live child is readable");

        ocispec_runtime_state *state = make_state("c", "running", child, start_time);
        state_refresh_status(state);
        tap_ok(strcmp(state->status, "running") == 0, "a live init keeps its status");

        state->init_start_time = start_time + 1;
        state_refresh_status(state);
        tap_ok(strcmp(state->status, "stopped") == 0,
               "a pid with another start time (recycled) reads as stopped");

        free(state->status);
        state->status = strdup("running");
        state->init_start_time = start_time;
        kill(child, SIGKILL);
        /* Not yet reaped: the child is a zombie, which is a stopped container. */
        siginfo_t info;
        waitid(P_PID, (id_t) child, &info, WEXITED | WNOWAIT);
        state_refresh_status(state);
        tap_ok(strcmp(state->status, "stopped") == 0, "a zombie init reads as stopped");
        waitpid(child, NULL, 0);
        free(state->status);
        state->status = strdup("running");
        state_refresh_status(state);
        tap_ok(strcmp(state->status, "stopped") == 0, "a vanished init reads as stopped");

        state->has_pid = false;
        free(state->status);
        state->status = strdup("created");
        state_refresh_status(state);
        tap_ok(strcmp(state->status, "stopped") == 0, "a state without a pid reads as stopped");
        ocispec_runtime_state_free(state);
}

static void test_proc_stat_parsing(void)
{
        uint64_t start_time = 0;
        char proc_state = 0;
        tap_ok(proc_stat_start_time(getpid(), &start_time, &proc_state) == 0 && start_time > 0 &&
                   proc_state == 'R',
               "our own /proc/self/stat gives a start time and state R");
        tap_ok(proc_stat_start_time(-5, &start_time, NULL) == -ENOENT,
               "a pid that cannot exist gives -ENOENT");
}

int main(void)
{
        test_container_ids();
        test_error_chain();
        test_root_and_state_dirs();
        test_status_refresh();
        test_proc_stat_parsing();
        return tap_done();
}
