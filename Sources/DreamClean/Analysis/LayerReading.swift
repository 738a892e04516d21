// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What the analysis measures on one layer of the whole image (its colour, or its alpha as a gray image) before the
/// plan is made, so that every band restores the same way. What is read depends on the task (`TaskPolicy.reads`).
struct LayerReading: Equatable, Sendable {
    /// What a task's analysis reads.
    enum Needs: Equatable, Sendable {
        /// The noise level (`NoiseEstimator`), and when `coarse` (a camera's noise) one scale coarser and the colour's
        /// camera reading (`CameraNoiseReading`).
        case noise(coarse: Bool)
        /// The blind reading (`BlindReading`: noise at two scales, the JPEG lattice, the blur when `readsBlur`, a
        /// camera's colour noise when `readsCameraNoise`).
        case blind(readsBlur: Bool, readsCameraNoise: Bool)
        /// The noise level and the mean of the known pixels (`fill`), for inpainting's holes.
        case noiseAndFill

        var readsBlur: Bool { if case .blind(readsBlur: true, _) = self { true } else { false } }
    }

    /// Noise σ on the model's [-1, 1] scale.
    var noiseLevel: Double
    /// The same read one scale coarser (`NoiseEstimator.coarseSigma`), where the task reads it (else 0).
    var coarseNoiseLevel = 0.0
    /// The DC quantization step of a JPEG lattice, if the colour shows one.
    var jpegStep: Int?
    /// The Gaussian blur blind restoration undoes (`BlurEstimator.deblurSigma`), if the colour reads blurred.
    var blurSigma: Double?
    /// inpaint: the mean of the known pixels (per channel, [-1, 1]), the colour of holes no band can see around.
    var fill: [Float] = [0, 0, 0]
    /// blind and jpeg: the reading the values above come from (colour only).
    var blind: BlindReading?
    /// blind, and denoise with the camera model and no level: a camera's colour noise as read (colour only).
    var camera: CameraNoiseReading?

    /// Before the analysis: what the plan assumes to check a request's memory before any work (no JPEG, no blur).
    static let unread = LayerReading(noiseLevel: 0)

    /// Reads the colour of `input` (`alpha` false) or its alpha channel.
    init(of input: ImageBuffer, alpha: Bool, needs: Needs, mask: [Float]?, leastRemovableNoise: Double) {
        if case .blind(let readsBlur, let readsCameraNoise) = needs, !alpha {
            let reading = BlindReading(of: input, readsBlur: readsBlur, readsCameraNoise: readsCameraNoise, leastRemovableNoise: leastRemovableNoise)
            self.init(noiseLevel: NoiseScale.model(fromPixels: reading.noiseSigma), jpegStep: reading.jpegStep,
                      blurSigma: reading.blurSigma, blind: reading)
            return
        }
        self.init(noiseLevel: NoiseEstimator.sigma(of: input, alpha: alpha))
        if needs == .noise(coarse: true) {
            coarseNoiseLevel = NoiseEstimator.coarseSigma(of: input, alpha: alpha)
            if !alpha { camera = CameraNoiseReading(of: input, coarseSigma: NoiseScale.pixels(fromModel: coarseNoiseLevel)) }
        }
        if needs == .noiseAndFill, let mask { fill = Self.knownMean(input, alpha: alpha, mask: mask) }
    }

    init(noiseLevel: Double, jpegStep: Int? = nil, blurSigma: Double? = nil, fill: [Float] = [0, 0, 0], blind: BlindReading? = nil) {
        self.noiseLevel = noiseLevel
        self.jpegStep = jpegStep
        self.blurSigma = blurSigma
        self.fill = fill
        self.blind = blind
        camera = blind?.camera
    }

    private static func knownMean(_ input: ImageBuffer, alpha: Bool, mask: [Float]) -> [Float] {
        var sums = [Double](repeating: 0, count: 3)
        var known = 0.0
        for y in 0..<input.height {
            for x in 0..<input.width where mask[y * input.width + x] >= 0.5 {
                known += 1
                for c in 0..<3 {
                    let channel = alpha ? input.channels - 1 : (input.colorChannels == 1 ? 0 : c)
                    sums[c] += Double(min(max(input.sample(x, y, channel), 0), 1) * 2 - 1)
                }
            }
        }
        return sums.map { known > 0 ? Float($0 / known) : 0 }
    }
}
