// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
#ifndef DREAMCLEAN_VECTOR_CLONES_H
#define DREAMCLEAN_VECTOR_CLONES_H

// Every kernel is compiled for AVX-512, AVX2+FMA (with F16C) and the x86-64 baseline; the loader picks one for the CPU.
#define DC_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

#endif
