// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Colorization's degradation: the mean of the colour channels (DDNM's colorization operator), [1, H, W, C] ->
/// [1, H, W, 1]. A⁺ copies the gray value to every channel (A = 1ᵀ/C, so A⁺ = 1 and A A⁺ = I).
public struct Grayscale: MeasurementOperator {
    public let measurementNoise: Double
    public let channels: Int

    public init(channels: Int = 3, measurementNoise: Double = 0) {
        self.channels = channels
        self.measurementNoise = measurementNoise
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.shape.channels == channels else {
            throw DiffusionError.shapeMismatch(what: "grayscale input", expected: "\(channels) channels", found: x.shape.description)
        }
        var shape = x.shape
        shape.channels = 1
        let out = try Tensor(uninitialized: shape)
        for p in 0..<out.count {
            var sum: Float = 0
            for i in 0..<channels { sum += x.data[p * channels + i] }
            out.data[p] = sum / Float(channels)
        }
        return out
    }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor {
        guard y.shape.channels == 1 else {
            throw DiffusionError.shapeMismatch(what: "grayscale measurement", expected: "1 channel", found: y.shape.description)
        }
        var shape = y.shape
        shape.channels = channels
        let out = try Tensor(uninitialized: shape)
        for p in 0..<y.count {
            for i in 0..<channels { out.data[p * channels + i] = y.data[p] }
        }
        return out
    }
}
