/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors */
#ifndef DREAMCLEAN_FUZZ_SUPPORT_H
#define DREAMCLEAN_FUZZ_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/* Runs libFuzzer's driver on `test_one` (argv takes libFuzzer's flags and corpus folders). Without libFuzzer linked in
 * (a build without -sanitize=fuzzer) it says so and returns 2. */
int fuzz_run(int argc, char **argv, int (*test_one)(const uint8_t *data, size_t size));

#endif
