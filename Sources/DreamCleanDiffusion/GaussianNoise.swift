// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import Glibc

/// Standard normal samples from a seed, counter-based: every sample is a hash (SplitMix64's mixer) of the seed, the
/// stream, the draw and the sample's position, through the Box-Muller transform. So a draw's value at an image position
/// does not depend on which part of the image a tensor covers: an image restored in bands (`rowOffset`) sees exactly
/// the noise the whole image would, and no band boundary shows in it. Results are independent of thread counts too.
public struct GaussianNoise: Sendable {
    public let seed: UInt64
    /// Separates independent uses of one seed (the colour and the alpha restoration).
    public var stream: UInt64 = 0
    /// The image row of a tensor's first row: draws index samples by (rowOffset + row, column, channel).
    public var rowOffset = 0
    private var draws: UInt64 = 0
    private var scalars: UInt64 = 0

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// A seed from the system's entropy (the `seed = -1` of the public API).
    public static func randomSeed() -> UInt64 { UInt64.random(in: 0...UInt64.max) }

    /// One sample from a sequence of its own (not shared with the tensors).
    public mutating func next() -> Float {
        scalars &+= 1
        return Self.normal(Self.mix(Self.mix(seed ^ 0x5CA1_AB1E) &+ scalars &* 0x9E37_79B9_7F4A_7C15))
    }

    /// A tensor of `shape` filled with the next draw's samples at rows `rowOffset...`.
    public mutating func tensor(_ shape: TensorShape) throws -> Tensor {
        draws &+= 1
        let out = try Tensor(uninitialized: shape)
        // Summed, not xor-ed: mix(seed) ^ mix(draws) would be 0, and mix(0) = 0, whenever seed == draws.
        let key = Self.mix(Self.mix(seed ^ 0x243F_6A88_85A3_08D3) &+ Self.mix(stream &* 0xD6E8_FEB8_6659_FD93 &+ draws))
        let first = UInt64(max(rowOffset, 0)) &* UInt64(shape.width * shape.channels)
        for i in 0..<out.count {
            out.data[i] = Self.normal(Self.mix(key &+ (first &+ UInt64(i)) &* 0x9E37_79B9_7F4A_7C15))
        }
        return out
    }

    /// SplitMix64's output function: a bijective 64-bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Box-Muller on the two 32-bit halves of `bits` (uniforms in (0, 1); tails cut at 6.7 sigma).
    @inline(__always)
    static func normal(_ bits: UInt64) -> Float {
        let u1 = (Double(bits >> 32) + 0.5) / 4_294_967_296
        let u2 = (Double(bits & 0xFFFF_FFFF) + 0.5) / 4_294_967_296
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
