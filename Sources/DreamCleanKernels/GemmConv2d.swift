// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// A stride-1 convolution as k*k matrix products through oneDNN's sgemm, for NHWC tensors.
///
/// With the input zero-padded to `Hp x Wp` and flattened to rows of pixels, tap (ky, kx) of every output pixel is the
/// input row `ky*Wp + kx` further on; so `out = sum over taps of X[shifted] * W[tap]`, each a [pixels x Cin] by
/// [Cin x Cout] product with no im2col copy. Outputs are computed on the padded width (the `k - 1` extra columns per
/// row are discarded when copying out, fused with bias and residual). On 2 AVX2 cores this reaches 115-140 GFLOP/s
/// against 80-90 for oneDNN 2.6's direct convolution on the same shapes (docs/performance.md), because oneDNN 2.6 has
/// no brgemm convolution for AVX2 and its gemm kernels are the better ones here.
///
/// Limitations: stride 1 only (`DNNLBackend` sends strided convolutions to oneDNN's convolution primitive).
final class GemmConv2d: Conv2dOperator, @unchecked Sendable {
    let descriptor: Conv2dDescriptor
    private let backend: DNNLBackend
    /// [k*k][Cin][Cout]: one [Cin x Cout] matrix per tap.
    private let tapWeights: [Float]
    private let bias: [Float]

    init(backend: DNNLBackend, descriptor d: Conv2dDescriptor, weight: [Float], bias: [Float]?) {
        self.backend = backend
        self.descriptor = d
        let (k, ci, co) = (d.kernelSize, d.inChannels, d.outChannels)
        var taps = [Float](repeating: 0, count: weight.count)
        for o in 0..<co {
            for i in 0..<ci {
                for tap in 0..<k * k { taps[(tap * ci + i) * co + o] = weight[(o * ci + i) * k * k + tap] }
            }
        }
        tapWeights = taps
        self.bias = bias ?? [Float](repeating: 0, count: co)
    }

    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor?) throws -> Tensor {
        let d = descriptor
        let outShape = try d.outputShape(for: x.shape)
        if let accumulator, accumulator.shape != outShape {
            throw KernelError.shapeMismatch(op: "conv2d accumulator", expected: outShape.description, found: accumulator.shape.description)
        }
        let out = try accumulator ?? Tensor(uninitialized: outShape, pool: backend.pool)
        let padded = d.padTop + d.padLeft + d.padBottom + d.padRight > 0
        for n in 0..<x.shape.batch {
            if padded || d.kernelSize > 1 {
                try paddedImage(x, n, out, accumulate: accumulator != nil)
            } else {
                try pointwiseImage(x, n, out, accumulate: accumulator != nil)
            }
        }
        return out
    }

    /// 1x1 without padding: a single product straight into the output, then the bias.
    private func pointwiseImage(_ x: Tensor, _ n: Int, _ out: Tensor, accumulate: Bool) throws {
        let (ci, co) = (descriptor.inChannels, descriptor.outChannels)
        let pixels = x.shape.height * x.shape.width
        let target = out.data + n * pixels * co
        try tapWeights.withUnsafeBufferPointer { w in
            try backend.gemm(transposeA: false, transposeB: false, m: pixels, n: co, k: ci, alpha: 1, a: x.data + n * pixels * ci,
                             lda: ci, b: nonNullBase(w), ldb: co, beta: accumulate ? 1 : 0, c: target, ldc: co)
        }
        bias.withUnsafeBufferPointer { b in
            let bias = nonNullBase(b)
            parallelFor(pixels, threads: backend.team) { range in
                for p in range {
                    let row = target + p * co
                    for o in 0..<co { row[o] += bias[o] }
                }
            }
        }
    }

    private func paddedImage(_ x: Tensor, _ n: Int, _ out: Tensor, accumulate: Bool) throws {
        let d = descriptor
        let (k, ci, co) = (d.kernelSize, d.inChannels, d.outChannels)
        let (h, w) = (x.shape.height, x.shape.width)
        let (hp, wp) = (h + d.padTop + d.padBottom, w + d.padLeft + d.padRight)
        let (ho, wo) = (hp - k + 1, wp - k + 1)
        // x: [H, W, Cin] -> zero-padded [Hp, Wp, Cin]
        let input = try Tensor(uninitialized: TensorShape(batch: 1, height: hp, width: wp, channels: ci), pool: backend.pool)
        let source = x.data + n * h * w * ci
        parallelFor(hp, threads: backend.team) { rows in
            for yp in rows {
                let row = input.data + yp * wp * ci
                let y = yp - d.padTop
                guard y >= 0, y < h else {
                    row.initialize(repeating: 0, count: wp * ci)
                    continue
                }
                row.initialize(repeating: 0, count: d.padLeft * ci)
                (row + d.padLeft * ci).update(from: source + y * w * ci, count: w * ci)
                (row + (d.padLeft + w) * ci).initialize(repeating: 0, count: d.padRight * ci)
            }
        }
        // Products on the padded width: row r = yo*Wp + xo; only xo < Wo is kept.
        let rows = (ho - 1) * wp + wo
        let wide = try Tensor(uninitialized: TensorShape(batch: 1, height: ho, width: wp, channels: co), pool: backend.pool)
        try tapWeights.withUnsafeBufferPointer { weights in
            for tap in 0..<k * k {
                let (ky, kx) = (tap / k, tap % k)
                try backend.gemm(transposeA: false, transposeB: false, m: rows, n: co, k: ci, alpha: 1,
                                 a: input.data + (ky * wp + kx) * ci, lda: ci, b: nonNullBase(weights) + tap * ci * co, ldb: co,
                                 beta: tap == 0 ? 0 : 1, c: wide.data, ldc: co)
            }
        }
        // [Ho, Wp, Cout] -> [Ho, Wo, Cout] + bias (+ what the output held, for a fused residual).
        let target = out.data + n * ho * wo * co
        bias.withUnsafeBufferPointer { b in
            let bias = nonNullBase(b)
            parallelFor(ho, threads: backend.team) { range in
                for y in range {
                    for xo in 0..<wo {
                        let src = wide.data + (y * wp + xo) * co, dst = target + (y * wo + xo) * co
                        var o = 0
                        while o + 8 <= co {
                            let v = load8(src + o) + load8(bias + o)
                            store8(accumulate ? v + load8(dst + o) : v, dst + o)
                            o += 8
                        }
                        while o < co {
                            dst[o] = src[o] + bias[o] + (accumulate ? dst[o] : 0)
                            o += 1
                        }
                    }
                }
            }
        }
    }
}
