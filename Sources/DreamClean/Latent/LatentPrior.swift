// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
import Glibc

/// A Stable Diffusion model as the restorer uses it: the autoencoder that takes images to latents and back, and the
/// latent UNet as a `NoiseNetwork` over those latents (ε̂ whatever the model predicts: a v-prediction model's output is
/// turned into ε̂ with the schedule). `LatentRestoration` runs the sampler on its latents.
public final class LatentPrior: NoiseNetwork, @unchecked Sendable {
    public let unet: UNet
    public let autoencoder: AutoencoderKL
    public let schedule: NoiseSchedule
    /// Whether the UNet predicts v = sqrt(ᾱ)·ε − sqrt(1−ᾱ)·x0 (SD 2.x 768 models) rather than ε.
    public let predictsVelocity: Bool

    init(unet: UNet, autoencoder: AutoencoderKL, schedule: NoiseSchedule, predictsVelocity: Bool) {
        self.unet = unet
        self.autoencoder = autoencoder
        self.schedule = schedule
        self.predictsVelocity = predictsVelocity
    }

    /// Image sides must be multiples of this: the autoencoder's downsampling times the UNet's.
    public var imageMultiple: Int { autoencoder.config.downsampling * unet.config.sizeMultiple }

    // MARK: NoiseNetwork, over latents

    public var sizeMultiple: Int { unet.config.sizeMultiple }

    /// x: latents [1, h, w, latent channels] at timestep t -> ε̂ of the same shape. From v: ε = sqrt(ᾱ_t)·v + sqrt(1−ᾱ_t)·x_t.
    public func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        let out = try unet.predictNoise(x, timestep: timestep)
        guard predictsVelocity else { return out }
        guard out.shape == x.shape else {
            throw KernelError.shapeMismatch(op: "v prediction", expected: x.shape.description, found: out.shape.description)
        }
        let a = schedule.alphaBar(timestep)
        let (cv, cx) = (Float(a.squareRoot()), Float((1 - a).squareRoot()))
        for i in 0..<out.count { out.data[i] = cv * out.data[i] + cx * x.data[i] }
        return out
    }

    public var fixedBytes: Int {
        unet.fixedBytes + autoencoder.weightFootprint.bytes(at: autoencoder.backend.convolutionPrecision)
    }

    /// The autoencoder's larger pass (encode or decode) per image pixel, and its mid-block attention's scores over the
    /// latent positions (`AttentionScratch`). Without a pool (the reference backend): an estimate, 64 floats per
    /// channel of the widest level.
    public func autoencoderFootprint() throws -> ActivationFootprint {
        let f = autoencoder.config.downsampling
        var activations = ActivationFootprint(perPixel: 64 * MemoryLayout<Float>.stride * (autoencoder.config.levelChannels.max() ?? 64))
        if let pool = unet.backend.bufferPool {
            let side = 8 * f
            let latent = try Tensor(zeros: TensorShape(batch: 1, height: 8, width: 8, channels: autoencoder.config.latentChannels))
            let image = try Tensor(zeros: TensorShape(batch: 1, height: side, width: side, channels: autoencoder.config.inChannels))
            let passes = [{ _ = try self.autoencoder.decode(latent) }, { _ = try self.autoencoder.encode(image) }]
            let measured = try passes.map { try ActivationFootprint.measured(pool: pool, pixels: side * side, pass: $0) }
            activations = ActivationFootprint(perPixel: measured.map(\.perPixel).max() ?? 0)
        }
        return activations.adding(autoencoder.backend.attentionScratch, pixelsPerPosition: f * f)
    }

    /// The UNet's, per latent pixel.
    public func activationFootprint() throws -> ActivationFootprint { try unet.activationFootprint() }
    public func setActivationCache(bytes: Int) { unet.setActivationCache(bytes: bytes) }
    public func setComputeThreads(_ threads: Int) throws { try unet.setComputeThreads(threads) }
    public func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision { unet.setConvolutionPrecision(precision) }
    public var convolutionPrecision: ConvolutionPrecision { unet.convolutionPrecision }
}
