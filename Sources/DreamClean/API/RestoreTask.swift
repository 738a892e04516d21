// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What is wrong with the image, as far as the caller knows. Each task's policy is one file in Tasks/ (`TaskPolicy`).
public enum RestoreTask: String, Sendable, CaseIterable {
    /// Unknown damage, no operator: the image taken as x_t at its estimated noise level and walked back by DDIM; an image
    /// whose 8x8 blocks show JPEG quantization (`JPEGQualityEstimator`) is restored as `jpeg`, one whose edges read
    /// blurred (`BlurEstimator`: blurred, or upscaled) is deblurred with the Gaussian they show, shrunk.
    case blind
    /// Gaussian noise of a known (or estimated) level: the blind start at that level, with DDNM+ for A = I.
    case denoise
    /// JPEG artifacts: the colour rebuilt from the luma (`ChromaGuidedFilter`), then the blind loop with the JPEG error
    /// taken as extra noise, both sized by the compression read from the pixels (`JPEGQualityEstimator`).
    case jpeg
    /// Low resolution: the downsampling operator `sr_kernel` names, at an integer scale; the output is scale times larger.
    case sr
    /// Gaussian or user-kernel blur: the Fourier pseudo-inverse on the mirrored image.
    case deblur
    /// Missing pixels given by a mask.
    case inpaint
    /// A gray image: colour from the prior, the gray (`gray_weights`) kept.
    case colorize
}

/// Speed/quality trade-off; sets steps, strength, gamma and M per task (each overridable). quality samples as balanced
/// does and averages the network over the image's mirror images (`FlipEnsemble`), at four times the time. paper runs
/// the paper's loop (`PaperLoop`: DDIM inversion, one VPS correction and one DDIM step per timestep, 30 steps) with
/// none of the blind extras unless they are switched on.
public enum RestorePreset: String, Sendable, CaseIterable {
    case fast, balanced, quality, paper

    /// Whether the blind extras (the JPEG chroma filter, the busy-region run, deblurring a blur read from the edges, the
    /// camera noise path) are on when their switches are left unset: not for paper, which is the paper's method and
    /// nothing else.
    public var usesBlindExtras: Bool { self != .paper }
}

/// What kind of noise the denoise task removes. A camera's noise is not white: demosaicing spreads it over neighbouring
/// pixels and in-camera processing and JPEG remove its finest scale, so a white-noise denoiser at its level leaves most
/// of it. `camera` denoises the four stride-2 sub-images of the photo apart (pixel-shuffle down-sampling, after Zhou et
/// al., AAAI 2020), in which neighbouring pixels were two apart and carry far less of that correlation.
public enum NoiseModel: String, Sendable, CaseIterable {
    case white, camera
}
