// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Gaussian or user-kernel blur: the Fourier pseudo-inverse on the mirrored image as the start, DDNM+ against the blur.
struct DeblurTask: TaskPolicy {
    /// The measurement noise is the given level (at least 8-bit rounding's), or the estimate with a floor: the estimate
    /// reads a blurred image as nearly noiseless, and the pseudo-inverse then amplifies its quantization noise.
    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        let given = options.noiseSigma.map(NoiseScale.model(fromPixels:))
        let sigma = max(given ?? max(reading.noiseLevel, Self.noiseFloor), Self.quantizationNoise)
        let kernel: RestorationPlan.BlurKernel = options.blurKernel.map { .given($0) } ?? .gaussian(sigma: options.blurSigma)
        return (.blur(kernel, noise: sigma), max(sigma, reading.noiseLevel))
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings { Self.rows[preset] }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.2), gamma: 0, why: "30.25 dB against 30.08 at 0.057 and 30.11 at 0.4; gamma 0.1 and 0.3 cost 0.02-0.12 dB")

    /// Deblurring's least measurement noise when none is given (model scale, 3/255): an upscaled or blurred image
    /// reads as noiseless, and the pseudo-inverse rings without it (MODEL_CARD.md, "Blind deblurring").
    static let noiseFloor = NoiseScale.model(fromPixels: 3)
    /// The least noise any 8-bit measurement carries, its rounding (1/sqrt(12) of a step), floor for a given level.
    static let quantizationNoise = NoiseScale.model(fromPixels: (1 / 12.0).squareRoot())

    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.057)), why: "half the steps: about 1.5 dB below balanced"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)),
                        why: "t = 56 and 8 steps measured best of depths 12, 25, 35 per 255 and 4, 8, 16 steps; the paper's loop 0.24 dB lower"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.057)), why: "as balanced, plus the mirror ensemble"))
}
