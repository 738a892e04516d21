// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// The memory-bound loops of the oneDNN backend, in C because Swift builds for the x86-64 baseline (SSE2) and has no
// per-function target: each is compiled for AVX-512, AVX2+FMA and the baseline (target_clones). Every element (and
// every per-channel sum) is computed the same way wherever a row or block starts, so callers that split work by rows
// or fixed blocks get results independent of the split.
#ifndef DREAMCLEAN_KERNELS_H
#define DREAMCLEAN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// Group norm's first pass over one NHWC row of `pixels` pixels: sums[c] and squares[c] of each channel, accumulated
// in pixel order.
void dc_channel_sums_row(const float *row, size_t pixels, size_t channels, float *sums, float *squares);

// Group norm's second pass: dst[p][c] = a[c] * src[p][c] + b[c], then SiLU (x * sigmoid(x)) when silu is non-zero,
// over one NHWC row. src and dst may be the same buffer.
void dc_channel_affine_row(const float *src, float *dst, size_t pixels, size_t channels, const float *a, const float *b,
                           int silu);

// dst[i] = src[i] * sigmoid(src[i]) for `count` values (src and dst may be the same buffer).
void dc_silu(const float *src, float *dst, size_t count);

// softmax over one row of `count` values, in place (the largest value subtracted first).
void dc_softmax_row(float *row, size_t count);

// dst[i] = src[i] rounded to the nearest f16 (ties to even; beyond f16's range, infinity). Returns 1 when every value
// came back unchanged (so the f16 copy holds the values exactly), else 0; a NaN counts as changed.
int dc_f32_to_f16(const float *src, uint16_t *dst, size_t count);

// dst[i] = src[i], f16 widened to f32 (always exact); src may have any alignment (a file's bytes).
void dc_f16_to_f32(const void *src, float *dst, size_t count);

// The exp the kernels use (Cephes'), for tests.
float dc_expf(float x);

#endif
