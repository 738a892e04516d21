// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Inpainting's degradation: known pixels kept, missing ones zeroed. `mask` is [1, H, W, 1] with 1 where a pixel is
/// known; A = A⁺ = multiplication by the mask (a projection, so A A⁺ = A on the measurement space).
public struct PixelMask: MeasurementOperator {
    public let mask: Tensor
    public let measurementNoise: Double

    public init(mask: Tensor, measurementNoise: Double = 0) throws {
        guard mask.shape.channels == 1, mask.shape.batch == 1 else {
            throw DiffusionError.shapeMismatch(what: "mask", expected: "[1, H, W, 1]", found: mask.shape.description)
        }
        self.mask = mask
        self.measurementNoise = measurementNoise
    }

    public func forward(_ x: Tensor) throws -> Tensor { try masked(x) }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor { try masked(y) }

    private func masked(_ x: Tensor) throws -> Tensor {
        guard x.shape.batch == 1, x.shape.height == mask.shape.height, x.shape.width == mask.shape.width else {
            throw DiffusionError.shapeMismatch(what: "masked image", expected: "[1, \(mask.shape.height), \(mask.shape.width), C]", found: x.shape.description)
        }
        let out = try Tensor(uninitialized: x.shape)
        let c = x.shape.channels
        for p in 0..<mask.count {
            let keep = mask.data[p] >= 0.5 ? Float(1) : 0
            for i in 0..<c { out.data[p * c + i] = x.data[p * c + i] * keep }
        }
        return out
    }
}
