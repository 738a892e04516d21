// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// The small layers a UNet is made of. Each reads its weights under `prefix` with the key names of guided-diffusion's
/// state dicts (`prefix.weight`, `prefix.bias`) and checks their shapes.
struct Conv2d {
    let op: any Conv2dOperator

    /// `oneDimensional` reads a Conv1d weight [out, in, 1] (attention's qkv and proj_out) as a 1x1 convolution.
    init(_ prefix: String, _ descriptor: Conv2dDescriptor, store: WeightStore, backend: any ComputeBackend,
         oneDimensional: Bool = false) throws {
        let d = descriptor
        let shape = oneDimensional ? [d.outChannels, d.inChannels, 1] : [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]
        let weight = try store.take("\(prefix).weight", shape: shape)
        let bias = try store.take("\(prefix).bias", shape: [d.outChannels])
        op = try backend.makeConv2d(d, weight: weight, bias: bias)
    }

    static func same(_ prefix: String, _ input: Int, _ output: Int, kernel: Int, store: WeightStore,
                     backend: any ComputeBackend) throws -> Conv2d {
        try Conv2d(prefix, Conv2dDescriptor(inChannels: input, outChannels: output, kernelSize: kernel, padding: kernel / 2),
                   store: store, backend: backend)
    }

    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor? = nil) throws -> Tensor {
        try op(x, accumulatingInto: accumulator)
    }
}

struct GroupNorm {
    let parameters: GroupNormParameters

    init(_ prefix: String, channels: Int, config: UNetConfig, store: WeightStore) throws {
        parameters = GroupNormParameters(groups: config.normGroups, epsilon: config.normEpsilon,
                                         gamma: try store.take("\(prefix).weight", shape: [channels]),
                                         beta: try store.take("\(prefix).bias", shape: [channels]))
    }
}

struct Linear {
    let weight: [Float]
    let bias: [Float]

    init(_ prefix: String, input: Int, output: Int, store: WeightStore) throws {
        weight = try store.take("\(prefix).weight", shape: [output, input])
        bias = try store.take("\(prefix).bias", shape: [output])
    }

    func callAsFunction(_ x: Tensor, backend: any ComputeBackend) throws -> Tensor {
        try backend.linear(x, weight: weight, bias: bias)
    }
}

/// How a residual block or resampler changes the resolution.
enum Resample {
    case none, up, down
}
