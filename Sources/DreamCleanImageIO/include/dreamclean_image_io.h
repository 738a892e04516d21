// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// Image files through libvips for the dreamclean CLI: any format libvips reads in, PNG/JPEG/TIFF/WebP... out.
// Every function returns 0 on success and -1 on failure, with the reason in dcio_last_error().
//
// Sample formats (the CLI's policy, stated in the README):
//   8-bit, 16-bit and 32-bit unsigned: scaled by their range to [0, 1], saved back at their depth (32-bit where the
//     output format has it: TIFF, .v; 16-bit otherwise);
//   float and double: taken as stored, 0 black and 1 white, no transfer function applied (libvips tags every float
//     RGB file scRGB; image editors write both encodings), saved as float where the output format has it (TIFF, .v,
//     PFM), 16-bit otherwise;
//   signed integers and complex samples: refused, with a message (they have no agreed black and white).
// Metadata: the EXIF orientation is applied on load (the pixels are turned upright, and the output carries no
// orientation tag: it says 1); the ICC profile, EXIF, XMP and IPTC blocks and the resolution (scaled with the image) are
// carried to the output. A file that decodes with errors or warnings (a truncated PNG or JPEG) is refused.
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// What a loaded file's output must keep: its sample format and metadata. Opaque; dcio_release frees it.
typedef struct dcio_source dcio_source;

// Starts libvips once per process (thread-safe, idempotent).
int dcio_init(void);

// Loads `path` as interleaved float samples in [0, 1] with 1 to 4 bands (a palette, CMYK or Lab become sRGB first;
// more than 4 bands are refused). *pixels is malloc'ed; free() it. *source describes the file for dcio_save.
// max_pixels: an image whose header declares more pixels is refused before it is decoded.
int dcio_load(const char *path, long long max_pixels, float **pixels, int *width, int *height, int *bands,
              dcio_source **source);

// Saves interleaved float samples in [0, 1] to `path` (format from its suffix; libvips save options in brackets,
// "out.png[compression=9]", are passed on) in the sample format and with the metadata of `source` (NULL: 8-bit, no
// metadata), atomically: the file is written under a temporary name in the same folder and renamed, so `path` is
// either untouched or complete. An existing `path` keeps its permissions; a symbolic link keeps pointing where it
// did (its target is replaced).
int dcio_save(const char *path, const float *pixels, int width, int height, int bands, const dcio_source *source);

// Frees a source (NULL is allowed).
void dcio_release(dcio_source *source);

// The reason for the last failure on this thread.
const char *dcio_last_error(void);

#ifdef __cplusplus
}
#endif
