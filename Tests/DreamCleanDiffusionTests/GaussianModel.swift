// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
@testable import DreamCleanDiffusion

/// Data x0 ~ N(μ, s² I), for which the optimal noise prediction has a closed form:
/// x_t ~ N(√ᾱ μ, ᾱ s² + 1 − ᾱ), so ε̂(x, t) = E[ε | x_t] = √(1−ᾱ) (x − √ᾱ μ) / (ᾱ s² + 1 − ᾱ).
struct GaussianModel {
    let mean: Double
    let std: Double
    let schedule: NoiseSchedule

    /// ε̂ = slope · (x − center) at timestep t.
    func coefficients(_ t: Int) -> (slope: Double, center: Double) {
        let a = schedule.alphaBar(t)
        return ((1 - a).squareRoot() / (a * std * std + 1 - a), a.squareRoot() * mean)
    }

    var eps: NoisePredictor {
        { x, t in
            let (slope, center) = coefficients(t)
            let out = try Tensor(uninitialized: x.shape)
            for i in 0..<x.count { out.data[i] = Float(slope * (Double(x.data[i]) - center)) }
            return out
        }
    }

    func sample(_ shape: TensorShape, seed: UInt64) throws -> Tensor {
        var noise = GaussianNoise(seed: seed)
        let x = try noise.tensor(shape)
        for i in 0..<x.count { x.data[i] = Float(mean + std * Double(x.data[i])) }
        return x
    }
}
