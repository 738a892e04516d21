// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamCleanKernels
import CDreamCleanKernels

final class FastMathTests: XCTestCase {
    /// The kernels' exp (Cephes', `exp_cephes.h`) against libm over the range they use: relative error below 3e-7.
    func testExpMatchesLibm() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let got = Double(dc_expf(x)), want = Foundation.exp(Double(x))
            worst = max(worst, abs(got - want) / want)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
    }

    /// The f16 conversions against Swift's `Float16` (IEEE round to nearest, ties to even): normal values, ties, f16's
    /// subnormals, values past its range (to infinity), and the exactness flag, which holds only when every value
    /// came back unchanged.
    func testHalfPrecisionConversions() {
        var values: [Float] = [0, -0, 1, -2.5, 65504, 65520, 1e6, -1e6, 6.1e-5, 5.96e-8, 3e-8, 1e-9, .infinity, -.infinity]
        values += [1 + 1.0 / 2048, 1 + 3.0 / 2048, 0.1, 1.0 / 3]  // ties to even, and values f16 cannot hold
        var state: UInt64 = 7
        for _ in 0..<4096 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Float(Int64(bitPattern: state >> 11) % 2_000_003) / 1000 - 1000)
        }
        var half = [UInt16](repeating: 0, count: values.count)
        XCTAssertEqual(dc_f32_to_f16(values, &half, values.count), 0, "0.1 is not an f16 value")
        XCTAssertEqual(half, values.map { Float16($0).bitPattern })
        var wide = [Float](repeating: .nan, count: values.count)
        dc_f16_to_f32(half, &wide, half.count)
        XCTAssertEqual(wide, values.map { Float(Float16($0)) })
        var again = [UInt16](repeating: 0, count: wide.count)
        XCTAssertEqual(dc_f32_to_f16(wide, &again, wide.count), 1, "f16 values survive the round trip")
        XCTAssertEqual(dc_f32_to_f16([.nan], &again, 1), 0, "a NaN counts as changed")
    }
}
