// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Failures of the kernel layer; each case names the values that were wrong.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    case invalidShape(String, reason: String)
    case shapeMismatch(op: String, expected: String, found: String)
    case outOfMemory(bytes: Int)
    case dnnl(call: String, status: Int)
    /// The compute threads asked for cannot be started.
    case threads(String)

    public var description: String {
        switch self {
        case let .invalidShape(shape, reason): "invalid tensor shape \(shape): \(reason)"
        case let .shapeMismatch(op, expected, found): "\(op): expected \(expected), found \(found)"
        case let .outOfMemory(bytes): "out of memory allocating \(bytes) bytes"
        case let .dnnl(call, status): "oneDNN \(call) failed with status \(status)"
        case let .threads(reason): reason
        }
    }
}
