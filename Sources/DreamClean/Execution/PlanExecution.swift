// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels

/// Executes a `RestorationPlan`: each band of the memory plan through each layer's problem, filters and sampler runs.
/// Nothing here decides what to run; the plan has.
extension Restorer {
    /// What every band of one restoration shares.
    private struct Job {
        let plan: RestorationPlan
        let input: ImageBuffer
        let tileSize: Int
        let tileOverlap: Int
        let mask: [Float]?
        let seed: UInt64
        let cancel: CancellationToken?
    }

    /// Runs `plan` (resolved for `input`, `output` and `options`) and writes `output` once every band is done.
    func execute(_ plan: RestorationPlan, input: ImageBuffer, output: ImageBuffer, options: RestoreOptions,
                 cancel: CancellationToken?, progress: ((Double) -> Bool)?) throws {
        let memory = plan.memory
        network.setActivationCache(bytes: memory.activationCache)
        let job = Job(plan: plan, input: input, tileSize: memory.tileSize, tileOverlap: plan.tileOverlap, mask: options.mask,
                      seed: options.seed ?? GaussianNoise.randomSeed(), cancel: cancel)
        guard memory.bands.count > 1 else {
            let rows = try restoreBand(memory.bands[0], job) { progress?($0) ?? true }
            output.write(rows.color, alpha: rows.alpha, firstRow: 0)
            return
        }
        // Bands: collected in a copy of the output, which the caller's buffer receives once all are done.
        guard let staging = OwnedImage(like: output) else {
            throw RestoreError.outOfMemory("no memory for a \(output.width)x\(output.height) copy of the output")
        }
        var blender = BandBlender(outputHeight: output.height, bandRows: memory.bands[0].outputRows.count,
                                  overlap: memory.bandOverlap, width: output.width)
        for (index, band) in memory.bands.enumerated() {
            let rows = try restoreBand(band, job) { fraction in
                progress?((Double(index) + fraction) / Double(memory.bands.count)) ?? true
            }
            let next = index + 1 < memory.bands.count ? memory.bands[index + 1].outputRows.lowerBound : nil
            let finished = try blender.add(rows, rows: band.outputRows, nextStart: next)
            staging.buffer.write(finished.color, alpha: finished.alpha, firstRow: band.outputRows.lowerBound)
        }
        output.copyPixels(from: staging.buffer)
    }

    /// One band of the image: its colour, and its alpha restored as a gray image or passed through.
    private func restoreBand(_ band: MemoryPlan.Band, _ job: Job, progress: @escaping (Double) -> Bool) throws -> BandBlender.Rows {
        let (color, alpha) = try job.input.tensor(rows: band.inputRows)
        let layers = job.plan.alpha == nil ? 1.0 : 2.0
        var noise = GaussianNoise(seed: job.seed)
        noise.rowOffset = band.outputRows.lowerBound
        let restored = try run(job.plan.color, on: color, band: band, job, noise: &noise) { progress($0 / layers) }
        try checkFinite(restored)
        if job.plan.mix < 1 {
            let original = job.plan.scale > 1 ? try Bicubic.upsample(color, scale: job.plan.scale) : color
            LinearLightBlend.blend(restored, toward: original, amount: job.plan.mix)
        }
        var outputAlpha = alpha.map { upscaled($0, width: job.input.width, height: band.inputRows.count, scale: job.plan.scale) }
        if let alphaLayer = job.plan.alpha, let alpha {
            let alphaImage = try Tensor(uninitialized: TensorShape(batch: 1, height: band.inputRows.count, width: job.input.width, channels: 3))
            for p in 0..<alpha.count { for c in 0..<3 { alphaImage.data[p * 3 + c] = alpha[p] * 2 - 1 } }
            var alphaNoise = GaussianNoise(seed: job.seed, stream: 1)
            alphaNoise.rowOffset = band.outputRows.lowerBound
            let alphaRestored = try run(alphaLayer, on: alphaImage, band: band, job, noise: &alphaNoise) { progress(0.5 + $0 / 2) }
            try checkFinite(alphaRestored)
            var restoredAlpha = (0..<alphaRestored.count / 3).map { (alphaRestored.data[$0 * 3] + 1) / 2 }
            if let passed = outputAlpha { LinearLightBlend.blend(alpha: &restoredAlpha, toward: passed, amount: job.plan.mix) }
            outputAlpha = restoredAlpha
        }
        return BandBlender.Rows(color: restored, alpha: outputAlpha)
    }

    /// A layer on a band's [1, H, W, 3] image in [-1, 1]: its problem, the filter before, the runs and the filter after
    /// each, the busy-region blend.
    private func run(_ layer: RestorationPlan.Layer, on y: Tensor, band: MemoryPlan.Band, _ job: Job, noise: inout GaussianNoise,
                     progress: @escaping (Double) -> Bool) throws -> Tensor {
        guard let first = layer.measurementLayer?.layer else {
            return try run(layer, measured: y, band: band, job, noise: &noise, progress: progress)
        }
        // The measurement's own layer first (on the small image: a tenth of the progress is plenty).
        let measured = try run(first, measured: y, band: band, job, noise: &noise) { progress(0.1 * $0) }
        return try run(layer, measured: measured, band: band, job, noise: &noise) { progress(0.1 + 0.9 * $0) }
    }

    /// A layer on its measurement: whole, or sub-image by sub-image (`PixelShuffle`; no task with a mask subsamples).
    private func run(_ layer: RestorationPlan.Layer, measured clipped: Tensor, band: MemoryPlan.Band, _ job: Job,
                     noise: inout GaussianNoise, progress: @escaping (Double) -> Bool) throws -> Tensor {
        var y = clipped
        if layer.unclips {
            y = try clipped.copy()  // not the caller's band: the mix blends toward it
            // A stream of its own, by image position: the draws do not depend on the band or on the sampler's.
            var draws = GaussianNoise(seed: noise.seed, stream: noise.stream + 2)
            draws.rowOffset = band.inputRows.lowerBound
            try ClippedNoise.unclip(y, sigma: layer.noiseLevel, noise: &draws)
        }
        guard layer.subsampling > 1 else { return try runWhole(layer, measured: y, band: band, job, noise: &noise, progress: progress) }
        let parts = try PixelShuffle.split(y, stride: layer.subsampling)
        var restored: [Tensor] = []
        for (index, part) in parts.enumerated() {
            restored.append(try runWhole(layer, measured: part, band: band, job, noise: &noise) { fraction in
                progress((Double(index) + fraction) / Double(parts.count))
            })
        }
        return try PixelShuffle.merge(restored, stride: layer.subsampling, shape: y.shape)
    }

    private func runWhole(_ layer: RestorationPlan.Layer, measured y: Tensor, band: MemoryPlan.Band, _ job: Job,
                          noise: inout GaussianNoise, progress: @escaping (Double) -> Bool) throws -> Tensor {
        var setup = try problem(layer.problem, y, rows: band.inputRows, job)
        if layer.chromaRadiusBefore > 0 {
            setup.start = try setup.start.copy()  // not the caller's band
            try ChromaGuidedFilter.apply(to: setup.start, radius: layer.chromaRadiusBefore)
        }
        let runs = layer.busyRun == nil ? 1.0 : 2.0
        let restored = try sample(setup, layer.run, job, noise: &noise) { progress($0 / runs) }
        try ChromaGuidedFilter.apply(to: restored, radius: layer.chromaRadiusAfter)
        if let busyRun = layer.busyRun {
            let busy = try sample(setup, busyRun, job, noise: &noise) { progress(0.5 + $0 / 2) }
            try ChromaGuidedFilter.apply(to: busy, radius: layer.chromaRadiusAfter)
            BusyRegionBlend.blend(restored, busy, weights: BusyRegionBlend.weights(of: y))
        }
        return restored
    }

    /// One sampler run from the problem's start.
    private func sample(_ setup: Setup, _ run: RestorationPlan.SamplerRun, _ job: Job, noise: inout GaussianNoise,
                        progress: @escaping (Double) -> Bool) throws -> Tensor {
        guard run.strength > 0 else {  // no noise to remove: no evaluation, but cancellation still holds
            guard job.cancel?.isCancelled != true, progress(1) else { throw RestoreError.cancelled }
            return try setup.start.copy()
        }
        let sampler = try translatingOptionErrors {
            try DreamCleanSampler(schedule: schedule, options: .init(
                steps: run.steps, strength: run.strength, gamma: run.gamma, vpsIterations: run.vpsIterations, start: run.start))
        }
        let cancel = job.cancel
        let predictor = TiledPredictor(network: network, tileSize: job.tileSize, overlap: job.tileOverlap) {
            if cancel?.isCancelled == true { throw DiffusionError.cancelled }
        }
        do {
            let eps: (Tensor, Int) throws -> Tensor = run.flipEnsemble
                ? { x, t in try FlipEnsemble.predict(x, t) { try predictor($0, $1) } }
                : { x, t in try predictor(x, t) }
            return try sampler.run(start: setup.start, eps: eps, measurement: setup.measurement, y: setup.measured,
                                   noise: &noise) { done, total in
                cancel?.isCancelled != true && progress(Double(done) / Double(total))
            }
        } catch DiffusionError.cancelled {
            throw RestoreError.cancelled
        }
    }

    /// A problem made concrete on a band: its starting image, its operator and measurement (none for blind and jpeg).
    private typealias Setup = (start: Tensor, measurement: (any MeasurementOperator)?, measured: Tensor?)

    private func problem(_ problem: RestorationPlan.Problem, _ y: Tensor, rows: Range<Int>, _ job: Job) throws -> Setup {
        switch problem {
        case .none:
            return (y, nil, nil)
        case .identity(let noise):
            return (y, try IdentityMeasurement(measurementNoise: noise), y)
        case .downsampling(let scale, let filter, let noise):
            let op: any MeasurementOperator = try translatingOptionErrors {
                if filter == .named(.box) { return try BoxDownsampling(scale: scale, measurementNoise: noise) }  // the same, no FFT
                return try ResamplingDownsampling(scale: scale, filter: filter, measurementNoise: noise)
            }
            return (try Bicubic.upsample(y, scale: scale), op, y)
        case .blur(let kernel, let noise):
            let op = try translatingOptionErrors {
                switch kernel {
                case .gaussian(let sigma): try Blur.gaussian(sigma: sigma, measurementNoise: noise)
                case .given(let values):
                    try Blur(kernel: values, kernelSize: Int(Double(values.count).squareRoot()), measurementNoise: noise)
                }
            }
            return (y, op, y)
        case .grayscale(let weights, let noise):
            let op = Grayscale(weights: weights, measurementNoise: noise)
            let gray = try op.forward(y)
            return (try op.replicated(gray), op, gray)
        case .mask(let fill, let noise):
            let width = y.shape.width
            let mask = try Tensor(shape: TensorShape(batch: 1, height: y.shape.height, width: width, channels: 1),
                                  nhwc: Array((job.mask ?? [])[rows.lowerBound * width..<rows.upperBound * width]))
            let op = try PixelMask(mask: mask, measurementNoise: noise)
            let measured = try op.forward(y)
            let start = try measured.copy()
            try HoleFill.fill(start, mask: mask, fallback: fill)
            return (start, op, measured)
        }
    }

    /// A result is written only when every value is a number: a broken model (a NaN or infinite weight, weights so
    /// large that activations overflow) would otherwise reach the host as NaN floats, or as an integer conversion trap.
    func checkFinite(_ result: Tensor) throws {
        for i in 0..<result.count where !result.data[i].isFinite {
            throw RestoreError.brokenModel("the network produced a non-finite value (\(result.data[i])); its weights are broken")
        }
    }

    /// The diffusion layer's option errors as the library's.
    func translatingOptionErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let DiffusionError.invalidOption(name, value, allowed) {
            throw RestoreError.invalidOption(name: name, value: value, allowed: allowed)
        }
    }

    /// Alpha for a `scale` times larger output: each value repeated over its block.
    private func upscaled(_ alpha: [Float], width: Int, height: Int, scale: Int) -> [Float] {
        guard scale > 1 else { return alpha }
        let w = width * scale
        return (0..<width * height * scale * scale).map { i in alpha[(i / w / scale) * width + (i % w) / scale] }
    }
}
