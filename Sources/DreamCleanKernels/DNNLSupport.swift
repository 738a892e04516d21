// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDNNL
import Glibc

@inline(__always)
func dnnlCheck(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
    guard status == dnnl_success else { throw KernelError.dnnl(call: call(), status: Int(status.rawValue)) }
}

/// oneDNN's CPU engine and an in-order stream. The stream is used by one thread at a time (callers serialize
/// executions on a backend, and changes of `threads` with them), and every primitive runs on `team` OpenMP threads.
final class DNNLEngine: @unchecked Sendable {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    /// The most threads a team may have: the setting, or one per core.
    var threads: Int { didSet { team = threads; teamReadAt = 0 } }
    /// Whether the team follows the cores other processes leave idle (`IdleCores`): the setting 0, one per core.
    var followsIdleCores: Bool
    /// What the convolutions compute in (`ConvolutionPrecision`); changed only between executions, like `threads`.
    var precision = ConvolutionPrecision.f32
    /// The team of the next operations: `threads`, or fewer while other processes are busy (`refreshedTeam`).
    private(set) var team: Int
    private var teamReadAt: UInt64 = 0

    /// How long a reading of the idle cores holds: reading them costs a few /proc files per thread of the process,
    /// and the load of a restore's neighbours changes more slowly than this.
    static let teamReadingNanoseconds: UInt64 = 100_000_000

    init(threads: Int, followsIdleCores: Bool = false) throws {
        var engine: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        guard let engine else { throw KernelError.dnnl(call: "dnnl_engine_create", status: -1) }
        var stream: dnnl_stream_t?
        let status = dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue))
        guard status == dnnl_success, let stream else {
            dnnl_engine_destroy(engine)
            throw KernelError.dnnl(call: "dnnl_stream_create", status: Int(status.rawValue))
        }
        self.engine = engine
        self.stream = stream
        self.threads = threads
        self.followsIdleCores = followsIdleCores
        team = threads
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    /// The team for the operation about to run, its idle-core reading renewed when it is older than
    /// `teamReadingNanoseconds`. Results do not depend on it (every kernel computes an element the same way on any team).
    func refreshedTeam() -> Int {
        guard followsIdleCores else { return team }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = UInt64(max(now.tv_sec, 0)) &* 1_000_000_000 &+ UInt64(max(now.tv_nsec, 0))
        if teamReadAt == 0 || nanoseconds &- teamReadAt >= Self.teamReadingNanoseconds {
            team = IdleCores.count(of: threads)
            teamReadAt = nanoseconds
        }
        return team
    }

    /// Sets the calling thread's OpenMP team size to `team`; OpenMP keeps it per thread, so this runs before each
    /// primitive (and does not renew the reading: a primitive is built and run for one team).
    func useThreads() { omp_set_num_threads(Int32(team)) }

    /// A descriptor of an NHWC tensor (oneDNN's dims are always N, C, H, W).
    func nhwc(_ shape: TensorShape, type: dnnl_data_type_t = dnnl_f32) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        var dims: [dnnl_dim_t] = [shape.batch, shape.channels, shape.height, shape.width].map { dnnl_dim_t($0) }
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, 4, &dims, type, dnnl_nhwc), "memory desc \(shape)")
        return md
    }

    /// Runs `primitive` on `args` (memory objects that wrap caller pointers) and waits for it.
    func execute(_ primitive: dnnl_primitive_t, _ args: [(Int32, dnnl_memory_t)]) throws {
        useThreads()
        var execArgs = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
        try dnnlCheck(dnnl_primitive_execute(primitive, stream, Int32(execArgs.count), &execArgs), "dnnl_primitive_execute")
        try dnnlCheck(dnnl_stream_wait(stream), "dnnl_stream_wait")
    }
}

/// A oneDNN memory object that owns it handle; the buffer is the caller's (`wrapping`) or oneDNN's own.
final class DNNLMemory: @unchecked Sendable {
    let memory: dnnl_memory_t

    init(_ engine: DNNLEngine, _ desc: dnnl_memory_desc_t, wrapping pointer: UnsafeMutableRawPointer?) throws {
        var md = desc
        var memory: dnnl_memory_t?
        // DNNL_MEMORY_ALLOCATE is ((void *)(size_t)-1) in the header; Swift cannot import that macro.
        let handle = pointer ?? UnsafeMutableRawPointer(bitPattern: UInt.max)
        try dnnlCheck(dnnl_memory_create(&memory, &md, engine.engine, handle), "dnnl_memory_create")
        guard let memory else { throw KernelError.dnnl(call: "dnnl_memory_create", status: -1) }
        self.memory = memory
    }

    /// `body` on the memory's data (allocated by oneDNN, or the buffer it wraps).
    func withData<R>(_ body: (UnsafeMutableRawPointer) throws -> R) throws -> R {
        var handle: UnsafeMutableRawPointer?
        try dnnlCheck(dnnl_memory_get_data_handle(memory, &handle), "dnnl_memory_get_data_handle")
        guard let handle else { throw KernelError.dnnl(call: "dnnl_memory_get_data_handle", status: -1) }
        return try body(handle)
    }

    deinit { dnnl_memory_destroy(memory) }
}

/// An owned primitive.
final class DNNLPrimitive: @unchecked Sendable {
    let primitive: dnnl_primitive_t

    init(_ pd: dnnl_primitive_desc_t) throws {
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, pd), "dnnl_primitive_create")
        guard let primitive else { throw KernelError.dnnl(call: "dnnl_primitive_create", status: -1) }
        self.primitive = primitive
    }

    deinit { dnnl_primitive_destroy(primitive) }
}

/// oneDNN's output scales: one factor (`mask` 0) or one along each dimension whose bit is set in `mask`.
struct DNNLScaling {
    let mask: Int32
    let scales: [Float]
}

/// A primitive attribute, with output scales when `scaling` is given; the caller destroys it.
func dnnlAttribute(_ scaling: DNNLScaling?) throws -> dnnl_primitive_attr_t? {
    var attr: dnnl_primitive_attr_t?
    try dnnlCheck(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create")
    guard let scaling else { return attr }
    let status = scaling.scales.withUnsafeBufferPointer {
        dnnl_primitive_attr_set_output_scales(attr, dnnl_dim_t($0.count), scaling.mask, $0.baseAddress)
    }
    guard status == dnnl_success else {
        dnnl_primitive_attr_destroy(attr)
        throw KernelError.dnnl(call: "dnnl_primitive_attr_set_output_scales", status: Int(status.rawValue))
    }
    return attr
}

/// A reorder primitive from layout (and type) `source` to `target`, its values multiplied by `scaling` (rounded to
/// nearest and saturated when `target` is an integer type).
func dnnlReorderPrimitive(_ engine: DNNLEngine, from source: dnnl_memory_desc_t, to target: dnnl_memory_desc_t,
                          scaling: DNNLScaling? = nil) throws -> DNNLPrimitive {
    var src = source, dst = target
    let attr = try dnnlAttribute(scaling)
    defer { dnnl_primitive_attr_destroy(attr) }
    var pd: dnnl_primitive_desc_t?
    try dnnlCheck(dnnl_reorder_primitive_desc_create(&pd, &src, engine.engine, &dst, engine.engine, attr), "reorder desc")
    guard let pd else { throw KernelError.dnnl(call: "reorder desc", status: -1) }
    defer { dnnl_primitive_desc_destroy(pd) }
    return try DNNLPrimitive(pd)
}

/// Copies `source` into a new memory of layout `target` (a reorder primitive), scaled by `scaling`.
func dnnlReorder(_ engine: DNNLEngine, from source: DNNLMemory, _ sourceDesc: dnnl_memory_desc_t,
                 to targetDesc: dnnl_memory_desc_t, scaling: DNNLScaling? = nil) throws -> DNNLMemory {
    let primitive = try dnnlReorderPrimitive(engine, from: sourceDesc, to: targetDesc, scaling: scaling)
    let target = try DNNLMemory(engine, targetDesc, wrapping: nil)
    try engine.execute(primitive.primitive, [(DNNL_ARG_FROM, source.memory), (DNNL_ARG_TO, target.memory)])
    return target
}
