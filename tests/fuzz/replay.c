/* Replays every input of the checked-in fuzz corpus through the fuzz target
 * once, as a TAP test in `make check`, built with ASan and UBSan by gcc, so an
 * input that once found a bug keeps guarding against it without clang or a
 * fuzzing run. Reads the corpus directory from $FUZZ_CORPUS. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

int main(void)
{
        const char *dir = getenv("FUZZ_CORPUS");
        struct dirent **entries;

        if (!dir) {
                tap_ok(0, "FUZZ_CORPUS is set");
                return tap_done();
        }
        int n = scandir(dir, &entries, NULL, by_name);
        tap_ok(n > 2, "corpus %s has inputs", dir);
        for (int i = 0; i < n; i++) {
                char path[4096];
                if (entries[i]->d_name[0] == '.') {
                        free(entries[i]);
                        continue;
                }
                snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
                FILE *f = fopen(path, "rb");
                uint8_t *data = NULL;
                size_t size = 0;
                if (f) {
                        fseek(f, 0, SEEK_END);
                        long len = ftell(f);
                        rewind(f);
                        data = malloc(len > 0 ? (size_t) len : 1);
                        if (data && len > 0)
                                size = fread(data, 1, (size_t) len, f);
                        fclose(f);
                }
                /* A crash or sanitizer report aborts the whole test; reaching
                 * the line below means the input passed. */
                if (data)
                        LLVMFuzzerTestOneInput(data, size);
                tap_ok(data != NULL, "replay %s", entries[i]->d_name);
                free(data);
                free(entries[i]);
        }
        free(entries);
        return tap_done();
}
