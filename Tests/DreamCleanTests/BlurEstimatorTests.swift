// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
@testable import DreamClean

#if canImport(Glibc)
import Glibc
#endif

/// Blind restoration's blur reading, on images whose blur is known in closed form: step edges of random contrast and
/// position blurred by a Gaussian of σ, sampled at pixel centres (the step's blurred profile is the normal CDF).
final class BlurEstimatorTests: XCTestCase {
    /// A 96x96 gray float image of vertical edges (every 16 pixels, alternating up and down), blurred by `sigma` (0: a
    /// sharp step), transposed when `horizontal` so that the edges are rows.
    func edges(sigma: Double, horizontal: Bool = false, seed: UInt64 = 3) -> [Float] {
        let size = 96
        var noise = GaussianNoise(seed: seed)
        let steps = (0..<6).map { k in
            (position: 8 + 16 * Double(k) + 0.5 + 0.3 * Double(noise.next()),
             contrast: (0.3 + 0.1 * Double(noise.next())) * (k % 2 == 0 ? 1 : -1))
        }
        let profile = (0..<size).map { x -> Double in
            let centre = Double(x) + 0.5
            return 0.2 + steps.reduce(0) { sum, step in
                let d = centre - step.position
                return sum + step.contrast * (sigma > 0 ? 0.5 * (1 + erf(d / (sigma * 2.0.squareRoot()))) : (d > 0 ? 1 : 0))
            }
        }
        // A faint ramp across the edges, so that no two 8x8 blocks share a mean (rows of equal blocks could fit a JPEG
        // lattice by chance); its gradient, 0.0011 per pixel, is a fiftieth of the edges' or less.
        return (0..<size * size).map { i in
            let (along, across) = horizontal ? (i % size, i / size) : (i / size, i % size)
            return Float(profile[across] + 0.0007 * Double(along) * 1.618)
        }
    }

    /// `image` with white Gaussian noise of `sigma` (0-255 units) added, seeded.
    func withWhiteNoise(_ image: [Float], sigma: Float, seed: UInt64 = 9) -> [Float] {
        var noise = GaussianNoise(seed: seed)
        return image.map { $0 + sigma / 255 * noise.next() }
    }

    /// Noise of `sigma` spread over neighbouring pixels as demosaicing spreads a camera's: white noise averaged over
    /// 3x3 neighbourhoods, then tripled to keep its σ.
    func withCorrelatedNoise(_ image: [Float], sigma: Float, size: Int = 96) -> [Float] {
        var noise = GaussianNoise(seed: 11)
        let white = (0..<size * size).map { _ in noise.next() }
        return image.indices.map { i in
            let (y, x) = (i / size, i % size)
            var sum: Float = 0
            for dy in -1...1 { for dx in -1...1 { sum += white[min(max(y + dy, 0), size - 1) * size + min(max(x + dx, 0), size - 1)] } }
            return image[i] + sigma / 255 * 3 * sum / 9
        }
    }

    func blindReading(_ image: [Float], size: Int = 96) -> BlindReading {
        var pixels = image
        return pixels.withUnsafeMutableBytes { raw in
            BlindReading(of: try! ImageBuffer(base: raw.baseAddress!, width: size, height: size, channels: 1, format: .float32))
        }
    }

    func read(_ image: [Float], size: Int = 96) -> (edge: Double?, deblur: Double?) {
        var pixels = image
        return pixels.withUnsafeMutableBytes { raw in
            let buffer = try! ImageBuffer(base: raw.baseAddress!, width: size, height: size, channels: 1, format: .float32)
            return (BlurEstimator.edgeSigma(of: buffer), BlurEstimator.deblurSigma(of: buffer))
        }
    }

    func testAGaussianBlurReadsAsItsWidthPlusTheSamplingOfPixels() throws {
        // Central differences on a pixel grid add about 0.6 px in quadrature (0.62 fitted on sigma 1-3 in Python's copy,
        // which read 1.19 / 1.62 / 2.09 / 3.06 for sigma 1 / 1.5 / 2 / 3).
        for sigma in [0.8, 1.0, 1.5, 2.0, 3.0] {
            for horizontal in [false, true] {
                let edge = try XCTUnwrap(read(edges(sigma: sigma, horizontal: horizontal)).edge)
                XCTAssertEqual(edge, (sigma * sigma + 0.62 * 0.62).squareRoot(), accuracy: 0.08, "sigma \(sigma)")
            }
        }
    }

    func testDeblurringUndoesAShrunkEstimateAndLeavesSharpImagesAlone() throws {
        // sigma 2: 0.7 x sqrt(edge^2 - 0.7^2) with edge = sqrt(4 + 0.62^2), 1.38 px.
        XCTAssertEqual(try XCTUnwrap(read(edges(sigma: 2)).deblur), 0.7 * (4 + 0.62 * 0.62 - 0.49).squareRoot(), accuracy: 0.08)
        let sharp = read(edges(sigma: 0))
        XCTAssertLessThan(try XCTUnwrap(sharp.edge), 0.9)
        XCTAssertNil(sharp.deblur)
        // sigma 0.6 reads about 0.86: below the 0.45 px worth deblurring.
        XCTAssertNil(read(edges(sigma: 0.6)).deblur)
    }

    func testBlindReadingNamesThePathItTakes() throws {
        let blurred = withWhiteNoise(edges(sigma: 2), sigma: 2)
        let reading = blindReading(blurred)
        XCTAssertNil(reading.jpegStep)
        XCTAssertEqual(reading.blurSigma, read(blurred).deblur)  // the noise makes edges read sharper: 1.1, not 1.38
        XCTAssertTrue(reading.summary.hasPrefix("blurred, noise sigma 2.0/255: deblurred with a Gaussian of 1.1 px"), reading.summary)
        let sharpReading = blindReading(withWhiteNoise(edges(sigma: 0), sigma: 2))
        XCTAssertNil(sharpReading.blurSigma)
        XCTAssertTrue(sharpReading.summary.hasPrefix("no JPEG blocks or blur to undo, noise sigma 2.0/255"), sharpReading.summary)
    }

    /// White noise reads about the same one scale coarser; noise spread over 2x2 pixels reads about twice as high there
    /// (its finest-scale power is a quarter), the signature of a camera's demosaiced noise.
    func testTheCoarseNoiseReadingTellsWhiteFromCorrelatedNoise() {
        let flat = [Float](repeating: 0.5, count: 96 * 96)
        let white = blindReading(withWhiteNoise(flat, sigma: 6))
        XCTAssertEqual(white.noiseSigma, 6, accuracy: 0.6)
        XCTAssertEqual(white.coarseNoiseSigma, 6, accuracy: 0.9)
        let correlated = blindReading(withCorrelatedNoise(flat, sigma: 6))
        XCTAssertGreaterThan(correlated.coarseNoiseSigma, 2.5 * correlated.noiseSigma)
    }

    /// Blind mode deblurs only against noise it can trust: white noise above rounding. A noiseless blur (an upscale
    /// reads so) and a blur under camera-like noise go to the noise path, never sharpened (real photos read soft, and
    /// deblurring them amplified their noise).
    func testBlindDeblursOnlyUnderWhiteNoise() {
        XCTAssertNotNil(read(edges(sigma: 2)).deblur)  // the edges alone read blurred
        XCTAssertNil(blindReading(edges(sigma: 2)).blurSigma)
        XCTAssertNil(blindReading(withCorrelatedNoise(edges(sigma: 2), sigma: 4)).blurSigma)
        XCTAssertNotNil(blindReading(withWhiteNoise(edges(sigma: 2), sigma: 2)).blurSigma)
    }

    /// Blind restoration deblurs a blurred image and leaves a sharp one to the noise path: with ε̂ = 0 the prior adds
    /// nothing, so the blurred edges come out sharper only through the deblurring operator, and the sharp image comes
    /// back as it went in.
    func testBlindRestorationDeblursOnlyWhatReadsBlurred() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        var options = RestoreOptions(task: .blind)
        options.seed = 1
        for sigma in [0.0, 2.0] {
            // White noise of 2/255, under which blind mode deblurs; ε̂ = 0 leaves it in the result.
            var input = withWhiteNoise(edges(sigma: sigma), sigma: 2).flatMap { [$0, $0, $0] }
            var output = [Float](repeating: 0, count: input.count)
            let (before, after, deblurSigma) = try input.withUnsafeMutableBytes { inRaw in
                try output.withUnsafeMutableBytes { outRaw in
                    let source = try ImageBuffer(base: inRaw.baseAddress!, width: 96, height: 96, channels: 3, format: .float32)
                    let target = try ImageBuffer(base: outRaw.baseAddress!, width: 96, height: 96, channels: 3, format: .float32)
                    try restorer.restore(input: source, output: target, options: options)
                    return (BlurEstimator.edgeSigma(of: source), BlurEstimator.edgeSigma(of: target), BlurEstimator.deblurSigma(of: source))
                }
            }
            if sigma == 0 {
                XCTAssertEqual(zip(input, output).map { abs($0 - $1) }.max() ?? 1, 0, accuracy: 1e-4)
            } else {
                // Deblurred by the 1.1 px read: the edges come out sharper by at least that much in quadrature (the
                // noise the deconvolution amplifies makes the result read sharper still, so no closed form holds).
                let (blurred, deblurred) = (try XCTUnwrap(before), try XCTUnwrap(after))
                let removed = try XCTUnwrap(deblurSigma)
                XCTAssertLessThan(deblurred, (blurred * blurred - removed * removed).squareRoot())
            }
        }
    }

    func testNoiseReadsSharpAndFlatOrTinyImagesReadNothing() {
        var noise = GaussianNoise(seed: 5)
        let noisy = edges(sigma: 2).map { $0 + 0.1 * noise.next() }
        XCTAssertNil(read(noisy).deblur)  // noise steepens every gradient: never deblurred
        XCTAssertNil(read([Float](repeating: 0.4, count: 96 * 96)).edge)
        XCTAssertNil(read([Float](repeating: 0.4, count: 12 * 12), size: 12).edge)
    }
}
