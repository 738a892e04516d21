// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanDiffusion

/// The bicubic and Lanczos SR operators: A against PIL's antialiased reduction, A A⁺ = I, box equal to
/// `BoxDownsampling`, and the noisy projection's damping.
final class ResamplingDownsamplingTests: XCTestCase {
    /// A smooth 48x48 pattern, one channel.
    func pattern() throws -> Tensor {
        try Tensor(shape: TensorShape(batch: 1, height: 48, width: 48, channels: 1), nhwc: (0..<48 * 48).map { i in
            let (y, x) = (Double(i / 48), Double(i % 48))
            return Float(sin(0.37 * x) + cos(0.23 * y) + 0.01 * x * y / 48)
        })
    }

    /// PIL 10.x, `Image.fromarray(pattern, "F").resize((12, 12), filter, reducing_gap=None)`, a 3x3 block away from
    /// the edges (PIL renormalizes its window at the border where this operator mirrors; inside they agree).
    /// Tolerance 2e-5: float32 sums over 16 and 24 taps.
    func testMatchesPILInside() throws {
        let references: [(ResamplingDownsampling.Kernel, Int, [Float])] = [
            (.bicubic, 2, [-0.89948, -1.45769, -0.35565, -1.31107, -1.86594, -0.76057, -0.94138, -1.49292, -0.38421]),
            (.lanczos, 3, [-1.94031, -0.76287, 0.06327, -1.56209, -0.38132, 0.44816, -0.68067, 0.50343, 1.33624]),
        ]
        for (kernel, origin, expected) in references {
            let low = try ResamplingDownsampling(scale: 4, kernel: kernel).forward(try pattern())
            for (k, value) in expected.enumerated() {
                XCTAssertEqual(low.data[(origin + k / 3) * 12 + origin + k % 3], value, accuracy: 2e-5, "\(kernel) \(k)")
            }
        }
    }

    /// A A⁺ y = y and A⁺ A A⁺ = A⁺ (a generalized inverse: what DDNM's projection needs). Tolerance 1e-4: float32 FFTs.
    func testPseudoInverse() throws {
        var noise = GaussianNoise(seed: 5)
        for kernel in ResamplingDownsampling.Kernel.allCases {
            for scale in [2, 3, 4] {
                let a = try ResamplingDownsampling(scale: scale, kernel: kernel)
                let y = try Tensor(shape: TensorShape(batch: 1, height: 5, width: 7, channels: 3), nhwc: (0..<105).map { _ in noise.next() })
                let inverse = try a.pseudoInverse(y)
                XCTAssertEqual(inverse.shape, TensorShape(batch: 1, height: 5 * scale, width: 7 * scale, channels: 3))
                XCTAssertLessThan(try a.forward(inverse).maxAbsDifference(y), 1e-4, "\(kernel) x\(scale)")
                XCTAssertLessThan(try a.pseudoInverse(try a.forward(inverse)).maxAbsDifference(inverse), 1e-4, "\(kernel) x\(scale)")
            }
        }
    }

    /// Box through this operator is `BoxDownsampling`: A, A⁺ and the damped projection (whose one λ = min(1, σ_t / σ_y)
    /// is the per-frequency one when every ρ is 1). Tolerance 1e-5.
    func testBoxIsTheBlockMean() throws {
        var noise = GaussianNoise(seed: 6)
        let x = try Tensor(shape: TensorShape(batch: 1, height: 12, width: 9, channels: 2), nhwc: (0..<216).map { _ in noise.next() })
        let (ours, box) = (try ResamplingDownsampling(scale: 3, kernel: .box, measurementNoise: 0.2),
                           try BoxDownsampling(scale: 3, measurementNoise: 0.2))
        let y = try box.forward(x)
        XCTAssertLessThan(try ours.forward(x).maxAbsDifference(y), 1e-5)
        XCTAssertLessThan(try ours.pseudoInverse(y).maxAbsDifference(try box.pseudoInverse(y)), 1e-5)
        let x0 = try Tensor(shape: x.shape, nhwc: (0..<216).map { _ in noise.next() })
        let (damped, variance) = try ours.noisyProjection(x0, onto: y, noiseLevel: 0.05)
        let (expected, expectedVariance) = try box.noisyProjection(x0, onto: y, noiseLevel: 0.05)
        XCTAssertLessThan(try damped.maxAbsDifference(expected), 1e-5)
        XCTAssertEqual(variance, expectedVariance, accuracy: 1e-7)
    }

    /// With σ_t far above σ_y every λ is 1: the damped projection is the plain one and the result meets y.
    func testLargeNoiseLevelIsThePlainProjection() throws {
        var noise = GaussianNoise(seed: 7)
        let a = try ResamplingDownsampling(scale: 2, kernel: .bicubic, measurementNoise: 0.01)
        let x0 = try Tensor(shape: TensorShape(batch: 1, height: 8, width: 8, channels: 1), nhwc: (0..<64).map { _ in noise.next() })
        let y = try Tensor(shape: TensorShape(batch: 1, height: 4, width: 4, channels: 1), nhwc: (0..<16).map { _ in noise.next() })
        let (damped, _) = try a.noisyProjection(x0, onto: y, noiseLevel: 100)
        XCTAssertLessThan(try damped.maxAbsDifference(try a.project(x0, onto: y)), 1e-5)
        XCTAssertLessThan(try a.forward(damped).maxAbsDifference(y), 1e-4)
    }
}
