// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
@testable import DreamClean

final class TilingTests: XCTestCase {
    func image(_ h: Int, _ w: Int, _ value: (Int, Int, Int) -> Float) throws -> Tensor {
        let x = try Tensor(uninitialized: TensorShape(batch: 1, height: h, width: w, channels: 3))
        for y in 0..<h { for xx in 0..<w { for c in 0..<3 { x.data[(y * w + xx) * 3 + c] = value(y, xx, c) } } }
        return x
    }

    /// With a receptive field (1 pixel) inside overlap/4, tiled evaluation equals the untiled one (tolerance 1e-6:
    /// blending weights that sum to 1 on identical values).
    func testTiledEqualsUntiledForALocalNetwork() throws {
        let x = try image(83, 70) { y, xx, c in sin(Float(y) * 0.3 + Float(c)) * cos(Float(xx) * 0.2) * 0.8 }
        let whole = TiledPredictor(network: LocalContrastNetwork(), tileSize: 4096, overlap: 16) {}
        let tiled = TiledPredictor(network: LocalContrastNetwork(), tileSize: 32, overlap: 16) {}
        XCTAssertGreaterThan(TileLayout(length: 84, tile: 32, overlap: 16).starts.count, 2, "the test must cross tile borders")
        let a = try whole(x, 100), b = try tiled(x, 100)
        XCTAssertLessThanOrEqual(a.maxAbsDifference(b), 1e-6)
    }

    /// A smooth ramp restored with tiles shows no step at the tile borders: every difference between neighbouring
    /// pixels stays within 1e-4 of the ramp's own. (The toy network's zero padding bends the image near its edges, by
    /// one pixel more per evaluation, so the 20 pixels at either end and the 10 rows at the top and bottom are not
    /// checked; the tile borders, every 20 pixels, are.)
    func testRampShowsNoSeam() throws {
        let (h, w) = (40, 100)
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let bytes = UnsafeMutablePointer<Float>.allocate(capacity: h * w * 3)
        defer { bytes.deallocate() }
        for y in 0..<h { for x in 0..<w { for c in 0..<3 { bytes[(y * w + x) * 3 + c] = 0.2 + 0.6 * Float(x) / Float(w - 1) } } }
        let buffer = try ImageBuffer(base: bytes, width: w, height: h, channels: 3, format: .float32)
        var options = RestoreOptions(task: .blind)
        options.steps = 5
        options.strength = 0.2
        options.gamma = 0
        options.seed = 3
        options.tileSize = 32
        options.tileOverlap = 12
        try restorer.restore(input: buffer, output: buffer, options: options)
        let step = 0.6 / Float(w - 1)
        var worst: Float = 0
        for y in 10..<h - 10 {
            for x in 20..<w - 21 { worst = max(worst, abs(bytes[(y * w + x + 1) * 3] - bytes[(y * w + x) * 3] - step)) }
        }
        XCTAssertLessThan(worst, 1e-4)
    }
}
