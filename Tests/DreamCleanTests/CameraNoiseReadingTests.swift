// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
@testable import DreamClean

/// Blind mode's camera-noise reading (`BlindReading.cameraNoiseSigma`) on colour images whose noise is known: colour
/// noise spread over 3x3 pixels as demosaicing spreads a camera's takes the camera path (the plan of
/// `--noise-model camera` at the level read); white colour noise, the same spread noise in every channel (no colour)
/// and a smooth clean image do not; and the `camera_noise` switch turns the reading off.
final class CameraNoiseReadingTests: XCTestCase {
    let size = 96
    let schedule = try! NoiseSchedule(kind: .linear)

    /// A 96x96 RGB float image: a smooth colour ramp plus noise of `sigma` (0-255 units), independent per channel
    /// unless `sameInEveryChannel`, and spread over 3x3 neighbourhoods as bilinear demosaicing spreads it when `spread`.
    func image(sigma: Float, spread: Bool, sameInEveryChannel: Bool = false) -> [Float] {
        var noise = GaussianNoise(seed: 5)
        let planes = (0..<(sameInEveryChannel ? 1 : 3)).map { _ in (0..<size * size).map { _ in noise.next() } }
        func value(_ plane: [Float], _ y: Int, _ x: Int) -> Float {
            guard spread else { return plane[y * size + x] }
            var sum: Float = 0
            for dy in -1...1 {
                for dx in -1...1 {
                    let weight = Float((2 - abs(dy)) * (2 - abs(dx)))  // (1 2 1) x (1 2 1), as bilinear demosaicing
                    sum += weight * plane[min(max(y + dy, 0), size - 1) * size + min(max(x + dx, 0), size - 1)]
                }
            }
            return sum / 6  // the weights' root sum of squares: the noise keeps its σ
        }
        return (0..<size * size * 3).map { i in
            let (pixel, c) = (i / 3, i % 3)
            let (y, x) = (pixel / size, pixel % size)
            let ramp = 0.3 + 0.1 * Float(c) + 0.002 * Float(x + y)
            return ramp + sigma / 255 * value(planes[sameInEveryChannel ? 0 : c], y, x)
        }
    }

    func reading(_ pixels: [Float], readsCameraNoise: Bool = true) -> BlindReading {
        var pixels = pixels
        return pixels.withUnsafeMutableBytes { raw in
            BlindReading(of: try! ImageBuffer(base: raw.baseAddress!, width: size, height: size, channels: 3, format: .float32),
                         readsCameraNoise: readsCameraNoise)
        }
    }

    func testSpreadColourNoiseReadsAsACameraAndOtherNoiseDoesNot() throws {
        let camera = reading(image(sigma: 8, spread: true))
        let noise = try XCTUnwrap(camera.camera)
        // Spread noise has a ninth of its power at the finest scale: its colour reads several times higher one scale up.
        XCTAssertGreaterThan(noise.coarseChromaSigma, CameraNoiseReading.coarseRatio * noise.chromaSigma)
        let level = try XCTUnwrap(camera.cameraNoiseSigma)
        // No texture: the noise fades two scales coarser (the colour reads 1.54 times the coarse reading there, the
        // channels 1.67), so the level is nearly the full share of the coarse colour reading: 7.3 for the true 8.
        let full = CameraNoiseReading.levelPerCoarseChroma * noise.coarseChromaSigma
        XCTAssertTrue((0.9 * full...full).contains(level), "\(level) of \(full)")
        XCTAssertTrue((6...8).contains(level), "\(level)")
        XCTAssertNil(camera.blurSigma)
        XCTAssertTrue(camera.summary.hasPrefix("camera noise (colour noise spread over neighbouring pixels"), camera.summary)

        // The same noise on colour stripes 16 pixels apart: texture that grows two scales coarser lowers the level.
        var striped = image(sigma: 8, spread: true)
        for i in striped.indices { striped[i] += 0.08 * Float(sin(Double(i / 3 % size) * .pi / 8 + Double(i % 3))) }
        let textured = reading(striped)
        let texturedNoise = try XCTUnwrap(textured.camera)
        XCTAssertLessThan(try XCTUnwrap(texturedNoise.level), CameraNoiseReading.levelPerCoarseChroma * texturedNoise.coarseChromaSigma)

        let white = reading(image(sigma: 8, spread: false))
        XCTAssertEqual(try XCTUnwrap(white.camera).chromaSigma, 8, accuracy: 0.8)
        XCTAssertEqual(try XCTUnwrap(white.camera).coarseChromaSigma, 8, accuracy: 1.2)
        XCTAssertNil(white.cameraNoiseSigma)
        XCTAssertNil(reading(image(sigma: 8, spread: true, sameInEveryChannel: true)).cameraNoiseSigma)  // no colour noise
        XCTAssertNil(reading(image(sigma: 0, spread: false)).cameraNoiseSigma)
        let off = reading(image(sigma: 8, spread: true), readsCameraNoise: false)
        XCTAssertNil(off.cameraNoiseSigma)
        XCTAssertNil(off.camera)
    }

    /// The plan blind mode makes from a camera reading is the camera model's at that level; paper and the switch turn
    /// the reading off, which leaves the white-noise path.
    func testBlindTakesTheCameraModelsPathWhereItReadsOne() throws {
        let camera = reading(image(sigma: 8, spread: true))
        let level = try XCTUnwrap(camera.cameraNoiseSigma)
        let layerReading = LayerReading(noiseLevel: NoiseScale.model(fromPixels: camera.noiseSigma), blind: camera)
        let blind = RestorationPlan.layer(BlindTask(), RestoreOptions(task: .blind), layerReading, schedule, smallestSide: size)
        var denoise = RestoreOptions(task: .denoise)
        denoise.noiseModel = .camera
        denoise.noiseSigma = level
        let known = RestorationPlan.layer(DenoiseTask(), denoise, LayerReading(noiseLevel: 0), schedule, smallestSide: size)
        XCTAssertEqual(blind.subsampling, 2)
        XCTAssertEqual(blind.problem, known.problem)
        XCTAssertEqual(blind.noiseLevel, known.noiseLevel, accuracy: 1e-12)
        XCTAssertEqual(blind.run, known.run)
        XCTAssertFalse(blind.unclips)

        // The camera model with no level given takes the same level from the colour.
        denoise.noiseSigma = nil
        var pixels = image(sigma: 8, spread: true)
        let estimated = pixels.withUnsafeMutableBytes { raw in
            LayerReading(of: try! ImageBuffer(base: raw.baseAddress!, width: size, height: size, channels: 3, format: .float32),
                         alpha: false, needs: DenoiseTask().reads(denoise), mask: nil, leastRemovableNoise: 0)
        }
        XCTAssertEqual(estimated.camera?.level, level)
        XCTAssertEqual(RestorationPlan.layer(DenoiseTask(), denoise, estimated, schedule, smallestSide: size).noiseLevel, known.noiseLevel, accuracy: 1e-12)

        XCTAssertEqual(BlindTask().reads(RestoreOptions(task: .blind)), .blind(readsBlur: true, readsCameraNoise: true))
        XCTAssertEqual(BlindTask().reads(RestoreOptions(task: .blind, preset: .paper)), .blind(readsBlur: false, readsCameraNoise: false))
        var off = RestoreOptions(task: .blind)
        let parameter = try RestoreParameter.named("camera_noise")
        parameter.store(&off, try parameter.parse("off"))
        XCTAssertEqual(BlindTask().reads(off), .blind(readsBlur: true, readsCameraNoise: false))
    }
}
