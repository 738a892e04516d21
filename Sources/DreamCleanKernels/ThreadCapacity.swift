// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Glibc

/// libgomp ends the whole process ("Thread creation failed") when it cannot start a thread of a team, which a host
/// under a pids or address-space limit can meet with a modest count. So a team size is tried first with plain threads
/// that stay alive together, and a failure becomes an error the caller can report. Best effort: what the process can
/// start may still shrink later.
public enum ThreadCapacity {
    /// The most compute threads a backend accepts: more than any core count this library is tuned for, and few enough
    /// that a careless value cannot exhaust a process's threads.
    public static let maximum = 256

    /// Throws unless `count - 1` more threads (the team besides the caller) can run at once in this process.
    public static func check(_ count: Int) throws {
        guard count <= maximum else { throw KernelError.threads("\(count) compute threads exceed the maximum of \(maximum)") }
        guard count > 1 else { return }
        let gate = Lock()
        gate.lock()
        var started: [pthread_t] = []
        var failure: Int32 = 0
        let argument = Unmanaged.passUnretained(gate).toOpaque()  // alive until every thread is joined below
        for _ in 1..<count {
            var thread = pthread_t()
            // Each thread waits on the gate, so that all of them are alive at once, as a team's are.
            failure = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let gate = Unmanaged<Lock>.fromOpaque(raw).takeUnretainedValue()
                gate.lock()
                gate.unlock()
                return nil
            }, argument)
            guard failure == 0 else { break }
            started.append(thread)
        }
        gate.unlock()
        for thread in started { pthread_join(thread, nil) }
        withExtendedLifetime(gate) {}
        guard failure == 0 else {
            throw KernelError.threads("cannot start \(count) compute threads (\(started.count + 1) started: \(String(cString: strerror(failure))))")
        }
    }
}
