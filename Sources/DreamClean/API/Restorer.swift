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
    /// Serializes restorations and thread changes; detects a thread calling back in from its own progress callback,
    /// which would otherwise wait for itself forever.
    private let lock = Lock(detectsReentry: true)
    /// The network's activation memory per pixel, measured on the first restoration (guarded by `lock`).
    private var footprint: ActivationFootprint?

    /// Loads the model folder (config.json + weights), verifying every weight and the schedule the config gives;
    /// `threads` 0 means one per core.
    public convenience init(modelFolder: String, threads: Int = 0) throws {
        let config = try ModelConfig.load(folder: modelFolder)
        guard config.unet.inChannels == 3 else {
            throw RestoreError.unsupported("models with \(config.unet.inChannels) input channels (RGB models only)")
        }
        let schedule: NoiseSchedule
        do {
            let kind = NoiseSchedule.Kind(rawValue: config.schedule.kind) ?? .linear
            schedule = try NoiseSchedule(kind: kind, betaStart: config.schedule.betaStart, betaEnd: config.schedule.betaEnd,
                                         timesteps: config.schedule.timesteps)
        } catch let DiffusionError.invalidOption(_, value, allowed) {
            throw ModelError.invalidConfig(path: ModelConfig.path(folder: modelFolder), field: "schedule", reason: "\(value): \(allowed)")
        }
        let network = try UNet(folder: modelFolder, config: config, backend: try DNNLBackend(threads: threads))
        try self.init(network: network, schedule: schedule)
    }

    public init(network: any NoiseNetwork, schedule: NoiseSchedule) throws {
        self.network = network
        self.schedule = schedule
    }

    /// Runs later restorations on `threads` compute threads (0: one per core) with the weights already loaded, so
    /// results stay bit for bit the same. Waits for a restoration in progress; throws `RestoreError.busy` when called
    /// from a restoration's own progress callback, and the network's error when the threads cannot be started.
    public func setThreads(_ threads: Int) throws {
        guard lock.lockUnlessHeld() else { throw RestoreError.busy("the thread count cannot change from a progress callback of the same restorer") }
        defer { lock.unlock() }
        try network.setComputeThreads(threads)
    }

    /// Throws what `restore` would throw before any work for an input of this size and an output of these channels
    /// and format, so that a host can check a request before it allocates the output (the reading-dependent parts
    /// of the plan, blind deblurring and the JPEG path's second run, are not counted).
    public func checkFits(inputWidth: Int, inputHeight: Int, inputChannels: Int, outputChannels: Int, format: PixelFormat,
                          options: RestoreOptions) throws {
        try options.validate()
        guard lock.lockUnlessHeld() else { throw RestoreError.busy("a restorer cannot be used from its own progress callback") }
        defer { lock.unlock() }
        _ = try memoryPlan(Geometry(inputWidth: inputWidth, inputHeight: inputHeight, inputHasAlpha: inputChannels == 2 || inputChannels == 4,
                                    outputChannels: outputChannels, outputSampleBytes: format.bytes), options: options)
    }

    /// Restores `input` into `output` (which may be the same memory). `output` has the input's size, or `scale` times
    /// it for super-resolution, and any channel count 1-4. `progress` receives the fraction of network evaluations done
    /// and cancels by returning false. On any error or cancellation `output` is left untouched. The library holds at
    /// most about `options.memoryLimitMB` besides the two buffers (`MemoryPlan`); a request that cannot fit throws
    /// `RestoreError.outOfMemory` before any work. `reading` receives what blind and jpeg read from the image
    /// (`BlindReading`) before sampling starts.
    public func restore(input: ImageBuffer, output: ImageBuffer, options: RestoreOptions,
                        cancel: CancellationToken? = nil, progress: ((Double) -> Bool)? = nil,
                        reading: ((BlindReading) -> Void)? = nil) throws {
        try options.validate()
        let scale = options.outputScale
        guard output.width == input.width * scale, output.height == input.height * scale else {
            throw RestoreError.invalidImage("output is \(output.width)x\(output.height), expected \(input.width * scale)x\(input.height * scale)")
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
        let geometry = Geometry(input: input, output: output)
        var plan = try memoryPlan(geometry, options: options)
        let layers = options.processAlpha && input.hasAlpha ? [false, true] : [false]
        let estimates = layers.map { estimate(input, alpha: $0, options: options) }
        if let blind = estimates[0].reading { reading?(blind) }
        let settings = PresetSettings.settings(task: options.task, preset: options.preset, jpegStep: estimates[0].jpegStep,
                                               blurSigma: estimates[0].blurSigma)
        if estimates[0].blurSigma != nil || settings.busyExtraNoise != nil {  // planned again with what the path needs
            plan = try memoryPlan(geometry, options: options, blindDeblurs: estimates[0].blurSigma != nil,
                                  busyRegionRun: settings.busyExtraNoise != nil)
        }
        network.setActivationCache(bytes: plan.activationCache)
        let job = Job(input: input, options: options, scale: scale, tileSize: plan.tileSize,
                      seed: options.seed ?? GaussianNoise.randomSeed(), cancel: cancel)
        guard plan.bands.count > 1 else {
            let rows = try restoreBand(plan.bands[0], job, estimates: estimates) { progress?($0) ?? true }
            output.write(rows.color, alpha: rows.alpha, firstRow: 0)
            return
        }
        // Bands: collected in a copy of the output, which the caller's buffer receives once all are done.
        guard let staging = OwnedImage(like: output) else {
            throw RestoreError.outOfMemory("no memory for a \(output.width)x\(output.height) copy of the output")
        }
        var blender = BandBlender(outputHeight: output.height, bandRows: plan.bands[0].outputRows.count,
                                  overlap: plan.bandOverlap, width: output.width)
        for (index, band) in plan.bands.enumerated() {
            let rows = try restoreBand(band, job, estimates: estimates) { fraction in
                progress?((Double(index) + fraction) / Double(plan.bands.count)) ?? true
            }
            let next = index + 1 < plan.bands.count ? plan.bands[index + 1].outputRows.lowerBound : nil
            let finished = try blender.add(rows, rows: band.outputRows, nextStart: next)
            staging.buffer.write(finished.color, alpha: finished.alpha, firstRow: band.outputRows.lowerBound)
        }
        output.copyPixels(from: staging.buffer)
    }

    /// What the memory plan needs of the two images.
    struct Geometry {
        let inputWidth: Int, inputHeight: Int, inputHasAlpha: Bool
        let outputChannels: Int, outputSampleBytes: Int
    }

    /// How `restore` would lay out this request, or why it cannot fit (`blindDeblurs`: blind restoration found blur;
    /// `busyRegionRun`: the JPEG path samples twice).
    func memoryPlan(_ geometry: Geometry, options: RestoreOptions, blindDeblurs: Bool = false,
                    busyRegionRun: Bool = false) throws -> MemoryPlan {
        let measured: ActivationFootprint
        do {
            measured = try footprint ?? network.activationFootprint()
        } catch {
            throw RestoreError.outOfMemory("measuring the network's activations: \(error)")
        }
        footprint = measured
        let (budget, overflow) = options.memoryLimitMB.multipliedReportingOverflow(by: 1 << 20)
        return try MemoryPlan(.init(
            inputWidth: geometry.inputWidth, inputHeight: geometry.inputHeight, scale: options.outputScale,
            outputChannels: geometry.outputChannels, outputSampleBytes: geometry.outputSampleBytes, task: options.task,
            flipEnsemble: PresetSettings.settings(task: options.task, preset: options.preset).flipEnsemble,
            blindDeblurs: blindDeblurs, busyRegionRun: busyRegionRun,
            processAlpha: options.processAlpha && geometry.inputHasAlpha, hasMask: options.mask != nil,
            tileSize: options.tileSize, tileOverlap: options.tileOverlap, sizeMultiple: network.sizeMultiple,
            networkBytes: network.fixedBytes, footprint: measured,
            budget: overflow ? Int.max : budget))
    }

    /// What every band of one restoration shares.
    private struct Job {
        let input: ImageBuffer
        let options: RestoreOptions
        let scale: Int
        let tileSize: Int
        let seed: UInt64
        let cancel: CancellationToken?
    }

    /// What is measured on the whole image before the bands, so that every band restores the same way.
    private struct ImageEstimates {
        /// Noise σ on the [-1, 1] scale.
        let noiseLevel: Double
        /// inpaint: the mean of the known pixels (per channel, [-1, 1]), the colour of holes no band can see around.
        var fill: [Float] = [0, 0, 0]
        /// jpeg and blind: the DC quantization step of the colour, if it shows one (nil for alpha, which JPEG does not
        /// store).
        var jpegStep: Int?
        /// blind, colour not read as a JPEG: the Gaussian blur to undo (`BlurEstimator.deblurSigma`), if it reads blurred.
        var blurSigma: Double?
        /// blind and jpeg: the reading these come from.
        var reading: BlindReading?
    }

    private func estimate(_ input: ImageBuffer, alpha: Bool, options: RestoreOptions) -> ImageEstimates {
        if options.task == .jpeg || options.task == .blind, !alpha {
            let reading = BlindReading(of: input, readsBlur: options.task == .blind, leastRemovableNoise: leastRemovableNoise)
            return ImageEstimates(noiseLevel: reading.noiseSigma * 2 / 255, jpegStep: reading.jpegStep, blurSigma: reading.blurSigma,
                                  reading: reading)
        }
        let noiseLevel = NoiseEstimator.sigma(of: input, alpha: alpha)
        guard options.task == .inpaint, let mask = options.mask else { return ImageEstimates(noiseLevel: noiseLevel) }
        var sums = [Double](repeating: 0, count: 3)
        var known = 0.0
        for y in 0..<input.height {
            for x in 0..<input.width where mask[y * input.width + x] >= 0.5 {
                known += 1
                for c in 0..<3 {
                    let channel = alpha ? input.channels - 1 : (input.colorChannels == 1 ? 0 : c)
                    sums[c] += Double(min(max(input.sample(x, y, channel), 0), 1) * 2 - 1)
                }
            }
        }
        return ImageEstimates(noiseLevel: noiseLevel, fill: sums.map { known > 0 ? Float($0 / known) : 0 })
    }

    /// One band of the image: its colour, and its alpha restored as a gray image or passed through.
    private func restoreBand(_ band: MemoryPlan.Band, _ job: Job, estimates: [ImageEstimates],
                             progress: @escaping (Double) -> Bool) throws -> BandBlender.Rows {
        let (color, alpha) = try job.input.tensor(rows: band.inputRows)
        let runs = Double(estimates.count)
        var noise = GaussianNoise(seed: job.seed)
        noise.rowOffset = band.outputRows.lowerBound
        let restored = try run(color, band: band, job, estimates[0], noise: &noise) { progress($0 / runs) }
        try checkFinite(restored)
        var outputAlpha = alpha.map { upscaled($0, width: job.input.width, height: band.inputRows.count, scale: job.scale) }
        if estimates.count == 2, let alpha {
            let alphaImage = try Tensor(uninitialized: TensorShape(batch: 1, height: band.inputRows.count, width: job.input.width, channels: 3))
            for p in 0..<alpha.count { for c in 0..<3 { alphaImage.data[p * 3 + c] = alpha[p] * 2 - 1 } }
            var alphaNoise = GaussianNoise(seed: job.seed, stream: 1)
            alphaNoise.rowOffset = band.outputRows.lowerBound
            let alphaRestored = try run(alphaImage, band: band, job, estimates[1], noise: &alphaNoise) { progress(0.5 + $0 / 2) }
            try checkFinite(alphaRestored)
            outputAlpha = (0..<alphaRestored.count / 3).map { (alphaRestored.data[$0 * 3] + 1) / 2 }
        }
        return BandBlender.Rows(color: restored, alpha: outputAlpha)
    }

    /// One sampler run on a band's [1, H, W, 3] image in [-1, 1].
    private func run(_ y: Tensor, band: MemoryPlan.Band, _ job: Job, _ estimates: ImageEstimates, noise: inout GaussianNoise,
                     progress: @escaping (Double) -> Bool) throws -> Tensor {
        let options = job.options
        var setup = try problem(for: y, rows: band.inputRows, options: options, estimates: estimates)
        let preset = PresetSettings.settings(task: options.task, preset: options.preset, jpegStep: estimates.jpegStep,
                                             blurSigma: estimates.blurSigma, noiseLevel: setup.noiseLevel)
        if preset.chromaRadiusBefore > 0 {
            setup.start = try setup.start.copy()  // not the caller's band
            try ChromaGuidedFilter.apply(to: setup.start, radius: preset.chromaRadiusBefore)
        }
        func strength(extraNoise extra: Double) -> Double {
            options.strength ?? automaticStrength(noiseLevel: (setup.noiseLevel * setup.noiseLevel + extra * extra).squareRoot())
        }
        let calmStrength = switch preset.depth {
        case .strength(let strength): options.strength ?? strength
        case .imageNoise(let extra): strength(extraNoise: extra)
        }
        // The busy-region run only where the strength is the preset's: one asked for applies to the whole image.
        let busyStrength = options.strength == nil ? preset.busyExtraNoise.map { strength(extraNoise: $0) } : nil
        let runs = busyStrength == nil ? 1.0 : 2.0
        let restored = try sample(setup, preset: preset, strength: calmStrength, job, noise: &noise) { progress($0 / runs) }
        try ChromaGuidedFilter.apply(to: restored, radius: preset.chromaRadiusAfter)
        if let busyStrength {
            let busy = try sample(setup, preset: preset, strength: busyStrength, job, noise: &noise) { progress(0.5 + $0 / 2) }
            try ChromaGuidedFilter.apply(to: busy, radius: preset.chromaRadiusAfter)
            BusyRegionBlend.blend(restored, busy, weights: BusyRegionBlend.weights(of: y))
        }
        return restored
    }

    /// One sampler run from the problem's start at `strength`.
    private func sample(_ setup: Problem, preset: PresetSettings, strength: Double, _ job: Job, noise: inout GaussianNoise,
                        progress: @escaping (Double) -> Bool) throws -> Tensor {
        guard strength > 0 else {  // no noise to remove (automaticStrength): no evaluation, but cancellation still holds
            guard job.cancel?.isCancelled != true, progress(1) else { throw RestoreError.cancelled }
            return try setup.start.copy()
        }
        let options = job.options
        // A gamma asked for on a preset without VPS means at least one correction per step.
        let vpsIterations = options.vpsIterations
            ?? ((options.gamma ?? 0) > 0 ? max(preset.vpsIterations, 1) : preset.vpsIterations)
        let sampler = try translatingOptionErrors {
            try DreamCleanSampler(schedule: schedule, options: .init(
                steps: options.steps ?? preset.steps, strength: strength, gamma: options.gamma ?? preset.gamma,
                vpsIterations: vpsIterations, start: options.start ?? preset.start))
        }
        let cancel = job.cancel
        let predictor = TiledPredictor(network: network, tileSize: job.tileSize, overlap: options.tileOverlap) {
            if cancel?.isCancelled == true { throw DiffusionError.cancelled }
        }
        let restored: Tensor
        do {
            let eps: (Tensor, Int) throws -> Tensor = preset.flipEnsemble
                ? { x, t in try FlipEnsemble.predict(x, t) { try predictor($0, $1) } }
                : { x, t in try predictor(x, t) }
            restored = try sampler.run(start: setup.start, eps: eps, measurement: setup.measurement,
                                       y: setup.measured, noise: &noise) { done, total in
                cancel?.isCancelled != true && progress(Double(done) / Double(total))
            }
        } catch DiffusionError.cancelled {
            throw RestoreError.cancelled
        }
        return restored
    }

    /// A task's starting image, its measurement operator and measurement (none for blind and jpeg), and noise level.
    private typealias Problem = (start: Tensor, measurement: (any MeasurementOperator)?, measured: Tensor?, noiseLevel: Double)

    /// The measurement, its operator and the starting image for a task.
    private func problem(for y: Tensor, rows: Range<Int>, options: RestoreOptions, estimates: ImageEstimates) throws -> Problem {
        let estimated = estimates.noiseLevel
        if options.task == .blind, let blurSigma = estimates.blurSigma {
            let noise = max(estimated, Self.deblurNoiseFloor)
            return (y, try translatingOptionErrors { try Blur.gaussian(sigma: blurSigma, measurementNoise: noise) }, y, noise)
        }
        switch options.task {
        case .blind, .jpeg:
            return (y, nil, nil, estimated)
        case .denoise:
            let sigma = options.noiseSigma.map { 2 * $0 } ?? estimated  // [0, 1] pixels -> [-1, 1]
            return (y, try IdentityMeasurement(measurementNoise: sigma), y, sigma)
        case .sr:
            let op = try BoxDownsampling(scale: options.scale)
            return (try Bicubic.upsample(y, scale: options.scale), op, y, estimated)
        case .colorize:
            let op = Grayscale()
            let gray = try op.forward(y)
            return (try op.pseudoInverse(gray), op, gray, estimated)
        case .inpaint:
            let width = y.shape.width
            let mask = try Tensor(shape: TensorShape(batch: 1, height: y.shape.height, width: width, channels: 1),
                                  nhwc: Array((options.mask ?? [])[rows.lowerBound * width..<rows.upperBound * width]))
            let op = try PixelMask(mask: mask)
            let measured = try op.forward(y)
            let start = try measured.copy()
            try HoleFill.fill(start, mask: mask, fallback: estimates.fill)
            return (start, op, measured, estimated)
        case .deblur:
            // [0, 1] pixels -> [-1, 1]; not given: estimated, and at least the floor (the estimate reads a blurred image
            // as nearly noiseless, and the pseudo-inverse then amplifies its quantization noise)
            let sigma = max(options.noiseSigma.map { 2 * $0 } ?? max(estimated, Self.deblurNoiseFloor), Self.quantizationNoise)
            let op = try translatingOptionErrors {
                if let kernel = options.blurKernel {
                    return try Blur(kernel: kernel, kernelSize: Int(Double(kernel.count).squareRoot()), measurementNoise: sigma)
                }
                return try Blur.gaussian(sigma: options.blurSigma, measurementNoise: sigma)
            }
            return (y, op, y, max(sigma, estimated))
        }
    }

    /// A result is written only when every value is a number: a broken model (a NaN or infinite weight, weights so
    /// large that activations overflow) would otherwise reach the host as NaN floats, or as an integer conversion trap.
    private func checkFinite(_ result: Tensor) throws {
        for i in 0..<result.count where !result.data[i].isFinite {
            throw RestoreError.brokenModel("the network produced a non-finite value (\(result.data[i])); its weights are broken")
        }
    }

    /// The diffusion layer's option errors as the library's.
    private func translatingOptionErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let DiffusionError.invalidOption(name, value, allowed) {
            throw RestoreError.invalidOption(name: name, value: value, allowed: allowed)
        }
    }

    /// The first diffusion step's noise level in 0-255 units: less noise than this is left in place (`BlindReading`).
    public var leastRemovableNoise: Double { schedule.noiseLevel(0) * 255 / 2 }

    /// Deblurring's least measurement noise when none is given ([-1, 1] units, 3/255 of a pixel): an upscaled or blurred
    /// image reads as noiseless, and the pseudo-inverse rings without it (`Models/default/MODEL_CARD.md`, blind deblurring).
    static let deblurNoiseFloor = 2 * 3.0 / 255
    /// The least noise any 8-bit measurement carries, its rounding (1/sqrt(12) of a step), floor for a given level.
    static let quantizationNoise = 2 * (1 / 12.0).squareRoot() / 255

    /// Beyond the paper, whose strength is tuned per task: start where the diffusion noise level
    /// σ_t = sqrt((1 − ᾱ_t)/ᾱ_t) matches the image's noise (at most strength 0.7). Below the first step's level
    /// there is less noise than one step removes: 0, the image is left as it is (a clean photo passes through; one
    /// step from t = 0 cost 0.02 dB on clean-looking camera photos and noiseless upscales).
    func automaticStrength(noiseLevel: Double) -> Double {
        guard noiseLevel >= schedule.noiseLevel(0) else { return 0 }  // leastRemovableNoise
        let t = max(schedule.timestep(forNoiseLevel: noiseLevel), 0)
        return min(Double(t + 1) / Double(schedule.timesteps), 0.7)
    }

    /// Alpha for a `scale` times larger output: each value repeated over its block.
    private func upscaled(_ alpha: [Float], width: Int, height: Int, scale: Int) -> [Float] {
        guard scale > 1 else { return alpha }
        let w = width * scale
        return (0..<width * height * scale * scale).map { i in alpha[(i / w / scale) * width + (i % w) / scale] }
    }
}

extension Restorer.Geometry {
    init(input: ImageBuffer, output: ImageBuffer) {
        self.init(inputWidth: input.width, inputHeight: input.height, inputHasAlpha: input.hasAlpha,
                  outputChannels: output.channels, outputSampleBytes: output.format.bytes)
    }
}
