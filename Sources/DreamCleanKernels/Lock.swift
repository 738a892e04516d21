// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Glibc

/// A plain mutex (Foundation's NSLock without Foundation, which the statically linked library leaves out). Unlike
/// Synchronization.Mutex it guards no value, so code that holds it may work with non-Sendable state in between.
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// `detectsReentry`: an error-checking mutex, so that `lockUnlessHeld` can tell a thread that already holds it
    /// (a host's callback calling back in) from one that must wait.
    public init(detectsReentry: Bool = false) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        if detectsReentry { pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK)) }
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for the lock and returns true, or returns false at once when the calling thread holds it already
    /// (only for a lock made with `detectsReentry`; a plain one would deadlock there).
    public func lockUnlessHeld() -> Bool { pthread_mutex_lock(mutex) != EDEADLK }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
