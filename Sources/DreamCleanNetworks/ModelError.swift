// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Why a model could not be loaded; every case names the file and, where there is one, the key.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(path: String, detail: String)
    case malformedHeader(path: String, reason: String)
    case badTensorEntry(key: String, path: String, reason: String)
    case unsupportedDType(key: String, dtype: String, path: String)
    case missingWeight(key: String, path: String)
    case unexpectedWeights(keys: [String], path: String)
    case shapeMismatch(key: String, expected: [Int], found: [Int], path: String)
    case invalidConfig(path: String, field: String, reason: String)
    case unknownArchitecture(name: String, path: String)
    case checksumMismatch(path: String, expected: String, found: String)
    case nonFiniteWeight(key: String, path: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
        case let .truncated(path, detail): "\(path): truncated: \(detail)"
        case let .malformedHeader(path, reason): "\(path): malformed safetensors header: \(reason)"
        case let .badTensorEntry(key, path, reason): "\(path): tensor '\(key)': \(reason)"
        case let .unsupportedDType(key, dtype, path): "\(path): tensor '\(key)' has unsupported dtype \(dtype) (F32, F16, BF16 are supported)"
        case let .missingWeight(key, path): "\(path): missing weight '\(key)'"
        case let .unexpectedWeights(keys, path):
            "\(path): \(keys.count) unused weight(s), e.g. '\(keys.prefix(3).joined(separator: "', '"))': the config does not match the file"
        case let .shapeMismatch(key, expected, found, path): "\(path): weight '\(key)' has shape \(found), expected \(expected)"
        case let .invalidConfig(path, field, reason): "\(path): config field '\(field)': \(reason)"
        case let .unknownArchitecture(name, path): "\(path): unknown architecture '\(name)' (known: \(ModelConfig.architectures.joined(separator: ", ")))"
        case let .checksumMismatch(path, expected, found): "\(path): SHA-256 is \(found), the config expects \(expected)"
        case let .nonFiniteWeight(key, path): "\(path): weight '\(key)' holds a NaN or infinite value (an overflowing conversion?)"
        }
    }
}
