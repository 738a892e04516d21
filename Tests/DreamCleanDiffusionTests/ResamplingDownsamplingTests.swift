// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanDiffusion

/// The bicubic and Lanczos SR operators: A against PIL's antialiased reduction, a caller's taps against a direct sum,
/// A A⁺ = I, box equal to `BoxDownsampling`, the noisy projection's damping, and the taps refused.
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

    /// A Gaussian of σ = 0.5 · scale, sampled on the scale's parity: 4 · scale taps (even scale) or 4 · scale + 1 (odd).
    static func gaussianTaps(scale: Int) -> [Float] {
        let count = 4 * scale + (scale % 2)
        return (0..<count).map { i in
            let d = Double(i) - Double(count - 1) / 2
            return Float(exp(-d * d / (2 * 0.25 * Double(scale * scale))))
        }
    }

    /// A caller's taps: each output sample is Σ_i Σ_j h_i h_j x[mirror(m·s + first + i), mirror(n·s + first + j)] with
    /// first = (s − count) / 2 and the half-sample mirror, summed here in Double over the whole image, edges
    /// included. Tolerance 1e-5 (float32 sums of 64 products).
    func testCallerTapsAgainstADirectSum() throws {
        let x = try pattern()
        for scale in [3, 4] {
            let taps = Self.gaussianTaps(scale: scale)
            let h = taps.map { Double($0) / taps.reduce(0) { $0 + Double($1) } }
            let low = try ResamplingDownsampling(scale: scale, filter: .taps(taps)).forward(x)
            let first = (scale - taps.count) / 2, size = 48 / scale
            let mirror = { (i: Int) -> Int in let k = ((i % 96) + 96) % 96; return k < 48 ? k : 95 - k }
            for m in 0..<size {
                for n in 0..<size {
                    var sum = 0.0
                    for i in h.indices {
                        for j in h.indices {
                            sum += h[i] * h[j] * Double(x.data[mirror(m * scale + first + i) * 48 + mirror(n * scale + first + j)])
                        }
                    }
                    XCTAssertEqual(Double(low.data[m * size + n]), sum, accuracy: 1e-5, "x\(scale) (\(m), \(n))")
                }
            }
        }
    }

    /// A A⁺ y = y and A⁺ A A⁺ = A⁺ (a generalized inverse: what DDNM's projection needs), for every named kernel and for
    /// a caller's Gaussian taps. Tolerance 1e-4: float32 FFTs.
    func testPseudoInverse() throws {
        var noise = GaussianNoise(seed: 5)
        for scale in [2, 3, 4] {
            let filters = ResamplingDownsampling.Kernel.allCases.map { ResamplingDownsampling.Filter.named($0) }
                + [.taps(Self.gaussianTaps(scale: scale))]
            for kernel in filters {
                let a = try ResamplingDownsampling(scale: scale, filter: kernel)
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

    /// Taps that are empty, too many, non-finite, of zero sum, not symmetric or of the wrong parity are refused, each
    /// saying why.
    func testBadTapsAreRefused() throws {
        let cases: [([Float], Int, String)] = [
            ([], 2, "0 taps"), ([Float](repeating: 1, count: 1026), 2, "1026 taps"), ([1, .nan, 1], 3, "non-finite"),
            ([1, -2, 1], 3, "sum"), ([1, 2, 3, 4], 2, "not symmetric"), ([1, 2, 1], 2, "even count"),
        ]
        for (taps, scale, words) in cases {
            let problem = try XCTUnwrap(ResamplingDownsampling.tapsProblem(taps, scale: scale), "\(taps.prefix(4))")
            XCTAssertTrue(problem.contains(words), problem)
            XCTAssertThrowsError(try ResamplingDownsampling(scale: scale, filter: .taps(taps)))
        }
        XCTAssertNil(ResamplingDownsampling.tapsProblem([1, 2, 2, 1], scale: 2))
    }
}
