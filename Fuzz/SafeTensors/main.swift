// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness: any bytes as a safetensors file; every tensor it accepts is converted to floats.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DreamCleanNetworks
import FuzzSupport
import Glibc

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes, let file = try? SafeTensorsFile(path: "fuzz", data: Data(bytes: bytes, count: count)) else { return 0 }
    for key in file.entries.keys { _ = try? file.floats(key) }
    return 0
})
