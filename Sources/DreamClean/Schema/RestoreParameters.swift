// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

extension RestoreParameter {
    /// Every restoration parameter, in the order hosts show them. The arrays a restoration can also take (the inpainting
    /// mask, a deblurring kernel) are images or data, not parameters: the C API takes the mask as an image slot.
    public static let all: [RestoreParameter] = [
        choice("task", RestoreTask.allCases.map(\.rawValue), default: RestoreTask.blind.rawValue,
               help: "What is wrong with the image",
               store: { o, v in if let task = v.flatMap(RestoreTask.init(rawValue:)) { o.task = task } }, load: { $0.task.rawValue }),
        choice("preset", RestorePreset.allCases.map(\.rawValue), default: RestorePreset.balanced.rawValue,
               help: "Speed/quality trade-off (sets steps, strength, gamma, vps_iters; quality averages over mirror images, 4x the time; paper: the paper's loop, no blind extras)",
               store: { o, v in if let preset = v.flatMap(RestorePreset.init(rawValue:)) { o.preset = preset } }, load: { $0.preset.rawValue }),
        choice("start", DreamCleanSampler.Start.allCases.map(\.rawValue), unset: "preset", meaning: "the preset's",
               help: "How the sampler reaches its depth: DDIM inversion, or the image taken as noisy",
               store: { o, v in o.start = v.flatMap(DreamCleanSampler.Start.init(rawValue:)) }, load: { $0.start?.rawValue }),
        number("strength", .float, unit: "fraction of T", range: 0...1, excludesMinimum: true, unset: 0,
               meaning: "the preset's; from the image's noise level for blind, denoise and jpeg", help: "Depth",
               store: { $0.strength = $1 }, load: { $0.strength }),
        number("gamma", .float, range: 0...0.999, unset: -1, meaning: "the preset's", help: "VPS step",
               store: { $0.gamma = $1 }, load: { $0.gamma }),
        number("steps", .int, range: 1...1000, unset: 0, meaning: "the preset's", help: "DDIM steps each way",
               store: { o, v in o.steps = v.map { Int($0) } }, load: { $0.steps.map { Double($0) } }),
        number("vps_iters", .int, range: 0...10, unset: -1, meaning: "the preset's", help: "VPS corrections per step",
               store: { o, v in o.vpsIterations = v.map { Int($0) } }, load: { $0.vpsIterations.map { Double($0) } }),
        blindExtra("chroma_filter", \.chromaFilter,
                   help: "jpeg, and blind on a JPEG: rebuild the colour from the luma with a guided filter before and after sampling"),
        blindExtra("busy_regions", \.busyRegions, help: "jpeg, and blind on a JPEG: a second, deeper run blended in where the image is busy"),
        blindExtra("guessed_deblur", \.guessedDeblur, help: "blind: deblur an image whose edges read blurred (with white noise)"),
        blindExtra("camera_noise", \.cameraNoise,
                   help: "blind: restore a camera's colour noise, where the channel differences show one, as noise_model=camera does"),
        number("seed", .int, range: 0...Double(RestoreOptions.largestSeed), unset: -1, meaning: "a new one each run",
               help: "Random seed", store: { o, v in o.seed = v.map { UInt64($0) } }, load: { $0.seed.map { Double($0) } }),
        number("scale", .int, unit: "times", range: 1...16, default: 2, help: "sr: upscaling factor (the output is this many times larger)",
               store: { o, v in if let v { o.scale = Int(v) } }, load: { Double($0.scale) }),
        choice("sr_kernel", ResamplingDownsampling.Kernel.allCases.map(\.rawValue), default: ResamplingDownsampling.Kernel.box.rawValue,
               help: "sr: how the small image was made: box (block mean), bicubic (antialiased, as PIL, libvips and most editors reduce) or lanczos",
               store: { o, v in if let kernel = v.flatMap(ResamplingDownsampling.Kernel.init(rawValue:)) { o.srKernel = kernel } },
               load: { $0.srKernel.rawValue }),
        choice("gray_weights", Grayscale.Weights.allCases.map(\.rawValue), default: Grayscale.Weights.bt601.rawValue,
               help: "colorize: how the gray image was made: bt601 luma (JPEG, PIL, most editors), bt709 luma, or the channel mean",
               store: { o, v in if let weights = v.flatMap(Grayscale.Weights.init(rawValue:)) { o.grayWeights = weights } },
               load: { $0.grayWeights.rawValue }),
        number("noise_sigma", .float, unit: "0-255 units", range: 0...255, unset: -1, meaning: "estimated for denoise, deblur (at least 3) and sr; none for inpaint and colorize",
               help: "denoise, deblur, sr, inpaint, colorize: the input's noise standard deviation", store: { $0.noiseSigma = $1 }, load: { $0.noiseSigma }),
        choice("noise_model", NoiseModel.allCases.map(\.rawValue), default: NoiseModel.white.rawValue,
               help: "denoise: white noise, or a camera's",
               store: { o, v in if let model = v.flatMap(NoiseModel.init(rawValue:)) { o.noiseModel = model } }, load: { $0.noiseModel.rawValue }),
        number("blur_sigma", .float, unit: "pixels", range: 0.1...16, default: 1.6, help: "deblur: Gaussian blur standard deviation",
               store: { o, v in if let v { o.blurSigma = v } }, load: { $0.blurSigma }),
        number("mix", .float, unit: "fraction", range: 0...1, default: 1,
               help: "Blend of the restoration with the input, in linear light: 0 returns the input (upscaled bicubically for sr), 1 the full restoration",
               store: { o, v in if let v { o.mix = v } }, load: { $0.mix }),
        number("tile_size", .int, unit: "pixels", range: 32...4096, unset: 0,
               meaning: "the model's: the power of two at least twice its training crops (128 for the default model), else 512",
               help: "Largest network tile side (bounds memory; the model restores best on tiles near its training size)",
               store: { o, v in o.tileSize = v.map { Int($0) } }, load: { $0.tileSize.map { Double($0) } }),
        number("tile_overlap", .int, unit: "pixels", range: 0...2047, unset: -1,
               meaning: "the model's convolution reach, at most 64 and an eighth of the tile",
               help: "Pixels shared by neighbouring tiles",
               constraint: ("less than tile_size / 2", { o in o.tileSize.map { (o.tileOverlap ?? 0) < $0 / 2 } ?? true }),
               store: { o, v in o.tileOverlap = v.map { Int($0) } }, load: { $0.tileOverlap.map { Double($0) } }),
        number("max_memory_mb", .int, unit: "MiB", range: Double(RestoreOptions.memoryLimitRange.lowerBound)...Double(RestoreOptions.memoryLimitRange.upperBound),
               unset: 0, meaning: "the context's (\(RestoreOptions.defaultMemoryLimitMB) unless set)",
               help: "Memory one restoration may hold besides its images (larger images go in bands)",
               store: { o, v in o.memoryLimitMB = v.map { Int($0) } }, load: { $0.memoryLimitMB.map { Double($0) } }),
        RestoreParameter(
            name: "process_alpha", kind: .bool, unit: "", range: 0...1, excludesMinimum: false, choices: [], unset: nil,
            unsetMeaning: "", fixedDefault: .bool(false), help: "Restore the alpha channel too instead of passing it through",
            constraint: nil, store: { o, v in if case .bool(let b)? = v { o.processAlpha = b } },
            load: { .bool($0.processAlpha) }),
    ]

    /// A blind extra's switch: on or off, unset meaning the preset's (`RestorePreset.usesBlindExtras`).
    private static func blindExtra(_ name: String, _ value: WritableKeyPath<RestoreOptions, Bool?> & Sendable, help: String) -> RestoreParameter {
        choice(name, ["on", "off"], unset: "preset", meaning: "the preset's (on, off for paper)", help: help,
               store: { o, v in o[keyPath: value] = v.map { $0 == "on" } }, load: { $0[keyPath: value].map { $0 ? "on" : "off" } })
    }

    /// The parameter called `name`, or an error that lists the known names.
    public static func named(_ name: String) throws -> RestoreParameter {
        guard let parameter = all.first(where: { $0.name == name }) else {
            throw RestoreError.unknownParameter(name, known: all.map(\.name))
        }
        return parameter
    }
}

/// Parameter values by name, always valid: what a C filter holds and what the CLI collects, turned into
/// `RestoreOptions` in one place.
public struct RestoreParameterValues: Sendable {
    public private(set) var values: [String: RestoreParameter.Value] =
        Dictionary(uniqueKeysWithValues: RestoreParameter.all.map { ($0.name, $0.defaultValue) })

    public init() {}

    public mutating func set(_ name: String, _ value: RestoreParameter.Value) throws {
        values[name] = try RestoreParameter.named(name).validated(value)
    }

    public func get(_ name: String) throws -> RestoreParameter.Value {
        let parameter = try RestoreParameter.named(name)
        return values[name] ?? parameter.defaultValue
    }

    /// Applies "name=value:name=value", all or nothing.
    public mutating func apply(options: String) throws {
        var copy = self
        for item in options.split(separator: ":", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw RestoreError.malformedOptions(String(item))
            }
            let name = Self.trimmed(parts[0])
            copy.values[name] = try RestoreParameter.named(name).parse(Self.trimmed(parts[1]))
        }
        self = copy
    }

    /// The options these values give: each parameter stored where the schema says, unset ones left nil.
    public var restoreOptions: RestoreOptions {
        var options = RestoreOptions()
        for parameter in RestoreParameter.all {
            let value = values[parameter.name] ?? parameter.defaultValue
            parameter.store(&options, value == parameter.unset ? nil : value)
        }
        return options
    }

    private static func trimmed(_ s: Substring) -> String {
        String(s.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
