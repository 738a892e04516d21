/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * What a hostile probe of the library found (docs/reliability.md), one reproducer each: handle races, re-entry from a
 * progress callback, stale handles, thread limits, models that block, escape their folder or hold broken numbers,
 * channel counts the restore does not write. Each case failed before its fix (a crash, a hang or a wrong result).
 * Built plain by `make check-c`, and under AddressSanitizer (check-asan) and ThreadSanitizer (check-tsan) against the
 * sanitized library, where the races show.
 *   test_hostile MODEL_FOLDER SCRATCH_FOLDER
 */
#define _GNU_SOURCE
#include "dreamclean.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#endif
#if defined(__SANITIZE_THREAD__)
#define THREAD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#if __has_feature(thread_sanitizer)
#define THREAD_SANITIZED 1
#endif
#endif

#include "checks.h"

enum { W = 16, H = 16, C = 3 };
static const char *model, *scratch;

static void fill(unsigned char *pixels, int channels) {
    for (int i = 0; i < W * H * channels; i++) pixels[i] = (unsigned char)((i * 37) % 251);
}

static void run(const char *command) { CHECK(system(command) == 0, "command failed: %s", command); }

/* A copy of the model in SCRATCH/NAME; returns its path (static storage, one at a time). */
static const char *copy_model(const char *name) {
    static char folder[2048];
    char command[4 * 2048 + 100];
    snprintf(folder, sizeof folder, "%s/%s", scratch, name);
    snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s' && cp '%s/config.json' '%s/model.safetensors' '%s/'",
             folder, folder, model, model, folder);
    run(command);
    return folder;
}

/* Runs a sed expression on the copy's config.json. */
static void edit_config(const char *folder, const char *sed) {
    char command[8192];
    snprintf(command, sizeof command, "sed -i -e '%s' '%s/config.json'", sed, folder);
    run(command);
}

/* A context from FOLDER must fail with STATUS and a message containing TEXT. */
static void expect_refused(const char *folder, dc_status status, const char *text) {
    dc_context context = NULL;
    EXPECT(dc_context_new(folder, &context), status);
    CHECK(context == NULL, "context set on failure");
    CHECK(strstr(dc_last_error_message(), text) != NULL, "message '%s' lacks '%s'", dc_last_error_message(), text);
    if (context) dc_context_release(context);
}

/* A context on FOLDER. Under ThreadSanitizer with one compute thread: libgomp is not instrumented, and its team's
 * barriers would read as races (docs/reliability.md); what is checked there is the library's own locking. */
static dc_status new_context(const char *folder, dc_context *context) {
    dc_status status = dc_context_new(folder, context);
#ifdef THREAD_SANITIZED
    if (status == DC_OK) status = dc_context_set_int(*context, "num_threads", 1);
#endif
    return status;
}

static dc_status restore_small(dc_context context, unsigned char *out) {
    unsigned char in[W * H * C];
    fill(in, C);
    return dc_restore(context, in, out, DC_FORMAT_U8, W, H, C, 0, "task=denoise:noise_sigma=20:steps=1:seed=3", NULL, NULL);
}

/* ---- 3. cancel racing release; context release racing filter_new ------------------------------------------------ */

static atomic_int stop;
static void *cancel_loop(void *arg) {
    dc_filter filter = *(dc_filter *)arg;
    while (!atomic_load(&stop)) dc_filter_cancel(filter);
    return NULL;
}

static void *new_filter_loop(void *arg) {
    dc_context context = *(dc_context *)arg;
    while (!atomic_load(&stop)) {
        dc_filter filter = NULL;
        if (dc_filter_new(context, &filter) == DC_OK) dc_filter_release(filter);
    }
    return NULL;
}

static void test_races(void) {
    dc_context context = NULL;
    EXPECT(new_context(model, &context), DC_OK);
    for (int round = 0; round < 300; round++) {
        dc_filter filter = NULL;
        EXPECT(dc_filter_new(context, &filter), DC_OK);
        atomic_store(&stop, 0);
        pthread_t thread;
        pthread_create(&thread, NULL, cancel_loop, &filter);
        for (volatile int spin = 0; spin < 2000; spin++) {}
        dc_filter_release(filter); /* the other thread may be inside dc_filter_cancel now */
        atomic_store(&stop, 1);
        pthread_join(thread, NULL);
    }
    dc_context_release(context);
    for (int round = 0; round < 10; round++) {
        dc_context racing = NULL;
        EXPECT(new_context(model, &racing), DC_OK);
        atomic_store(&stop, 0);
        pthread_t thread;
        pthread_create(&thread, NULL, new_filter_loop, &racing);
        usleep(2000);
        dc_context_release(racing); /* the other thread may be inside dc_filter_new now */
        usleep(1000);
        atomic_store(&stop, 1);
        pthread_join(thread, NULL);
    }
}

/* ---- 4. re-entry from a progress callback ---------------------------------------------------------------------- */

struct reentry {
    dc_context context;
    dc_filter filter;
    int calls;
    dc_status own_filter, same_context, set_threads, other_context;
    dc_context other;
};

static bool reenter(void *user, double fraction) {
    (void)fraction;
    struct reentry *r = user;
    if (r->calls++ > 0) return true;
    unsigned char out[W * H * C];
    r->own_filter = dc_filter_execute(r->filter);
    r->same_context = restore_small(r->context, out);
    r->set_threads = dc_context_set_int(r->context, "num_threads", 1);
    r->other_context = restore_small(r->other, out); /* another context is a different model: allowed */
    return true;
}

static void test_reentry(void) {
    struct reentry r = {0};
    EXPECT(new_context(model, &r.context), DC_OK);
    EXPECT(new_context(model, &r.other), DC_OK);
    EXPECT(dc_filter_new(r.context, &r.filter), DC_OK);
    unsigned char in[W * H * C], out[W * H * C];
    fill(in, C);
    EXPECT(dc_filter_set_image(r.filter, "input", in, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);
    EXPECT(dc_filter_set_image(r.filter, "output", out, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);
    EXPECT(dc_filter_set_options(r.filter, "task=denoise:noise_sigma=20:steps=2:seed=1"), DC_OK);
    EXPECT(dc_filter_set_progress(r.filter, reenter, &r), DC_OK);
    alarm(60); /* a deadlock fails the test instead of hanging it */
    EXPECT(dc_filter_execute(r.filter), DC_OK);
    alarm(0);
    CHECK(r.calls > 0, "no progress calls");
    CHECK(r.own_filter == DC_ERROR_INVALID_OPERATION, "own filter from its callback: %d", r.own_filter);
    CHECK(r.same_context == DC_ERROR_INVALID_OPERATION, "same context from a callback: %d", r.same_context);
    CHECK(r.set_threads == DC_ERROR_INVALID_OPERATION, "num_threads from a callback: %d", r.set_threads);
    CHECK(r.other_context == DC_OK, "another context from a callback: %d", r.other_context);
    dc_filter_release(r.filter);
    dc_context_release(r.context);
    dc_context_release(r.other);
}

/* ---- 10. a stale handle never acts on a newer filter ------------------------------------------------------------- */

static void test_stale_handles(void) {
    dc_context context = NULL;
    EXPECT(new_context(model, &context), DC_OK);
    int stale_refused = 0, stale_total = 20;
    for (int i = 0; i < stale_total; i++) {
        dc_filter old = NULL, fresh = NULL;
        EXPECT(dc_filter_new(context, &old), DC_OK);
        dc_filter_release(old);
        EXPECT(dc_filter_new(context, &fresh), DC_OK);
        CHECK(fresh != old, "a released handle was issued again");
        if (dc_filter_cancel(old) == DC_ERROR_INVALID_ARGUMENT) stale_refused++;
        unsigned char in[W * H * C], out[W * H * C];
        fill(in, C);
        EXPECT(dc_filter_set_image(fresh, "input", in, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);
        EXPECT(dc_filter_set_image(fresh, "output", out, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);
        EXPECT(dc_filter_set_options(fresh, "task=denoise:noise_sigma=20:steps=1:seed=1"), DC_OK);
        EXPECT(dc_filter_execute(fresh), DC_OK); /* not cancelled by the stale handle */
        dc_filter_release(fresh);
    }
    CHECK(stale_refused == stale_total, "%d of %d stale cancels refused", stale_refused, stale_total);
    dc_context_release(context);
}

#ifndef SANITIZED
/* Limits this process's address space to what it maps now plus MB (for a forked child; the sanitizers reserve
 * terabytes of address space, so their builds skip the tests that use it). */
static bool limit_address_space(int mb) {
    long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm) return false;
    bool read = fscanf(statm, "%ld", &pages) == 1;
    fclose(statm);
    rlim_t bytes = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)mb << 20);
    struct rlimit limit = {bytes, bytes};
    return read && setrlimit(RLIMIT_AS, &limit) == 0;
}
#endif

/* ---- 5, 9. thread counts: capped, checked, and no reload from disk ------------------------------------------------ */

static void test_threads(void) {
    const char *folder = copy_model("threads");
    dc_context context = NULL;
    EXPECT(new_context(folder, &context), DC_OK);
    unsigned char before[W * H * C], after[W * H * C];
    EXPECT(restore_small(context, before), DC_OK);
    char command[4096];
    snprintf(command, sizeof command, "rm -r '%s'", folder);
    run(command); /* the folder is gone: changing the thread count must not need it */
    EXPECT(dc_context_set_int(context, "num_threads", 1), DC_OK);
    EXPECT(restore_small(context, after), DC_OK);
    CHECK(memcmp(before, after, sizeof before) == 0, "the result changed with num_threads");
#ifndef THREAD_SANITIZED
    EXPECT(dc_context_set_int(context, "num_threads", 3), DC_OK);
    EXPECT(restore_small(context, after), DC_OK);
    CHECK(memcmp(before, after, sizeof before) == 0, "the result changed with num_threads 3");
#else
    printf("skipped: a restore on 3 compute threads (ThreadSanitizer build: one thread per context)\n");
#endif
    EXPECT(dc_context_set_int(context, "num_threads", 1000000), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_context_set_int(context, "num_threads", 1025), DC_ERROR_INVALID_ARGUMENT);

#ifndef SANITIZED /* the sanitizers reserve terabytes of address space, which an address-space limit cannot allow */
    /* Under an address-space limit that 200 thread stacks exceed, the count is refused with an error; the host lives. */
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        if (!limit_address_space(256)) _exit(4);
        dc_status status = dc_context_set_int(context, "num_threads", 200);
        int64_t threads = -1;
        dc_context_get_int(context, "num_threads", &threads);
        _exit(status == DC_ERROR_OUT_OF_MEMORY && threads == 3 ? 0 : 5);  /* 3: the count set before */
    }
    int wait_status = 0;
    waitpid(child, &wait_status, 0);
    CHECK(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0, "thread limit: child %s %d",
          WIFEXITED(wait_status) ? "exited" : "killed by signal", WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : WTERMSIG(wait_status));
#else
    printf("skipped: num_threads under an address-space limit (sanitizer build)\n");
#endif
    dc_context_release(context);
}

/* ---- 1, 2, 6, 11. models: blocking files, escapes, broken numbers, attention levels, schedules -------------------- */

static void test_models(void) {
    char command[8192];
    alarm(60); /* a FIFO that blocks fails the test instead of hanging it */
    const char *folder = copy_model("fifo-config");
    snprintf(command, sizeof command, "rm '%s/config.json' && mkfifo '%s/config.json'", folder, folder);
    run(command);
    expect_refused(folder, DC_ERROR_IO, "not a regular file");
    folder = copy_model("fifo-weights");
    snprintf(command, sizeof command, "rm '%s/model.safetensors' && mkfifo '%s/model.safetensors'", folder, folder);
    run(command);
    expect_refused(folder, DC_ERROR_IO, "not a regular file");
    alarm(0);

    folder = copy_model("escape");
    edit_config(folder, "s|\"model.safetensors\"|\"../../../../../../etc/passwd\"|");
    expect_refused(folder, DC_ERROR_MODEL, "not a file name in the model folder");

    static const char *attention[] = {"0", "3", "-4611686018427387904"}; /* 0 once trapped the memory estimate */
    for (int i = 0; i < 3; i++) {
        folder = copy_model("attention");
        char sed[256];
        snprintf(sed, sizeof sed, "/\"attention_ds\"/,/]/c\\    \"attention_ds\": [%s],", attention[i]);
        edit_config(folder, sed);
        expect_refused(folder, DC_ERROR_MODEL, "attention_ds");
    }

    static const char *schedules[][2] = {{"0.5", "0.5"}, {"0.999999", "0.9999999"}, {"1e-300", "1e-300"}};
    for (int i = 0; i < 3; i++) {
        folder = copy_model("schedule");
        char sed[256];
        snprintf(sed, sizeof sed, "s|\"beta_start\": [^,]*|\"beta_start\": %s|; s|\"beta_end\": [^,]*|\"beta_end\": %s|",
                 schedules[i][0], schedules[i][1]);
        edit_config(folder, sed);
        expect_refused(folder, DC_ERROR_MODEL, "schedule");
    }

    /* An infinite weight (what an overflowing f16 conversion writes), with a checksum that matches the file. */
    folder = copy_model("infinite");
    snprintf(command, sizeof command,
             "printf '\\000\\174' | dd of='%s/model.safetensors' bs=1 seek=$(( $(stat -c %%s '%s/model.safetensors') - 2 )) conv=notrunc 2>/dev/null",
             folder, folder);
    run(command);
    edit_config(folder, "/weights_sha256/d");
    expect_refused(folder, DC_ERROR_MODEL, "NaN or infinite");

    /* $DREAMCLEAN_MODEL naming no model: an error, never the installed model instead. */
    setenv("DREAMCLEAN_MODEL", "/nonexistent/dreamclean-model", 1);
    expect_refused(NULL, DC_ERROR_MODEL, "DREAMCLEAN_MODEL");
    unsetenv("DREAMCLEAN_MODEL");
}

/* ---- 8. an output channel the restore does not write is defined, banded or not ------------------------------------ */

static void test_channels(void) {
    dc_context context = NULL;
    EXPECT(new_context(model, &context), DC_OK);
    enum { BW = 64, BH = 512 };
    static unsigned char in[BW * BH * 3], out[BW * BH * 4];
    for (int i = 0; i < BW * BH * 3; i++) in[i] = (unsigned char)((i * 13) % 241);
    for (int banded = 0; banded < 2; banded++) {
        memset(out, 0x5A, sizeof out);
        dc_filter filter = NULL;
        EXPECT(dc_filter_new(context, &filter), DC_OK);
        EXPECT(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, BW, BH, 3, 0, 0), DC_OK);
        EXPECT(dc_filter_set_image(filter, "output", out, DC_FORMAT_U8, BW, BH, 4, 0, 0), DC_OK);
        EXPECT(dc_filter_set_options(filter, banded ? "task=denoise:noise_sigma=20:steps=1:seed=1:tile_size=32:tile_overlap=8:max_memory_mb=110"
                                                    : "task=denoise:noise_sigma=20:steps=1:seed=1"), DC_OK);
        EXPECT(dc_filter_execute(filter), DC_OK);
        int opaque = 0;
        for (int p = 0; p < BW * BH; p++) opaque += out[p * 4 + 3] == 255;
        CHECK(opaque == BW * BH, "%s: %d of %d alpha bytes opaque", banded ? "banded" : "whole", opaque, BW * BH);
        dc_filter_release(filter);
    }
    dc_context_release(context);
}

/* ---- 7. an address space only just above the working set: an error, never an abort ------------------------------ */

#ifndef SANITIZED
/* In a child, with the address space limited to what the process maps now plus MB, one restoration: it must end with
 * DC_OK or DC_ERROR_OUT_OF_MEMORY, never by a signal (a Swift array or an unchecked allocation that fails aborts). */
static int limited_restore(dc_context context, const unsigned char *in, unsigned char *out, int size, const char *options, int mb) {
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        if (!limit_address_space(mb)) _exit(4);
        dc_status status = dc_restore(context, in, out, DC_FORMAT_U8, size, size, 3, 0, options, NULL, NULL);
        _exit(status == DC_OK || status == DC_ERROR_OUT_OF_MEMORY ? 0 : 5);
    }
    int wait_status = 0;
    waitpid(child, &wait_status, 0);
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}
#endif

static void test_address_space(void) {
#ifndef SANITIZED
    enum { S = 64 };
    static unsigned char in[S * S * 3], out[S * S * 3 * 4];
    for (int i = 0; i < S * S * 3; i++) in[i] = (unsigned char)((i * 37 + i / (S * 3) * 11) % 251);
    static const char *tasks[] = {"task=blind:seed=1", "task=denoise:noise_sigma=20:seed=1", "task=jpeg:seed=1",
                                  "task=sr:scale=2:steps=1:seed=1", "task=deblur:seed=1", "task=colorize:seed=1",
                                  "task=denoise:noise_sigma=20:preset=quality:seed=1"};
    dc_context context = NULL;
    EXPECT(new_context(model, &context), DC_OK);
    EXPECT(dc_context_set_int(context, "num_threads", 1), DC_OK);
    for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++) {
        EXPECT(dc_restore(context, in, out, DC_FORMAT_U8, S, S, 3, 0, tasks[t], NULL, NULL), DC_OK); /* unlimited: works */
        for (int mb = 1; mb <= 64; mb *= 4) {
            int ended = limited_restore(context, in, out, S, tasks[t], mb);
            CHECK(ended == 0, "%s under +%d MB of address space: child ended %d (128 + signal when killed)", tasks[t], mb, ended);
        }
    }
    dc_context_release(context);
#else
    printf("skipped: restorations under an address-space limit (sanitizer build)\n");
#endif
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_hostile MODEL_FOLDER SCRATCH_FOLDER\n");
        return 2;
    }
    model = argv[1];
    scratch = argv[2];
    mkdir(scratch, 0755);
    test_models();
    test_races();
    test_reentry();
    test_stale_handles();
    test_threads();
    test_channels();
    test_address_space();
    printf("hostile: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
