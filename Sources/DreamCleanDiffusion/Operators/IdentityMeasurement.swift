// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Denoising with a known noise level: A = A⁺ = I, σ_y = the noise standard deviation in [-1, 1] units.
public struct IdentityMeasurement: MeasurementOperator {
    public let measurementNoise: Double

    public init(measurementNoise: Double) throws {
        guard measurementNoise >= 0, measurementNoise.isFinite else {
            throw DiffusionError.invalidOption("noise_sigma", "\(measurementNoise)", ">= 0")
        }
        self.measurementNoise = measurementNoise
    }

    public func forward(_ x: Tensor) throws -> Tensor { x }
    public func pseudoInverse(_ y: Tensor) throws -> Tensor { y }
}
