// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// The small layers a UNet is made of. Each reads its weights under `prefix` with the key names of guided-diffusion's
/// state dicts (`prefix.weight`, `prefix.bias`) and checks their shapes.
struct Conv2d {
    let op: any Conv2dOperator

    /// `oneDimensional` reads a Conv1d weight [out, in, 1] (attention's qkv and proj_out) as a 1x1 convolution;
    /// `hasBias` false: the layer has none (the transformer blocks' attention projections).
    init(_ prefix: String, _ descriptor: Conv2dDescriptor, store: WeightStore, backend: any ComputeBackend,
         oneDimensional: Bool = false, hasBias: Bool = true) throws {
        let d = descriptor
        let shape = oneDimensional ? [d.outChannels, d.inChannels, 1] : [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]
        let weight = try store.take("\(prefix).weight", shape: shape)
        let bias = hasBias ? try store.take("\(prefix).bias", shape: [d.outChannels]) : nil
        op = try backend.makeConv2d(d, weight: weight, bias: bias, quantization: store.quantization(prefix))
    }

    /// A convolution prepared from weights the caller has taken (and reshaped or sliced) itself.
    init(op: any Conv2dOperator) { self.op = op }

    /// A per-position linear layer ([out, in, 1, 1] weights: the converters store every linear map over positions so).
    static func pointwise(_ prefix: String, _ input: Int, _ output: Int, hasBias: Bool = true, store: WeightStore,
                          backend: any ComputeBackend) throws -> Conv2d {
        try Conv2d(prefix, Conv2dDescriptor(inChannels: input, outChannels: output, kernelSize: 1, padding: 0),
                   store: store, backend: backend, hasBias: hasBias)
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

/// A network's group normalization: its group count and epsilon.
struct NormStyle {
    let groups: Int
    let epsilon: Float
}

struct GroupNorm {
    let parameters: GroupNormParameters

    init(_ prefix: String, channels: Int, style: NormStyle, store: WeightStore) throws {
        parameters = GroupNormParameters(groups: style.groups, epsilon: style.epsilon,
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
