// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// Restores images with a diffusion prior (DreamClean, Xiao et al. ICLR 2024; see DreamCleanSampler): the public
/// Swift API that the C ABI, the CLI and the vips operation forward to.
///
/// A restorer holds the network (weights, compute threads, caches); share one between threads: its restorations run
/// one at a time. Results depend only on input, options and seed, not on the thread count.
public final class Restorer: @unchecked Sendable {
    public let network: any NoiseNetwork
    public let schedule: NoiseSchedule
    /// The model's name, licence and training as its config.json states them (nil for a network built in code).
    public let model: ModelDescription?
    /// What the model tells tiling (`TileChoice`).
    public let tiling: ModelTilingHint
    /// The model's own preset rows by task name (config.json `presets`), which fill what a restoration leaves unset;
    /// empty: the library's tuned table alone.
    public let modelPresets: [String: ModelPresetRow]
    /// The network when it is a latent (Stable Diffusion) model, which restores through `restoreLatent`.
    var latentPrior: LatentPrior? { network as? LatentPrior }
    /// Serializes restorations and thread changes; detects a thread calling back in from its own progress callback,
    /// which would otherwise wait for itself forever.
    let lock = Lock(detectsReentry: true)
    /// The network's activation memory per pixel, measured on the first restoration (guarded by `lock`).
    private var footprint: ActivationFootprint?

    /// Loads the model folder (config.json + weights), verifying every weight and the schedule the config gives;
    /// `threads` 0 means one per core that other processes leave idle. Convolutions run in `convolutions` where the
    /// CPU has it: bf16 by default, which measured within 0.01 dB of f32 on every crop row of `make quality` at 1.5x the
    /// speed (docs/performance.md), and f32 on CPUs without native bf16. int8 needs the model's calibration too
    /// (config.json `int8`), else it computes as bf16.
    public convenience init(modelFolder: String, threads: Int = 0, convolutions: ConvolutionPrecision = .bf16) throws {
        let config = try ModelConfig.load(folder: modelFolder)
        guard config.isLatent || config.unet.inChannels == 3 else {
            throw RestoreError.unsupported("models with \(config.unet.inChannels) input channels (RGB models only)")
        }
        guard !config.isLatent || config.vae?.inChannels == 3 else {
            throw RestoreError.unsupported("autoencoders of \(config.vae?.inChannels ?? 0) image channels (RGB models only)")
        }
        try Self.checkPresets(config, path: ModelConfig.path(folder: modelFolder))
        let schedule: NoiseSchedule
        do {
            let kind = NoiseSchedule.Kind(rawValue: config.schedule.kind) ?? .linear
            schedule = try NoiseSchedule(kind: kind, betaStart: config.schedule.betaStart, betaEnd: config.schedule.betaEnd,
                                         timesteps: config.schedule.timesteps)
        } catch let DiffusionError.invalidOption(_, value, allowed) {
            throw ModelError.invalidConfig(path: ModelConfig.path(folder: modelFolder), field: "schedule", reason: "\(value): \(allowed)")
        }
        let backend = try DNNLBackend(threads: threads)
        let unet = try UNet(folder: modelFolder, config: config, backend: backend)
        var network: any NoiseNetwork = unet
        var parameterCount = unet.weightFootprint.count
        if config.isLatent {
            let autoencoder = try AutoencoderKL(folder: modelFolder, config: config, backend: backend)
            network = LatentPrior(unet: unet, autoencoder: autoencoder, schedule: schedule, predictsVelocity: config.prediction == "v")
            parameterCount += autoencoder.weightFootprint.count
        }
        _ = network.setConvolutionPrecision(convolutions)
        try self.init(network: network, schedule: schedule,
                      model: ModelDescription(folder: modelFolder, config: config, parameterCount: parameterCount),
                      tiling: ModelTilingHint(trainingSize: config.tiling?.trainingSize,
                                              reach: config.tiling?.receptiveField ?? config.unet.convolutionReach),
                      presets: config.presets ?? [:])
    }

    public init(network: any NoiseNetwork, schedule: NoiseSchedule, model: ModelDescription? = nil,
                tiling: ModelTilingHint = ModelTilingHint(), presets: [String: ModelPresetRow] = [:]) throws {
        self.network = network
        self.schedule = schedule
        self.model = model
        self.tiling = tiling
        self.modelPresets = presets
    }

    /// Every preset row of `config` names a task the model runs and holds values the parameter schema allows.
    private static func checkPresets(_ config: ModelConfig, path: String) throws {
        for (name, row) in config.presets ?? [:] {
            let tasks = config.isLatent ? LatentPlan.tasks : RestoreTask.allCases
            guard let task = RestoreTask(rawValue: name), tasks.contains(task) else {
                throw ModelError.invalidConfig(path: path, field: "presets.\(name)",
                                               reason: "not a task this model runs (\(tasks.map(\.rawValue).joined(separator: ", ")))")
            }
            do {
                try RestoreOptions(task: task).filled(from: row).validate()
            } catch let RestoreError.invalidOption(option, value, allowed) {
                throw ModelError.invalidConfig(path: path, field: "presets.\(name).\(option)", reason: "\(value) (\(allowed))")
            }
        }
    }

    /// Runs later restorations on `threads` compute threads (0: one per idle core) with the weights already loaded, so
    /// results stay bit for bit the same. Waits for a restoration in progress; throws `RestoreError.busy` when called
    /// from a restoration's own progress callback, and the network's error when the threads cannot be started.
    public func setThreads(_ threads: Int) throws {
        try withLock("the thread count cannot change from a progress callback of the same restorer") {
            try network.setComputeThreads(threads)
        }
    }

    /// Computes later restorations' convolutions in `precision` where the CPU has it (bf16: AVX-512 BF16 or AMX; int8:
    /// AVX-512 VNNI and the model's calibration, else as bf16), else in f32, and returns which; the weights are kept (in f32 and, once used, bf16). Waits for a restoration in progress; throws
    /// `RestoreError.busy` when called from a restoration's own progress callback.
    @discardableResult
    public func setConvolutionPrecision(_ precision: ConvolutionPrecision) throws -> ConvolutionPrecision {
        try withLock("the precision cannot change from a progress callback of the same restorer") {
            network.setConvolutionPrecision(precision)
        }
    }

    /// What convolutions compute in now.
    public var convolutionPrecision: ConvolutionPrecision {
        get throws { try withLock("a restorer cannot be read from its own progress callback") { network.convolutionPrecision } }
    }

    /// `body` under the restorer's lock; `RestoreError.busy(busy)` when called from a restoration's own progress
    /// callback (the lock's holder).
    private func withLock<T>(_ busy: String, _ body: () throws -> T) throws -> T {
        guard lock.lockUnlessHeld() else { throw RestoreError.busy(busy) }
        defer { lock.unlock() }
        return try body()
    }

    /// Throws what `restore` would throw before any work for an input of this size and an output of these channels
    /// and format, so that a host can check a request before it allocates the output (the reading-dependent parts
    /// of the plan, blind deblurring and the JPEG path's second run, are not counted).
    public func checkFits(inputWidth: Int, inputHeight: Int, inputChannels: Int, outputChannels: Int, format: PixelFormat,
                          options: RestoreOptions) throws {
        let options = options.filled(from: modelPresets[options.task.rawValue])
        try options.validate()
        guard lock.lockUnlessHeld() else { throw RestoreError.busy("a restorer cannot be used from its own progress callback") }
        defer { lock.unlock() }
        if let latentPrior {
            _ = try latentPlan(latentPrior, options, width: inputWidth, height: inputHeight)
            return
        }
        let geometry = RestorationPlan.Geometry(inputWidth: inputWidth, inputHeight: inputHeight,
                                                inputHasAlpha: inputChannels == 2 || inputChannels == 4,
                                                outputChannels: outputChannels, outputSampleBytes: format.bytes)
        _ = try resolvePlan(options, geometry, color: .unread, alpha: options.processAlpha && geometry.inputHasAlpha ? .unread : nil)
    }

    /// The plan `restore` would execute on `input`: the analysis runs (as in `restore`), no sampling. `outputChannels`
    /// and `format` are the output's (they size the memory plan's staging copy).
    public func plan(for input: ImageBuffer, options: RestoreOptions, outputChannels: Int? = nil,
                     format: PixelFormat? = nil) throws -> RestorationPlan {
        let options = options.filled(from: modelPresets[options.task.rawValue])
        try options.validate()
        guard latentPrior == nil else {
            throw RestoreError.unsupported("a restoration plan with a latent model (its settings are the model's presets: dreamclean info)")
        }
        guard lock.lockUnlessHeld() else { throw RestoreError.busy("a restorer cannot be used from its own progress callback") }
        defer { lock.unlock() }
        let geometry = RestorationPlan.Geometry(inputWidth: input.width, inputHeight: input.height, inputHasAlpha: input.hasAlpha,
                                                outputChannels: outputChannels ?? input.channels,
                                                outputSampleBytes: (format ?? input.format).bytes)
        return try analyzedPlan(input, options, geometry)
    }

    /// Restores `input` into `output` (which may be the same memory). `output` has the size
    /// `RestorationPlan.outputSize` gives (the input's, or `scale` times it for super-resolution) and any channel count
    /// 1-4. `progress` receives the fraction of network evaluations done and cancels by returning false. On any error
    /// or cancellation `output` is left untouched. The library holds at most about `options.memoryLimitMB` besides the
    /// two buffers (`MemoryPlan`); a request that cannot fit throws `RestoreError.outOfMemory` before any work.
    /// `planned` receives the resolved plan before sampling starts: what blind and jpeg read from the image
    /// (`blindReading`), and its warnings.
    public func restore(input: ImageBuffer, output: ImageBuffer, options: RestoreOptions,
                        cancel: CancellationToken? = nil, progress: ((Double) -> Bool)? = nil,
                        planned: ((RestorationPlan) -> Void)? = nil) throws {
        let options = options.filled(from: modelPresets[options.task.rawValue])
        try options.validate()
        let expected = RestorationPlan.outputSize(width: input.width, height: input.height, options: options)
        guard let expected, output.width == expected.width, output.height == expected.height else {
            throw RestoreError.invalidImage("output is \(output.width)x\(output.height), expected "
                + (expected.map { "\($0.width)x\($0.height)" } ?? "a size that overflows"))
        }
        try input.checkFinite()
        if let mask = options.mask, mask.count != input.width * input.height {
            throw RestoreError.invalidOption(name: "mask", value: "\(mask.count) values", allowed: "\(input.width * input.height) (width x height)")
        }
        if options.task == .inpaint && options.mask == nil {
            throw RestoreError.invalidOption(name: "mask", value: "none", allowed: "inpaint needs a mask")
        }
        guard lock.lockUnlessHeld() else {
            throw RestoreError.busy("a restorer cannot be used from its own progress callback (it is restoring on this thread)")
        }
        defer { lock.unlock() }
        if let latentPrior {
            return try restoreLatent(latentPrior, input: input, output: output, options: options, cancel: cancel, progress: progress)
        }
        let geometry = RestorationPlan.Geometry(inputWidth: input.width, inputHeight: input.height, inputHasAlpha: input.hasAlpha,
                                                outputChannels: output.channels, outputSampleBytes: output.format.bytes)
        let plan = try analyzedPlan(input, options, geometry)
        planned?(plan)
        try execute(plan, input: input, output: output, options: options, cancel: cancel, progress: progress)
    }

    /// Checks the request against memory before any work (the plan before the analysis), reads the image, and resolves
    /// the plan that is executed.
    private func analyzedPlan(_ input: ImageBuffer, _ options: RestoreOptions, _ geometry: RestorationPlan.Geometry) throws -> RestorationPlan {
        let restoresAlpha = options.processAlpha && input.hasAlpha
        _ = try resolvePlan(options, geometry, color: .unread, alpha: restoresAlpha ? .unread : nil)
        let needs = options.task.policy.reads(options)
        let color = LayerReading(of: input, alpha: false, needs: needs, mask: options.mask, leastRemovableNoise: leastRemovableNoise)
        let alpha = restoresAlpha
            ? LayerReading(of: input, alpha: true, needs: needs, mask: options.mask, leastRemovableNoise: leastRemovableNoise) : nil
        return try resolvePlan(options, geometry, color: color, alpha: alpha)
    }

    /// The plan for these readings with this model (its activation footprint measured once, guarded by `lock`).
    private func resolvePlan(_ options: RestoreOptions, _ geometry: RestorationPlan.Geometry, color: LayerReading,
                             alpha: LayerReading?) throws -> RestorationPlan {
        let measured: ActivationFootprint
        do {
            measured = try footprint ?? network.activationFootprint()
        } catch {
            throw RestoreError.outOfMemory("measuring the network's activations: \(error)")
        }
        footprint = measured
        let model = RestorationPlan.Model(schedule: schedule, sizeMultiple: network.sizeMultiple, networkBytes: network.fixedBytes,
                                          footprint: measured, tiling: tiling)
        return try RestorationPlan.resolve(options: options, color: color, alpha: alpha, geometry: geometry, model: model)
    }

    /// The first diffusion step's noise level in 0-255 units: less noise than this is left in place (`BlindReading`).
    public var leastRemovableNoise: Double { NoiseScale.pixels(fromModel: schedule.noiseLevel(0)) }
}
