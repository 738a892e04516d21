// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// A known linear degradation `y = A x + n`, n ~ N(0, σ_y² I), with a pseudo-inverse A⁺ (A A⁺ = I). Images are
/// [1, H, W, C] tensors in [-1, 1]; `measurementNoise` is σ_y in those units.
public protocol MeasurementOperator: Sendable {
    /// A: an image of the output size -> a measurement.
    func forward(_ x: Tensor) throws -> Tensor
    /// A⁺: a measurement -> an image of the output size.
    func pseudoInverse(_ y: Tensor) throws -> Tensor
    var measurementNoise: Double { get }
    /// DDNM+ (Wang et al. 2023, sec. 3.3): the projection of x0 damped wherever the measurement noise carried through
    /// A⁺ exceeds `noiseLevel` σ_t (x0 units), so that the step stays no noisier than x_t; returns the damped x0 and
    /// the largest noise variance (x0 units) the correction puts into any component.
    func noisyProjection(_ x0: Tensor, onto y: Tensor, noiseLevel: Double) throws -> (x0: Tensor, injectedVariance: Double)
}

extension MeasurementOperator {
    /// The DDNM range-null projection (Wang et al. 2023, eq. 13): `x0 - λ A⁺(A x0 - y)`. With λ = 1 the result satisfies
    /// A x = y exactly (its range-space part comes from y, its null-space part from x0).
    public func project(_ x0: Tensor, onto y: Tensor, weight lambda: Double = 1) throws -> Tensor {
        let residual = try TensorMath.combine(try forward(x0), 1, y, -1)
        return try TensorMath.combine(x0, 1, try pseudoInverse(residual), -lambda)
    }

    /// One weight λ = min(1, σ_t / σ_y) for the whole image: right for operators whose A⁺ carries the noise at its
    /// own level (masks, box averages, channel means, the identity).
    public func noisyProjection(_ x0: Tensor, onto y: Tensor, noiseLevel: Double) throws -> (x0: Tensor, injectedVariance: Double) {
        let sigmaY = measurementNoise
        let lambda = sigmaY > 0 ? min(1, noiseLevel / sigmaY) : 1
        return (try project(x0, onto: y, weight: lambda), lambda * lambda * sigmaY * sigmaY)
    }
}
