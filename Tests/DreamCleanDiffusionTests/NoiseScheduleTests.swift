// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamCleanDiffusion

final class NoiseScheduleTests: XCTestCase {
    /// ᾱ_t against the product written out (linear: β_t = 1e-4 + (0.02 − 1e-4)·t/999).
    func testLinearMatchesClosedForm() throws {
        let schedule = try NoiseSchedule(kind: .linear)
        var product = 1.0
        for t in 0..<1000 {
            product *= 1 - (1e-4 + (0.02 - 1e-4) * Double(t) / 999)
            if [0, 1, 250, 999].contains(t) { XCTAssertEqual(schedule.alphaBar(t), product, accuracy: 1e-12) }
        }
        XCTAssertEqual(schedule.alphaBar(-1), 1)
        XCTAssertEqual(schedule.alphaBar(999), 4.036e-5, accuracy: 1e-7)  // the familiar DDPM value
    }

    func testCosineAndScaledLinear() throws {
        let cosine = try NoiseSchedule(kind: .cosine)
        let f = { (t: Double) in pow(cos((t / 1000 + 0.008) / 1.008 * .pi / 2), 2) }
        XCTAssertEqual(cosine.alphaBar(499), f(500) / f(0), accuracy: 1e-9)
        let scaled = try NoiseSchedule(kind: .scaledLinear, betaStart: 0.00085, betaEnd: 0.012)
        XCTAssertEqual(scaled.alphaBar(0), 1 - 0.00085, accuracy: 1e-12)
        XCTAssertTrue(zip(scaled.alphaBars, scaled.alphaBars.dropFirst()).allSatisfy { $0 > $1 })
    }

    /// Schedules whose ᾱ leaves (0, 1), stops falling or underflows are refused: they loaded once and made every
    /// result NaN. The shipped kinds, cosine with its tiny last ᾱ among them, load.
    func testDegenerateSchedulesAreRefused() throws {
        XCTAssertGreaterThanOrEqual(try NoiseSchedule(kind: .cosine).alphaBar(999), NoiseSchedule.smallestAlphaBar)
        for (start, end) in [(0.5, 0.5), (0.999999, 0.9999999), (1e-300, 1e-300), (0.05, 0.05)] {
            XCTAssertThrowsError(try NoiseSchedule(kind: .linear, betaStart: start, betaEnd: end), "\(start)...\(end)") { error in
                guard case .invalidOption("schedule", _, _)? = error as? DiffusionError else { return XCTFail("\(error)") }
            }
        }
        XCTAssertNoThrow(try NoiseSchedule(kind: .linear, betaStart: 0.5, betaEnd: 0.5, timesteps: 20))
    }

    func testTimestepForNoiseLevel() throws {
        let schedule = try NoiseSchedule(kind: .linear)
        XCTAssertEqual(schedule.timestep(forNoiseLevel: 0), -1)
        for t in [5, 40, 300] { XCTAssertEqual(schedule.timestep(forNoiseLevel: schedule.noiseLevel(t)), t) }
    }

    func testRejectsBadParameters() {
        XCTAssertThrowsError(try NoiseSchedule(kind: .linear, betaStart: 0.5, betaEnd: 0.1))
        XCTAssertThrowsError(try NoiseSchedule(kind: .linear, timesteps: 1))
        XCTAssertThrowsError(try NoiseSchedule(kind: .linear, betaStart: 0, betaEnd: 0.02))
    }
}
