/* libocispec: the OCI runtime-spec JSON documents (config.json, process.json,
 * state.json, features.json and ocirun's own state.json) as C structs. The
 * structs and one descriptor table per struct are generated from the schemas
 * into ocispec-types.h; the functions here walk those tables to parse, check,
 * write and free any of the documents. Parsing enforces what the schemas say
 * (types, enum, pattern, minimum/maximum, minItems, required) and names the
 * JSON path of the first violation in a one-line message.
 *
 * Conventions: functions return 0 or a negative errno (-EINVAL for any
 * syntax or validation error, -ENOMEM, or the errno of open/read). On failure
 * the ret_* outputs are untouched and *ret_error, when ret_error is not NULL,
 * receives a malloc'ed one-line message (NULL if even that could not be
 * allocated). No global state: everything is safe to call from any thread. */
#ifndef OCISPEC_H
#define OCISPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GNU C predefines `linux` as 1, which would turn the `linux` member of the
 * config and features structs into a syntax error; code that wants the
 * platform test uses __linux__. */
#undef linux

/* A JSON object of strings (annotations, linux.sysctl, resources.unified):
 * keys and values in document order, one entry per key. */
typedef struct ocispec_string_map {
        size_t len;
        char **keys;
        char **values;
} ocispec_string_map;

/* What one descriptor field holds; for arrays, what each item is. */
typedef enum ocispec_kind {
        OCISPEC_KIND_STRING,     /* char * */
        OCISPEC_KIND_BOOL,       /* bool + has_ */
        OCISPEC_KIND_INT32,      /* int32_t + has_ */
        OCISPEC_KIND_UINT32,     /* uint32_t + has_ */
        OCISPEC_KIND_INT64,      /* int64_t + has_ */
        OCISPEC_KIND_UINT64,     /* uint64_t + has_ */
        OCISPEC_KIND_OBJECT,     /* ocispec_X * (array items: ocispec_X by value) */
        OCISPEC_KIND_STRING_MAP, /* ocispec_string_map * */
        OCISPEC_KIND_OBJECT_MAP, /* ocispec_X_map *, laid out like ocispec_string_map */
} ocispec_kind;

typedef struct ocispec_type ocispec_type;

/* One JSON property of a struct, with the schema's constraints on it. */
typedef struct ocispec_field {
        const char *name;               /* the JSON key */
        ocispec_kind kind;              /* of the value, or of each item when is_array */
        bool is_array;                  /* X *name + size_t name_len (char ** is NULL-terminated) */
        bool required;                  /* the schema's "required" */
        size_t offset;                  /* of the member in the struct */
        size_t aux_offset;              /* of has_name (bool, integers) or name_len (arrays) */
        const ocispec_type *type;       /* objects: the struct; object maps: the value struct */
        const char *const *enum_values; /* NULL-terminated, or NULL for no enum */
        const char *pattern;            /* POSIX extended regex, or NULL */
        const char *pattern_source;     /* the schema's ECMA-262 pattern, for messages */
        int64_t min;                    /* integer range, inclusive */
        uint64_t max;
        size_t min_items; /* the schema's "minItems" for arrays */
} ocispec_field;

/* One generated struct: its size and its properties in schema order. */
struct ocispec_type {
        const char *name;
        size_t size;
        const ocispec_field *fields;
        size_t n_fields;
};

/* JSON nested deeper than this is rejected before anything recursive runs. */
#define OCISPEC_MAX_DEPTH 64
/* ocispec_parse_file refuses larger files: no OCI document comes close. */
#define OCISPEC_MAX_FILE_SIZE (16u * 1024 * 1024)

/* Indented with a tab per level and a newline at the end, like `runc spec`;
 * without it the output is compact, on one line. */
#define OCISPEC_GENERATE_PRETTY 1u

/* Parses len bytes of data (no NUL terminator needed) as a document of type;
 * source names the document in messages ("config.json"), or NULL for none.
 * Unknown properties are ignored and null means absent. *ret is freed with
 * ocispec_free(type, ...). */
int ocispec_parse(const ocispec_type *type, const char *data, size_t len, const char *source,
                  void **ret, char **ret_error);

/* Reads path and parses it. Messages about the content name source, or path
 * when source is NULL; messages about reading name path. */
int ocispec_parse_file(const ocispec_type *type, const char *path, const char *source, void **ret,
                       char **ret_error);

/* Writes doc as JSON: present fields only, in schema order. The document is
 * checked as parsing would check it, so what is written can be read back.
 * *ret_json is NUL-terminated; ret_len, if not NULL, gets its length. */
int ocispec_generate(const ocispec_type *type, const void *doc, unsigned flags, char **ret_json,
                     size_t *ret_len, char **ret_error);

/* Frees doc and everything it owns; accepts NULL. A document made in C must
 * therefore own every pointer in it, from malloc, calloc, strdup or the
 * builders below. */
void ocispec_free(const ocispec_type *type, void *doc);

/* Builders for documents made in C. Both copy their arguments and leave the
 * target unchanged when they fail (-ENOMEM). */

/* Appends a copy of s to the NULL-terminated *strv of *len strings. */
int ocispec_strv_append(char ***strv, size_t *len, const char *s);

/* Sets key to a copy of value, replacing an existing key's value in place;
 * creates *map when it is NULL. */
int ocispec_string_map_set(ocispec_string_map **map, const char *key, const char *value);

/* The value of key, or NULL when map is NULL or has no such key. */
const char *ocispec_string_map_get(const ocispec_string_map *map, const char *key);

/* Frees a map that is not (or no longer) part of a document; accepts NULL. */
void ocispec_string_map_free(ocispec_string_map *map);

/* The generated structs, their descriptors (ocispec_X_type for every struct)
 * and the typed wrappers of the root documents: for X in config, process,
 * state, features and runtime_state,
 *   int ocispec_X_parse_data(const char *data, size_t len, const char *source,
 *                            ocispec_X **ret, char **ret_error);
 *   int ocispec_X_parse_file(const char *path, const char *source,
 *                            ocispec_X **ret, char **ret_error);
 *   int ocispec_X_generate(const ocispec_X *doc, unsigned flags,
 *                          char **ret_json, size_t *ret_len, char **ret_error);
 *   void ocispec_X_free(ocispec_X *doc);   (accepts NULL)
 *   void ocispec_X_freep(ocispec_X **doc); (for __attribute__((cleanup))) */
#include "ocispec-types.h"

#endif
