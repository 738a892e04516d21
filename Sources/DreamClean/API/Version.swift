// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// The library version (semantic versioning); the C header's DC_VERSION_* macros carry the same numbers.
public enum DreamCleanVersion {
    public static let major = 0
    public static let minor = 1
    public static let patch = 0
    public static var string: String { "\(major).\(minor).\(patch)" }
}
