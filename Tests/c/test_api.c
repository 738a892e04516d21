/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * The C ABI from a plain C host, misuse first: every bad call must return its status with a message, never crash.
 * Built and run by `make test` under AddressSanitizer and UndefinedBehaviorSanitizer.
 *   test_api MODEL_FOLDER SCRATCH_FOLDER
 */
#include "dreamclean.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>

/* The offsets Sources/DreamCleanCAPI/ParameterDescription.swift writes at. */
_Static_assert(offsetof(dc_param_desc, name) == 8 && offsetof(dc_param_desc, type) == 16 &&
                   offsetof(dc_param_desc, description) == 24 && offsetof(dc_param_desc, minimum) == 32 &&
                   offsetof(dc_param_desc, maximum) == 40 && offsetof(dc_param_desc, default_value) == 48 &&
                   offsetof(dc_param_desc, default_string) == 56 && offsetof(dc_param_desc, choices) == 64 &&
                   sizeof(dc_param_desc) == 72,
               "dc_param_desc layout");
_Static_assert(offsetof(dc_reading, noise_sigma) == 8 && offsetof(dc_reading, jpeg_step) == 16 &&
                   offsetof(dc_reading, jpeg_quality) == 20 && offsetof(dc_reading, blur_sigma) == 24 &&
                   offsetof(dc_reading, camera_noise_sigma) == 32 && sizeof(dc_reading) == 40,
               "dc_reading layout");

#include "checks.h"

enum { W = 16, H = 12, C = 3 };

static void fill(unsigned char *pixels) {
    for (int i = 0; i < W * H * C; i++) pixels[i] = (unsigned char)((i * 37) % 251);
}

/* Flips one bit three bytes before the end of dir/model.safetensors (inside the last weight). */
static void flip_byte_near_end(const char *dir) {
    char file[4096];
    snprintf(file, sizeof file, "%s/model.safetensors", dir);
    FILE *f = fopen(file, "r+b");
    CHECK(f != NULL, "cannot open %s", file);
    if (!f) return;
    int byte = fseek(f, -3, SEEK_END) == 0 ? fgetc(f) : EOF;
    CHECK(byte != EOF && fseek(f, -3, SEEK_END) == 0 && fputc(byte ^ 1, f) != EOF, "cannot change %s", file);
    fclose(f);
}

/* 96x96 gray-in-RGB 8x8 blocks whose means sit on the DC lattice of step 40 (quality 20), as a decoder writes them:
 * block mean 128 + 5k (8 x (mean - 128) a multiple of 40) plus a zero-mean ramp across the block. */
enum { JW = 96, JH = 96 };
static void fill_jpeg_blocks(unsigned char *pixels) {
    for (int y = 0; y < JH; y++) {
        for (int x = 0; x < JW; x++) {
            int block = (y / 8) * (JW / 8) + x / 8;
            int mean = 128 + 5 * ((block * 7) % 17 - 8);
            int value = mean + (x % 8) - (y % 8);
            for (int c = 0; c < 3; c++) pixels[(y * JW + x) * 3 + c] = (unsigned char)value;
        }
    }
}

/* Camera-like noise on a smooth colour ramp: each channel's own noise (a fixed LCG, about uniform with sigma 8)
 * averaged over 3x3 pixels and tripled, as demosaicing spreads a camera's; blind mode reads it as a camera's. */
enum { CW = 64, CH = 64 };
static void fill_camera_noise(unsigned char *pixels) {
    static float noise[3][CH][CW];
    unsigned state = 12345;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < CH; y++)
            for (int x = 0; x < CW; x++) {
                state = state * 1664525u + 1013904223u;
                noise[c][y][x] = ((float)(state >> 8) / 16777216.0f - 0.5f) * 8.0f * 3.4641f; /* sigma 8 */
            }
    for (int y = 0; y < CH; y++)
        for (int x = 0; x < CW; x++)
            for (int c = 0; c < 3; c++) {
                float sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy < 0 ? 0 : (y + dy >= CH ? CH - 1 : y + dy);
                        int xx = x + dx < 0 ? 0 : (x + dx >= CW ? CW - 1 : x + dx);
                        sum += noise[c][yy][xx];
                    }
                float value = 80.0f + 25.0f * (float)c + 0.5f * (float)(x + y) + 3.0f * sum / 9.0f;
                pixels[(y * CW + x) * 3 + c] = (unsigned char)(value < 0 ? 0 : (value > 255 ? 255 : value + 0.5f));
            }
}

static double last_fraction;
static int calls;
static bool record_progress(void *user, double fraction) {
    (void)user;
    if (fraction < last_fraction) failed++;
    last_fraction = fraction;
    calls++;
    return true;
}
static bool stop_at_once(void *user, double fraction) {
    (void)fraction;
    ++*(int *)user;
    return false;
}

struct job {
    dc_context context;
    unsigned char out[W * H * C];
    dc_status status;
};

static void *run_job(void *arg) {
    struct job *job = arg;
    unsigned char in[W * H * C];
    fill(in);
    job->status = dc_restore(job->context, in, job->out, DC_FORMAT_U8, W, H, C, 0, "steps=2:seed=11", NULL, NULL);
    return NULL;
}

static int latent_progress_calls;
static double latent_progress_last;
static bool count_progress(void *user, double fraction) {
    (void)user;
    latent_progress_calls++;
    latent_progress_last = fraction;
    return true;
}

/* A latent (Stable Diffusion) model through the same calls: its tasks restore, an operator task is refused with
 * the output untouched, and the model info says where its presets come from. */
static void latent_model_checks(const char *folder) {
    dc_context context = NULL;
    EXPECT(dc_context_new(folder, &context), DC_OK);
    if (!context) return;
    unsigned char in[W * H * C], out[W * H * C];
    fill(in);
    memset(out, 7, sizeof out);
    EXPECT(dc_restore(context, in, out, DC_FORMAT_U8, W, H, C, 0, "task=jpeg:steps=2:seed=3", count_progress, NULL), DC_OK);
    int changed = 0;
    for (size_t i = 0; i < sizeof out; i++) changed += out[i] != 7;
    CHECK(changed > (int)(sizeof out / 2), "latent restore wrote %d of %zu samples", changed, sizeof out);
    CHECK(latent_progress_calls > 2 && latent_progress_last == 1.0, "progress %d calls, last %f", latent_progress_calls, latent_progress_last);
    memset(out, 7, sizeof out);
    EXPECT_ERROR(dc_restore(context, in, out, DC_FORMAT_U8, W, H, C, 0, "task=deblur:seed=3", NULL, NULL), DC_ERROR_UNSUPPORTED);
    CHECK(strstr(dc_last_error_message(), "latent") != NULL, "message: %s", dc_last_error_message());
    int untouched = 1;
    for (size_t i = 0; i < sizeof out; i++) untouched &= out[i] == 7;
    CHECK(untouched, "output written by a refused latent restore");
    size_t size = 0;
    EXPECT(dc_context_get_model_info(context, NULL, 0, &size), DC_OK);
    char *info = malloc(size);
    EXPECT(dc_context_get_model_info(context, info, size, &size), DC_OK);
    CHECK(strstr(info, "\"architecture\": \"sd\"") && strstr(info, "\"source\": \"config.json\""), "latent model info %s", info);
    free(info);
    dc_context_release(context);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_api MODEL_FOLDER SCRATCH_FOLDER [LATENT_MODEL_FOLDER]\n");
        return 2;
    }
    const char *model = argv[1];
    char path[1024];

    /* Versions and names. */
    CHECK(dc_abi_version() == DC_ABI_VERSION, "abi %d", dc_abi_version());
    char expected_version[32];
    snprintf(expected_version, sizeof expected_version, "%d.%d.%d", DC_VERSION_MAJOR, DC_VERSION_MINOR, DC_VERSION_PATCH);
    CHECK(strcmp(dc_version_string(), expected_version) == 0, "version %s", dc_version_string());
    CHECK(strcmp(dc_status_string(DC_ERROR_CANCELLED), "DC_ERROR_CANCELLED") == 0, "status name");
    CHECK(strcmp(dc_status_string((dc_status)99), "DC_ERROR_UNKNOWN_STATUS") == 0, "unknown status name");

    /* Contexts: NULL out, missing folder, corrupted weights. */
    dc_context context = NULL;
    EXPECT_ERROR(dc_context_new(model, NULL), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_context_new("/nonexistent/model", &context), DC_ERROR_IO);
    CHECK(context == NULL, "context set on failure");
    snprintf(path, sizeof path, "%s/corrupt", argv[2]);
    char command[5 * sizeof path + 200];
    snprintf(command, sizeof command, "mkdir -p '%s' && cp '%s/config.json' '%s/' && head -c 5000 '%s/model.safetensors' > '%s/model.safetensors'",
             path, model, path, model, path);
    CHECK(system(command) == 0, "could not make the corrupt model");
    EXPECT_ERROR(dc_context_new(path, &context), DC_ERROR_MODEL);

    /* One bit flipped inside a weight: the file still parses; the config's SHA-256 catches it. */
    snprintf(command, sizeof command, "cp '%s/model.safetensors' '%s/'", model, path);
    CHECK(system(command) == 0, "could not copy the model");
    flip_byte_near_end(path);
    EXPECT_ERROR(dc_context_new(path, &context), DC_ERROR_MODEL);
    CHECK(strstr(dc_last_error_message(), "SHA-256") != NULL, "message: %s", dc_last_error_message());

    /* Model files removed or truncated after loading: the weights were read at load, so the model still works. */
    dc_context moved[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/moved%d", argv[2], i);
        snprintf(command, sizeof command, "mkdir -p '%s' && cp '%s/config.json' '%s/model.safetensors' '%s/'", path, model, model, path);
        CHECK(system(command) == 0, "could not copy the model");
        EXPECT(dc_context_new(path, &moved[i]), DC_OK);
        snprintf(command, sizeof command, i == 0 ? "rm -r '%s'" : ": > '%s/model.safetensors' && : > '%s/config.json'", path, path);
        CHECK(system(command) == 0, "could not remove or truncate the model");
    }

    EXPECT(dc_context_new(model, &context), DC_OK);
    CHECK(context != NULL, "no context");
    EXPECT(dc_context_set_int(context, "num_threads", 1), DC_OK);
    int64_t threads = -1;
    EXPECT(dc_context_get_int(context, "num_threads", &threads), DC_OK);
    CHECK(threads == 1, "threads %lld", (long long)threads);
    EXPECT_ERROR(dc_context_set_int(context, "num_thread", 1), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_context_set_int(context, "num_threads", -3), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_context_set_int(NULL, "num_threads", 1), DC_ERROR_INVALID_ARGUMENT);
    /* bf16: 0 or 1; it reads back 1 only where the CPU has it, and 0 again after switching off. */
    EXPECT_ERROR(dc_context_set_int(context, "bf16", 2), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_context_set_int(context, "bf16", 1), DC_OK);
    int64_t bf16 = -1;
    EXPECT(dc_context_get_int(context, "bf16", &bf16), DC_OK);
    CHECK(bf16 == 0 || bf16 == 1, "bf16 reads %lld", (long long)bf16);
    EXPECT(dc_context_set_int(context, "bf16", 0), DC_OK);
    EXPECT(dc_context_get_int(context, "bf16", &bf16), DC_OK);
    CHECK(bf16 == 0, "bf16 reads %lld after switching off", (long long)bf16);
    EXPECT(dc_context_set_int(context, "bf16", 1), DC_OK); /* back to the default */
    int64_t bf16Default = -1;
    EXPECT(dc_context_get_int(context, "bf16", &bf16Default), DC_OK);
    /* int8: 0 (the default) or 1; it reads back 1 only where the model and CPU have it, and then bf16 reads 0; off
     * again, bf16 is as it was. */
    int64_t int8 = -1;
    EXPECT(dc_context_get_int(context, "int8", &int8), DC_OK);
    CHECK(int8 == 0, "int8 reads %lld by default", (long long)int8);
    EXPECT_ERROR(dc_context_set_int(context, "int8", -1), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_context_set_int(context, "int8", 1), DC_OK);
    EXPECT(dc_context_get_int(context, "int8", &int8), DC_OK);
    EXPECT(dc_context_get_int(context, "bf16", &bf16), DC_OK);
    CHECK((int8 == 0 || int8 == 1) && !(int8 == 1 && bf16 == 1), "int8 reads %lld, bf16 %lld", (long long)int8, (long long)bf16);
    EXPECT(dc_context_set_int(context, "int8", 0), DC_OK);
    int64_t bf16Again = -1;
    EXPECT(dc_context_get_int(context, "int8", &int8), DC_OK);
    EXPECT(dc_context_get_int(context, "bf16", &bf16Again), DC_OK);
    CHECK(int8 == 0 && bf16Again == bf16Default, "after switching int8 off: int8 %lld, bf16 %lld (was %lld)", (long long)int8,
          (long long)bf16Again, (long long)bf16Default);

    /* Filters and images. */
    dc_filter filter = NULL;
    EXPECT_ERROR(dc_filter_new(NULL, &filter), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_new((dc_context)&threads, &filter), DC_ERROR_INVALID_ARGUMENT); /* not a handle */
    EXPECT(dc_filter_new(context, &filter), DC_OK);
    EXPECT_ERROR(dc_filter_execute((dc_filter)context), DC_ERROR_INVALID_ARGUMENT);   /* wrong kind */
    unsigned char in[W * H * C], out[W * H * C];
    fill(in);
    memset(out, 0xAB, sizeof out);
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_INVALID_OPERATION);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", NULL, DC_FORMAT_U8, W, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, 0, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, 0, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, 0, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, 5, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, C, 2, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, C, 0, W * C - 1), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, (size_t)1 << 40, (size_t)1 << 40, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, SIZE_MAX, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, C, SIZE_MAX / 2, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "input", in, (dc_format)9, W, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, "inptu", in, DC_FORMAT_U8, W, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_image(filter, NULL, in, DC_FORMAT_U8, W, H, C, 0, 0), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_filter_set_image(filter, "input", in, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);
    EXPECT(dc_filter_set_image(filter, "output", out, DC_FORMAT_U8, W, H, C, 0, 0), DC_OK);

    /* Parameters. */
    EXPECT_ERROR(dc_filter_set_int(filter, "stpes", 3), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_int(filter, "steps", 100000), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_float(filter, "steps", 3.0), DC_ERROR_INVALID_ARGUMENT); /* wrong type */
    EXPECT_ERROR(dc_filter_set_float(filter, "strength", 1.5), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_string(filter, "task", "dehaze"), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_string(filter, "start", "sideways"), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_string(filter, "task", NULL), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_options(filter, "steps=2:seed"), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_options(filter, "steps=2:strength=x"), DC_ERROR_INVALID_ARGUMENT);
    int64_t steps = -1;
    EXPECT(dc_filter_get_int(filter, "steps", &steps), DC_OK);
    CHECK(steps == 0, "a failed options string must change nothing (steps %lld)", (long long)steps);
    EXPECT(dc_filter_set_options(filter, "steps=2:seed=5:task=blind"), DC_OK);
    EXPECT(dc_filter_get_int(filter, "steps", &steps), DC_OK);
    CHECK(steps == 2, "steps %lld", (long long)steps);
    char task[4];
    size_t needed = 0;
    EXPECT_ERROR(dc_filter_get_string(filter, "task", task, sizeof task, &needed), DC_ERROR_INVALID_ARGUMENT);
    CHECK(needed == 6, "needed %zu", needed);
    char task_buffer[16];
    EXPECT(dc_filter_get_string(filter, "task", task_buffer, sizeof task_buffer, &needed), DC_OK);
    CHECK(strcmp(task_buffer, "blind") == 0, "task %s", task_buffer);

    /* Cancel before execute: the output stays untouched. */
    EXPECT(dc_filter_cancel(filter), DC_OK);
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_CANCELLED);
    CHECK(out[0] == 0xAB && out[sizeof out - 1] == 0xAB, "output written by a cancelled run");
    /* A progress callback that cancels on its first call. */
    int stops = 0;
    EXPECT(dc_filter_set_progress(filter, stop_at_once, &stops), DC_OK);
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_CANCELLED);
    CHECK(stops == 1, "callback called %d times", stops);
    CHECK(out[0] == 0xAB, "output written by a cancelled run");
    /* A memory limit the job cannot fit in: refused before any work (no progress call, output untouched). */
    int64_t limit = -1;
    EXPECT(dc_context_get_int(context, "max_memory_mb", &limit), DC_OK);
    CHECK(limit == 2048, "default max_memory_mb %lld", (long long)limit);
    EXPECT_ERROR(dc_context_set_int(context, "max_memory_mb", 15), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_context_set_int(context, "max_memory_mb", 16), DC_OK);
    stops = 0;
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(dc_last_error_message(), "max_memory_mb = 16") != NULL, "message: %s", dc_last_error_message());
    CHECK(stops == 0 && out[0] == 0xAB && out[sizeof out - 1] == 0xAB, "work started before the out-of-memory error");
    EXPECT(dc_context_set_int(context, "max_memory_mb", 2048), DC_OK);
    /* The same limit as a filter parameter, which overrides the context's; 0 (the default) defers to it. */
    EXPECT(dc_filter_set_int(filter, "max_memory_mb", 16), DC_OK);
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(dc_last_error_message(), "max_memory_mb = 16") != NULL, "message: %s", dc_last_error_message());
    EXPECT_ERROR(dc_filter_set_int(filter, "max_memory_mb", -1), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_filter_set_int(filter, "max_memory_mb", 0), DC_OK);

    /* A real run, with progress (a set depth: the smooth test image alone would start at t = 0, one evaluation). */
    EXPECT(dc_filter_set_float(filter, "strength", 0.2), DC_OK);
    EXPECT(dc_filter_set_progress(filter, record_progress, NULL), DC_OK);
    EXPECT(dc_filter_execute(filter), DC_OK);
    CHECK(calls > 2 && last_fraction == 1.0, "progress: %d calls, last %f", calls, last_fraction);
    int changed = 0;
    for (size_t i = 0; i < sizeof out; i++) changed += out[i] != 0xAB;
    CHECK(changed > (int)sizeof out / 2, "output mostly unwritten (%d)", changed);

    /* Use after release. */
    dc_filter_release(filter);
    EXPECT_ERROR(dc_filter_execute(filter), DC_ERROR_INVALID_ARGUMENT);
    dc_filter_release(filter); /* double release is ignored */
    dc_filter_release(NULL);

    /* One call, and two threads sharing one context give the single-threaded result. */
    unsigned char single[W * H * C];
    fill(in);
    EXPECT(dc_restore(context, in, single, DC_FORMAT_U8, W, H, C, 0, "steps=2:seed=11", NULL, NULL), DC_OK);
    EXPECT_ERROR(dc_restore(context, in, single, DC_FORMAT_U8, W, H, C, 0, "steps=two", NULL, NULL), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_restore(context, NULL, single, DC_FORMAT_U8, W, H, C, 0, NULL, NULL, NULL), DC_ERROR_INVALID_ARGUMENT);
    struct job jobs[2] = {{context, {0}, DC_ERROR_UNKNOWN}, {context, {0}, DC_ERROR_UNKNOWN}};
    pthread_t workers[2];
    for (int i = 0; i < 2; i++) pthread_create(&workers[i], NULL, run_job, &jobs[i]);
    for (int i = 0; i < 2; i++) pthread_join(workers[i], NULL);
    for (int i = 0; i < 2; i++) {
        CHECK(jobs[i].status == DC_OK, "thread %d status %d", i, jobs[i].status);
        CHECK(memcmp(jobs[i].out, single, sizeof single) == 0, "thread %d differs from the single-threaded run", i);
    }
    for (int i = 0; i < 2; i++) {
        unsigned char from_moved[W * H * C];
        EXPECT(dc_restore(moved[i], in, from_moved, DC_FORMAT_U8, W, H, C, 0, "steps=2:seed=11", NULL, NULL), DC_OK);
        CHECK(memcmp(from_moved, single, sizeof single) == 0, "model %s after loading gives another result",
              i == 0 ? "removed" : "truncated");
        dc_context_release(moved[i]);
    }

    /* Introspection. */
    CHECK(dc_param_count() >= 10, "count %d", dc_param_count());
    dc_param_desc info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    int found_strength = 0;
    for (int i = 0; i < dc_param_count(); i++) {
        EXPECT(dc_param_info(i, &info), DC_OK);
        if (strcmp(info.name, "strength") == 0) found_strength = info.type == DC_PARAM_FLOAT && info.maximum == 1.0;
    }
    CHECK(found_strength, "strength not described as a float in [.., 1]");
    EXPECT_ERROR(dc_param_info(dc_param_count(), &info), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_param_info(0, NULL), DC_ERROR_INVALID_ARGUMENT);
    size_t json_size = 0;
    EXPECT(dc_params_json(NULL, 0, &json_size), DC_OK);
    char *json = malloc(json_size);
    EXPECT(dc_params_json(json, json_size, &json_size), DC_OK);
    CHECK(json[0] == '[' && strstr(json, "\"name\": \"tile_size\"") != NULL, "json %s", json);
    free(json);

    /* What blind restoration reads, without restoring. */
    EXPECT(dc_filter_new(context, &filter), DC_OK);
    dc_reading reading = {.struct_size = sizeof reading};
    EXPECT_ERROR(dc_filter_read_input(filter, &reading), DC_ERROR_INVALID_OPERATION); /* no input yet */
    static unsigned char blocks[JW * JH * 3];
    fill_jpeg_blocks(blocks);
    EXPECT(dc_filter_set_image(filter, "input", blocks, DC_FORMAT_U8, JW, JH, 3, 0, 0), DC_OK);
    EXPECT_ERROR(dc_filter_read_input(filter, NULL), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_read_input(NULL, &reading), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_filter_read_input(filter, &reading), DC_OK);
    CHECK(reading.jpeg_step == 40 && reading.jpeg_quality == 20 && reading.blur_sigma == 0 && reading.noise_sigma >= 0 &&
              reading.camera_noise_sigma == 0,
          "read step %d quality %d blur %g noise %g", reading.jpeg_step, reading.jpeg_quality, reading.blur_sigma,
          reading.noise_sigma);
    dc_reading old = {.struct_size = 16, .jpeg_step = -7}; /* a host that knows only noise_sigma */
    EXPECT(dc_filter_read_input(filter, &old), DC_OK);
    CHECK(old.jpeg_step == -7, "wrote past struct_size");
    dc_reading tiny = {.struct_size = 8};
    EXPECT_ERROR(dc_filter_read_input(filter, &tiny), DC_ERROR_INVALID_ARGUMENT);
    static unsigned char camera[CW * CH * 3];
    fill_camera_noise(camera);
    EXPECT(dc_filter_set_image(filter, "input", camera, DC_FORMAT_U8, CW, CH, 3, 0, 0), DC_OK);
    EXPECT(dc_filter_read_input(filter, &reading), DC_OK);
    CHECK(reading.camera_noise_sigma > 1 && reading.camera_noise_sigma <= 8 && reading.jpeg_step == 0 && reading.blur_sigma == 0,
          "camera noise read %g (jpeg %d, blur %g)", reading.camera_noise_sigma, reading.jpeg_step, reading.blur_sigma);
    dc_reading before_camera = {.struct_size = 32, .camera_noise_sigma = -7}; /* a host built before the field */
    EXPECT(dc_filter_read_input(filter, &before_camera), DC_OK);
    CHECK(before_camera.camera_noise_sigma == -7, "wrote past struct_size 32");
    EXPECT(dc_filter_set_string(filter, "camera_noise", "off"), DC_OK);
    EXPECT(dc_filter_read_input(filter, &reading), DC_OK);
    CHECK(reading.camera_noise_sigma > 1, "dc_filter_read_input reads as task=blind's defaults: %g", reading.camera_noise_sigma);
    dc_filter_release(filter);

    /* The output size and the plan, from the library. */
    EXPECT(dc_filter_new(context, &filter), DC_OK);
    size_t out_w = 0, out_h = 0, plan_size = 0;
    EXPECT(dc_filter_get_output_size(filter, 10, 7, &out_w, &out_h), DC_OK);
    CHECK(out_w == 10 && out_h == 7, "blind keeps the size, got %zux%zu", out_w, out_h);
    EXPECT(dc_filter_set_options(filter, "task=sr:scale=3"), DC_OK);
    EXPECT(dc_filter_get_output_size(filter, 10, 7, &out_w, &out_h), DC_OK);
    CHECK(out_w == 30 && out_h == 21, "sr x3 gives 30x21, got %zux%zu", out_w, out_h);
    EXPECT_ERROR(dc_filter_get_output_size(filter, SIZE_MAX / 2, 7, &out_w, &out_h), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_get_output_size(filter, 10, 7, NULL, &out_h), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_get_output_size(NULL, 10, 7, &out_w, &out_h), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_ERROR_INVALID_OPERATION); /* no input yet */
    EXPECT(dc_filter_set_image(filter, "input", blocks, DC_FORMAT_U8, JW, JH, 3, 0, 0), DC_OK);
    EXPECT(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_OK);
    char *plan = malloc(plan_size);
    EXPECT(dc_filter_get_plan(filter, plan, plan_size, &plan_size), DC_OK);
    CHECK(strstr(plan, "\"task\": \"sr\"") && strstr(plan, "box downsampling x3"), "plan %s", plan);
    free(plan);

    /* Kernels: copied, their values checked when set, sr_taps' count against the scale when used. */
    const float taps[7] = {1, 2, 3, 4, 3, 2, 1}, uneven[4] = {1, 2, 3, 4}, four[4] = {1, 1, 1, 1};
    const float not_finite[9] = {1, 1, 1, 1, __builtin_nanf(""), 1, 1, 1, 1};
    EXPECT_ERROR(dc_filter_set_kernel(filter, "sharpen", taps, 7), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(filter, NULL, taps, 7), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(NULL, "sr_taps", taps, 7), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(filter, "sr_taps", NULL, 7), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(filter, "sr_taps", taps, SIZE_MAX), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(filter, "sr_taps", uneven, 4), DC_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(dc_last_error_message(), "not symmetric"), "message %s", dc_last_error_message());
    EXPECT_ERROR(dc_filter_set_kernel(filter, "blur_kernel", four, 4), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_filter_set_kernel(filter, "blur_kernel", not_finite, 9), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_filter_set_kernel(filter, "sr_taps", taps, 7), DC_OK);
    EXPECT(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_OK);
    plan = malloc(plan_size);
    EXPECT(dc_filter_get_plan(filter, plan, plan_size, &plan_size), DC_OK);
    CHECK(strstr(plan, "7-tap downsampling x3"), "plan %s", plan);
    free(plan);
    EXPECT(dc_filter_set_int(filter, "scale", 2), DC_OK); /* 7 taps cannot be centred between two pixels */
    EXPECT_ERROR(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(dc_last_error_message(), "sr_taps"), "message %s", dc_last_error_message());
    EXPECT(dc_filter_set_kernel(filter, "sr_taps", NULL, 0), DC_OK); /* removed: sr_kernel again */
    EXPECT(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_OK);
    EXPECT(dc_filter_set_int(filter, "max_memory_mb", 16), DC_OK);
    EXPECT_ERROR(dc_filter_get_plan(filter, NULL, 0, &plan_size), DC_ERROR_OUT_OF_MEMORY);
    dc_filter_release(filter);

    /* The model, as its config.json states it: the fixture names no licence, and the library says so. */
    size_t info_size = 0;
    EXPECT(dc_context_get_model_info(context, NULL, 0, &info_size), DC_OK);
    char *model_info = malloc(info_size);
    EXPECT_ERROR(dc_context_get_model_info(context, model_info, info_size - 1, &info_size), DC_ERROR_INVALID_ARGUMENT);
    EXPECT(dc_context_get_model_info(context, model_info, info_size, &info_size), DC_OK);
    CHECK(strlen(model_info) + 1 == info_size && strstr(model_info, "\"license\": \"not stated in config.json\"") &&
              strstr(model_info, "\"name\": \"adm-tiny\"") && strstr(model_info, "\"source\": \"random weights (make_fixtures.py)\"") &&
              strstr(model_info, "\"training_steps\": null"),
          "model info %s", model_info);
    free(model_info);
    EXPECT_ERROR(dc_context_get_model_info(NULL, NULL, 0, &info_size), DC_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(dc_context_get_model_info(context, NULL, 0, NULL), DC_ERROR_INVALID_ARGUMENT);

    dc_context_release(context);
    EXPECT_ERROR(dc_filter_new(context, &filter), DC_ERROR_INVALID_ARGUMENT);
    dc_context_release(NULL);

    if (argc > 3) latent_model_checks(argv[3]);

    printf("capi: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
