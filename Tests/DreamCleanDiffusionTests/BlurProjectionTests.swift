// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanDiffusion

/// DDNM+ for blur, against a closed form: on the mirrored grid the cosine mode cos(πk(y + ½)/H) is an eigenvector of
/// the blur with eigenvalue K̂_k = Σ g(dy, dx) cos(πk dy / H), so the damped correction of x0 = 0 toward y = mode is
/// exactly (λ_k / K̂_k) mode, λ_k = min(1, σ_t K̂_k / σ_y), and 0 off the pass band K̂_k² ≤ 4σ_y².
/// Tolerance 1e-5: float32 FFTs of a 16x8 image.
final class BlurProjectionTests: XCTestCase {
    let (height, width) = (16, 8)

    func mode(_ k: Int) throws -> Tensor {
        try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 1), nhwc: (0..<height * width).map { i in
            Float(cos(Double.pi * Double(k) * (Double(i / width) + 0.5) / Double(height)))
        })
    }

    func eigenvalue(_ blur: Blur, _ k: Int) -> Double {
        let r = blur.kernelSize / 2
        return (0..<blur.kernel.count).reduce(0.0) { sum, i in
            sum + Double(blur.kernel[i]) * cos(Double.pi * Double(k) * Double(i / blur.kernelSize - r) / Double(height))
        }
    }

    func testEachFrequencyIsDampedOnItsOwn() throws {
        let (sigmaY, sigmaT) = (0.05, 0.02)
        let blur = try Blur.gaussian(sigma: 1.0, measurementNoise: sigmaY)
        let zero = try Tensor(zeros: TensorShape(batch: 1, height: height, width: width, channels: 1))
        var passed = 0, dropped = 0
        for k in [0, 2, 5, 9, 12, 15] {
            let y = try mode(k), gain = eigenvalue(blur, k)
            XCTAssertLessThanOrEqual(try blur.forward(y).maxAbsDifference(try TensorMath.combine(y, gain, y, 0)), 1e-5, "eigenvector k=\(k)")
            let expected = gain * gain > 4 * sigmaY * sigmaY ? min(1, sigmaT * gain / sigmaY) / gain : 0
            expected == 0 ? (dropped += 1) : (passed += 1)
            let (x0, injected) = try blur.noisyProjection(zero, onto: y, noiseLevel: sigmaT)
            XCTAssertLessThanOrEqual(try x0.maxAbsDifference(try TensorMath.combine(y, expected, y, 0)), 1e-5, "k=\(k)")
            // Every passed frequency is damped here (σ_t < σ_y), so each carries noise of exactly σ_t.
            XCTAssertEqual(injected, sigmaT * sigmaT, accuracy: 1e-7)
        }
        XCTAssertGreaterThan(passed, 2)
        XCTAssertGreaterThan(dropped, 0)
    }

    func testLargeNoiseLevelIsThePlainProjection() throws {
        let blur = try Blur.gaussian(sigma: 1.0, measurementNoise: 0.05)
        var generator = GaussianNoise(seed: 5)
        let shape = TensorShape(batch: 1, height: height, width: width, channels: 3)
        let (x0, y) = (try generator.tensor(shape), try generator.tensor(shape))
        let (damped, injected) = try blur.noisyProjection(x0, onto: y, noiseLevel: 100)
        XCTAssertLessThanOrEqual(try damped.maxAbsDifference(try blur.project(x0, onto: y)), 1e-4)
        XCTAssertLessThanOrEqual(injected, 0.25 + 1e-6)  // at most (σ_y / 2σ_y)² = 1/4: the pass band's edge
        XCTAssertGreaterThan(injected, 0.05 * 0.05)  // some passed frequency is weaker than 1
        let (none, zeroInjected) = try blur.noisyProjection(x0, onto: y, noiseLevel: 0)
        XCTAssertLessThanOrEqual(try none.maxAbsDifference(x0), 1e-6)
        XCTAssertEqual(zeroInjected, 0)
    }
}
