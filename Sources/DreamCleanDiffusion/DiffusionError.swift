// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Failures of the sampler layer; each names the value that was wrong.
public enum DiffusionError: Error, Equatable, CustomStringConvertible {
    /// option name, the value given, the range allowed
    case invalidOption(String, String, String)
    case shapeMismatch(what: String, expected: String, found: String)
    case cancelled
    case outOfMemory(bytes: Int)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, allowed): "\(name) = \(value) is out of range (\(allowed))"
        case let .shapeMismatch(what, expected, found): "\(what): expected \(expected), found \(found)"
        case .cancelled: "cancelled"
        case let .outOfMemory(bytes): "out of memory allocating \(bytes) bytes"
        }
    }
}
