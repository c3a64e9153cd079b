/* Linux namespaces for a container: which to create, which to join by path,
 * and the pieces of that work done by the child (joining, the time
 * namespace); the parent's id maps are id_maps.h's. */
#ifndef OCIRUN_NAMESPACES_H
#define OCIRUN_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "ocirun.h"

enum { NAMESPACE_TYPES = 8 };

typedef struct namespace_plan {
        /* New namespaces the child is cloned into (CLONE_NEW* flags). */
        unsigned long clone_flags;
        /* New namespaces the child must unshare itself after joining a user
         * namespace by path (they must belong to that one). */
        unsigned long unshare_flags;
        bool new_user;
        bool new_time;
        /* A new cgroup namespace is unshared by the init only once create
         * has moved it into the container's cgroup: cloned at once, its
         * root would be create's cgroup and the container would see the
         * host's tree above its own. */
        bool new_cgroup;
        /* A new pid namespace made by unshare, or a joined one, takes a fork:
         * the init is cloned (CLONE_PARENT) by the first child. */
        bool init_needs_fork;
        /* Namespaces joined by path: an fd opened (and checked) by the
         * parent, its CLONE_NEW* type, and the path for messages. The user
         * namespace, when joined, comes first. */
        size_t n_joins;
        struct {
                int fd;
                unsigned long type;
                char *path;
        } joins[NAMESPACE_TYPES];
        int pid_join_fd; /* joined by the parent for its children; -1 if none */
} namespace_plan;

/* Checks linux.namespaces (each type once, paths that are namespaces of that
 * type) and opens the paths to join. */
int namespaces_plan_make(const ocispec_config *config, namespace_plan *plan, ocirun_error **error);
void namespaces_plan_clear(namespace_plan *plan);

/* The CLONE_NEW* flag of a spec namespace type ("network" -> CLONE_NEWNET). */
unsigned long namespaces_flag_from_type(const char *type);

/* Child: joins every namespace of the plan, user first, then unshares what
 * must be owned by a joined user namespace. */
int namespaces_join(const namespace_plan *plan, ocirun_error **error);

/* Child: a new time namespace with linux.timeOffsets, entered by the
 * calling process itself (offsets can only be set before any process is in
 * the namespace, so it is unshared, set up, then entered). */
int namespaces_enter_new_time(const ocispec_linux *linux_config, ocirun_error **error);

/* Child: brings the loopback interface of a new network namespace up, as
 * every runtime does (a new namespace starts with lo down). */
int namespaces_loopback_up(ocirun_error **error);

/* The same from outside, for the network namespace of pid (a restored
 * container's, which CRIU makes empty): the caller steps into it for the
 * socket and back. */
int namespaces_loopback_up_of(pid_t pid, ocirun_error **error);

#endif
