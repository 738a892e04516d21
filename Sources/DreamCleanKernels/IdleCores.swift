// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Glibc

/// How many of this process's cores other processes leave idle now: the automatic team size. OpenMP threads spin
/// at every barrier; a team as large as the machine, sharing it with one busy process, waits at each barrier for a
/// thread the scheduler has parked (a 512x512 blind restore: 4.0 s idle, 11.4 s beside one busy process). A team
/// that fits in the idle cores keeps its pace (one thread there: 5.5 s; docs/performance.md).
///
/// Linux's instantaneous count of runnable threads (`/proc/loadavg`'s fourth field) less this process's own runnable
/// ones (`/proc/self/task/*/stat`, state R): a thread of the host that calls us, or a second context of its own,
/// counts as this process's, since a host that runs several restores at once sizes them itself (`num_threads`).
enum IdleCores {
    /// `cores` less the threads other processes keep runnable, at least 1; `cores` itself where Linux's counts are
    /// not readable or not about these cores (the process may run on fewer cores than the machine has online, and the
    /// system-wide count then says nothing about them).
    static func count(of cores: Int) -> Int {
        guard cores > 1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) == cores,
              let runnable = runnableThreads(), let own = ownRunnableThreads() else { return max(cores, 1) }
        return min(max(cores - max(runnable - own, 0), 1), cores)
    }

    /// The threads runnable on the whole machine now (`/proc/loadavg`: "0.50 0.40 0.30 3/512 12345").
    static func runnableThreads() -> Int? {
        guard let text = readSmallFile("/proc/loadavg") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 4, let slash = fields[3].firstIndex(of: "/") else { return nil }
        return Int(fields[3][..<slash])
    }

    /// This process's runnable threads (a thread's state follows the ")" that ends its name in its `stat`).
    static func ownRunnableThreads() -> Int? {
        guard let directory = opendir("/proc/self/task") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.first?.isNumber == true, let stat = readSmallFile("/proc/self/task/\(name)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
            if state == "R" { count += 1 }
        }
        return count
    }

    /// A /proc file's first 4 KiB (what these files hold), or nil.
    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }
}
