// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

internal import CDreamCleanHeader  // internal: the header's dc_* declarations stay out of this module's interface

/// The library version (semantic versioning), read from the C header's DC_VERSION_* macros, its one source.
public enum DreamCleanVersion {
    public static let major = Int(DC_VERSION_MAJOR)
    public static let minor = Int(DC_VERSION_MINOR)
    public static let patch = Int(DC_VERSION_PATCH)
    /// The ABI version a compiled host checks (`dc_abi_version`).
    public static let abi = Int(DC_ABI_VERSION)
    public static var string: String { "\(major).\(minor).\(patch)" }
}
