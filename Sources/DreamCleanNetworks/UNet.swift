// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// The diffusion UNet of guided-diffusion (ADM, Dhariwal & Nichol 2021, `unet.py` `UNetModel`), which with a DDPM config
/// (additive time conditioning, conv resampling, diffusers' time embedding) is also the DDPM UNet of Ho et al. 2020 /
/// diffusers' `UNet2DModel`: both families share these blocks, and the converters map their keys to guided-diffusion's.
///
/// Limitations: unconditional models only (no class embedding); the legacy attention head order; batch items must share
/// one size, a multiple of `config.sizeMultiple`.
public final class UNet: @unchecked Sendable {
    public let config: UNetConfig
    public let backend: any ComputeBackend
    /// The weights held (memory planning counts them).
    public let weightFootprint: WeightFootprint
    /// Whether the model ships an int8 calibration (config.json `int8`), so that int8 convolutions can run.
    public let calibratedForInt8: Bool

    /// Computes later passes' convolutions in `precision` where the backend and CPU have it, int8 only with the
    /// model's calibration (else as bf16), and returns which.
    @discardableResult
    public func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision {
        backend.setConvolutionPrecision(precision == .int8 && !calibratedForInt8 ? .bf16 : precision)
    }
    private let timeEmbed1: Linear
    private let timeEmbed2: Linear
    private let inputBlocks: [[Layer]]
    private let middleBlock: [Layer]
    private let outputBlocks: [[Layer]]
    private let outNorm: GroupNorm
    private let outConv: Conv2d
    /// SDXL's added embedding (constant for the model), timeEmbedDim values; added to every item's time embedding.
    private let addedEmbedding: [Float]?

    enum Layer {
        case conv(Conv2d)
        case resBlock(ResBlock)
        case attention(AttentionBlock)
        case transformer(SpatialTransformer)
        case upsample(Conv2d)
    }

    /// Builds the network from `folder` (config.json + weights), verifying every key and shape.
    public convenience init(folder: String, backend: any ComputeBackend) throws {
        try self.init(folder: folder, config: try ModelConfig.load(folder: folder), backend: backend)
    }

    /// Builds the network from the weights `config` (loaded from `folder`) names.
    public convenience init(folder: String, config: ModelConfig, backend: any ComputeBackend) throws {
        let file = try SafeTensorsFile(path: URL(fileURLWithPath: folder).appendingPathComponent(config.weights).path)
        if let expected = config.weightsSHA256 { try file.verifySHA256(expected) }
        let conditioning = try config.conditioning.map {
            try SafeTensorsFile(path: URL(fileURLWithPath: folder).appendingPathComponent($0).path)
        }
        try self.init(config: config.unet, weights: file, conditioning: conditioning, int8: config.int8,
                      configPath: ModelConfig.path(folder: folder), backend: backend)
    }

    /// `conditioning` holds what a Stable Diffusion UNet is conditioned on (the converter's `conditioning.safetensors`:
    /// `context` [tokens, context_dim], and with an added embedding `text_embeds` [text_dim] and `time_ids`); nil for the
    /// pixel families. `int8` is the model's int8 calibration (from config.json at `configPath`): every name in it
    /// must be a convolution of the UNet.
    public init(config: UNetConfig, weights file: SafeTensorsFile, conditioning: SafeTensorsFile? = nil,
                int8: Int8Calibration? = nil, configPath: String = "", backend: any ComputeBackend) throws {
        self.config = config
        self.backend = backend
        calibratedForInt8 = int8 != nil
        let store = WeightStore(file: file, int8: int8, configPath: configPath)
        let c = config
        if c.addedEmbedding == nil, file.entries["add_embed.0.weight"] != nil {
            throw ModelError.invalidConfig(path: file.path, field: "unet.added_embedding",
                                           reason: "missing: the weights hold SDXL's added time and text embeddings (add_embed.*)")
        }
        timeEmbed1 = try Linear("time_embed.0", input: c.baseChannels, output: c.timeEmbedDim, store: store)
        timeEmbed2 = try Linear("time_embed.2", input: c.timeEmbedDim, output: c.timeEmbedDim, store: store)
        let fixed = try Self.readConditioning(conditioning, config: c)
        addedEmbedding = try fixed.added.map { try Self.addedEmbedding($0, config: c, store: store, backend: backend) }
        func resBlock(_ prefix: String, _ input: Int, _ output: Int, _ resample: Resample = .none) throws -> Layer {
            .resBlock(try ResBlock(prefix, channels: input, outChannels: output, resample: resample, norm: c.norm,
                                   conditioning: .init(embeddingDim: c.timeEmbedDim, scaleShift: c.useScaleShiftNorm),
                                   store: store, backend: backend))
        }
        func attention(_ prefix: String, _ channels: Int, depth: Int) throws -> Layer {
            let heads = c.heads(channels: channels)
            guard let transformer = c.transformer, let context = fixed.context else {
                return .attention(try AttentionBlock(prefix, channels: channels, heads: heads, norm: c.norm, store: store, backend: backend))
            }
            return .transformer(try SpatialTransformer(prefix, channels: channels, heads: heads, depth: depth, config: transformer,
                                                       norm: c.norm, context: context, store: store, backend: backend))
        }
        func depth(level: Int) -> Int { c.transformer?.depth[level] ?? 1 }

        var channels = c.levelChannels[0]
        var input: [[Layer]] = [[.conv(try .same("input_blocks.0.0", c.inChannels, channels, kernel: 3, store: store, backend: backend))]]
        var skipChannels = [channels]
        for (level, levelChannels) in c.levelChannels.enumerated() {
            for _ in 0..<c.numResBlocks {
                let prefix = "input_blocks.\(input.count)"
                var block = [try resBlock("\(prefix).0", channels, levelChannels)]
                channels = levelChannels
                if c.hasAttention(level: level) { block.append(try attention("\(prefix).1", channels, depth: depth(level: level))) }
                input.append(block)
                skipChannels.append(channels)
            }
            if level != c.levelChannels.count - 1 {
                let prefix = "input_blocks.\(input.count).0"
                input.append([c.resblockUpdown ? try resBlock(prefix, channels, channels, .down)
                                               : .conv(try Conv2d("\(prefix).op", downsampleDescriptor(channels), store: store, backend: backend))])
                skipChannels.append(channels)
            }
        }
        inputBlocks = input
        var middle = [try resBlock("middle_block.0", channels, channels)]
        if c.middleAttention { middle.append(try attention("middle_block.1", channels, depth: c.transformer?.middleDepth ?? 1)) }
        middle.append(try resBlock("middle_block.\(middle.count)", channels, channels))
        middleBlock = middle

        var output: [[Layer]] = []
        for (level, levelChannels) in c.levelChannels.enumerated().reversed() {
            for i in 0...c.numResBlocks {
                let prefix = "output_blocks.\(output.count)"
                var block = [try resBlock("\(prefix).0", channels + skipChannels.removeLast(), levelChannels)]
                channels = levelChannels
                if c.hasAttention(level: level) { block.append(try attention("\(prefix).1", channels, depth: depth(level: level))) }
                if level > 0 && i == c.numResBlocks {
                    let upPrefix = "\(prefix).\(block.count)"
                    block.append(c.resblockUpdown ? try resBlock(upPrefix, channels, channels, .up)
                                                  : .upsample(try .same("\(upPrefix).conv", channels, channels, kernel: 3, store: store, backend: backend)))
                }
                output.append(block)
            }
        }
        outputBlocks = output
        outNorm = try GroupNorm("out.0", channels: channels, style: c.norm, store: store)
        outConv = try .same("out.2", channels, c.outChannels, kernel: 3, store: store, backend: backend)
        try store.finish()
        weightFootprint = WeightFootprint(file)

        func downsampleDescriptor(_ channels: Int) -> Conv2dDescriptor {
            c.downsamplePadding == "symmetric"
                ? Conv2dDescriptor(inChannels: channels, outChannels: channels, kernelSize: 3, stride: 2, padding: 1)
                : Conv2dDescriptor(inChannels: channels, outChannels: channels, kernelSize: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1)
        }
    }

    /// The network output for `x` at diffusion timesteps `timesteps` (one per batch item).
    public func callAsFunction(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        // x: [N, H, W, in]
        let s = x.shape
        guard s.channels == config.inChannels, timesteps.count == s.batch, s.batch > 0,
              s.height > 0, s.width > 0, s.height % config.sizeMultiple == 0, s.width % config.sizeMultiple == 0 else {
            throw KernelError.shapeMismatch(op: "UNet", expected: "[N, H, W, \(config.inChannels)] with H, W multiples of \(config.sizeMultiple) and N timesteps",
                                            found: "\(s) with \(timesteps.count) timesteps")
        }
        let sinusoid = try timestepEmbedding(timesteps, dim: config.baseChannels, flipSinToCos: config.timeFlipSinToCos,
                                             freqShift: config.timeFreqShift)
        var embedding = try timeEmbed2(try backend.silu(try timeEmbed1(sinusoid, backend: backend)), backend: backend)
        if let addedEmbedding {
            embedding = try backend.addChannelBiasInPlace(embedding, try Tensor(shape: TensorShape(batch: s.batch, height: 1, width: 1, channels: addedEmbedding.count),
                                                                                nhwc: Array(repeating: addedEmbedding, count: s.batch).flatMap { $0 }))
        }
        let activated = try backend.silu(embedding)

        var skips: [Tensor] = []
        var h = x
        for block in inputBlocks {
            h = try run(block, h, activated)
            skips.append(h)
        }
        h = try run(middleBlock, h, activated)
        for block in outputBlocks {
            guard let skip = skips.popLast() else { break }
            h = try run(block, try backend.concatChannels(h, skip), activated)
        }
        return try outConv(try backend.groupNorm(h, outNorm.parameters, scale: nil, shift: nil, silu: true))  // [N, H, W, out]
    }

    private func run(_ block: [Layer], _ x: Tensor, _ embedding: Tensor) throws -> Tensor {
        var h = x
        for layer in block {
            switch layer {
            case let .conv(conv): h = try conv(h)
            case let .resBlock(resBlock): h = try resBlock(h, embedding, backend: backend)
            // The attention input is always the fresh output of the layer before it, so it may be overwritten.
            case let .attention(attention): h = try attention(consuming: h, backend: backend)
            case let .transformer(transformer): h = try transformer(consuming: h, backend: backend)
            case let .upsample(conv): h = try conv(try backend.upsampleNearest2x(h))
            }
        }
        return h
    }
}

extension UNet {
    /// What `conditioning` holds, checked against the config: every key used, every width as configured.
    private static func readConditioning(_ file: SafeTensorsFile?, config c: UNetConfig)
        throws -> (context: FixedContext?, added: (textEmbeds: [Float], timeIds: [Float])?) {
        guard let transformer = c.transformer else {
            if let file { throw ModelError.unexpectedWeights(keys: file.entries.keys.sorted(), path: file.path) }
            return (nil, nil)
        }
        guard let file else { throw ModelError.missingWeight(key: "context", path: "conditioning (config.json names no conditioning file)") }
        let store = WeightStore(file: file)
        guard let tokens = file.entries["context"]?.shape.first, tokens > 0 else { throw ModelError.missingWeight(key: "context", path: file.path) }
        let context = FixedContext(tokens: tokens, width: transformer.contextDim,
                                   values: try store.take("context", shape: [tokens, transformer.contextDim]))
        let added = try c.addedEmbedding.map {
            (try store.take("text_embeds", shape: [$0.textDim]), try store.take("time_ids", shape: [$0.timeIds]))
        }
        try store.finish()
        return (context, added)
    }

    /// SDXL's `add_embedding(concat(text_embeds, sinusoid(time_ids)))`, timeEmbedDim values.
    private static func addedEmbedding(_ inputs: (textEmbeds: [Float], timeIds: [Float]), config c: UNetConfig, store: WeightStore,
                                       backend: any ComputeBackend) throws -> [Float] {
        guard let added = c.addedEmbedding else { throw ModelError.missingWeight(key: "added_embedding", path: "config.json") }
        let first = try Linear("add_embed.0", input: added.inputDim, output: c.timeEmbedDim, store: store)
        let second = try Linear("add_embed.2", input: c.timeEmbedDim, output: c.timeEmbedDim, store: store)
        let sinusoids = try timestepEmbedding(inputs.timeIds, dim: added.timeDim, flipSinToCos: c.timeFlipSinToCos, freqShift: c.timeFreqShift)
        let values = inputs.textEmbeds + Array(UnsafeBufferPointer(start: sinusoids.data, count: sinusoids.count))
        let input = try Tensor(shape: TensorShape(batch: 1, height: 1, width: 1, channels: added.inputDim), nhwc: values)
        let embedding = try second(try backend.silu(try first(input, backend: backend)), backend: backend)
        return Array(UnsafeBufferPointer(start: embedding.data, count: embedding.count))
    }
}
