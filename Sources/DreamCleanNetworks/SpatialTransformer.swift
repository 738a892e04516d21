// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Stable Diffusion's `SpatialTransformer` (diffusers' `Transformer2DModel` with `BasicTransformerBlock`s):
/// `x + proj_out(blocks(proj_in(norm(x))))`. A linear `proj_in`/`proj_out` (SD 2.x, SDXL) and a 1x1 convolution one
/// (SD 1.x) are the same map over positions, so the converter stores both as 1x1 convolutions.
struct SpatialTransformer {
    let norm: GroupNorm
    let projectIn: Conv2d
    let blocks: [TransformerBlock]
    let projectOut: Conv2d

    init(_ prefix: String, channels: Int, heads: Int, depth: Int, config: TransformerConfig, norm style: NormStyle,
         context: FixedContext, store: WeightStore, backend: any ComputeBackend) throws {
        norm = try GroupNorm("\(prefix).norm", channels: channels, style: NormStyle(groups: style.groups, epsilon: config.groupNormEpsilon),
                             store: store)
        projectIn = try .pointwise("\(prefix).proj_in", channels, channels, store: store, backend: backend)
        blocks = try (0..<depth).map {
            try TransformerBlock("\(prefix).transformer_blocks.\($0)", channels: channels, heads: heads, epsilon: config.layerNormEpsilon,
                                 context: context, store: store, backend: backend)
        }
        projectOut = try .pointwise("\(prefix).proj_out", channels, channels, store: store, backend: backend)
    }

    /// Adds the transformer's output into `x` itself (the residual), which the caller must own.
    func callAsFunction(consuming x: Tensor, backend: any ComputeBackend) throws -> Tensor {
        // x: [N, H, W, C]
        var h = try projectIn(try backend.groupNorm(x, norm.parameters, scale: nil, shift: nil, silu: false))
        for block in blocks { h = try block(consuming: h, backend: backend) }
        return try projectOut(h, accumulatingInto: x)  // [N, H, W, C]
    }
}

/// The conditioning every cross-attention reads: the text encoder's output for the empty prompt, [tokens, width]
/// row-major, computed once by the converter. Each block projects it to its keys and values once, at load.
struct FixedContext {
    let tokens: Int
    let width: Int
    let values: [Float]
}

/// `BasicTransformerBlock`: self-attention, cross-attention over the fixed context and a GEGLU feed-forward, each
/// after a layer norm and added back (pre-norm residuals).
struct TransformerBlock {
    let norms: [(gamma: [Float], beta: [Float])]
    let epsilon: Float
    let heads: Int
    /// Self-attention: q, k, v fused in guided-diffusion's legacy head order (the converter reorders diffusers' to_q,
    /// to_k, to_v), no bias.
    let selfQKV: Conv2d
    let selfOut: Conv2d
    let crossQuery: Conv2d
    /// The context's keys and values, [tokens, C].
    let crossKeys: [Float]
    let crossValues: [Float]
    let tokens: Int
    let crossOut: Conv2d
    let feedForwardIn: Conv2d
    let feedForwardOut: Conv2d

    init(_ prefix: String, channels: Int, heads: Int, epsilon: Float, context: FixedContext, store: WeightStore,
         backend: any ComputeBackend) throws {
        norms = try (1...3).map { i in
            (try store.take("\(prefix).norm\(i).weight", shape: [channels]), try store.take("\(prefix).norm\(i).bias", shape: [channels]))
        }
        self.epsilon = epsilon
        self.heads = heads
        selfQKV = try .pointwise("\(prefix).attn1.qkv", channels, 3 * channels, hasBias: false, store: store, backend: backend)
        selfOut = try .pointwise("\(prefix).attn1.to_out", channels, channels, store: store, backend: backend)
        crossQuery = try .pointwise("\(prefix).attn2.to_q", channels, channels, hasBias: false, store: store, backend: backend)
        // The keys and values are the same at every evaluation: projected here, through the backend, and kept.
        let contextTensor = try Tensor(shape: TensorShape(batch: 1, height: context.tokens, width: 1, channels: context.width),
                                       nhwc: context.values)
        func project(_ name: String) throws -> [Float] {
            let projection = try Conv2d.pointwise("\(prefix).attn2.\(name)", context.width, channels, hasBias: false, store: store, backend: backend)
            let projected = try projection(contextTensor)
            return Array(UnsafeBufferPointer(start: projected.data, count: projected.count))
        }
        crossKeys = try project("to_k")
        crossValues = try project("to_v")
        tokens = context.tokens
        crossOut = try .pointwise("\(prefix).attn2.to_out", channels, channels, store: store, backend: backend)
        feedForwardIn = try .pointwise("\(prefix).ff.proj", channels, 8 * channels, store: store, backend: backend)
        feedForwardOut = try .pointwise("\(prefix).ff.out", 4 * channels, channels, store: store, backend: backend)
    }

    func callAsFunction(consuming x: Tensor, backend: any ComputeBackend) throws -> Tensor {
        // x: [N, H, W, C]
        func norm(_ i: Int, _ h: Tensor) throws -> Tensor { try backend.layerNorm(h, gamma: norms[i].gamma, beta: norms[i].beta, epsilon: epsilon) }
        var h = try selfOut(try backend.attention(qkv: try selfQKV(try norm(0, x)), heads: heads), accumulatingInto: x)
        let attended = try backend.crossAttention(query: try crossQuery(try norm(1, h)), keys: crossKeys, values: crossValues,
                                                  tokens: tokens, heads: heads)
        h = try crossOut(attended, accumulatingInto: h)
        return try feedForwardOut(try backend.geglu(try feedForwardIn(try norm(2, h))), accumulatingInto: h)  // [N, H, W, C]
    }
}
