// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import DreamCleanDiffusion
import DreamCleanKernels

/// What a dc_context handle points to.
final class ContextObject: @unchecked Sendable {
    let modelFolder: String
    private let lock = Lock()
    private var restorerStorage: Restorer
    private var threadsStorage: Int
    private var memoryLimitStorage = RestoreOptions.defaultMemoryLimitMB

    init(modelFolder: String) throws {
        self.modelFolder = modelFolder
        threadsStorage = 0
        restorerStorage = try Restorer(modelFolder: modelFolder, threads: 0)
    }

    var restorer: Restorer { lock.withLock { restorerStorage } }
    var threads: Int { lock.withLock { threadsStorage } }
    /// max_memory_mb: what each execution may hold besides its images.
    var memoryLimitMB: Int {
        get { lock.withLock { memoryLimitStorage } }
        set { lock.withLock { memoryLimitStorage = newValue } }
    }

    /// Reloads the model on `threads` compute threads (the backend's thread count is fixed at creation).
    func setThreads(_ threads: Int) throws {
        let restorer = try Restorer(modelFolder: modelFolder, threads: threads)
        lock.withLock {
            restorerStorage = restorer
            threadsStorage = threads
        }
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
    var parameters = ParameterSet()
    var input: ImageSlot?
    var output: ImageSlot?
    var mask: ImageSlot?
    var progress: (function: @convention(c) (UnsafeMutableRawPointer?, Double) -> Bool, user: UnsafeMutableRawPointer?)?
    let cancellation = CancellationToken()

    init(context: ContextObject) { self.context = context }
}

/// The live handles. A handle is checked against this table before use, so that NULL, a released handle or a handle
/// of the other kind is an error and not a crash (a released address reused by a new object of the same kind is the
/// one case it cannot tell apart).
enum Handles {
    enum Kind { case context, filter }

    // A pthread mutex (our Lock) rather than Synchronization.Mutex, whose futex ThreadSanitizer cannot see.
    private static let lock = Lock()
    nonisolated(unsafe) private static var live: [UInt: Kind] = [:]  // guarded by lock

    static func register(_ object: AnyObject, _ kind: Kind) -> OpaquePointer {
        let pointer = Unmanaged.passRetained(object).toOpaque()
        lock.withLock { live[UInt(bitPattern: pointer)] = kind }
        return OpaquePointer(pointer)
    }

    static func context(_ handle: OpaquePointer?) throws -> ContextObject {
        try resolve(handle, .context, as: ContextObject.self)
    }

    static func filter(_ handle: OpaquePointer?) throws -> FilterObject {
        try resolve(handle, .filter, as: FilterObject.self)
    }

    private static func resolve<T: AnyObject>(_ handle: OpaquePointer?, _ kind: Kind, as type: T.Type) throws -> T {
        guard let handle else { throw APIError(.invalidArgument, "\(kind) handle is NULL") }
        let key = UInt(bitPattern: UnsafeRawPointer(handle))
        let found = lock.withLock { live[key] }
        guard found == kind else {
            throw APIError(.invalidArgument, found == nil ? "\(kind) handle is not live (released or never created)" : "handle is not a \(kind)")
        }
        return Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }

    /// Unregisters and releases; false when the handle was not live.
    @discardableResult
    static func release(_ handle: OpaquePointer?, _ kind: Kind) -> Bool {
        guard let handle else { return false }
        let key = UInt(bitPattern: UnsafeRawPointer(handle))
        let removed = lock.withLock { () -> Bool in
            guard live[key] == kind else { return false }
            live[key] = nil
            return true
        }
        if removed { Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).release() }
        return removed
    }
}
