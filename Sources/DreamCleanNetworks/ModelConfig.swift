// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// A model folder's `config.json` (written by `Models/dreamclean_models/modelfile.py`, which documents the schema).
public struct ModelConfig: Codable, Equatable, Sendable {
    public var format: String
    public var formatVersion: Int
    public var architecture: String
    public var unet: UNetConfig
    public var schedule: NoiseScheduleConfig
    public var prediction: String
    public var learnSigma: Bool
    public var valueRange: [Double]
    public var weights: String
    public var weightsSHA256: String?
    public var source: String?
    /// What users are shown about the model: its name, licence, terms and training data (optional: a converted
    /// checkpoint may state none).
    public var about: ModelAbout?
    public var training: ModelTraining?
    /// What tiling should respect (optional: `UNet.tilingHint` fills in what is not stated).
    public var tiling: ModelTiling?
    /// A latent (sd) model's autoencoder.
    public var vae: VAEConfig?
    /// A latent (sd) model's fixed conditioning file (the empty prompt's text encodings, made by the converter).
    public var conditioning: String?
    /// The model's own sampler settings per task (task name -> row), which fill what a restoration leaves unset in place
    /// of the library's tuned table; the converters write them for large priors.
    public var presets: [String: ModelPresetRow]?
    /// The UNet's int8 calibration, when the model ships one (`Models/calibrate_int8.py` writes it).
    public var int8: Int8Calibration?

    enum CodingKeys: String, CodingKey {
        case format, architecture, unet, schedule, prediction, weights, source, about, training, tiling, vae, conditioning, presets, int8
        case formatVersion = "format_version"
        case learnSigma = "learn_sigma"
        case valueRange = "value_range"
        case weightsSHA256 = "weights_sha256"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        architecture = try c.decode(String.self, forKey: .architecture)
        unet = try c.decode(UNetConfig.self, forKey: .unet)
        schedule = try c.decode(NoiseScheduleConfig.self, forKey: .schedule)
        prediction = try c.decodeIfPresent(String.self, forKey: .prediction) ?? "eps"
        learnSigma = try c.decodeIfPresent(Bool.self, forKey: .learnSigma) ?? false
        valueRange = try c.decodeIfPresent([Double].self, forKey: .valueRange) ?? [-1, 1]
        weights = try c.decodeIfPresent(String.self, forKey: .weights) ?? "model.safetensors"
        weightsSHA256 = try c.decodeIfPresent(String.self, forKey: .weightsSHA256)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        about = try c.decodeIfPresent(ModelAbout.self, forKey: .about)
        training = try c.decodeIfPresent(ModelTraining.self, forKey: .training)
        tiling = try c.decodeIfPresent(ModelTiling.self, forKey: .tiling)
        vae = try c.decodeIfPresent(VAEConfig.self, forKey: .vae)
        conditioning = try c.decodeIfPresent(String.self, forKey: .conditioning)
        presets = try c.decodeIfPresent([String: ModelPresetRow].self, forKey: .presets)
        int8 = try c.decodeIfPresent(Int8Calibration.self, forKey: .int8)
    }

    /// The config.json format this library reads (and the converters write).
    public static let formatVersion = 1
    /// The UNet families: guided-diffusion's, diffusers' DDPM (pixel space) and Stable Diffusion's (latent space).
    public static let architectures = ["adm", "ddpm", "sd"]

    /// Whether the model works in an autoencoder's latent space (Stable Diffusion) rather than on pixels.
    public var isLatent: Bool { architecture == "sd" }

    /// The most bytes a config.json may have (the shipped one has about 1,200).
    static let maximumBytes = 1 << 20

    /// `folder`'s config.json.
    public static func path(folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("config.json").path
    }

    /// Reads and validates `folder/config.json`.
    public static func load(folder: String) throws -> ModelConfig {
        let path = path(folder: folder)
        let file = try FileBytes(mapping: path, maximumBytes: maximumBytes)
        let data = withExtendedLifetime(file) { Data(file.bytes) }  // copied before the mapping goes
        return try decode(data, path: path)
    }

    /// Decodes and validates config JSON; `path` is used in error messages.
    public static func decode(_ data: Data, path: String) throws -> ModelConfig {
        if let key = JSONDuplicateKeys.first(in: data) {
            throw ModelError.invalidConfig(path: path, field: key, reason: "appears twice (readers disagree on which one counts)")
        }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ModelError.invalidConfig(path: path, field: (context.codingPath + [key]).map(\.stringValue).joined(separator: "."), reason: "missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ModelError.invalidConfig(path: path, field: context.codingPath.map(\.stringValue).joined(separator: "."), reason: context.debugDescription)
        } catch {
            throw ModelError.invalidConfig(path: path, field: "", reason: "not a valid config.json (\(error))")
        }
        try config.validate(path: path)
        return config
    }

    static func isFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }

    func validate(path: String) throws {
        guard format == "dreamclean-model" else { throw ModelError.invalidConfig(path: path, field: "format", reason: "'\(format)' is not dreamclean-model") }
        guard formatVersion <= Self.formatVersion else {
            throw ModelError.invalidConfig(path: path, field: "format_version",
                                           reason: "\(formatVersion): written by a newer converter (this library reads \(Self.formatVersion)); update DreamClean")
        }
        guard formatVersion == Self.formatVersion else {
            throw ModelError.invalidConfig(path: path, field: "format_version", reason: "\(formatVersion) is not \(Self.formatVersion)")
        }
        guard Self.architectures.contains(architecture) else { throw ModelError.unknownArchitecture(name: architecture, path: path) }
        let predictions = isLatent ? ["eps", "v"] : ["eps"]
        guard predictions.contains(prediction) else {
            throw ModelError.invalidConfig(path: path, field: "prediction", reason: "'\(prediction)': \(architecture) models predict \(predictions.joined(separator: " or "))")
        }
        if isLatent {
            guard let vae else { throw ModelError.invalidConfig(path: path, field: "vae", reason: "missing: a latent model needs its autoencoder") }
            try vae.validate(path: path, unetChannels: unet.inChannels)
            guard let conditioning, Self.isFileName(conditioning) else {
                throw ModelError.invalidConfig(path: path, field: "conditioning", reason: "needs the conditioning file's name in the model folder")
            }
        } else {
            for (field, present) in [("vae", vae != nil), ("conditioning", conditioning != nil)] where present {
                throw ModelError.invalidConfig(path: path, field: field, reason: "only a latent (sd) model has one")
            }
        }
        guard valueRange == [-1, 1] else { throw ModelError.invalidConfig(path: path, field: "value_range", reason: "\(valueRange): only [-1, 1] is supported") }
        // A file name inside the model folder, never a path out of it.
        guard Self.isFileName(weights) else {
            throw ModelError.invalidConfig(path: path, field: "weights", reason: "'\(weights)' is not a file name in the model folder")
        }
        if let card = about?.card, !Self.isFileName(card) {
            throw ModelError.invalidConfig(path: path, field: "about.card", reason: "'\(card)' is not a file name in the model folder")
        }
        for (field, value) in [("tiling.training_size", tiling?.trainingSize), ("tiling.receptive_field", tiling?.receptiveField)] {
            if let value, !(1...ModelTiling.largestSize).contains(value) {
                throw ModelError.invalidConfig(path: path, field: field, reason: "\(value) is not 1 to \(ModelTiling.largestSize) pixels")
            }
        }
        try unet.validate(path: path, architecture: architecture, learnSigma: learnSigma)
        try schedule.validate(path: path)
        try int8?.validate(path: path)
    }
}

/// The `int8` object: what int8 convolutions quantize each convolution's input for, measured on training photos.
public struct Int8Calibration: Codable, Equatable, Sendable {
    /// The input size each convolution is quantized for (`Int8Quantization`), by the convolution's weight prefix
    /// ("input_blocks.1.0.in_layers.2"). A convolution left out computes as without int8 (the calibration keeps the
    /// ones that int8 would cost too much); every name must be a convolution of the UNet.
    public var inputRanges: [String: Float]
    /// How the ranges were measured, for people.
    public var method: String?

    enum CodingKeys: String, CodingKey {
        case method
        case inputRanges = "input_ranges"
    }

    func validate(path: String) throws {
        for (name, range) in inputRanges where Int8Quantization(inputRange: range) == nil {
            throw ModelError.invalidConfig(path: path, field: "int8.input_ranges.\(name)", reason: "\(range) is not a positive finite number")
        }
    }
}

/// The `about` object: free text for people, every field optional.
public struct ModelAbout: Codable, Equatable, Sendable {
    public var name: String?
    public var license: String?
    /// What the licence allows in a sentence (for example "research use only").
    public var terms: String?
    public var trainingData: String?
    /// The model card's file name in the model folder.
    public var card: String?

    enum CodingKeys: String, CodingKey {
        case name, license, terms, card
        case trainingData = "training_data"
    }
}

/// The `tiling` object: what a tiled restoration should respect, in pixels. Our trainer writes the training size; a
/// converter may state either.
public struct ModelTiling: Codable, Equatable, Sendable {
    /// The side of the square crops the network was trained on: its GroupNorm statistics are those of such crops.
    public var trainingSize: Int?
    /// How far (radius) an output pixel sees into the input, when less than the convolutions' reach says.
    public var receptiveField: Int?

    public static let largestSize = 1 << 16

    enum CodingKeys: String, CodingKey {
        case trainingSize = "training_size"
        case receptiveField = "receptive_field"
    }
}

/// The `training` object our trainer writes (a converted checkpoint has none).
public struct ModelTraining: Codable, Equatable, Sendable {
    public var steps: Int?
    public var samplesSeen: Int?

    enum CodingKeys: String, CodingKey {
        case steps
        case samplesSeen = "samples_seen"
    }
}

/// The UNet's hyper-parameters (the `unet` object). Field meanings: `Models/dreamclean_models/adm.py`, `UNetConfig`.
public struct UNetConfig: Codable, Equatable, Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var baseChannels: Int
    public var levelChannels: [Int]
    public var timeEmbedDim: Int
    public var numResBlocks: Int
    public var attentionDownsampleFactors: [Int]
    public var numHeads: Int
    public var numHeadChannels: Int
    public var useScaleShiftNorm: Bool
    public var resblockUpdown: Bool
    public var downsamplePadding: String
    public var normGroups: Int
    public var normEpsilon: Float
    public var timeFlipSinToCos: Bool
    public var timeFreqShift: Float
    public var middleAttention: Bool
    /// Stable Diffusion's UNets: attention is a `SpatialTransformer` with cross-attention, placed by depth per level
    /// (then `attention_ds` is empty).
    public var transformer: TransformerConfig?
    /// SDXL's added time and text embedding.
    public var addedEmbedding: AddedEmbeddingConfig?

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", baseChannels = "base_channels"
        case levelChannels = "level_channels", timeEmbedDim = "time_embed_dim", numResBlocks = "num_res_blocks"
        case attentionDownsampleFactors = "attention_ds", numHeads = "num_heads", numHeadChannels = "num_head_channels"
        case useScaleShiftNorm = "use_scale_shift_norm", resblockUpdown = "resblock_updown"
        case downsamplePadding = "downsample_padding", normGroups = "norm_groups", normEpsilon = "norm_eps"
        case timeFlipSinToCos = "time_flip_sin_to_cos", timeFreqShift = "time_freq_shift", middleAttention = "middle_attention"
        case transformer, addedEmbedding = "added_embedding"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try c.decode(Int.self, forKey: .inChannels)
        outChannels = try c.decode(Int.self, forKey: .outChannels)
        baseChannels = try c.decode(Int.self, forKey: .baseChannels)
        levelChannels = try c.decode([Int].self, forKey: .levelChannels)
        timeEmbedDim = try c.decode(Int.self, forKey: .timeEmbedDim)
        numResBlocks = try c.decode(Int.self, forKey: .numResBlocks)
        attentionDownsampleFactors = try c.decodeIfPresent([Int].self, forKey: .attentionDownsampleFactors) ?? []
        numHeads = try c.decodeIfPresent(Int.self, forKey: .numHeads) ?? 1
        numHeadChannels = try c.decodeIfPresent(Int.self, forKey: .numHeadChannels) ?? -1
        useScaleShiftNorm = try c.decode(Bool.self, forKey: .useScaleShiftNorm)
        resblockUpdown = try c.decode(Bool.self, forKey: .resblockUpdown)
        downsamplePadding = try c.decodeIfPresent(String.self, forKey: .downsamplePadding) ?? "symmetric"
        normGroups = try c.decodeIfPresent(Int.self, forKey: .normGroups) ?? 32
        normEpsilon = try c.decodeIfPresent(Float.self, forKey: .normEpsilon) ?? 1e-5
        timeFlipSinToCos = try c.decodeIfPresent(Bool.self, forKey: .timeFlipSinToCos) ?? true
        timeFreqShift = try c.decodeIfPresent(Float.self, forKey: .timeFreqShift) ?? 0
        middleAttention = try c.decodeIfPresent(Bool.self, forKey: .middleAttention) ?? true
        transformer = try c.decodeIfPresent(TransformerConfig.self, forKey: .transformer)
        addedEmbedding = try c.decodeIfPresent(AddedEmbeddingConfig.self, forKey: .addedEmbedding)
    }

    var norm: NormStyle { NormStyle(groups: normGroups, epsilon: normEpsilon) }

    /// Whether the block at `level` (0 = full resolution) has attention.
    public func hasAttention(level: Int) -> Bool {
        if let transformer { return transformer.depth[level] > 0 }
        return attentionDownsampleFactors.contains(1 << level)
    }

    /// Input height and width must be multiples of this.
    public var sizeMultiple: Int { 1 << max(levelChannels.count - 1, 0) }

    /// How far (a radius, in input pixels) the convolutions let an output pixel see along the deepest path: each 3x3
    /// convolution adds one feature pixel, `jump` input pixels at its level; a down-sampling adds one before the jump
    /// doubles. Attention and GroupNorm see the whole tile and are not counted: this bounds what tiles' borders
    /// change through the convolutions alone.
    public var convolutionReach: Int {
        var reach = 0, jump = 1
        func resBlock() { reach += 2 * jump }
        reach += jump  // input_blocks.0
        for level in levelChannels.indices {
            for _ in 0..<numResBlocks { resBlock() }
            guard level != levelChannels.count - 1 else { continue }
            reach += jump  // the strided convolution, or the resblock's pooling
            jump *= 2
            if resblockUpdown { resBlock() }
        }
        resBlock()
        resBlock()  // the middle block
        for level in levelChannels.indices.reversed() {
            for _ in 0...numResBlocks { resBlock() }
            guard level > 0 else { continue }
            jump /= 2
            if resblockUpdown { resBlock() } else { reach += jump }  // the upsampling convolution
        }
        return reach + jump  // out.2
    }

    /// Heads for an attention block over `channels` channels.
    public func heads(channels: Int) -> Int { numHeadChannels > 0 ? channels / numHeadChannels : numHeads }

    func validate(path: String, architecture: String, learnSigma: Bool) throws {
        func fail(_ field: CodingKeys, _ reason: String) -> ModelError {
            .invalidConfig(path: path, field: "unet.\(field.rawValue)", reason: reason)
        }
        let limit = 1 << 16
        guard (1...limit).contains(inChannels) else { throw fail(.inChannels, "\(inChannels) is out of range") }
        guard (1...limit).contains(outChannels) else { throw fail(.outChannels, "\(outChannels) is out of range") }
        guard outChannels >= inChannels, !learnSigma || outChannels == 2 * inChannels else {
            throw fail(.outChannels, "\(outChannels) does not give \(inChannels) eps channels\(learnSigma ? " and as many variance channels" : "")")
        }
        guard (2...limit).contains(baseChannels), baseChannels % 2 == 0 else { throw fail(.baseChannels, "\(baseChannels) must be even and positive") }
        guard (1...limit).contains(timeEmbedDim) else { throw fail(.timeEmbedDim, "\(timeEmbedDim) is out of range") }
        guard (1...8).contains(levelChannels.count) else { throw fail(.levelChannels, "needs 1 to 8 levels") }
        guard (1...16).contains(numResBlocks) else { throw fail(.numResBlocks, "\(numResBlocks) is out of range") }
        guard normGroups > 0, normEpsilon > 0, normEpsilon.isFinite else { throw fail(.normGroups, "groups and epsilon must be positive and finite") }
        // Attention at a level the network has: ds = 2^level for level 0..<levels (the middle block's is separate).
        let factors = (0..<levelChannels.count).map { 1 << $0 }
        for factor in attentionDownsampleFactors where !factors.contains(factor) {
            throw fail(.attentionDownsampleFactors, "\(factor) is not a level's downsampling factor (\(factors.map(String.init).joined(separator: ", ")))")
        }
        for channels in levelChannels {
            guard (1...limit).contains(channels), channels % normGroups == 0 else {
                throw fail(.levelChannels, "\(channels) is not a positive multiple of \(normGroups) groups")
            }
            let heads = self.heads(channels: channels)
            guard heads > 0, channels % heads == 0 else { throw fail(.numHeads, "\(channels) channels do not split into \(heads) heads") }
        }
        guard ["symmetric", "bottom_right"].contains(downsamplePadding) else {
            throw fail(.downsamplePadding, "'\(downsamplePadding)' is not symmetric or bottom_right")
        }
        guard timeFreqShift.isFinite, timeFreqShift < Float(baseChannels / 2) else { throw fail(.timeFreqShift, "must be finite and below base_channels / 2") }
        if let transformer {
            guard architecture == "sd" else { throw fail(.transformer, "only the sd architecture has transformer blocks") }
            guard attentionDownsampleFactors.isEmpty else { throw fail(.attentionDownsampleFactors, "must be empty: transformer.depth places the attention") }
            try transformer.validate(path: path, levels: levelChannels.count)
        } else if architecture == "sd" {
            throw fail(.transformer, "missing: an sd UNet needs its transformer blocks")
        }
        if let addedEmbedding {
            guard transformer != nil else { throw fail(.addedEmbedding, "only an sd UNet has an added embedding") }
            try addedEmbedding.validate(path: path)
        }
        if architecture == "ddpm" {
            guard !useScaleShiftNorm, !resblockUpdown else {
                throw fail(.useScaleShiftNorm, "the ddpm family has additive time conditioning and conv resampling")
            }
        }
    }
}

/// The diffusion noise schedule (`schedule` object).
public struct NoiseScheduleConfig: Codable, Equatable, Sendable {
    public var kind: String
    public var betaStart: Double
    public var betaEnd: Double
    public var timesteps: Int

    enum CodingKeys: String, CodingKey {
        case kind, timesteps
        case betaStart = "beta_start"
        case betaEnd = "beta_end"
    }

    func validate(path: String) throws {
        guard ["linear", "cosine", "scaled_linear"].contains(kind) else {
            throw ModelError.invalidConfig(path: path, field: "schedule.kind", reason: "'\(kind)' is not linear, cosine or scaled_linear")
        }
        guard (2...100_000).contains(timesteps) else {
            throw ModelError.invalidConfig(path: path, field: "schedule.timesteps", reason: "\(timesteps) is out of range")
        }
        guard betaStart.isFinite, betaEnd.isFinite, betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw ModelError.invalidConfig(path: path, field: "schedule.beta_start", reason: "need 0 < beta_start <= beta_end < 1")
        }
    }
}
