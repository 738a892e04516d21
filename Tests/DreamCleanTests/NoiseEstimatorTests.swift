// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamClean
import DreamCleanDiffusion

/// The noise reading against closed forms: white noise in colour is read at its level, texture the channels share is
/// held to twice what the channel differences read, and a gray image kept in colour is read as it was before.
final class NoiseEstimatorTests: XCTestCase {
    /// A deterministic texture in [-0.5, 0.5], independent from pixel to pixel.
    private func texture(_ count: Int, seed: UInt64) -> [Float] {
        var noise = GaussianNoise(seed: seed)
        return (0..<count).map { _ in min(max(noise.next() / 4, -0.5), 0.5) }
    }

    private func sigma(_ samples: [Float], width: Int, height: Int, channels: Int) throws -> Double {
        var copy = samples
        return try copy.withUnsafeMutableBufferPointer { raw in
            NoiseEstimator.sigma(of: try ImageBuffer(base: raw.baseAddress!, width: width, height: height, channels: channels, format: .float32))
        }
    }

    /// Per-channel white noise of 0.04 (about 10/255) on a colour ramp: read within 5% (the median's spread on 96x96).
    func testWhiteNoiseInColourIsReadAtItsLevel() throws {
        var noise = GaussianNoise(seed: 11)
        let samples = (0..<96 * 96 * 3).map { (i: Int) -> Float in
            let ramp = Float(i % 288) / 288 * 0.3, offset = Float(i % 3) * 0.1
            return 0.3 + ramp + offset + 0.04 * noise.next()
        }
        XCTAssertEqual(try sigma(samples, width: 96, height: 96, channels: 3), 0.08, accuracy: 0.004)  // [-1, 1] units
    }

    /// Texture T scaled by 1, 0.8 and 0.6 in the three channels: the whole reading is 0.8 s (s: T's reading as a gray
    /// image), the channel differences read (0.2 + 0.2 + 0.4) / 3 / √2 s, and the reading is twice that, exactly (a
    /// median of |g HH| is g times the median of |HH|).
    func testTextureTheChannelsShareIsHeldToTwiceTheChannelDifferences() throws {
        let size = 64, t = texture(size * size, seed: 3)
        let gains: [Float] = [1, 0.8, 0.6]
        let colour = (0..<size * size * 3).map { (i: Int) -> Float in 0.5 + gains[i % 3] * t[i / 3] / 2 }
        let gray = t.map { 0.5 + $0 / 2 }
        let s = try sigma(gray, width: size, height: size, channels: 1)
        XCTAssertGreaterThan(s, 0.1)
        XCTAssertEqual(try sigma(colour, width: size, height: size, channels: 3) / s, 2 * 0.8 / 3 / 2.0.squareRoot(), accuracy: 1e-4)
    }

    /// A gray image kept in colour has no channel differences to read; its noise (the same in every channel) is read
    /// from the channels, as a one-channel image's is.
    func testGrayKeptInColourIsReadFromItsChannels() throws {
        let size = 48, t = texture(size * size, seed: 4)
        let gray = t.map { 0.5 + $0 / 4 }
        let colour = gray.flatMap { [$0, $0, $0] }
        XCTAssertEqual(try sigma(colour, width: size, height: size, channels: 3), try sigma(gray, width: size, height: size, channels: 1), accuracy: 1e-9)
        XCTAssertGreaterThan(try sigma(colour, width: size, height: size, channels: 3), 0.05)
    }

    /// Images with no 2x2 block, or too few to read the channel differences: defined readings.
    func testSmallImagesHaveDefinedReadings() throws {
        let row = texture(64 * 3, seed: 5).map { 0.5 + $0 / 4 }
        XCTAssertEqual(try sigma(row, width: 64, height: 1, channels: 3), 0)
        let tiny = texture(8 * 8 * 3, seed: 6).map { 0.5 + $0 / 4 }
        XCTAssertTrue(try sigma(tiny, width: 8, height: 8, channels: 3).isFinite)
        XCTAssertEqual(try sigma([0.5, 0.5, 0.5], width: 1, height: 1, channels: 3), 0)
    }
}
