// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// Group norm's second pass in C, because Swift builds for the x86-64 baseline (SSE2) and has no per-function target:
// here the compiler makes an AVX-512, an AVX2+FMA and a baseline copy of the loop and the loader picks one for the CPU
// (target_clones). The exp is Cephes' expf (as FastMath.swift's exp8): branch-free, so the loop vectorizes.
#include "channel_affine.h"

#include <stdint.h>
#include <string.h>

// exp(x), relative error below 3e-7 on [-87, 88]; inputs are clamped to that range.
static inline float exp_cephes(float x) {
    x = x < -87.3f ? -87.3f : x > 88.3f ? 88.3f : x;
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it leaves round(v) in the low mantissa bits
    float shifted = x * 1.44269504088896341f + magic;
    float n = shifted - magic;
    x -= n * 0.693359375f;
    x -= n * -2.12194440e-4f;
    float z = x * x;
    float y = 1.9875691500e-4f;
    y = y * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * z + x + 1.0f;
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void dc_channel_affine_row(const float *src, float *dst, size_t pixels, size_t channels, const float *a, const float *b,
                           int silu) {
    for (size_t p = 0; p < pixels; p++) {
        const float *in = src + p * channels;
        float *out = dst + p * channels;
        if (silu) {
            for (size_t c = 0; c < channels; c++) {
                float v = in[c] * a[c] + b[c];
                out[c] = v / (1.0f + exp_cephes(-v));
            }
        } else {
            for (size_t c = 0; c < channels; c++) out[c] = in[c] * a[c] + b[c];
        }
    }
}
