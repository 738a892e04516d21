// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDNNL
import CDreamCleanKernels

/// One convolution's weights: the layouts its oneDNN primitives asked for, all in the data type of the precision in use,
/// and, while that type is bf16 or s8, one exact copy that other layouts are made from. s8 layouts hold each output
/// channel's weights times its `channelScales` entry, rounded. The exact copy is f16 where every
/// weight is an f16 value (the converters write f16), else f32. So a model holds 4 bytes a weight in f32 and in bf16
/// (6 in bf16 for weights that are not f16 values) and never the f32 and bf16 layouts together; switching precision
/// makes the new layouts from the exact copy and drops the old ones. Not thread-safe: the convolution's lock guards it.
final class ConvolutionWeights {
    private struct Held {
        let desc: dnnl_memory_desc_t
        let memory: DNNLMemory
        /// Handed to a primitive: kept when another layout of the same type is made.
        var used = false
    }

    private let engine: DNNLEngine
    private let dims: [dnnl_dim_t]
    private let count: Int
    /// Every weight is an f16 value.
    let exactInF16: Bool
    /// What each output channel's weights are multiplied by in s8 layouts (`Int8Quantization.channelScales`); empty
    /// for a convolution without int8 calibration, which never makes one.
    let channelScales: [Float]
    /// Plain [O, I, kh, kw] in f16 or f32; nil while f32 layouts are held (they are exact themselves).
    private var exact: Held?
    private var layouts: [Held]

    /// `values` in plain [O, I, kh, kw] order; `quantized`: the convolution may run in int8.
    init(engine: DNNLEngine, dims: [dnnl_dim_t], values: [Float], quantized: Bool) throws {
        self.engine = engine
        self.dims = dims
        count = values.count
        channelScales = quantized ? Int8Quantization.channelScales(values, outChannels: Int(dims[0])) : []
        let half = try Self.allocate(engine, try Self.plain(dims, dnnl_f16))
        exactInF16 = try values.withUnsafeBufferPointer { source in
            try half.memory.withData { dc_f32_to_f16(nonNullBase(source), $0.assumingMemoryBound(to: UInt16.self), source.count) == 1 }
        }
        if exactInF16 {
            exact = half
            layouts = []
        } else {
            let plain = try Self.allocate(engine, try Self.plain(dims, dnnl_f32))
            try plain.memory.withData { data in values.withUnsafeBytes { data.copyMemory(from: nonNullBase($0), byteCount: $0.count) } }
            exact = nil
            layouts = [plain]
        }
    }

    /// The weights in layout `wanted` (f32, bf16 or s8), made once and kept while the precision stays.
    func memory(in wanted: dnnl_memory_desc_t) throws -> DNNLMemory {
        var target = wanted
        if let i = layouts.firstIndex(where: { var held = $0.desc; return dnnl_memory_desc_equal(&held, &target) != 0 }) {
            layouts[i].used = true
            return layouts[i].memory
        }
        let sameType = layouts.first?.desc.data_type == wanted.data_type
        if wanted.data_type != dnnl_f32, exact == nil { exact = try exactCopy() }
        var made = try copy(of: try exactSource(), in: wanted)
        made.used = true
        layouts = (sameType ? layouts.filter(\.used) : []) + [made]
        if wanted.data_type == dnnl_f32 { exact = nil }
        return made.memory
    }

    /// Bytes held now, every layout and the exact copy.
    var heldBytes: Int {
        (layouts + (exact.map { [$0] } ?? [])).reduce(0) { total, held in
            var desc = held.desc
            return total + Int(dnnl_memory_desc_get_size(&desc))
        }
    }

    /// An f32 copy of the weights that is exact: an f32 layout if one is held, else the exact copy (f16 widened into a
    /// plain f32 buffer that lives for the reorder).
    private func exactSource() throws -> Held {
        if let first = layouts.first, first.desc.data_type == dnnl_f32 { return first }
        guard let exact else { throw KernelError.dnnl(call: "convolution weights: no exact copy", status: -1) }
        guard exact.desc.data_type == dnnl_f16 else { return exact }
        let wide = try Self.allocate(engine, try Self.plain(dims, dnnl_f32))
        try exact.memory.withData { half in
            try wide.memory.withData { dc_f16_to_f32(half, $0.assumingMemoryBound(to: Float.self), count) }
        }
        return wide
    }

    /// The exact copy kept beside bf16 layouts, made from the f32 layout held: f16 when the weights are f16 values.
    private func exactCopy() throws -> Held {
        let source = try exactSource()
        guard exactInF16 else { return source }
        let plain = try copy(of: source, in: try Self.plain(dims, dnnl_f32))
        let half = try Self.allocate(engine, try Self.plain(dims, dnnl_f16))
        try plain.memory.withData { wide in
            try half.memory.withData { _ = dc_f32_to_f16(wide.assumingMemoryBound(to: Float.self), $0.assumingMemoryBound(to: UInt16.self), count) }
        }
        return half
    }

    /// `source` itself when it is in layout `wanted` already, else a reordered copy (scaled by output channel into s8).
    private func copy(of source: Held, in wanted: dnnl_memory_desc_t) throws -> Held {
        var (held, target) = (source.desc, wanted)
        if dnnl_memory_desc_equal(&held, &target) != 0 { return Held(desc: source.desc, memory: source.memory) }
        let scaling = wanted.data_type == dnnl_s8 ? DNNLScaling(mask: 1, scales: channelScales) : nil  // dim 0: O
        return Held(desc: wanted, memory: try dnnlReorder(engine, from: source.memory, source.desc, to: wanted, scaling: scaling))
    }

    private static func plain(_ dims: [dnnl_dim_t], _ type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        var dims = dims
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&desc, 4, &dims, type, dnnl_oihw), "weights desc \(dims) \(type)")
        return desc
    }

    private static func allocate(_ engine: DNNLEngine, _ desc: dnnl_memory_desc_t) throws -> Held {
        Held(desc: desc, memory: try DNNLMemory(engine, desc, wrapping: nil))
    }
}
