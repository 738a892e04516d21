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
        var blurred = edges(sigma: 2)
        let reading = blurred.withUnsafeMutableBytes { raw in
            BlindReading(of: try! ImageBuffer(base: raw.baseAddress!, width: 96, height: 96, channels: 1, format: .float32))
        }
        XCTAssertNil(reading.jpegStep)
        XCTAssertEqual(try XCTUnwrap(reading.blurSigma), 1.38, accuracy: 0.08)
        XCTAssertTrue(reading.summary.hasPrefix("blurred or upscaled, noise sigma 0.0/255: deblurred with a Gaussian of 1.4 px"),
                      reading.summary)
        var sharp = edges(sigma: 0)
        let sharpReading = sharp.withUnsafeMutableBytes { raw in
            BlindReading(of: try! ImageBuffer(base: raw.baseAddress!, width: 96, height: 96, channels: 1, format: .float32))
        }
        XCTAssertNil(sharpReading.blurSigma)
        XCTAssertTrue(sharpReading.summary.hasPrefix("no JPEG blocks or blur, noise sigma 0.0/255"), sharpReading.summary)
    }

    /// Blind restoration deblurs a blurred image and leaves a sharp one to the noise path: with ε̂ = 0 the prior adds
    /// nothing, so the blurred edges come out sharper only through the deblurring operator, and the sharp image comes
    /// back as it went in.
    func testBlindRestorationDeblursOnlyWhatReadsBlurred() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        var options = RestoreOptions(task: .blind)
        options.seed = 1
        for sigma in [0.0, 2.0] {
            var input = edges(sigma: sigma).flatMap { [$0, $0, $0] }
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
                // Deblurred by 1.38 of the 2 px: an exact deconvolution leaves edges that read sqrt(2.09^2 - 1.38^2) =
                // 1.57 px (measured 1.61: the noise floor damps the finest frequencies).
                let (blurred, deblurred) = (try XCTUnwrap(before), try XCTUnwrap(after))
                let removed = try XCTUnwrap(deblurSigma)
                XCTAssertEqual(deblurred, (blurred * blurred - removed * removed).squareRoot(), accuracy: 0.1)
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
