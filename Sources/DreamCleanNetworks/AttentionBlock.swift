// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// guided-diffusion's `AttentionBlock` with `QKVAttentionLegacy`: `x + proj_out(attention(qkv(norm(x))))`.
/// diffusers' `Attention` (separate to_q/to_k/to_v; the UNets' and the autoencoder's mid-block) is converted offline into this fused, legacy-ordered form.
struct AttentionBlock {
    let norm: GroupNorm
    let qkv: Conv2d
    let projection: Conv2d
    let heads: Int

    init(_ prefix: String, channels: Int, heads: Int, norm style: NormStyle, store: WeightStore, backend: any ComputeBackend) throws {
        norm = try GroupNorm("\(prefix).norm", channels: channels, style: style, store: store)
        qkv = try Conv2d("\(prefix).qkv", Conv2dDescriptor(inChannels: channels, outChannels: 3 * channels, kernelSize: 1, padding: 0),
                         store: store, backend: backend, oneDimensional: true)
        projection = try Conv2d("\(prefix).proj_out", Conv2dDescriptor(inChannels: channels, outChannels: channels, kernelSize: 1, padding: 0),
                                store: store, backend: backend, oneDimensional: true)
        self.heads = heads
    }

    /// Adds the attention output into `x` itself (the residual), which the caller must own.
    func callAsFunction(consuming x: Tensor, backend: any ComputeBackend) throws -> Tensor {
        // x: [N, H, W, C]
        let normalized = try backend.groupNorm(x, norm.parameters, scale: nil, shift: nil, silu: false)
        let attended = try backend.attention(qkv: try qkv(normalized), heads: heads)
        return try projection(attended, accumulatingInto: x)  // [N, H, W, C]
    }
}
