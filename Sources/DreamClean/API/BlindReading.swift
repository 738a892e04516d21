// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What blind restoration reads from an image's colour before it restores it, and so which path it takes: JPEG
/// (`JPEGQualityEstimator` found the DC lattice), deblurring (`BlurEstimator` found blur; only without a lattice), or
/// the noise path at the noise level read. Public so that hosts can show what blind mode will do (the CLI prints it).
public struct BlindReading: Sendable, Equatable {
    /// The noise σ read (`NoiseEstimator`), in 0-255 units.
    public let noiseSigma: Double
    /// The same one scale coarser (`NoiseEstimator.coarseSigma`), in 0-255 units: near `noiseSigma` for white noise,
    /// several times it for a camera's correlated noise (or fine texture).
    public let coarseNoiseSigma: Double
    /// The JPEG DC quantization step of the luma, or nil when the image shows no JPEG lattice.
    public let jpegStep: Int?
    /// The Gaussian σ in pixels that blind restoration deblurs with, or nil (a JPEG, or an image that reads sharp).
    public let blurSigma: Double?
    /// The least noise the model's first diffusion step removes (0-255 units; 0 when not known): the noise path leaves
    /// an image whose noise reads below it as it is (`Restorer.automaticStrength`).
    public let leastRemovableNoise: Double
    /// A camera's colour noise as read (`CameraNoiseReading`; nil for a JPEG or where its reading is off).
    public let camera: CameraNoiseReading?
    /// The camera noise's per-pixel level in 0-255 units, where the colour shows one (blind mode then restores it as
    /// `--task denoise --noise-model camera` at that level would), or nil.
    public var cameraNoiseSigma: Double? { camera?.level }

    /// Reads `image`'s colour channels (its alpha is restored on the noise path, and not read here). `readsBlur` false
    /// skips the blur (the jpeg task, which does not deblur), `readsCameraNoise` false the camera noise;
    /// `leastRemovableNoise` as the property.
    public init(of image: ImageBuffer, readsBlur: Bool = true, readsCameraNoise: Bool = true, leastRemovableNoise: Double = 0) {
        self.leastRemovableNoise = leastRemovableNoise
        noiseSigma = NoiseEstimator.sigma(of: image) * 255 / 2  // [-1, 1] scale -> 0-255
        jpegStep = JPEGQualityEstimator.dcStep(of: image)
        coarseNoiseSigma = (readsBlur || readsCameraNoise) && jpegStep == nil ? NoiseScale.pixels(fromModel: NoiseEstimator.coarseSigma(of: image)) : noiseSigma
        camera = readsCameraNoise && jpegStep == nil ? CameraNoiseReading(of: image, coarseSigma: coarseNoiseSigma) : nil
        let whiteNoise = noiseSigma >= Self.leastDeblurNoise && coarseNoiseSigma <= Self.whiteNoiseRatio * noiseSigma
        blurSigma = readsBlur && jpegStep == nil && whiteNoise && camera?.level == nil ? BlurEstimator.deblurSigma(of: image) : nil
    }

    /// Blind mode deblurs only where it can trust the noise level it deblurs against: noise the finest scale reads
    /// (at least 1.5/255, above 8-bit rounding's reading) and that reads white (at most 2.5 times as high one scale
    /// coarser). A camera photo reads soft and its noise sits at coarser scales: deblurring it amplified that noise and
    /// sharpened the camera's own softness, which its ground truth shares (PolyU: -0.4 to -2.2 dB on every photo that
    /// read blurred). White noise reads 1.3-1.7 times as high one scale coarser on the blur row's crops, PolyU's noisy
    /// photos 3-5 times (`Models/default/MODEL_CARD.md`, "Real photos"). Noiseless upscales are left to the noise path
    /// too: `task=sr` and `task=deblur` sharpen what blind mode cannot tell from a camera's softness.
    static let leastDeblurNoise = 1.5
    static let whiteNoiseRatio = 2.5

    /// The libjpeg quality whose standard luma table has this DC step (16 x 50 / quality below 50, 16 x (2 - quality /
    /// 50) above): a guide, as an encoder may use its own tables.
    public var jpegQuality: Int? {
        jpegStep.map { step in
            let quality = step > 16 ? 800 / Double(step) : 100 - 3.125 * Double(step)
            return min(max(Int(quality.rounded()), 1), 100)
        }
    }

    /// One line for people: the path blind restoration takes and why.
    public var summary: String {
        let noise = "noise sigma \(DecimalText.fixed(noiseSigma))/255"
        if let jpegStep, let jpegQuality {
            return "JPEG blocks (DC step \(jpegStep), about quality \(jpegQuality)), \(noise): restored as a JPEG"
        }
        if let blurSigma {
            return "blurred, \(noise): deblurred with a Gaussian of \(DecimalText.fixed(blurSigma)) px"
        }
        if let camera, let level = camera.level {
            return "camera noise (colour noise spread over neighbouring pixels, \(DecimalText.fixed(camera.coarseChromaSigma))/255 in the colour "
                + "one scale coarser), about \(DecimalText.fixed(level))/255 per pixel: denoised as a camera's (sub-images apart)"
        }
        let coarse = coarseNoiseSigma > Self.whiteNoiseRatio * max(noiseSigma, 0.5)
            ? " (\(DecimalText.fixed(coarseNoiseSigma))/255 one scale coarser: camera-like noise or fine texture, not deblurred)" : ""
        let action = noiseSigma < leastRemovableNoise ? "left as it is (less noise than the model's first step removes)" : "denoised at that level"
        return "no JPEG blocks or blur to undo, \(noise)\(coarse): \(action)"
    }
}
