/* Times libocispec on a real document: parses (and frees) a config.json N
 * times and generates it N times, printing the median of several rounds per
 * operation and the process's peak RSS. Usage: bench-parse FILE [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ocispec.h"

#define ROUNDS 5

static double now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static char *read_all(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        rewind(f);
        char *data = len >= 0 ? malloc((size_t) len + 1) : NULL;
        if (data && fread(data, 1, (size_t) len, f) != (size_t) len) {
                free(data);
                data = NULL;
        }
        fclose(f);
        if (data)
                *ret_len = (size_t) len;
        return data;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: %s CONFIG.JSON [ITERATIONS]\n", argv[0]);
                return 2;
        }
        long iterations = argc > 2 ? atol(argv[2]) : 10000;
        size_t len;
        char *data = read_all(argv[1], &len);
        if (!data) {
                perror(argv[1]);
                return 1;
        }

        double parse[ROUNDS], generate[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
                double start = now_ns();
                for (long i = 0; i < iterations; i++) {
                        ocispec_config *config = NULL;
                        char *error = NULL;
                        if (ocispec_config_parse_data(data, len, "config.json", &config, &error) <
                            0) {
                                fprintf(stderr, "%s\n", error);
                                return 1;
                        }
                        ocispec_config_free(config);
                }
                parse[round] = (now_ns() - start) / (double) iterations;

                ocispec_config *config = NULL;
                ocispec_config_parse_data(data, len, "config.json", &config, NULL);
                start = now_ns();
                for (long i = 0; i < iterations; i++) {
                        char *json = NULL;
                        if (ocispec_config_generate(config, 0, &json, NULL, NULL) < 0)
                                return 1;
                        free(json);
                }
                generate[round] = (now_ns() - start) / (double) iterations;
                ocispec_config_free(config);
        }
        qsort(parse, ROUNDS, sizeof(double), compare_doubles);
        qsort(generate, ROUNDS, sizeof(double), compare_doubles);

        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        printf("libocispec on %s (%zu bytes), %ld iterations x %d rounds, medians:\n", argv[1], len,
               iterations, ROUNDS);
        printf("  parse+free  %8.1f us/op\n", parse[ROUNDS / 2] / 1e3);
        printf("  generate    %8.1f us/op\n", generate[ROUNDS / 2] / 1e3);
        printf("  peak RSS    %8ld KiB\n", usage.ru_maxrss);
        free(data);
        return 0;
}
