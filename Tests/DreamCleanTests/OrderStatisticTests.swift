// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamClean

/// `selectKthSmallest` against sorting: random arrays with and without repeats, all-equal, sorted and reversed ones.
final class OrderStatisticTests: XCTestCase {
    func testSelectionAgreesWithSorting() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for count in [1, 2, 3, 5, 17, 100, 1001] {
            for kind in 0..<5 {
                let values: [Float] = (0..<count).map { i in
                    switch kind {
                    case 0: Float(next() % 1_000_000)
                    case 1: Float(next() % 4)  // many repeats
                    case 2: 7
                    case 3: Float(i)
                    default: Float(count - i)
                    }
                }
                let sorted = values.sorted()
                for k in Set([0, count / 2, count - 1, Int(next() % UInt64(count))]) {
                    var scratch = values
                    XCTAssertEqual(scratch.selectKthSmallest(k), sorted[k], "count \(count), kind \(kind), k \(k)")
                }
                var scratch = values
                XCTAssertNil(scratch.selectKthSmallest(count))
            }
        }
    }
}
