// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
#ifndef DREAMCLEAN_CHANNEL_AFFINE_H
#define DREAMCLEAN_CHANNEL_AFFINE_H

#include <stddef.h>

// dst[p][c] = a[c] * src[p][c] + b[c], then SiLU (x * sigmoid(x)) when silu is non-zero, for `pixels` pixels of
// `channels` channels each (one NHWC row). src and dst may be the same buffer. Every element is computed the same way
// wherever the row starts, so callers that split an image by rows get results independent of the split.
void dc_channel_affine_row(const float *src, float *dst, size_t pixels, size_t channels, const float *a, const float *b,
                           int silu);

#endif
