// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What blind restoration reads from an image's colour before it restores it, and so which path it takes: JPEG
/// (`JPEGQualityEstimator` found the DC lattice), deblurring (`BlurEstimator` found blur; only without a lattice), or
/// the noise path at the noise level read. Public so that hosts can show what blind mode will do (the CLI prints it).
public struct BlindReading: Sendable, Equatable {
    /// The noise σ read (`NoiseEstimator`), in 0-255 units.
    public let noiseSigma: Double
    /// The JPEG DC quantization step of the luma, or nil when the image shows no JPEG lattice.
    public let jpegStep: Int?
    /// The Gaussian σ in pixels that blind restoration deblurs with, or nil (a JPEG, or an image that reads sharp).
    public let blurSigma: Double?

    /// Reads `image`'s colour channels (its alpha is restored on the noise path, and not read here). `readsBlur` false
    /// skips the blur (the jpeg task, which does not deblur).
    public init(of image: ImageBuffer, readsBlur: Bool = true) {
        noiseSigma = NoiseEstimator.sigma(of: image) * 255 / 2  // [-1, 1] scale -> 0-255
        jpegStep = JPEGQualityEstimator.dcStep(of: image)
        blurSigma = readsBlur && jpegStep == nil ? BlurEstimator.deblurSigma(of: image) : nil
    }

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
        let noise = "noise sigma \(Self.format(noiseSigma))/255"
        if let jpegStep, let jpegQuality {
            return "JPEG blocks (DC step \(jpegStep), about quality \(jpegQuality)), \(noise): restored as a JPEG"
        }
        if let blurSigma {
            return "blurred or upscaled, \(noise): deblurred with a Gaussian of \(Self.format(blurSigma)) px"
        }
        return "no JPEG blocks or blur, \(noise): denoised at that level"
    }

    private static func format(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e6 else { return "?" }  // a public type: any image may come in
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
