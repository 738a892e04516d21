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
    private let lock = Lock()

    /// Loads the model folder (config.json + weights), verifying every weight; `threads` 0 means one per core.
    public convenience init(modelFolder: String, threads: Int = 0) throws {
        let config = try ModelConfig.load(folder: modelFolder)
        let backend = try DNNLBackend(threads: threads)
        let network = try UNet(folder: modelFolder, backend: backend)
        guard config.unet.inChannels == 3 else {
            throw RestoreError.unsupported("models with \(config.unet.inChannels) input channels (RGB models only)")
        }
        let kind = NoiseSchedule.Kind(rawValue: config.schedule.kind) ?? .linear
        try self.init(network: network, schedule: try NoiseSchedule(kind: kind, betaStart: config.schedule.betaStart,
                                                                     betaEnd: config.schedule.betaEnd, timesteps: config.schedule.timesteps))
    }

    public init(network: any NoiseNetwork, schedule: NoiseSchedule) throws {
        self.network = network
        self.schedule = schedule
    }

    /// Restores `input` into `output` (which may be the same memory). `output` has the input's size, or `scale` times
    /// it for super-resolution, and any channel count 1-4. `progress` receives the fraction of network evaluations done
    /// and cancels by returning false. On any error or cancellation `output` is left untouched.
    public func restore(input: ImageBuffer, output: ImageBuffer, options: RestoreOptions,
                        cancel: CancellationToken? = nil, progress: ((Double) -> Bool)? = nil) throws {
        try options.validate()
        let scale = options.task == .sr ? options.scale : 1
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
        let (color, alpha) = try input.tensor()
        lock.lock()
        defer { lock.unlock() }
        var noise = GaussianNoise(seed: options.seed ?? GaussianNoise.randomSeed())
        let runs = options.processAlpha && alpha != nil ? 2 : 1
        let restored = try run(color, options: options, noise: &noise, cancel: cancel) { fraction in
            progress?(fraction / Double(runs)) ?? true
        }
        var outputAlpha = alpha.map { upscaled($0, width: input.width, height: input.height, scale: scale) }
        if runs == 2, let alpha {
            let alphaImage = try Tensor(uninitialized: TensorShape(batch: 1, height: input.height, width: input.width, channels: 3))
            for p in 0..<alpha.count { for c in 0..<3 { alphaImage.data[p * 3 + c] = alpha[p] * 2 - 1 } }
            let alphaRestored = try run(alphaImage, options: options, noise: &noise, cancel: cancel) { fraction in
                progress?(0.5 + fraction / 2) ?? true
            }
            outputAlpha = (0..<alphaRestored.count / 3).map { (alphaRestored.data[$0 * 3] + 1) / 2 }
        }
        output.write(restored, alpha: outputAlpha)
    }

    /// One sampler run on a [1, H, W, 3] image in [-1, 1].
    private func run(_ y: Tensor, options: RestoreOptions, noise: inout GaussianNoise, cancel: CancellationToken?,
                     progress: @escaping (Double) -> Bool) throws -> Tensor {
        let setup = try problem(for: y, options: options)
        let preset = PresetSettings.settings(task: options.task, preset: options.preset)
        let strength = options.strength ?? preset.strength ?? automaticStrength(noiseLevel: setup.noiseLevel)
        let sampler: DreamCleanSampler
        do {
            sampler = try DreamCleanSampler(schedule: schedule, options: .init(
                steps: options.steps ?? preset.steps, strength: strength, gamma: options.gamma ?? preset.gamma,
                vpsIterations: options.vpsIterations ?? preset.vpsIterations))
        } catch let DiffusionError.invalidOption(name, value, allowed) {
            throw RestoreError.invalidOption(name: name, value: value, allowed: allowed)
        }
        let predictor = TiledPredictor(network: network, tileSize: options.tileSize, overlap: options.tileOverlap) {
            if cancel?.isCancelled == true { throw DiffusionError.cancelled }
        }
        do {
            return try sampler.run(start: setup.start, eps: { x, t in try predictor(x, t) }, measurement: setup.measurement,
                                   y: setup.measured, noise: &noise) { done, total in
                cancel?.isCancelled != true && progress(Double(done) / Double(total))
            }
        } catch DiffusionError.cancelled {
            throw RestoreError.cancelled
        }
    }

    /// The measurement, its operator and the starting image for a task.
    private func problem(for y: Tensor, options: RestoreOptions) throws
        -> (start: Tensor, measurement: (any MeasurementOperator)?, measured: Tensor?, noiseLevel: Double) {
        let estimated = NoiseEstimator.sigma(of: y)
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
            let mask = try Tensor(shape: TensorShape(batch: 1, height: y.shape.height, width: y.shape.width, channels: 1),
                                  nhwc: options.mask ?? [])
            let op = try PixelMask(mask: mask)
            let measured = try op.forward(y)
            return (filledHoles(measured, mask: mask), op, measured, estimated)
        case .deblur:
            let sigma = options.noiseSigma.map { 2 * $0 } ?? 0  // [0, 1] pixels -> [-1, 1]
            let op: Blur
            do {
                if let kernel = options.blurKernel {
                    op = try Blur(kernel: kernel, kernelSize: Int(Double(kernel.count).squareRoot()), measurementNoise: sigma)
                } else {
                    op = try Blur.gaussian(sigma: options.blurSigma, measurementNoise: sigma)
                }
            } catch let DiffusionError.invalidOption(name, value, allowed) {
                throw RestoreError.invalidOption(name: name, value: value, allowed: allowed)
            }
            return (y, op, y, max(sigma, estimated))
        }
    }

    /// Beyond the paper, whose strength is tuned per task: invert just deep enough that the diffusion noise level
    /// σ_t = sqrt((1 − ᾱ_t)/ᾱ_t) matches the estimated noise, within [0.02, 0.7].
    func automaticStrength(noiseLevel: Double) -> Double {
        let t = schedule.timestep(forNoiseLevel: noiseLevel)
        return min(max(Double(t + 1) / Double(schedule.timesteps), 0.02), 0.7)
    }

    /// Missing pixels set to the mean colour of the known ones, a neutral start for the inversion.
    private func filledHoles(_ image: Tensor, mask: Tensor) -> Tensor {
        var mean = [Double](repeating: 0, count: 3)
        var known = 0.0
        for p in 0..<mask.count where mask.data[p] >= 0.5 {
            known += 1
            for c in 0..<3 { mean[c] += Double(image.data[p * 3 + c]) }
        }
        for p in 0..<mask.count where mask.data[p] < 0.5 {
            for c in 0..<3 { image.data[p * 3 + c] = known > 0 ? Float(mean[c] / known) : 0 }
        }
        return image
    }

    /// Alpha for a `scale` times larger output: each value repeated over its block.
    private func upscaled(_ alpha: [Float], width: Int, height: Int, scale: Int) -> [Float] {
        guard scale > 1 else { return alpha }
        let w = width * scale
        return (0..<width * height * scale * scale).map { i in alpha[(i / w / scale) * width + (i % w) / scale] }
    }
}
