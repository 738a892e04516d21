/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * restore_png: a pure-C host of libdreamclean. Reads a PNG with libpng, restores it with the default model (or
 * $DREAMCLEAN_MODEL), writes a PNG. The output is written to a temporary file and renamed, so OUT is either untouched
 * or complete.
 *
 *   cc restore_png.c $(pkg-config --cflags --libs dreamclean libpng) -o restore_png
 *   ./restore_png noisy.png restored.png task=denoise:preset=fast:seed=1
 *
 * 16-bit PNGs are read as 8-bit sRGB by libpng's simplified API; alpha and gray are kept as they are.
 */
#include <dreamclean.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool print_progress(void *user, double fraction) {
    (void)user;
    fprintf(stderr, "\r%3d%%", (int)(fraction * 100 + 0.5));
    return true;
}

/* Prints what failed with the library's own message and returns the exit code. */
static int fail(const char *what, dc_status status) {
    fprintf(stderr, "restore_png: %s: %s (%s)\n", what, dc_last_error_message(), dc_status_string(status));
    return status == DC_ERROR_CANCELLED ? 130 : 1;
}

/* Bytes per pixel of a simplified-API format (8-bit samples). */
static size_t channels_of(png_uint_32 format) { return PNG_IMAGE_SAMPLE_CHANNELS(format); }

/* Allocates count * size bytes, or NULL when the product overflows or memory runs out. */
static void *checked_alloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return malloc(count * size);
}

/* Writes the PNG to a temporary file beside `path`, then renames it over `path`. */
static int write_png_atomically(const char *path, png_image *image, const void *pixels, size_t row_stride) {
    size_t length = strlen(path) + 16;
    char *temporary = malloc(length);
    if (!temporary) return 0;
    snprintf(temporary, length, "%s.tmp%ld", path, (long)getpid());
    int ok = png_image_write_to_file(image, temporary, 0, pixels, (png_int_32)row_stride, NULL) &&
             rename(temporary, path) == 0;
    if (!ok) remove(temporary);
    free(temporary);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s IN.png OUT.png [name=value:name=value]\n", argv[0]);
        return 64;
    }
    png_image in;
    memset(&in, 0, sizeof in);
    in.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&in, argv[1])) {
        fprintf(stderr, "restore_png: %s: %s\n", argv[1], in.message);
        return 66;
    }
    in.format &= ~(png_uint_32)(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLORMAP); /* 8-bit samples */
    size_t channels = channels_of(in.format);
    size_t in_stride = (size_t)in.width * channels;
    unsigned char *pixels = checked_alloc(in_stride, in.height);
    if (!pixels || !png_image_finish_read(&in, NULL, pixels, (png_int_32)in_stride, NULL)) {
        fprintf(stderr, "restore_png: %s: %s\n", argv[1], pixels ? in.message : "out of memory");
        free(pixels);
        png_image_free(&in);
        return 65;
    }

    int code = 0;
    dc_context context = NULL;
    dc_filter filter = NULL;
    unsigned char *restored = NULL;
    dc_status status = dc_context_new(NULL, &context);
    if (status != DC_OK) { code = fail("loading the default model", status); goto done; }
    if ((status = dc_filter_new(context, &filter)) != DC_OK) { code = fail("creating a filter", status); goto done; }
    if (argc == 4 && (status = dc_filter_set_options(filter, argv[3])) != DC_OK) {
        code = fail(argv[3], status);
        goto done;
    }

    /* Super-resolution makes the output `scale` times larger in each direction. */
    char task[16];
    int64_t scale = 1;
    dc_filter_get_string(filter, "task", task, sizeof task, NULL);
    if (strcmp(task, "sr") == 0) dc_filter_get_int(filter, "scale", &scale);
    if (scale < 1 || in.width > 0x7fffffff / (png_uint_32)scale || in.height > 0x7fffffff / (png_uint_32)scale) {
        fprintf(stderr, "restore_png: %ux%u times %lld is too large for a PNG\n", in.width, in.height, (long long)scale);
        code = 65;
        goto done;
    }
    png_image out = in;
    out.opaque = NULL;
    out.width = (png_uint_32)(in.width * (png_uint_32)scale);
    out.height = (png_uint_32)(in.height * (png_uint_32)scale);
    size_t out_stride = (size_t)out.width * channels;
    restored = checked_alloc(out_stride, out.height);
    if (!restored) { fprintf(stderr, "restore_png: out of memory\n"); code = 1; goto done; }

    if ((status = dc_filter_set_image(filter, "input", pixels, DC_FORMAT_U8, in.width, in.height, channels, 0, 0)) != DC_OK ||
        (status = dc_filter_set_image(filter, "output", restored, DC_FORMAT_U8, out.width, out.height, channels, 0, 0)) != DC_OK) {
        code = fail("setting the images", status);
        goto done;
    }
    if (isatty(STDERR_FILENO)) dc_filter_set_progress(filter, print_progress, NULL);
    status = dc_filter_execute(filter);
    if (isatty(STDERR_FILENO)) fputc('\n', stderr);
    if (status != DC_OK) { code = fail("restoring", status); goto done; }

    if (!write_png_atomically(argv[2], &out, restored, out_stride)) {
        fprintf(stderr, "restore_png: %s: %s\n", argv[2], out.message[0] ? out.message : "cannot write");
        code = 73;
    }

done:
    dc_filter_release(filter);
    dc_context_release(context);
    free(restored);
    free(pixels);
    png_image_free(&in);
    return code;
}
