// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Missing pixels given by a mask: the holes filled from their surroundings (`HoleFill`) as the start, DDNM against
/// the known pixels.
struct InpaintTask: TaskPolicy {
    func reads(_ options: RestoreOptions) -> LayerReading.Needs { .noiseAndFill }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        // Only a given level: the noise estimate reads the holes' edges (inpaint) or the lost colour (colorize) as
        // noise, and damping the projection by it cost 3.2 dB on 50 % missing pixels and 0.35 dB on colorize.
        let noise = options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? 0
        return (.mask(fill: reading.fill, noise: noise), noise)
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings { Self.rows[preset] }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.057), gamma: 0, why: "31.18 dB on 50 % missing pixels against 30.70-30.90 deeper; gamma 0.1 and 0.3 cost 0.5-2.3 dB")

    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.057)), why: "half the steps: 0.2 dB below balanced"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)),
                        why: "the SR and deblurring depth (t = 56, 25/255) and 8 steps; 35/255 would give 0.1 dB more, not taken yet"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)), why: "as balanced, plus the mirror ensemble"))
}
