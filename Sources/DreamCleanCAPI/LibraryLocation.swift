// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanCSupport

/// The path of the loaded libdreamclean.so, to find the default model installed beside it
/// (PREFIX/lib/libdreamclean.so.0 -> PREFIX/share/dreamclean/models/default).
enum LibraryLocation {
    static var path: String? { dcs_own_path().map { String(cString: $0) } }
}
