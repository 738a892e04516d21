// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
@testable import DreamClean

/// The camera noise model: pixel-shuffle sub-images (`PixelShuffle`) and the denoise plan that uses them.
final class PixelShuffleTests: XCTestCase {
    let schedule = try! NoiseSchedule(kind: .linear)

    func testSplitTakesEveryStrideThPixelAndMergeUndoesIt() throws {
        for (h, w, stride) in [(5, 7, 2), (6, 6, 2), (7, 5, 3)] {
            let x = try Tensor(shape: TensorShape(batch: 1, height: h, width: w, channels: 3), nhwc: (0..<h * w * 3).map { Float($0) })
            let parts = try PixelShuffle.split(x, stride: stride)
            XCTAssertEqual(parts.count, stride * stride)
            for i in 0..<stride {
                for j in 0..<stride {
                    let part = parts[i * stride + j]
                    XCTAssertEqual(part.shape.height, (h - i + stride - 1) / stride)
                    XCTAssertEqual(part.shape.width, (w - j + stride - 1) / stride)
                    for y in 0..<part.shape.height {
                        for xx in 0..<part.shape.width {
                            for c in 0..<3 {
                                XCTAssertEqual(part.data[(y * part.shape.width + xx) * 3 + c],
                                               x.data[((i + stride * y) * w + j + stride * xx) * 3 + c])
                            }
                        }
                    }
                }
            }
            let merged = try PixelShuffle.merge(parts, stride: stride, shape: x.shape)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: merged.data, count: merged.count)),
                           Array(UnsafeBufferPointer(start: x.data, count: x.count)), "\(h)x\(w) stride \(stride)")
        }
    }

    func testTheCameraModelSubsamplesAtItsLevelAndOnlyImagesLargeEnough() {
        var options = RestoreOptions(task: .denoise)
        options.noiseSigma = 8
        let reading = LayerReading(noiseLevel: 0.01)
        let white = RestorationPlan.layer(options.task.policy, options, reading, schedule, smallestSide: 64)
        XCTAssertEqual(white.subsampling, 1)
        options.noiseModel = .camera
        let camera = RestorationPlan.layer(options.task.policy, options, reading, schedule, smallestSide: 64)
        XCTAssertEqual(camera.subsampling, 2)
        XCTAssertEqual(camera.noiseLevel, DenoiseTask.cameraLevel * NoiseScale.model(fromPixels: 8), accuracy: 1e-12)
        XCTAssertEqual(camera.problem, .identity(noise: camera.noiseLevel))
        // Sub-images of fewer than `leastSubsampledSide` pixels: the image is denoised whole.
        XCTAssertEqual(RestorationPlan.layer(options.task.policy, options, reading, schedule, smallestSide: 15).subsampling, 1)
        // Estimated: from the coarse-scale reading, which the camera model asks the analysis for only then.
        XCTAssertEqual(DenoiseTask().reads(options), .noise(coarse: false))
        options.noiseSigma = nil
        XCTAssertEqual(DenoiseTask().reads(options), .noise(coarse: true))
        var coarse = reading
        coarse.coarseNoiseLevel = 0.04
        XCTAssertEqual(RestorationPlan.layer(options.task.policy, options, coarse, schedule, smallestSide: 64).noiseLevel,
                       DenoiseTask.cameraLevel * 0.04, accuracy: 1e-12)
    }

    /// The camera model's restoration is the white model's on each sub-image, at the camera level, merged.
    func testCameraDenoisingIsWhiteDenoisingOfEachSubImage() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        let (w, h) = (20, 18)
        let pixels = (0..<w * h * 3).map { Float(0.5 + 0.4 * sin(Double($0) * 0.37)) }
        var options = RestoreOptions(task: .denoise)
        options.noiseSigma = 20
        options.noiseModel = .camera
        options.seed = 1
        let camera = try restore(restorer, pixels, width: w, height: h, options)
        options.noiseModel = .white
        options.noiseSigma = 20 * DenoiseTask.cameraLevel
        for i in 0..<2 {
            for j in 0..<2 {
                let sub = (0..<h / 2).flatMap { y in (0..<w / 2).flatMap { x in (0..<3).map { pixels[((2 * y + i) * w + 2 * x + j) * 3 + $0] } } }
                let restored = try restore(restorer, sub, width: w / 2, height: h / 2, options)
                for y in 0..<h / 2 {
                    for x in 0..<w / 2 {
                        for c in 0..<3 {
                            XCTAssertEqual(camera[((2 * y + i) * w + 2 * x + j) * 3 + c], restored[(y * w / 2 + x) * 3 + c], accuracy: 1e-5)
                        }
                    }
                }
            }
        }
        // And it is not the white model on the whole image.
        let whole = try restore(restorer, pixels, width: w, height: h, options)
        XCTAssertGreaterThan(zip(whole, camera).map { abs($0 - $1) }.max() ?? 0, 1e-3)
    }

    /// `values` (RGB float) restored with `options`.
    private func restore(_ restorer: Restorer, _ values: [Float], width: Int, height: Int, _ options: RestoreOptions) throws -> [Float] {
        let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        defer { input.deallocate(); output.deallocate() }
        _ = input.initialize(from: values)
        output.initialize(repeating: 0)
        let buffer = { (memory: UnsafeMutableBufferPointer<Float>) in
            try ImageBuffer(base: UnsafeMutableRawPointer(memory.baseAddress!), width: width, height: height, channels: 3, format: .float32)
        }
        try restorer.restore(input: try buffer(input), output: try buffer(output), options: options)
        return Array(output)
    }
}
