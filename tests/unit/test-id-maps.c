/* What the parent of a new user namespace writes or hands to newuidmap:
 * the map text, whether a map is the caller's own id alone (the one map an
 * unprivileged caller may write itself), and the helper's argv. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "id_maps.h"
#include "tap.h"

static const ocispec_id_mapping own_only[] = {{.container_id = 0, .host_id = 1577, .size = 1}};
static const ocispec_id_mapping with_range[] = {
    {.container_id = 0, .host_id = 1577, .size = 1},
    {.container_id = 1, .host_id = 100000, .size = 65536},
};

static void test_text(void)
{
        char *text = id_map_text(with_range, 2);
        tap_ok(text && strcmp(text, "0 1577 1\n1 100000 65536\n") == 0,
               "two mappings are two uid_map lines");
        free(text);
        text = id_map_text(NULL, 0);
        tap_ok(text && strcmp(text, "") == 0, "no mappings are an empty map, not NULL");
        free(text);
}

static void test_only(void)
{
        tap_ok(id_map_is_only(own_only, 1, 1577), "the caller's own id alone is its own to write");
        tap_ok(!id_map_is_only(own_only, 1, 1000), "another single id needs the helper");
        tap_ok(!id_map_is_only(with_range, 2, 1577), "the own id plus a range needs the helper");
        const ocispec_id_mapping wide[] = {{.container_id = 0, .host_id = 1577, .size = 2}};
        tap_ok(!id_map_is_only(wide, 1, 1577), "two ids from the caller's on need the helper");
        tap_ok(!id_map_is_only(NULL, 0, 1577), "no mapping is not the own id");
}

static void test_argv(void)
{
        char **argv = NULL;
        ocirun_error *error = NULL;
        int r = id_map_helper_argv("newuidmap", 4242, with_range, 2, &argv, &error);
        const char *want[] = {"newuidmap", "4242", "0", "1577", "1", "1", "100000", "65536", NULL};
        int same = r == 0 && argv != NULL;
        for (size_t i = 0; same && want[i]; i++)
                same = argv[i] && strcmp(argv[i], want[i]) == 0;
        tap_ok(same && argv[8] == NULL, "newuidmap PID then INSIDE OUTSIDE COUNT per mapping");
        strv_free(argv);
        ocirun_error_free(error);
}

int main(void)
{
        test_text();
        test_only();
        test_argv();
        return tap_done();
}
