/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * The machine's fp32 FMA peak as `make bench` quotes it: every thread of an OpenMP team runs 12 independent AVX2
 * fused multiply-add chains (enough to cover the FMA units' latency), best of 5 runs. It is the AVX2 peak: where a
 * CPU has full-width AVX-512 units (not Zen 4, which splits 512-bit FMAs in two), the true peak is twice it. Prints
 * one JSON line:
 * {"threads": T, "gflops": G}. Usage: fma_peak [THREADS] (default: one per core). */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

enum { CHAINS = 12, ITERATIONS = 50 * 1000 * 1000 };

static float run(void) {
    __m256 acc[CHAINS];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_set1_ps((float)c);
    for (long i = 0; i < ITERATIONS; i++) {
        /* Unrolled, so that the chains live in registers: a loop over the array keeps them in memory at -O2 and
         * measures the store-to-load latency instead (a third of the peak). */
#pragma GCC unroll 12
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    }
    __m256 sum = acc[0];
    for (int c = 1; c < CHAINS; c++) sum = _mm256_add_ps(sum, acc[c]);
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    return lanes[0];  /* used, so the loop stays */
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : omp_get_num_procs();
    if (threads < 1) threads = 1;
    double best = 0;
    volatile float sink = 0;
    for (int round = 0; round < 5; round++) {
        double start = omp_get_wtime();
#pragma omp parallel num_threads(threads)
        {
            float r = run();
#pragma omp atomic
            sink += r;
        }
        double seconds = omp_get_wtime() - start;
        double gflops = (double)threads * ITERATIONS * CHAINS * 16 / seconds / 1e9;  /* 8 lanes x 2 flops */
        if (gflops > best) best = gflops;
    }
    printf("{\"threads\": %d, \"gflops\": %.1f}\n", threads, best);
    return sink == 12345.0f;  /* never: keeps sink alive */
}
