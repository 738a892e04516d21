// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// Stable Diffusion's KL autoencoder (diffusers' `AutoencoderKL`): `encode` maps an image in [-1, 1] to the latent the
/// UNet works on, `(mean - shift_factor) * scaling_factor` (the posterior's mean: restoration wants no sampling noise),
/// and `decode` maps a latent back. Keys are the converter's (`Models/dreamclean_models/convert_sd.py`): residual
/// blocks named as the UNet's, the mid-block attention fused as guided-diffusion's.
public final class AutoencoderKL: @unchecked Sendable {
    public let config: VAEConfig
    public let backend: any ComputeBackend
    /// The weights held (memory planning counts them).
    public let weightFootprint: WeightFootprint
    private let encoderIn: Conv2d
    private let encoderLevels: [(blocks: [ResBlock], downsample: Conv2d?)]
    private let encoderMiddle: MiddleBlock
    private let encoderNorm: GroupNorm
    private let encoderOut: Conv2d
    /// The posterior mean's half of `quant_conv` (the log-variance half is never used).
    private let quantMean: Conv2d?
    private let postQuant: Conv2d?
    private let decoderIn: Conv2d
    private let decoderMiddle: MiddleBlock
    private let decoderLevels: [(blocks: [ResBlock], upsample: Conv2d?)]
    private let decoderNorm: GroupNorm
    private let decoderOut: Conv2d

    /// Residual block, single-head attention, residual block.
    struct MiddleBlock {
        let first: ResBlock
        let attention: AttentionBlock
        let second: ResBlock

        init(_ prefix: String, channels: Int, norm: NormStyle, store: WeightStore, backend: any ComputeBackend) throws {
            first = try ResBlock("\(prefix).0", channels: channels, outChannels: channels, norm: norm, conditioning: nil, store: store, backend: backend)
            attention = try AttentionBlock("\(prefix).1", channels: channels, heads: 1, norm: norm, store: store, backend: backend)
            second = try ResBlock("\(prefix).2", channels: channels, outChannels: channels, norm: norm, conditioning: nil, store: store, backend: backend)
        }

        func callAsFunction(_ x: Tensor, backend: any ComputeBackend) throws -> Tensor {
            try second(try attention(consuming: try first(x, nil, backend: backend), backend: backend), nil, backend: backend)
        }
    }

    /// Loads `folder`'s autoencoder as `config.vae` names it, verifying every key and shape.
    public convenience init(folder: String, config: ModelConfig, backend: any ComputeBackend) throws {
        guard let vae = config.vae else {
            throw ModelError.invalidConfig(path: ModelConfig.path(folder: folder), field: "vae", reason: "missing: not a latent model")
        }
        let file = try SafeTensorsFile(path: URL(fileURLWithPath: folder).appendingPathComponent(vae.weights).path)
        if let expected = vae.weightsSHA256 { try file.verifySHA256(expected) }
        try self.init(config: vae, weights: file, backend: backend)
    }

    public init(config: VAEConfig, weights file: SafeTensorsFile, backend: any ComputeBackend) throws {
        self.config = config
        self.backend = backend
        let store = WeightStore(file: file)
        let c = config, norm = config.norm
        func resBlock(_ prefix: String, _ input: Int, _ output: Int) throws -> ResBlock {
            try ResBlock(prefix, channels: input, outChannels: output, norm: norm, conditioning: nil, store: store, backend: backend)
        }
        let top = c.levelChannels[0], bottom = c.levelChannels[c.levelChannels.count - 1]
        encoderIn = try .same("encoder.conv_in", c.inChannels, top, kernel: 3, store: store, backend: backend)
        var channels = top
        encoderLevels = try c.levelChannels.enumerated().map { level, levelChannels in
            let blocks = try (0..<c.numResBlocks).map { j in
                defer { channels = levelChannels }
                return try resBlock("encoder.down.\(level).res.\(j)", channels, levelChannels)
            }
            // diffusers pads the bottom and right by one, then convolves with stride 2 and no padding.
            let downsample = level == c.levelChannels.count - 1 ? nil
                : try Conv2d("encoder.down.\(level).downsample",
                             Conv2dDescriptor(inChannels: levelChannels, outChannels: levelChannels, kernelSize: 3, stride: 2,
                                              padTop: 0, padLeft: 0, padBottom: 1, padRight: 1), store: store, backend: backend)
            return (blocks, downsample)
        }
        encoderMiddle = try MiddleBlock("encoder.mid", channels: bottom, norm: norm, store: store, backend: backend)
        encoderNorm = try GroupNorm("encoder.out.0", channels: bottom, style: norm, store: store)
        encoderOut = try .same("encoder.out.2", bottom, 2 * c.latentChannels, kernel: 3, store: store, backend: backend)
        let latent = c.latentChannels
        if c.quantConv {
            let weight = try store.take("quant_conv.weight", shape: [2 * latent, 2 * latent, 1, 1])
            let bias = try store.take("quant_conv.bias", shape: [2 * latent])
            // Output channels [0, latent) are the mean; each reads all 2 * latent inputs.
            quantMean = Conv2d(op: try backend.makeConv2d(Conv2dDescriptor(inChannels: 2 * latent, outChannels: latent, kernelSize: 1, padding: 0),
                                                          weight: Array(weight[0..<(latent * 2 * latent)]), bias: Array(bias[0..<latent])))
            postQuant = try .pointwise("post_quant_conv", latent, latent, store: store, backend: backend)
        } else {
            (quantMean, postQuant) = (nil, nil)
        }

        decoderIn = try .same("decoder.conv_in", latent, bottom, kernel: 3, store: store, backend: backend)
        decoderMiddle = try MiddleBlock("decoder.mid", channels: bottom, norm: norm, store: store, backend: backend)
        channels = bottom
        let reversed = Array(c.levelChannels.reversed())
        decoderLevels = try reversed.enumerated().map { i, levelChannels in
            let blocks = try (0...c.numResBlocks).map { j in
                defer { channels = levelChannels }
                return try resBlock("decoder.up.\(i).res.\(j)", channels, levelChannels)
            }
            let upsample = i == reversed.count - 1 ? nil
                : try Conv2d.same("decoder.up.\(i).upsample", levelChannels, levelChannels, kernel: 3, store: store, backend: backend)
            return (blocks, upsample)
        }
        decoderNorm = try GroupNorm("decoder.out.0", channels: top, style: norm, store: store)
        decoderOut = try .same("decoder.out.2", top, c.inChannels, kernel: 3, store: store, backend: backend)
        try store.finish()
        weightFootprint = WeightFootprint(file)
    }

    /// The latent of `image` [N, H, W, in] in [-1, 1] (H and W multiples of `config.downsampling`), scaled for the
    /// UNet: [N, H / f, W / f, latent].
    public func encode(_ image: Tensor) throws -> Tensor {
        try checkShape("encode", image, channels: config.inChannels, multiple: config.downsampling)
        var h = try encoderIn(image)
        for level in encoderLevels {
            for block in level.blocks { h = try block(h, nil, backend: backend) }
            if let downsample = level.downsample { h = try downsample(h) }
        }
        h = try encoderMiddle(h, backend: backend)
        h = try encoderOut(try backend.groupNorm(h, encoderNorm.parameters, scale: nil, shift: nil, silu: true))
        let mean = try quantMean.map { try $0(h) } ?? (try firstChannels(h, config.latentChannels))
        let (scale, shift) = (config.scalingFactor, config.shiftFactor)
        for i in 0..<mean.count { mean.data[i] = (mean.data[i] - shift) * scale }
        return mean
    }

    /// The image [N, H * f, W * f, in] (about [-1, 1], not clamped) that `latent` [N, H, W, latent] decodes to.
    public func decode(_ latent: Tensor) throws -> Tensor {
        try checkShape("decode", latent, channels: config.latentChannels, multiple: 1)
        let unscaled = try backend.copy(latent)
        let (scale, shift) = (config.scalingFactor, config.shiftFactor)
        for i in 0..<unscaled.count { unscaled.data[i] = unscaled.data[i] / scale + shift }
        var h = try decoderIn(try postQuant.map { try $0(unscaled) } ?? unscaled)
        h = try decoderMiddle(h, backend: backend)
        for level in decoderLevels {
            for block in level.blocks { h = try block(h, nil, backend: backend) }
            if let upsample = level.upsample { h = try upsample(try backend.upsampleNearest2x(h)) }
        }
        return try decoderOut(try backend.groupNorm(h, decoderNorm.parameters, scale: nil, shift: nil, silu: true))
    }

    private func checkShape(_ op: String, _ x: Tensor, channels: Int, multiple: Int) throws {
        let s = x.shape
        guard s.channels == channels, s.batch > 0, s.height > 0, s.width > 0, s.height % multiple == 0, s.width % multiple == 0 else {
            throw KernelError.shapeMismatch(op: "autoencoder \(op)", expected: "[N, H, W, \(channels)] with H, W multiples of \(multiple)",
                                            found: s.description)
        }
    }

    /// Channels [0, count) of `x` (the posterior mean when there is no `quant_conv`).
    private func firstChannels(_ x: Tensor, _ count: Int) throws -> Tensor {
        var shape = x.shape
        shape.channels = count
        let out = try Tensor(uninitialized: shape)
        for p in 0..<x.count / x.shape.channels {
            for i in 0..<count { out.data[p * count + i] = x.data[p * x.shape.channels + i] }
        }
        return out
    }
}
