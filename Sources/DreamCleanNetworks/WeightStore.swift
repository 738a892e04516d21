// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Hands out a file's tensors by key with their expected shapes, and at the end reports every key nobody asked for:
/// a model loads only when the config and the file agree exactly. It hands out the int8 calibration of each
/// convolution the same way, and reports calibration that names no convolution.
final class WeightStore {
    let file: SafeTensorsFile
    private var taken: Set<String> = []
    private let int8: Int8Calibration?
    private let configPath: String
    private var calibrated: Set<String> = []

    /// `int8` is the model's calibration (config.json at `configPath`), if it ships one.
    init(file: SafeTensorsFile, int8: Int8Calibration? = nil, configPath: String = "") {
        self.file = file
        self.int8 = int8
        self.configPath = configPath
    }

    /// The int8 quantization of the convolution whose weights are under `prefix`; nil when the calibration leaves it
    /// out (it then computes as without int8) or the model ships none.
    func quantization(_ prefix: String) -> Int8Quantization? {
        guard let range = int8?.inputRanges[prefix] else { return nil }
        calibrated.insert(prefix)
        return Int8Quantization(inputRange: range)
    }

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
        if let stray = int8.map({ Set($0.inputRanges.keys).subtracting(calibrated).sorted() })?.first {
            throw ModelError.invalidConfig(path: configPath, field: "int8.input_ranges.\(stray)", reason: "names no convolution of the UNet")
        }
    }
}
