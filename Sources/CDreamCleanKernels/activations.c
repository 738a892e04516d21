// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// SiLU and the attention's softmax rows.
#include "dreamclean_kernels.h"

#include "exp_cephes.h"

DC_VECTOR_CLONES
void dc_silu(const float *src, float *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = src[i] / (1.0f + dc_exp_cephes(-src[i]));
}

DC_VECTOR_CLONES
void dc_softmax_row(float *row, size_t count) {
    float largest = -__builtin_inff();
    for (size_t i = 0; i < count; i++) largest = row[i] > largest ? row[i] : largest;
    for (size_t i = 0; i < count; i++) row[i] = dc_exp_cephes(row[i] - largest);
    float total = 0;  // in index order (not reassociated), so the sum does not depend on the vector width
    for (size_t i = 0; i < count; i++) total += row[i];
    float inverse = 1.0f / total;
    for (size_t i = 0; i < count; i++) row[i] *= inverse;
}

float dc_expf(float x) { return dc_exp_cephes(x); }
