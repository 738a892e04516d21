/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * Load test: N threads (1, 2, 8) restore different images through one shared context and through one context each,
 * for several rounds. Every output must equal the single-threaded result for the same image and seed, and the
 * process's resident memory must not grow after the first round. Run under AddressSanitizer (whose LeakSanitizer
 * reports anything not freed at exit) or ThreadSanitizer by `make check-load`.
 *   test_load MODEL_FOLDER ROUNDS [COMPUTE_THREADS]
 * COMPUTE_THREADS sets each context's num_threads; 1 keeps OpenMP's thread team out of a ThreadSanitizer run (libgomp
 * is not instrumented, so its barriers look like races).
 */
#include <dreamclean.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IMAGES = 8, W = 20, H = 16, C = 3, MAX_THREADS = 8 };

static unsigned char inputs[IMAGES][W * H * C];
static unsigned char expected[IMAGES][W * H * C];
static int failures;

typedef struct {
    dc_context context; /* shared, or this thread's own */
    int first, stride;  /* the images this thread restores */
    int mismatches;
    dc_status status;
} Worker;

static dc_status restore(dc_context context, int image, unsigned char *out) {
    char options[96];
    snprintf(options, sizeof options, "task=denoise:steps=2:vps_iters=1:gamma=0.3:seed=%d", 100 + image);
    return dc_restore(context, inputs[image], out, DC_FORMAT_U8, W, H, C, 0, options, NULL, NULL);
}

static void *work(void *arg) {
    Worker *w = arg;
    unsigned char out[W * H * C];
    for (int i = w->first; i < IMAGES; i += w->stride) {
        dc_status status = restore(w->context, i, out);
        if (status != DC_OK) w->status = status;
        else if (memcmp(out, expected[i], sizeof out) != 0) w->mismatches++;
    }
    return NULL;
}

/* Resident memory in kB, from /proc/self/status. */
static long resident_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static int compute_threads;

static dc_context new_context(const char *model) {
    dc_context context = NULL;
    if (dc_context_new(model, &context) != DC_OK ||
        dc_context_set_int(context, "num_threads", compute_threads) != DC_OK) {
        fprintf(stderr, "load: %s\n", dc_last_error_message());
        exit(2);
    }
    return context;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s MODEL_FOLDER ROUNDS [COMPUTE_THREADS]\n", argv[0]);
        return 64;
    }
    const char *model = argv[1];
    int rounds = atoi(argv[2]);
    compute_threads = argc == 4 ? atoi(argv[3]) : 0;
    for (int i = 0; i < IMAGES; i++)
        for (int p = 0; p < W * H * C; p++) inputs[i][p] = (unsigned char)((p * 7 + i * 31 + (p / (W * C)) * 13) % 251);

    dc_context reference = new_context(model);
    for (int i = 0; i < IMAGES; i++)
        if (restore(reference, i, expected[i]) != DC_OK) {
            fprintf(stderr, "load: reference run failed: %s\n", dc_last_error_message());
            return 1;
        }
    dc_context_release(reference);

    const int thread_counts[] = {1, 2, 8};
    for (int shared = 1; shared >= 0; shared--) {
        for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; t++) {
            int n = thread_counts[t];
            dc_context contexts[MAX_THREADS];
            contexts[0] = new_context(model);
            for (int k = 1; k < n; k++) contexts[k] = shared ? contexts[0] : new_context(model);
            long after_first = 0, last = 0;
            int mismatches = 0, errors = 0;
            for (int round = 0; round < rounds; round++) {
                Worker workers[MAX_THREADS];
                pthread_t threads[MAX_THREADS];
                for (int k = 0; k < n; k++) {
                    workers[k] = (Worker){contexts[k], k, n, 0, DC_OK};
                    pthread_create(&threads[k], NULL, work, &workers[k]);
                }
                for (int k = 0; k < n; k++) {
                    pthread_join(threads[k], NULL);
                    mismatches += workers[k].mismatches;
                    errors += workers[k].status != DC_OK;
                }
                last = resident_kb();
                if (round == 0) after_first = last;
            }
            long growth = last - after_first;
            /* Allocator noise allowance: 4 MB, a few hundred times less than one round's allocations. */
            int ok = mismatches == 0 && errors == 0 && growth <= 4096;
            printf("load: %d thread%s, %s context%s, %d rounds: %d mismatches, %d errors, RSS %ld kB after round 1, "
                   "%ld kB after round %d (%+ld kB)%s\n",
                   n, n == 1 ? "" : "s", shared ? "one shared" : "one per thread", shared ? "" : "s", rounds,
                   mismatches, errors, after_first, last, rounds, growth, ok ? "" : "  FAILED");
            failures += !ok;
            for (int k = 0; k < (shared ? 1 : n); k++) dc_context_release(contexts[k]);
        }
    }
    return failures ? 1 : 0;
}
