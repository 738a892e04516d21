// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness: any bytes as a model's config.json (decoding and validation).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DreamCleanNetworks
import FuzzSupport
import Glibc

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes else { return 0 }
    _ = try? ModelConfig.decode(Data(bytes: bytes, count: count), path: "fuzz/config.json")
    return 0
})
