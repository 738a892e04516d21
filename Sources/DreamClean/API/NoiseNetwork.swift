// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import DreamCleanNetworks
import Glibc

/// What the restorer needs of a network: ε̂ for an RGB image in [-1, 1] whose sides are multiples of `sizeMultiple`
/// (a latent model's `LatentPrior`: for its latents). `UNet` is one; tests use small analytic ones.
public protocol NoiseNetwork: Sendable {
    var sizeMultiple: Int { get }
    /// x: [1, H, W, C] -> ε̂: [1, H, W, C] (C = 3 for pixel models).
    func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor
    /// Bytes the network holds whatever the image (its weights).
    var fixedBytes: Int { get }
    /// Activation bytes that one pass holds at its peak (no buffers kept).
    func activationFootprint() throws -> ActivationFootprint
    /// How many bytes of idle activation buffers to keep between passes (more is faster, up to one pass's worth).
    func setActivationCache(bytes: Int)
    /// Runs later passes on `threads` compute threads (0: one per idle core) with the same weights and results.
    func setComputeThreads(_ threads: Int) throws
    /// Computes later passes' convolutions in `precision` where the backend and CPU have it (else f32); returns which.
    func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision
    /// What the convolutions compute in now.
    var convolutionPrecision: ConvolutionPrecision { get }
}

extension NoiseNetwork {
    public var fixedBytes: Int { 0 }
    public func activationFootprint() throws -> ActivationFootprint { ActivationFootprint(perPixel: 64) }
    public func setActivationCache(bytes: Int) {}
    public func setComputeThreads(_ threads: Int) throws {}
    public func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision { .f32 }
    public var convolutionPrecision: ConvolutionPrecision { .f32 }
}

/// A network pass's live activation memory at its peak, with no buffers kept between layers (the least it can run
/// in): a part per input pixel plus, for self-attention's scores, a fixed part and a part per pixel squared (what the
/// backend's `AttentionScratch` says).
public struct ActivationFootprint: Sendable, Equatable {
    public var perPixel: Int
    public var perPixelSquared: Double = 0
    public var fixed = 0

    /// Bytes of a pass on `pixels` input pixels (saturating).
    public func bytes(pixels: Int) -> Int {
        let total = Double(fixed) + Double(perPixel) * Double(pixels) + perPixelSquared * Double(pixels) * Double(pixels)
        return total < Double(Int.max / 2) ? Int(total) : Int.max / 2
    }

    /// This footprint and attention's scores over one position per `pixelsPerPosition` input pixels (the finest
    /// attended level's: ds² pixels a position).
    func adding(_ scratch: AttentionScratch, pixelsPerPosition: Int) -> ActivationFootprint {
        var out = self
        out.fixed += scratch.fixed
        out.perPixel += (scratch.perPosition + pixelsPerPosition - 1) / pixelsPerPosition
        out.perPixelSquared += Double(scratch.perPositionSquared) / (Double(pixelsPerPosition) * Double(pixelsPerPosition))
        return out
    }

    /// `pass` (on `pixels` pixels) measured through `pool`, emptied and keeping nothing: its high-water mark is the
    /// live peak, spread per pixel. That includes the small pass's attention scores, which makes it err high by a
    /// little (the scores are counted again by `adding`). The pool's capacity is restored afterwards.
    static func measured(pool: BufferPool, pixels: Int, pass: () throws -> Void) throws -> ActivationFootprint {
        let capacity = pool.capacityBytes
        defer { pool.capacityBytes = capacity }
        pool.drain()
        pool.capacityBytes = 0
        pool.resetPeak()
        try pass()
        // + 25 %: which buffers a layer frees before the next allocates varies a little with the shape.
        return ActivationFootprint(perPixel: max(Int((1.25 * Double(pool.peakBytes) / Double(pixels)).rounded(.up)), 0))
    }
}

extension UNet: NoiseNetwork {
    public var sizeMultiple: Int { config.sizeMultiple }

    /// The first `inChannels` output channels (learn_sigma models put the variance after them).
    public func predictNoise(_ x: Tensor, timestep: Int) throws -> Tensor {
        let out = try self(x, timesteps: [Float(timestep)])
        let (c, kept) = (out.shape.channels, config.inChannels)
        guard c > kept else { return out }
        var shape = out.shape
        shape.channels = kept
        let eps = try Tensor(uninitialized: shape)
        for p in 0..<shape.height * shape.width { (eps.data + p * kept).update(from: out.data + p * c, count: kept) }
        return eps
    }

    public var fixedBytes: Int { weightFootprint.bytes(at: backend.convolutionPrecision) }

    /// Measured with one pass on a small image through an emptied pool that keeps nothing: its high-water mark is the
    /// live peak. Every activation but attention's scores scales with the pixel count, so the figure holds at any size;
    /// the small pass's fixed part (the time embedding) makes it err high. The scores, one attention block at a time,
    /// are counted from the backend (`AttentionScratch`) at the finest attended level (T = pixels / ds²). Without a
    /// pool (the reference backend): an estimate, 64 floats per channel of the widest level.
    public func activationFootprint() throws -> ActivationFootprint {
        let levels = config.levelChannels.count
        let factors = (0..<levels).filter(config.hasAttention).map { 1 << $0 } + (config.middleAttention ? [1 << (levels - 1)] : [])
        let activations: ActivationFootprint
        if let pool = backend.bufferPool {
            let side = max(sizeMultiple * 4, 32)
            activations = try ActivationFootprint.measured(pool: pool, pixels: side * side) {
                _ = try predictNoise(try Tensor(zeros: TensorShape(batch: 1, height: side, width: side, channels: config.inChannels)), timestep: 0)
            }
        } else {
            activations = ActivationFootprint(perPixel: 64 * MemoryLayout<Float>.stride * (config.levelChannels.max() ?? 64))
        }
        guard let finest = factors.min() else { return activations }
        return activations.adding(backend.attentionScratch, pixelsPerPosition: finest * finest)
    }

    public func setActivationCache(bytes: Int) {
        backend.bufferPool?.capacityBytes = bytes
    }

    public func setComputeThreads(_ threads: Int) throws {
        try backend.setThreads(threads)
    }

    public var convolutionPrecision: ConvolutionPrecision { backend.convolutionPrecision }
}
