// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#include "dreamclean_image_io.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

struct dcio_source {
    VipsBandFormat format; /* the file's samples: UCHAR, USHORT, UINT or FLOAT (double is read as float) */
    int width;             /* to scale the resolution with the output */
    double xres, yres;     /* pixels per millimetre */
    VipsImage *metadata;   /* holds only the fields carried to the output */
};

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

/* ---- Loading ------------------------------------------------------------------------------------------------- */

/* Colour models the network does not take: converted to sRGB on load (their profile is then dropped). libvips calls
 * every float RGB file scRGB; its samples are taken as stored (see the header), not converted. */
static int needs_srgb(VipsImage *image) {
    if (image->Coding != VIPS_CODING_NONE) return 1;
    switch (vips_image_guess_interpretation(image)) {
    case VIPS_INTERPRETATION_CMYK: case VIPS_INTERPRETATION_LAB: case VIPS_INTERPRETATION_LABQ:
    case VIPS_INTERPRETATION_LABS: case VIPS_INTERPRETATION_LCH: case VIPS_INTERPRETATION_CMC:
    case VIPS_INTERPRETATION_XYZ: case VIPS_INTERPRETATION_YXY: case VIPS_INTERPRETATION_HSV:
        return 1;
    default:
        return 0;
    }
}

/* Metadata blocks carried to the output. */
static int carried(const char *name) {
    static const char *prefixes[] = {"exif-", "icc-profile-data", "xmp-data", "iptc-data", "png-comment-",
                                     "resolution-unit"};
    /* Nor are the EXIF entries libvips writes from the image itself: the orientation, and the resolution (scaled). */
    if (strstr(name, "Orientation") || strcmp(name, VIPS_META_ORIENTATION) == 0 ||
        (strncmp(name, "exif-", 5) == 0 && strstr(name, "Resolution")))
        return 0;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return 0;
}

static dcio_source *source_of(VipsImage *image, VipsBandFormat format, int converted) {
    dcio_source *source = calloc(1, sizeof *source);
    if (!source) return NULL;
    source->format = format;
    source->width = image->Xsize;
    source->xres = image->Xres;
    source->yres = image->Yres;
    source->metadata = vips_image_new();
    gchar **fields = vips_image_get_fields(image);
    for (int i = 0; fields[i]; i++) {
        if (!carried(fields[i]) || (converted && strcmp(fields[i], VIPS_META_ICC_NAME) == 0)) continue;
        GValue value = G_VALUE_INIT;
        if (vips_image_get(image, fields[i], &value) == 0) {
            vips_image_set(source->metadata, fields[i], &value);
            g_value_unset(&value);
        }
    }
    g_strfreev(fields);
    return source;
}

int dcio_load(const char *path, long long max_pixels, float **pixels, int *width, int *height, int *bands,
              dcio_source **source) {
    *pixels = NULL;
    *source = NULL;
    /* Decoding errors and warnings (a truncated PNG or JPEG, whose missing rows libvips would fill) fail the load. */
    VipsImage *image = vips_image_new_from_file(path, "fail_on", VIPS_FAIL_ON_WARNING, NULL);
    if (!image) return fail("cannot read the image");
    /* The header's size, checked before anything is decoded or allocated: a small file can declare a huge image. */
    if ((long long)image->Xsize * image->Ysize > max_pixels) {
        snprintf(last_error, sizeof last_error, "%dx%d pixels, more than the %lld allowed", image->Xsize, image->Ysize,
                 max_pixels);
        g_object_unref(image);
        return -1;
    }
    VipsImage *t[5] = {NULL, NULL, NULL, NULL, NULL};
    VipsImage *in = image;
    int status = -1, converted = 0;
    if (vips_autorot(in, &t[0], NULL)) goto done; /* upright, as viewers show it */
    in = t[0];
    if (needs_srgb(in)) {
        if (vips_colourspace(in, &t[1], VIPS_INTERPRETATION_sRGB, NULL)) goto done;
        in = t[1];
        converted = 1;
    }
    if (in->Bands > 4) {
        snprintf(last_error, sizeof last_error, "%d bands: expected 1 to 4 (gray, gray and alpha, RGB, RGBA)", in->Bands);
        goto refused;
    }
    double scale;
    VipsBandFormat format = in->BandFmt;
    switch (in->BandFmt) {
    case VIPS_FORMAT_UCHAR: scale = 1.0 / UCHAR_MAX; break;
    case VIPS_FORMAT_USHORT: scale = 1.0 / USHRT_MAX; break;
    case VIPS_FORMAT_UINT: scale = 1.0 / UINT_MAX; break;
    case VIPS_FORMAT_FLOAT: case VIPS_FORMAT_DOUBLE: scale = 1.0; format = VIPS_FORMAT_FLOAT; break;
    default:
        snprintf(last_error, sizeof last_error, "%s samples are not taken: signed and complex samples have no agreed "
                 "black and white (convert to 8-, 16- or 32-bit unsigned, or float in 0-1)",
                 vips_enum_nick(VIPS_TYPE_BAND_FORMAT, in->BandFmt));
        goto refused;
    }
    if (vips_linear1(in, &t[2], scale, 0.0, NULL) || vips_cast_float(t[2], &t[3], NULL)) goto done;
    size_t size = 0;
    void *memory = vips_image_write_to_memory(t[3], &size);
    if (!memory) goto done;
    if (!(*source = source_of(in, format, converted))) {
        g_free(memory);
        snprintf(last_error, sizeof last_error, "out of memory");
        goto refused;
    }
    *pixels = memory;
    *width = t[3]->Xsize;
    *height = t[3]->Ysize;
    *bands = t[3]->Bands;
    status = 0;
done:
    for (int i = 0; i < 5; i++) if (t[i]) g_object_unref(t[i]);
    g_object_unref(image);
    return status == 0 ? 0 : fail("cannot decode the image");
refused: /* last_error says why */
    for (int i = 0; i < 5; i++) if (t[i]) g_object_unref(t[i]);
    g_object_unref(image);
    return -1;
}

void dcio_release(dcio_source *source) {
    if (!source) return;
    if (source->metadata) g_object_unref(source->metadata);
    free(source);
}

/* ---- Saving -------------------------------------------------------------------------------------------------- */

/* Whether the output format (from the file's suffix) keeps `format` samples. */
static int keeps(const char *suffix, VipsBandFormat format) {
    static const char *floats[] = {".tif", ".tiff", ".v", ".pfm"};
    static const char *uints[] = {".tif", ".tiff", ".v"};
    const char **list = format == VIPS_FORMAT_FLOAT ? floats : uints;
    size_t count = format == VIPS_FORMAT_FLOAT ? 4 : 3;
    for (size_t i = 0; i < count; i++)
        if (strcasecmp(suffix, list[i]) == 0) return 1;
    return 0;
}

/* The samples as `source` had them (or as close as the output format allows). */
static VipsImage *encoded(VipsImage *image, const dcio_source *source, const char *suffix) {
    VipsBandFormat format = source ? source->format : VIPS_FORMAT_UCHAR;
    if ((format == VIPS_FORMAT_FLOAT || format == VIPS_FORMAT_UINT) && !keeps(suffix, format)) format = VIPS_FORMAT_USHORT;
    int gray = image->Bands < 3;
    VipsImage *scaled = NULL, *cast = NULL;
    if (format == VIPS_FORMAT_FLOAT) {
        g_object_ref(image);
        cast = image;
    } else {
        double range = format == VIPS_FORMAT_UCHAR ? UCHAR_MAX : format == VIPS_FORMAT_USHORT ? USHRT_MAX : UINT_MAX;
        /* +0.5: the cast truncates, and clips to the format's range */
        if (vips_linear1(image, &scaled, range, 0.5, NULL) || vips_cast(scaled, &cast, format, "shift", FALSE, NULL)) {
            if (scaled) g_object_unref(scaled);
            return NULL;
        }
        g_object_unref(scaled);
    }
    cast->Type = format == VIPS_FORMAT_USHORT ? (gray ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16)
                                              : (gray ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB);
    if (!source) return cast;
    /* The input's metadata, then its resolution scaled with the image (in that order: setting the EXIF block sets the
     * resolution it holds). */
    VipsImage *tagged = NULL, *out = NULL;
    if (vips_copy(cast, &tagged, NULL)) {
        g_object_unref(cast);
        return NULL;
    }
    g_object_unref(cast);
    gchar **fields = vips_image_get_fields(source->metadata);
    for (int i = 0; fields[i]; i++) {
        GValue value = G_VALUE_INIT;
        if (carried(fields[i]) && vips_image_get(source->metadata, fields[i], &value) == 0) {
            vips_image_set(tagged, fields[i], &value);
            g_value_unset(&value);
        }
    }
    g_strfreev(fields);
    double scale = (double)image->Xsize / source->width;
    int copied = vips_copy(tagged, &out, "xres", source->xres * scale, "yres", source->yres * scale, NULL);
    g_object_unref(tagged);
    if (copied) return NULL;
    vips_image_set_int(out, VIPS_META_ORIENTATION, 1); /* the EXIF block kept says upright, as the pixels are */
    return out;
}

int dcio_save(const char *path, const float *pixels, int width, int height, int bands, const dcio_source *source) {
    if (width <= 0 || height <= 0 || bands < 1 || bands > 4) {
        snprintf(last_error, sizeof last_error, "bad image geometry %dx%d with %d bands", width, height, bands);
        return -1;
    }
    /* OUT[options]: the options go to the saver, the rename works on the file name. */
    size_t length = strlen(path);
    const char *bracket = length > 0 && path[length - 1] == ']' ? strrchr(path, '[') : NULL;
    size_t file_length = bracket ? (size_t)(bracket - path) : length;
    const char *options = bracket ? bracket : "";
    char file[PATH_MAX], resolved[PATH_MAX], temporary[PATH_MAX + 64];
    if (file_length == 0 || file_length >= sizeof file) {
        snprintf(last_error, sizeof last_error, "output path empty or too long");
        return -1;
    }
    memcpy(file, path, file_length);
    file[file_length] = '\0';
    /* A symbolic link keeps pointing where it did: its target is what gets replaced. */
    struct stat link_status;
    if (lstat(file, &link_status) == 0 && S_ISLNK(link_status.st_mode) && realpath(file, resolved)) {
        snprintf(file, sizeof file, "%s", resolved);
    }
    // Temporary name in the same folder with the same suffix (libvips picks the format from it), then rename.
    const char *dot = strrchr(file, '.');
    const char *slash = strrchr(file, '/');
    const char *suffix = dot && (!slash || dot > slash) ? dot : "";
    if (snprintf(temporary, sizeof temporary, "%.*s.partial-%d%s", (int)(strlen(file) - strlen(suffix)), file,
                 (int)getpid(), suffix) >= (int)sizeof temporary) {
        snprintf(last_error, sizeof last_error, "output path too long");
        return -1;
    }
    VipsImage *image = vips_image_new_from_memory_copy(pixels, (size_t)width * height * bands * sizeof(float), width, height,
                                                       bands, VIPS_FORMAT_FLOAT);
    if (!image) return fail("cannot wrap the pixels");
    VipsImage *out = encoded(image, source, suffix);
    g_object_unref(image);
    if (!out) return fail("cannot convert the image");
    char *target = g_strconcat(temporary, options, NULL);
    int written = vips_image_write_to_file(out, target, NULL);
    g_free(target);
    g_object_unref(out);
    if (written) {
        unlink(temporary);
        return fail("cannot write the image");
    }
    struct stat existing; /* an existing OUT keeps its permissions */
    if (stat(file, &existing) == 0) chmod(temporary, existing.st_mode & 07777);
    if (rename(temporary, file) != 0) {
        snprintf(last_error, sizeof last_error, "cannot rename %s to %s: %s", temporary, file, strerror(errno));
        unlink(temporary);
        return -1;
    }
    return 0;
}
