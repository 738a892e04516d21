// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDreamCleanKernels
#if canImport(Glibc)
import Glibc
#endif

/// The ops of Stable Diffusion's transformer blocks that the pixel UNets do not have: cross-attention over a fixed
/// context, per-position layer norm and GEGLU. Positions are independent, so each splits by rows of positions.
extension DNNLBackend {
    public func crossAttention(query: Tensor, keys: [Float], values: [Float], tokens: Int, heads: Int) throws -> Tensor {
        let d = try ShapeChecks.crossAttention(query, keys: keys, values: values, tokens: tokens, heads: heads)
        let c = query.shape.channels
        let positions = query.shape.batch * query.shape.height * query.shape.width
        let out = try Tensor(uninitialized: query.shape, pool: pool)
        let scores = try Tensor(uninitialized: TensorShape(batch: 1, height: positions, width: 1, channels: tokens), pool: pool)
        let scale = 1 / Float(d).squareRoot()
        try keys.withUnsafeBufferPointer { keys in
            try values.withUnsafeBufferPointer { values in
                for h in 0..<heads {
                    // scores [P, T] = q_h [P, d] k_h^T / sqrt(d); out_h = softmax(scores) v_h
                    try gemm(transposeA: false, transposeB: true, m: positions, n: tokens, k: d, alpha: scale,
                             a: query.data + h * d, lda: c, b: nonNullBase(keys) + h * d, ldb: c, beta: 0, c: scores.data, ldc: tokens)
                    let rows = scores.data
                    parallelFor(positions, threads: team) { range in
                        for r in range { dc_softmax_row(rows + r * tokens, tokens) }
                    }
                    try gemm(transposeA: false, transposeB: false, m: positions, n: d, k: tokens, alpha: 1, a: scores.data, lda: tokens,
                             b: nonNullBase(values) + h * d, ldb: c, beta: 0, c: out.data + h * d, ldc: c)
                }
            }
        }
        return out
    }

    public func layerNorm(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float) throws -> Tensor {
        try ShapeChecks.layerNorm(x, gamma: gamma, beta: beta, epsilon: epsilon)
        let c = x.shape.channels
        let out = try Tensor(uninitialized: x.shape, pool: pool)
        let (src, dst) = (x.data, out.data)
        gamma.withUnsafeBufferPointer { gamma in
            beta.withUnsafeBufferPointer { beta in
                let (gamma, beta) = (nonNullBase(gamma), nonNullBase(beta))
                parallelFor(x.count / c, threads: team) { positions in
                    for p in positions {
                        let row = src + p * c, target = dst + p * c
                        var sum: Float = 0
                        for i in 0..<c { sum += row[i] }
                        let mean = sum / Float(c)
                        var squares: Float = 0  // two passes: no cancellation when the mean is large
                        for i in 0..<c { squares += (row[i] - mean) * (row[i] - mean) }
                        let inverseStd = 1 / (squares / Float(c) + epsilon).squareRoot()
                        for i in 0..<c { target[i] = (row[i] - mean) * inverseStd * gamma[i] + beta[i] }
                    }
                }
            }
        }
        return out
    }

    public func geglu(_ x: Tensor) throws -> Tensor {
        let shape = try ShapeChecks.geglu(x)
        let f = shape.channels
        let out = try Tensor(uninitialized: shape, pool: pool)
        guard f > 0 else { return out }
        let (src, dst) = (x.data, out.data)
        parallelFor(out.count / f, threads: team) { positions in
            for p in positions {
                let value = src + p * 2 * f, gate = value + f, target = dst + p * f
                for i in 0..<f { target[i] = value[i] * 0.5 * gate[i] * (1 + erff(gate[i] * 0.70710678)) }
            }
        }
        return out
    }
}
