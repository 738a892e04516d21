// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
#pragma once

// The path of the shared object (or executable) this code was linked into, from dladdr; NULL if unknown.
// The string is owned by the dynamic loader and stays valid while the object is loaded.
const char *dcs_own_path(void);
