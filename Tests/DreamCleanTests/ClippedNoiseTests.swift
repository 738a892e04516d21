// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
@testable import DreamClean

/// `ClippedNoise` against the Gaussian it models: the clipped mean's closed form against numerical integration, its
/// inverse, and an image of clipped noise whose unclipped values have the truth's mean and the noise's spread again.
final class ClippedNoiseTests: XCTestCase {
    /// E[clip(μ + σZ, -1, 1)] by the trapezoid rule over ±8σ (1e-5 apart from the closed form at most).
    func testClippedMeanMatchesNumericalIntegration() {
        for (mean, sigma) in [(-0.9, 0.3), (0.0, 0.5), (0.95, 0.1), (-1.2, 0.4), (0.5, 0.02)] {
            let n = 20_000, low = mean - 8 * sigma, step = 16 * sigma / Double(n)
            var integral = 0.0
            for i in 0...n {
                let x = low + Double(i) * step
                let weight = (i == 0 || i == n ? 0.5 : 1) * exp(-(x - mean) * (x - mean) / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot())
                integral += weight * min(max(x, -1), 1) * step
            }
            XCTAssertEqual(ClippedNoise.clippedMeanOf(mean, sigma: sigma), integral, accuracy: 1e-5, "mean \(mean), sigma \(sigma)")
            XCTAssertEqual(ClippedNoise.trueMean(clippedMean: integral, sigma: sigma), mean, accuracy: 1e-3, "mean \(mean), sigma \(sigma)")
        }
    }

    /// The inverse is exact to 1e-9 over the range the unclipping meets (means from far below -1 to far above 1,
    /// noise from 0.01 to 1), where the clipped mean still moves with the truth.
    func testTrueMeanInvertsTheClippedMean() {
        for sigma in [0.01, 0.05, 0.2, 0.6, 1.0] {
            for step in 0...40 {
                let mean = -1 - 2 * sigma + Double(step) / 40 * (2 + 4 * sigma)
                let clipped = ClippedNoise.clippedMeanOf(mean, sigma: sigma)
                guard clipped > -1 + 1e-6, clipped < 1 - 1e-6 else { continue }
                XCTAssertEqual(ClippedNoise.trueMean(clippedMean: clipped, sigma: sigma), mean, accuracy: 1e-9, "mean \(mean), sigma \(sigma)")
            }
        }
    }

    /// A dark flat image (truth -0.9 on [-1, 1]) under noise of 0.3, clipped at -1 (a third of the values): clipped, its
    /// mean is lifted to -0.84; unclipped, the mean is the truth's and the spread the noise's again (within 0.01 over
    /// 64x64x3 values), and nothing is left at -1.
    func testUnclippedNoiseHasTheTruthsMeanAndTheNoisesSpread() throws {
        let size = 64, truth = -0.9, sigma = 0.3
        var noise = GaussianNoise(seed: 7)
        let image = try Tensor(shape: TensorShape(batch: 1, height: size, width: size, channels: 3),
                               nhwc: (0..<size * size * 3).map { _ in min(max(Float(truth) + Float(sigma) * noise.next(), -1), 1) })
        let clippedMean = image.values.reduce(0.0) { $0 + Double($1) } / Double(image.count)
        XCTAssertEqual(clippedMean, ClippedNoise.clippedMeanOf(truth, sigma: sigma), accuracy: 0.01)
        var draws = GaussianNoise(seed: 8)
        try ClippedNoise.unclip(image, sigma: sigma, noise: &draws)
        let values = image.values.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let spread = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, truth, accuracy: 0.01)
        XCTAssertEqual(spread, sigma, accuracy: 0.01)
        XCTAssertFalse(values.contains(-1))
    }

    /// An image with no value at either end is left exactly as it was.
    func testAnImageWithNothingClippedIsLeftAsItWas() throws {
        let image = try Tensor(shape: TensorShape(batch: 1, height: 4, width: 4, channels: 3), nhwc: (0..<48).map { Float($0) / 48 - 0.5 })
        let before = image.values
        var draws = GaussianNoise(seed: 1)
        try ClippedNoise.unclip(image, sigma: 0.2, noise: &draws)
        XCTAssertEqual(image.values, before)
    }
}
