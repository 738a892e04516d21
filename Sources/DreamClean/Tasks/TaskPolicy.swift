// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

/// One task's policy, in one file each (`BlindTask`, `DenoiseTask`, ...): what the analysis reads for it, the problem
/// its layers solve, and its preset rows. `RestorationPlan` asks these and nothing else about tasks.
protocol TaskPolicy: Sendable {
    /// What the colour's analysis reads for these options (an alpha layer reads its noise, and the fill when the
    /// task needs it).
    func reads(_ options: RestoreOptions) -> LayerReading.Needs
    /// How many times larger than the input the output is.
    func outputScale(_ options: RestoreOptions) -> Int
    /// The measurement problem of a layer, and the noise level (model scale) its sampler run starts from.
    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double)
    /// The preset's sampler settings for a layer with this reading and noise level (for paper: the blind extras it
    /// runs when they are switched on; its sampler settings are `paperLoop`'s).
    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings
    /// The paper preset's depth and gamma for a layer with this reading.
    func paperLoop(_ reading: LayerReading) -> PaperLoop
    /// The noise level (model scale) to denoise the measurement at before the problem is set up; nil: none.
    func measurementDenoising(_ options: RestoreOptions, _ reading: LayerReading) -> Double?
    /// 1, or the stride whose sub-images are restored apart (`PixelShuffle`: a camera's spatially correlated noise).
    func subsampling(_ options: RestoreOptions, _ reading: LayerReading) -> Int
    /// Whether a layer's image has its clipped values drawn back before the run (`ClippedNoise`): where its noise is
    /// white Gaussian noise cut at black and white.
    func unclips(_ options: RestoreOptions, _ reading: LayerReading) -> Bool
}

extension TaskPolicy {
    func outputScale(_ options: RestoreOptions) -> Int { 1 }
    func measurementDenoising(_ options: RestoreOptions, _ reading: LayerReading) -> Double? { nil }
    func reads(_ options: RestoreOptions) -> LayerReading.Needs { .noise(coarse: false) }
    func subsampling(_ options: RestoreOptions, _ reading: LayerReading) -> Int { 1 }
    func unclips(_ options: RestoreOptions, _ reading: LayerReading) -> Bool { false }
}

extension RestoreTask {
    var policy: any TaskPolicy {
        switch self {
        case .blind: BlindTask()
        case .denoise: DenoiseTask()
        case .jpeg: JPEGTask()
        case .sr: SuperResolutionTask()
        case .deblur: DeblurTask()
        case .inpaint: InpaintTask()
        case .colorize: ColorizeTask()
        }
    }
}

/// The sampler settings a preset gives a task (each overridable by the options).
struct PresetSettings: Equatable, Sendable {
    /// How deep the run starts.
    enum Depth: Equatable, Sendable {
        /// A fixed strength (a fraction of T).
        case strength(Double)
        /// The step whose noise level matches the image's noise (given, or estimated), plus a fixed level (model
        /// scale) that stands in for damage the estimator cannot see; the two add in quadrature.
        case imageNoise(plus: Double)
    }

    var steps: Int
    var depth: Depth
    var gamma: Double = 0
    var vpsIterations: Int = 0
    var start: DreamCleanSampler.Start = .noisyImage
    /// JPEG: the radius of the chroma guided filter before sampling and after it (0: none).
    var chromaRadiusBefore = 0
    var chromaRadiusAfter = 0
    /// JPEG: a second run at this extra noise (model scale, in place of the depth's), taken where the image is busy
    /// (`BusyRegionBlend`); nil: one run.
    var busyExtraNoise: Double?
}

/// A task's preset rows: the settings per preset, each with the sentence that says why and where it was measured.
struct PresetRows<Row: Sendable>: Sendable {
    struct Entry: Sendable {
        let row: Row
        /// One sentence: why these values (the figures are in the sweep file named, and in MODEL_CARD.md).
        let why: String
    }

    let fast: Entry
    let balanced: Entry
    /// The quality preset samples as balanced does and averages ε̂ over mirror images (`RestorationPlan`).
    let quality: Entry

    /// paper's row is balanced's: it holds the blind extras paper runs when they are switched on (`PaperLoop` has its
    /// sampler settings).
    subscript(preset: RestorePreset) -> Row {
        switch preset {
        case .fast: fast.row
        case .balanced, .paper: balanced.row
        case .quality: quality.row
        }
    }
}
