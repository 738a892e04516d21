// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Why a restoration was refused or stopped; each case names the offending value. The output buffer is untouched
/// whenever one of these is thrown.
public enum RestoreError: Error, Equatable, CustomStringConvertible {
    case invalidImage(String)
    case invalidOption(name: String, value: String, allowed: String)
    /// A parameter name the schema (`RestoreParameter.all`) does not have.
    case unknownParameter(String, known: [String])
    /// An options-string item that is not name=value.
    case malformedOptions(String)
    case unsupported(String)
    case cancelled
    case outOfMemory(String)
    /// The restorer is in use by the calling thread (a progress callback calling back in).
    case busy(String)
    /// The model gave a result that is not a number.
    case brokenModel(String)

    public var description: String {
        switch self {
        case let .invalidImage(reason): "invalid image: \(reason)"
        case let .invalidOption(name, value, allowed): "option \(Self.quoted(name)) = \(Self.quoted(value)) is invalid (\(allowed))"
        case let .unknownParameter(name, known): "unknown parameter '\(Self.quoted(name))' (known: \(known.joined(separator: ", ")))"
        case let .malformedOptions(item): "malformed option '\(Self.quoted(item))' (expected name=value)"
        case let .unsupported(what): "unsupported: \(what)"
        case .cancelled: "cancelled"
        case let .outOfMemory(what): "out of memory: \(what)"
        case let .busy(what): "busy: \(what)"
        case let .brokenModel(what): "broken model: \(what)"
        }
    }

    /// What a caller wrote, shortened to its start when long: a message names the value, it does not copy 50 MB of it.
    public static func quoted(_ text: String, limit: Int = 80) -> String {
        guard text.count > limit else { return text }
        return "\(text.prefix(limit))... (\(text.count) characters)"
    }
}
