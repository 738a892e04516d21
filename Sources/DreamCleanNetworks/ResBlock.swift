// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// guided-diffusion's `ResBlock` (and diffusers' `ResnetBlock2D`, whose keys the converters rename to these):
/// `skip(x) + conv(silu(norm(conv(silu(norm(x))) ⊕ emb)))`, where ⊕ is FiLM `norm(h)*(1+scale)+shift` with
/// scale-shift norm, else `+ emb` before the norm, and nothing in an autoencoder's blocks (no time embedding). With
/// up/down, both paths are resampled after the first norm.
struct ResBlock {
    /// How the time embedding enters: its width and whether it is FiLM (scale-shift) or added.
    struct Conditioning {
        let embeddingDim: Int
        let scaleShift: Bool
    }

    let inNorm: GroupNorm
    let inConv: Conv2d
    let embedding: Linear?
    let outNorm: GroupNorm
    let outConv: Conv2d
    let skip: Conv2d?
    let resample: Resample
    let scaleShift: Bool
    let outChannels: Int

    init(_ prefix: String, channels: Int, outChannels: Int, resample: Resample = .none, norm: NormStyle,
         conditioning: Conditioning?, store: WeightStore, backend: any ComputeBackend) throws {
        inNorm = try GroupNorm("\(prefix).in_layers.0", channels: channels, style: norm, store: store)
        inConv = try .same("\(prefix).in_layers.2", channels, outChannels, kernel: 3, store: store, backend: backend)
        scaleShift = conditioning?.scaleShift ?? false
        embedding = try conditioning.map {
            try Linear("\(prefix).emb_layers.1", input: $0.embeddingDim, output: $0.scaleShift ? 2 * outChannels : outChannels, store: store)
        }
        outNorm = try GroupNorm("\(prefix).out_layers.0", channels: outChannels, style: norm, store: store)
        outConv = try .same("\(prefix).out_layers.3", outChannels, outChannels, kernel: 3, store: store, backend: backend)
        skip = channels == outChannels ? nil : try .same("\(prefix).skip_connection", channels, outChannels, kernel: 1, store: store, backend: backend)
        self.resample = resample
        self.outChannels = outChannels
    }

    /// `activatedEmbedding` is silu(time embedding), [N, 1, 1, timeEmbedDim], shared by all blocks; nil in an
    /// autoencoder.
    func callAsFunction(_ x: Tensor, _ activatedEmbedding: Tensor?, backend: any ComputeBackend) throws -> Tensor {
        // x: [N, H, W, C]
        var h = try backend.groupNorm(x, inNorm.parameters, scale: nil, shift: nil, silu: true)
        var input = x
        switch resample {
        case .none: break
        case .up:
            h = try backend.upsampleNearest2x(h)
            input = try backend.upsampleNearest2x(x)
        case .down:
            h = try backend.averagePool2x(h)
            input = try backend.averagePool2x(x)
        }
        h = try inConv(h)
        if let embedding, let activatedEmbedding {
            let e = try embedding(activatedEmbedding, backend: backend)
            if scaleShift {
                let (scale, shift) = try splitChannels(e, at: outChannels)
                h = try backend.groupNorm(h, outNorm.parameters, scale: scale, shift: shift, silu: true)
            } else {
                h = try backend.groupNorm(try backend.addChannelBiasInPlace(h, e), outNorm.parameters, scale: nil, shift: nil, silu: true)
            }
        } else {
            guard embedding == nil else { throw KernelError.shapeMismatch(op: "ResBlock", expected: "a time embedding", found: "none") }
            h = try backend.groupNorm(h, outNorm.parameters, scale: nil, shift: nil, silu: true)
        }
        let residual = try skip.map { try $0(input) } ?? (input === x ? try backend.copy(x) : input)
        return try outConv(h, accumulatingInto: residual)  // [N, H', W', outChannels]
    }
}

/// [N, 1, 1, 2C] -> ([N, 1, 1, C], [N, 1, 1, C]).
func splitChannels(_ x: Tensor, at split: Int) throws -> (Tensor, Tensor) {
    let s = x.shape
    let first = try Tensor(uninitialized: TensorShape(batch: s.batch, height: 1, width: 1, channels: split))
    let second = try Tensor(uninitialized: TensorShape(batch: s.batch, height: 1, width: 1, channels: s.channels - split))
    for n in 0..<s.batch {
        for c in 0..<s.channels {
            let v = x.data[n * s.channels + c]
            if c < split { first.data[n * split + c] = v } else { second.data[n * (s.channels - split) + c - split] = v }
        }
    }
    return (first, second)
}
