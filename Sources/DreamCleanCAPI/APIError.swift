// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanNetworks
import Glibc

/// dc_status values (Include/dreamclean.h).
enum Status: Int32 {
    case ok = 0, unknown, invalidArgument, invalidOperation, outOfMemory, unsupported, cancelled, io, model

    var name: StaticString {
        switch self {
        case .ok: "DC_OK"
        case .unknown: "DC_ERROR_UNKNOWN"
        case .invalidArgument: "DC_ERROR_INVALID_ARGUMENT"
        case .invalidOperation: "DC_ERROR_INVALID_OPERATION"
        case .outOfMemory: "DC_ERROR_OUT_OF_MEMORY"
        case .unsupported: "DC_ERROR_UNSUPPORTED"
        case .cancelled: "DC_ERROR_CANCELLED"
        case .io: "DC_ERROR_IO"
        case .model: "DC_ERROR_MODEL"
        }
    }
}

/// An error of the C layer itself, with its status.
struct APIError: Error {
    let status: Status
    let message: String
    init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// Maps any error of the layers below to a status and a message.
func classify(_ error: any Error) -> (Status, String) {
    switch error {
    case let error as APIError: return (error.status, error.message)
    case let error as RestoreError:
        switch error {
        case .invalidImage, .invalidOption, .unknownParameter, .malformedOptions: return (.invalidArgument, error.description)
        case .unsupported: return (.unsupported, error.description)
        case .cancelled: return (.cancelled, error.description)
        case .outOfMemory: return (.outOfMemory, error.description)
        case .busy: return (.invalidOperation, error.description)
        case .brokenModel: return (.model, error.description)
        }
    case let error as ModelError:
        if case .unreadable = error { return (.io, error.description) }
        return (.model, error.description)
    case let error as KernelError:
        switch error {
        case .outOfMemory, .threads: return (.outOfMemory, error.description)
        default: return (.unknown, error.description)
        }
    case let error as DiffusionError:
        switch error {
        case .cancelled: return (.cancelled, error.description)
        case .outOfMemory: return (.outOfMemory, error.description)
        default: return (.invalidArgument, error.description)
        }
    default: return (.unknown, "\(error)")
    }
}

/// The calling thread's last error message (pthread-specific storage, freed with the thread).
enum LastError {
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { free($0) }) == 0 else { return nil }
        return key
    }()

    static func set(_ message: String) {
        guard let key else { return }
        free(pthread_getspecific(key))
        pthread_setspecific(key, strdup(message))
    }

    static func clear() { set("") }

    static var message: UnsafePointer<CChar>? {
        guard let key, let value = pthread_getspecific(key) else { return nil }
        return UnsafePointer(value.assumingMemoryBound(to: CChar.self))
    }
}

/// The one wrapper every entry point goes through: clears the thread's message, runs `body`, and turns any thrown
/// error into its status and message. Nothing below it may trap on caller input; this is where it is guaranteed
/// that no Swift error escapes into C.
func guarded(_ body: () throws -> Void) -> Int32 {
    LastError.clear()
    do {
        try body()
        return Status.ok.rawValue
    } catch {
        let (status, message) = classify(error)
        LastError.set(message)
        return status.rawValue
    }
}

/// A C string argument as a Swift String; throws for NULL or invalid UTF-8.
func string(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let pointer else { throw APIError(.invalidArgument, "\(what) is NULL") }
    guard let value = String(validatingCString: pointer) else { throw APIError(.invalidArgument, "\(what) is not UTF-8") }
    return value
}

/// Copies `value` with a terminating NUL into a caller's buffer; *needed gets the size required.
func copyOut(_ value: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) throws {
    let bytes = Array(value.utf8CString)
    needed?.pointee = bytes.count
    guard let buffer else {
        if needed == nil { throw APIError(.invalidArgument, "buffer and needed are both NULL") }
        return
    }
    guard capacity >= bytes.count else {
        throw APIError(.invalidArgument, "buffer of \(capacity) bytes is too small, \(bytes.count) needed")
    }
    bytes.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { buffer.update(from: base, count: bytes.count) }
    }
}
