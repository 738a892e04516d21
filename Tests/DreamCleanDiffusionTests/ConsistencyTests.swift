// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanDiffusion

/// With a noiseless measurement y = A x, the known-operator loop ends on an image that satisfies A(x) = y.
/// Tolerance 1e-5: float32 rounding of the last projection.
final class ConsistencyTests: XCTestCase {
    let schedule = try! NoiseSchedule(kind: .linear)
    var model: GaussianModel { GaussianModel(mean: 0, std: 0.2, schedule: schedule) }

    func restore(_ operator: any MeasurementOperator, truth: Tensor) throws -> (result: Tensor, y: Tensor) {
        let y = try `operator`.forward(truth)
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 6, strength: 0.5, gamma: 0.2))
        var noise = GaussianNoise(seed: 11)
        let result = try sampler.run(start: try `operator`.pseudoInverse(y), eps: model.eps, measurement: `operator`, y: y, noise: &noise)
        return (result, y)
    }

    func assertConsistent(_ operator: any MeasurementOperator, _ name: String) throws {
        let truth = try model.sample(TensorShape(batch: 1, height: 12, width: 12, channels: 3), seed: 12)
        let (result, y) = try restore(`operator`, truth: truth)
        let error = try `operator`.forward(result).maxAbsDifference(y)
        XCTAssertLessThanOrEqual(error, 1e-5, name)
        XCTAssertEqual(result.shape, truth.shape, name)
    }

    func testSuperResolution() throws {
        for scale in [2, 3, 4] { try assertConsistent(try BoxDownsampling(scale: scale), "sr x\(scale)") }
    }

    func testInpainting() throws {
        var generator = GaussianNoise(seed: 13)
        let mask = try Tensor(shape: TensorShape(batch: 1, height: 12, width: 12, channels: 1),
                              nhwc: (0..<144).map { _ in generator.next() > 0 ? 1 : 0 })
        try assertConsistent(try PixelMask(mask: mask), "inpaint")
    }

    func testColorization() throws {
        for weights in Grayscale.Weights.allCases { try assertConsistent(Grayscale(weights: weights), "colorize \(weights)") }
    }

    /// Deblurring's pseudo-inverse is exact on the frequencies the blur passes (|K̂|² > 1e-6); what it drops is below
    /// 1e-3 of the signal, hence the looser tolerance.
    func testDeblurring() throws {
        let truth = try model.sample(TensorShape(batch: 1, height: 12, width: 12, channels: 3), seed: 17)
        let blur = try Blur.gaussian(sigma: 1.0)
        let (result, y) = try restore(blur, truth: truth)
        XCTAssertLessThanOrEqual(try blur.forward(result).maxAbsDifference(y), 2e-3)
        // The operator itself: a constant image is unchanged by a normalized blur, and A A⁺ y = y for y in A's range.
        let flat = try Tensor(shape: truth.shape, nhwc: [Float](repeating: 0.3, count: truth.count))
        XCTAssertLessThanOrEqual(try blur.forward(flat).maxAbsDifference(flat), 1e-5)
        XCTAssertLessThanOrEqual(try blur.forward(try blur.pseudoInverse(y)).maxAbsDifference(y), 2e-3)
    }

    func testBlurRejectsBadKernels() {
        XCTAssertThrowsError(try Blur(kernel: [1, 1, 1, 1], kernelSize: 2))
        XCTAssertThrowsError(try Blur(kernel: [0, 0, 0, 0, 0, 0, 0, 0, 0], kernelSize: 3))
        XCTAssertThrowsError(try Blur(kernel: [.nan, 1, 1, 1, 1, 1, 1, 1, 1], kernelSize: 3))
        XCTAssertThrowsError(try Blur.gaussian(sigma: 0))
    }

    func testNoiselessDenoisingReturnsTheMeasurement() throws {
        try assertConsistent(try IdentityMeasurement(measurementNoise: 0), "denoise sigma 0")
    }

    /// With measurement noise the last steps cannot absorb it: the projection is damped (λ_t = σ_t / σ_y < 1), so the
    /// result is not forced back onto the noisy y.
    func testNoisyMeasurementIsNotReproduced() throws {
        let truth = try model.sample(TensorShape(batch: 1, height: 12, width: 12, channels: 3), seed: 14)
        let noisy = try TensorMath.combine(truth, 1, try GaussianNoise(seed: 15).tensorCopy(truth.shape), 0.2)
        let op = try IdentityMeasurement(measurementNoise: 0.2)
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 10, strength: 0.3, gamma: 0.2))
        var noise = GaussianNoise(seed: 16)
        let result = try sampler.run(start: noisy, eps: model.eps, measurement: op, y: noisy, noise: &noise)
        let distanceToNoisy = meanSquare(result, noisy), distanceToTruth = meanSquare(result, truth)
        XCTAssertLessThan(distanceToTruth, meanSquare(noisy, truth), "denoising must reduce the error")
        XCTAssertGreaterThan(distanceToNoisy, 1e-3)
    }

    func meanSquare(_ a: Tensor, _ b: Tensor) -> Double {
        (0..<a.count).reduce(0.0) { $0 + Double((a.data[$1] - b.data[$1]) * (a.data[$1] - b.data[$1])) } / Double(a.count)
    }

    func testOperatorsRejectBadInput() throws {
        XCTAssertThrowsError(try BoxDownsampling(scale: 0))
        XCTAssertThrowsError(try BoxDownsampling(scale: 3).forward(try Tensor(zeros: TensorShape(batch: 1, height: 4, width: 6, channels: 3))))
        let mask = try Tensor(zeros: TensorShape(batch: 1, height: 4, width: 4, channels: 1))
        XCTAssertThrowsError(try PixelMask(mask: mask).forward(try Tensor(zeros: TensorShape(batch: 1, height: 5, width: 4, channels: 3))))
        XCTAssertThrowsError(try Grayscale().forward(try Tensor(zeros: TensorShape(batch: 1, height: 4, width: 4, channels: 1))))
        XCTAssertThrowsError(try IdentityMeasurement(measurementNoise: -1))
    }
}

extension GaussianNoise {
    /// A tensor of fresh samples from a copy of this generator.
    func tensorCopy(_ shape: TensorShape) throws -> Tensor {
        var copy = self
        return try copy.tensor(shape)
    }
}
