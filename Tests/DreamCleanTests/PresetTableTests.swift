// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
@testable import DreamClean

/// The whole resolved preset table, every task x preset over representative readings, against the committed
/// `Golden/preset-table.txt`: a retune shows as a diff of that file. DREAMCLEAN_UPDATE_GOLDEN=1 rewrites it.
final class PresetTableTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/preset-table.txt")

    /// Readings in 0-255 noise units: clean, camera-like, sigma 15, 25 and 50; blind also with JPEG lattices of
    /// quality 75, 30 and 10 (DC steps 8, 27, 80) and with a blur read.
    static func readings(for task: RestoreTask) -> [(String, LayerReading)] {
        let noise: [Double] = [0, 2, 15, 25, 50]
        var readings = noise.map { ("noise \(Int($0))", LayerReading(noiseLevel: NoiseScale.model(fromPixels: $0))) }
        if task == .blind || task == .jpeg {
            readings += [8, 27, 80].map { (step: Int) in
                ("noise 5, JPEG step \(step)", LayerReading(noiseLevel: NoiseScale.model(fromPixels: 5), jpegStep: step))
            }
        }
        if task == .blind {
            readings.append(("noise 3, blur 1.20 px", LayerReading(noiseLevel: NoiseScale.model(fromPixels: 3), blurSigma: 1.2)))
        }
        return readings
    }

    static func table() throws -> String {
        let schedule = try NoiseSchedule(kind: .linear)
        var lines = ["# The resolved preset table (Tests/DreamCleanTests/PresetTableTests.swift): task, preset, reading -> plan.",
                     "# The rows and why: Sources/DreamClean/Tasks/*.swift; their figures: Models/default/*-sweep.txt, MODEL_CARD.md."]
        for task in RestoreTask.allCases {
            for preset in RestorePreset.allCases {
                var options = RestoreOptions(task: task, preset: preset)
                if task == .sr { options.scale = 4 }
                for (name, reading) in readings(for: task) {
                    let layer = RestorationPlan.layer(task.policy, options, reading, schedule)
                    lines.append("\(task.rawValue) \(preset.rawValue) | \(name) | \(RestorationPlan.describe(layer))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Noisy sr runs in two stages only for a level given (at least 5/255): the small image denoised at it, then the
    /// upscale told 0.4 of it; an estimated level (which reads texture as noise) or a small one keeps one stage.
    func testNoisySuperResolutionDenoisesTheSmallImageFirstWhenTheLevelIsGiven() throws {
        let schedule = try NoiseSchedule(kind: .linear)
        let reading = LayerReading(noiseLevel: NoiseScale.model(fromPixels: 14))
        var options = RestoreOptions(task: .sr, preset: .balanced)
        options.scale = 4
        XCTAssertNil(RestorationPlan.layer(options.task.policy, options, reading, schedule).measurementLayer)
        options.noiseSigma = 3
        XCTAssertNil(RestorationPlan.layer(options.task.policy, options, reading, schedule).measurementLayer)
        options.noiseSigma = 12.75
        options.srKernel = .bicubic
        let layer = RestorationPlan.layer(options.task.policy, options, reading, schedule)
        let first = try XCTUnwrap(layer.measurementLayer?.layer)
        XCTAssertEqual(first.problem, .identity(noise: NoiseScale.model(fromPixels: 12.75)))
        XCTAssertGreaterThan(first.run.strength, 0)
        XCTAssertEqual(layer.problem, .downsampling(scale: 4, filter: .named(.bicubic), noise: NoiseScale.model(fromPixels: 12.75) * 0.4))
    }

    func testTheResolvedTableIsTheCommittedOne() throws {
        let table = try Self.table()
        if ProcessInfo.processInfo.environment["DREAMCLEAN_UPDATE_GOLDEN"] == "1" {
            try table.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.golden, encoding: .utf8)
        let (new, old) = (table.split(separator: "\n"), committed.split(separator: "\n"))
        for (index, (a, b)) in zip(new, old).enumerated() where a != b {
            XCTFail("line \(index + 1) changed:\n  committed: \(b)\n  now:       \(a)")
        }
        XCTAssertEqual(new.count, old.count, "the table has \(new.count) lines, the committed one \(old.count)")
    }
}
