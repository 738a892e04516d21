// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDNNL

/// Runs `body` over `0..<count` split into at most `threads` contiguous chunks, on OpenMP's thread team (the one
/// oneDNN uses: a second pool, such as Dispatch's, would compete with OpenMP threads that spin after each primitive).
/// The split depends on `count` and `threads` only; callers keep results independent of it by computing each
/// output element in one thread, alone.
func parallelFor(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    parallelChunks(count, threads: threads) { _, range in body(range) }
}

/// `parallelFor` that also tells `body` its chunk's index, below `min(threads, count)`: each chunk runs on one thread
/// at a time, so a chunk can own a slot of scratch memory.
func parallelChunks(_ count: Int, threads: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
    let chunks = min(max(threads, 1), count)
    if chunks <= 1 {
        if count > 0 { body(0, 0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = ParallelJob(body: body, count: count, chunks: chunks)
        withUnsafeMutablePointer(to: &job) { pointer in
            GOMP_parallel({ raw in
                guard let job = raw?.assumingMemoryBound(to: ParallelJob.self).pointee else { return }
                let team = max(Int(omp_get_num_threads()), 1)
                var chunk = Int(omp_get_thread_num())
                while chunk < job.chunks {
                    job.body(chunk, job.count * chunk / job.chunks..<job.count * (chunk + 1) / job.chunks)
                    chunk += team
                }
            }, pointer, UInt32(chunks), 0)
        }
    }
}

private struct ParallelJob {
    let body: (Int, Range<Int>) -> Void
    let count: Int
    let chunks: Int
}
