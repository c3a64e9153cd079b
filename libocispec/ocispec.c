/* The generic runtime of libocispec: it owns turning JSON text into the
 * generated structs and back, driven only by the descriptor tables that
 * generate.py emits. Parsing is two steps: yajl's event parser builds a small
 * tree in an arena (refusing nesting deeper than OCISPEC_MAX_DEPTH, so nothing
 * later can recurse on attacker-chosen depth), then the tree is walked along
 * the descriptors, checking every constraint of the schema and keeping a path
 * stack for messages. Generation walks the same descriptors, checks the same
 * constraints and lets yajl do all the escaping. Freeing walks them too. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "ocispec.h"

/* Longest value or key quoted in a message: enough to recognise it, short
 * enough that a hostile document cannot flood a log line. */
#define QUOTE_MAX 40
#define QUOTED_SIZE (QUOTE_MAX * 4 + 8)
#define ARENA_BLOCK_SIZE (32u * 1024)
/* More than the schemas' patterned fields (7), so every pattern is compiled
 * at most once per call. */
#define MAX_PATTERNS 8

static void free_ptr(void *p)
{
        free(*(void **) p);
}
#define _cleanup_free_ __attribute__((cleanup(free_ptr)))

/* Pointer members have many types (ocispec_hook *, uint32_t *, ...); reading
 * and writing them through memcpy stays within the aliasing rules. */
static void *get_ptr(const void *member)
{
        void *p;
        memcpy(&p, member, sizeof(p));
        return p;
}

static void set_ptr(void *member, const void *p)
{
        memcpy(member, &p, sizeof(p));
}

/* ---- Messages ------------------------------------------------------------ */

/* One step of the JSON path: an object key, or an array index when key is NULL. */
struct segment {
        const char *key;
        size_t key_len;
        size_t index;
};

/* The state of one parse or generate call: nothing is shared between calls,
 * so they are safe in any number of threads. */
struct context {
        const char *source; /* names the document in messages, may be NULL */
        char *error;        /* the message of the failure */
        size_t depth;
        struct segment path[OCISPEC_MAX_DEPTH + 1];
        /* Patterns compiled on their first use in this call and kept for
         * the next items (rlimits, devices): regcomp and glibc's lazily
         * built DFA cost more than all the rest of parsing. */
        size_t n_patterns;
        struct {
                const char *pattern;
                regex_t re;
        } patterns[MAX_PATTERNS];
};

static void context_done(struct context *ctx)
{
        for (size_t i = 0; i < ctx->n_patterns; i++)
                regfree(&ctx->patterns[i].re);
        free(ctx->error);
}
#define _cleanup_context_ __attribute__((cleanup(context_done)))

/* The JSON depth limit bounds parsing and the schema bounds generation, so
 * the path never really overflows; if it did, messages would show less. */
static void push(struct context *ctx, const char *key, size_t key_len, size_t index)
{
        if (ctx->depth < sizeof(ctx->path) / sizeof(ctx->path[0]))
                ctx->path[ctx->depth] = (struct segment){key, key_len, index};
        ctx->depth++;
}

/* Writes s as a quoted, truncated string of printable ASCII into buf: a
 * message must stay one line and carry no terminal controls or bidi tricks. */
static const char *quote(char buf[QUOTED_SIZE], const char *s, size_t len)
{
        size_t n = 0;

        buf[n++] = '"';
        for (size_t i = 0; i < len && i < QUOTE_MAX; i++) {
                unsigned char c = s[i];
                if (c == '"' || c == '\\')
                        n += (size_t) sprintf(buf + n, "\\%c", c);
                else if (c == '\n' || c == '\t')
                        n += (size_t) sprintf(buf + n, "\\%c", c == '\n' ? 'n' : 't');
                else if (c < 0x20 || c >= 0x7f)
                        n += (size_t) sprintf(buf + n, "\\x%02x", c);
                else
                        buf[n++] = (char) c;
        }
        strcpy(buf + n, len > QUOTE_MAX ? "\"..." : "\"");
        return buf;
}

static bool is_identifier(const char *s, size_t len)
{
        if (len == 0 || len > QUOTE_MAX || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

/* Records "source: path: message" and returns r; a message that cannot be
 * allocated turns r into -ENOMEM. */
__attribute__((format(printf, 3, 4))) static int fail(struct context *ctx, int r, const char *fmt,
                                                      ...)
{
        size_t size,
            depth = ctx->depth < OCISPEC_MAX_DEPTH + 1 ? ctx->depth : OCISPEC_MAX_DEPTH + 1;
        char *buf = NULL, quoted[QUOTED_SIZE];
        FILE *f = open_memstream(&buf, &size);
        va_list ap;

        if (!f)
                return -ENOMEM;
        if (ctx->source)
                fprintf(f, "%s: ", ctx->source);
        for (size_t i = 0; i < depth; i++) {
                const struct segment *s = &ctx->path[i];
                if (!s->key)
                        fprintf(f, "[%zu]", s->index);
                else if (is_identifier(s->key, s->key_len))
                        fprintf(f, "%s%.*s", i ? "." : "", (int) s->key_len, s->key);
                else
                        fprintf(f, "[%s]", quote(quoted, s->key, s->key_len));
        }
        if (depth > 0)
                fputs(": ", f);
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        free(ctx->error);
        ctx->error = buf;
        return r;
}

static int out_of_memory(struct context *ctx)
{
        return fail(ctx, -ENOMEM, "out of memory");
}

/* Hands the message to the caller; context_done frees it otherwise. */
static int report(struct context *ctx, int r, char **ret_error)
{
        if (ret_error) {
                *ret_error = ctx->error;
                ctx->error = NULL;
        }
        return r;
}

/* ---- The JSON tree --------------------------------------------------------- */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_OBJECT, JSON_ARRAY };

struct json {
        struct json *next;         /* the next member or item of the parent */
        struct json *first, *last; /* members or items */
        size_t count;              /* of members or items */
        const char *key;           /* the member's name when the parent is an object */
        size_t key_len;
        const char *text; /* string bytes or number as written, NUL-terminated */
        size_t len;       /* of text */
        enum json_type type;
        bool boolean;
};

/* Every node and string of one parse lives in the arena: freeing is a walk
 * over a few blocks instead of a recursion over the tree. */
struct arena_block {
        struct arena_block *next;
        size_t used, size;
        max_align_t data[];
};

struct builder {
        struct arena_block *arena;
        struct json *root;
        struct json *open[OCISPEC_MAX_DEPTH]; /* the containers being filled */
        size_t depth;
        const char *key; /* the name of the member that comes next */
        size_t key_len;
        bool out_of_memory, too_deep; /* why a callback stopped yajl */
};

static void *arena_alloc(struct builder *b, size_t size)
{
        struct arena_block *block = b->arena, *fresh;
        size_t n;

        size = (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
        if (block && block->size - block->used >= size) {
                block->used += size;
                return (char *) block->data + block->used - size;
        }
        n = size > ARENA_BLOCK_SIZE / 4 ? size : ARENA_BLOCK_SIZE;
        fresh = malloc(sizeof(*fresh) + n);
        if (!fresh) {
                b->out_of_memory = true;
                return NULL;
        }
        *fresh = (struct arena_block){.used = size, .size = n};
        if (block && n != ARENA_BLOCK_SIZE) {
                /* A big string gets a block of its own behind the current
                 * one, which keeps serving the small nodes. */
                fresh->next = block->next;
                block->next = fresh;
        } else {
                fresh->next = block;
                b->arena = fresh;
        }
        return fresh->data;
}

static void builder_free(struct builder *b)
{
        while (b->arena) {
                struct arena_block *next = b->arena->next;
                free(b->arena);
                b->arena = next;
        }
}

static const char *arena_strndup(struct builder *b, const void *s, size_t len)
{
        char *copy = arena_alloc(b, len + 1);
        if (copy) {
                memcpy(copy, s, len);
                copy[len] = '\0';
        }
        return copy;
}

static struct json *add_node(struct builder *b, enum json_type type)
{
        struct json *node = arena_alloc(b, sizeof(*node)), *parent;

        if (!node)
                return NULL;
        *node = (struct json){.type = type};
        if (b->depth == 0) {
                b->root = node;
                return node;
        }
        parent = b->open[b->depth - 1];
        if (parent->type == JSON_OBJECT) {
                node->key = b->key;
                node->key_len = b->key_len;
        }
        if (parent->last)
                parent->last->next = node;
        else
                parent->first = node;
        parent->last = node;
        parent->count++;
        return node;
}

static int on_null(void *b)
{
        return add_node(b, JSON_NULL) != NULL;
}

static int on_boolean(void *b, int value)
{
        struct json *node = add_node(b, JSON_BOOL);
        if (node)
                node->boolean = value;
        return node != NULL;
}

static int add_text(struct builder *b, enum json_type type, const void *s, size_t len)
{
        struct json *node = add_node(b, type);
        if (!node || !(node->text = arena_strndup(b, s, len)))
                return 0;
        node->len = len;
        return 1;
}

/* yajl hands over numbers as written, so the full uint64 and int64 ranges
 * survive and 1.5 can be told from 1. */
static int on_number(void *b, const char *s, size_t len)
{
        return add_text(b, JSON_NUMBER, s, len);
}

static int on_string(void *b, const unsigned char *s, size_t len)
{
        return add_text(b, JSON_STRING, s, len);
}

static int open_container(struct builder *b, enum json_type type)
{
        struct json *node;

        if (b->depth == OCISPEC_MAX_DEPTH) {
                b->too_deep = true;
                return 0;
        }
        node = add_node(b, type);
        if (node)
                b->open[b->depth++] = node;
        return node != NULL;
}

static int on_start_map(void *b)
{
        return open_container(b, JSON_OBJECT);
}

static int on_start_array(void *b)
{
        return open_container(b, JSON_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
        struct builder *b = ctx;
        b->key = arena_strndup(b, s, len);
        b->key_len = len;
        return b->key != NULL;
}

static int on_end(void *ctx)
{
        ((struct builder *) ctx)->depth--;
        return 1;
}

static const yajl_callbacks tree_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

static void yajl_freep(yajl_handle *h)
{
        if (*h)
                yajl_free(*h);
}

/* Builds the tree of len bytes of data into b. yajl gets the exact length,
 * so a NUL byte is just an invalid character to it. */
static int build_tree(struct context *ctx, struct builder *b, const char *data, size_t len)
{
        __attribute__((cleanup(yajl_freep))) yajl_handle h = NULL;
        const unsigned char *text = (const unsigned char *) data;
        size_t pos = 0, line = 1, column = 1;
        yajl_status status;
        char *reason;
        int r;

        while (pos < len && data[pos] != '\0' && strchr(" \t\r\n", data[pos]))
                pos++;
        if (pos == len)
                return fail(ctx, -EINVAL, "empty document, expected a JSON object");
        h = yajl_alloc(&tree_callbacks, NULL, b);
        if (!h)
                return out_of_memory(ctx);
        status = yajl_parse(h, text, len);
        /* yajl stops on the offending byte or at the end of the offending
         * token; a premature end is reported just after the last byte. */
        pos = yajl_get_bytes_consumed(h);
        pos = pos > 0 ? pos - 1 : 0;
        if (status == yajl_status_ok) {
                status = yajl_complete_parse(h);
                pos = len;
        }
        if (status == yajl_status_ok)
                return 0;
        if (b->out_of_memory)
                return out_of_memory(ctx);
        for (size_t i = 0; i < pos; i++, column++) {
                if (data[i] == '\n') {
                        line++;
                        column = 0;
                }
        }
        if (b->too_deep)
                return fail(ctx, -EINVAL, "line %zu, column %zu: JSON nested deeper than %d levels",
                            line, column, OCISPEC_MAX_DEPTH);

        /* yajl's short form is "parse error: <why>.\n"; keep only <why>. */
        reason = (char *) yajl_get_error(h, 0, text, len);
        if (!reason)
                return out_of_memory(ctx);
        reason[strcspn(reason, "\n")] = '\0';
        if (reason[0] && reason[strlen(reason) - 1] == '.')
                reason[strlen(reason) - 1] = '\0';
        r = fail(ctx, -EINVAL, "line %zu, column %zu: malformed JSON: %s", line, column,
                 strstr(reason, ": ") ? strstr(reason, ": ") + 2 : reason);
        yajl_free_error(h, (unsigned char *) reason);
        return r;
}

/* ---- Checks shared by parsing and generating ------------------------------- */

/* Finds f's pattern among those compiled in this call, compiling it on its
 * first use. */
static int compiled_pattern(struct context *ctx, const ocispec_field *f, regex_t **ret)
{
        size_t i = 0;
        int rc;

        while (i < ctx->n_patterns && ctx->patterns[i].pattern != f->pattern)
                i++;
        if (i == ctx->n_patterns) {
                if (i == MAX_PATTERNS) {
                        /* More patterns than the schemas have: reuse a slot. */
                        regfree(&ctx->patterns[--i].re);
                        ctx->n_patterns--;
                }
                rc = regcomp(&ctx->patterns[i].re, f->pattern, REG_EXTENDED | REG_NOSUB);
                if (rc == REG_ESPACE)
                        return out_of_memory(ctx);
                if (rc != 0)
                        return fail(ctx, -EINVAL, "internal error: cannot compile %s",
                                    f->pattern_source);
                ctx->patterns[i].pattern = f->pattern;
                ctx->n_patterns++;
        }
        *ret = &ctx->patterns[i].re;
        return 0;
}

static int check_string(struct context *ctx, const ocispec_field *f, const char *s, size_t len)
{
        char quoted[QUOTED_SIZE], list[1024] = "";
        size_t n = 0;
        regex_t *re = NULL;
        int r;

        if (f->enum_values) {
                for (const char *const *e = f->enum_values; *e; e++) {
                        if (strlen(*e) == len && memcmp(*e, s, len) == 0)
                                goto enum_ok;
                        if (n < sizeof(list))
                                n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s",
                                                       n ? ", " : "", *e);
                }
                return fail(ctx, -EINVAL, "%s is not one of %s", quote(quoted, s, len), list);
        }
enum_ok:
        if (!f->pattern)
                return 0;
        r = compiled_pattern(ctx, f, &re);
        if (r < 0)
                return r;
        r = regexec(re, s, 0, NULL, 0);
        if (r == REG_NOMATCH)
                return fail(ctx, -EINVAL, "%s does not match %s", quote(quoted, s, len),
                            f->pattern_source);
        return r == 0 ? 0 : out_of_memory(ctx);
}

/* Integers travel as sign and magnitude, which holds both INT64_MIN and
 * UINT64_MAX; the descriptor's range is [min, max]. */
static bool in_range(const ocispec_field *f, bool negative, uint64_t magnitude)
{
        if (negative)
                return f->min < 0 && magnitude <= (uint64_t) - (f->min + 1) + 1;
        return (f->min <= 0 || magnitude >= (uint64_t) f->min) && magnitude <= f->max;
}

static int range_error(struct context *ctx, const ocispec_field *f, const char *text)
{
        return fail(ctx, -EINVAL, "%.*s%s is out of range (%" PRId64 " to %" PRIu64 ")", QUOTE_MAX,
                    text, strlen(text) > QUOTE_MAX ? "..." : "", f->min, f->max);
}

static int check_items(struct context *ctx, const ocispec_field *f, size_t n)
{
        if (n >= f->min_items)
                return 0;
        return fail(ctx, -EINVAL, "expected at least %zu item%s, got %zu", f->min_items,
                    f->min_items == 1 ? "" : "s", n);
}

/* Booleans and integers are a value plus has_X; everything else is a pointer
 * that is NULL when absent. */
static bool has_flag(const ocispec_field *f)
{
        return !f->is_array && f->kind >= OCISPEC_KIND_BOOL && f->kind <= OCISPEC_KIND_UINT64;
}

static bool is_present(const ocispec_field *f, const void *obj)
{
        if (has_flag(f))
                return *(const bool *) ((const char *) obj + f->aux_offset);
        return get_ptr((const char *) obj + f->offset) != NULL;
}

static int check_required(struct context *ctx, const ocispec_type *type, const void *obj)
{
        for (size_t i = 0; i < type->n_fields; i++)
                if (type->fields[i].required && !is_present(&type->fields[i], obj))
                        return fail(ctx, -EINVAL, "missing required property \"%s\"",
                                    type->fields[i].name);
        return 0;
}

/* ---- Freeing --------------------------------------------------------------- */

static size_t item_size(const ocispec_field *f)
{
        switch (f->kind) {
        case OCISPEC_KIND_BOOL:
                return sizeof(bool);
        case OCISPEC_KIND_INT32:
        case OCISPEC_KIND_UINT32:
                return sizeof(int32_t);
        case OCISPEC_KIND_INT64:
        case OCISPEC_KIND_UINT64:
                return sizeof(int64_t);
        case OCISPEC_KIND_OBJECT:
                return f->type->size;
        default:
                return sizeof(void *);
        }
}

static void free_fields(const ocispec_type *type, void *obj);

/* Object maps share ocispec_string_map's layout (the generated code asserts
 * it); only their values differ: an array of structs. */
static void free_map(const ocispec_field *f, ocispec_string_map *map)
{
        for (size_t i = 0; map && i < map->len; i++) {
                free(map->keys[i]);
                if (f->kind == OCISPEC_KIND_OBJECT_MAP)
                        free_fields(f->type, (char *) map->values + i * f->type->size);
                else
                        free(map->values[i]);
        }
        if (map) {
                free(map->keys);
                free(map->values);
                free(map);
        }
}

/* Frees a member and marks it absent; a repeated JSON key goes through here
 * before the later value is stored. */
static void clear_field(const ocispec_field *f, void *obj)
{
        char *member = (char *) obj + f->offset, *aux = (char *) obj + f->aux_offset, *value;
        size_t *len = (size_t *) aux;

        if (has_flag(f)) {
                memset(member, 0, item_size(f));
                *(bool *) aux = false;
                return;
        }
        value = get_ptr(member);
        set_ptr(member, NULL);
        if (f->is_array) {
                for (size_t i = 0; value && i < *len; i++) {
                        if (f->kind == OCISPEC_KIND_STRING)
                                free(((char **) value)[i]);
                        else if (f->kind == OCISPEC_KIND_OBJECT)
                                free_fields(f->type, value + i * f->type->size);
                }
                *len = 0;
        } else if (f->kind == OCISPEC_KIND_OBJECT && value) {
                free_fields(f->type, value);
        } else if (f->kind == OCISPEC_KIND_STRING_MAP || f->kind == OCISPEC_KIND_OBJECT_MAP) {
                free_map(f, (ocispec_string_map *) value);
                return;
        }
        free(value);
}

static void free_fields(const ocispec_type *type, void *obj)
{
        for (size_t i = 0; i < type->n_fields; i++)
                clear_field(&type->fields[i], obj);
}

void ocispec_free(const ocispec_type *type, void *doc)
{
        if (!doc)
                return;
        free_fields(type, doc);
        free(doc);
}

/* ---- Parsing: tree to structs ---------------------------------------------- */

static bool is_integer_text(const char *text)
{
        /* JSON Schema draft 4 counts 1.0 as a number, not an integer. */
        return !strpbrk(text, ".eE");
}

static int type_error(struct context *ctx, const char *expected, const struct json *node)
{
        static const char *const names[] = {"null",   "boolean", "number",
                                            "string", "object",  "array"};
        char value[QUOTED_SIZE + 1] = "", quoted[QUOTED_SIZE];

        if (node->type == JSON_BOOL)
                strcpy(value, node->boolean ? " true" : " false");
        else if (node->type == JSON_NUMBER)
                snprintf(value, sizeof(value), " %.*s%s", QUOTE_MAX, node->text,
                         node->len > QUOTE_MAX ? "..." : "");
        else if (node->type == JSON_STRING)
                snprintf(value, sizeof(value), " %s", quote(quoted, node->text, node->len));
        return fail(ctx, -EINVAL, "expected %s, got %s%s", expected,
                    node->type == JSON_NUMBER && is_integer_text(node->text) ? "integer"
                                                                             : names[node->type],
                    value);
}

static int parse_object(struct context *ctx, const ocispec_type *type, const struct json *node,
                        void *obj);

static int parse_integer(struct context *ctx, const ocispec_field *f, const struct json *node,
                         void *slot)
{
        bool negative, overflow = false;
        uint64_t magnitude = 0;
        int64_t value;

        if (node->type != JSON_NUMBER || !is_integer_text(node->text))
                return type_error(ctx, "integer", node);
        negative = node->text[0] == '-';
        for (const char *p = node->text + negative; *p; p++) {
                unsigned digit = (unsigned) (*p - '0');
                overflow = overflow || magnitude > (UINT64_MAX - digit) / 10;
                magnitude = magnitude * 10 + digit;
        }
        negative = negative && magnitude > 0; /* -0 is 0 */
        if (overflow || !in_range(f, negative, magnitude))
                return range_error(ctx, f, node->text);

        /* In range: the value fits the member's type. */
        value = negative ? -(int64_t) (magnitude - 1) - 1 : (int64_t) (magnitude & INT64_MAX);
        if (f->kind == OCISPEC_KIND_INT32)
                *(int32_t *) slot = (int32_t) value;
        else if (f->kind == OCISPEC_KIND_UINT32)
                *(uint32_t *) slot = (uint32_t) value;
        else if (f->kind == OCISPEC_KIND_INT64)
                *(int64_t *) slot = value;
        else
                *(uint64_t *) slot = magnitude;
        return 0;
}

/* One value stored in place: a member, an array item, or a map value. */
static int parse_item(struct context *ctx, const ocispec_field *f, const struct json *node,
                      void *slot)
{
        int r;

        switch (f->kind) {
        case OCISPEC_KIND_STRING:
                if (node->type != JSON_STRING)
                        return type_error(ctx, "string", node);
                /* A C string would silently cut "/bin/sh\u0000..." short. */
                if (memchr(node->text, '\0', node->len))
                        return fail(ctx, -EINVAL, "string contains a NUL character");
                r = check_string(ctx, f, node->text, node->len);
                if (r == 0 && !(*(char **) slot = strdup(node->text)))
                        r = out_of_memory(ctx);
                return r;
        case OCISPEC_KIND_BOOL:
                if (node->type != JSON_BOOL)
                        return type_error(ctx, "boolean", node);
                *(bool *) slot = node->boolean;
                return 0;
        case OCISPEC_KIND_OBJECT:
                return parse_object(ctx, f->type, node, slot);
        default:
                return parse_integer(ctx, f, node, slot);
        }
}

static int parse_array(struct context *ctx, const ocispec_field *f, const struct json *node,
                       void *obj)
{
        size_t size = item_size(f), i = 0;
        char *items;
        int r;

        if (node->type != JSON_ARRAY)
                return type_error(ctx, "array", node);
        r = check_items(ctx, f, node->count);
        if (r < 0)
                return r;
        /* One slot more than needed: string arrays end with NULL for execve,
         * and a present empty array is never a NULL pointer. The array is
         * attached before its items are parsed, so a failure frees it all. */
        items = calloc(node->count + 1, size);
        if (!items)
                return out_of_memory(ctx);
        set_ptr((char *) obj + f->offset, items);
        *(size_t *) ((char *) obj + f->aux_offset) = node->count;
        for (const struct json *item = node->first; item && r == 0; item = item->next, i++) {
                push(ctx, NULL, 0, i);
                r = parse_item(ctx, f, item, items + i * size);
                ctx->depth--;
        }
        return r;
}

struct map_entry {
        const struct json *node;
        size_t index;
};

static int compare_entries(const void *a, const void *b)
{
        const struct map_entry *x = a, *y = b;
        size_t n = x->node->key_len < y->node->key_len ? x->node->key_len : y->node->key_len;
        int c = memcmp(x->node->key, y->node->key, n);

        if (c != 0)
                return c;
        if (x->node->key_len != y->node->key_len)
                return x->node->key_len < y->node->key_len ? -1 : 1;
        return x->index < y->index ? -1 : 1;
}

/* Marks the members whose key comes again later, as the last one wins.
 * Sorting keeps this O(n log n) for the big annotation maps engines pass on. */
static bool *find_superseded(const struct json *node)
{
        _cleanup_free_ struct map_entry *entries = calloc(node->count + 1, sizeof(*entries));
        bool *superseded = calloc(node->count + 1, sizeof(bool));
        size_t i = 0;

        if (!entries || !superseded) {
                free(superseded);
                return NULL;
        }
        for (const struct json *m = node->first; m; m = m->next, i++)
                entries[i] = (struct map_entry){m, i};
        qsort(entries, node->count, sizeof(*entries), compare_entries);
        for (i = 0; i + 1 < node->count; i++)
                if (entries[i].node->key_len == entries[i + 1].node->key_len &&
                    memcmp(entries[i].node->key, entries[i + 1].node->key,
                           entries[i].node->key_len) == 0)
                        superseded[entries[i].index] = true;
        return superseded;
}

static int parse_map_entry(struct context *ctx, const ocispec_field *f, const struct json *m,
                           ocispec_string_map *map)
{
        static const ocispec_field plain_string = {.kind = OCISPEC_KIND_STRING};
        char *value;

        if (memchr(m->key, '\0', m->key_len))
                return fail(ctx, -EINVAL, "key contains a NUL character");
        map->keys[map->len] = strdup(m->key);
        if (!map->keys[map->len])
                return out_of_memory(ctx);
        /* Counted before the value is parsed: a failure inside it still
         * frees the key and the partial value. */
        map->len++;
        if (f->kind == OCISPEC_KIND_STRING_MAP)
                return parse_item(ctx, &plain_string, m, &map->values[map->len - 1]);
        value = (char *) map->values + (map->len - 1) * f->type->size;
        return parse_object(ctx, f->type, m, value);
}

static int parse_map(struct context *ctx, const ocispec_field *f, const struct json *node,
                     void *member)
{
        size_t size = f->kind == OCISPEC_KIND_OBJECT_MAP ? f->type->size : sizeof(char *), i = 0;
        _cleanup_free_ bool *superseded = NULL;
        ocispec_string_map *map;
        int r = 0;

        if (node->type != JSON_OBJECT)
                return type_error(ctx, "object", node);
        map = calloc(1, sizeof(*map));
        if (!map)
                return out_of_memory(ctx);
        set_ptr(member, map);
        map->keys = calloc(node->count + 1, sizeof(char *));
        map->values = calloc(node->count + 1, size);
        superseded = find_superseded(node);
        if (!map->keys || !map->values || !superseded)
                return out_of_memory(ctx);

        for (const struct json *m = node->first; m && r == 0; m = m->next, i++) {
                if (superseded[i] || m->type == JSON_NULL)
                        continue;
                push(ctx, m->key, m->key_len, 0);
                r = parse_map_entry(ctx, f, m, map);
                ctx->depth--;
        }
        return r;
}

static int parse_field(struct context *ctx, const ocispec_field *f, const struct json *node,
                       void *obj)
{
        char *member = (char *) obj + f->offset;
        void *child;
        int r;

        if (f->is_array)
                return parse_array(ctx, f, node, obj);
        switch (f->kind) {
        case OCISPEC_KIND_OBJECT:
                if (node->type != JSON_OBJECT)
                        return type_error(ctx, "object", node);
                child = calloc(1, f->type->size);
                if (!child)
                        return out_of_memory(ctx);
                set_ptr(member, child);
                return parse_object(ctx, f->type, node, child);
        case OCISPEC_KIND_STRING_MAP:
        case OCISPEC_KIND_OBJECT_MAP:
                return parse_map(ctx, f, node, member);
        default:
                r = parse_item(ctx, f, node, member);
                if (r == 0 && f->kind != OCISPEC_KIND_STRING)
                        *(bool *) ((char *) obj + f->aux_offset) = true;
                return r;
        }
}

static const ocispec_field *find_field(const ocispec_type *type, const char *key, size_t len)
{
        for (size_t i = 0; i < type->n_fields; i++)
                if (strlen(type->fields[i].name) == len &&
                    memcmp(type->fields[i].name, key, len) == 0)
                        return &type->fields[i];
        return NULL;
}

static int parse_object(struct context *ctx, const ocispec_type *type, const struct json *node,
                        void *obj)
{
        int r = 0;

        if (node->type != JSON_OBJECT)
                return type_error(ctx, "object", node);
        for (const struct json *m = node->first; m && r == 0; m = m->next) {
                const ocispec_field *f = find_field(type, m->key, m->key_len);
                if (!f)
                        continue; /* unknown properties are for other runtimes */
                /* A repeated key replaces the earlier value, and null means
                 * absent: Go writes "annotations": null for an empty map. */
                clear_field(f, obj);
                if (m->type == JSON_NULL)
                        continue;
                push(ctx, m->key, m->key_len, 0);
                r = parse_field(ctx, f, m, obj);
                ctx->depth--;
        }
        return r < 0 ? r : check_required(ctx, type, obj);
}

int ocispec_parse(const ocispec_type *type, const char *data, size_t len, const char *source,
                  void **ret, char **ret_error)
{
        __attribute__((cleanup(builder_free))) struct builder b = {0};
        _cleanup_context_ struct context ctx = {.source = source};
        void *doc = NULL;
        int r;

        if (!data && len > 0)
                return report(&ctx, fail(&ctx, -EINVAL, "no data"), ret_error);
        r = build_tree(&ctx, &b, data, len);
        if (r == 0) {
                doc = calloc(1, type->size);
                r = doc ? parse_object(&ctx, type, b.root, doc) : out_of_memory(&ctx);
        }
        if (r < 0) {
                ocispec_free(type, doc);
                return report(&ctx, r, ret_error);
        }
        *ret = doc;
        return 0;
}

static void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}

static int read_file(struct context *ctx, const char *path, char **ret, size_t *ret_len)
{
        __attribute__((cleanup(closep))) int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *data = NULL;
        size_t len = 0, capacity = 0;
        struct stat st;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0)
                return fail(ctx, -errno, "%s", strerror(errno));
        /* Pipes and devices report no useful size: the limit is checked
         * again while reading. */
        if (S_ISREG(st.st_mode) && st.st_size > OCISPEC_MAX_FILE_SIZE)
                goto too_large;
        do {
                if (len == capacity) {
                        char *bigger;
                        if (capacity > OCISPEC_MAX_FILE_SIZE)
                                goto too_large;
                        capacity = capacity ? capacity * 2 : 64 * 1024;
                        if (capacity > OCISPEC_MAX_FILE_SIZE)
                                capacity = OCISPEC_MAX_FILE_SIZE + 1;
                        bigger = realloc(data, capacity);
                        if (!bigger)
                                return out_of_memory(ctx);
                        data = bigger;
                }
                n = read(fd, data + len, capacity - len);
                if (n < 0 && errno != EINTR)
                        return fail(ctx, -errno, "%s", strerror(errno));
                len += n > 0 ? (size_t) n : 0;
        } while (n != 0);
        if (len > OCISPEC_MAX_FILE_SIZE)
                goto too_large;
        *ret = data;
        *ret_len = len;
        data = NULL;
        return 0;
too_large:
        return fail(ctx, -EFBIG, "file is larger than %u MiB", OCISPEC_MAX_FILE_SIZE >> 20);
}

int ocispec_parse_file(const ocispec_type *type, const char *path, const char *source, void **ret,
                       char **ret_error)
{
        _cleanup_context_ struct context ctx = {.source = path};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(&ctx, path, &data, &len);

        if (r < 0)
                return report(&ctx, r, ret_error);
        return ocispec_parse(type, data, len, source ? source : path, ret, ret_error);
}

/* ---- Generating: structs to JSON ------------------------------------------- */

static int gen_status(struct context *ctx, yajl_gen_status status)
{
        if (status == yajl_gen_status_ok)
                return 0;
        if (status == yajl_gen_invalid_string)
                return fail(ctx, -EINVAL, "string is not valid UTF-8");
        return fail(ctx, -EINVAL, "internal error: yajl_gen status %d", (int) status);
}

static int gen_string(struct context *ctx, yajl_gen g, const char *s)
{
        if (!s)
                return fail(ctx, -EINVAL, "string is NULL");
        return gen_status(ctx, yajl_gen_string(g, (const unsigned char *) s, strlen(s)));
}

static int gen_object(struct context *ctx, yajl_gen g, const ocispec_type *type, const void *obj);

static int gen_integer(struct context *ctx, yajl_gen g, const ocispec_field *f, const void *slot)
{
        int64_t value = 0;
        uint64_t magnitude;
        bool negative;
        char text[32];

        if (f->kind == OCISPEC_KIND_INT32)
                value = *(const int32_t *) slot;
        else if (f->kind == OCISPEC_KIND_UINT32)
                value = *(const uint32_t *) slot;
        else if (f->kind == OCISPEC_KIND_INT64)
                value = *(const int64_t *) slot;
        negative = value < 0;
        magnitude = negative ? (uint64_t) - (value + 1) + 1 : (uint64_t) value;
        if (f->kind == OCISPEC_KIND_UINT64)
                magnitude = *(const uint64_t *) slot;
        snprintf(text, sizeof(text), "%s%" PRIu64, negative ? "-" : "", magnitude);
        if (!in_range(f, negative, magnitude))
                return range_error(ctx, f, text);
        return gen_status(ctx, yajl_gen_number(g, text, strlen(text)));
}

static int gen_item(struct context *ctx, yajl_gen g, const ocispec_field *f, const void *slot)
{
        const char *s;
        int r;

        switch (f->kind) {
        case OCISPEC_KIND_STRING:
                s = *(char *const *) slot;
                r = s ? check_string(ctx, f, s, strlen(s)) : 0;
                return r < 0 ? r : gen_string(ctx, g, s);
        case OCISPEC_KIND_BOOL:
                return gen_status(ctx, yajl_gen_bool(g, *(const bool *) slot));
        case OCISPEC_KIND_OBJECT:
                return gen_object(ctx, g, f->type, slot);
        default:
                return gen_integer(ctx, g, f, slot);
        }
}

static int gen_map(struct context *ctx, yajl_gen g, const ocispec_field *f,
                   const ocispec_string_map *map)
{
        static const ocispec_field plain_string = {.kind = OCISPEC_KIND_STRING};
        int r = gen_status(ctx, yajl_gen_map_open(g));

        for (size_t i = 0; r == 0 && i < map->len; i++) {
                const char *key = map->keys[i];
                r = gen_string(ctx, g, key);
                if (r < 0)
                        break;
                push(ctx, key, strlen(key), 0);
                if (f->kind == OCISPEC_KIND_OBJECT_MAP)
                        r = gen_object(ctx, g, f->type,
                                       (const char *) map->values + i * f->type->size);
                else
                        r = gen_item(ctx, g, &plain_string, &map->values[i]);
                ctx->depth--;
        }
        return r < 0 ? r : gen_status(ctx, yajl_gen_map_close(g));
}

static int gen_field(struct context *ctx, yajl_gen g, const ocispec_field *f, const void *obj)
{
        const char *member = (const char *) obj + f->offset;
        const char *items = has_flag(f) ? NULL : get_ptr(member);
        size_t len;
        int r;

        if (f->is_array) {
                len = *(const size_t *) ((const char *) obj + f->aux_offset);
                r = check_items(ctx, f, len);
                if (r == 0)
                        r = gen_status(ctx, yajl_gen_array_open(g));
                for (size_t i = 0; r == 0 && i < len; i++) {
                        push(ctx, NULL, 0, i);
                        r = gen_item(ctx, g, f, items + i * item_size(f));
                        ctx->depth--;
                }
                return r < 0 ? r : gen_status(ctx, yajl_gen_array_close(g));
        }
        switch (f->kind) {
        case OCISPEC_KIND_OBJECT:
                return gen_object(ctx, g, f->type, items);
        case OCISPEC_KIND_STRING_MAP:
        case OCISPEC_KIND_OBJECT_MAP:
                return gen_map(ctx, g, f, (const ocispec_string_map *) items);
        default:
                return gen_item(ctx, g, f, member);
        }
}

static int gen_object(struct context *ctx, yajl_gen g, const ocispec_type *type, const void *obj)
{
        int r = check_required(ctx, type, obj);

        if (r == 0)
                r = gen_status(ctx, yajl_gen_map_open(g));
        for (size_t i = 0; r == 0 && i < type->n_fields; i++) {
                const ocispec_field *f = &type->fields[i];
                if (!is_present(f, obj))
                        continue;
                r = gen_string(ctx, g, f->name);
                push(ctx, f->name, strlen(f->name), 0);
                if (r == 0)
                        r = gen_field(ctx, g, f, obj);
                ctx->depth--;
        }
        return r < 0 ? r : gen_status(ctx, yajl_gen_map_close(g));
}

static void put_newline(FILE *f, size_t depth)
{
        putc_unlocked('\n', f);
        while (depth-- > 0)
                putc_unlocked('\t', f);
}

/* yajl's beautifier spreads [] and {} over three lines, where `runc spec`
 * (Go's MarshalIndent) writes [] and {}. So yajl writes compact JSON, doing
 * all the escaping, and this re-indents it, touching only the structural
 * characters outside strings. The stream is ours alone: no locking. */
static int indent_json(const char *in, size_t len, char **ret, size_t *ret_len)
{
        size_t size, depth = 0;
        bool in_string = false;
        char *buf = NULL;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                char c = in[i];
                if (in_string) {
                        putc_unlocked(c, f);
                        if (c == '\\' && i + 1 < len)
                                putc_unlocked(in[++i], f);
                        else if (c == '"')
                                in_string = false;
                } else if ((c == '{' || c == '[') && i + 1 < len &&
                           (in[i + 1] == '}' || in[i + 1] == ']')) {
                        putc_unlocked(c, f);
                        putc_unlocked(in[++i], f);
                } else if (c == '{' || c == '[') {
                        putc_unlocked(c, f);
                        put_newline(f, ++depth);
                } else if (c == '}' || c == ']') {
                        put_newline(f, --depth);
                        putc_unlocked(c, f);
                } else if (c == ',') {
                        putc_unlocked(c, f);
                        put_newline(f, depth);
                } else if (c == ':') {
                        putc_unlocked(':', f);
                        putc_unlocked(' ', f);
                } else {
                        putc_unlocked(c, f);
                        in_string = c == '"';
                }
        }
        putc_unlocked('\n', f);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        *ret_len = size;
        return 0;
}

static void yajl_gen_freep(yajl_gen *g)
{
        if (*g)
                yajl_gen_free(*g);
}

int ocispec_generate(const ocispec_type *type, const void *doc, unsigned flags, char **ret_json,
                     size_t *ret_len, char **ret_error)
{
        __attribute__((cleanup(yajl_gen_freep))) yajl_gen g = NULL;
        _cleanup_context_ struct context ctx = {0};
        const unsigned char *out;
        char *json;
        size_t len;
        int r;

        if (!doc)
                return report(&ctx, fail(&ctx, -EINVAL, "no document"), ret_error);
        g = yajl_gen_alloc(NULL);
        if (!g)
                return report(&ctx, out_of_memory(&ctx), ret_error);
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
        r = gen_object(&ctx, g, type, doc);
        if (r < 0)
                return report(&ctx, r, ret_error);
        yajl_gen_get_buf(g, &out, &len);
        if (flags & OCISPEC_GENERATE_PRETTY) {
                if (indent_json((const char *) out, len, &json, &len) < 0)
                        return report(&ctx, out_of_memory(&ctx), ret_error);
        } else {
                json = malloc(len + 1);
                if (!json)
                        return report(&ctx, out_of_memory(&ctx), ret_error);
                memcpy(json, out, len);
                json[len] = '\0';
        }
        *ret_json = json;
        if (ret_len)
                *ret_len = len;
        return 0;
}

/* ---- Builders ---------------------------------------------------------------- */

int ocispec_strv_append(char ***strv, size_t *len, const char *s)
{
        _cleanup_free_ char *copy = strdup(s);
        char **grown = copy ? realloc(*strv, (*len + 2) * sizeof(char *)) : NULL;

        if (!grown)
                return -ENOMEM;
        grown[*len] = copy;
        grown[*len + 1] = NULL;
        copy = NULL;
        *strv = grown;
        (*len)++;
        return 0;
}

void ocispec_string_map_free(ocispec_string_map *map)
{
        static const ocispec_field string_map = {.kind = OCISPEC_KIND_STRING_MAP};
        free_map(&string_map, map);
}

static void string_map_freep(ocispec_string_map **map)
{
        ocispec_string_map_free(*map);
}

int ocispec_string_map_set(ocispec_string_map **map, const char *key, const char *value)
{
        __attribute__((cleanup(string_map_freep))) ocispec_string_map *created = NULL;
        _cleanup_free_ char *value_copy = strdup(value), *key_copy = NULL;
        ocispec_string_map *m = *map;
        char **grown;

        if (!value_copy)
                return -ENOMEM;
        for (size_t i = 0; m && i < m->len; i++) {
                if (strcmp(m->keys[i], key) == 0) {
                        free(m->values[i]);
                        m->values[i] = value_copy;
                        value_copy = NULL;
                        return 0;
                }
        }
        key_copy = strdup(key);
        if (!m)
                m = created = calloc(1, sizeof(*m));
        if (!key_copy || !m)
                return -ENOMEM;
        /* A grown array is kept even if the next step fails: the map stays
         * consistent, with room to spare. */
        grown = realloc(m->keys, (m->len + 1) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        m->keys = grown;
        grown = realloc(m->values, (m->len + 1) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        m->values = grown;
        m->keys[m->len] = key_copy;
        m->values[m->len] = value_copy;
        m->len++;
        key_copy = value_copy = NULL;
        if (created)
                *map = created;
        created = NULL;
        return 0;
}

const char *ocispec_string_map_get(const ocispec_string_map *map, const char *key)
{
        for (size_t i = 0; map && i < map->len; i++)
                if (strcmp(map->keys[i], key) == 0)
                        return map->values[i];
        return NULL;
}
