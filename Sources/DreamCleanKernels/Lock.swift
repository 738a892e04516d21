// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Glibc

/// A plain mutex (Foundation's NSLock without Foundation, which the statically linked library leaves out). Unlike
/// Synchronization.Mutex it guards no value, so code that holds it may work with non-Sendable state in between.
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
