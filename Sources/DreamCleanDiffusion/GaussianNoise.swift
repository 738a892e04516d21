// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import Glibc

/// Standard normal samples from a seed: SplitMix64 uniforms through the Box-Muller transform, drawn in a fixed
/// sequential order so that the same seed gives the same noise whatever the thread count.
public struct GaussianNoise: Sendable {
    private var state: UInt64
    private var spare: Float?

    public init(seed: UInt64) { state = seed }

    /// A seed from the system's entropy (the `seed = -1` of the public API).
    public static func randomSeed() -> UInt64 { UInt64.random(in: 0...UInt64.max) }

    private mutating func nextUniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) / Double(1 << 53)  // in (0, 1)
    }

    public mutating func next() -> Float {
        if let spare {
            self.spare = nil
            return spare
        }
        let radius = (-2 * log(nextUniform())).squareRoot()
        let angle = 2 * Double.pi * nextUniform()
        spare = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// A tensor of `shape` filled with fresh samples.
    public mutating func tensor(_ shape: TensorShape) throws -> Tensor {
        let out = try Tensor(uninitialized: shape)
        for i in 0..<out.count { out.data[i] = next() }
        return out
    }
}
