// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
@testable import DreamClean

/// The tiles a restoration asks for (`TileChoice`), the convolutions' reach they are bounded by, and the warning when
/// memory makes them smaller.
final class TileChoiceTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Models")

    func choice(_ hint: ModelTilingHint, tile: Int? = nil, overlap: Int? = nil) throws -> TileChoice {
        var options = RestoreOptions()
        options.tileSize = tile
        options.tileOverlap = overlap
        return try TileChoice(options: options, hint: hint)
    }

    /// The power of two at least twice the training crops (at least 64), else 512; the overlap the reach, at most 64
    /// and an eighth of the tile; what the options give wins, and an overlap of half the tile is refused by name.
    func testTheTileFollowsTheTrainingSizeAndTheOverlapTheReach() throws {
        for (training, reach, tile, overlap) in [(48, 198, 128, 16), (256, 198, 512, 64), (20, 198, 64, 8), (64, 10, 128, 10), (100, 198, 256, 32)] {
            let chosen = try choice(ModelTilingHint(trainingSize: training, reach: reach))
            XCTAssertEqual([chosen.tile, chosen.overlap], [tile, overlap], "training \(training), reach \(reach)")
        }
        let unstated = try choice(ModelTilingHint())
        XCTAssertEqual([unstated.tile, unstated.overlap], [512, 64])
        let given = try choice(ModelTilingHint(trainingSize: 48, reach: 198), tile: 96)
        XCTAssertEqual([given.tile, given.overlap], [96, 12])
        XCTAssertEqual(try choice(ModelTilingHint(trainingSize: 48), overlap: 8).overlap, 8)
        XCTAssertThrowsError(try choice(ModelTilingHint(trainingSize: 48), overlap: 64)) { error in
            XCTAssertTrue("\(error)".contains("tile_overlap"), "\(error)")
        }
    }

    /// The reach by hand (radius: each 3x3 convolution adds one feature pixel at its level's jump). Default model, 4
    /// levels of 2 blocks, strided down, convolution up: 1 + (4 + 1) + (8 + 2) + (16 + 4) + 32 down, 32 middle,
    /// 48 + 4, 24 + 2, 12 + 1, 6 up, 1 out = 198. adm-tiny, 3 levels of 1 block, resblocks down and up: 1 + (2 + 1 + 4) +
    /// (4 + 2 + 8) + 8, 16, 16 + 4, 8 + 2, 4, 1 = 81.
    func testTheConvolutionsReach() throws {
        XCTAssertEqual(try ModelConfig.load(folder: models.appendingPathComponent("default").path).unet.convolutionReach, 198)
        XCTAssertEqual(try ModelConfig.load(folder: fixtures.appendingPathComponent("adm-tiny").path).unet.convolutionReach, 81)
        XCTAssertEqual(try ModelConfig.load(folder: models.appendingPathComponent("default").path).tiling?.trainingSize, 48)
    }

    /// A network whose activations grow with the square of the tile (attention) gets smaller tiles under a small
    /// budget: the plan says so, and says nothing when the tiles are the ones asked for.
    func testMemoryThatShrinksTheTilesIsAWarning() throws {
        struct Quadratic: NoiseNetwork {
            var sizeMultiple = 8
            func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor { try Tensor(zeros: x.shape) }
            func activationFootprint() throws -> ActivationFootprint { ActivationFootprint(perPixel: 1500, perPixelSquared: 0.015) }
        }
        let restorer = try Restorer(network: Quadratic(), schedule: try NoiseSchedule(kind: .linear))
        let pixels = UnsafeMutablePointer<Float>.allocate(capacity: 1024 * 1024 * 3)
        defer { pixels.deallocate() }
        pixels.initialize(repeating: 0.5, count: 1024 * 1024 * 3)
        let image = try ImageBuffer(base: pixels, width: 1024, height: 1024, channels: 3, format: .float32)
        var options = RestoreOptions(task: .denoise)
        options.noiseSigma = 10
        let roomy = try restorer.plan(for: image, options: options)
        XCTAssertEqual(roomy.tileSize, 512)
        XCTAssertEqual(roomy.warnings, [])
        options.memoryLimitMB = 600
        let tight = try restorer.plan(for: image, options: options)
        XCTAssertLessThan(tight.tileSize, 512)
        XCTAssertEqual(tight.warnings.count, 1)
        XCTAssertTrue(tight.warnings[0].contains("max_memory_mb = 600") && tight.warnings[0].contains("512 px"), tight.warnings[0])
        XCTAssertTrue(tight.json.contains("\"warnings\": [\"max_memory_mb"), tight.json)
    }
}
