// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import Foundation

/// A backend that forwards every op to another and adds up the wall time of each kind (`dreamclean-bench --profile`):
/// convolutions by kernel size, stride and channels, the memory-bound ops by name. Ops run one at a time, so the
/// totals add up to the forward pass less the Swift glue between ops.
final class ProfilingBackend: ComputeBackend, @unchecked Sendable {
    private let inner: any ComputeBackend
    private(set) var milliseconds: [String: Double] = [:]
    private(set) var calls: [String: Int] = [:]

    init(_ inner: any ComputeBackend) { self.inner = inner }

    var name: String { inner.name }
    var bufferPool: BufferPool? { inner.bufferPool }
    func setThreads(_ threads: Int) throws { try inner.setThreads(threads) }
    func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision { inner.setConvolutionPrecision(precision) }
    var convolutionPrecision: ConvolutionPrecision { inner.convolutionPrecision }

    func reset() {
        milliseconds = [:]
        calls = [:]
    }

    func timed<T>(_ op: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            milliseconds[op, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            calls[op, default: 0] += 1
        }
        return try body()
    }

    func makeConv2d(_ descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]?,
                    quantization: Int8Quantization?) throws -> any Conv2dOperator {
        ProfiledConv2d(try inner.makeConv2d(descriptor, weight: weight, bias: bias, quantization: quantization), profile: self)
    }

    func linear(_ x: Tensor, weight: [Float], bias: [Float]) throws -> Tensor {
        try timed("linear") { try inner.linear(x, weight: weight, bias: bias) }
    }

    func groupNorm(_ x: Tensor, _ parameters: GroupNormParameters, scale: Tensor?, shift: Tensor?, silu: Bool) throws -> Tensor {
        try timed("group norm c\(x.shape.channels)") { try inner.groupNorm(x, parameters, scale: scale, shift: shift, silu: silu) }
    }

    func silu(_ x: Tensor) throws -> Tensor { try timed("silu") { try inner.silu(x) } }
    func copy(_ x: Tensor) throws -> Tensor { try timed("copy") { try inner.copy(x) } }
    func add(_ a: Tensor, _ b: Tensor) throws -> Tensor { try timed("add") { try inner.add(a, b) } }
    func addChannelBiasInPlace(_ x: Tensor, _ bias: Tensor) throws -> Tensor {
        try timed("channel bias") { try inner.addChannelBiasInPlace(x, bias) }
    }
    func upsampleNearest2x(_ x: Tensor) throws -> Tensor { try timed("upsample") { try inner.upsampleNearest2x(x) } }
    func averagePool2x(_ x: Tensor) throws -> Tensor { try timed("average pool") { try inner.averagePool2x(x) } }
    func concatChannels(_ a: Tensor, _ b: Tensor) throws -> Tensor { try timed("concat") { try inner.concatChannels(a, b) } }
    func attention(qkv: Tensor, heads: Int) throws -> Tensor { try timed("attention") { try inner.attention(qkv: qkv, heads: heads) } }
    var attentionScratch: AttentionScratch { inner.attentionScratch }
    func crossAttention(query: Tensor, keys: [Float], values: [Float], tokens: Int, heads: Int) throws -> Tensor {
        try timed("cross-attention") { try inner.crossAttention(query: query, keys: keys, values: values, tokens: tokens, heads: heads) }
    }
    func layerNorm(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float) throws -> Tensor {
        try timed("layer norm") { try inner.layerNorm(x, gamma: gamma, beta: beta, epsilon: epsilon) }
    }
    func geglu(_ x: Tensor) throws -> Tensor { try timed("geglu") { try inner.geglu(x) } }
}

private final class ProfiledConv2d: Conv2dOperator, @unchecked Sendable {
    let inner: any Conv2dOperator
    let profile: ProfilingBackend
    var descriptor: Conv2dDescriptor { inner.descriptor }

    init(_ inner: any Conv2dOperator, profile: ProfilingBackend) {
        self.inner = inner
        self.profile = profile
    }

    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor?) throws -> Tensor {
        let d = inner.descriptor
        return try profile.timed("conv \(d.kernelSize)x\(d.kernelSize)/\(d.stride) \(d.inChannels)->\(d.outChannels)") {
            try inner(x, accumulatingInto: accumulator)
        }
    }
}
