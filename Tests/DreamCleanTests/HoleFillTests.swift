// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
import DreamCleanDiffusion
@testable import DreamClean

/// Inpainting's start, against closed forms: a fill from the known pixels keeps a constant image constant, and a
/// linear ramp is harmonic, so Laplace's equation with the known pixels as boundary gives the ramp back.
final class HoleFillTests: XCTestCase {
    let (height, width) = (24, 20)

    func image(_ f: (Int, Int) -> Float) throws -> Tensor {
        try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 2),
                   nhwc: (0..<height * width).flatMap { p in [f(p / width, p % width), -f(p / width, p % width)] })
    }

    func mask(_ known: (Int, Int) -> Bool) throws -> Tensor {
        try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 1),
                   nhwc: (0..<height * width).map { known($0 / width, $0 % width) ? 1 : 0 })
    }

    func testConstantStaysConstantAroundABlock() throws {
        let truth = try image { _, _ in 0.25 }
        let holes = try mask { y, x in !(4..<18).contains(y) || !(3..<15).contains(x) }
        let filled = try truth.copy()
        for p in 0..<height * width where holes.data[p] == 0 { filled.data[2 * p] = 9; filled.data[2 * p + 1] = 9 }
        try HoleFill.fill(filled, mask: holes, fallback: [0, 0])
        XCTAssertLessThanOrEqual(filled.maxAbsDifference(truth), 1e-6)
    }

    func testRampIsRecoveredFromHalfThePixels() throws {
        let truth = try image { y, x in 0.03 * Float(x) - 0.02 * Float(y) + 0.1 }
        var generator = GaussianNoise(seed: 3)
        let random = (0..<height * width).map { _ in generator.next() > 0 }
        // Known everywhere on the border: the mirrored border of the Jacobi sweeps is not linear.
        let holes = try mask { y, x in y == 0 || x == 0 || y == height - 1 || x == width - 1 || random[y * width + x] }
        let filled = try truth.copy()
        for p in 0..<height * width where holes.data[p] == 0 { filled.data[2 * p] = 0; filled.data[2 * p + 1] = 0 }
        try HoleFill.fill(filled, mask: holes, fallback: [0, 0])
        // Tolerance 2e-3 (the ramp spans 0.9): 40 Jacobi sweeps from the push-pull estimate, not the exact solve.
        XCTAssertLessThanOrEqual(filled.maxAbsDifference(truth), 2e-3)
    }

    func testNothingKnownGivesTheFallback() throws {
        let filled = try image { _, _ in 0.5 }
        try HoleFill.fill(filled, mask: try mask { _, _ in false }, fallback: [0.1, -0.2])
        XCTAssertEqual(filled.data[0], 0.1)
        XCTAssertEqual(filled.data[2 * (height * width) - 1], -0.2)
        XCTAssertThrowsError(try HoleFill.fill(filled, mask: try mask { _, _ in true }, fallback: [0]))
    }
}
