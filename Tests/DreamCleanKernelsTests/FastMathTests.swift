// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamCleanKernels

final class FastMathTests: XCTestCase {
    /// exp8 against libm over the range the kernels use: relative error below 3e-7.
    func testExpMatchesLibm() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let got = Double(exp8(SIMD8(repeating: x))[0]), want = Foundation.exp(Double(x))
            worst = max(worst, abs(got - want) / want)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
    }
}
