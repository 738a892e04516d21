// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks

/// What a restoration with a latent (Stable Diffusion) model runs: the paper's loop in the autoencoder's latent space
/// (DreamClean, Xiao et al. ICLR 2024, section on SDXL): encode the image to its latent mean, DDIM-invert it to the
/// depth, walk back with VPS corrections, decode. Settings come from the options, else the model's preset row for the
/// task (config.json `presets`); tiles from the memory limit.
///
/// Only the tasks without a measurement operator run here (blind, denoise, jpeg): the operator tasks' consistency step
/// (DDNM) projects pixels, and through the decoder it would cost an encode and a decode per step; they are refused.
public struct LatentPlan: Sendable, Equatable {
    public static let tasks: [RestoreTask] = [.blind, .denoise, .jpeg]

    public var steps: Int
    public var strength: Double
    public var gamma: Double
    public var vpsIterations: Int
    /// The image reflect-padded to the model's multiple (the autoencoder's downsampling times the UNet's).
    public var paddedWidth: Int
    public var paddedHeight: Int
    /// Autoencoder and UNet tiles, side and overlap in latent positions (a tile at least the latent's size: whole).
    public var autoencoderTile: Int
    public var autoencoderOverlap: Int
    public var unetTile: Int
    public var unetOverlap: Int
    /// Bytes of idle activation buffers kept between passes: what the limit leaves.
    public var activationCache: Int
    /// Bytes held at the peak besides the caller's buffers (weights, image copies, the larger pass).
    public var peakBytes: Int

    /// One line each, for a terminal (`dreamclean plan`).
    public var summary: String {
        let whole = { (tile: Int, overlap: Int) in overlap == 0 ? "whole" : "\(tile)-position tiles, \(overlap) overlap" }
        return ["latent model: DDIM inversion to strength \(strength), \(steps) steps, gamma \(gamma), vps_iters \(vpsIterations)",
                "padded to \(paddedWidth)x\(paddedHeight)",
                "autoencoder: \(whole(autoencoderTile, autoencoderOverlap)); unet: \(whole(unetTile, unetOverlap))",
                "peak memory: \(peakBytes >> 20) MiB"].joined(separator: "\n")
    }

    public var json: String {
        JSONText.object([("latent", "true"), ("strength", "\(strength)"), ("steps", "\(steps)"), ("gamma", "\(gamma)"),
                         ("vps_iters", "\(vpsIterations)"), ("padded_width", "\(paddedWidth)"), ("padded_height", "\(paddedHeight)"),
                         ("autoencoder_tile", "\(autoencoderTile)"), ("autoencoder_overlap", "\(autoencoderOverlap)"),
                         ("unet_tile", "\(unetTile)"), ("unet_overlap", "\(unetOverlap)"), ("peak_bytes", "\(peakBytes)")])
    }

    /// The sampler's settings (clamping off: latents have no [-1, 1] range).
    var sampler: DreamCleanSampler.Options {
        .init(steps: steps, strength: strength, gamma: gamma, vpsIterations: vpsIterations, clampPredictedX0: false, start: .inversion)
    }
}

extension Restorer {
    /// What a restoration of a `width` x `height` image would run with this latent model; nil for a pixel model
    /// (`plan(for:options:)` describes those).
    public func latentPlan(width: Int, height: Int, options: RestoreOptions) throws -> LatentPlan? {
        guard let latentPrior else { return nil }
        let options = options.filled(from: modelPresets[options.task.rawValue])
        try options.validate()
        guard lock.lockUnlessHeld() else { throw RestoreError.busy("a restorer cannot be used from its own progress callback") }
        defer { lock.unlock() }
        return try latentPlan(latentPrior, options, width: width, height: height)
    }

    /// The latent plan for an image of this size: sampler settings, then the largest tiles (whole, then halving down to
    /// 16 latent positions) whose peak fits `options.memoryLimitMB`.
    func latentPlan(_ prior: LatentPrior, _ options: RestoreOptions, width: Int, height: Int) throws -> LatentPlan {
        guard LatentPlan.tasks.contains(options.task) else {
            throw RestoreError.unsupported("task \(options.task.rawValue) with a latent model: its consistency step works on pixels "
                + "(latent models restore \(LatentPlan.tasks.map(\.rawValue).joined(separator: ", ")))")
        }
        guard options.mask == nil, options.blurKernel == nil, options.srTaps == nil else {
            throw RestoreError.unsupported("a mask, blur kernel or sr taps with a latent model (no operator task runs in latent space)")
        }
        let row = modelPresets[options.task.rawValue]
        func setting<T>(_ name: String, _ option: T?, _ preset: T?) throws -> T {
            guard let value = option ?? preset else {
                throw RestoreError.invalidOption(name: name, value: "unset", allowed: "the model's config.json has no \(name) for task \(options.task.rawValue): give one")
            }
            return value
        }
        let steps = try setting("steps", options.steps, row?.steps)
        let strength = try setting("strength", options.strength, row?.strength)
        let gamma = try setting("gamma", options.gamma, row?.gamma)
        let vpsIterations = try setting("vps_iters", options.vpsIterations, row?.vpsIterations)
        let multiple = prior.imageMultiple
        let (paddedWidth, overflowW) = ((width + multiple - 1) / multiple).multipliedReportingOverflow(by: multiple)
        let (paddedHeight, overflowH) = ((height + multiple - 1) / multiple).multipliedReportingOverflow(by: multiple)
        let (pixels, overflow) = paddedWidth.multipliedReportingOverflow(by: paddedHeight)
        guard !overflowW, !overflowH, !overflow, pixels < Int.max / 64 else { throw RestoreError.outOfMemory("a \(width)x\(height) image") }
        let f = prior.autoencoder.config.downsampling
        let latentSide = max(paddedWidth, paddedHeight) / f
        let limit = options.memoryLimit.multipliedReportingOverflow(by: 1 << 20).partialValue
        // The code and oneDNN, the image, its padded copy and the decoded result (3 floats a pixel each); latents are
        // 1/f² of that.
        let fixed = MemoryPlan.libraryBytes + prior.fixedBytes + 3 * pixels * 3 * MemoryLayout<Float>.stride
        let autoencoderFootprint: ActivationFootprint, unetFootprint: ActivationFootprint
        do {
            autoencoderFootprint = try prior.autoencoderFootprint()
            unetFootprint = try prior.activationFootprint()
        } catch {
            throw RestoreError.outOfMemory("measuring the network's activations: \(error)")
        }
        func largestTile(from start: Int, footprint: (Int) -> Int) -> Int? {
            var tile = start
            while fixed + footprint(tile) > limit {
                guard tile > 16 else { return nil }
                tile = max(16, tile / 2 / 8 * 8)
            }
            return tile
        }
        // The UNet sees its training resolution at most (attention's cost grows with the square of a tile's area).
        let trainingLatent = max(16, (tiling.trainingSize ?? 512) / f)
        let unetStart = min(latentSide, trainingLatent) / prior.sizeMultiple * prior.sizeMultiple
        guard let autoencoderTile = largestTile(from: latentSide, footprint: { autoencoderFootprint.bytes(pixels: $0 * $0 * f * f) }),
              let unetTile = largestTile(from: max(unetStart, prior.sizeMultiple), footprint: { unetFootprint.bytes(pixels: $0 * $0) }) else {
            throw RestoreError.outOfMemory("a \(width)x\(height) restoration with this latent model needs more than max_memory_mb \(options.memoryLimit) "
                + "(weights \(prior.fixedBytes >> 20) MiB, images and code \((fixed - prior.fixedBytes) >> 20) MiB)")
        }
        let peak = fixed + max(autoencoderFootprint.bytes(pixels: autoencoderTile * autoencoderTile * f * f),
                               unetFootprint.bytes(pixels: unetTile * unetTile))
        return LatentPlan(steps: steps, strength: strength, gamma: gamma, vpsIterations: vpsIterations,
                          paddedWidth: paddedWidth, paddedHeight: paddedHeight,
                          autoencoderTile: autoencoderTile, autoencoderOverlap: autoencoderTile >= latentSide ? 0 : autoencoderTile / 4,
                          unetTile: unetTile, unetOverlap: unetTile >= latentSide ? 0 : unetTile / 4,
                          activationCache: max(0, limit - peak), peakBytes: peak)
    }

    /// Restores `input` into `output` (same size) with the latent model; progress counts the sampler's evaluations and
    /// the autoencoder's two passes. `output` is written only at the end, so an error or cancellation leaves it untouched.
    func restoreLatent(_ prior: LatentPrior, input: ImageBuffer, output: ImageBuffer, options: RestoreOptions,
                       cancel: CancellationToken?, progress: ((Double) -> Bool)?) throws {
        let plan = try latentPlan(prior, options, width: input.width, height: input.height)
        let sampler = try translatingOptionErrors { try DreamCleanSampler(schedule: schedule, options: plan.sampler) }
        prior.setActivationCache(bytes: plan.activationCache)
        let total = Double(sampler.evaluationCount + 2)
        func proceed(_ done: Int) -> Bool { cancel?.isCancelled != true && (progress?(Double(done) / total) ?? true) }
        let checkpoint = { if cancel?.isCancelled == true { throw DiffusionError.cancelled } }
        let autoencoder = TiledAutoencoder(autoencoder: prior.autoencoder, tile: plan.autoencoderTile, overlap: plan.autoencoderOverlap,
                                           checkpoint: checkpoint)
        let predictor = TiledPredictor(network: prior, tileSize: plan.unetTile, overlap: plan.unetOverlap, checkpoint: checkpoint)
        let (color, alpha) = try input.tensor(rows: 0..<input.height)
        var noise = GaussianNoise(seed: options.seed ?? GaussianNoise.randomSeed())
        let decoded: Tensor
        do {
            guard proceed(0) else { throw DiffusionError.cancelled }
            let start = try autoencoder.encode(try TiledPredictor.reflectPadded(color, height: plan.paddedHeight, width: plan.paddedWidth))
            guard proceed(1) else { throw DiffusionError.cancelled }
            let latent = try sampler.run(start: start, eps: { try predictor($0, $1) }, noise: &noise) { done, _ in proceed(1 + done) }
            decoded = try autoencoder.decode(latent)
            guard proceed(Int(total)) else { throw DiffusionError.cancelled }
        } catch DiffusionError.cancelled {
            throw RestoreError.cancelled
        }
        let restored = try TiledPredictor.cropped(decoded, height: input.height, width: input.width)
        try checkFinite(restored)
        for i in 0..<restored.count { restored.data[i] = min(max(restored.data[i], -1), 1) }
        if options.mix < 1 { LinearLightBlend.blend(restored, toward: color, amount: options.mix) }
        output.write(restored, alpha: alpha, firstRow: 0)
    }
}
