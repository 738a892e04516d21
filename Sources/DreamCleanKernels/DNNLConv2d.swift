// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDNNL

/// A convolution through oneDNN: one primitive per input shape (built on first use and reused), weights reordered once
/// into the layout the primitive prefers, bias and an optional residual add (oneDNN's `sum` post-op) fused into the
/// same pass. In bf16 (`ConvolutionPrecision`) the input is rounded to bf16 by a reorder before the product, the
/// weights are held in bf16 (`ConvolutionWeights`), and the products accumulate and land in f32. In int8 the reorder
/// quantizes the input with `quantization`'s scale, the weights are held in s8 scaled per output channel, and oneDNN's
/// output scales undo both scales as the int32 sums land in f32.
final class DNNLConv2d: Conv2dOperator, @unchecked Sendable {
    let descriptor: Conv2dDescriptor
    private let engine: DNNLEngine
    private let pool: BufferPool
    private let quantization: Int8Quantization?
    private let biasValues: [Float]
    private let bias: DNNLMemory
    /// The bias in int8's units (oneDNN 2 adds it to the int32 sums, before the output scales), made on first use.
    private var int8Bias: DNNLMemory?
    private let biasDesc: dnnl_memory_desc_t
    private let lock = Lock()
    private let weights: ConvolutionWeights
    private var primitives: [Key: Prepared] = [:]

    /// A primitive is built for one input shape, precision and thread count (oneDNN sizes its work split at creation).
    private struct Key: Hashable {
        let shape: TensorShape
        let accumulate: Bool
        let precision: ConvolutionPrecision
        let threads: Int
    }

    private struct Prepared {
        let primitive: DNNLPrimitive
        let weights: DNNLMemory
        let destination: dnnl_memory_desc_t
        let source: dnnl_memory_desc_t
        /// bf16 and int8: the f32 input's reorder (rounding, or quantizing) into `source`, and the input's own descriptor.
        let rounding: (primitive: DNNLPrimitive, input: dnnl_memory_desc_t)?
        /// The bias, in int8's units for int8.
        let bias: DNNLMemory
    }

    init(engine: DNNLEngine, pool: BufferPool, descriptor d: Conv2dDescriptor, weight: [Float], bias: [Float]?,
         quantization: Int8Quantization?) throws {
        self.engine = engine
        self.pool = pool
        self.descriptor = d
        self.quantization = quantization
        let dims: [dnnl_dim_t] = [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize].map { dnnl_dim_t($0) }
        weights = try ConvolutionWeights(engine: engine, dims: dims, values: weight, quantized: quantization != nil)
        var bdesc = dnnl_memory_desc_t()
        var bdims: [dnnl_dim_t] = [dnnl_dim_t(d.outChannels)]
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&bdesc, 1, &bdims, dnnl_f32, dnnl_x), "bias desc \(d)")
        biasDesc = bdesc
        self.bias = try DNNLMemory(engine, bdesc, wrapping: nil)
        let biasValues = bias ?? [Float](repeating: 0, count: d.outChannels)
        self.biasValues = biasValues
        try self.bias.withData { data in biasValues.withUnsafeBytes { data.copyMemory(from: nonNullBase($0), byteCount: $0.count) } }
    }

    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor?) throws -> Tensor {
        let outShape = try descriptor.outputShape(for: x.shape)
        let out: Tensor
        if let accumulator {
            guard accumulator.shape == outShape else {
                throw KernelError.shapeMismatch(op: "conv2d accumulator", expected: outShape.description, found: accumulator.shape.description)
            }
            out = accumulator
        } else {
            out = try Tensor(uninitialized: outShape, pool: pool)
        }
        lock.lock()
        defer { lock.unlock() }
        engine.useThreads()
        let precision = precisionInUse
        let key = Key(shape: x.shape, accumulate: accumulator != nil, precision: precision, threads: engine.team)
        let prepared = try prepare(key, outShape)
        // bf16 and int8: the input rounded into a buffer of its own (two bf16 or four s8 values to a Float slot), kept
        // until the product ran.
        let perSlot = precision == .int8 ? 4 : 2
        let rounded = try prepared.rounding.map { _ in
            try Tensor(uninitialized: TensorShape(batch: 1, height: 1, width: 1, channels: (x.count + perSlot - 1) / perSlot), pool: pool)
        }
        defer { withExtendedLifetime(rounded) {} }
        let src = try DNNLMemory(engine, prepared.source, wrapping: UnsafeMutableRawPointer((rounded ?? x).data))
        if let rounding = prepared.rounding {
            let input = try DNNLMemory(engine, rounding.input, wrapping: UnsafeMutableRawPointer(x.data))
            try engine.execute(rounding.primitive.primitive, [(DNNL_ARG_FROM, input.memory), (DNNL_ARG_TO, src.memory)])
        }
        let dst = try DNNLMemory(engine, prepared.destination, wrapping: UnsafeMutableRawPointer(out.data))
        try engine.execute(prepared.primitive.primitive, [(DNNL_ARG_SRC, src.memory), (DNNL_ARG_WEIGHTS, prepared.weights.memory),
                                                          (DNNL_ARG_BIAS, prepared.bias.memory), (DNNL_ARG_DST, dst.memory)])
        return out
    }

    /// The engine's precision, except that int8 computes a convolution without a calibration in bf16 where the CPU
    /// has it, else in f32.
    private var precisionInUse: ConvolutionPrecision {
        guard engine.precision == .int8, quantization == nil else { return engine.precision }
        return DNNLBackend.nativeBF16 ? .bf16 : .f32
    }

    /// The output scales that take int8's int32 sums back to f32: 1 / (input scale x the channel's weight scale).
    private func int8OutputScaling(_ quantization: Int8Quantization) -> DNNLScaling {
        DNNLScaling(mask: 1 << 1, scales: weights.channelScales.map { 1 / (quantization.inputScale * $0) })  // dim 1: C
    }

    private func int8BiasMemory(_ quantization: Int8Quantization) throws -> DNNLMemory {
        if let int8Bias { return int8Bias }
        let memory = try DNNLMemory(engine, biasDesc, wrapping: nil)
        let scaled = zip(biasValues, weights.channelScales).map { $0 * quantization.inputScale * $1 }
        try memory.withData { data in scaled.withUnsafeBytes { data.copyMemory(from: nonNullBase($0), byteCount: $0.count) } }
        int8Bias = memory
        return memory
    }

    private func prepare(_ key: Key, _ outShape: TensorShape) throws -> Prepared {
        if let cached = primitives[key] { return cached }
        let d = descriptor
        let int8 = key.precision == .int8 ? quantization : nil
        let type = int8 != nil ? dnnl_s8 : key.precision == .bf16 ? dnnl_bf16 : dnnl_f32
        let input = try engine.nhwc(key.shape)
        var src = try engine.nhwc(key.shape, type: type), dst = try engine.nhwc(outShape), bdesc = biasDesc
        var anyWeights = dnnl_memory_desc_t()
        var wdims: [dnnl_dim_t] = [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize].map { dnnl_dim_t($0) }
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&anyWeights, 4, &wdims, type, dnnl_format_tag_any), "weights desc")
        var strides: [dnnl_dim_t] = [dnnl_dim_t(d.stride), dnnl_dim_t(d.stride)]
        var padLeft: [dnnl_dim_t] = [dnnl_dim_t(d.padTop), dnnl_dim_t(d.padLeft)]
        var padRight: [dnnl_dim_t] = [dnnl_dim_t(d.padBottom), dnnl_dim_t(d.padRight)]
        var opDesc = dnnl_convolution_desc_t()
        try dnnlCheck(dnnl_convolution_forward_desc_init(&opDesc, dnnl_forward_inference, dnnl_convolution_direct, &src, &anyWeights,
                                                         &bdesc, &dst, &strides, &padLeft, &padRight), "convolution desc \(d)")
        let attr = try dnnlAttribute(int8.map(int8OutputScaling))
        defer { dnnl_primitive_attr_destroy(attr) }
        if key.accumulate {
            var postOps: dnnl_post_ops_t?
            try dnnlCheck(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create")
            defer { dnnl_post_ops_destroy(postOps) }
            try dnnlCheck(dnnl_post_ops_append_sum(postOps, 1.0), "dnnl_post_ops_append_sum")
            try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, postOps), "dnnl_primitive_attr_set_post_ops")
        }
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &opDesc, attr, engine.engine, nil), "convolution primitive desc \(d)")
        guard let pd else { throw KernelError.dnnl(call: "convolution primitive desc", status: -1) }
        defer { dnnl_primitive_desc_destroy(pd) }
        guard let wanted = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)?.pointee else {
            throw KernelError.dnnl(call: "query weights md", status: -1)
        }
        let scaling = int8.map { DNNLScaling(mask: 0, scales: [$0.inputScale]) }
        let rounding = type != dnnl_f32 ? (try dnnlReorderPrimitive(engine, from: input, to: src, scaling: scaling), input) : nil
        // A primitive of the other precision holds weights in that precision's layout: dropped with it.
        primitives = primitives.filter { $0.key.precision == key.precision }
        let prepared = Prepared(primitive: try DNNLPrimitive(pd), weights: try weights.memory(in: wanted), destination: dst,
                                source: src, rounding: rounding, bias: try int8.map(int8BiasMemory) ?? bias)
        primitives[key] = prepared
        return prepared
    }

    /// Bytes the weights take now (tests).
    var heldWeightBytes: Int { lock.withLock { weights.heldBytes } }
}
