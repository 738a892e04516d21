// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Hands out a file's tensors by key with their expected shapes, and at the end reports every key nobody asked for:
/// a model loads only when the config and the file agree exactly.
final class WeightStore {
    let file: SafeTensorsFile
    private var taken: Set<String> = []

    init(file: SafeTensorsFile) { self.file = file }

    /// The tensor `key` as Float; throws unless it exists with exactly `shape`.
    func take(_ key: String, shape: [Int]) throws -> [Float] {
        guard let entry = file.entries[key] else { throw ModelError.missingWeight(key: key, path: file.path) }
        guard entry.shape == shape else { throw ModelError.shapeMismatch(key: key, expected: shape, found: entry.shape, path: file.path) }
        taken.insert(key)
        defer { file.releasePages(of: key) }
        return try file.floats(key)
    }

    /// Throws when the file holds weights that the architecture did not use.
    func finish() throws {
        let unused = Set(file.entries.keys).subtracting(taken).sorted()
        guard unused.isEmpty else { throw ModelError.unexpectedWeights(keys: unused, path: file.path) }
    }
}
