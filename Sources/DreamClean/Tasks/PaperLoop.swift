// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// The paper's loop (DreamClean, Xiao et al., ICLR 2024; `shared/docs/dreamclean-method.md`), the `paper` preset: DDIM
/// inversion of the task's start to its depth, then per timestep M = 1 VPS correction and one deterministic DDIM step
/// (consistent with the measurement where the task has an operator), K = 30 steps each way: 90 network evaluations.
/// Each task gives its depth and gamma (`TaskPolicy.paperLoop`), measured by `Models/sweep_paper.sh`
/// (`Models/default/paper-sweep.txt`).
struct PaperLoop: Sendable {
    static let steps = 30
    static let vpsIterations = 1

    let depth: PresetSettings.Depth
    let gamma: Double
    /// One sentence: why these values.
    let why: String

    /// Gamma 0 (where the sweep measured VPS worse) runs no correction: a step that changes nothing would still cost
    /// a network evaluation.
    var settings: PresetSettings {
        PresetSettings(steps: Self.steps, depth: depth, gamma: gamma, vpsIterations: gamma > 0 ? Self.vpsIterations : 0, start: .inversion)
    }
}
