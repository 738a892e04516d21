// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion

/// One restoration parameter, declared once: its name, type, public unit, allowed values, default and what the default
/// means, help text, and where it lands in `RestoreOptions`. Everything else derives from `RestoreParameter.all`:
/// `RestoreOptions.validate`, the C table (`dc_param_info`, `dc_params_json`, options strings, the typed setters), the
/// CLI's flags and help, the vips operation's arguments and the GIMP dialog's choices (both from `dc_param_info`), and
/// the Python module's keyword checks (from `dc_params_json`). `Tests/DreamCleanTests/SchemaTests.swift` and the C, CLI
/// and Python tests check that every surface agrees with it.
///
/// Units are the public ones at every boundary: noise σ in 0-255 (`NoiseScale` converts it to the model's scale),
/// blur σ in pixels, memory in MiB.
public struct RestoreParameter: Sendable {
    public enum Kind: String, Sendable {
        case int, float, bool
        /// One of `choices` (a string at the C boundary).
        case choice = "string"
    }

    public enum Value: Equatable, Sendable, CustomStringConvertible {
        case int(Int64), float(Double), bool(Bool), choice(String)

        public var description: String {
            switch self {
            case .int(let v): "\(v)"
            case .float(let v): RestoreParameter.format(v)
            case .bool(let v): "\(v)"
            case .choice(let v): v
            }
        }
    }

    /// The options-string and C name (`noise_sigma`); the CLI's flag is `--noise-sigma`.
    public let name: String
    public let kind: Kind
    /// The public unit ("" for counts and choices).
    public let unit: String
    /// int and float: the values a caller may set (closed, except `excludesMinimum`); choice: `choices`.
    public let range: ClosedRange<Double>
    public let excludesMinimum: Bool
    public let choices: [String]
    /// The value that leaves the parameter to the library (a preset, an estimate, the context), outside `range`; nil
    /// for parameters that always hold a value.
    public let unset: Value?
    /// What `unset` means ("the preset's", "estimated").
    public let unsetMeaning: String
    /// The default for parameters that always hold one (`unset` is the default otherwise).
    let fixedDefault: Value?
    public let help: String
    /// A rule between parameters that `RestoreOptions.validate` checks at execution ("less than tile_size / 2").
    public let constraint: (text: String, holds: @Sendable (RestoreOptions) -> Bool)?
    /// Where the value lands in `RestoreOptions` (nil: unset) and where it is read back.
    let store: @Sendable (inout RestoreOptions, Value?) -> Void
    let load: @Sendable (RestoreOptions) -> Value?

    public var defaultValue: Value { unset ?? fixedDefault ?? .int(0) }

    /// The bounds `dc_param_info` reports: the range with the unset value included.
    public var reportedRange: ClosedRange<Double> {
        guard let unset, let value = unset.number else { return range }
        return min(range.lowerBound, value)...max(range.upperBound, value)
    }

    /// One line for people: what it does, its range or choices, its default.
    public var summary: String {
        let allowed: String
        switch kind {
        case .choice: allowed = choices.joined(separator: ", ")
        case .bool: allowed = "true or false"
        case .int, .float:
            let bounds = "\(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
            allowed = (excludesMinimum ? "above \(Self.format(range.lowerBound)), up to \(Self.format(range.upperBound))" : bounds)
                + (unit.isEmpty ? "" : " (\(unit))")
        }
        let fallback = unset.map { "\($0): \(unsetMeaning)" } ?? "default \(defaultValue)"
        return "\(help) [\(allowed); \(fallback)\(constraint.map { "; \($0.text)" } ?? "")]"
    }

    /// Checks a value of the C table or the CLI: the unset value, or one in the range or choices.
    public func validated(_ value: Value) throws -> Value {
        if value == unset { return value }
        switch (kind, value) {
        case (.int, .int(let v)): try check(Double(v))
        case (.float, .float(let v)): try check(v)
        case (.bool, .bool): break
        case (.choice, .choice(let v)):
            guard choices.contains(v) else { throw invalid("'\(v)'", allowed: allowedText) }
        default:
            throw invalid("a \(value.kindName) value", allowed: "\(name) is a \(kind.rawValue) parameter")
        }
        return value
    }

    /// Parses an options-string or CLI value.
    public func parse(_ text: String) throws -> Value {
        switch kind {
        case .int:
            guard let v = Int64(text) else { throw invalid("'\(text)'", allowed: "not an integer") }
            return try validated(.int(v))
        case .float:
            guard let v = Double(text) else { throw invalid("'\(text)'", allowed: "not a number") }
            return try validated(.float(v))
        case .bool:
            switch text.lowercased() {
            case "1", "true", "yes", "on": return .bool(true)
            case "0", "false", "no", "off": return .bool(false)
            default: throw invalid("'\(text)'", allowed: allowedText)
            }
        case .choice:
            return try validated(.choice(text))
        }
    }

    /// Checks what `RestoreOptions` holds (nil: unset, always allowed).
    func check(_ options: RestoreOptions) throws {
        if let value = load(options) {
            guard value != unset else { throw invalid("\(value)", allowed: allowedText) }
            _ = try validated(value)
        }
        if let constraint, !constraint.holds(options) {
            throw invalid(load(options).map { "\($0)" } ?? "unset", allowed: "not \(constraint.text)")
        }
    }

    private func check(_ v: Double) throws {
        guard v.isFinite, range.contains(v), !(excludesMinimum && v == range.lowerBound) else {
            throw invalid(Self.format(v), allowed: allowedText)
        }
    }

    private var allowedText: String {
        switch kind {
        case .choice: return "not one of \(choices.joined(separator: ", "))"
        case .bool: return "not true or false"
        case .int, .float:
            let lower = excludesMinimum ? "(\(Self.format(range.lowerBound))" : "[\(Self.format(range.lowerBound))"
            return "out of range \(lower), \(Self.format(range.upperBound))]" + (unset.map { ", or \($0): \(unsetMeaning)" } ?? "")
        }
    }

    private func invalid(_ value: String, allowed: String) -> RestoreError {
        RestoreError.invalidOption(name: name, value: value, allowed: allowed)
    }

    /// Whole numbers without a fraction (2^53 - 1 included), others as Swift prints them.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) <= 9_007_199_254_740_992 ? "\(Int64(value))" : "\(value)"
    }
}

extension RestoreParameter.Value {
    var number: Double? {
        switch self {
        case .int(let v): Double(v)
        case .float(let v): v
        case .bool, .choice: nil
        }
    }

    var kindName: String {
        switch self {
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .choice: "string"
        }
    }
}

extension RestoreParameter {
    /// A number: `range` for set values, `unset` for the library's choice.
    static func number(_ name: String, _ kind: Kind, unit: String = "", range: ClosedRange<Double>, excludesMinimum: Bool = false,
                       unset: Double? = nil, meaning: String = "", default fixed: Double? = nil, help: String,
                       constraint: (text: String, holds: @Sendable (RestoreOptions) -> Bool)? = nil,
                       store: @escaping @Sendable (inout RestoreOptions, Double?) -> Void,
                       load: @escaping @Sendable (RestoreOptions) -> Double?) -> RestoreParameter {
        @Sendable func value(_ v: Double) -> Value { kind == .int ? .int(Int64(v)) : .float(v) }
        return RestoreParameter(
            name: name, kind: kind, unit: unit, range: range, excludesMinimum: excludesMinimum, choices: [],
            unset: unset.map(value), unsetMeaning: meaning, fixedDefault: fixed.map(value), help: help, constraint: constraint,
            store: { options, v in store(&options, v?.number) }, load: { load($0).map(value) })
    }

    static func choice(_ name: String, _ choices: [String], unset: String? = nil, meaning: String = "", default fixed: String? = nil,
                       help: String, store: @escaping @Sendable (inout RestoreOptions, String?) -> Void,
                       load: @escaping @Sendable (RestoreOptions) -> String?) -> RestoreParameter {
        RestoreParameter(
            name: name, kind: .choice, unit: "", range: 0...0, excludesMinimum: false, choices: (unset.map { [$0] } ?? []) + choices,
            unset: unset.map { .choice($0) }, unsetMeaning: meaning, fixedDefault: fixed.map { .choice($0) }, help: help,
            constraint: nil,
            store: { options, v in if case .choice(let s)? = v { store(&options, s) } else { store(&options, nil) } },
            load: { load($0).map { .choice($0) } })
    }
}
