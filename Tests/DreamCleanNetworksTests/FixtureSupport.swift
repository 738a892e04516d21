// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation
import DreamCleanKernels
@testable import DreamCleanNetworks

enum Fixtures {
    /// Tests/Fixtures, found from this file's path so that no resource bundle is needed.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func folder(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
}

/// Writes safetensors files for the bad-input tests.
enum SafeTensorsWriter {
    struct Tensor {
        var dtype = "F32"
        var shape: [Int]
        var bytes: [UInt8]
    }

    static func float32(_ values: [Float], shape: [Int]) -> Tensor {
        Tensor(shape: shape, bytes: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
    }

    /// A file with `tensors` in name order; `header` replaces the generated JSON when given.
    static func data(_ tensors: [String: Tensor], header: String? = nil) -> Data {
        var json: [String] = []
        var body: [UInt8] = []
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            json.append("\"\(name)\":{\"dtype\":\"\(tensor.dtype)\",\"shape\":\(tensor.shape),\"data_offsets\":[\(body.count),\(body.count + tensor.bytes.count)]}")
            body += tensor.bytes
        }
        let text = Array((header ?? "{\(json.joined(separator: ","))}").utf8)
        var out = withUnsafeBytes(of: UInt64(text.count).littleEndian, Array.init)
        out += text
        out += body
        return Data(out)
    }
}
