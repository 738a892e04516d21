// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import DreamCleanNetworks

/// What the restorer needs of a network: ε̂ for an RGB image in [-1, 1] whose sides are multiples of `sizeMultiple`.
/// `UNet` is one; tests use small analytic ones.
public protocol NoiseNetwork: Sendable {
    var sizeMultiple: Int { get }
    /// x: [1, H, W, 3] -> ε̂: [1, H, W, 3].
    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor
}

extension UNet: NoiseNetwork {
    public var sizeMultiple: Int { config.sizeMultiple }

    /// The first three output channels (learn_sigma models put the variance after them).
    public func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        let out = try self(x, timesteps: [Float(timestep)])
        let c = out.shape.channels
        guard c > 3 else { return out }
        var shape = out.shape
        shape.channels = 3
        let eps = try Tensor(uninitialized: shape)
        for p in 0..<shape.height * shape.width { (eps.data + p * 3).update(from: out.data + p * c, count: 3) }
        return eps
    }
}
