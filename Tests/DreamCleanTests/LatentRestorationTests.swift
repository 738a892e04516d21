// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation
import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
@testable import DreamClean

/// Restorations with a latent (Stable Diffusion) model: the tiny random-weight fixtures (Tests/Fixtures/sd-tiny,
/// sdxl-tiny) through `Restorer`, as the C ABI and the CLI call it.
final class LatentRestorationTests: XCTestCase {
    static func folder(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
    }

    /// A float RGB image with smooth colours and some texture; sides not multiples of the model's.
    final class Image {
        let storage: UnsafeMutableBufferPointer<Float>
        let buffer: ImageBuffer

        init(width: Int, height: Int, fill: Float? = nil) throws {
            storage = .allocate(capacity: width * height * 3)
            for i in 0..<storage.count {
                let pattern = Double((i * 7 + i / (width * 3) * 5) % 23) / 22
                storage[i] = fill ?? Float(0.2 + 0.6 * pattern)
            }
            buffer = try ImageBuffer(base: UnsafeMutableRawPointer(storage.baseAddress!), width: width, height: height, channels: 3,
                                     format: .float32)
        }

        deinit { storage.deallocate() }
        var values: [Float] { Array(storage) }
    }

    func options(_ task: RestoreTask = .blind) -> RestoreOptions {
        var options = RestoreOptions(task: task)
        options.seed = 3
        options.steps = 3
        return options
    }

    func testRestoresBlindDenoiseAndJPEGWithTheModelsPresets() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sd-tiny"), threads: 2)
        let input = try Image(width: 30, height: 22)
        for task in LatentPlan.tasks {
            let output = try Image(width: 30, height: 22, fill: -7)
            var fractions: [Double] = []
            try restorer.restore(input: input.buffer, output: output.buffer, options: options(task)) { fractions.append($0); return true }
            XCTAssertTrue(output.values.allSatisfy { $0.isFinite && (0...1).contains($0) }, "\(task)")
            XCTAssertEqual(fractions.last ?? 0, 1, accuracy: 1e-9)
            XCTAssertEqual(fractions, fractions.sorted(), "progress only grows")
            // steps 3 from the options, the rest from config.json's row for the task
            let plan = try XCTUnwrap(try restorer.latentPlan(width: 30, height: 22, options: options(task)))
            let row = try XCTUnwrap(restorer.modelPresets[task.rawValue])
            XCTAssertEqual(plan.steps, 3)
            XCTAssertEqual(plan.strength, row.strength)
            XCTAssertEqual(plan.gamma, row.gamma)
            XCTAssertEqual(plan.paddedWidth % 4, 0)
        }
    }

    /// At the least depth (τ = 0) with no VPS the loop has a closed form: z = encode(x); one DDIM inversion step to
    /// t = 0, z_0 = sqrt(ᾱ_0)·z + sqrt(1−ᾱ_0)·ε̂(z, 0); one step back, ẑ = (z_0 − sqrt(1−ᾱ_0)·ε̂(z_0, 0)) / sqrt(ᾱ_0);
    /// the output is decode(ẑ). Computed here with the networks called directly, it checks the wiring (padding, encode,
    /// sampler, decode, crop, clamp, write). In f32: bf16 rounds activations, so the sampler's double-precision step
    /// and this float one can round a value apart, which random weights amplify to about 0.02.
    func testLeastDepthMatchesTheLoopsClosedForm() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sd-tiny"), threads: 2, convolutions: .f32)
        let prior = try XCTUnwrap(restorer.latentPrior)
        let input = try Image(width: 24, height: 20)
        let output = try Image(width: 24, height: 20)
        var options = options()
        (options.strength, options.steps, options.gamma, options.vpsIterations) = (0.0005, 1, 0, 0)
        try restorer.restore(input: input.buffer, output: output.buffer, options: options)
        let (color, _) = try input.buffer.tensor(rows: 0..<20)
        let z = try prior.autoencoder.encode(color)
        let a = Float(restorer.schedule.alphaBar(0))
        let first = try prior.predictNoise(z, timestep: 0)
        let noisy = try Tensor(shape: z.shape, nhwc: (0..<z.count).map { a.squareRoot() * z.data[$0] + (1 - a).squareRoot() * first.data[$0] })
        let second = try prior.predictNoise(noisy, timestep: 0)
        let back = try Tensor(shape: z.shape, nhwc: (0..<z.count).map { (noisy.data[$0] - (1 - a).squareRoot() * second.data[$0]) / a.squareRoot() })
        let expected = try prior.autoencoder.decode(back)
        var worst: Float = 0
        for i in 0..<expected.count {
            worst = max(worst, abs((min(max(expected.data[i], -1), 1) + 1) / 2 - output.values[i]))
        }
        XCTAssertLessThan(worst, 1e-4, "restoration at τ = 0 against the closed form")
    }

    func testSameSeedSameResultAndTilingWithinASmallLimit() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sdxl-tiny"), threads: 2)
        let input = try Image(width: 70, height: 52)
        let first = try Image(width: 70, height: 52), second = try Image(width: 70, height: 52)
        try restorer.restore(input: input.buffer, output: first.buffer, options: options())
        try restorer.restore(input: input.buffer, output: second.buffer, options: options())
        XCTAssertEqual(first.values, second.values)
        var small = options()
        small.memoryLimitMB = 112
        let plan = try XCTUnwrap(try restorer.latentPlan(width: 70, height: 52, options: small))
        XCTAssertGreaterThan(plan.unetOverlap, 0, "a latent larger than the training size runs in UNet tiles")
        XCTAssertLessThanOrEqual(plan.peakBytes, 112 << 20)
        let tiled = try Image(width: 70, height: 52)
        try restorer.restore(input: input.buffer, output: tiled.buffer, options: small)
        XCTAssertTrue(tiled.values.allSatisfy { $0.isFinite && (0...1).contains($0) })
    }

    func testVelocityPredictionBecomesNoise() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sdxl-tiny"), threads: 1)
        let prior = try XCTUnwrap(restorer.latentPrior)
        XCTAssertTrue(prior.predictsVelocity)
        let x = try Tensor(shape: TensorShape(batch: 1, height: 8, width: 12, channels: 4),
                           nhwc: (0..<384).map { Float(sin(Double($0) * 0.37)) })
        let v = try prior.unet(x, timesteps: [400])
        let eps = try prior.predictNoise(x, timestep: 400)
        let a = restorer.schedule.alphaBar(400)
        for i in 0..<x.count {
            XCTAssertEqual(Double(eps.data[i]), a.squareRoot() * Double(v.data[i]) + (1 - a).squareRoot() * Double(x.data[i]), accuracy: 1e-5)
        }
    }

    func testOperatorTasksAndTooLittleMemoryAreRefusedBeforeAnyWork() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sd-tiny"), threads: 1)
        let input = try Image(width: 16, height: 16)
        for task in [RestoreTask.deblur, .colorize] {
            let output = try Image(width: 16, height: 16, fill: -7)
            XCTAssertThrowsError(try restorer.restore(input: input.buffer, output: output.buffer, options: options(task))) { error in
                guard case RestoreError.unsupported(let what) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(what.contains(task.rawValue), what)
            }
            XCTAssertTrue(output.values.allSatisfy { $0 == -7 }, "output untouched")
        }
        var tiny = options()
        tiny.memoryLimitMB = 16
        XCTAssertThrowsError(try restorer.checkFits(inputWidth: 20_000, inputHeight: 20_000, inputChannels: 3, outputChannels: 3,
                                                    format: .float32, options: tiny)) { error in
            guard case RestoreError.outOfMemory = error else { return XCTFail("\(error)") }
        }
    }

    func testCancellationLeavesTheOutputUntouched() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sd-tiny"), threads: 1)
        let input = try Image(width: 16, height: 16)
        let output = try Image(width: 16, height: 16, fill: -7)
        var calls = 0
        XCTAssertThrowsError(try restorer.restore(input: input.buffer, output: output.buffer, options: options()) { _ in
            calls += 1
            return calls < 3
        }) { error in XCTAssertEqual(error as? RestoreError, .cancelled) }
        XCTAssertTrue(output.values.allSatisfy { $0 == -7 })
    }

    func testMissingPresetRowNamesTheSetting() throws {
        let restorer = try Restorer(modelFolder: Self.folder("sd-tiny"), threads: 1)
        let bare = try Restorer(network: restorer.network, schedule: restorer.schedule)
        XCTAssertThrowsError(try bare.latentPlan(width: 16, height: 16, options: RestoreOptions(task: .denoise))) { error in
            guard case RestoreError.invalidOption(let name, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "steps")
        }
    }
}
