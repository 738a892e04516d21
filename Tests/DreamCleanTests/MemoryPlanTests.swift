// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
@testable import DreamClean

final class MemoryPlanTests: XCTestCase {
    let schedule = try! NoiseSchedule(kind: .linear)
    let tinyModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/adm-tiny").path

    func request(width: Int = 8192, height: Int = 8192, scale: Int = 1, deblurs: Bool = false, budgetMB: Int,
                 footprint: ActivationFootprint = ActivationFootprint(perPixel: 1500)) -> MemoryPlan.Request {
        MemoryPlan.Request(inputWidth: width, inputHeight: height, scale: scale, outputChannels: 3, outputSampleBytes: 1,
                           task: "blind", readsBlur: true, deblurs: deblurs, processAlpha: false, hasMask: false, tileSize: 512, tileOverlap: 64, sizeMultiple: 8,
                           networkBytes: 20 << 20, footprint: footprint, budget: budgetMB << 20)
    }

    /// Bands cover every output row in order, each spans at least 4 overlaps (so only neighbours share rows), the
    /// estimate stays within the budget, and a budget that is large enough gives one band.
    func testBandsCoverTheImageWithinTheBudget() throws {
        for (budget, scale) in [(2048, 1), (1536, 1), (2048, 4)] {
            let r = request(width: 8192 / scale, height: 8192 / scale, scale: scale, budgetMB: budget)
            let plan = try MemoryPlan(r)
            XCTAssertGreaterThan(plan.bands.count, 1, "\(budget) MB")
            XCTAssertLessThanOrEqual(plan.requiredBytes, r.budget)
            XCTAssertEqual(plan.bands.first?.outputRows.lowerBound, 0)
            XCTAssertEqual(plan.bands.last?.outputRows.upperBound, 8192)
            for (a, b) in zip(plan.bands, plan.bands.dropFirst()) {
                XCTAssertLessThan(a.outputRows.lowerBound, b.outputRows.lowerBound)
                XCTAssertGreaterThanOrEqual(a.outputRows.upperBound - b.outputRows.lowerBound, plan.bandOverlap, "neighbours overlap")
                XCTAssertGreaterThanOrEqual(a.outputRows.count, 4 * plan.bandOverlap)
                XCTAssertEqual(a.outputRows.count, a.inputRows.count * scale)
            }
        }
        let small = try MemoryPlan(request(width: 512, height: 512, budgetMB: 2048))
        XCTAssertEqual(small.bands.count, 1)
        XCTAssertEqual(small.activationCache, (2048 << 20) - small.requiredBytes, "the budget left keeps activation buffers")
        // Deblurring (the task, or blind restoration that found blur: `RestorationPlanTests`) holds the FFT buffers.
        let deblurring = request(width: 512, height: 512, deblurs: true, budgetMB: 2048)
        XCTAssertEqual(try MemoryPlan(deblurring).requiredBytes - small.requiredBytes, 512 * 512 * MemoryPlan.deblurBytesPerPixel)
        // JPEG sampled twice holds the second result and the blend's weights.
        var twice = request(width: 512, height: 512, budgetMB: 2048)
        twice.busyRegionRun = true
        XCTAssertEqual(try MemoryPlan(twice).requiredBytes - small.requiredBytes, 512 * 512 * MemoryPlan.busyRunBytesPerPixel)
    }

    /// A budget below what the smallest band needs is refused, with the figure it would need.
    func testTooSmallABudgetIsRefused() {
        XCTAssertThrowsError(try MemoryPlan(request(budgetMB: 200))) { error in
            guard case let .outOfMemory(message)? = error as? RestoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("max_memory_mb = 200"), message)
        }
    }

    /// Self-attention's score matrices grow with the square of the tile: a model with attention gets smaller tiles.
    func testAttentionShrinksTheTiles() throws {
        let quadratic = ActivationFootprint(perPixel: 1500, perPixelSquared: 4.0 / 16)
        let linear = try MemoryPlan(request(width: 1024, height: 1024, budgetMB: 2048))
        let attention = try MemoryPlan(request(width: 1024, height: 1024, budgetMB: 2048, footprint: quadratic))
        XCTAssertEqual(linear.tileSize, 512)
        XCTAssertLessThan(attention.tileSize, 512)
    }

    /// The measured footprint of a real UNet (with attention) bounds the live peak of passes at 48x64 and 64x80 (the
    /// measurement runs at 32x32).
    func testTinyUNetFootprint() throws {
        let backend = try DNNLBackend(threads: 1)
        let network = try UNet(folder: tinyModel, backend: backend)
        let footprint = try network.activationFootprint()
        XCTAssertGreaterThan(footprint.perPixel, 0)
        XCTAssertEqual(footprint.fixed, backend.attentionScratch.fixed, "adm-tiny has attention: its scores are counted")
        XCTAssertEqual(footprint.perPixelSquared, 0, "attention in blocks of rows: no [T, T] matrix")
        for (h, w) in [(48, 64), (64, 80)] {
            XCTAssertLessThanOrEqual(try peakBytes(backend) { _ = try network.predictNoise(try Tensor(zeros: TensorShape(batch: 1, height: h, width: w, channels: 3)), timestep: 10) },
                                     footprint.bytes(pixels: h * w), "\(h)x\(w)")
        }
    }

    /// The same for a latent model (sd-tiny: self-attention at full latent resolution, 3072 and 5120 positions at the
    /// sizes checked, where a [T, T] matrix would be 36 and 100 MiB), its UNet and its autoencoder (measured at 8x8
    /// latents), on 2 threads (a block of scores each).
    func testLatentModelFootprints() throws {
        let folder = tinyModel.replacingOccurrences(of: "adm-tiny", with: "sd-tiny")
        let backend = try DNNLBackend(threads: 2)
        let config = try ModelConfig.load(folder: folder)
        let prior = LatentPrior(unet: try UNet(folder: folder, config: config, backend: backend),
                                autoencoder: try AutoencoderKL(folder: folder, config: config, backend: backend),
                                schedule: schedule, predictsVelocity: false)
        let unet = try prior.activationFootprint(), autoencoder = try prior.autoencoderFootprint()
        XCTAssertEqual(unet.perPixelSquared, 0)
        for (h, w) in [(48, 64), (64, 80)] {
            let latent = try Tensor(zeros: TensorShape(batch: 1, height: h, width: w, channels: 4))
            XCTAssertLessThanOrEqual(try peakBytes(backend) { _ = try prior.predictNoise(latent, timestep: 10) },
                                     unet.bytes(pixels: h * w), "UNet \(h)x\(w)")
            XCTAssertLessThanOrEqual(try peakBytes(backend) { _ = try prior.autoencoder.decode(latent) },
                                     autoencoder.bytes(pixels: h * w * 4), "decoder \(h)x\(w)")
            let image = try Tensor(zeros: TensorShape(batch: 1, height: 2 * h, width: 2 * w, channels: 3))
            XCTAssertLessThanOrEqual(try peakBytes(backend) { _ = try prior.autoencoder.encode(image) },
                                     autoencoder.bytes(pixels: h * w * 4), "encoder \(2 * h)x\(2 * w)")
        }
    }

    /// The live peak of `pass` through the backend's emptied pool that keeps nothing.
    func peakBytes(_ backend: DNNLBackend, _ pass: () throws -> Void) throws -> Int {
        backend.pool.drain()
        backend.pool.capacityBytes = 0
        backend.pool.resetPeak()
        try pass()
        return backend.pool.peakBytes
    }

    func image(width: Int, height: Int) -> (UnsafeMutablePointer<Float>, ImageBuffer) {
        let bytes = UnsafeMutablePointer<Float>.allocate(capacity: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    bytes[(y * width + x) * 3 + c] = 0.5 + 0.3 * sin(Float(x) * 0.05 + Float(c)) * cos(Float(y) * 0.031)
                }
            }
        }
        return (bytes, try! ImageBuffer(base: bytes, width: width, height: height, channels: 3, format: .float32))
    }

    /// An image restored in bands equals the one restored whole (to 1e-5), seams included: the noise is a function of
    /// the pixel position and the toy network's reach (one pixel per evaluation, 15 here) stays inside the rows a band
    /// gives no weight (16).
    func testBandedEqualsWhole() throws {
        let (width, height) = (256, 600)
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        let (inBytes, input) = image(width: width, height: height)
        let (wholeBytes, whole) = image(width: width, height: height)
        let (bandedBytes, banded) = image(width: width, height: height)
        defer { [inBytes, wholeBytes, bandedBytes].forEach { $0.deallocate() } }
        var options = RestoreOptions(task: .blind)
        options.steps = 5
        options.strength = 0.2
        options.gamma = 0.3
        options.seed = 8
        options.tileOverlap = 32
        try restorer.restore(input: input, output: whole, options: options)
        options.memoryLimitMB = 118
        let plan = try restorer.plan(for: input, options: options)
        XCTAssertGreaterThan(plan.bandCount, 1, "the test must cross band borders")
        try restorer.restore(input: input, output: banded, options: options)
        var worst: Float = 0
        for i in 0..<width * height * 3 { worst = max(worst, abs(wholeBytes[i] - bandedBytes[i])) }
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    /// Out of memory is decided before any work: no progress call, the output untouched.
    func testOutOfMemoryBeforeAnyWork() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: schedule)
        let (inBytes, input) = image(width: 4096, height: 64)
        let outBytes = UnsafeMutablePointer<Float>.allocate(capacity: 4096 * 64 * 3)
        defer { inBytes.deallocate(); outBytes.deallocate() }
        outBytes.initialize(repeating: 7, count: 4096 * 64 * 3)
        let output = try ImageBuffer(base: outBytes, width: 4096, height: 64, channels: 3, format: .float32)
        var options = RestoreOptions(task: .blind)
        options.memoryLimitMB = 16
        var calls = 0
        XCTAssertThrowsError(try restorer.restore(input: input, output: output, options: options) { _ in calls += 1; return true }) {
            guard case .outOfMemory? = $0 as? RestoreError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(calls, 0)
        XCTAssertTrue((0..<4096 * 64 * 3).allSatisfy { outBytes[$0] == 7 })
    }
}
