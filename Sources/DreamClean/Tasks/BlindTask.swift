// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Unknown damage, no operator: the image taken as x_t at its estimated noise level and walked back by DDIM. An image
/// whose 8x8 blocks show JPEG quantization is restored as `JPEGTask` does; one whose colour shows a camera's noise
/// (`CameraNoiseReading`) as `DenoiseTask` restores camera noise at that level; one that reads blurred with
/// white noise (`BlindReading`) is deblurred with the Gaussian its edges show, shrunk (`BlurEstimator.deblurSigma`).
struct BlindTask: TaskPolicy {
    /// No blur when deblurring a blur read from the edges is switched off, no camera noise when its path is.
    func reads(_ options: RestoreOptions) -> LayerReading.Needs {
        .blind(readsBlur: options.usesGuessedDeblur, readsCameraNoise: options.usesCameraNoise)
    }

    func problem(_ options: RestoreOptions, _ reading: LayerReading) -> (RestorationPlan.Problem, noiseLevel: Double) {
        if let camera = cameraNoise(options, reading) { return DenoiseTask().problem(camera, reading) }
        guard let blurSigma = reading.blurSigma else { return (.none, reading.noiseLevel) }
        let noise = max(reading.noiseLevel, DeblurTask.noiseFloor)
        return (.blur(.gaussian(sigma: blurSigma), noise: noise), noise)
    }

    func subsampling(_ options: RestoreOptions, _ reading: LayerReading) -> Int {
        cameraNoise(options, reading).map { DenoiseTask().subsampling($0, reading) } ?? 1
    }

    /// The noise path: a JPEG's error is not clipped noise, a camera's is not white, and deblurring's measurement
    /// keeps its own model.
    func unclips(_ options: RestoreOptions, _ reading: LayerReading) -> Bool {
        reading.jpegStep == nil && reading.blurSigma == nil && reading.camera?.level == nil
    }

    func settings(_ preset: RestorePreset, _ reading: LayerReading, noiseLevel: Double) -> PresetSettings {
        if reading.jpegStep != nil { return JPEGTask().settings(preset, reading, noiseLevel: noiseLevel) }
        if reading.camera?.level != nil { return DenoiseTask().settings(preset, reading, noiseLevel: noiseLevel) }
        return reading.blurSigma == nil ? Self.noiseRows[preset] : Self.deblurRows[preset]
    }

    func paperLoop(_ reading: LayerReading) -> PaperLoop {
        if reading.jpegStep != nil { return JPEGTask().paperLoop(reading) }
        if reading.camera?.level != nil { return DenoiseTask.paper }
        return reading.blurSigma == nil ? Self.paperNoise : DeblurTask.paper
    }

    /// The denoise task's options for a camera's noise read in the colour (the reading is only taken where the
    /// switch is on), or nil.
    private func cameraNoise(_ options: RestoreOptions, _ reading: LayerReading) -> RestoreOptions? {
        guard let level = reading.camera?.level else { return nil }
        var denoise = RestoreOptions(task: .denoise, preset: options.preset)
        denoise.noiseModel = .camera
        denoise.noiseSigma = level
        return denoise
    }

    /// The noise path (also `JPEGTask`'s when no lattice shows) in the paper's loop. Figures: `paper-sweep.txt`.
    static let paperNoise = PaperLoop(depth: .imageNoise(plus: 0), gamma: 0.6, why: "24.67 dB at noise 25 against 23.69 at gamma 0.1 and 20.76 without VPS; fixed depths of 0.1 and 0.2 lower (20.7-23.3): inversion carries the noise up as content, and only large gammas shed it")

    /// The noise path (also `JPEGTask`'s when no lattice shows): the image itself taken as x_t at its noise level.
    /// Figures: `Models/default/preset-sweep.txt`, MODEL_CARD.md "Preset tuning".
    static let noiseRows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 1, depth: .imageNoise(plus: 0)),
                    why: "one step: 0.01-0.19 dB below two at sigma 15-50, for half the evaluations"),
        balanced: .init(row: PresetSettings(steps: 2, depth: .imageNoise(plus: 0)),
                        why: "two deterministic steps from the image's own noise level measured best of 1-4 at sigma 15, 25 and 50"),
        quality: .init(row: PresetSettings(steps: 2, depth: .imageNoise(plus: 0)),
                       why: "as balanced, plus the mirror ensemble; more steps measured worse"))

    /// Read blurred: deblurring's steps from about half its depth (t = 30), whose noise hurt the cleanest images.
    /// Figures: MODEL_CARD.md "Blind deblurring".
    static let deblurRows = PresetRows<PresetSettings>(
        fast: .init(row: PresetSettings(steps: 4, depth: .strength(0.03)), why: "half the evaluations, as for the known operators (not swept here)"),
        balanced: .init(row: PresetSettings(steps: 8, depth: .strength(0.03)),
                        why: "depth 0.03 (t = 30): within 0.01 dB of the best of 0.015, 0.03 and 0.057 on x2 and x4 upscales and blur, and gentler on clean images than 0.057"),
        quality: .init(row: PresetSettings(steps: 8, depth: .strength(0.03)), why: "as balanced, plus the mirror ensemble"))
}
