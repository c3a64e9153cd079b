/* The systemd driver's conversation with the service manager: transient
 * units started, updated and stopped over D-Bus with libsystemd's sd-bus.
 *
 * libsystemd is opened with dlopen on first use, not linked: it brings six
 * more shared libraries (gcrypt, lzma, zstd, lz4...) whose loading every
 * ocirun command would pay for, while only the commands of a systemd-managed
 * container need them.
 *
 * The bus is the one runc's driver uses: for root the system bus, and
 * systemd's private socket when no bus daemon runs; for anyone else the
 * user manager at DBUS_SESSION_BUS_ADDRESS (or $XDG_RUNTIME_DIR/bus). */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cgroup_controllers.h"
#include "cgroup_systemd.h"
#include "error.h"
#include "util/strings.h"
#include "util/time.h"

/* How long systemd may take to run a start or stop job: runc's timeout. */
#define JOB_TIMEOUT_MS 30000

#define SYSTEMD_DESTINATION "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

/* ---- libsystemd, loaded on first use ----------------------------------------- */

#define SD_BUS_FUNCTIONS(X)                                                                        \
        X(sd_bus_new)                                                                              \
        X(sd_bus_set_address)                                                                      \
        X(sd_bus_set_bus_client)                                                                   \
        X(sd_bus_start)                                                                            \
        X(sd_bus_flush_close_unref)                                                                \
        X(sd_bus_message_new_method_call)                                                          \
        X(sd_bus_message_append)                                                                   \
        X(sd_bus_message_append_basic)                                                             \
        X(sd_bus_message_append_array)                                                             \
        X(sd_bus_message_append_strv)                                                              \
        X(sd_bus_message_open_container)                                                           \
        X(sd_bus_message_close_container)                                                          \
        X(sd_bus_message_read)                                                                     \
        X(sd_bus_message_unref)                                                                    \
        X(sd_bus_call)                                                                             \
        X(sd_bus_call_method)                                                                      \
        X(sd_bus_get_property_string)                                                              \
        X(sd_bus_error_free)                                                                       \
        X(sd_bus_error_has_name)                                                                   \
        X(sd_bus_match_signal)                                                                     \
        X(sd_bus_slot_unref)                                                                       \
        X(sd_bus_process)                                                                          \
        X(sd_bus_wait)

static struct {
#define DECLARE(name) __typeof__(name) *name;
        SD_BUS_FUNCTIONS(DECLARE)
#undef DECLARE
} sd;

static int load_libsystemd(ocirun_error **error)
{
        static void *handle;
        if (handle)
                return 0;
        void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return error_set(error, ENOPKG,
                                 "the systemd cgroup driver needs libsystemd.so.0 (Debian's "
                                 "libsystemd0): %s",
                                 dlerror());
#define RESOLVE(name)                                                                              \
        sd.name = (__typeof__(name) *) dlsym(h, #name);                                            \
        if (!sd.name) {                                                                            \
                dlclose(h);                                                                        \
                return error_set(error, ENOPKG, "libsystemd.so.0 has no %s", #name);               \
        }
        SD_BUS_FUNCTIONS(RESOLVE)
#undef RESOLVE
        handle = h;
        return 0;
}

static void bus_closep(sd_bus **bus)
{
        if (*bus)
                sd.sd_bus_flush_close_unref(*bus);
}

static void message_unrefp(sd_bus_message **m)
{
        if (*m)
                sd.sd_bus_message_unref(*m);
}

static void bus_error_freep(sd_bus_error *e)
{
        if (sd.sd_bus_error_free)
                sd.sd_bus_error_free(e);
}

static void slot_unrefp(sd_bus_slot **slot)
{
        if (*slot)
                sd.sd_bus_slot_unref(*slot);
}

#define _cleanup_bus_ _cleanup_(bus_closep)
#define _cleanup_message_ _cleanup_(message_unrefp)
#define _cleanup_bus_error_ _cleanup_(bus_error_freep)

/* ---- connecting -------------------------------------------------------------- */

static int bus_try(const char *address, bool bus_client, sd_bus **ret)
{
        sd_bus *bus = NULL;
        int r = sd.sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd.sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd.sd_bus_set_bus_client(bus, bus_client);
        if (r >= 0)
                r = sd.sd_bus_start(bus);
        if (r < 0) {
                sd.sd_bus_flush_close_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

/* The manager's bus; an error names every address tried and why each failed. */
static int bus_open(bool user_manager, sd_bus **ret, ocirun_error **error)
{
        _cleanup_free_ char *bus_address = NULL, *private_address = NULL;
        int r = load_libsystemd(error);
        if (r < 0)
                return r;
        if (user_manager) {
                const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
                const char *session = getenv("DBUS_SESSION_BUS_ADDRESS");
                if (str_empty(session) && str_empty(runtime_dir))
                        return error_set(error, EINVAL,
                                         "the systemd cgroup driver as uid %u talks to the user's "
                                         "systemd, but neither DBUS_SESSION_BUS_ADDRESS nor "
                                         "XDG_RUNTIME_DIR is set",
                                         (unsigned) geteuid());
                if (!str_empty(session))
                        bus_address = strdup(session);
                else if (asprintf(&bus_address, "unix:path=%s/bus", runtime_dir) < 0)
                        bus_address = NULL;
                if (!str_empty(runtime_dir) &&
                    asprintf(&private_address, "unix:path=%s/systemd/private", runtime_dir) < 0)
                        return OOM(error);
        } else {
                const char *system = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                bus_address =
                    strdup(!str_empty(system) ? system : "unix:path=/run/dbus/system_bus_socket");
                private_address = strdup("unix:path=/run/systemd/private");
                if (!private_address)
                        return OOM(error);
        }
        if (!bus_address)
                return OOM(error);

        int bus_r = bus_try(bus_address, true, ret);
        if (bus_r == 0)
                return 0;
        /* No bus daemon: systemd itself listens on its private socket, which
         * needs no daemon in between (go-systemd's fallback for root). */
        int private_r = private_address ? bus_try(private_address, false, ret) : -ENOENT;
        if (private_r == 0)
                return 0;
        const char *hint = !user_manager && access("/run/systemd/system", F_OK) < 0
                               ? " (this host does not run systemd: no /run/systemd/system)"
                               : "";
        if (!private_address)
                return error_set(error, -bus_r,
                                 "the systemd cgroup driver cannot reach the user's systemd: "
                                 "connect to %s: %s",
                                 bus_address, strerror(-bus_r));
        return error_set(error, -bus_r,
                         "the systemd cgroup driver cannot reach %s systemd: connect to %s: %s; "
                         "connect to %s: %s%s",
                         user_manager ? "the user's" : "the system's", bus_address,
                         strerror(-bus_r), private_address, strerror(-private_r), hint);
}

static int bus_failure(ocirun_error **error, int r, const sd_bus_error *e, const char *what)
{
        if (e && e->message)
                return error_set(error, r < 0 ? -r : EIO, "%s: %s", what, e->message);
        return error_set(error, r < 0 ? -r : EIO, "%s: %s", what, strerror(r < 0 ? -r : EIO));
}

/* ---- messages ------------------------------------------------------------------- */

static int append_property(sd_bus_message *m, const systemd_property *p)
{
        int r = sd.sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd.sd_bus_message_append_basic(m, 's', p->name);
        if (r >= 0)
                r = sd.sd_bus_message_open_container(m, 'v', p->signature);
        if (r < 0)
                return r;
        const char *sig = p->signature;
        if (strcmp(sig, "as") == 0) {
                r = sd.sd_bus_message_append_strv(m, p->strings);
        } else if (strcmp(sig, "ay") == 0) {
                r = sd.sd_bus_message_append_array(m, 'y', p->bytes, p->bytes_len);
        } else if (strcmp(sig, "au") == 0) {
                r = sd.sd_bus_message_append_array(m, 'u', p->bytes, p->bytes_len);
        } else if (strcmp(sig, "a(ss)") == 0) {
                r = sd.sd_bus_message_open_container(m, 'a', "(ss)");
                for (char **pair = p->strings; r >= 0 && pair && pair[0] && pair[1]; pair += 2)
                        r = sd.sd_bus_message_append(m, "(ss)", pair[0], pair[1]);
                if (r >= 0)
                        r = sd.sd_bus_message_close_container(m);
        } else {
                union {
                        int b;
                        uint8_t y;
                        int16_t n;
                        uint16_t q;
                        int32_t i;
                        uint32_t u;
                        int64_t x;
                        uint64_t t;
                        double d;
                } v;
                switch (sig[0]) {
                case 'b':
                        v.b = p->number != 0;
                        break;
                case 'y':
                        v.y = (uint8_t) p->number;
                        break;
                case 'n':
                        v.n = (int16_t) p->number;
                        break;
                case 'q':
                        v.q = (uint16_t) p->number;
                        break;
                case 'i':
                        v.i = (int32_t) p->number;
                        break;
                case 'u':
                        v.u = (uint32_t) p->number;
                        break;
                case 'x':
                        v.x = (int64_t) p->number;
                        break;
                case 't':
                        v.t = p->number;
                        break;
                case 'd':
                        v.d = p->real;
                        break;
                case 's':
                        break;
                default:
                        return -EINVAL;
                }
                r = sd.sd_bus_message_append_basic(
                    m, sig[0], sig[0] == 's' ? (void *) p->string : (void *) &v);
        }
        if (r >= 0)
                r = sd.sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd.sd_bus_message_close_container(m);
        return r;
}

static int append_properties(sd_bus_message *m, const systemd_properties *properties)
{
        int r = sd.sd_bus_message_open_container(m, 'a', "(sv)");
        for (size_t i = 0; r >= 0 && i < properties->len; i++)
                r = append_property(m, &properties->items[i]);
        if (r >= 0)
                r = sd.sd_bus_message_close_container(m);
        return r;
}

/* ---- jobs ------------------------------------------------------------------------ */

/* A job's end, watched from before the call that makes the job, so that
 * its JobRemoved cannot come and go unseen. */
typedef struct job_watch {
        sd_bus_slot *slot;
        char *job; /* the job's object path, once the manager has answered */
        char *result;
} job_watch;

static void job_watch_clear(job_watch *watch)
{
        slot_unrefp(&watch->slot);
        free(watch->job);
        free(watch->result);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        job_watch *watch = userdata;
        uint32_t id;
        const char *path, *unit, *result;
        (void) ret_error;
        if (sd.sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (watch->job && !watch->result && strcmp(path, watch->job) == 0)
                watch->result = strdup(result);
        return 0;
}

static int job_watch_begin(sd_bus *bus, job_watch *watch, const char *what, ocirun_error **error)
{
        /* No sender in the match: on systemd's private socket messages have
         * none. */
        int r = sd.sd_bus_match_signal(bus, &watch->slot, NULL, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                       "JobRemoved", on_job_removed, watch);
        return r < 0 ? error_set(error, -r, "%s: watch systemd's jobs: %s", what, strerror(-r)) : 0;
}

/* reply is the manager's answer with the job's path: waits for that job to
 * end, and for it to end well. */
static int job_watch_finish(sd_bus *bus, job_watch *watch, sd_bus_message *reply, const char *what,
                            ocirun_error **error)
{
        const char *job;
        int r = sd.sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return error_set(error, -r, "%s: read systemd's answer: %s", what, strerror(-r));
        watch->job = strdup(job);
        if (!watch->job)
                return OOM(error);
        uint64_t deadline = time_monotonic_ms() + JOB_TIMEOUT_MS;
        while (!watch->result) {
                r = sd.sd_bus_process(bus, NULL);
                if (r > 0)
                        continue;
                uint64_t now = time_monotonic_ms();
                if (r == 0 && now >= deadline)
                        return error_set(error, ETIMEDOUT,
                                         "%s: systemd's job %s did not finish in %d s", what,
                                         watch->job, JOB_TIMEOUT_MS / 1000);
                if (r == 0)
                        r = sd.sd_bus_wait(bus, (deadline - now) * 1000);
                if (r < 0 && r != -EINTR)
                        return error_set(error, -r, "%s: wait for systemd's job %s: %s", what,
                                         watch->job, strerror(-r));
        }
        if (strcmp(watch->result, "done") != 0)
                return error_set(error, EIO, "%s: systemd's job ended with result `%s`", what,
                                 watch->result);
        return 0;
}

static int new_manager_call(sd_bus *bus, const char *member, sd_bus_message **ret,
                            ocirun_error **error)
{
        int r = sd.sd_bus_message_new_method_call(bus, ret, SYSTEMD_DESTINATION, SYSTEMD_PATH,
                                                  SYSTEMD_MANAGER, member);
        return r < 0 ? error_set(error, -r, "build a %s call: %s", member, strerror(-r)) : 0;
}

static void reset_failed(sd_bus *bus, const char *unit)
{
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_message_ sd_bus_message *reply = NULL;
        int r = sd.sd_bus_call_method(bus, SYSTEMD_DESTINATION, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                      "ResetFailedUnit", &e, &reply, "s", unit);
        if (r < 0 && !sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
                ocirun_log(OCIRUN_LOG_DEBUG, "systemd: reset-failed %s: %s", unit,
                           e.message ? e.message : strerror(-r));
}

static int start_transient_unit(sd_bus *bus, const char *unit, const systemd_properties *properties,
                                ocirun_error **error)
{
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "start systemd unit `%s`", unit) < 0)
                return OOM(error);
        for (int attempt = 0;; attempt++) {
                _cleanup_message_ sd_bus_message *m = NULL;
                _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
                int r = new_manager_call(bus, "StartTransientUnit", &m, error);
                if (r < 0)
                        return r;
                r = sd.sd_bus_message_append(m, "ss", unit, "replace");
                if (r >= 0)
                        r = append_properties(m, properties);
                if (r >= 0)
                        r = sd.sd_bus_message_append(m, "a(sa(sv))", 0);
                if (r < 0)
                        return error_set(error, -r, "%s: build the call: %s", what, strerror(-r));
                _cleanup_(job_watch_clear) job_watch watch = {0};
                _cleanup_message_ sd_bus_message *reply = NULL;
                r = job_watch_begin(bus, &watch, what, error);
                if (r < 0)
                        return r;
                r = sd.sd_bus_call(bus, m, (uint64_t) JOB_TIMEOUT_MS * 1000, &e, &reply);
                if (r >= 0)
                        return job_watch_finish(bus, &watch, reply, what, error);
                /* A unit of that name left failed by an earlier container
                 * is reset and the start tried once more, as runc does; an
                 * active one is another container's. */
                if (attempt == 0 &&
                    sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
                        reset_failed(bus, unit);
                        continue;
                }
                return bus_failure(error, r, &e, what);
        }
}

static int unit_control_group(sd_bus *bus, const char *unit, char **ret, ocirun_error **error)
{
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_message_ sd_bus_message *reply = NULL;
        const char *path;
        int r = sd.sd_bus_call_method(bus, SYSTEMD_DESTINATION, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                      "GetUnit", &e, &reply, "s", unit);
        if (r >= 0)
                r = sd.sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return bus_failure(error, r, &e, "find the new unit");
        const char *interface = systemd_unit_is_slice(unit) ? "org.freedesktop.systemd1.Slice"
                                                            : "org.freedesktop.systemd1.Scope";
        r = sd.sd_bus_get_property_string(bus, SYSTEMD_DESTINATION, path, interface, "ControlGroup",
                                          &e, ret);
        if (r < 0)
                return bus_failure(error, r, &e, "read the unit's ControlGroup");
        if (!**ret) {
                free(steal_pointer(ret));
                return error_set(error, EIO, "systemd gave unit `%s` no cgroup", unit);
        }
        return 0;
}

/* ---- the seed ---------------------------------------------------------------- */

/* A child that only waits to be killed: a scope is made around processes,
 * and the container's init does not exist yet when its limits go in. */
static int seed_spawn(pid_t *ret, ocirun_error **error)
{
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
                return error_set_errno(error, errno, "fork the systemd scope's first process");
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(0);
                for (;;)
                        pause();
        }
        *ret = pid;
        return 0;
}

void cgroup_systemd_seed_release(pid_t *seed)
{
        if (*seed <= 0)
                return;
        kill(*seed, SIGKILL);
        while (waitpid(*seed, NULL, 0) < 0 && errno == EINTR)
                ;
        *seed = 0;
}

/* ---- create, destroy, update ------------------------------------------------------ */

/* DevicePolicy and DeviceAllow for the rules ocirun itself enforces. */
static int add_device_properties(const ocispec_linux_resources *resources,
                                 systemd_properties *properties, ocirun_error **error)
{
        ocispec_device_cgroup *rules = NULL;
        size_t len = 0;
        int r = cgroup_device_rules(resources, &rules, &len, error);
        if (r == 0)
                r = systemd_device_properties(rules, len, properties, error);
        cgroup_device_rules_free(rules, len);
        return r;
}

/* The properties every unit of ocirun's gets, then the resources, the
 * devices and the annotations (which win). */
static int unit_properties(const ocispec_config *config, const char *id, const char *unit,
                           const char *slice, pid_t seed, cgroup_version version,
                           systemd_properties *properties, ocirun_error **error)
{
        const ocispec_linux_resources *resources = config->linux ? config->linux->resources : NULL;
        _cleanup_free_ char *description = NULL;
        int r = asprintf(&description, "ocirun container %s", id) < 0 ? -ENOMEM : 0;
        if (r == 0)
                r = systemd_properties_add_string(properties, "Description", description);
        if (r == 0 && systemd_unit_is_slice(unit)) {
                /* A slice names its parent by its own name; Wants= makes
                 * sure the parent is there. */
                const char *wants[] = {slice, NULL};
                r = systemd_properties_add_strv(properties, "Wants", wants);
        } else if (r == 0) {
                r = systemd_properties_add_string(properties, "Slice", slice);
                if (r == 0)
                        r = systemd_properties_add_bool(properties, "Delegate", true);
        }
        if (r == 0)
                r = systemd_properties_add_bool(properties, "DefaultDependencies", false);
        if (r == 0 && seed > 0) {
                uint32_t pid = (uint32_t) seed;
                r = systemd_properties_add_u32_array(properties, "PIDs", &pid, 1);
        }
        if (r < 0)
                return OOM(error);
        r = systemd_resource_properties(resources, version, false, properties, error);
        if (r == 0 && resources)
                r = add_device_properties(resources, properties, error);
        if (r == 0)
                r = systemd_annotation_properties(config->annotations, properties, error);
        return r;
}

/* The resources go to systemd as v1 properties wherever the memory
 * controller is on a v1 hierarchy (v1 and hybrid hosts): there systemd
 * drives the v1 controllers. */
static cgroup_version controllers_version(void)
{
        _cleanup_(cgroup_layout_clear) cgroup_layout layout = {0};
        _cleanup_(ocirun_error_freep) ocirun_error *ignored = NULL;
        if (cgroup_layout_read(&layout, NULL, &ignored) < 0)
                return CGROUP_V2;
        for (size_t i = 0; i < layout.len; i++)
                if (layout.items[i].controllers &&
                    cgroup_word_in_list(layout.items[i].controllers, "memory", ','))
                        return CGROUP_V1;
        return CGROUP_V2;
}

static int record_unit(ocispec_runtime_state *state, const char *unit, bool user_manager)
{
        free(state->systemd_unit);
        free(state->systemd_manager);
        state->systemd_unit = strdup(unit);
        state->systemd_manager = strdup(user_manager ? "user" : "system");
        return state->systemd_unit && state->systemd_manager ? 0 : -ENOMEM;
}

int cgroup_systemd_create(const ocispec_config *config, const char *id, bool user_manager,
                          ocispec_runtime_state *state, pid_t *ret_seed, ocirun_error **error)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL, *control_group = NULL;
        _cleanup_(systemd_properties_clear) systemd_properties properties = {0};
        _cleanup_bus_ sd_bus *bus = NULL;
        pid_t seed = 0;

        int r = systemd_unit_names(config->linux ? config->linux->cgroups_path : NULL, id,
                                   user_manager, &unit, &slice, error);
        if (r == 0)
                r = bus_open(user_manager, &bus, error);
        if (r < 0)
                return r;
        if (!systemd_unit_is_slice(unit)) {
                r = seed_spawn(&seed, error);
                if (r < 0)
                        return r;
        }
        r = unit_properties(config, id, unit, slice, seed, controllers_version(), &properties,
                            error);
        if (r == 0)
                r = start_transient_unit(bus, unit, &properties, error);
        if (r < 0) {
                cgroup_systemd_seed_release(&seed);
                return r;
        }
        /* From here on the unit is ours: a failure below stops it through
         * cgroup_destroy, like any cgroup create made. */
        if (record_unit(state, unit, user_manager) < 0) {
                cgroup_systemd_seed_release(&seed);
                return OOM(error);
        }
        r = unit_control_group(bus, unit, &control_group, error);
        if (r == 0)
                r = cgroup_create_at(control_group, state, error);
        if (r < 0) {
                cgroup_systemd_seed_release(&seed);
                return error_prefix(error, "systemd unit `%s`", unit);
        }
        ocirun_log(OCIRUN_LOG_DEBUG, "systemd: unit %s in %s, cgroup %s", unit, slice,
                   control_group);
        *ret_seed = seed;
        return 0;
}

bool cgroup_systemd_is_user(const ocispec_runtime_state *state)
{
        return state->systemd_manager && strcmp(state->systemd_manager, "user") == 0;
}

int cgroup_systemd_destroy(const ocispec_runtime_state *state, ocirun_error **error)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_message_ sd_bus_message *m = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *what = NULL;
        const char *unit = state->systemd_unit;
        bool user_manager = cgroup_systemd_is_user(state);

        if (str_empty(unit))
                return 0;
        if (asprintf(&what, "stop systemd unit `%s`", unit) < 0)
                return OOM(error);
        int r = bus_open(user_manager, &bus, error);
        if (r < 0)
                return error_prefix(error, "%s", what);
        r = new_manager_call(bus, "StopUnit", &m, error);
        if (r < 0)
                return r;
        r = sd.sd_bus_message_append(m, "ss", unit, "replace");
        if (r < 0)
                return error_set(error, -r, "%s: build the call: %s", what, strerror(-r));
        _cleanup_(job_watch_clear) job_watch watch = {0};
        _cleanup_message_ sd_bus_message *reply = NULL;
        r = job_watch_begin(bus, &watch, what, error);
        if (r < 0)
                return r;
        r = sd.sd_bus_call(bus, m, (uint64_t) JOB_TIMEOUT_MS * 1000, &e, &reply);
        if (r >= 0)
                r = job_watch_finish(bus, &watch, reply, what, error);
        /* A scope whose processes are all gone was stopped and collected by
         * systemd already. */
        else if (sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
                r = 0;
        else
                return bus_failure(error, r, &e, what);
        reset_failed(bus, unit);
        return r;
}

int cgroup_systemd_attach(const ocispec_runtime_state *state, pid_t pid, ocirun_error **error)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_message_ sd_bus_message *m = NULL;
        _cleanup_message_ sd_bus_message *reply = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *unit = state->systemd_unit;
        bool user_manager = cgroup_systemd_is_user(state);

        if (str_empty(unit))
                return error_set(error, EINVAL, "container `%s` has no systemd unit", state->id);
        int r = bus_open(user_manager, &bus, error);
        if (r == 0)
                r = new_manager_call(bus, "AttachProcessesToUnit", &m, error);
        if (r < 0)
                return r;
        uint32_t pids[] = {(uint32_t) pid};
        r = sd.sd_bus_message_append(m, "ss", unit, "");
        if (r >= 0)
                r = sd.sd_bus_message_append_array(m, 'u', pids, sizeof(pids));
        if (r >= 0)
                r = sd.sd_bus_call(bus, m, (uint64_t) JOB_TIMEOUT_MS * 1000, &e, &reply);
        if (r < 0)
                return bus_failure(error, r, &e, "move the process into systemd unit");
        return 0;
}

int cgroup_systemd_update(const ocispec_runtime_state *state,
                          const ocispec_linux_resources *resources, ocirun_error **error)
{
        _cleanup_(systemd_properties_clear) systemd_properties properties = {0};
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_message_ sd_bus_message *m = NULL;
        _cleanup_message_ sd_bus_message *reply = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *unit = state->systemd_unit;
        bool user_manager = cgroup_systemd_is_user(state);

        if (str_empty(unit) || !resources)
                return 0;
        int r =
            systemd_resource_properties(resources, controllers_version(), true, &properties, error);
        if (r == 0 && resources->devices_len)
                r = add_device_properties(resources, &properties, error);
        if (r < 0 || properties.len == 0)
                return r;
        r = bus_open(user_manager, &bus, error);
        if (r == 0)
                r = new_manager_call(bus, "SetUnitProperties", &m, error);
        if (r < 0)
                return r;
        r = sd.sd_bus_message_append(m, "sb", unit, 1);
        if (r >= 0)
                r = append_properties(m, &properties);
        if (r >= 0)
                r = sd.sd_bus_call(bus, m, (uint64_t) JOB_TIMEOUT_MS * 1000, &e, &reply);
        if (r < 0)
                return bus_failure(error, r, &e, "update systemd unit properties");
        return 0;
}
