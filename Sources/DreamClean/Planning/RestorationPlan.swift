// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels

/// What a restoration will do, resolved once, before any sampling, by a pure function of the options, what the
/// analysis read (`LayerReading`), the image's size and the model: for each layer (the colour, and the alpha when it
/// is restored) the measurement problem, the filters before and after, and the sampler runs; the output size; the
/// memory layout (`MemoryPlan`). `Restorer` executes it band by band; `dreamclean plan` and `dc_filter_get_plan` show
/// it. The tasks' policies (`TaskPolicy`) are asked here and nowhere else.
public struct RestorationPlan: Sendable {
    public enum BlurKernel: Equatable, Sendable {
        case gaussian(sigma: Double)
        /// A caller's square, odd-sized kernel, row-major.
        case given([Float])
    }

    /// The measurement the sampler keeps the result consistent with (DDNM), which also decides its start.
    public enum Problem: Equatable, Sendable {
        /// blind and jpeg: no operator; the image itself is the start.
        case none
        /// denoise: A = I with this measurement noise (model scale).
        case identity(noise: Double)
        /// sr: the downsampling filter at this scale, with this measurement noise (model scale); the start is the
        /// bicubic upscale.
        case downsampling(scale: Int, filter: ResamplingDownsampling.Filter, noise: Double)
        /// deblur (or blind that read blur): the blur, with this measurement noise; the start is the image.
        case blur(BlurKernel, noise: Double)
        /// inpaint: the mask's known pixels, with this measurement noise; the start has the holes filled (`fill` where
        /// no band sees around).
        case mask(fill: [Float], noise: Double)
        /// colorize: the gray operator with these channel weights, with this measurement noise; the start is the gray
        /// image.
        case grayscale(Grayscale.Weights, noise: Double)
    }

    /// One sampler run.
    public struct SamplerRun: Equatable, Sendable {
        public let steps: Int
        /// Depth τ/T; 0: no run, the start is the result (less noise than one step removes).
        public let strength: Double
        public let gamma: Double
        public let vpsIterations: Int
        public let start: DreamCleanSampler.Start
        /// ε̂ averaged over the image's mirror images (`FlipEnsemble`, the quality preset).
        public let flipEnsemble: Bool
    }

    /// What one layer goes through.
    public struct Layer: Equatable, Sendable {
        public let problem: Problem
        /// The noise level the run starts from (model scale).
        public let noiseLevel: Double
        /// 1, or the stride whose sub-images are restored apart, each as this layer says (`PixelShuffle`).
        public let subsampling: Int
        /// The image's clipped values are drawn back at `noiseLevel` before the run (`ClippedNoise`); it is then both
        /// the start and the measurement.
        public let unclips: Bool
        /// JPEG: the chroma guided filter's radius before sampling and after each run (0: none).
        public let chromaRadiusBefore: Int
        public let chromaRadiusAfter: Int
        public let run: SamplerRun
        /// JPEG: a second run, blended in where the image is busy (`BusyRegionBlend`).
        public let busyRun: SamplerRun?
        /// Noisy sr: the measurement's own layer (denoising at its noise level), run on it before this layer's problem
        /// is set up; `problem` then carries the noise that layer leaves (`TaskPolicy.measurementDenoising`).
        public let measurementLayer: MeasurementLayer?
    }

    /// A layer run on the measurement first (a class: a layer holds at most one, and a struct cannot hold itself).
    public final class MeasurementLayer: Equatable, Sendable {
        public let layer: Layer
        init(_ layer: Layer) { self.layer = layer }
        public static func == (a: MeasurementLayer, b: MeasurementLayer) -> Bool { a.layer == b.layer }
    }

    /// What the plan needs of the model.
    struct Model {
        let schedule: NoiseSchedule
        let sizeMultiple: Int
        let networkBytes: Int
        let footprint: ActivationFootprint
        var tiling = ModelTilingHint()
    }

    /// What the memory plan needs of the two images.
    struct Geometry {
        let inputWidth: Int, inputHeight: Int, inputHasAlpha: Bool
        let outputChannels: Int, outputSampleBytes: Int
    }

    public let task: RestoreTask
    public let preset: RestorePreset
    public let color: Layer
    /// nil: the alpha channel (if any) is passed through.
    public let alpha: Layer?
    /// The output is this many times larger than the input (super-resolution), and `outputWidth` x `outputHeight`.
    public let scale: Int
    public let outputWidth: Int
    public let outputHeight: Int
    /// How much of the restoration the output holds (`RestoreOptions.mix`, `LinearLightBlend`).
    public let mix: Double
    /// blind and jpeg: what was read from the colour (nil before the analysis).
    public let blindReading: BlindReading?
    /// Pixels neighbouring network tiles share (`TileChoice`).
    public let tileOverlap: Int
    /// What the caller should know about this plan (the CLI prints them; the JSON lists them): tiles that memory
    /// made smaller than the model's.
    public let warnings: [String]
    let memory: MemoryPlan

    /// The output size for an input of this size: `scale` times it for super-resolution, the same otherwise; nil when
    /// it overflows. The one place hosts learn it (`dc_filter_get_output_size`).
    public static func outputSize(width: Int, height: Int, options: RestoreOptions) -> (width: Int, height: Int)? {
        let scale = options.task.policy.outputScale(options)
        let (w, overflowW) = width.multipliedReportingOverflow(by: scale)
        let (h, overflowH) = height.multipliedReportingOverflow(by: scale)
        return overflowW || overflowH ? nil : (w, h)
    }

    /// Resolves the plan. `color` and `alpha` are the analysis' readings (`LayerReading.unread` before it: the plan then
    /// assumes no JPEG and no blur, which is how a request is checked against memory before any work); `alpha` nil
    /// passes the alpha through. Throws `RestoreError.outOfMemory` when even the smallest bands do not fit.
    static func resolve(options: RestoreOptions, color: LayerReading, alpha: LayerReading?, geometry: Geometry,
                        model: Model) throws -> RestorationPlan {
        let policy = options.task.policy
        let side = min(geometry.inputWidth, geometry.inputHeight)
        let colorLayer = layer(policy, options, color, model.schedule, smallestSide: side)
        let alphaLayer = alpha.map { layer(policy, options, $0, model.schedule, smallestSide: side) }
        let layers = [colorLayer] + (alphaLayer.map { [$0] } ?? [])
        guard let output = outputSize(width: geometry.inputWidth, height: geometry.inputHeight, options: options) else {
            throw RestoreError.invalidImage("a \(geometry.inputWidth)x\(geometry.inputHeight) input is too large for scale \(options.scale)")
        }
        let tiles = try TileChoice(options: options, hint: model.tiling)
        let (budget, overflow) = options.memoryLimit.multipliedReportingOverflow(by: 1 << 20)
        let memory = try MemoryPlan(.init(
            inputWidth: geometry.inputWidth, inputHeight: geometry.inputHeight, scale: policy.outputScale(options),
            outputChannels: geometry.outputChannels, outputSampleBytes: geometry.outputSampleBytes, task: options.task.rawValue,
            readsBlur: policy.reads(options).readsBlur, flipEnsemble: layers.contains { $0.run.flipEnsemble },
            deblurs: layers.contains { if case .blur = $0.problem { true } else { false } },
            busyRegionRun: layers.contains { $0.busyRun != nil }, subsamples: layers.contains { $0.subsampling > 1 },
            unclips: layers.contains { $0.unclips || $0.measurementLayer?.layer.unclips == true }, processAlpha: alphaLayer != nil, hasMask: options.mask != nil,
            tileSize: tiles.tile, tileOverlap: tiles.overlap, sizeMultiple: model.sizeMultiple,
            networkBytes: model.networkBytes, footprint: model.footprint, budget: overflow ? Int.max : budget))
        // A tile rounded down to the network's multiple is the one asked for; only memory makes it smaller.
        let multiple = max(model.sizeMultiple, 1)
        let warnings = memory.tileSize < max(multiple, tiles.tile / multiple * multiple)
            ? ["max_memory_mb = \(options.memoryLimit) allows tiles of \(memory.tileSize) px, smaller than \(tiles.origin), \(tiles.tile) px: "
               + "the result differs a little from one with larger tiles"] : []
        return RestorationPlan(task: options.task, preset: options.preset, color: colorLayer, alpha: alphaLayer,
                               scale: policy.outputScale(options), outputWidth: output.width, outputHeight: output.height, mix: options.mix,
                               blindReading: color.blind, tileOverlap: tiles.overlap, warnings: warnings, memory: memory)
    }

    /// A layer's problem and runs: the task's preset row (paper: its `PaperLoop`), the blind extras its switches leave
    /// on, then what the options override. An image whose smaller side is `smallestSide` is subsampled only when each
    /// sub-image keeps `leastSubsampledSide` pixels.
    static func layer(_ policy: any TaskPolicy, _ options: RestoreOptions, _ reading: LayerReading,
                      _ schedule: NoiseSchedule, smallestSide: Int = .max) -> Layer {
        let (problem, noiseLevel) = policy.problem(options, reading)
        let tuned = policy.settings(options.preset, reading, noiseLevel: noiseLevel)
        let row = options.preset == .paper ? policy.paperLoop(reading).settings : tuned
        // The measurement denoised first: the denoise task's plan for it, at the preset asked for.
        let measurementLayer = policy.measurementDenoising(options, reading).map { level -> MeasurementLayer in
            var denoising = RestoreOptions(task: .denoise, preset: options.preset)
            denoising.noiseSigma = NoiseScale.pixels(fromModel: level)
            return MeasurementLayer(layer(DenoiseTask(), denoising, reading, schedule))
        }
        func strength(extraNoise extra: Double) -> Double {
            options.strength ?? automaticStrength(noiseLevel: (noiseLevel * noiseLevel + extra * extra).squareRoot(), schedule: schedule)
        }
        let calmStrength = switch row.depth {
        case .strength(let strength): options.strength ?? strength
        case .imageNoise(let extra): strength(extraNoise: extra)
        }
        // The busy-region run only where the strength is the preset's: one asked for applies to the whole image.
        let busyExtraNoise = options.usesBusyRegions && options.strength == nil ? tuned.busyExtraNoise : nil
        let busyStrength = busyExtraNoise.map { strength(extraNoise: $0) }
        // A gamma asked for on a preset without VPS means at least one correction per step.
        let vpsIterations = options.vpsIterations ?? ((options.gamma ?? 0) > 0 ? max(row.vpsIterations, 1) : row.vpsIterations)
        func run(_ strength: Double) -> SamplerRun {
            SamplerRun(steps: options.steps ?? row.steps, strength: strength, gamma: options.gamma ?? row.gamma,
                       vpsIterations: vpsIterations, start: options.start ?? row.start, flipEnsemble: options.preset == .quality)
        }
        let chroma = options.usesChromaFilter
        let stride = policy.subsampling(options, reading)
        let subsampling = smallestSide / stride >= Self.leastSubsampledSide ? stride : 1
        return Layer(problem: problem, noiseLevel: noiseLevel, subsampling: subsampling,
                     unclips: policy.unclips(options, reading) && calmStrength > 0, chromaRadiusBefore: chroma ? tuned.chromaRadiusBefore : 0,
                     chromaRadiusAfter: chroma ? tuned.chromaRadiusAfter : 0, run: run(calmStrength), busyRun: busyStrength.map(run),
                     measurementLayer: measurementLayer)
    }

    /// A sub-image's least side: below it there is too little image around each pixel for the prior.
    static let leastSubsampledSide = 8

    /// Beyond the paper, whose strength is tuned per task: start where the diffusion noise level
    /// σ_t = sqrt((1 − ᾱ_t)/ᾱ_t) matches the image's noise (at most strength 0.7). Below the first step's level
    /// there is less noise than one step removes: 0, the image is left as it is (a clean photo passes through; one
    /// step from t = 0 cost 0.02 dB on clean-looking camera photos and noiseless upscales).
    static func automaticStrength(noiseLevel: Double, schedule: NoiseSchedule) -> Double {
        guard noiseLevel >= schedule.noiseLevel(0) else { return 0 }  // `Restorer.leastRemovableNoise`
        let t = max(schedule.timestep(forNoiseLevel: noiseLevel), 0)
        return min(Double(t + 1) / Double(schedule.timesteps), 0.7)
    }
}
