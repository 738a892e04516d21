// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
import DreamCleanDiffusion
@testable import DreamClean

/// The JPEG path's second, busier run: the blend weights against their definition, and a restoration against the two
/// single runs it blends.
final class BusyRegionBlendTests: XCTestCase {
    /// The weights' definition evaluated directly in Double: forward luma differences on [0, 1], a 9x9 window mean
    /// over mirrored indices, the linear ramp from `quiet` to `busy`.
    func referenceWeights(_ values: [Float], height: Int, width: Int) -> [Float] {
        func luma(_ y: Int, _ x: Int) -> Double {
            let p = 3 * (y * width + x)
            return (0.299 * Double(values[p]) + 0.587 * Double(values[p + 1]) + 0.114 * Double(values[p + 2])) / 2
        }
        func activity(_ y: Int, _ x: Int) -> Double {
            (y + 1 < height ? abs(luma(y + 1, x) - luma(y, x)) : 0) + (x + 1 < width ? abs(luma(y, x + 1) - luma(y, x)) : 0)
        }
        func mirror(_ i: Int, _ n: Int) -> Int { i < 0 ? -i - 1 : (i >= n ? 2 * n - i - 1 : i) }
        let r = BusyRegionBlend.radius
        return (0..<height * width).map { p in
            var sum = 0.0
            for dy in -r...r { for dx in -r...r { sum += activity(mirror(p / width + dy, height), mirror(p % width + dx, width)) } }
            let mean = sum / Double((2 * r + 1) * (2 * r + 1))
            let ramp = (mean - Double(BusyRegionBlend.quiet)) / Double(BusyRegionBlend.busy - BusyRegionBlend.quiet)
            return Float(min(max(ramp, 0), 1))
        }
    }

    func testWeightsMatchTheirDefinition() throws {
        let (height, width) = (13, 17)
        var noise = GaussianNoise(seed: 3)
        // Smooth on the left, rough on the right, so that the ramp is crossed.
        let values = (0..<height * width * 3).map { i -> Float in
            let x = (i / 3) % width
            return max(-1, min(1, Float(x) / 20 + Float(x) / Float(width) * 0.4 * noise.next()))
        }
        let image = try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 3), nhwc: values)
        let weights = BusyRegionBlend.weights(of: image)
        let expected = referenceWeights(values, height: height, width: width)
        XCTAssertEqual(weights.count, expected.count)
        // Tolerance 1e-5: Float differences against Double ones, divided by the ramp's 0.14.
        XCTAssertLessThanOrEqual(zip(weights, expected).map { abs($0 - $1) }.max() ?? 1, 1e-5)
        XCTAssertEqual(weights.min(), 0, "the smooth side is calm")
        XCTAssertEqual(weights.max(), 1, "the rough side is busy")
    }

    func testBlendTakesEachPixelInProportion() throws {
        let shape = TensorShape(batch: 1, height: 1, width: 3, channels: 3)
        let calm = try Tensor(shape: shape, nhwc: [Float](repeating: 0.2, count: 9))
        let busy = try Tensor(shape: shape, nhwc: [Float](repeating: -0.6, count: 9))
        BusyRegionBlend.blend(calm, busy, weights: [0, 0.25, 1])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: calm.data, count: 9)),
                       [0.2, 0.2, 0.2, 0, 0, 0, -0.6, -0.6, -0.6], accuracy: 1e-6)
    }

    /// A JPEG restored at balanced is the calm run where the image is flat, the busy run where it is rough, and the
    /// weighted mean between; each run reproduced on its own by asking for its strength (which turns the second run off).
    func testJPEGRestorationBlendsItsCalmAndBusyRuns() throws {
        let (width, height) = (96, 96)
        // 8x8 blocks on the lattice of DC step 80 (quality 10); the right half gets a zero-mean checkerboard, which
        // keeps the block means where they are.
        let blocks = JPEGRestorationTests.blockImage(width: width, height: height, step: 80)
        var input = blocks.enumerated().map { i, byte -> Float in
            let (x, y) = ((i / 3) % width, i / 3 / width)
            let texture: Float = x >= width / 2 ? ((x + y) % 2 == 0 ? 0.1 : -0.1) : 0
            return min(max(Float(byte) / 255 + texture, 0), 1)
        }
        var handedBack: BlindReading?
        func restore(_ options: RestoreOptions) throws -> [Float] {
            let restorer = try Restorer(network: LocalContrastNetwork(), schedule: try NoiseSchedule(kind: .linear))
            var output = [Float](repeating: 0, count: input.count)
            try input.withUnsafeMutableBytes { inRaw in
                try output.withUnsafeMutableBytes { outRaw in
                    try restorer.restore(input: try ImageBuffer(base: inRaw.baseAddress!, width: width, height: height, channels: 3, format: .float32),
                                         output: try ImageBuffer(base: outRaw.baseAddress!, width: width, height: height, channels: 3, format: .float32),
                                         options: options, planned: { handedBack = $0.blindReading })
                }
            }
            return output
        }
        let schedule = try NoiseSchedule(kind: .linear)
        let restorer = try Restorer(network: ZeroNetwork(), schedule: schedule)
        let reading: BlindReading = try input.withUnsafeMutableBytes { raw in
            BlindReading(of: try ImageBuffer(base: raw.baseAddress!, width: width, height: height, channels: 3, format: .float32),
                         leastRemovableNoise: restorer.leastRemovableNoise)
        }
        let step = try XCTUnwrap(reading.jpegStep, "the lattice is found")
        let jpeg = LayerReading(noiseLevel: NoiseScale.model(fromPixels: reading.noiseSigma), jpegStep: step)
        let settings = JPEGTask().settings(.balanced, jpeg, noiseLevel: jpeg.noiseLevel)
        guard case let .imageNoise(calmExtra) = settings.depth, let busyExtra = settings.busyExtraNoise else {
            return XCTFail("balanced JPEG samples at the image's noise, twice: \(settings)")
        }
        XCTAssertNil(JPEGTask().settings(.fast, jpeg, noiseLevel: jpeg.noiseLevel).busyExtraNoise, "fast samples once")
        let noise = jpeg.noiseLevel
        func strength(_ extra: Double) -> Double {
            RestorationPlan.automaticStrength(noiseLevel: (noise * noise + extra * extra).squareRoot(), schedule: schedule)
        }

        var options = RestoreOptions(task: .jpeg)
        options.seed = 1
        let blended = try restore(options)
        XCTAssertEqual(handedBack, reading, "restore hands back what it read")
        options.strength = strength(calmExtra)
        let calm = try restore(options)
        options.strength = strength(busyExtra)
        let busy = try restore(options)
        XCTAssertGreaterThan(zip(calm, busy).map { abs($0 - $1) }.max() ?? 0, 1e-3, "the two runs differ (by 100 x the tolerance)")

        let image = try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 3), nhwc: input.map { 2 * $0 - 1 })
        let weights = BusyRegionBlend.weights(of: image)
        XCTAssertEqual(weights.min(), 0)
        XCTAssertEqual(weights.max(), 1)
        let expected = calm.indices.map { calm[$0] + weights[$0 / 3] * (busy[$0] - calm[$0]) }
        XCTAssertLessThanOrEqual(zip(blended, expected).map { abs($0 - $1) }.max() ?? 1, 1e-5)
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
