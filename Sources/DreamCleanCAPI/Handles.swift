// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import DreamCleanDiffusion
import DreamCleanKernels

/// What a dc_context handle points to.
final class ContextObject: @unchecked Sendable {
    let modelFolder: String
    let restorer: Restorer
    private let lock = Lock()
    private var threadsStorage = 0
    private var memoryLimitStorage = RestoreOptions.defaultMemoryLimitMB
    /// The settings "bf16" and "int8" as set (bf16 on, int8 off by default), and the precision they gave.
    private var wantsBF16 = true, wantsInt8 = false
    private var precisionStorage = ConvolutionPrecision.f32

    init(modelFolder: String) throws {
        self.modelFolder = modelFolder
        restorer = try Restorer(modelFolder: modelFolder, threads: 0)
        precisionStorage = try restorer.convolutionPrecision
    }

    var threads: Int { lock.withLock { threadsStorage } }
    /// What convolutions compute in: bf16 by default where the CPU has it; int8 when switched on where the model and CPU
    /// have it.
    var precision: ConvolutionPrecision { lock.withLock { precisionStorage } }
    /// max_memory_mb: what each execution may hold besides its images.
    var memoryLimitMB: Int {
        get { lock.withLock { memoryLimitStorage } }
        set { lock.withLock { memoryLimitStorage = newValue } }
    }

    /// Runs later executions on `threads` compute threads, with the weights loaded at creation (the folder is not
    /// read again); waits for an execution in progress.
    func setThreads(_ threads: Int) throws {
        try restorer.setThreads(threads)
        lock.withLock { threadsStorage = threads }
    }

    /// Computes later executions' convolutions in int8 while "int8" is on (where the model and CPU have it, else as
    /// without it), else in bf16 while "bf16" is on (where the CPU has it), else in f32; waits for an execution in progress.
    func setPrecision(bf16: Bool? = nil, int8: Bool? = nil) throws {
        let (wantsBF16, wantsInt8) = lock.withLock { (bf16 ?? self.wantsBF16, int8 ?? self.wantsInt8) }
        let precision = try restorer.setConvolutionPrecision(wantsInt8 ? .int8 : wantsBF16 ? .bf16 : .f32)
        lock.withLock { (self.wantsBF16, self.wantsInt8, precisionStorage) = (wantsBF16, wantsInt8, precision) }
    }
}

/// An image slot of a filter.
struct ImageSlot {
    let base: UnsafeMutableRawPointer
    let format: PixelFormat
    let width: Int, height: Int, channels: Int, pixelStride: Int, rowStride: Int

    func buffer() throws -> ImageBuffer {
        try ImageBuffer(base: base, width: width, height: height, channels: channels, format: format,
                        pixelStride: pixelStride, rowStride: rowStride)
    }
}

/// What a dc_filter handle points to.
final class FilterObject: @unchecked Sendable {
    let context: ContextObject
    var parameters = RestoreParameterValues()
    var input: ImageSlot?
    var output: ImageSlot?
    var mask: ImageSlot?
    /// The kernels `dc_filter_set_kernel` copied in (RestoreOptions.blurKernel and srTaps).
    var blurKernel: [Float]?
    var srTaps: [Float]?
    var progress: (function: @convention(c) (UnsafeMutableRawPointer?, Double) -> Bool, user: UnsafeMutableRawPointer?)?
    let cancellation = CancellationToken()
    /// Set while an execution runs: a second one (from its own progress callback, or another thread) is refused.
    private let executing = Lock()
    private var busy = false

    init(context: ContextObject) { self.context = context }

    /// The options the parameters, the kernels and the mask image give (the memory limit left nil: the context's
    /// applies).
    func restoreOptions() throws -> RestoreOptions {
        var options = parameters.restoreOptions
        options.blurKernel = blurKernel
        options.srTaps = srTaps
        if let mask {
            guard let input, mask.width == input.width, mask.height == input.height else {
                throw APIError(.invalidArgument, "mask is \(mask.width)x\(mask.height), the input \(input?.width ?? 0)x\(input?.height ?? 0)")
            }
            let buffer = try mask.buffer()
            options.mask = (0..<mask.height).flatMap { y in (0..<mask.width).map { x in buffer.sample(x, y, 0) > 0 ? 0 : 1 } }
        }
        return options
    }

    /// Runs `body` as this filter's one execution, or throws when one is running.
    func executingOnce(_ body: () throws -> Void) throws {
        let started = executing.withLock { () -> Bool in
            guard !busy else { return false }
            busy = true
            return true
        }
        guard started else { throw APIError(.invalidOperation, "the filter is executing already (from a progress callback or another thread)") }
        defer { executing.withLock { busy = false } }
        try body()
    }
}

/// The live handles. A handle is a number issued once (never an address, which the allocator reuses), looked up in
/// this table before use, so that NULL, a released handle, a handle of the other kind or a stale handle kept after
/// its release is an error and not a crash, nor an action on a newer object. The object's reference is taken under
/// the table's lock, so a release on another thread cannot free it while a call still uses it.
enum Handles {
    enum Kind { case context, filter }

    // A pthread mutex (our Lock) rather than Synchronization.Mutex, whose futex ThreadSanitizer cannot see.
    private static let lock = Lock()
    nonisolated(unsafe) private static var live: [UInt: (kind: Kind, object: AnyObject)] = [:]  // guarded by lock
    /// The last handle issued. Handles step by 16 from 0x1000, so a small integer or a pointer into a host's
    /// memory is unlikely to name a live one; 2^60 handles before it would wrap.
    nonisolated(unsafe) private static var lastIssued: UInt = 0x1000  // guarded by lock

    static func register(_ object: AnyObject, _ kind: Kind) throws -> OpaquePointer {
        let key = lock.withLock { () -> UInt in
            lastIssued &+= 16
            live[lastIssued] = (kind, object)
            return lastIssued
        }
        guard let handle = OpaquePointer(bitPattern: key) else {  // only after 2^60 registrations
            lock.withLock { live[key] = nil }
            throw APIError(.outOfMemory, "no handles left")
        }
        return handle
    }

    static func context(_ handle: OpaquePointer?) throws -> ContextObject {
        try resolve(handle, .context, as: ContextObject.self)
    }

    static func filter(_ handle: OpaquePointer?) throws -> FilterObject {
        try resolve(handle, .filter, as: FilterObject.self)
    }

    private static func resolve<T: AnyObject>(_ handle: OpaquePointer?, _ kind: Kind, as type: T.Type) throws -> T {
        guard let handle else { throw APIError(.invalidArgument, "\(kind) handle is NULL") }
        let key = UInt(bitPattern: handle)
        let found = lock.withLock { live[key] }  // the strong reference is taken here, under the lock
        guard let found, found.kind == kind, let object = found.object as? T else {
            throw APIError(.invalidArgument, found == nil ? "\(kind) handle is not live (released or never created)" : "handle is not a \(kind)")
        }
        return object
    }

    /// Unregisters the handle; the object goes when the last call still using it returns. False when not live.
    @discardableResult
    static func release(_ handle: OpaquePointer?, _ kind: Kind) -> Bool {
        guard let handle else { return false }
        let key = UInt(bitPattern: handle)
        let removed: AnyObject? = lock.withLock {
            guard let found = live[key], found.kind == kind else { return nil }
            live[key] = nil
            return found.object
        }
        return removed != nil  // its last reference may go here, outside the lock (a deinit may take other locks)
    }
}
