// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif

/// Where the default model lives: `$DREAMCLEAN_MODEL`, else `share/dreamclean/models/default` beside the installed
/// binary (`make install`), else `Models/default` of a source checkout that the binary was built in.
public enum DefaultModel {
    public static let environmentVariable = "DREAMCLEAN_MODEL"

    /// The folder, or nil with the places that were searched.
    public static func folder(relativeTo binary: String? = nil) -> (folder: String?, searched: [String]) {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment[environmentVariable], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        let binaryPath = binary ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: binaryPath).deletingLastPathComponent()
        candidates.append(directory.appendingPathComponent("../share/dreamclean/models/default").standardized.path)
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Models/default").path)
            directory = directory.deletingLastPathComponent()
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: URL(fileURLWithPath: $0).appendingPathComponent("config.json").path) }
        return (found, candidates)
    }
}
