// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Synchronization

/// A flag any thread may set to stop a restoration; the restorer polls it before every network evaluation (and every
/// tile of one), so it takes effect within one evaluation.
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    /// Clears the flag so the token can serve the next run.
    public func reset() { flag.store(false, ordering: .relaxed) }
}
