// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// The `unet.transformer` object of a Stable Diffusion UNet: where its `SpatialTransformer`s sit and how they are
/// built. Field meanings: `Models/dreamclean_models/convert_sd.py`, which writes them from diffusers' config.
public struct TransformerConfig: Codable, Equatable, Sendable {
    /// Transformer blocks per level (0: none at that level), one entry per `level_channels` entry.
    public var depth: [Int]
    /// Transformer blocks in the middle block (0: none).
    public var middleDepth: Int
    /// The width of the cross-attention context (768 for SD 1.x, 1024 for SD 2.x, 2048 for SDXL).
    public var contextDim: Int
    public var groupNormEpsilon: Float
    public var layerNormEpsilon: Float

    enum CodingKeys: String, CodingKey {
        case depth
        case middleDepth = "middle_depth", contextDim = "context_dim"
        case groupNormEpsilon = "group_norm_eps", layerNormEpsilon = "layer_norm_eps"
    }

    func validate(path: String, levels: Int) throws {
        func fail(_ field: CodingKeys, _ reason: String) -> ModelError {
            .invalidConfig(path: path, field: "unet.transformer.\(field.rawValue)", reason: reason)
        }
        guard depth.count == levels, depth.allSatisfy({ (0...64).contains($0) }) else {
            throw fail(.depth, "needs one depth of 0 to 64 per level (\(levels) levels)")
        }
        guard (0...64).contains(middleDepth) else { throw fail(.middleDepth, "\(middleDepth) is not 0 to 64") }
        guard (1...(1 << 16)).contains(contextDim) else { throw fail(.contextDim, "\(contextDim) is out of range") }
        for (field, value) in [(CodingKeys.groupNormEpsilon, groupNormEpsilon), (.layerNormEpsilon, layerNormEpsilon)] {
            guard value > 0, value.isFinite else { throw fail(field, "must be positive and finite") }
        }
    }
}

/// The `unet.added_embedding` object (SDXL): the time embedding also receives
/// `linear(silu(linear([text_embeds, sinusoid(time_ids) of time_dim each])))`, constant for a model (the converter
/// stores the empty prompt's pooled text embedding and the native resolution's time ids).
public struct AddedEmbeddingConfig: Codable, Equatable, Sendable {
    public var timeDim: Int
    public var timeIds: Int
    public var textDim: Int

    enum CodingKeys: String, CodingKey {
        case timeDim = "time_dim", timeIds = "time_ids", textDim = "text_dim"
    }

    /// The width of the first linear layer's input.
    public var inputDim: Int { timeIds * timeDim + textDim }

    func validate(path: String) throws {
        let limit = 1 << 16
        guard (2...limit).contains(timeDim), timeDim % 2 == 0, (1...64).contains(timeIds), (0...limit).contains(textDim) else {
            throw ModelError.invalidConfig(path: path, field: "unet.added_embedding",
                                           reason: "time_dim must be even (2 to \(limit)), time_ids 1 to 64, text_dim 0 to \(limit)")
        }
    }
}

/// The `vae` object of a latent (sd) model: the KL autoencoder (diffusers' `AutoencoderKL`) that maps images in
/// [-1, 1] to the UNet's latents `(mean - shift_factor) * scaling_factor` and back.
public struct VAEConfig: Codable, Equatable, Sendable {
    public var inChannels: Int
    public var latentChannels: Int
    /// The encoder's block channels from full resolution down (the decoder's, reversed).
    public var levelChannels: [Int]
    /// Residual blocks per encoder level (the decoder has one more).
    public var numResBlocks: Int
    public var normGroups: Int
    public var normEpsilon: Float
    public var scalingFactor: Float
    public var shiftFactor: Float
    /// Whether the 1x1 `quant_conv` / `post_quant_conv` exist (SD 1.x to SDXL: yes).
    public var quantConv: Bool
    public var weights: String
    public var weightsSHA256: String?

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", latentChannels = "latent_channels", levelChannels = "level_channels"
        case numResBlocks = "num_res_blocks", normGroups = "norm_groups", normEpsilon = "norm_eps"
        case scalingFactor = "scaling_factor", shiftFactor = "shift_factor", quantConv = "quant_conv"
        case weights, weightsSHA256 = "weights_sha256"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try c.decode(Int.self, forKey: .inChannels)
        latentChannels = try c.decode(Int.self, forKey: .latentChannels)
        levelChannels = try c.decode([Int].self, forKey: .levelChannels)
        numResBlocks = try c.decode(Int.self, forKey: .numResBlocks)
        normGroups = try c.decode(Int.self, forKey: .normGroups)
        normEpsilon = try c.decode(Float.self, forKey: .normEpsilon)
        scalingFactor = try c.decode(Float.self, forKey: .scalingFactor)
        shiftFactor = try c.decodeIfPresent(Float.self, forKey: .shiftFactor) ?? 0
        quantConv = try c.decodeIfPresent(Bool.self, forKey: .quantConv) ?? true
        weights = try c.decode(String.self, forKey: .weights)
        weightsSHA256 = try c.decodeIfPresent(String.self, forKey: .weightsSHA256)
    }

    /// Image height and width must be multiples of this (the latent is this much smaller).
    public var downsampling: Int { 1 << max(levelChannels.count - 1, 0) }

    var norm: NormStyle { NormStyle(groups: normGroups, epsilon: normEpsilon) }

    func validate(path: String, unetChannels: Int) throws {
        func fail(_ field: CodingKeys, _ reason: String) -> ModelError {
            .invalidConfig(path: path, field: "vae.\(field.rawValue)", reason: reason)
        }
        let limit = 1 << 16
        guard (1...limit).contains(inChannels) else { throw fail(.inChannels, "\(inChannels) is out of range") }
        guard latentChannels == unetChannels else {
            throw fail(.latentChannels, "\(latentChannels) latent channels, but the UNet takes \(unetChannels): a mismatched autoencoder")
        }
        guard (1...8).contains(levelChannels.count) else { throw fail(.levelChannels, "needs 1 to 8 levels") }
        guard normGroups > 0, normEpsilon > 0, normEpsilon.isFinite else { throw fail(.normGroups, "groups and epsilon must be positive and finite") }
        for channels in levelChannels where !(1...limit).contains(channels) || channels % normGroups != 0 {
            throw fail(.levelChannels, "\(channels) is not a positive multiple of \(normGroups) groups")
        }
        guard (1...16).contains(numResBlocks) else { throw fail(.numResBlocks, "\(numResBlocks) is out of range") }
        guard scalingFactor.isFinite, scalingFactor > 0 else { throw fail(.scalingFactor, "must be positive and finite") }
        guard shiftFactor.isFinite else { throw fail(.shiftFactor, "must be finite") }
        guard ModelConfig.isFileName(weights) else { throw fail(.weights, "'\(weights)' is not a file name in the model folder") }
    }
}

/// One row of config.json's `presets`: sampler settings for one task, each optional, named as the restoration
/// parameters are (their ranges are checked where the rows are used, against the parameter schema).
public struct ModelPresetRow: Codable, Equatable, Sendable {
    public var strength: Double?
    public var steps: Int?
    public var gamma: Double?
    public var vpsIterations: Int?

    public init(strength: Double? = nil, steps: Int? = nil, gamma: Double? = nil, vpsIterations: Int? = nil) {
        self.strength = strength
        self.steps = steps
        self.gamma = gamma
        self.vpsIterations = vpsIterations
    }

    enum CodingKeys: String, CodingKey {
        case strength, steps, gamma
        case vpsIterations = "vps_iters"
    }
}
