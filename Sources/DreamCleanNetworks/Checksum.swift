// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import COpenSSL

/// SHA-256 through OpenSSL's libcrypto (hardware-accelerated: about 1 GB/s here, so checking a model costs little next
/// to converting its weights).
enum Checksum {
    /// The lowercase hex digest of `bytes`, or nil if libcrypto fails.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil) == 1 else { return nil }
        return digest.prefix(Int(length)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
