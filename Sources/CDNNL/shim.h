// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
// oneDNN's C API, and the two OpenMP calls that set how many threads its primitives use (Debian builds it on libgomp).
#include <oneapi/dnnl/dnnl.h>

int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);
