// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Low resolution: the box-averaging operator at an integer scale, from the bicubic upscale; the output is `scale`
/// times larger.
struct SuperResolutionTask: TaskPolicy {
    var reads: LayerReading.Needs { .noise }

    func outputScale(_ options: RestoreOptions) -> Int { options.scale }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        // The given level, or the estimate (DDNM+ damps the projection where the step's noise is below it): +0.05 dB at
        // x2 and +0.11 at x4 on the development crops against none.
        let noise = options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? reading.noiseLevel
        return (.boxDownsampling(scale: options.scale, noise: noise), noise)
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings { Self.rows[preset] }

    /// The known operators' start taken as noisy at a fixed depth, then deterministic DDIM with the DDNM projection.
    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.057)), why: "half the steps: about 0.5 dB below balanced at x4"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)),
                        why: "t = 56 (25/255) and 8 steps measured best of depths 12, 25, 35 per 255 and 4, 8, 16 steps at x4"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)), why: "as balanced, plus the mirror ensemble"))
}
