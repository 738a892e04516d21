// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Glibc

/// ᾱ_t = prod_{s<=t} (1 - β_s) for t in 0..<T, with the convention ᾱ_{-1} = 1 (the clean image), as DDRM and DDNM use.
///
/// This implementation matches: Ho et al. 2020 (linear), Nichol & Dhariwal 2021 eq. 17 (cosine, s = 0.008, β clipped at
/// 0.999), Rombach et al. 2022 / diffusers (scaled_linear: β = linspace(√β0, √β1)²). Computed in double precision.
public struct NoiseSchedule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case linear, cosine, scaledLinear = "scaled_linear"
    }

    public let kind: Kind
    public let timesteps: Int
    /// ᾱ_t for t = 0..<timesteps.
    public let alphaBars: [Double]
    /// The least ᾱ_t a schedule may reach: σ_t up to about 1e5, within single precision with room for the network.
    public static let smallestAlphaBar = 1e-10

    public init(kind: Kind, betaStart: Double = 1e-4, betaEnd: Double = 0.02, timesteps: Int = 1000) throws {
        guard timesteps >= 2, timesteps <= 100_000 else { throw DiffusionError.invalidOption("timesteps", "\(timesteps)", "2...100000") }
        let count = Double(timesteps - 1)
        var betas: [Double]
        switch kind {
        case .linear, .scaledLinear:
            guard betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
                throw DiffusionError.invalidOption("beta range", "\(betaStart)...\(betaEnd)", "0 < start <= end < 1")
            }
            if kind == .linear {
                betas = (0..<timesteps).map { betaStart + (betaEnd - betaStart) * Double($0) / count }
            } else {
                let (a, b) = (betaStart.squareRoot(), betaEnd.squareRoot())
                betas = (0..<timesteps).map { let r = a + (b - a) * Double($0) / count; return r * r }
            }
        case .cosine:
            let s = 0.008
            func f(_ t: Double) -> Double { let v = cos((t / Double(timesteps) + s) / (1 + s) * .pi / 2); return v * v }
            betas = (0..<timesteps).map { min(1 - f(Double($0 + 1)) / f(Double($0)), 0.999) }
        }
        var product = 1.0
        alphaBars = betas.map { product *= 1 - $0; return product }
        // The sampler divides by sqrt(ᾱ_t) and by sqrt(1 - ᾱ_t) in single precision: ᾱ must fall strictly from below 1
        // and stay above a floor where those stay finite (the shipped schedules end at 4e-5, cosine's at about 2e-9).
        var previous = 1.0
        for (t, alphaBar) in alphaBars.enumerated() {
            guard alphaBar < previous, alphaBar >= Self.smallestAlphaBar else {
                throw DiffusionError.invalidOption("schedule", "ᾱ_\(t) = \(alphaBar)",
                                                   "ᾱ must fall strictly from below 1 and stay at or above \(Self.smallestAlphaBar)")
            }
            previous = alphaBar
        }
        self.kind = kind
        self.timesteps = timesteps
    }

    /// ᾱ_t; t = -1 gives 1.
    public func alphaBar(_ t: Int) -> Double {
        t < 0 ? 1 : alphaBars[min(t, timesteps - 1)]
    }

    /// The noise level σ_t = sqrt((1 - ᾱ_t) / ᾱ_t) of x_t / sqrt(ᾱ_t) = x0 + σ_t ε, in [-1, 1] image units.
    public func noiseLevel(_ t: Int) -> Double {
        let a = alphaBar(t)
        return ((1 - a) / a).squareRoot()
    }

    /// The timestep whose noise level σ_t is closest to `sigma` (images in [-1, 1]); -1 for sigma <= 0.
    public func timestep(forNoiseLevel sigma: Double) -> Int {
        guard sigma > 0 else { return -1 }
        var best = 0
        for t in 0..<timesteps where abs(noiseLevel(t) - sigma) < abs(noiseLevel(best) - sigma) { best = t }
        return best
    }
}
