// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Gaussian noise of a known (or estimated) level: the blind start at that level, with DDNM+ for A = I. A camera's
/// noise (`NoiseModel.camera`) is denoised on the four stride-2 sub-images (`PixelShuffle`), at `cameraLevel` times
/// its level.
struct DenoiseTask: TaskPolicy {
    /// The coarse-scale and camera readings only where they give the level: the camera model with no level given.
    func reads(_ options: RestoreOptions) -> LayerReading.Needs {
        .noise(coarse: options.noiseModel == .camera && options.noiseSigma == nil)
    }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        let sigma: Double
        switch options.noiseModel {
        case .white: sigma = options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? reading.noiseLevel
        case .camera:
            let estimated = reading.camera?.level.map(NoiseScale.model(fromPixels:)) ?? reading.coarseNoiseLevel
            sigma = Self.cameraLevel * (options.noiseSigma.map(NoiseScale.model(fromPixels:)) ?? estimated)
        }
        return (.identity(noise: sigma), sigma)
    }

    func subsampling(_ options: RestoreOptions, _ reading: LayerReading) -> Int { options.noiseModel == .camera ? Self.cameraStride : 1 }

    /// The camera model's sub-images: the four of stride 2 (after Zhou et al., AAAI 2020).
    static let cameraStride = 2

    /// White noise only: a camera's is neither white nor Gaussian, and its level here is the sub-images' working one.
    func unclips(_ options: RestoreOptions, _ reading: LayerReading) -> Bool { options.noiseModel == .white }

    /// camera: the sub-images' level, as a multiple of the noise's per-pixel standard deviation: given, or estimated
    /// from the colour (`CameraNoiseReading.level`), else from the coarse-scale reading (the finest scale hardly sees a
    /// camera's noise; PolyU's JPEGs show none in the colour). Figures: MODEL_CARD.md, "Camera noise" and "Camera
    /// noise in blind mode".
    static let cameraLevel = 1.25

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings {
        let row = Self.rows[preset]
        let steps = noiseLevel <= NoiseScale.model(fromPixels: Self.highNoise) ? row.steps : row.stepsAboveHighNoise
        return PresetSettings(steps: steps, depth: .imageNoise(plus: 0))
    }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.2), gamma: 0.6, why: "29.74 dB at noise 25 (0.9 the same) against 28.54-29.62 at the image-noise depth and 28.7-29.2 at 0.1")

    struct Row: Sendable {
        let steps: Int
        /// Steps above `highNoise`, where the projection wants more.
        let stepsAboveHighNoise: Int
    }

    /// Noise above 30/255 gets more steps.
    static let highNoise = 30.0

    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let rows = PresetRows<Row>(
        fast: .init(row: Row(steps: 2, stepsAboveHighNoise: 2), why: "two steps at every level: 0.19 dB below four at sigma 50, for half the evaluations there"),
        balanced: .init(row: Row(steps: 2, stepsAboveHighNoise: 4),
                        why: "two steps measured best of 1-4 at sigma 15 and 25, four at sigma 50 (the projection wants more at high noise)"),
        quality: .init(row: Row(steps: 2, stepsAboveHighNoise: 4), why: "as balanced, plus the mirror ensemble"))
}
