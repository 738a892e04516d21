// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// JPEG artifacts: the colour rebuilt from the luma (`ChromaGuidedFilter`), then the blind loop with the JPEG error taken
/// as extra noise, both sized by the DC quantization step q that the pixels show (`JPEGQualityEstimator`: 80 at
/// quality 10, 40 at 20, 27 at 30, 16 at 50, 8 at 75). No lattice found (not a JPEG, or quality above about 90): the
/// blind noise path.
struct JPEGTask: TaskPolicy {
    func reads(_ options: RestoreOptions) -> LayerReading.Needs { .blind(readsBlur: false, readsCameraNoise: false) }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        (.none, reading.noiseLevel)
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings {
        guard let step = reading.jpegStep.map(Double.init) else { return BlindTask.noiseRows[preset] }
        let row = Self.rows[preset]
        return PresetSettings(
            steps: row.steps, depth: .imageNoise(plus: NoiseScale.model(fromPixels: min(step * row.extraNoisePerStep, row.largestExtraNoise))),
            chromaRadiusBefore: Int((step / row.chromaRadiusDivisor).rounded()),
            chromaRadiusAfter: step >= row.secondFilterFromStep ? row.secondFilterRadius : 0,
            busyExtraNoise: row.busyNoisePerRootStep.map { NoiseScale.model(fromPixels: $0 * step.squareRoot()) })
    }

    func paperLoop(_ reading: LayerReading) -> PaperLoop { reading.jpegStep == nil ? BlindTask.paperNoise : Self.paper }

    /// Figures: `Models/default/paper-sweep.txt`.
    static let paper = PaperLoop(depth: .strength(0.2), gamma: 0, why: "29.70 dB at quality 30 against 29.48 at 0.1 (the image-noise depth leaves it as it is); any gamma cost 4-8 dB")

    struct Row: Sendable {
        let steps: Int
        /// The chroma filter's radius before sampling: q over this.
        let chromaRadiusDivisor: Double
        /// The JPEG error taken as extra noise (0-255 units) per unit of q, and its cap.
        let extraNoisePerStep: Double
        let largestExtraNoise: Double
        /// The chroma filtered again after sampling (this radius) from this q on (below quality 50).
        let secondFilterFromStep: Double
        let secondFilterRadius: Int
        /// The busy-region run's extra noise (0-255 units) per sqrt(q) (`BusyRegionBlend`); nil: one run.
        let busyNoisePerRootStep: Double?
    }

    /// Figures: `Models/default/jpeg-sweep.txt` (`Models/sweep_jpeg.py`) and `jpeg-busy-sweep.txt` (`--busy`),
    /// MODEL_CARD.md "JPEG".
    static let rows = PresetRows<Row>(
        fast: .init(row: Row(steps: 4, chromaRadiusDivisor: 20, extraNoisePerStep: 0.5, largestExtraNoise: 16,
                             secondFilterFromStep: 20, secondFilterRadius: 2, busyNoisePerRootStep: nil),
                    why: "balanced's first run only: two steps lost 0.8 dB at quality 10, so four stay"),
        balanced: .init(row: Row(steps: 4, chromaRadiusDivisor: 20, extraNoisePerStep: 0.5, largestExtraNoise: 16,
                                 secondFilterFromStep: 20, secondFilterRadius: 2, busyNoisePerRootStep: 3.8),
                        why: "radius q/20, noise min(q/2, 16)/255 and a busy-region run at 3.8 sqrt(q)/255 measured best at quality 10-75"),
        quality: .init(row: Row(steps: 4, chromaRadiusDivisor: 20, extraNoisePerStep: 0.5, largestExtraNoise: 16,
                                secondFilterFromStep: 20, secondFilterRadius: 2, busyNoisePerRootStep: 3.8),
                       why: "as balanced, plus the mirror ensemble"))
}
