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

    /// Tuned on the default model (c16, 11,407 steps) on the development crops with `Models/sweep_presets.sh`; its
    /// figures are in `Models/default/preset-sweep.txt`, the choices explained in MODEL_CARD.md.
    static func settings(task: RestoreTask, preset: RestorePreset) -> PresetSettings {
        switch task {
        // Noise (and JPEG error taken as noise) is already what the diffusion adds: start from the image itself at its
        // noise level and walk back deterministically. Against the paper's inversion + VPS (gamma 0.8, 8 steps) this
        // raised sigma 25 from 26.65 to 29.92 dB blind and from 29.68 to 30.04 known (11,407-step weights); VPS
        // (gamma 0.3) cost up to 1.4 dB (blind sigma 25; +0.05 known sigma 50). Steps: 2 / 4 / 8 gave 30.11 / 30.04 / 29.70 at sigma 25 known but 25.29 / 25.55 /
        // 25.60 at sigma 50, so 4 for balanced and quality alike.
        case .blind, .denoise:
            return PresetSettings(steps: preset == .fast ? 2 : 4, depth: .imageNoise(plus: 0), gamma: 0, vpsIterations: 0,
                                  start: .noisyImage)
        // JPEG error taken as extra noise of 12/255: q10 / q30 gained +0.45 / +0.57 dB (8/255: +0.24 / +0.43, 20/255:
        // +0.54 / -0.07).
        case .jpeg:
            return PresetSettings(steps: preset == .fast ? 2 : 4, depth: .imageNoise(plus: 2 * 12 / 255), gamma: 0,
                                  vpsIterations: 0, start: .noisyImage)
        case .sr, .deblur, .inpaint, .colorize:
            break
        }
        // The known operators: their classical start (bicubic, the hole fill, the pseudo-inverse, gray) taken as noisy
        // at a fixed depth, then deterministic DDIM with the DDNM(+) projection. Against the paper's inversion + VPS
        // (gamma 0.3, 8 steps, 24 evaluations), at 8 evaluations: SR x4 26.50 -> 27.09 dB, deblurring 30.00 -> 30.26.
        // Steps 4 / 8 / 16 gave 26.63 / 27.09 / 26.98 (SR) and 28.98 / 30.26 / 30.19 (deblur): quality stays at 8.
        let steps = preset == .fast ? 4 : 8
        let strength = switch task {
        // t = 56, sigma_t = 25/255: 12/255 and 35/255 did worse on SR and deblur; 35/255 did 0.1 dB better on inpainting.
        case .sr, .inpaint, .deblur: 0.057
        default: 0.3  // colorize: t = 299, sigma_t = 160/255; 0.115 / 0.2 / 0.442 did worse
        }
        return PresetSettings(steps: steps, depth: .strength(strength), gamma: 0, vpsIterations: 0, start: .noisyImage)
    }
}
