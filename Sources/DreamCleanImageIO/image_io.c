// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#include "dreamclean_image_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

static __thread char last_error[1024];

static int fail(const char *what) {
    const char *detail = vips_error_buffer();
    snprintf(last_error, sizeof last_error, "%s%s%s", what, detail && *detail ? ": " : "", detail ? detail : "");
    size_t n = strlen(last_error);
    while (n > 0 && last_error[n - 1] == '\n') last_error[--n] = '\0';
    vips_error_clear();
    return -1;
}

const char *dcio_last_error(void) { return last_error; }

int dcio_init(void) {
    if (VIPS_INIT("dreamclean")) return fail("cannot start libvips");
    return 0;
}

int dcio_load(const char *path, long long max_pixels, float **pixels, int *width, int *height, int *bands, int *bits) {
    *pixels = NULL;
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!image) return fail("cannot read the image");
    /* The header's size, checked before anything is decoded or allocated: a small file can declare a huge image. */
    if ((long long)image->Xsize * image->Ysize > max_pixels) {
        snprintf(last_error, sizeof last_error, "%s: %dx%d pixels, more than the %lld allowed", path, image->Xsize, image->Ysize,
                 max_pixels);
        g_object_unref(image);
        return -1;
    }
    VipsImage *t[4] = {NULL, NULL, NULL, NULL};
    VipsImage *in = image;
    int status = -1;
    // Anything that is not gray or colour (CMYK, Lab, ...) becomes sRGB first.
    VipsInterpretation interpretation = vips_image_guess_interpretation(in);
    if (interpretation != VIPS_INTERPRETATION_B_W && interpretation != VIPS_INTERPRETATION_sRGB &&
        interpretation != VIPS_INTERPRETATION_GREY16 && interpretation != VIPS_INTERPRETATION_RGB16) {
        if (vips_colourspace(in, &t[0], VIPS_INTERPRETATION_sRGB, NULL)) goto done;
        in = t[0];
    }
    if (in->Bands > 4) {
        if (vips_extract_band(in, &t[1], 0, "n", 4, NULL)) goto done;
        in = t[1];
    }
    double scale;
    switch (in->BandFmt) {
    case VIPS_FORMAT_UCHAR: case VIPS_FORMAT_CHAR: scale = 1.0 / 255; *bits = 8; break;
    case VIPS_FORMAT_USHORT: case VIPS_FORMAT_SHORT: scale = 1.0 / 65535; *bits = 16; break;
    default: scale = 1.0; *bits = 32; break;
    }
    if (vips_linear1(in, &t[2], scale, 0.0, NULL) || vips_cast_float(t[2], &t[3], NULL)) goto done;
    size_t size = 0;
    void *memory = vips_image_write_to_memory(t[3], &size);
    if (!memory) goto done;
    *pixels = memory;
    *width = t[3]->Xsize;
    *height = t[3]->Ysize;
    *bands = t[3]->Bands;
    status = 0;
done:
    for (int i = 0; i < 4; i++) if (t[i]) g_object_unref(t[i]);
    g_object_unref(image);
    return status == 0 ? 0 : fail("cannot decode the image");
}

int dcio_save(const char *path, const float *pixels, int width, int height, int bands, int bits) {
    if (width <= 0 || height <= 0 || bands < 1 || bands > 4) {
        snprintf(last_error, sizeof last_error, "bad image geometry %dx%d with %d bands", width, height, bands);
        return -1;
    }
    VipsImage *image = vips_image_new_from_memory_copy(pixels, (size_t)width * height * bands * sizeof(float), width, height,
                                                       bands, VIPS_FORMAT_FLOAT);
    if (!image) return fail("cannot wrap the pixels");
    VipsImage *scaled = NULL, *cast = NULL;
    int sixteen = bits == 16;
    image->Type = bands >= 3 ? (sixteen ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
                             : (sixteen ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W);
    int status = -1;
    // Temporary name in the same folder with the same suffix (libvips picks the format from it), then rename.
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    const char *suffix = dot && (!slash || dot > slash) ? dot : "";
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%.*s.partial-%d%s", (int)(strlen(path) - strlen(suffix)), path, (int)getpid(),
                 suffix) >= (int)sizeof temporary) {
        snprintf(last_error, sizeof last_error, "output path too long");
        g_object_unref(image);
        return -1;
    }
    if (vips_linear1(image, &scaled, sixteen ? 65535.0 : 255.0, 0.5, NULL) ||  // +0.5: the cast truncates
        vips_cast(scaled, &cast, sixteen ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR, "shift", FALSE, NULL)) goto done;
    cast->Type = image->Type;
    if (vips_image_write_to_file(cast, temporary, NULL)) {
        unlink(temporary);
        goto done;
    }
    if (rename(temporary, path) != 0) {
        snprintf(last_error, sizeof last_error, "cannot rename %s to %s: %s", temporary, path, strerror(errno));
        unlink(temporary);
        if (scaled) g_object_unref(scaled);
        if (cast) g_object_unref(cast);
        g_object_unref(image);
        return -1;
    }
    status = 0;
done:
    if (scaled) g_object_unref(scaled);
    if (cast) g_object_unref(cast);
    g_object_unref(image);
    return status == 0 ? 0 : fail("cannot write the image");
}
