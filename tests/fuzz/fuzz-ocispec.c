/* libFuzzer target for libocispec: the first byte picks the root document
 * (config, process, state, features, runtime_state) and, through its next bit,
 * compact or pretty output; the rest is parsed. Whatever parses must generate,
 * and the generated text must parse again into a document that generates the
 * same bytes: a difference means parse and generate disagree about a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocispec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ocispec_type *const roots[] = {
    &ocispec_config_type,   &ocispec_process_type,       &ocispec_state_type,
    &ocispec_features_type, &ocispec_runtime_state_type,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const size_t n_roots = sizeof(roots) / sizeof(roots[0]);
        const ocispec_type *type;
        unsigned flags;
        void *doc = NULL, *again = NULL;
        char *first = NULL, *second = NULL, *error = NULL;
        size_t first_len, second_len;

        if (size == 0)
                return 0;
        type = roots[data[0] % n_roots];
        flags = (data[0] / n_roots) % 2 ? OCISPEC_GENERATE_PRETTY : 0;

        if (ocispec_parse(type, (const char *) data + 1, size - 1, "fuzz.json", &doc, &error) < 0) {
                /* Every failure explains itself in one printable line. */
                for (const char *c = error; c && *c; c++)
                        if (*c < 0x20 || *c > 0x7e)
                                abort();
                free(error);
                return 0;
        }
        if (ocispec_generate(type, doc, flags, &first, &first_len, &error) < 0)
                abort();
        if (ocispec_parse(type, first, first_len, "generated", &again, &error) < 0)
                abort();
        if (ocispec_generate(type, again, flags, &second, &second_len, &error) < 0)
                abort();
        if (first_len != second_len || memcmp(first, second, first_len) != 0)
                abort();

        free(first);
        free(second);
        ocispec_free(type, doc);
        ocispec_free(type, again);
        return 0;
}
