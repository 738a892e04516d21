// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Super-resolution's degradation: the mean of each `scale x scale` block (DDNM's SR operator). A⁺ repeats each low-res
/// pixel over its block, so A A⁺ = I.
public struct BoxDownsampling: MeasurementOperator {
    public let scale: Int
    public let measurementNoise: Double

    public init(scale: Int, measurementNoise: Double = 0) throws {
        guard (1...64).contains(scale) else { throw DiffusionError.invalidOption("scale", "\(scale)", "1...64") }
        guard measurementNoise >= 0, measurementNoise.isFinite else {
            throw DiffusionError.invalidOption("noise_sigma", "\(measurementNoise)", ">= 0")
        }
        self.scale = scale
        self.measurementNoise = measurementNoise
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        guard s.height % scale == 0, s.width % scale == 0 else {
            throw DiffusionError.shapeMismatch(what: "box downsampling by \(scale)", expected: "height and width multiples of \(scale)", found: s.description)
        }
        let (h, w, c) = (s.height / scale, s.width / scale, s.channels)
        let out = try Tensor(zeros: TensorShape(batch: s.batch, height: h, width: w, channels: c))
        let inverseArea = 1 / Float(scale * scale)
        for n in 0..<s.batch {
            for y in 0..<s.height {
                for xx in 0..<s.width {
                    let source = x.data + ((n * s.height + y) * s.width + xx) * c
                    let target = out.data + ((n * h + y / scale) * w + xx / scale) * c
                    for i in 0..<c { target[i] += source[i] * inverseArea }
                }
            }
        }
        return out
    }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor {
        let s = y.shape
        let (h, w, c) = (s.height * scale, s.width * scale, s.channels)
        let out = try Tensor(uninitialized: TensorShape(batch: s.batch, height: h, width: w, channels: c))
        for n in 0..<s.batch {
            for yy in 0..<h {
                for xx in 0..<w {
                    (out.data + ((n * h + yy) * w + xx) * c).update(from: y.data + ((n * s.height + yy / scale) * s.width + xx / scale) * c, count: c)
                }
            }
        }
        return out
    }
}
