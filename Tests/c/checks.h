/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * The C tests' checks: each counts as passed or failed, and a failure prints where, what, and the library's last
 * error message. Include once per test program, after dreamclean.h. */
#ifndef DREAMCLEAN_TEST_CHECKS_H
#define DREAMCLEAN_TEST_CHECKS_H

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, " (last error: %s)\n", dc_last_error_message()); \
        }                                                                    \
    } while (0)

#define EXPECT(call, status) CHECK((call) == (status), "expected %s", #status)
/* A failing call must also explain itself. */
#define EXPECT_ERROR(call, status)                                                        \
    do {                                                                                  \
        EXPECT(call, status);                                                             \
        CHECK(strlen(dc_last_error_message()) > 0, "no message for %s", #call);        \
    } while (0)

#endif
