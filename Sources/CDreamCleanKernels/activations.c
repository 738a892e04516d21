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

// The row's largest value and its sum run in 16 fixed lanes (lane j takes every value at j mod 16), combined in a
// fixed order at the end: each lane's chain is the same at any vector width, so the result does not depend on it, and
// the loops vectorize (one chain in index order was a serial dependency: most of a long attention's time).
enum { DC_LANES = 16 };

static inline float dc_lanes_total(const float lanes[DC_LANES]) {
    float pairs[DC_LANES / 2];
    for (int j = 0; j < DC_LANES / 2; j++) pairs[j] = lanes[j] + lanes[j + DC_LANES / 2];
    float total = 0;
    for (int j = 0; j < DC_LANES / 2; j++) total += pairs[j];
    return total;
}

DC_VECTOR_CLONES
void dc_softmax_row(float *row, size_t count) {
    float lanes[DC_LANES];
    for (int j = 0; j < DC_LANES; j++) lanes[j] = -__builtin_inff();
    size_t whole = count / DC_LANES * DC_LANES;
    for (size_t i = 0; i < whole; i += DC_LANES)
        for (int j = 0; j < DC_LANES; j++) lanes[j] = row[i + j] > lanes[j] ? row[i + j] : lanes[j];
    for (size_t i = whole; i < count; i++) lanes[i - whole] = row[i] > lanes[i - whole] ? row[i] : lanes[i - whole];
    float largest = lanes[0];
    for (int j = 1; j < DC_LANES; j++) largest = lanes[j] > largest ? lanes[j] : largest;
    for (size_t i = 0; i < count; i++) row[i] = dc_exp_cephes(row[i] - largest);
    for (int j = 0; j < DC_LANES; j++) lanes[j] = 0;
    for (size_t i = 0; i < whole; i += DC_LANES)
        for (int j = 0; j < DC_LANES; j++) lanes[j] += row[i + j];
    for (size_t i = whole; i < count; i++) lanes[i - whole] += row[i];
    float inverse = 1.0f / dc_lanes_total(lanes);
    for (size_t i = 0; i < count; i++) row[i] *= inverse;
}

float dc_expf(float x) { return dc_exp_cephes(x); }
