// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
// oneDNN's C API, and the two OpenMP calls that set how many threads its primitives use (Debian builds it on libgomp).
#include <oneapi/dnnl/dnnl.h>

int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

// libgomp's entry point for a parallel region (what `#pragma omp parallel` compiles to). The Swift ops use it so that
// they run on the same thread team as oneDNN's primitives instead of a second pool that would fight it for the cores.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);
