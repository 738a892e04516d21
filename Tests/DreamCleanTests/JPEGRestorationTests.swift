// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
import DreamCleanDiffusion
@testable import DreamClean

/// The JPEG task's two classical parts: the compression read from block means, on images built with the lattice JPEG
/// puts them on, and the chroma guided filter against a direct evaluation of its definition.
final class JPEGRestorationTests: XCTestCase {
    /// An 8-bit RGB image of textured 8x8 blocks whose luma means sit on JPEG's DC lattice of `step` (8 x (mean - 128)
    /// a multiple of `step`), as a decoder writes them, or off it when `step` is nil.
    static func blockImage(width: Int, height: Int, step: Int?, seed: UInt64 = 1) -> [UInt8] {
        var noise = GaussianNoise(seed: seed)
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for blockY in stride(from: 0, to: height, by: 8) {
            for blockX in stride(from: 0, to: width, by: 8) {
                let random = 128 + 40 * Double(noise.next())
                let mean = step.map { 128 + Double($0) / 8 * ((random - 128) * 8 / Double($0)).rounded() } ?? random
                let tint = 20 * Double(noise.next())
                for y in blockY..<min(blockY + 8, height) {
                    for x in blockX..<min(blockX + 8, width) {
                        // Zero-mean texture across the block, and chroma that leaves the luma alone.
                        let texture = 6 * Double((x - blockX) - (y - blockY)) / 7
                        let luma = mean + texture
                        let red = luma + tint, blue = luma - tint * 0.299 / 0.114
                        let green = (luma - 0.299 * red - 0.114 * blue) / 0.587
                        for (c, v) in [red, green, blue].enumerated() {
                            bytes[(y * width + x) * 3 + c] = UInt8(max(0, min(255, v.rounded())))
                        }
                    }
                }
            }
        }
        return bytes
    }

    func dcStep(width: Int, height: Int, step: Int?, cropX: Int = 0, cropY: Int = 0) -> Int? {
        var bytes = Self.blockImage(width: width, height: height, step: step)
        return bytes.withUnsafeMutableBytes { raw in
            let croppedWidth = width - cropX
            let image = try! ImageBuffer(base: raw.baseAddress! + (cropY * width + cropX) * 3, width: croppedWidth,
                                         height: height - cropY, channels: 3, format: .uint8, pixelStride: 3, rowStride: width * 3)
            return JPEGQualityEstimator.dcStep(of: image)
        }
    }

    func testTheDCStepOfQualities10To75IsRead() {
        for step in [8, 16, 27, 40, 80] {
            XCTAssertEqual(dcStep(width: 96, height: 80, step: step), step, "step \(step)")
        }
    }

    func testBlindReadingGivesTheStandardTablesQuality() {
        // libjpeg's DC step: 800 / quality below 50 (80 at 10, 27 at 30), 16 x (2 - quality / 50) above (8 at 75).
        for (step, quality) in [(80, 10), (27, 30), (16, 50), (8, 75)] {
            var bytes = Self.blockImage(width: 96, height: 96, step: step)
            let reading = bytes.withUnsafeMutableBytes { raw in
                BlindReading(of: try! ImageBuffer(base: raw.baseAddress!, width: 96, height: 96, channels: 3, format: .uint8))
            }
            XCTAssertEqual(reading.jpegStep, step)
            XCTAssertEqual(reading.jpegQuality, quality)
            XCTAssertNil(reading.blurSigma, "a JPEG is not also deblurred")
            XCTAssertTrue(reading.summary.hasPrefix("JPEG blocks (DC step \(step), about quality \(quality))"), reading.summary)
        }
    }

    func testACroppedJPEGIsFoundOnItsShiftedGrid() {
        XCTAssertEqual(dcStep(width: 99, height: 85, step: 27, cropX: 3, cropY: 5), 27)
    }

    func testNoStepInAnImageThatIsNotAJPEG() {
        XCTAssertNil(dcStep(width: 96, height: 80, step: nil))
        XCTAssertNil(dcStep(width: 12, height: 80, step: 27))  // too small to tell
        var flat = [UInt8](repeating: 77, count: 64 * 64 * 3)
        let step = flat.withUnsafeMutableBytes { raw in
            JPEGQualityEstimator.dcStep(of: try! ImageBuffer(base: raw.baseAddress!, width: 64, height: 64, channels: 3, format: .uint8))
        }
        XCTAssertNil(step)  // every step fits a flat image: none is claimed
    }

    func testSmallImagesNeedCloserAgreement() {
        // 16 blocks off any lattice: over 252 steps and 64 grids some step agreed above 0.7 by chance in most of these
        // (the x2 upscales of the quality smoke test's 32x32 crops were read as JPEGs of quality 38-44).
        for seed in UInt64(1)...20 {
            var bytes = Self.blockImage(width: 32, height: 32, step: nil, seed: seed)
            let step = bytes.withUnsafeMutableBytes { raw in
                JPEGQualityEstimator.dcStep(of: try! ImageBuffer(base: raw.baseAddress!, width: 32, height: 32, channels: 3, format: .uint8))
            }
            XCTAssertNil(step, "seed \(seed)")
        }
        // 36 blocks of a JPEG still agree closely enough (16 did not before either).
        XCTAssertEqual(dcStep(width: 48, height: 48, step: 27), 27)
    }

    func testAFlatBackgroundDoesNotMakeUpALattice() {
        // Most blocks one clipped white (a PNG with an overexposed sky), the rest off any lattice: counted per block,
        // white's share alone would pass the agreement test for every step.
        var bytes = Self.blockImage(width: 128, height: 128, step: nil)
        for y in 0..<128 { for x in 0..<128 where y < 112 { for c in 0..<3 { bytes[(y * 128 + x) * 3 + c] = 255 } } }
        let step = bytes.withUnsafeMutableBytes { raw in
            JPEGQualityEstimator.dcStep(of: try! ImageBuffer(base: raw.baseAddress!, width: 128, height: 128, channels: 3, format: .uint8))
        }
        XCTAssertNil(step)
        // The same sky over a JPEG's blocks keeps the JPEG's step.
        var jpeg = Self.blockImage(width: 128, height: 128, step: 27)
        for y in 0..<64 { for x in 0..<128 { for c in 0..<3 { jpeg[(y * 128 + x) * 3 + c] = 255 } } }
        let jpegStep = jpeg.withUnsafeMutableBytes { raw in
            JPEGQualityEstimator.dcStep(of: try! ImageBuffer(base: raw.baseAddress!, width: 128, height: 128, channels: 3, format: .uint8))
        }
        XCTAssertEqual(jpegStep, 27)
    }

    /// The guided filter's definition evaluated directly: window means over mirrored indices, per pixel, in Double.
    func referenceFilter(_ image: [Float], height: Int, width: Int, radius: Int, epsilon: Double) -> [Float] {
        let count = height * width
        func mirror(_ i: Int, _ n: Int) -> Int { i < 0 ? -i - 1 : (i >= n ? 2 * n - i - 1 : i) }
        func windowMean(_ values: [Double], _ y: Int, _ x: Int) -> Double {
            var sum = 0.0
            for dy in -radius...radius {
                for dx in -radius...radius { sum += values[mirror(y + dy, height) * width + mirror(x + dx, width)] }
            }
            let side = Double(2 * radius + 1)
            return sum / (side * side)
        }
        let samples: [Double] = image.map { Double($0) }
        var luma = [Double](repeating: 0, count: count)
        for p in 0..<count { luma[p] = 0.299 * samples[3 * p] + 0.587 * samples[3 * p + 1] + 0.114 * samples[3 * p + 2] }
        let lumaSquared: [Double] = luma.map { $0 * $0 }
        var out = samples
        for channel in [0, 2] {
            var difference = [Double](repeating: 0, count: count)
            for p in 0..<count { difference[p] = samples[3 * p + channel] - luma[p] }
            var product = [Double](repeating: 0, count: count)
            for p in 0..<count { product[p] = luma[p] * difference[p] }
            var slope = [Double](repeating: 0, count: count)
            var offset = [Double](repeating: 0, count: count)
            for y in 0..<height {
                for x in 0..<width {
                    let lumaMean = windowMean(luma, y, x)
                    let differenceMean = windowMean(difference, y, x)
                    let covariance = windowMean(product, y, x) - lumaMean * differenceMean
                    let variance = windowMean(lumaSquared, y, x) - lumaMean * lumaMean
                    slope[y * width + x] = covariance / (variance + epsilon)
                    offset[y * width + x] = differenceMean - slope[y * width + x] * lumaMean
                }
            }
            for y in 0..<height {
                for x in 0..<width {
                    let p = y * width + x
                    out[3 * p + channel] = luma[p] + windowMean(slope, y, x) * luma[p] + windowMean(offset, y, x)
                }
            }
        }
        for p in 0..<count { out[3 * p + 1] = (luma[p] - 0.299 * out[3 * p] - 0.114 * out[3 * p + 2]) / 0.587 }
        return out.map { Float($0) }
    }

    func testChromaFilterMatchesItsDefinitionAndKeepsTheLuma() throws {
        let (height, width) = (13, 17)
        var noise = GaussianNoise(seed: 5)
        let values = (0..<height * width * 3).map { _ in max(-1, min(1, 0.5 * noise.next())) }
        let image = try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 3), nhwc: values)
        for radius in [1, 4] {
            let filtered = try image.copy()
            try ChromaGuidedFilter.apply(to: filtered, radius: radius, epsilon: 4e-4)
            let expected = referenceFilter(values, height: height, width: width, radius: radius, epsilon: 4e-4)
            // Tolerance 2e-4: Float sums against Double ones, through a division by a variance of about 0.1.
            XCTAssertLessThanOrEqual(filtered.maxAbsDifference(try Tensor(shape: image.shape, nhwc: expected)), 2e-4, "radius \(radius)")
            for p in 0..<height * width {
                let before: Float = 0.299 * values[3 * p] + 0.587 * values[3 * p + 1] + 0.114 * values[3 * p + 2]
                let after: Float = 0.299 * filtered.data[3 * p] + 0.587 * filtered.data[3 * p + 1] + 0.114 * filtered.data[3 * p + 2]
                XCTAssertEqual(after, before, accuracy: 1e-5)
            }
        }
    }

    func testChromaThatFollowsTheLumaIsKept() throws {
        // Colour an affine function of the luma everywhere: every window's fit is exact (up to epsilon).
        let (height, width) = (16, 16)
        var values: [Float] = []
        for p in 0..<height * width {
            let luma = Float(p % width) / 8 - Float(p / width) / 16
            let red: Float = 1.3 * luma + 0.1
            let blue: Float = 0.8 * luma - 0.05
            values += [red, (luma - 0.299 * red - 0.114 * blue) / 0.587, blue]
        }
        let image = try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 3), nhwc: values)
        try ChromaGuidedFilter.apply(to: image, radius: 3, epsilon: 1e-7)
        XCTAssertLessThanOrEqual(image.maxAbsDifference(try Tensor(shape: image.shape, nhwc: values)), 1e-3)
    }
}
