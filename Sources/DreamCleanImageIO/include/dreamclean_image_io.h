// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// Image files through libvips for the dreamclean CLI: any format libvips reads in, PNG/JPEG/TIFF/WebP... out.
// Every function returns 0 on success and -1 on failure, with the reason in dcio_last_error().
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Starts libvips once per process (thread-safe, idempotent).
int dcio_init(void);

// Loads `path` as interleaved float samples in [0, 1] (8-bit scaled by 1/255, 16-bit by 1/65535, float kept), with
// 1 to 4 bands (more are dropped, a palette or CMYK is converted to sRGB). *pixels is malloc'ed; free() it.
// *bits is the sample depth of the file (8, 16 or 32) so that the result can be saved alike.
/* max_pixels: an image whose header declares more pixels is refused before it is decoded. */
int dcio_load(const char *path, long long max_pixels, float **pixels, int *width, int *height, int *bands, int *bits);

// Saves interleaved float samples in [0, 1] to `path` (format from its suffix) at 8 or 16 bits, atomically: the file
// is written under a temporary name in the same folder and renamed, so `path` is either untouched or complete.
int dcio_save(const char *path, const float *pixels, int width, int height, int bands, int bits);

// The reason for the last failure on this thread.
const char *dcio_last_error(void);

#ifdef __cplusplus
}
#endif
