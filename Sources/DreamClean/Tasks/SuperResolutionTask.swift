// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

/// Low resolution: the downsampling operator `sr_kernel` names (box averaging, or antialiased bicubic or Lanczos
/// reduction) or the caller's taps (`RestoreOptions.srTaps`) at an integer scale, from the bicubic upscale; the output
/// is `scale` times larger.
struct SuperResolutionTask: TaskPolicy {
    func outputScale(_ options: RestoreOptions) -> Int { options.scale }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        // The given level, or the estimate (DDNM+ damps the projection where the step's noise is below it): +0.05 dB at
        // x2 and +0.11 at x4 on the development crops against none.
        let noise = measurementNoise(options, reading)
        let left = measurementDenoising(options, reading).map { $0 * Self.noiseLeftByDenoising } ?? noise
        let filter: ResamplingDownsampling.Filter = options.srTaps.map { .taps($0) } ?? .named(options.srKernel)
        return (.downsampling(scale: options.scale, filter: filter, noise: left), left)
    }

    /// Noisy sr in two stages: the small image denoised at its level (the prior removes white noise at that scale; the
    /// upscale's start would carry it correlated), then upscaled with the noise that leaves. x4 with noise 0.05
    /// (12.75/255) on the development crops, box: 24.41 dB against 21.98 in one stage and 22.88 for bicubic. Only for
    /// a level given: the estimate reads texture as noise on clean small images (up to 13.8/255 on the same crops,
    /// where noisy ones read 12-22), and two stages cost the noiseless x4 row 0.18 dB.
    func measurementDenoising(_ options: RestoreOptions, _ reading: LayerReading) -> Double? {
        guard let given = options.noiseSigma, given >= Self.leastDenoisedNoise else { return nil }
        return NoiseScale.model(fromPixels: given)
    }

    private func measurementNoise(_ options: RestoreOptions, _ reading: LayerReading) -> Double {
        options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? reading.noiseLevel
    }

    /// Below 5/255 the small image is upscaled as it is (the one-stage projection damps what noise there is).
    static let leastDenoisedNoise = 5.0
    /// What denoising leaves, as a fraction of the level: 0, 0.16 and 0.4 of 12.75/255 gave 24.36, 24.35, 24.41 dB.
    static let noiseLeftByDenoising = 0.4

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings { Self.rows[preset] }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.057), gamma: 0, why: "27.01 dB at x4 (box) against 26.12-26.79 deeper; gamma 0.1 and 0.3 cost 0.2-0.9 dB")

    /// The known operators' start taken as noisy at a fixed depth, then deterministic DDIM with the DDNM projection.
    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.057)), why: "half the steps: about 0.5 dB below balanced at x4"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)),
                        why: "t = 56 (25/255) and 8 steps measured best of depths 12, 25, 35 per 255 and 4, 8, 16 steps at x4"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)), why: "as balanced, plus the mirror ensemble"))
}
