// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation
import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
@testable import DreamClean

final class RestorerTests: XCTestCase {
    let schedule = try! NoiseSchedule(kind: .linear)

    func identityOptions(_ task: RestoreTask = .blind) -> RestoreOptions {
        var options = RestoreOptions(task: task)
        options.steps = 4
        options.strength = 0.3
        options.gamma = 0
        options.seed = 1
        return options
    }

    /// A test image: smooth colours, `channels` interleaved, in `format`, with optional padding bytes per pixel and row.
    func makeImage(width: Int, height: Int, channels: Int, format: PixelFormat, pixelPadding: Int = 0, rowPadding: Int = 0)
        -> (bytes: UnsafeMutableRawBufferPointer, buffer: ImageBuffer) {
        let pixel = channels * format.bytes + pixelPadding
        let row = width * pixel + rowPadding
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: row * height, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0xAB)
        let buffer = try! ImageBuffer(base: bytes.baseAddress!, width: width, height: height, channels: channels, format: format,
                                      pixelStride: pixel, rowStride: row)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { buffer.store(Float(0.1 + 0.8 * Double((x * 7 + y * 3 + c * 11) % 17) / 16), x, y, c) }
            }
        }
        return (bytes, buffer)
    }

    func samples(_ b: ImageBuffer) -> [Float] {
        (0..<b.height).flatMap { y in (0..<b.width).flatMap { x in (0..<b.channels).map { b.sample(x, y, $0) } } }
    }

    func testEveryPixelFormatRoundTripsThroughAnIdentityRestoration() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: schedule)
        for format in PixelFormat.allCases {
            for channels in 1...4 {
                let (inBytes, input) = makeImage(width: 13, height: 9, channels: channels, format: format, pixelPadding: 3, rowPadding: 5)
                let (outBytes, output) = makeImage(width: 13, height: 9, channels: channels, format: format)
                defer { inBytes.deallocate(); outBytes.deallocate() }
                try restorer.restore(input: input, output: output, options: identityOptions())
                let tolerance: Float = format == .uint8 ? 1.01 / 255 : 2e-4
                for (a, b) in zip(samples(input), samples(output)) {
                    XCTAssertEqual(a, b, accuracy: tolerance, "\(format) \(channels) channels")
                }
                // The padding bytes between pixels and rows of the input are never written.
                XCTAssertEqual(inBytes[channels * format.bytes], 0xAB)
            }
        }
    }

    func testInPlaceRestoration() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: schedule)
        let (bytes, image) = makeImage(width: 10, height: 6, channels: 4, format: .uint16)
        defer { bytes.deallocate() }
        let before = samples(image)
        try restorer.restore(input: image, output: image, options: identityOptions())
        for (a, b) in zip(before, samples(image)) { XCTAssertEqual(a, b, accuracy: 2e-5) }
    }

    func testAlphaPassesThroughUnchanged() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        let (inBytes, input) = makeImage(width: 12, height: 12, channels: 4, format: .uint8)
        let (outBytes, output) = makeImage(width: 12, height: 12, channels: 4, format: .uint8)
        defer { inBytes.deallocate(); outBytes.deallocate() }
        var options = identityOptions()
        options.gamma = 0.4
        try restorer.restore(input: input, output: output, options: options)
        for y in 0..<12 { for x in 0..<12 { XCTAssertEqual(input.sample(x, y, 3), output.sample(x, y, 3)) } }
    }

    /// Super-resolution output is `scale` times larger and averages back to the input (DDNM consistency), wherever the
    /// final clamp to [0, 1] did not cut a pixel of the block (this high-contrast test pattern makes a few overshoot).
    func testSuperResolutionIsConsistentWithTheInput() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        let (inBytes, input) = makeImage(width: 8, height: 6, channels: 3, format: .float32)
        let (outBytes, output) = makeImage(width: 24, height: 18, channels: 3, format: .float32)
        defer { inBytes.deallocate(); outBytes.deallocate() }
        var options = identityOptions(.sr)
        options.scale = 3
        options.noiseSigma = 0  // a measurement said to be noiseless is kept exactly (an estimated level damps it)
        try restorer.restore(input: input, output: output, options: options)
        var clamped = 0
        defer { XCTAssertLessThan(clamped, 6 * 8 * 3 / 4, "most blocks must be checked") }
        for y in 0..<6 {
            for x in 0..<8 {
                for c in 0..<3 {
                    let block = (0..<9).map { output.sample(x * 3 + $0 % 3, y * 3 + $0 / 3, c) }
                    if block.contains(where: { $0 <= 0 || $0 >= 1 }) {
                        clamped += 1
                        continue
                    }
                    XCTAssertEqual(block.reduce(0, +) / 9, input.sample(x, y, c), accuracy: 1e-5)
                }
            }
        }
    }

    /// mix 1 is the restoration, 0 the input (exactly in 8-bit), and 0.5 the blend of the two in linear light, checked
    /// against the IEC 61966-2-1 formulas evaluated in Double here (tolerance 1e-4, float rounding through two transfers).
    func testMixBlendsTheRestorationWithTheInputInLinearLight() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        func restored(mix: Double, format: PixelFormat) throws -> (input: [Float], output: [Float]) {
            let (inBytes, input) = makeImage(width: 12, height: 10, channels: 3, format: format)
            let (outBytes, output) = makeImage(width: 12, height: 10, channels: 3, format: format)
            defer { inBytes.deallocate(); outBytes.deallocate() }
            var options = identityOptions()
            options.gamma = 0.4
            options.mix = mix
            try restorer.restore(input: input, output: output, options: options)
            return (samples(input), samples(output))
        }
        let full = try restored(mix: 1, format: .float32)
        XCTAssertGreaterThan(zip(full.input, full.output).map { abs($0 - $1) }.max() ?? 0, 0.05, "the restoration must change the image")
        for (a, b) in zip(try restored(mix: 0, format: .float32).output, full.input) {
            XCTAssertEqual(a, b, accuracy: 1e-6)  // the [-1, 1] working range's rounding, as without a blend
        }
        let eight = try restored(mix: 0, format: .uint8)
        XCTAssertEqual(eight.output, eight.input)
        func linear(_ v: Double) -> Double { v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        func encoded(_ v: Double) -> Double { v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055 }
        let half = try restored(mix: 0.5, format: .float32)
        for i in half.output.indices {
            let expected = encoded(0.5 * linear(Double(full.output[i])) + 0.5 * linear(Double(full.input[i])))
            XCTAssertEqual(Double(half.output[i]), expected, accuracy: 1e-4)
        }
        XCTAssertEqual(Double(LinearLightBlend.linear(encoded: 0.5)), 0.214041, accuracy: 1e-6)
    }

    func testProgressIsMonotoneAndEndsAtOne() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: schedule)
        let (bytes, image) = makeImage(width: 8, height: 8, channels: 3, format: .uint8)
        defer { bytes.deallocate() }
        var fractions: [Double] = []
        try restorer.restore(input: image, output: image, options: identityOptions()) { fractions.append($0); return true }
        XCTAssertEqual(fractions.first, 0)
        XCTAssertEqual(fractions.last, 1)
        XCTAssertEqual(fractions, fractions.sorted())
    }

    func testProgressCallbackThatCancelsOnItsFirstCallLeavesOutputUntouched() throws {
        let network = SlowNetwork()
        let restorer = try Restorer(network: network, schedule: schedule)
        let (inBytes, input) = makeImage(width: 8, height: 8, channels: 3, format: .uint8)
        let (outBytes, output) = makeImage(width: 8, height: 8, channels: 3, format: .uint8)
        defer { inBytes.deallocate(); outBytes.deallocate() }
        let before = samples(output)
        XCTAssertThrowsError(try restorer.restore(input: input, output: output, options: identityOptions()) { _ in false }) {
            XCTAssertEqual($0 as? RestoreError, .cancelled)
        }
        XCTAssertEqual(network.evaluations, 0)
        XCTAssertEqual(samples(output), before)
    }

    func testCancelFromAnotherThreadTakesEffectWithinOneEvaluation() throws {
        let network = SlowNetwork()
        let restorer = try Restorer(network: network, schedule: schedule)
        let (bytes, image) = makeImage(width: 8, height: 8, channels: 3, format: .uint8)
        defer { bytes.deallocate() }
        let token = CancellationToken()
        let countAtCancel = LockedBox(0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
            countAtCancel.value = network.evaluations
            token.cancel()
        }
        var options = identityOptions()
        options.steps = 200
        XCTAssertThrowsError(try restorer.restore(input: image, output: image, options: options, cancel: token)) {
            XCTAssertEqual($0 as? RestoreError, .cancelled)
        }
        XCTAssertLessThanOrEqual(network.evaluations - countAtCancel.value, 1)
        XCTAssertGreaterThan(countAtCancel.value, 0)
    }

    /// The tiny fixture UNet on the oneDNN backend with `threads` and `precision` restoring a 20x12 image, seed 77;
    /// nil when the CPU does not run `precision`.
    func fixtureRestore(threads: Int, precision: ConvolutionPrecision = .f32) throws -> [Float]? {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/adm-tiny").path
        let restorer = try Restorer(network: try UNet(folder: folder, backend: try DNNLBackend(threads: threads)), schedule: schedule)
        guard try restorer.setConvolutionPrecision(precision) == precision else { return nil }
        let (inBytes, input) = makeImage(width: 20, height: 12, channels: 3, format: .float32)
        let (outBytes, output) = makeImage(width: 20, height: 12, channels: 3, format: .float32)
        defer { inBytes.deallocate(); outBytes.deallocate() }
        var options = identityOptions()
        options.gamma = 0.5
        options.seed = 77
        try restorer.restore(input: input, output: output, options: options)
        return samples(output)
    }

    /// The same seed gives bit-identical output with 1 and 2 compute threads (the oneDNN backend, a real UNet).
    func testSameSeedSameOutputAtOneAndTwoThreads() throws {
        let one = try XCTUnwrap(try fixtureRestore(threads: 1)), two = try XCTUnwrap(try fixtureRestore(threads: 2))
        let differing = zip(one, two).filter { $0 != $1 }.count
        XCTAssertEqual(differing, 0, "\(differing) of \(one.count) samples differ between 1 and 2 threads")
    }

    /// A restoration of the fixture in `precision` (skipped where the CPU lacks it, saying `lacking`): bit-identical
    /// at 1 and 2 threads, different from f32's and within `bound` of it, on average over the [0, 1] samples.
    func assertNearF32(_ precision: ConvolutionPrecision, bound: Float, lacking: String) throws {
        guard let one = try fixtureRestore(threads: 1, precision: precision) else { throw XCTSkip("this CPU has no \(lacking)") }
        let two = try XCTUnwrap(try fixtureRestore(threads: 2, precision: precision))
        let full = try XCTUnwrap(try fixtureRestore(threads: 2))
        XCTAssertEqual(one, two, "\(precision) at 1 and 2 threads")
        let meanDifference = zip(two, full).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(two.count)
        print("\(precision) restoration against f32: mean difference \(meanDifference)")
        XCTAssertGreaterThan(meanDifference, 0, "\(precision) gave f32's exact output")
        XCTAssertLessThan(meanDifference, bound, "\(precision) against f32")
    }

    /// bf16 convolutions (where the CPU has them), a real UNet with the tiny fixture's weights: the difference is
    /// bf16's rounding carried through the steps, measured 1.4e-3 of the [0, 1] range on average, held to 1e-2.
    func testBF16SameOutputAtOneAndTwoThreadsAndNearF32() throws {
        try assertNearF32(.bf16, bound: 1e-2, lacking: "native bf16 (AVX-512 BF16 or AMX)")
    }

    /// int8 convolutions (where the CPU has VNNI; the fixture ships a calibration of every convolution): measured
    /// 1.0e-2 of the [0, 1] range on average (random weights), held to 2e-2. A model without calibration asked for
    /// int8 computes as bf16 would.
    func testInt8SameOutputAtOneAndTwoThreadsAndNearF32() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ddpm-tiny").path
        let uncalibrated = try Restorer(modelFolder: folder, threads: 1, convolutions: .int8)
        XCTAssertEqual(try uncalibrated.convolutionPrecision, DNNLBackend.nativeBF16 ? .bf16 : .f32)
        try assertNearF32(.int8, bound: 2e-2, lacking: "AVX-512 VNNI")
    }

    /// An image whose noise reads below the first step's level comes back as it went in, with no network call, and
    /// the reading says so (before, one step from t = 0 changed it a little: -0.02 dB on clean-looking camera photos).
    func testBlindLeavesAnImageWithLessNoiseThanOneStepAlone() throws {
        let network = SlowNetwork()
        let restorer = try Restorer(network: network, schedule: schedule)
        let (w, h) = (32, 32)
        var input = (0..<w * h * 3).map { i in Float(0.5 + 0.3 * sin(Double(i / 3 % w) / 4) * cos(Double(i / 3 / w) / 6)) }
        var output = [Float](repeating: 0, count: input.count)
        var summary = ""
        try input.withUnsafeMutableBytes { inRaw in
            try output.withUnsafeMutableBytes { outRaw in
                try restorer.restore(input: try ImageBuffer(base: inRaw.baseAddress!, width: w, height: h, channels: 3, format: .float32),
                                     output: try ImageBuffer(base: outRaw.baseAddress!, width: w, height: h, channels: 3, format: .float32),
                                     options: RestoreOptions(task: .blind), planned: { summary = $0.blindReading?.summary ?? "" })
            }
        }
        XCTAssertEqual(network.evaluations, 0)
        XCTAssertEqual(zip(input, output).map { abs($0 - $1) }.max() ?? 1, 0, accuracy: 1e-6)
        XCTAssertTrue(summary.hasSuffix("left as it is (less noise than the model's first step removes)"), summary)
    }

    func testAutomaticStrengthFollowsTheNoiseLevel() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: schedule)
        XCTAssertEqual(RestorationPlan.automaticStrength(noiseLevel: 0, schedule: schedule), 0)  // nothing to remove: the image as it is
        XCTAssertEqual(RestorationPlan.automaticStrength(noiseLevel: 0.009, schedule: schedule), 0)  // below t = 0's level, 0.01
        XCTAssertEqual(RestorationPlan.automaticStrength(noiseLevel: 0.0101, schedule: schedule), 0.001)  // t = 0: one step
        let sigma25 = RestorationPlan.automaticStrength(noiseLevel: 2 * 25 / 255.0, schedule: schedule)
        let sigma50 = RestorationPlan.automaticStrength(noiseLevel: 2 * 50 / 255.0, schedule: schedule)
        XCTAssertGreaterThan(sigma50, sigma25)
        XCTAssertEqual(schedule.noiseLevel(Int(sigma25 * 1000) - 1), 2 * 25 / 255.0, accuracy: 0.01)
        // The estimator recovers the level of added Gaussian noise on a smooth image.
        // Samples in [0, 1] with noise 0.1, so 0.2 on the [-1, 1] scale the estimate uses.
        var noise = GaussianNoise(seed: 5)
        let samples = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 64 * 3)
        defer { samples.deallocate() }
        for i in 0..<64 * 64 * 3 { samples[i] = 0.3 + Float(i % 192) / 192 * 0.25 + 0.1 * noise.next() }
        let image = try ImageBuffer(base: samples, width: 64, height: 64, channels: 3, format: .float32)
        XCTAssertEqual(NoiseEstimator.sigma(of: image), 0.2, accuracy: 0.01)  // independent noise per channel
    }
}

final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
