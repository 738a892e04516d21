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
    /// The noise read from the differences between the colour channels (`NoiseEstimator.chromaSigma`), at the finest
    /// scale, one coarser and two coarser, in 0-255 units; 0 for a gray image, a JPEG, or where the camera reading is
    /// off.
    public let chromaNoiseSigma: Double
    public let coarseChromaNoiseSigma: Double
    public let coarserChromaNoiseSigma: Double
    /// The channels' noise two scales coarser (`NoiseEstimator.coarseSigma` at scale 4), in 0-255 units; 0 where the
    /// camera reading is off.
    public let coarserNoiseSigma: Double
    /// A camera's noise, where the colour shows it: its per-pixel level in 0-255 units (blind mode then restores it as
    /// `--task denoise --noise-model camera` at that level would), or nil.
    public let cameraNoiseSigma: Double?

    /// Reads `image`'s colour channels (its alpha is restored on the noise path, and not read here). `readsBlur` false
    /// skips the blur (the jpeg task, which does not deblur), `readsCameraNoise` false the camera noise;
    /// `leastRemovableNoise` as the property.
    public init(of image: ImageBuffer, readsBlur: Bool = true, readsCameraNoise: Bool = true, leastRemovableNoise: Double = 0) {
        self.leastRemovableNoise = leastRemovableNoise
        let pixels = { (model: Double?) in (model ?? 0) * 255 / 2 }  // [-1, 1] scale -> 0-255
        noiseSigma = pixels(NoiseEstimator.sigma(of: image))
        jpegStep = JPEGQualityEstimator.dcStep(of: image)
        let readsCamera = readsCameraNoise && jpegStep == nil
        chromaNoiseSigma = readsCamera ? pixels(NoiseEstimator.chromaSigma(of: image)) : 0
        coarseChromaNoiseSigma = readsCamera ? pixels(NoiseEstimator.chromaSigma(of: image, scale: 2)) : 0
        coarserChromaNoiseSigma = readsCamera ? pixels(NoiseEstimator.chromaSigma(of: image, scale: 4)) : 0
        coarserNoiseSigma = readsCamera ? pixels(NoiseEstimator.coarseSigma(of: image, scale: 4)) : 0
        coarseNoiseSigma = (readsBlur || readsCamera) && jpegStep == nil ? pixels(NoiseEstimator.coarseSigma(of: image)) : noiseSigma
        cameraNoiseSigma = readsCamera ? Self.cameraNoise(chroma: (chromaNoiseSigma, coarseChromaNoiseSigma, coarserChromaNoiseSigma),
                                                          channels: (coarseNoiseSigma, coarserNoiseSigma)) : nil
        let whiteNoise = noiseSigma >= Self.leastDeblurNoise && coarseNoiseSigma <= Self.whiteNoiseRatio * noiseSigma
        blurSigma = readsBlur && jpegStep == nil && whiteNoise && cameraNoiseSigma == nil ? BlurEstimator.deblurSigma(of: image) : nil
    }

    /// A camera's colour noise: demosaicing spreads each channel's noise over 2-3 pixels, so the channel differences
    /// read it several times higher one scale coarser than at the finest scale, where white noise reads the same at
    /// both, clean colour texture reads low at both or alike (a face, a mandrill's fur), and noiseless upscales read
    /// next to nothing at the finest. On `make quality`'s 12 crops the camera rows read 1.0-4.4 / 3.1-14.6 (fine /
    /// coarse) at 2.1-3.8 times; no crop of any other row passes all three bounds (the nearest, noisy x4 upscales, read
    /// 1.0 / 2.9; MODEL_CARD.md, "Camera noise in blind mode"). PolyU's JPEG photos show no colour noise (0-0.5) and
    /// stay on the white-noise path.
    static let leastCameraChroma = 1.0
    static let leastCameraCoarseChroma = 3.3
    static let cameraChromaRatio = 1.8

    /// The level: `cameraLevel` times the coarse colour reading, lowered where the image reads textured. A camera's
    /// noise fades two scales coarser (its readings there are 1.5-1.6 times the coarse ones, in the colour and in the
    /// channels), while texture grows there; texture also raises the coarse reading the level comes from, and a
    /// textured photo under little noise loses its detail on the sub-images first. So the level falls linearly from
    /// the full factor at a ratio of `textureRamp.lower` to `textureFloor` of it at `.upper`, by the larger of the two
    /// ratios' falls. Fitted on 21 crops at three ISO-like levels (MODEL_CARD.md, "Camera noise in blind mode").
    static let cameraLevel = 0.8
    static let chromaTextureRamp = (lower: 1.5, upper: 2.4)
    static let channelTextureRamp = (lower: 1.8, upper: 3.0)
    static let textureFloor = 0.4

    static func cameraNoise(chroma: (fine: Double, coarse: Double, coarser: Double), channels: (coarse: Double, coarser: Double)) -> Double? {
        guard chroma.fine >= leastCameraChroma, chroma.coarse >= leastCameraCoarseChroma,
              chroma.coarse >= cameraChromaRatio * chroma.fine else { return nil }
        func share(_ ratio: Double, _ ramp: (lower: Double, upper: Double)) -> Double {
            min(max((ramp.upper - ratio) / (ramp.upper - ramp.lower), textureFloor), 1)
        }
        let chromaShare = share(chroma.coarser / chroma.coarse, chromaTextureRamp)
        let channelShare = channels.coarse > 0 ? share(channels.coarser / channels.coarse, channelTextureRamp) : textureFloor
        return cameraLevel * chroma.coarse * min(chromaShare, channelShare)
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
        if let cameraNoiseSigma {
            return "camera noise (colour noise spread over neighbouring pixels, \(DecimalText.fixed(coarseChromaNoiseSigma))/255 in the colour "
                + "one scale coarser), about \(DecimalText.fixed(cameraNoiseSigma))/255 per pixel: denoised as a camera's (sub-images apart)"
        }
        let coarse = coarseNoiseSigma > Self.whiteNoiseRatio * max(noiseSigma, 0.5)
            ? " (\(DecimalText.fixed(coarseNoiseSigma))/255 one scale coarser: camera-like noise or fine texture, not deblurred)" : ""
        let action = noiseSigma < leastRemovableNoise ? "left as it is (less noise than the model's first step removes)" : "denoised at that level"
        return "no JPEG blocks or blur to undo, \(noise)\(coarse): \(action)"
    }
}
