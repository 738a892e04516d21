// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Dispatch

/// Runs `body` over `0..<count` split into at most `threads` contiguous chunks. The split depends on `count` and
/// `threads` only; callers keep results independent of it (each index's result is computed by one thread, alone).
func parallelFor(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(max(threads, 1), count)
    if chunks <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    // The chunks write disjoint outputs through raw pointers, which Swift cannot prove; the box says so once, here.
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            task.value(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
