// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation
import DreamCleanKernels
@testable import DreamClean

/// ε̂ = 0: DDIM inversion and reversal are then exact inverses, so with γ = 0 a restoration returns its input (a probe
/// for pixel conversion, strides and alpha handling).
struct ZeroNetwork: NoiseNetwork {
    var sizeMultiple = 8
    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor { try Tensor(zeros: x.shape) }
}

/// ε̂ = a constant everywhere (a NaN or infinity stands for a broken model).
struct ConstantNetwork: NoiseNetwork {
    var sizeMultiple = 4
    let value: Float
    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        let out = try Tensor(uninitialized: x.shape)
        for i in 0..<out.count { out.data[i] = value }
        return out
    }
}

/// A translation-equivariant toy with a receptive radius of 1 pixel: ε̂ = k_t · (x − mean of its 3x3 neighbourhood),
/// with zero padding; used to check that tiling reproduces the untiled result.
struct LocalContrastNetwork: NoiseNetwork {
    var sizeMultiple = 4
    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        let (h, w) = (x.shape.height, x.shape.width)
        let out = try Tensor(uninitialized: x.shape)
        let k = Float(0.2 + 0.001 * Double(timestep))
        for y in 0..<h {
            for xx in 0..<w {
                for c in 0..<3 {
                    var sum: Float = 0
                    for dy in -1...1 {
                        for dx in -1...1 where (0..<h).contains(y + dy) && (0..<w).contains(xx + dx) {
                            sum += x.data[((y + dy) * w + xx + dx) * 3 + c]
                        }
                    }
                    out.data[(y * w + xx) * 3 + c] = k * (x.data[(y * w + xx) * 3 + c] - sum / 9)
                }
            }
        }
        return out
    }
}

/// Sleeps on every evaluation and counts them (for cancellation timing).
final class SlowNetwork: NoiseNetwork, @unchecked Sendable {
    let sizeMultiple = 8
    private let lock = NSLock()
    private var count = 0
    var evaluations: Int { lock.withLock { count } }

    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        lock.withLock { count += 1 }
        Thread.sleep(forTimeInterval: 0.02)
        return try Tensor(zeros: x.shape)
    }
}
