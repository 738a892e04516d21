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
}
