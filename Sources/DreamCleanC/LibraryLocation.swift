// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation

/// The path of the loaded libdreamclean.so, to find the default model installed beside it
/// (PREFIX/lib/libdreamclean.so.0 -> PREFIX/share/dreamclean/models/default): the mapping in /proc/self/maps that
/// holds one of the library's own functions (Swift's Glibc module does not expose dladdr).
enum LibraryLocation {
    static var path: String? {
        let address = UInt(bitPattern: unsafeBitCast(dc_abi_version as @convention(c) () -> Int32, to: UnsafeRawPointer.self))
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16),
                  let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  (start..<end).contains(address) else { continue }
            return fields[5...].joined(separator: " ")
        }
        return nil
    }
}
