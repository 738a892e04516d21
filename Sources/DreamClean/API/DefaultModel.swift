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

    /// The folder, or nil with the places that were searched. A `$DREAMCLEAN_MODEL` that names no model folder is
    /// the answer's only candidate: a user who set it expects that model or an error, never another model.
    public static func folder(relativeTo binary: String? = nil) -> (folder: String?, searched: [String]) {
        if let fromEnvironment = ProcessInfo.processInfo.environment[environmentVariable], !fromEnvironment.isEmpty {
            let found = hasConfig(fromEnvironment)
            return (found ? fromEnvironment : nil, ["$\(environmentVariable)=\(fromEnvironment)\(found ? "" : " (no config.json there)")"])
        }
        var candidates: [String] = []
        let binaryPath = binary ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: binaryPath).deletingLastPathComponent()
        candidates.append(directory.appendingPathComponent("../share/dreamclean/models/default").standardized.path)
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Models/default").path)
            directory = directory.deletingLastPathComponent()
        }
        return (candidates.first(where: hasConfig), candidates)
    }

    private static func hasConfig(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent("config.json").path)
    }
}
