// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a file, memory-mapped read-only (or an owned copy of in-memory data, for tests and fuzzing).
/// A mapped range that has been consumed can be handed back to the kernel, so that loading a model does not keep the
/// whole file resident next to the converted weights.
final class FileBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let mapped: Bool

    /// Maps a regular file of at most `maximumBytes`. Opened non-blocking: opening a FIFO or a device for reading can
    /// wait forever for a writer, and such a file is refused before anything is read from it.
    init(mapping path: String, maximumBytes: Int = Int.max) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ModelError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ModelError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ModelError.unreadable(path: path, reason: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw ModelError.truncated(path: path, detail: "empty file") }
        guard size <= maximumBytes else { throw ModelError.unreadable(path: path, reason: "\(size) bytes, more than the \(maximumBytes) allowed") }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { throw ModelError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        mapped = true
    }

    init(copying data: Data) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        data.withUnsafeBytes { source in
            if let base = source.baseAddress, let target = buffer.baseAddress { target.copyMemory(from: base, byteCount: source.count) }
        }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<data.count])
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate()
        }
    }

    /// Lets the kernel drop the resident pages wholly inside `range` (they are read again from the file if touched).
    func release(_ range: Range<Int>) {
        guard mapped, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page, end = range.upperBound / page * page
        guard start < end else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
    }
}
