// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// Group norm's two passes over an NHWC row (the per-group statistics and the affine with the scale-shift folded in are
// computed in Swift, `DNNLBackend.groupNorm`).
#include "dreamclean_kernels.h"

#include "exp_cephes.h"

DC_VECTOR_CLONES
void dc_channel_sums_row(const float *row, size_t pixels, size_t channels, float *sums, float *squares) {
    for (size_t c = 0; c < channels; c++) {
        sums[c] = 0;
        squares[c] = 0;
    }
    for (size_t p = 0; p < pixels; p++) {
        const float *pixel = row + p * channels;
        for (size_t c = 0; c < channels; c++) {
            sums[c] += pixel[c];
            squares[c] += pixel[c] * pixel[c];
        }
    }
}

DC_VECTOR_CLONES
void dc_channel_affine_row(const float *src, float *dst, size_t pixels, size_t channels, const float *a, const float *b,
                           int silu) {
    for (size_t p = 0; p < pixels; p++) {
        const float *in = src + p * channels;
        float *out = dst + p * channels;
        if (silu) {
            for (size_t c = 0; c < channels; c++) {
                float v = in[c] * a[c] + b[c];
                out[c] = v / (1.0f + dc_exp_cephes(-v));
            }
        } else {
            for (size_t c = 0; c < channels; c++) out[c] = in[c] * a[c] + b[c];
        }
    }
}
