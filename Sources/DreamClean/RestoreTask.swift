// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

/// What is wrong with the image, as far as the caller knows.
public enum RestoreTask: String, Sendable, CaseIterable {
    /// Unknown damage, no operator: the image taken as x_t at its estimated noise level and walked back by DDIM.
    case blind
    /// Gaussian noise of a known (or estimated) level: the blind start at that level, with DDNM+ for A = I.
    case denoise
    /// JPEG artifacts: the blind loop with the JPEG error taken as extra noise (JPEG has no cheap pseudo-inverse).
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

/// The sampler settings a preset gives a task.
struct PresetSettings: Equatable {
    /// How deep the run starts.
    enum Depth: Equatable {
        /// A fixed strength (a fraction of T).
        case strength(Double)
        /// The step whose noise level matches the image's noise (given, or estimated), plus a fixed level (x0 units,
        /// [-1, 1] images) that stands in for damage the estimator cannot see; the two add in quadrature.
        case imageNoise(plus: Double)
    }

    var steps: Int
    var depth: Depth
    var gamma: Double
    var vpsIterations: Int
    var start: DreamCleanSampler.Start

    /// Tuned on the default model (c16) on the development crops. Figures: `Models/default/preset-sweep.txt` (the
    /// operator tasks, `Models/sweep_presets.sh`) and MODEL_CARD.md (the noisy-image start).
    static func settings(task: RestoreTask, preset: RestorePreset) -> PresetSettings {
        switch task {
        // Noise (and JPEG error taken as noise) is already what the diffusion adds: start from the image itself at its
        // noise level and walk back deterministically. Against the paper's inversion + VPS (gamma 0.8, 8 steps) this
        // raised sigma 25 from 29.41 to 29.97 dB known and from 26.93 to 29.86 blind; VPS (gamma 0.3) cost 2.5 dB, and
        // 2 to 6 steps measured within 0.06 dB of each other, so quality spends no more than balanced.
        case .blind, .denoise:
            return PresetSettings(steps: preset == .fast ? 2 : 4, depth: .imageNoise(plus: 0), gamma: 0, vpsIterations: 0,
                                  start: .noisyImage)
        // JPEG q10 and q30 both gained most (+0.5 dB) taken as noise of 12/255 (8: +0.3/+0.4, 20: +0.5/-, 30: 0/-1.8).
        case .jpeg:
            return PresetSettings(steps: preset == .fast ? 2 : 4, depth: .imageNoise(plus: 2 * 12 / 255), gamma: 0,
                                  vpsIterations: 0, start: .noisyImage)
        case .sr, .deblur, .inpaint, .colorize:
            break
        }
        // The known operators: their classical start (bicubic, the hole fill, the pseudo-inverse, gray) taken as noisy
        // at a fixed depth, then deterministic DDIM with the DDNM(+) projection. Against the paper's inversion + VPS
        // (gamma 0.3, 8 steps, 24 evaluations) at 8 evaluations: SR x4 26.64 -> 27.13 dB, 50 % inpainting 31.18 ->
        // 32.27, colorize 17.91 -> 18.32 (depths measured: SR and inpainting sigma 12-35/255, colorize 12-640/255).
        let steps = switch preset {
        case .fast: 4
        case .balanced: 8
        case .quality: 16
        }
        let strength = switch task {
        case .sr, .inpaint, .deblur: 0.057  // t = 56, sigma_t = 25/255; deblur: 0.02 / 0.057 / 0.1 gave 30.09 / 30.21 / 29.99
        default: 0.3  // colorize: t = 299, sigma_t = 160/255
        }
        return PresetSettings(steps: steps, depth: .strength(strength), gamma: 0, vpsIterations: 0, start: .noisyImage)
    }
}
