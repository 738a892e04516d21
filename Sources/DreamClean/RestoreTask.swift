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

    /// Starting values from the method's spec and the default model's first sweeps; `make quality` is the place to
    /// retune them (Models/default/MODEL_CARD.md records the sweep).
    static func settings(task: RestoreTask, preset: RestorePreset) -> PresetSettings {
        let steps = switch preset {
        case .fast: 5
        case .balanced: 10
        case .quality: 25
        }
        return switch task {
        case .blind, .denoise: PresetSettings(steps: steps, strength: nil, gamma: 0.5, vpsIterations: 1)
        // Swept on the default model at 710 steps (4 images, 96 px, strength 0.01-0.06, gamma 0.2/0.5): 0.01 / 0.5 was
        // the least harmful blend of q10 (+0.09 dB) and q30 (-0.32 dB); 0.1 lost 1.6 and 4.6 dB.
        case .jpeg: PresetSettings(steps: steps, strength: 0.01, gamma: 0.5, vpsIterations: 1)
        case .sr: PresetSettings(steps: steps, strength: 0.4, gamma: 0.3, vpsIterations: 1)
        case .deblur: PresetSettings(steps: steps, strength: 0.3, gamma: 0.3, vpsIterations: 1)
        case .inpaint: PresetSettings(steps: steps, strength: 0.6, gamma: 0.3, vpsIterations: 1)
        case .colorize: PresetSettings(steps: steps, strength: 0.5, gamma: 0.3, vpsIterations: 1)
        }
    }
}
