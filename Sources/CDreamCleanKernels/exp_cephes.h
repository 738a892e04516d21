// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
#ifndef DREAMCLEAN_EXP_CEPHES_H
#define DREAMCLEAN_EXP_CEPHES_H

#include <stdint.h>
#include <string.h>

#include "vector_clones.h"

// exp(x): Cephes' expf (range reduction by ln 2 in two parts, a degree-5 polynomial, 2^n from the exponent bits), with
// n rounded to nearest by the 1.5 * 2^23 trick. Branch-free, so the loops that call it vectorize. Relative error below
// 3e-7 on [-87, 88] (tested against libm); inputs are clamped to that range.
static inline float dc_exp_cephes(float x) {
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

#endif
