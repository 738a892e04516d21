// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDNNL
import CDreamCleanKernels
import Synchronization

/// The fast backend: convolutions and matrix products through oneDNN (its convolution primitive, or on CPUs without
/// AVX-512 its sgemm for stride-1 convolutions, see `GemmConv2d`), the memory-bound ops
/// (group norm fused with scale-shift and SiLU, resampling, concatenation) in SIMD Swift over `threads` threads.
///
/// Executions on one backend must be serialized by the caller (the oneDNN stream is shared); results do not depend on
/// the thread count: every reduction in the Swift ops runs in a fixed order.
public final class DNNLBackend: ComputeBackend, @unchecked Sendable {
    public let name = "onednn"
    /// The most OpenMP threads of an operation (`setThreads`; with 0, one per core).
    public var threads: Int { engine.threads }
    /// The team of the operation about to run: `threads`, or with the setting 0 the cores other processes leave idle.
    var team: Int { engine.refreshedTeam() }
    /// Recycles activation buffers between layers and forward passes.
    public let pool: BufferPool
    public var bufferPool: BufferPool? { pool }
    let engine: DNNLEngine

    /// `threads` 0 means one per idle core (`IdleCores`, re-read as it runs); the pool keeps at most `poolBytes` of
    /// idle activation buffers. Throws when the process cannot start that many threads (`ThreadCapacity`).
    public init(threads: Int = 0, poolBytes: Int = 512 << 20) throws {
        let team = Self.teamSize(threads)
        try ThreadCapacity.check(team)
        pool = BufferPool(capacityBytes: poolBytes)
        engine = try DNNLEngine(threads: team, followsIdleCores: threads <= 0)
    }

    /// Runs every later operation on `threads` threads (0: one per idle core), keeping the weights: results do not
    /// depend on the count. Serialized with executions by the caller, like them; throws as `init` does, changing nothing.
    public func setThreads(_ threads: Int) throws {
        let team = Self.teamSize(threads)
        try ThreadCapacity.check(team)
        engine.threads = team
        engine.followsIdleCores = threads <= 0
    }

    private static func teamSize(_ threads: Int) -> Int {
        max(threads > 0 ? threads : Int(omp_get_max_threads()), 1)
    }

    /// Whether oneDNN's own convolution is the faster one for stride 1 on this CPU. oneDNN 2.6 has brgemm convolutions
    /// for AVX-512 (`brgconv:avx512_core`: 170-215 GFLOP/s on the default model's shapes on a 2-core Zen 4, about 1.5x
    /// the tap products of `GemmConv2d` there) but none for AVX2, where `GemmConv2d` is the faster (docs/performance.md).
    /// Read from oneDNN's effective ISA, so `ONEDNN_MAX_CPU_ISA=AVX2` selects the AVX2 route on any machine.
    static let convolutionPrimitiveForStrideOne: Bool = {
        let avx512Core = dnnl_cpu_isa_avx512_core.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & avx512Core == avx512Core
    }()

    /// Whether oneDNN multiplies bf16 natively on this CPU (AVX-512 BF16 or AMX), the condition for bf16 convolutions.
    public static let nativeBF16: Bool = {
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & bf16 == bf16
    }()

    /// Whether oneDNN has 8-bit dot products on this CPU (AVX-512 VNNI), the condition for int8 convolutions. Without
    /// AVX-512 stride-1 convolutions take `GemmConv2d`'s f32 route, so AVX2's VNNI is not used.
    public static let nativeInt8: Bool = {
        let vnni = dnnl_cpu_isa_avx512_core_vnni.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & vnni == vnni
    }()

    public var convolutionPrecision: ConvolutionPrecision { engine.precision }

    @discardableResult
    public func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision {
        switch precision {
        case .int8 where Self.nativeInt8: engine.precision = .int8
        case .bf16 where Self.nativeBF16, .int8 where Self.nativeBF16: engine.precision = .bf16
        default: engine.precision = .f32
        }
        return engine.precision
    }

    public func makeConv2d(_ descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]?,
                           quantization: Int8Quantization?) throws -> any Conv2dOperator {
        try ShapeChecks.convWeights(descriptor, weight: weight, bias: bias)
        if descriptor.stride == 1 && !Self.convolutionPrimitiveForStrideOne {
            return GemmConv2d(backend: self, descriptor: descriptor, weight: weight, bias: bias)
        }
        return try DNNLConv2d(engine: engine, pool: pool, descriptor: descriptor, weight: weight, bias: bias,
                              quantization: quantization)
    }

    public func copy(_ x: Tensor) throws -> Tensor {
        let out = try Tensor(uninitialized: x.shape, pool: pool)
        let (src, dst) = (x.data, out.data)
        parallelFor((x.count + 65535) / 65536, threads: team) { blocks in
            let start = blocks.lowerBound * 65536
            (dst + start).update(from: src + start, count: min(blocks.upperBound * 65536, x.count) - start)
        }
        return out
    }

    /// Row-major `c = alpha * op(a) * op(b) + beta * c` through oneDNN's sgemm, bit-identical for any thread count.
    ///
    /// oneDNN's threaded sgemm splits work by the thread count, which changes rounding. Here the output is cut into
    /// blocks whose sizes depend on m and n only, and each block is one sgemm told to use one thread, so every output
    /// element is computed the same way whatever the number of threads.
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) throws {
        let rowBlock = 256
        let columnBlock = m >= 2048 ? n : min(n, 64)
        let rowBlocks = (m + rowBlock - 1) / rowBlock, columnBlocks = (n + columnBlock - 1) / columnBlock
        let failed = Atomic<Int32>(0)
        engine.useThreads()
        parallelFor(rowBlocks * columnBlocks, threads: team) { blocks in
            for block in blocks {
                let (row, column) = (block / columnBlocks * rowBlock, block % columnBlocks * columnBlock)
                let (rows, columns) = (min(rowBlock, m - row), min(columnBlock, n - column))
                let aBlock = transposeA ? a + row : a + row * lda
                let bBlock = transposeB ? b + column * ldb : b + column
                omp_set_num_threads(1)  // this thread's own setting: oneDNN sizes its partition by it
                let status = dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, dnnl_dim_t(rows), dnnl_dim_t(columns), dnnl_dim_t(k),
                                        alpha, aBlock, dnnl_dim_t(lda), bBlock, dnnl_dim_t(ldb), beta, c + row * ldc + column, dnnl_dim_t(ldc))
                if status != dnnl_success { failed.store(Int32(status.rawValue), ordering: .relaxed) }
            }
        }
        engine.useThreads()
        let status = failed.load(ordering: .relaxed)
        guard status == 0 else { throw KernelError.dnnl(call: "dnnl_sgemm", status: Int(status)) }
    }

    public func linear(_ x: Tensor, weight: [Float], bias: [Float]) throws -> Tensor {
        let (input, output) = try ShapeChecks.linear(x, weight: weight, bias: bias)
        let batch = x.shape.batch
        let out = try Tensor(uninitialized: TensorShape(batch: batch, height: 1, width: 1, channels: output), pool: pool)
        for n in 0..<batch {
            for o in 0..<output { out.data[n * output + o] = bias[o] }
        }
        try weight.withUnsafeBufferPointer { w in
            try gemm(transposeA: false, transposeB: true, m: batch, n: output, k: input, alpha: 1, a: x.data, lda: input,
                     b: nonNullBase(w), ldb: input, beta: 1, c: out.data, ldc: output)
        }
        return out
    }

    /// Each head in blocks of query rows, a block's scores, softmax and product with v done by one thread while they
    /// sit in its cache (`attentionRowBlock`): the scores take a few MiB, not a [T, T] matrix (64 MiB per head at
    /// Stable Diffusion's 4096 positions).
    public func attention(qkv: Tensor, heads: Int) throws -> Tensor {
        let (channels, d) = try ShapeChecks.attention(qkv, heads: heads)
        let s = qkv.shape
        let length = s.height * s.width
        var shape = s
        shape.channels = channels
        let out = try Tensor(uninitialized: shape, pool: pool)
        let rowBlock = Self.attentionRowBlock(length: length)
        let rowBlocks = (length + rowBlock - 1) / rowBlock
        let items = s.batch * heads * rowBlocks
        let slots = min(max(team, 1), items)
        let scores = try Tensor(uninitialized: TensorShape(batch: slots, height: rowBlock, width: 1, channels: length), pool: pool)
        let scale = 1 / Float(d).squareRoot()
        let failed = Atomic<Int32>(0)
        engine.useThreads()
        parallelChunks(items, threads: slots) { slot, range in
            let p = scores.data + slot * rowBlock * length
            omp_set_num_threads(1)  // this thread's own setting: oneDNN sizes its partition by it
            for item in range {
                let (n, h, block) = (item / (heads * rowBlocks), item / rowBlocks % heads, item % rowBlocks)
                let (row, rows) = (block * rowBlock, min(rowBlock, length - block * rowBlock))
                let q = qkv.data + (n * length + row) * 3 * channels + h * 3 * d
                let k = qkv.data + n * length * 3 * channels + h * 3 * d + d, v = k + d
                // scores [rows, T] = q [rows, d] k^T / sqrt(d); softmax by row; out[rows, h*d ..< (h+1)*d] = scores v
                var status = dnnl_sgemm(78, 84, dnnl_dim_t(rows), dnnl_dim_t(length), dnnl_dim_t(d), scale, q, dnnl_dim_t(3 * channels),
                                        k, dnnl_dim_t(3 * channels), 0, p, dnnl_dim_t(length))
                for r in 0..<rows { dc_softmax_row(p + r * length, length) }
                if status == dnnl_success {
                    status = dnnl_sgemm(78, 78, dnnl_dim_t(rows), dnnl_dim_t(d), dnnl_dim_t(length), 1, p, dnnl_dim_t(length),
                                        v, dnnl_dim_t(3 * channels), 0, out.data + (n * length + row) * channels + h * d, dnnl_dim_t(channels))
                }
                if status != dnnl_success { failed.store(Int32(status.rawValue), ordering: .relaxed) }
            }
        }
        engine.useThreads()
        let status = failed.load(ordering: .relaxed)
        guard status == 0 else { throw KernelError.dnnl(call: "dnnl_sgemm", status: Int(status)) }
        return out
    }

    /// One block of scores per thread: rows x T floats with rows at most max(16, 2^18 / T) (`attentionRowBlock`), so
    /// at most 16 T + 2^18 floats a thread.
    public var attentionScratch: AttentionScratch {
        let threads = max(engine.threads, 1), float = MemoryLayout<Float>.stride
        return AttentionScratch(fixed: threads * float << 18, perPosition: threads * float * 16)
    }

    /// Query rows per attention block: its scores fit a core's L2 (256 K floats, 1 MiB) up to 256 rows, and a head
    /// splits into at least 8 blocks where it has 128 rows or more, so that small attentions still use every thread.
    /// A function of the length alone: results do not depend on the thread count.
    static func attentionRowBlock(length: Int) -> Int {
        min(256, max(16, (1 << 18) / max(length, 1)), max(16, (length + 7) / 8))
    }
}
