// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Colorization's degradation: a weighted sum of the colour channels, [1, H, W, C] -> [1, H, W, 1]: A = wᵀ with the
/// weights summing to 1. Luma (BT.601 as JPEG, PIL and most editors make gray images, or BT.709) or the channel mean
/// (DDNM's operator). A⁺ = w / |w|² (the least-norm colour with that gray; A A⁺ = I); for the mean it copies the gray
/// value to every channel.
public struct Grayscale: MeasurementOperator {
    public enum Weights: String, CaseIterable, Sendable {
        case bt601, bt709, mean

        var values: [Float] {
            switch self {
            case .bt601: [0.299, 0.587, 0.114]
            case .bt709: [0.2126, 0.7152, 0.0722]
            case .mean: [1 / 3, 1 / 3, 1 / 3]
            }
        }
    }

    public let measurementNoise: Double
    public let weights: [Float]
    private let normSquared: Float

    public init(weights: Weights = .mean, measurementNoise: Double = 0) {
        self.weights = weights.values
        self.measurementNoise = measurementNoise
        normSquared = self.weights.reduce(0) { $0 + $1 * $1 }
    }

    public var channels: Int { weights.count }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.shape.channels == channels else {
            throw DiffusionError.shapeMismatch(what: "grayscale input", expected: "\(channels) channels", found: x.shape.description)
        }
        var shape = x.shape
        shape.channels = 1
        let out = try Tensor(uninitialized: shape)
        for p in 0..<out.count {
            var sum: Float = 0
            for i in 0..<channels { sum += weights[i] * x.data[p * channels + i] }
            out.data[p] = sum
        }
        return out
    }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor {
        try spread(y) { weight in weight / normSquared }
    }

    /// The gray value in every channel: a start that meets the measurement (the weights sum to 1) without colour.
    public func replicated(_ y: Tensor) throws -> Tensor {
        try spread(y) { _ in 1 }
    }

    private func spread(_ y: Tensor, factor: (Float) -> Float) throws -> Tensor {
        guard y.shape.channels == 1 else {
            throw DiffusionError.shapeMismatch(what: "grayscale measurement", expected: "1 channel", found: y.shape.description)
        }
        var shape = y.shape
        shape.channels = channels
        let out = try Tensor(uninitialized: shape)
        let factors = weights.map(factor)
        for p in 0..<y.count {
            for i in 0..<channels { out.data[p * channels + i] = factors[i] * y.data[p] }
        }
        return out
    }
}
