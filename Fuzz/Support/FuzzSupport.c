/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors */
#include "FuzzSupport.h"
#include <stdio.h>

/* libFuzzer's entry point for programs that keep their own main; weak, so that a plain build links too. */
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one)(const uint8_t *data, size_t size))
    __attribute__((weak));

int fuzz_run(int argc, char **argv, int (*test_one)(const uint8_t *data, size_t size)) {
    if (!LLVMFuzzerRunDriver) {
        fprintf(stderr, "%s: built without libFuzzer; build it with `make fuzz`\n", argc > 0 ? argv[0] : "fuzzer");
        return 2;
    }
    return LLVMFuzzerRunDriver(&argc, &argv, test_one);
}
