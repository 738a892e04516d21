// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libdreamclean.so: the dc_* functions of DreamCleanCAPI, linked with the Swift runtime and exported through the
// version script. The functions live in their own target so that the fuzzers and tests can link them statically.
@_exported import DreamCleanCAPI
