/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * Peak memory of one large restoration (make bench-memory): an RGB 8-bit image of SIZE x SIZE (a real photo given
 * as IN.ppm, or a synthetic one), restored through dc_restore under a max_memory_mb limit. Prints the process's peak
 * resident memory (VmHWM), the image buffers' share and what is left for the library against the limit, and seam
 * scores: for every row (column) boundary, the mean absolute step between neighbouring rows divided by the median step
 * over the 16 boundaries around it, the largest. On the output a photo's own edges score too; on the correction (output
 * minus input, mostly the noise removed) they hardly do, and a seam between tiles or bands still would. Banding is
 * horizontal, so a seam would stand out in the row score; the column score is the control.
 *
 *     bench_memory MODEL SIZE MAX_MEMORY_MB "OPTIONS" [OUT.ppm|-] [IN.ppm]
 */
#include <dreamclean.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long peak_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    }
    if (f) fclose(f);
    return kib;
}

/* A test image without edges of its own (smooth shading, a fine ripple in one channel) plus Gaussian noise of sigma
 * 12 (0-255): a seam in the restored image would be the largest step between neighbouring rows. */
static void make_image(uint8_t *p, size_t n) {
    uint64_t state = 12345;
    for (size_t y = 0; y < n; y++) {
        for (size_t x = 0; x < n; x++) {
            double u = (double)x / n, v = (double)y / n;
            double base = 0.5 + 0.25 * sin(6.3 * u + 2 * v) * cos(4.1 * v);
            for (int c = 0; c < 3; c++) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                double u1 = ((state >> 11) + 0.5) / 9007199254740992.0;
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                double u2 = ((state >> 11) + 0.5) / 9007199254740992.0;
                double noise = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2) * 12;
                double value = 255 * (base + 0.05 * c * sin(40 * u)) + noise;
                p[(y * n + x) * 3 + c] = (uint8_t)(value < 0 ? 0 : value > 255 ? 255 : value + 0.5);
            }
        }
    }
}

/* The next number of a PPM header, past white space and # comments (libvips writes one); 0 when there is none. */
static size_t ppm_number(FILE *f) {
    int c = fgetc(f);
    while (c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (c == '#') while (c != '\n' && c != EOF) c = fgetc(f);
        c = fgetc(f);
    }
    size_t value = 0;
    for (; c >= '0' && c <= '9'; c = fgetc(f)) value = value * 10 + (size_t)(c - '0');
    return value; /* the one white space character after the number is consumed */
}

/* A binary PPM of exactly n x n, 8-bit (what `vips embed ... --extend mirror` writes); 0 on success. */
static int read_ppm(const char *path, uint8_t *p, size_t n) {
    FILE *f = fopen(path, "rb");
    int ok = f && fgetc(f) == 'P' && fgetc(f) == '6';
    size_t w = ok ? ppm_number(f) : 0, h = ok ? ppm_number(f) : 0, max = ok ? ppm_number(f) : 0;
    ok = ok && w == n && h == n && max == 255 && fread(p, 1, n * n * 3, f) == n * n * 3;
    if (f) fclose(f);
    if (!ok) fprintf(stderr, "%s: not a %zux%zu 8-bit binary PPM\n", path, n, n);
    return ok ? 0 : 1;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The largest step / local median over boundaries along one axis (rows: steps between rows). */
static double seam_score(const uint8_t *p, size_t n, int rows, size_t *where) {
    double *step = calloc(n, sizeof *step);
    for (size_t i = 0; i + 1 < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < n; j++) {
            for (int c = 0; c < 3; c++) {
                size_t a = rows ? (i * n + j) * 3 + c : (j * n + i) * 3 + c;
                size_t b = rows ? ((i + 1) * n + j) * 3 + c : (j * n + i + 1) * 3 + c;
                sum += abs((int)p[a] - (int)p[b]);
            }
        }
        step[i] = sum / (3.0 * n);
    }
    double worst = 0;
    for (size_t i = 8; i + 9 < n; i++) {
        double window[17];
        for (int k = 0; k < 17; k++) window[k] = step[i - 8 + k];
        qsort(window, 17, sizeof *window, compare);
        double ratio = step[i] / (window[8] > 1e-9 ? window[8] : 1e-9);
        if (ratio > worst) { worst = ratio; *where = i; }
    }
    free(step);
    return worst;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL SIZE MAX_MEMORY_MB OPTIONS [OUT.ppm]\n", argv[0]);
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10);
    long limit = strtol(argv[3], NULL, 10);
    size_t bytes = n * n * 3;
    uint8_t *in = malloc(bytes), *out = malloc(bytes);
    if (!in || !out) { fprintf(stderr, "no memory for the images\n"); return 1; }
    if (argc > 6) {
        if (read_ppm(argv[6], in, n) != 0) return 1;
    } else {
        make_image(in, n);
    }
    memset(out, 0, bytes);  /* touched, so that both buffers count in the peak */
    long before = peak_kib();
    dc_context context = NULL;
    if (dc_context_new(argv[1], &context) != DC_OK || dc_context_set_int(context, "max_memory_mb", limit) != DC_OK) {
        fprintf(stderr, "context: %s\n", dc_last_error_message());
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dc_status status = dc_restore(context, in, out, DC_FORMAT_U8, n, n, 3, 0, argv[4], NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long peak = peak_kib();
    if (status != DC_OK) {
        printf("{\"status\": \"%s\", \"message\": \"%s\", \"peak_mib\": %.1f}\n", dc_status_string(status), dc_last_error_message(), peak / 1024.0);
        return status == DC_ERROR_OUT_OF_MEMORY ? 3 : 1;
    }
    size_t row_at = 0, column_at = 0, correction_row_at = 0, correction_column_at = 0;
    double rows = seam_score(out, n, 1, &row_at), columns = seam_score(out, n, 0, &column_at);
    for (size_t i = 0; i < bytes; i++) in[i] = (uint8_t)(128 + ((int)out[i] - (int)in[i]) / 2); /* the correction */
    double correction_rows = seam_score(in, n, 1, &correction_row_at), correction_columns = seam_score(in, n, 0, &correction_column_at);
    double images = 2.0 * bytes / 1048576;
    printf("{\"size\": %zu, \"max_memory_mb\": %ld, \"seconds\": %.1f, \"peak_mib\": %.1f, \"before_context_mib\": %.1f, "
           "\"image_buffers_mib\": %.1f, \"peak_minus_images_mib\": %.1f, \"within_limit\": %s, "
           "\"image\": \"%s\", \"seam_rows\": %.2f, \"seam_rows_at\": %zu, \"seam_columns\": %.2f, \"seam_columns_at\": %zu, "
           "\"correction_seam_rows\": %.2f, \"correction_seam_rows_at\": %zu, \"correction_seam_columns\": %.2f, "
           "\"correction_seam_columns_at\": %zu}\n",
           n, limit, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, peak / 1024.0, before / 1024.0, images,
           peak / 1024.0 - images, peak / 1024.0 - images <= limit ? "true" : "false", argc > 6 ? argv[6] : "synthetic",
           rows, row_at, columns, column_at, correction_rows, correction_row_at, correction_columns, correction_column_at);
    if (argc > 5 && strcmp(argv[5], "-") != 0) {
        FILE *f = fopen(argv[5], "wb");
        if (f) { fprintf(f, "P6\n%zu %zu\n255\n", n, n); fwrite(out, 1, bytes, f); fclose(f); }
    }
    dc_context_release(context);
    free(in);
    free(out);
    return peak / 1024.0 - images <= limit ? 0 : 4;
}
