// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// A camera's colour noise, read from the differences between the colour channels (`NoiseEstimator.chromaSigma`) at
/// three scales and from the channels at two: demosaicing spreads each channel's noise over 2-3 pixels, so the channel
/// differences read it several times higher one scale coarser than at the finest scale, where white noise reads the
/// same at both, clean colour texture reads low at both or alike (a face, a mandrill's fur), and noiseless upscales
/// read next to nothing at the finest. Blind mode, and `noise_model=camera` with no level given, restore what this
/// reads on sub-images (`DenoiseTask`) at `level`. PolyU's in-camera JPEGs show no colour noise (0-0.9/255) and read
/// no level here. All readings in 0-255 units.
public struct CameraNoiseReading: Sendable, Equatable {
    public let chromaSigma: Double
    public let coarseChromaSigma: Double
    public let coarserChromaSigma: Double
    /// The channels one and two scales coarser (`NoiseEstimator.coarseSigma` at scales 2 and 4).
    public let coarseSigma: Double
    public let coarserSigma: Double
    /// The camera noise's per-pixel level, or nil where the colour shows none.
    public let level: Double?

    /// Reads `image`'s colour; `coarseSigma`, when the caller has read it already.
    init(of image: ImageBuffer, coarseSigma: Double? = nil) {
        let pixels = { (model: Double?) in NoiseScale.pixels(fromModel: model ?? 0) }
        chromaSigma = pixels(NoiseEstimator.chromaSigma(of: image))
        coarseChromaSigma = pixels(NoiseEstimator.chromaSigma(of: image, scale: 2))
        coarserChromaSigma = pixels(NoiseEstimator.chromaSigma(of: image, scale: 4))
        self.coarseSigma = coarseSigma ?? pixels(NoiseEstimator.coarseSigma(of: image))
        coarserSigma = pixels(NoiseEstimator.coarseSigma(of: image, scale: 4))
        level = Self.level(chroma: (chromaSigma, coarseChromaSigma, coarserChromaSigma), channels: (self.coarseSigma, coarserSigma))
    }

    /// Where the colour shows a camera's noise: at `leastChroma` at the finest scale (8-bit rounding's reading is
    /// below), `leastCoarseChroma` one scale coarser and `coarseRatio` times as high there. On `make quality`'s 12
    /// crops the camera rows read 1.0-4.4 / 3.1-14.6 at 2.6-3.8 times; no crop of any other row passes all three (the
    /// nearest, noisy x4 upscales, read 1.0 / 2.9; MODEL_CARD.md, "Camera noise in blind mode").
    static let leastChroma = 1.0
    static let leastCoarseChroma = 3.3
    static let coarseRatio = 1.8

    /// The level: `levelPerCoarseChroma` times the coarse colour reading, lowered where the image reads textured. A
    /// camera's noise fades two scales coarser (its readings there are 1.4-1.6 times the coarse ones on the calmest
    /// camera crops, in the colour and in the channels), while texture grows there; texture also raises the coarse reading the level comes from,
    /// and a textured photo under little noise loses its detail on the sub-images first. So the level falls linearly
    /// from the full share at a ramp's `lower` ratio to `textureFloor` of it at its `upper`, by the larger of the two
    /// ratios' falls. Fitted on 21 crops at three ISO-like levels and checked on 20 others (MODEL_CARD.md, "Camera
    /// noise in blind mode").
    static let levelPerCoarseChroma = 0.8
    static let chromaTextureRamp = (lower: 1.5, upper: 2.4)
    static let channelTextureRamp = (lower: 1.8, upper: 3.0)
    static let textureFloor = 0.4

    static func level(chroma: (fine: Double, coarse: Double, coarser: Double), channels: (coarse: Double, coarser: Double)) -> Double? {
        guard chroma.fine >= leastChroma, chroma.coarse >= leastCoarseChroma, chroma.coarse >= coarseRatio * chroma.fine else { return nil }
        func share(_ ratio: Double, _ ramp: (lower: Double, upper: Double)) -> Double {
            min(max((ramp.upper - ratio) / (ramp.upper - ramp.lower), textureFloor), 1)
        }
        let chromaShare = share(chroma.coarser / chroma.coarse, chromaTextureRamp)
        let channelShare = channels.coarse > 0 ? share(channels.coarser / channels.coarse, channelTextureRamp) : textureFloor
        return levelPerCoarseChroma * chroma.coarse * min(chromaShare, channelShare)
    }
}
