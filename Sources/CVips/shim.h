// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
// libvips (Debian's libvips-dev), for the image file I/O of the CLI. Swift cannot call its variadic functions, so
// DreamCleanImageIO wraps the few it needs.
#include <vips/vips.h>
