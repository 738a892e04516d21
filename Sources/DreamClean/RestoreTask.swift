// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What is wrong with the image, as far as the caller knows.
public enum RestoreTask: String, Sendable, CaseIterable {
    /// Unknown damage: DDIM inversion + VPS, no operator.
    case blind
    /// Gaussian noise of a known (or estimated) level: DDNM+ with A = I.
    case denoise
    /// JPEG artifacts: the blind loop with a JPEG-tuned preset (JPEG has no cheap pseudo-inverse).
    case jpeg
    /// Low resolution: box-averaging operator at an integer scale; the output is scale times larger.
    case sr
    /// Gaussian or user-kernel blur: the Fourier pseudo-inverse on the mirrored image.
    case deblur
    /// Missing pixels given by a mask.
    case inpaint
    /// A gray image: colour from the prior, the channel mean kept.
    case colorize
}

/// Speed/quality trade-off; sets steps, strength, gamma and M per task (each overridable).
public enum RestorePreset: String, Sendable, CaseIterable {
    case fast, balanced, quality
}

/// The sampler settings a preset gives a task. Strength nil means: estimate it from the image (blind and denoise).
struct PresetSettings: Equatable {
    var steps: Int
    var strength: Double?
    var gamma: Double
    var vpsIterations: Int

    /// Tuned on the default model (c16, 5,116 steps) with `Models/sweep_presets.sh` on the development crops; the sweep
    /// and its figures are in Models/default/preset-sweep.txt and MODEL_CARD.md. With this prior the known operators
    /// do best at low strength, close to their classical start (bicubic, the hole fill, the pseudo-inverse).
    static func settings(task: RestoreTask, preset: RestorePreset) -> PresetSettings {
        // Balanced: 8 steps (24 evaluations) measured the same as 10 on noise (29.41 against 29.43 dB known sigma 25,
        // 26.93 against 26.92 blind) and brings a 512x512 restore to about 30 s here (median of 3: 30.1 s).
        let steps = switch preset {
        case .fast: 5
        case .balanced: 8
        case .quality: 25
        }
        return switch task {
        // Inverting to the true noise level beat 1.5x to 3x deeper, and the automatic depth (the estimated level) did
        // better still (26.93 against 26.31 dB at sigma 25); gamma 0.8 beat 0.5.
        case .blind, .denoise: PresetSettings(steps: steps, strength: nil, gamma: 0.8, vpsIterations: 1)
        // q10: 0.03 gains 0.19 dB, 0.01 gains 0.08; q30 loses 0.08 at 0.01 and more deeper: 0.01 harms least.
        case .jpeg: PresetSettings(steps: steps, strength: 0.01, gamma: 0.2, vpsIterations: 1)
        case .sr: PresetSettings(steps: steps, strength: 0.1, gamma: 0.3, vpsIterations: 1)
        case .deblur: PresetSettings(steps: steps, strength: 0.1, gamma: 0.3, vpsIterations: 1)
        case .inpaint: PresetSettings(steps: steps, strength: 0.01, gamma: 0.3, vpsIterations: 1)
        case .colorize: PresetSettings(steps: steps, strength: 0.2, gamma: 0.3, vpsIterations: 1)
        }
    }
}
