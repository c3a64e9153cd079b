/* The container process's capabilities: turning the names of the five sets
 * in process.capabilities into capability numbers (libcap-ng's name table,
 * so ocirun knows exactly the names libcap-ng knows), checking them against
 * the running kernel and against what ocirun itself holds, and applying them
 * in the one order the kernel accepts: the bounding set while CAP_SETPCAP is
 * still effective, then effective/permitted/inheritable in one capset(2),
 * then the ambient set, which the kernel only lets hold capabilities that are
 * both permitted and inheritable (others are left out with a warning, as
 * runc leaves them out).
 *
 * libcap-ng is used for the names only. Applying goes straight to capget(2),
 * capset(2) and prctl(2): capng_apply() reports a failure as a bare -1..-n
 * with no errno and no capability, and the errors here must name the
 * capability and the set (`process.capabilities.ambient: raise CAP_KILL:
 * ...`). Going direct also keeps the number of system calls visible. */
#include <inttypes.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cap-ng.h>

#include "caps.h"
#include "error.h"
#include "util/strings.h"

/* The kernel's capability sets are two 32-bit words in capset(2)'s v3 ABI,
 * so every capability number is below 64. */
typedef uint64_t cap_mask;
#define CAP_BIT(cap) ((cap_mask) 1 << (cap))

enum cap_set {
        CAP_SET_BOUNDING,
        CAP_SET_EFFECTIVE,
        CAP_SET_PERMITTED,
        CAP_SET_INHERITABLE,
        CAP_SET_AMBIENT,
        CAP_SET_COUNT,
};

static const char *const cap_set_names[CAP_SET_COUNT] = {
    [CAP_SET_BOUNDING] = "bounding",   [CAP_SET_EFFECTIVE] = "effective",
    [CAP_SET_PERMITTED] = "permitted", [CAP_SET_INHERITABLE] = "inheritable",
    [CAP_SET_AMBIENT] = "ambient",
};

static char *const *cap_set_list(const ocispec_process_capabilities *caps, enum cap_set set,
                                 size_t *ret_len)
{
        *ret_len = 0;
        if (!caps)
                return NULL;
        switch (set) {
        case CAP_SET_BOUNDING:
                *ret_len = caps->bounding_len;
                return caps->bounding;
        case CAP_SET_EFFECTIVE:
                *ret_len = caps->effective_len;
                return caps->effective;
        case CAP_SET_PERMITTED:
                *ret_len = caps->permitted_len;
                return caps->permitted;
        case CAP_SET_INHERITABLE:
                *ret_len = caps->inheritable_len;
                return caps->inheritable;
        case CAP_SET_AMBIENT:
                *ret_len = caps->ambient_len;
                return caps->ambient;
        case CAP_SET_COUNT:
        default:
                return NULL;
        }
}

/* The highest capability number the running kernel knows, i.e. the value of
 * /proc/sys/kernel/cap_last_cap. It is asked of the kernel rather than read
 * from that file: PR_CAPBSET_READ fails with EINVAL exactly for numbers above
 * CAP_LAST_CAP, needs no privilege and no /proc. That matters in caps_apply,
 * which runs after pivot_root, where /proc is the container's and, in a
 * config that mounts none, a path whose content the image chose. A binary
 * search costs six prctl calls. */
static unsigned caps_last_cap(void)
{
        unsigned valid = 0; /* CAP_CHOWN has existed since capabilities exist */
        unsigned invalid = 64;

        while (invalid - valid > 1) {
                unsigned middle = valid + (invalid - valid) / 2;
                if (prctl(PR_CAPBSET_READ, (unsigned long) middle, 0, 0, 0) < 0 && errno == EINVAL)
                        invalid = middle;
                else
                        valid = middle;
        }
        return valid;
}

/* The capability number of a config name, "CAP_NET_ADMIN" or "net_admin" in
 * any case, or -1 when libcap-ng does not know it. libcap-ng compares without
 * case but wants the name without its prefix. */
static int cap_from_name(const char *name)
{
        if (strncasecmp(name, "CAP_", 4) == 0)
                name += 4;
        if (!*name)
                return -1;
        return capng_name_to_capability(name);
}

/* "CAP_NET_ADMIN" for messages, from libcap-ng's "net_admin". */
static void cap_display_name(unsigned cap, char *buf, size_t size)
{
        const char *name = capng_capability_to_name(cap);
        size_t n;

        if (!name) {
                snprintf(buf, size, "CAP_%u", cap);
                return;
        }
        n = (size_t) snprintf(buf, size, "CAP_");
        for (; *name && n + 1 < size; name++)
                buf[n++] = (char) (*name >= 'a' && *name <= 'z' ? *name - 'a' + 'A' : *name);
        buf[n] = '\0';
}

/* Every set's names as masks. An unknown name is an error; a name libcap-ng
 * knows but the kernel does not (a kernel older than libcap-ng's table) is
 * left out, with one warning per capability when warn is set. */
static int caps_resolve(const ocispec_process_capabilities *caps, unsigned last_cap, bool warn,
                        cap_mask ret[CAP_SET_COUNT], ocirun_error **error)
{
        cap_mask masks[CAP_SET_COUNT] = {0};
        cap_mask warned = 0;

        for (int set = 0; set < CAP_SET_COUNT; set++) {
                size_t len;
                char *const *names = cap_set_list(caps, (enum cap_set) set, &len);

                for (size_t i = 0; i < len && names && names[i]; i++) {
                        int cap = cap_from_name(names[i]);
                        if (cap < 0 || cap >= 64) {
                                _cleanup_free_ char *quoted = str_quote(names[i], 64);
                                return error_set(error, EINVAL,
                                                 "process.capabilities.%s: unknown capability %s",
                                                 cap_set_names[set], quoted ? quoted : "?");
                        }
                        if ((unsigned) cap > last_cap) {
                                if (warn && !(warned & CAP_BIT(cap))) {
                                        _cleanup_free_ char *quoted = str_quote(names[i], 64);
                                        ocirun_log(OCIRUN_LOG_WARNING,
                                                   "process.capabilities.%s: %s is not supported "
                                                   "by the running kernel (its last capability "
                                                   "is %u), skipping it",
                                                   cap_set_names[set], quoted ? quoted : "?",
                                                   last_cap);
                                }
                                warned |= CAP_BIT(cap);
                                continue;
                        }
                        masks[set] |= CAP_BIT(cap);
                }
        }
        /* The kernel raises an ambient capability only if it is permitted
         * and inheritable too. runc drops the others and runs the process,
         * and its `runc spec` lists CAP_KILL and two more as ambient but not
         * inheritable: refusing them would refuse runc's own default. */
        cap_mask unraisable =
            masks[CAP_SET_AMBIENT] & ~(masks[CAP_SET_PERMITTED] & masks[CAP_SET_INHERITABLE]);
        for (unsigned cap = 0; warn && unraisable && cap <= last_cap; cap++) {
                char name[64];
                if (!(unraisable & CAP_BIT(cap)))
                        continue;
                cap_display_name(cap, name, sizeof(name));
                ocirun_log(OCIRUN_LOG_WARNING,
                           "process.capabilities.ambient: %s is left out: an ambient capability "
                           "must also be in the permitted and inheritable sets",
                           name);
        }
        masks[CAP_SET_AMBIENT] &= ~unraisable;
        memcpy(ret, masks, sizeof(masks));
        return 0;
}

int caps_validate(const ocispec_process_capabilities *caps, ocirun_error **error)
{
        cap_mask masks[CAP_SET_COUNT];

        return caps_resolve(caps, caps_last_cap(), true, masks, error);
}

struct cap_state {
        cap_mask effective;
        cap_mask permitted;
        cap_mask inheritable;
};

static int cap_state_get(struct cap_state *ret)
{
        struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {0};

        if (syscall(SYS_capget, &header, data) < 0)
                return -errno;
        ret->effective = data[0].effective | (cap_mask) data[1].effective << 32;
        ret->permitted = data[0].permitted | (cap_mask) data[1].permitted << 32;
        ret->inheritable = data[0].inheritable | (cap_mask) data[1].inheritable << 32;
        return 0;
}

static int cap_state_set(const struct cap_state *state)
{
        struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
            {(uint32_t) state->effective, (uint32_t) state->permitted,
             (uint32_t) state->inheritable},
            {(uint32_t) (state->effective >> 32), (uint32_t) (state->permitted >> 32),
             (uint32_t) (state->inheritable >> 32)},
        };

        if (syscall(SYS_capset, &header, data) < 0)
                return -errno;
        return 0;
}

bool caps_effective_has(unsigned cap)
{
        struct cap_state state;

        return cap < 64 && cap_state_get(&state) == 0 && (state.effective & CAP_BIT(cap));
}

/* What the runtime can hand on: a capability outside its own bounding set can
 * never come back, and one outside its permitted set cannot be made
 * permitted or effective again. Checked first so the message names the
 * capability instead of reporting capset's bare EPERM. */
static int caps_check_held(const cap_mask want[CAP_SET_COUNT], const struct cap_state *current,
                           ocirun_error **error)
{
        static const enum cap_set order[] = {CAP_SET_BOUNDING, CAP_SET_EFFECTIVE, CAP_SET_PERMITTED,
                                             CAP_SET_INHERITABLE};
        cap_mask known_in_bounding = 0, known_outside_bounding = 0;

        for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
                enum cap_set set = order[i];
                for (unsigned cap = 0; cap < 64; cap++) {
                        char name[64];

                        if (!(want[set] & CAP_BIT(cap)))
                                continue;
                        /* One PR_CAPBSET_READ per capability asked for, not per set. */
                        if (!((known_in_bounding | known_outside_bounding) & CAP_BIT(cap))) {
                                if (prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) > 0)
                                        known_in_bounding |= CAP_BIT(cap);
                                else
                                        known_outside_bounding |= CAP_BIT(cap);
                        }
                        if (known_outside_bounding & CAP_BIT(cap)) {
                                cap_display_name(cap, name, sizeof(name));
                                return error_set(error, EPERM,
                                                 "process.capabilities.%s: %s is not in ocirun's "
                                                 "own bounding set, so the container cannot get it",
                                                 cap_set_names[set], name);
                        }
                        if ((set == CAP_SET_EFFECTIVE || set == CAP_SET_PERMITTED) &&
                            !(current->permitted & CAP_BIT(cap))) {
                                cap_display_name(cap, name, sizeof(name));
                                return error_set(
                                    error, EPERM,
                                    "process.capabilities.%s: %s is not in ocirun's "
                                    "own permitted set, so the container cannot get it",
                                    cap_set_names[set], name);
                        }
                }
        }
        return 0;
}

/* The kernel's own rules for capset(2), checked against the config so a
 * mistake reads as what it is rather than as capset's EPERM. */
static int caps_check_consistent(const cap_mask want[CAP_SET_COUNT],
                                 const struct cap_state *current, ocirun_error **error)
{
        cap_mask effective_not_permitted = want[CAP_SET_EFFECTIVE] & ~want[CAP_SET_PERMITTED];
        /* With CAP_SETPCAP effective the kernel accepts an inheritable
         * capability that is in the (new) bounding set or was inheritable
         * already. */
        cap_mask inheritable_not_bounded =
            want[CAP_SET_INHERITABLE] & ~want[CAP_SET_BOUNDING] & ~current->inheritable;
        char name[64];

        if (effective_not_permitted) {
                cap_display_name((unsigned) __builtin_ctzll(effective_not_permitted), name,
                                 sizeof(name));
                return error_set(error, EINVAL,
                                 "process.capabilities.effective: %s is not in "
                                 "process.capabilities.permitted, and the kernel only makes "
                                 "permitted capabilities effective",
                                 name);
        }
        if (inheritable_not_bounded) {
                cap_display_name((unsigned) __builtin_ctzll(inheritable_not_bounded), name,
                                 sizeof(name));
                return error_set(error, EINVAL,
                                 "process.capabilities.inheritable: %s is not in "
                                 "process.capabilities.bounding, and the kernel refuses an "
                                 "inheritable capability outside the bounding set",
                                 name);
        }
        return 0;
}

/* Drops every capability up to last_cap that the config's bounding set does
 * not list. PR_CAPBSET_DROP of a capability already gone succeeds as long as
 * CAP_SETPCAP is effective, so the set is not read first; without
 * CAP_SETPCAP every drop fails, and then only one still present is an error. */
static int caps_drop_bounding(cap_mask keep, unsigned last_cap, bool have_setpcap,
                              ocirun_error **error)
{
        for (unsigned cap = 0; cap <= last_cap; cap++) {
                char name[64];

                if (keep & CAP_BIT(cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) == 0)
                        continue;
                int saved_errno = errno;
                if (saved_errno == EPERM &&
                    prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) == 0)
                        continue;
                cap_display_name(cap, name, sizeof(name));
                if (saved_errno == EPERM && !have_setpcap)
                        return error_set(error, EPERM,
                                         "process.capabilities.bounding: drop %s: %s (dropping "
                                         "from the bounding set needs CAP_SETPCAP, which ocirun "
                                         "does not have)",
                                         name, strerror(saved_errno));
                return error_set_errno(error, saved_errno, "process.capabilities.bounding: drop %s",
                                       name);
        }
        return 0;
}

/* The ambient set, exactly as listed: cleared first, because an ambient
 * capability ocirun itself was started with would otherwise survive into the
 * container whenever it is also permitted and inheritable there. */
static int caps_apply_ambient(const cap_mask want[CAP_SET_COUNT], unsigned last_cap,
                              ocirun_error **error)
{
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                /* EINVAL: a kernel before 4.3, which has no ambient set at all. */
                if (errno != EINVAL || want[CAP_SET_AMBIENT])
                        return error_set_errno(
                            error, errno, "process.capabilities.ambient: clear the ambient set");
        }
        for (unsigned cap = 0; cap <= last_cap; cap++) {
                char name[64];

                if (!(want[CAP_SET_AMBIENT] & CAP_BIT(cap)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0) == 0)
                        continue;
                int saved_errno = errno;
                cap_display_name(cap, name, sizeof(name));
                return error_set_errno(error, saved_errno, "process.capabilities.ambient: raise %s",
                                       name);
        }
        return 0;
}

int caps_apply(const ocispec_process_capabilities *caps, ocirun_error **error)
{
        unsigned last_cap = caps_last_cap();
        cap_mask want[CAP_SET_COUNT];
        struct cap_state current;
        int r;

        r = caps_resolve(caps, last_cap, false, want, error);
        if (r < 0)
                return r;
        r = cap_state_get(&current);
        if (r < 0)
                return error_set_errno(error, -r, "process.capabilities: capget");
        r = caps_check_held(want, &current, error);
        if (r < 0)
                return r;
        r = caps_check_consistent(want, &current, error);
        if (r < 0)
                return r;

        /* After process_switch_user to a uid other than 0, PR_SET_KEEPCAPS kept
         * the permitted set but the kernel cleared the effective one; the
         * bounding set can only be changed with CAP_SETPCAP effective. */
        bool have_setpcap = current.effective & CAP_BIT(CAP_SETPCAP);
        if (!have_setpcap && (current.permitted & CAP_BIT(CAP_SETPCAP))) {
                struct cap_state raised = current;
                raised.effective = current.permitted;
                r = cap_state_set(&raised);
                if (r < 0)
                        return error_set_errno(error, -r,
                                               "process.capabilities: capset to make the "
                                               "permitted capabilities effective");
                have_setpcap = true;
        }
        r = caps_drop_bounding(want[CAP_SET_BOUNDING], last_cap, have_setpcap, error);
        if (r < 0)
                return r;

        struct cap_state wanted = {
            .effective = want[CAP_SET_EFFECTIVE],
            .permitted = want[CAP_SET_PERMITTED],
            .inheritable = want[CAP_SET_INHERITABLE],
        };
        r = cap_state_set(&wanted);
        if (r < 0)
                return error_set_errno(error, -r,
                                       "process.capabilities: capset effective %#" PRIx64
                                       ", permitted %#" PRIx64 ", inheritable %#" PRIx64,
                                       wanted.effective, wanted.permitted, wanted.inheritable);

        r = caps_apply_ambient(want, last_cap, error);
        if (r < 0)
                return r;

        /* process_switch_user set it to carry the permitted set across the uid
         * change; it has no further use and must not outlive the setup. */
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return error_set_errno(error, errno,
                                       "process.capabilities: prctl(PR_SET_KEEPCAPS, 0)");
        return 0;
}
