// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

/// What is wrong with the image, as far as the caller knows.
public enum RestoreTask: String, Sendable, CaseIterable {
    /// Unknown damage, no operator: the image taken as x_t at its estimated noise level and walked back by DDIM; an image
    /// whose 8x8 blocks show JPEG quantization (`JPEGQualityEstimator`) is restored as `jpeg`, one whose edges read
    /// blurred (`BlurEstimator`: blurred, or upscaled) is deblurred with the Gaussian they show, shrunk.
    case blind
    /// Gaussian noise of a known (or estimated) level: the blind start at that level, with DDNM+ for A = I.
    case denoise
    /// JPEG artifacts: the colour rebuilt from the luma (`ChromaGuidedFilter`), then the blind loop with the JPEG error
    /// taken as extra noise, both sized by the compression read from the pixels (`JPEGQualityEstimator`).
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

/// Speed/quality trade-off; sets steps, strength, gamma and M per task (each overridable). quality samples as balanced
/// does and averages the network over the image's mirror images (`FlipEnsemble`), at four times the time.
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
    /// JPEG: the radius of the chroma guided filter before sampling and after it (0: none).
    var chromaRadiusBefore = 0
    var chromaRadiusAfter = 0
    /// JPEG: a second run at this extra noise (x0 units, in place of the depth's), taken where the image is busy
    /// (`BusyRegionBlend`); nil: one run.
    var busyExtraNoise: Double?
    /// ε̂ averaged over the image's mirror images (`FlipEnsemble`): the quality preset, four times the evaluations.
    var flipEnsemble = false

    /// Tuned on the default model (c16, 11,407 steps) on the development crops with `Models/sweep_presets.sh`; its
    /// figures are in `Models/default/preset-sweep.txt`, the choices explained in MODEL_CARD.md.
    /// `jpegStep` is the JPEG task's DC quantization step (`JPEGQualityEstimator`; nil: none found).
    /// `blurSigma` is the blur blind restoration undoes (`BlurEstimator.deblurSigma`; nil: none).
    /// `noiseLevel` is the image's noise σ on the [-1, 1] scale, given or estimated (denoise's steps follow it).
    static func settings(task: RestoreTask, preset: RestorePreset, jpegStep: Int? = nil, blurSigma: Double? = nil,
                         noiseLevel: Double = 0) -> PresetSettings {
        var settings = sampling(task: task, preset: preset, jpegStep: jpegStep, blurSigma: blurSigma, noiseLevel: noiseLevel)
        settings.flipEnsemble = preset == .quality
        return settings
    }

    /// Everything but the ensemble: the quality preset samples as balanced does (more steps measured worse, below).
    private static func sampling(task: RestoreTask, preset: RestorePreset, jpegStep: Int?, blurSigma: Double?,
                                 noiseLevel: Double) -> PresetSettings {
        switch task {
        // Blind and reads blurred: deblurring's steps, from about half its depth (t = 30, sigma_t = 14/255), whose noise
        // hurt the cleanest images (a x2 upscale of Set5's baby: 40.64 dB as input, 39.40 restored at the deblur
        // depth, 40.01 at this one). On the development crops, depths 0.057 / 0.03 / 0.015 gave x2 upscales 30.29 /
        // 30.43 / 30.41 dB, x4 26.79 / 26.78 / 26.79, the blur task 27.96 / 28.01 / 28.02 (`MODEL_CARD.md`).
        case .blind where jpegStep == nil && blurSigma != nil:
            return PresetSettings(steps: preset == .fast ? 4 : 8, depth: .strength(0.03), gamma: 0, vpsIterations: 0,
                                  start: .noisyImage)
        // Noise (and JPEG error taken as noise) is already what the diffusion adds: start from the image itself at its
        // noise level and walk back deterministically. Against the paper's inversion + VPS (gamma 0.8, 8 steps) this
        // raised sigma 25 from 26.65 to 29.92 dB blind and from 29.68 to 30.04 known (11,407-step weights); VPS
        // (gamma 0.3) cost up to 1.4 dB (blind sigma 25; +0.05 known sigma 50). Steps 1 / 2 / 3 / 4 at sigma 15, 25,
        // 50: blind 32.67 / 32.90 / 32.88 / 32.83, 29.95 / 30.05 / 30.00 / 29.92, 25.76 / 25.80 / 25.76 / 25.68, so 2
        // (fast 1); known 32.85 / 33.08 / 33.00 / 32.89, 29.81 / 30.11 / 30.11 / 30.04, 24.87 / 25.29 / 25.47 / 25.55:
        // the projection wants more steps at high noise, so 2 up to sigma 30/255, 4 above (fast 2).
        case .blind where jpegStep == nil:
            return PresetSettings(steps: preset == .fast ? 1 : 2, depth: .imageNoise(plus: 0), gamma: 0, vpsIterations: 0,
                                  start: .noisyImage)
        case .denoise:
            let steps = noiseLevel <= 2 * 30 / 255 || preset == .fast ? 2 : 4
            return PresetSettings(steps: steps, depth: .imageNoise(plus: 0), gamma: 0, vpsIterations: 0, start: .noisyImage)
        // JPEG, by the DC step q that its pixels show (80 at quality 10, 40 at 20, 27 at 30, 16 at 50, 8 at 75): the
        // colour rebuilt from the luma over a radius of q / 20, the error taken as extra noise of min(q / 2, 16) / 255,
        // four steps, the colour filtered again (radius 2) below quality 50. The sweep (`Models/sweep_jpeg.py`, output
        // in `Models/default/jpeg-sweep.txt`) put quality 10 / 30 / 75 at 26.53 / 29.85 / 32.97 dB from 25.60 / 29.18 /
        // 32.75 (make quality's protocol on the library: 26.52 / 29.82 balanced, 26.57 / 29.88 quality); the fixed 12/255
        // before gave 26.05 / 29.75 (library) and 32.66 (sweep; below the input at 75). Two steps lost 0.8 dB at
        // quality 10, so the fast preset keeps four. No step found (not a JPEG, or quality above about 90): the blind
        // loop. Session 8: balanced and quality sample a second time at 3.8 sqrt(q) / 255 (34 at quality 10, 11 at 75)
        // for the busy regions (`BusyRegionBlend`); on 21 development crops (`Models/sweep_jpeg.py --busy`, output in
        // `jpeg-busy-sweep.txt`, 20,871-step weights) quality 10 / 20 / 30 / 50 / 75 went from 26.36 / 28.60 / 29.79 /
        // 31.32 / 33.43 to 26.54 / 28.69 / 29.86 / 31.47 / 33.60 dB (busy levels 3.2-4.2 sqrt(q) and the ramp
        // 0.05-0.15 within 0.04 of it).
        case .jpeg, .blind:
            guard let step = jpegStep else {
                return sampling(task: .blind, preset: preset, jpegStep: nil, blurSigma: nil, noiseLevel: noiseLevel)
            }
            return PresetSettings(steps: 4, depth: .imageNoise(plus: 2 * min(Double(step) / 2, 16) / 255), gamma: 0,
                                  vpsIterations: 0, start: .noisyImage, chromaRadiusBefore: Int((Double(step) / 20).rounded()),
                                  chromaRadiusAfter: step >= 20 ? 2 : 0,
                                  busyExtraNoise: preset == .fast ? nil : 2 * 3.8 * Double(step).squareRoot() / 255)
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
