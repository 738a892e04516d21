// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
import DreamCleanDiffusion
@testable import DreamClean

/// The quality preset's mirror ensemble against the mean written out by hand.
final class FlipEnsembleTests: XCTestCase {
    func testMirroringIsItsOwnInverseAndMovesPixels() throws {
        let x = try Tensor(shape: TensorShape(batch: 1, height: 3, width: 4, channels: 2), nhwc: (0..<24).map { Float($0) })
        let both = try FlipEnsemble.mirrored(x, horizontal: true, vertical: true)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: both.data, count: 2)), [22, 23])  // the last pixel comes first
        XCTAssertEqual(try FlipEnsemble.mirrored(both, horizontal: true, vertical: true).maxAbsDifference(x), 0)
        let left = try FlipEnsemble.mirrored(x, horizontal: true, vertical: false)
        XCTAssertEqual(left.data[0], 6)  // row 0, column 3, channel 0
    }

    func testThePredictionIsTheMeanOfTheFourMirroredPredictions() throws {
        let (height, width) = (5, 6)
        var noise = GaussianNoise(seed: 2)
        let x = try Tensor(shape: TensorShape(batch: 1, height: height, width: width, channels: 3),
                           nhwc: (0..<height * width * 3).map { _ in noise.next() })
        // Not mirror-equivariant: each output depends on its position and its right-hand neighbour.
        func eps(_ x: Tensor, _ t: Int) throws -> Tensor {
            let out = try Tensor(uninitialized: x.shape)
            for y in 0..<height {
                for col in 0..<width {
                    for c in 0..<3 {
                        let i = (y * width + col) * 3 + c
                        let right = (y * width + min(col + 1, width - 1)) * 3 + c
                        out.data[i] = x.data[i] * Float(col + 1) + 0.5 * x.data[right] + Float(y * t)
                    }
                }
            }
            return out
        }
        let ensemble = try FlipEnsemble.predict(x, 3, eps: eps)
        var expected = [Float](repeating: 0, count: x.count)
        for (h, v) in [(false, false), (true, false), (false, true), (true, true)] {
            let back = try FlipEnsemble.mirrored(try eps(try FlipEnsemble.mirrored(x, horizontal: h, vertical: v), 3), horizontal: h, vertical: v)
            for i in 0..<x.count { expected[i] += back.data[i] / 4 }
        }
        XCTAssertLessThanOrEqual(ensemble.maxAbsDifference(try Tensor(shape: x.shape, nhwc: expected)), 1e-5)
        XCTAssertGreaterThan(ensemble.maxAbsDifference(try eps(x, 3)), 0.1)  // the mean is not the plain prediction
    }
}
