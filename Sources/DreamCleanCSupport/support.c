// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
// What Swift cannot reach on Linux: dladdr needs _GNU_SOURCE, which Swift's Glibc module does not define.
#define _GNU_SOURCE
#include "dreamclean_support.h"

#include <dlfcn.h>
#include <stddef.h>

const char *dcs_own_path(void) {
    Dl_info info;
    if (dladdr((const void *)&dcs_own_path, &info) == 0) return NULL;
    return info.dli_fname;
}
