// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import DreamCleanDiffusion

/// One filter parameter, described once: the C setters and getters, the options string, the introspection struct and
/// JSON, and through them the vips operation, the GIMP dialog, the Python module and the CLI all read this table.
struct Parameter: Sendable {
    enum Kind: Int32, Sendable {
        case int = 1, float = 2, bool = 3, string = 4
    }

    let name: StaticString
    let kind: Kind
    let description: StaticString
    let minimum: Double
    let maximum: Double
    let defaultValue: Double
    let defaultString: StaticString
    let choices: StaticString

    var nameString: String { "\(name)" }

    static let all: [Parameter] = [
        .init(name: "task", kind: .string, description: "What is wrong with the image", minimum: 0, maximum: 0, defaultValue: 0,
              defaultString: "blind", choices: "blind,denoise,jpeg,sr,deblur,inpaint,colorize"),
        .init(name: "preset", kind: .string, description: "Speed/quality trade-off (sets steps, strength, gamma, vps_iters; quality also averages over mirror images, 4x the time)",
              minimum: 0, maximum: 0, defaultValue: 0, defaultString: "balanced", choices: "fast,balanced,quality"),
        .init(name: "start", kind: .string, description: "How the sampler reaches its depth: DDIM inversion, or the image taken as noisy",
              minimum: 0, maximum: 0, defaultValue: 0, defaultString: "preset", choices: "preset,inversion,noisy"),
        .init(name: "strength", kind: .float, description: "Depth; 0: the preset's, from the image's noise level for blind, denoise and jpeg",
              minimum: 0, maximum: 1, defaultValue: 0, defaultString: "", choices: ""),
        .init(name: "gamma", kind: .float, description: "VPS step; -1: the preset's", minimum: -1, maximum: 0.999, defaultValue: -1,
              defaultString: "", choices: ""),
        .init(name: "steps", kind: .int, description: "DDIM steps each way; 0: the preset's", minimum: 0, maximum: 1000, defaultValue: 0,
              defaultString: "", choices: ""),
        .init(name: "vps_iters", kind: .int, description: "VPS corrections per step; -1: the preset's", minimum: -1, maximum: 10,
              defaultValue: -1, defaultString: "", choices: ""),
        .init(name: "seed", kind: .int, description: "Random seed; -1: a new one each run", minimum: -1, maximum: 9_007_199_254_740_991,
              defaultValue: -1, defaultString: "", choices: ""),
        .init(name: "scale", kind: .int, description: "sr: upscaling factor (the output is this many times larger)", minimum: 1, maximum: 16,
              defaultValue: 2, defaultString: "", choices: ""),
        .init(name: "noise_sigma", kind: .float, description: "denoise, deblur: noise standard deviation in 0-255 units; -1: estimated (deblur: at least 3)",
              minimum: -1, maximum: 255, defaultValue: -1, defaultString: "", choices: ""),
        .init(name: "blur_sigma", kind: .float, description: "deblur: Gaussian blur standard deviation in pixels", minimum: 0.1, maximum: 16,
              defaultValue: 1.6, defaultString: "", choices: ""),
        .init(name: "tile_size", kind: .int, description: "Largest network tile side in pixels (bounds memory)", minimum: 32, maximum: 4096,
              defaultValue: 512, defaultString: "", choices: ""),
        .init(name: "tile_overlap", kind: .int, description: "Pixels shared by neighbouring tiles", minimum: 0, maximum: 2047,
              defaultValue: 64, defaultString: "", choices: ""),
        .init(name: "max_memory_mb", kind: .int,
              description: "Memory one execution may hold besides its images, in MiB (16 or more; larger images go in bands); 0: the context's (default 2048)",
              minimum: 0, maximum: 1_073_741_824, defaultValue: 0, defaultString: "", choices: ""),
        .init(name: "process_alpha", kind: .bool, description: "Restore the alpha channel too instead of passing it through",
              minimum: 0, maximum: 1, defaultValue: 0, defaultString: "", choices: ""),
    ]

    static func named(_ name: String) throws -> Parameter {
        guard let parameter = all.first(where: { $0.nameString == name }) else {
            throw APIError(.invalidArgument, "unknown parameter '\(name)' (known: \(all.map(\.nameString).joined(separator: ", ")))")
        }
        return parameter
    }

    /// Checks a value against the range or the choices.
    func validated(_ value: ParameterValue) throws -> ParameterValue {
        switch (kind, value) {
        case let (.int, .int(v)):
            guard Double(v) >= minimum, Double(v) <= maximum else { throw outOfRange("\(v)") }
        case let (.float, .float(v)):
            guard v.isFinite, v >= minimum, v <= maximum else { throw outOfRange("\(v)") }
        case (.bool, .bool):
            break
        case let (.string, .string(v)):
            guard "\(choices)".split(separator: ",").contains(Substring(v)) else {
                throw APIError(.invalidArgument, "\(name) = '\(v)' is not one of \(choices)")
            }
        default:
            throw APIError(.invalidArgument, "\(name) is a \(kindName) parameter")
        }
        return value
    }

    /// Parses the text of an options string.
    func parse(_ text: String) throws -> ParameterValue {
        switch kind {
        case .int:
            guard let v = Int64(text) else { throw APIError(.invalidArgument, "\(name) = '\(text)' is not an integer") }
            return try validated(.int(v))
        case .float:
            guard let v = Double(text) else { throw APIError(.invalidArgument, "\(name) = '\(text)' is not a number") }
            return try validated(.float(v))
        case .bool:
            switch text.lowercased() {
            case "1", "true", "yes", "on": return .bool(true)
            case "0", "false", "no", "off": return .bool(false)
            default: throw APIError(.invalidArgument, "\(name) = '\(text)' is not true or false")
            }
        case .string:
            return try validated(.string(text))
        }
    }

    var defaultParameterValue: ParameterValue {
        switch kind {
        case .int: .int(Int64(defaultValue))
        case .float: .float(defaultValue)
        case .bool: .bool(defaultValue != 0)
        case .string: .string("\(defaultString)")
        }
    }

    var kindName: String {
        switch kind {
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .string: "string"
        }
    }

    private func outOfRange(_ value: String) -> APIError {
        APIError(.invalidArgument, "\(name) = \(value) is out of range [\(minimum), \(maximum)]")
    }

    /// The whole table as JSON.
    static var json: String {
        func quoted(_ s: String) -> String {
            var escaped = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case _ where scalar.value < 0x20: escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped + "\""
        }
        let items = all.map { p in
            var fields = ["\"name\": \(quoted(p.nameString))", "\"type\": \(quoted(p.kindName))",
                          "\"description\": \(quoted("\(p.description)"))"]
            switch p.kind {
            case .string:
                fields.append("\"default\": \(quoted("\(p.defaultString)"))")
                fields.append("\"choices\": [\("\(p.choices)".split(separator: ",").map { quoted(String($0)) }.joined(separator: ", "))]")
            case .bool:
                fields.append("\"default\": \(p.defaultValue != 0)")
            case .int:
                fields += ["\"default\": \(Int64(p.defaultValue))", "\"minimum\": \(Int64(p.minimum))", "\"maximum\": \(Int64(p.maximum))"]
            case .float:
                fields += ["\"default\": \(p.defaultValue)", "\"minimum\": \(p.minimum)", "\"maximum\": \(p.maximum)"]
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }
}

enum ParameterValue: Equatable, Sendable {
    case int(Int64), float(Double), bool(Bool), string(String)
}

/// A filter's settings, by name, always valid.
struct ParameterSet {
    private(set) var values: [String: ParameterValue] = Dictionary(uniqueKeysWithValues: Parameter.all.map { ($0.nameString, $0.defaultParameterValue) })

    mutating func set(_ name: String, _ value: ParameterValue) throws {
        values[name] = try Parameter.named(name).validated(value)
    }

    func get(_ name: String) throws -> ParameterValue {
        _ = try Parameter.named(name)
        return values[name] ?? .int(0)
    }

    /// Applies "name=value:name=value", all or nothing.
    mutating func apply(options: String) throws {
        var copy = self
        for item in options.split(separator: ":", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw APIError(.invalidArgument, "malformed option '\(item)' (expected name=value)")
            }
            let name = trimmed(parts[0])
            copy.values[name] = try Parameter.named(name).parse(trimmed(parts[1]))
        }
        self = copy
    }

    private func trimmed(_ s: Substring) -> String {
        String(s.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    /// The Restorer's options for these settings.
    var restoreOptions: RestoreOptions {
        func int(_ name: String) -> Int64 { if case let .int(v)? = values[name] { return v } else { return 0 } }
        func float(_ name: String) -> Double { if case let .float(v)? = values[name] { return v } else { return 0 } }
        func string(_ name: String) -> String { if case let .string(v)? = values[name] { return v } else { return "" } }
        var options = RestoreOptions(task: RestoreTask(rawValue: string("task")) ?? .blind,
                                     preset: RestorePreset(rawValue: string("preset")) ?? .balanced)
        options.start = DreamCleanSampler.Start(rawValue: string("start"))
        options.strength = float("strength") > 0 ? float("strength") : nil
        options.gamma = float("gamma") >= 0 ? float("gamma") : nil
        options.steps = int("steps") > 0 ? Int(int("steps")) : nil
        options.vpsIterations = int("vps_iters") >= 0 ? Int(int("vps_iters")) : nil
        options.seed = int("seed") >= 0 ? UInt64(int("seed")) : nil
        options.scale = Int(int("scale"))
        options.noiseSigma = float("noise_sigma") >= 0 ? float("noise_sigma") / 255 : nil
        options.blurSigma = float("blur_sigma")
        options.tileSize = Int(int("tile_size"))
        options.tileOverlap = Int(int("tile_overlap"))
        if case let .bool(v)? = values["process_alpha"] { options.processAlpha = v }
        return options
    }

    /// max_memory_mb when set (0 leaves the context's).
    var memoryLimitMB: Int? {
        if case let .int(v)? = values["max_memory_mb"], v > 0 { return Int(v) }
        return nil
    }
}
