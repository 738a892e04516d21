// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks

/// Everything a restoration can be told: a parameter of `RestoreParameter.all` each (its ranges and defaults are there),
/// plus the mask and a blur kernel. Values left nil come from the preset for the task, an estimate, or the context.
public struct RestoreOptions: Sendable {
    public var task: RestoreTask = .blind
    public var preset: RestorePreset = .balanced
    /// DDIM steps K each way.
    public var steps: Int?
    /// Depth τ/T in (0, 1]; nil: the preset's, or from the image's noise level for blind, denoise and jpeg.
    public var strength: Double?
    /// VPS step γ.
    public var gamma: Double?
    /// VPS corrections per step, M.
    public var vpsIterations: Int?
    /// How the sampler reaches its depth; nil: the preset's (`DreamCleanSampler.Start`).
    public var start: DreamCleanSampler.Start?
    /// The blind extras, each on or off; nil: the preset's (`RestorePreset.usesBlindExtras`). The JPEG path's chroma
    /// guided filter before and after sampling (`ChromaGuidedFilter`).
    public var chromaFilter: Bool?
    /// The JPEG path's second run where the image is busy (`BusyRegionBlend`).
    public var busyRegions: Bool?
    /// Blind mode deblurring a blur it reads from the image's edges (`BlurEstimator`).
    public var guessedDeblur: Bool?
    /// Blind mode restoring a camera's colour noise, where it reads one, as `noiseModel` camera does
    /// (`CameraNoiseReading`).
    public var cameraNoise: Bool?
    /// Random seed; nil draws one from the system (the C API's -1).
    public var seed: UInt64?
    /// sr: integer upscaling factor.
    public var scale: Int = 2
    /// colorize: how the gray image was made from colour.
    public var grayWeights: Grayscale.Weights = .bt601
    /// sr: how the low-resolution image was made from the high-resolution one.
    public var srKernel: ResamplingDownsampling.Kernel = .box
    /// sr: the caller's own filter instead of `srKernel`: symmetric 1-D taps in high-resolution pixels, applied along
    /// both axes, a count of the scale's parity (`ResamplingDownsampling.Filter.taps`).
    public var srTaps: [Float]?
    /// denoise, deblur: noise standard deviation in 0-255 units (e.g. 25); nil: estimated.
    public var noiseSigma: Double?
    /// denoise: white Gaussian noise, or a camera's (`NoiseModel`).
    public var noiseModel: NoiseModel = .white
    /// deblur: standard deviation in pixels of the Gaussian blur (ignored when `blurKernel` is given).
    public var blurSigma: Double = 1.6
    /// deblur: a square, odd-sized kernel, row-major (normalized to sum 1).
    public var blurKernel: [Float]?
    /// inpaint: [H, W] weights, 1 where the pixel is known, 0 where it is missing (row-major).
    public var mask: [Float]?
    /// How much of the restoration the output holds, blended with the input in linear light (`LinearLightBlend`).
    public var mix: Double = 1
    /// Network input tiles of at most this many pixels per side (a multiple of the network's size multiple); larger
    /// images are evaluated tile by tile with blended overlaps, which bounds memory.
    /// nil: the model's (`TileChoice`).
    public var tileSize: Int?
    /// Pixels shared by neighbouring tiles; nil: the model's (`TileChoice`).
    public var tileOverlap: Int?
    /// Restore the alpha channel too instead of passing it through.
    public var processAlpha = false
    /// Memory the library may hold during the call besides the input and output buffers, in MiB (`MemoryPlan`); nil:
    /// `defaultMemoryLimitMB`. Larger images are restored in bands; the layout depends on this limit, and so may the
    /// result, slightly.
    public var memoryLimitMB: Int?

    /// 2 GiB: a 512x512 restoration with the default model runs untiled with every activation buffer kept, and an
    /// 8192x8192 one runs in bands.
    public static let defaultMemoryLimitMB = 2048
    public static let memoryLimitRange = 16...(1 << 30)
    /// 2^53 - 1: every seed survives a JSON number or a double (Python, GIMP).
    public static let largestSeed: UInt64 = (1 << 53) - 1

    public init(task: RestoreTask = .blind, preset: RestorePreset = .balanced) {
        self.task = task
        self.preset = preset
    }

    /// The blind extras in force.
    var usesChromaFilter: Bool { chromaFilter ?? preset.usesBlindExtras }
    var usesBusyRegions: Bool { busyRegions ?? preset.usesBlindExtras }
    var usesGuessedDeblur: Bool { guessedDeblur ?? preset.usesBlindExtras }
    var usesCameraNoise: Bool { cameraNoise ?? preset.usesBlindExtras }

    /// What `srTaps` may be, in an error message.
    public static let srTapsAllowed = "symmetric finite taps of positive sum, a count of the scale's parity"

    /// These options with what they leave unset of the sampler settings taken from `row`, a model's own preset row
    /// for the task (config.json `presets`); nil: unchanged.
    func filled(from row: ModelPresetRow?) -> RestoreOptions {
        guard let row else { return self }
        var filled = self
        filled.steps = steps ?? row.steps
        filled.strength = strength ?? row.strength
        filled.gamma = gamma ?? row.gamma
        filled.vpsIterations = vpsIterations ?? row.vpsIterations
        return filled
    }

    /// The memory limit in force.
    var memoryLimit: Int { memoryLimitMB ?? Self.defaultMemoryLimitMB }

    /// The checks that need no image: every parameter against the schema (each error names the parameter and its
    /// allowed range), then the arrays.
    public func validate() throws {
        for parameter in RestoreParameter.all { try parameter.check(self) }
        if let mask, !mask.allSatisfy({ $0.isFinite }) {
            throw RestoreError.invalidOption(name: "mask", value: "non-finite values", allowed: "finite weights")
        }
        if let srTaps, let problem = ResamplingDownsampling.tapsProblem(srTaps, scale: scale) {
            throw RestoreError.invalidOption(name: "sr_taps", value: problem, allowed: Self.srTapsAllowed)
        }
        if let blurKernel {
            let size = Int(Double(blurKernel.count).squareRoot())
            guard size * size == blurKernel.count, size % 2 == 1 else {
                throw RestoreError.invalidOption(name: "blur_kernel", value: "\(blurKernel.count) values", allowed: "an odd square kernel")
            }
            let sum = blurKernel.reduce(0, +)
            guard blurKernel.allSatisfy({ $0.isFinite }), sum > 0 else {
                throw RestoreError.invalidOption(name: "blur_kernel", value: blurKernel.allSatisfy({ $0.isFinite }) ? "sum \(sum)" : "non-finite values",
                                                 allowed: "finite weights with a positive sum")
            }
        }
    }
}
