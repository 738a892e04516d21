// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels
import Foundation

/// Noise in an 8-bit (or any stored) image is cut at black and white: a pixel at 0 holds x + n for some x + n ≤ 0, and
/// a dark region's mean is lifted (by about 0.4 σ where the truth is black). The diffusion model removes white Gaussian
/// noise around the truth, so the noise path's start gets back what the cut took: each value at an end of the range is
/// replaced by a draw from the Gaussian of the noise level about the value its neighbourhood says is true, restricted to
/// beyond that end. The true value is the μ whose clipped mean, E[clip(μ + σZ, -1, 1)], is the neighbourhood's mean.
enum ClippedNoise {
    /// The neighbourhood a clipped value's truth is read from: (2 · radius + 1)² pixels of its channel.
    static let radius = 3

    /// Bytes per pixel of three channels while unclipping: the copy, the draws (Float) and the local means and their
    /// summed-area table (Double).
    static let workingBytesPerPixel = 2 * 12 + 2 * 24

    /// Unclips `image` ([1, H, W, C] on [-1, 1]) in place for noise of `sigma` (model scale). `noise` gives the draws:
    /// counter-based by position, so a band sees what the whole image would.
    static func unclip(_ image: Tensor, sigma: Double, noise: inout GaussianNoise) throws {
        guard sigma > 0 else { return }
        let shape = image.shape
        let values = UnsafeBufferPointer(start: image.data, count: image.count)
        guard values.contains(where: { $0 <= -1 || $0 >= 1 }) else { return }
        let draws = try noise.tensor(shape)
        let means = localMeans(image)
        for index in 0..<image.count where image.data[index] <= -1 || image.data[index] >= 1 {
            let truth = trueMean(clippedMean: means[index], sigma: sigma)
            let z = Double(draws.data[index])
            // Beyond 1 is the low end's draw mirrored: -x ≤ -1 about -truth.
            image.data[index] = image.data[index] <= -1
                ? Float(beyondLowEnd(mean: truth, sigma: sigma, z: z))
                : Float(-beyondLowEnd(mean: -truth, sigma: sigma, z: z))
        }
    }

    /// The standard normal distribution function.
    private static func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The standard normal density.
    private static func density(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    /// A draw of μ + σZ given μ + σZ ≤ -1: Φ⁻¹ of the draw's own quantile Φ(z) taken within the mass below -1.
    private static func beyondLowEnd(mean: Double, sigma: Double, z: Double) -> Double {
        let end = (-1 - mean) / sigma
        let quantile = phi(z) * phi(end)
        // The root lies below `end` (Φ there is at least the quantile): Newton from it.
        let x = mean + sigma * solve(lower: -12, upper: min(max(end, -12), 12), start: min(max(end, -12), 12)) {
            (phi($0) - quantile, density($0))
        }
        return min(x, -1)
    }

    /// The μ whose clipped mean is `clippedMean` (held to the open range's inside; monotone in μ).
    static func trueMean(clippedMean: Double, sigma: Double) -> Double {
        let target = min(max(clippedMean, -1 + 1e-6), 1 - 1e-6)
        return solve(lower: -1 - 4 * sigma, upper: 1 + 4 * sigma, start: target) { mean in
            // d/dμ E[clip(μ + σZ)] = P(-1 < μ + σZ < 1).
            (clippedMeanOf(mean, sigma: sigma) - target, phi((1 - mean) / sigma) - phi((-1 - mean) / sigma))
        }
    }

    /// E[clip(μ + σZ, -1, 1)] in closed form.
    static func clippedMeanOf(_ mean: Double, sigma: Double) -> Double {
        let a = (-1 - mean) / sigma, b = (1 - mean) / sigma
        return -phi(a) + (1 - phi(b)) + mean * (phi(b) - phi(a)) + sigma * (density(a) - density(b))
    }

    /// The root of an increasing `f` in [lower, upper] (the ends when it lies beyond them) by Newton's method from
    /// `start`, kept inside a shrinking bracket: a step that leaves it, or a flat derivative, bisects instead.
    /// `f` returns its value and derivative. Converges in a few steps where bisection alone took 60 (the unclipping's
    /// cost on photos with many values at black or white).
    private static func solve(lower: Double, upper: Double, start: Double, _ f: (Double) -> (value: Double, slope: Double)) -> Double {
        var low = lower, high = upper
        var x = min(max(start, low), high)
        for _ in 0..<60 {
            let (value, slope) = f(x)
            if value < 0 { low = x } else { high = x }
            let newton = x - value / slope
            let next = slope > 0 && newton > low && newton < high ? newton : (low + high) / 2
            if abs(next - x) <= 1e-12 * max(1, abs(x)) || high - low <= 1e-12 { return next }
            x = next
        }
        return x
    }

    /// Each value's mean over its channel's (2 · radius + 1)² neighbourhood, cut at the image's edges.
    private static func localMeans(_ image: Tensor) -> [Double] {
        let (height, width, channels) = (image.shape.height, image.shape.width, image.shape.channels)
        var table = [Double](repeating: 0, count: (height + 1) * (width + 1) * channels)
        let at = { (y: Int, x: Int, c: Int) in (y * (width + 1) + x) * channels + c }
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    table[at(y + 1, x + 1, c)] = Double(image.data[(y * width + x) * channels + c])
                        + table[at(y, x + 1, c)] + table[at(y + 1, x, c)] - table[at(y, x, c)]
                }
            }
        }
        var means = [Double](repeating: 0, count: image.count)
        for y in 0..<height {
            let top = max(y - radius, 0), bottom = min(y + radius + 1, height)
            for x in 0..<width {
                let left = max(x - radius, 0), right = min(x + radius + 1, width)
                let area = Double((bottom - top) * (right - left))
                for c in 0..<channels {
                    let sum = table[at(bottom, right, c)] - table[at(top, right, c)] - table[at(bottom, left, c)] + table[at(top, left, c)]
                    means[(y * width + x) * channels + c] = sum / area
                }
            }
        }
        return means
    }
}
