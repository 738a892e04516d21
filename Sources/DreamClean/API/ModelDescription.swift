// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanNetworks
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// What a user is shown about the model a restorer holds (`dreamclean info`, `dc_context_get_model_info`, the GIMP
/// dialog, the Python package): its name, licence and terms, training data and steps, from the folder's config.json.
/// A field the config does not state says so; no host invents one.
public struct ModelDescription: Sendable, Equatable {
    public static let notStated = "not stated in config.json"

    public let folder: String
    public let name: String
    public let license: String
    public let terms: String
    public let trainingData: String
    /// Optimizer steps the weights had (nil: not stated, as for a converted checkpoint).
    public let trainingSteps: Int?
    /// Where the weights came from (config.json's `source`).
    public let source: String
    public let architecture: String
    public let parameterCount: Int
    public let weightsSHA256: String?
    /// The model card's path, when config.json names one that exists.
    public let card: String?
    /// The model's own preset rows by task (config.json `presets`); empty: the library's tuned table is in force.
    public let presets: [String: ModelPresetRow]
    /// The tasks it restores: all for a pixel model; a latent model's have no measurement operator (`LatentPlan.tasks`).
    public let tasks: [RestoreTask]
    /// How many convolutions the model's int8 calibration covers (config.json `int8`; 0: it ships none).
    public let int8Convolutions: Int

    init(folder: String, config: ModelConfig, parameterCount: Int) {
        let about = config.about
        self.folder = folder
        name = about?.name ?? URL(fileURLWithPath: folder).standardized.lastPathComponent
        license = about?.license ?? Self.notStated
        terms = about?.terms ?? Self.notStated
        trainingData = about?.trainingData ?? Self.notStated
        trainingSteps = config.training?.steps
        source = config.source ?? Self.notStated
        architecture = config.architecture
        self.parameterCount = parameterCount
        weightsSHA256 = config.weightsSHA256
        presets = config.presets ?? [:]
        tasks = config.isLatent ? LatentPlan.tasks : RestoreTask.allCases
        int8Convolutions = config.int8?.inputRanges.count ?? 0
        card = about?.card.map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
            .flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// One line each, for a terminal.
    public var summary: String {
        [("model", name), ("folder", folder), ("licence", license), ("terms", terms), ("training data", trainingData),
         ("training steps", trainingSteps.map(String.init) ?? Self.notStated), ("source", source),
         ("architecture", "\(architecture), \(parameterCount) parameters"), ("weights sha256", weightsSHA256 ?? Self.notStated),
         ("model card", card ?? "none"), ("model tasks", tasks.map(\.rawValue).joined(separator: ", ")), ("presets", presetSummary),
         ("int8", int8Convolutions > 0 ? "a calibration of \(int8Convolutions) convolutions, used on request (--int8)" : "no calibration")]
            .map { "\($0.0): \($0.1)" }.joined(separator: "\n")
    }

    /// Which presets are in force and where they come from, in a line.
    public var presetSummary: String {
        guard !presets.isEmpty else { return "the library's tuned table (per task and preset)" }
        let rows = presets.sorted { $0.key < $1.key }.map { task, row in
            "\(task) " + Self.fields(row).map { "\($0.0) \($0.1)" }.joined(separator: " ")
        }
        return "config.json, for what a restoration leaves unset: " + rows.joined(separator: "; ")
    }

    private static func fields(_ row: ModelPresetRow) -> [(String, String)] {
        [("strength", row.strength.map { "\($0)" }), ("steps", row.steps.map(String.init)), ("gamma", row.gamma.map { "\($0)" }),
         ("vps_iters", row.vpsIterations.map(String.init))].compactMap { name, value in value.map { (name, $0) } }
    }

    public var json: String {
        JSONText.object([
            ("name", JSONText.quoted(name)), ("folder", JSONText.quoted(folder)), ("license", JSONText.quoted(license)),
            ("terms", JSONText.quoted(terms)), ("training_data", JSONText.quoted(trainingData)),
            ("training_steps", trainingSteps.map(String.init) ?? "null"), ("source", JSONText.quoted(source)),
            ("architecture", JSONText.quoted(architecture)), ("parameters", "\(parameterCount)"),
            ("weights_sha256", weightsSHA256.map(JSONText.quoted) ?? "null"), ("card", card.map(JSONText.quoted) ?? "null"),
            ("tasks", "[" + tasks.map { JSONText.quoted($0.rawValue) }.joined(separator: ", ") + "]"),
            ("int8_convolutions", "\(int8Convolutions)"),
            ("presets", JSONText.object([
                ("source", JSONText.quoted(presets.isEmpty ? "library" : "config.json")),
                ("rows", JSONText.object(presets.sorted { $0.key < $1.key }.map { task, row in
                    (task, JSONText.object(Self.fields(row)))
                })),
            ])),
        ])
    }
}
