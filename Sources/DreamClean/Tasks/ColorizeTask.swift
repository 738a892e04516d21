// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// A gray image: colour from the prior, the gray kept (DDNM against the gray operator `gray_weights` names: luma by
/// default, as gray photos are made).
struct ColorizeTask: TaskPolicy {
    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        // Only a given level: the noise estimate reads the holes' edges (inpaint) or the lost colour (colorize) as
        // noise, and damping the projection by it cost 3.2 dB on 50 % missing pixels and 0.35 dB on colorize.
        let noise = options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? 0
        return (.grayscale(options.grayWeights, noise: noise), noise)
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings { Self.rows[preset] }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.1), gamma: 0, why: "level with the gray input (17.48 dB); deeper, and any gamma, lose 0.01-0.9 dB")

    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.3)), why: "half the evaluations, as for SR and deblurring (not swept here)"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.3)),
                        why: "strength 0.3 (t = 299) measured best of 0.115, 0.3 and 0.442, level with the gray input"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.3)), why: "as balanced, plus the mirror ensemble"))
}
