// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// f32 <-> f16 conversions for the convolutions' exact weight copy. oneDNN 2.6 converts f16 only in its generic
// reorder, about 40 ns a value (35 s for Stable Diffusion's UNet); these loops vectorize to F16C's conversions.
#include "dreamclean_kernels.h"

#include <string.h>

#include "vector_clones.h"

DC_VECTOR_CLONES
int dc_f32_to_f16(const float *src, uint16_t *dst, size_t count) {
    int exact = 1;
    for (size_t i = 0; i < count; i++) {
        _Float16 half = (_Float16)src[i];
        exact &= (float)half == src[i];
        memcpy(dst + i, &half, sizeof half);
    }
    return exact;
}

DC_VECTOR_CLONES
void dc_f16_to_f32(const void *src, float *dst, size_t count) {
    const unsigned char *bytes = src;
    for (size_t i = 0; i < count; i++) {
        _Float16 half;
        memcpy(&half, bytes + 2 * i, sizeof half);
        dst[i] = (float)half;
    }
}
