// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import Glibc

/// The schema (`RestoreParameter.all`) as the C API shows it: `dc_param_info`'s strings made once as C strings that
/// live for the process, and `dc_params_json`. Nothing about a parameter is declared here.
enum ParameterTable {
    /// A parameter's strings for `dc_param_desc`.
    struct CStrings {
        let name: UnsafePointer<CChar>
        let description: UnsafePointer<CChar>
        let defaultString: UnsafePointer<CChar>
        let choices: UnsafePointer<CChar>
    }

    /// Never written after it is made; the pointers are handed to hosts, which may keep them.
    nonisolated(unsafe) static let strings: [CStrings] = RestoreParameter.all.map { p in
        let defaultString = if case .choice(let s) = p.defaultValue { s } else { "" }
        return CStrings(name: copy(p.name), description: copy(p.summary), defaultString: copy(defaultString),
                        choices: copy(p.choices.joined(separator: ",")))
    }

    /// The C type code (`dc_param_type`).
    static func typeCode(_ kind: RestoreParameter.Kind) -> Int32 {
        switch kind {
        case .int: 1
        case .float: 2
        case .bool: 3
        case .choice: 4
        }
    }

    /// `default_value`: the number, 1 or 0 for a bool, 0 for a choice (whose default is `default_string`).
    static func defaultNumber(_ p: RestoreParameter) -> Double {
        switch p.defaultValue {
        case .int(let v): Double(v)
        case .float(let v): v
        case .bool(let v): v ? 1 : 0
        case .choice: 0
        }
    }

    /// The whole schema as JSON: name, type, help, unit, default, range (minimum and maximum, the unset value included),
    /// the unset value and its meaning, a constraint, choices.
    static let json: String = {
        let items = RestoreParameter.all.map { p in
            var fields = ["\"name\": \(quoted(p.name))", "\"type\": \(quoted(p.kind.rawValue))", "\"description\": \(quoted(p.summary))",
                          "\"help\": \(quoted(p.help))", "\"unit\": \(quoted(p.unit))", "\"default\": \(literal(p.defaultValue))"]
            switch p.kind {
            case .choice:
                fields.append("\"choices\": [\(p.choices.map(quoted).joined(separator: ", "))]")
            case .bool:
                break
            case .int, .float:
                let range = p.reportedRange
                fields += ["\"minimum\": \(literal(number(range.lowerBound, p.kind)))", "\"maximum\": \(literal(number(range.upperBound, p.kind)))",
                           "\"exclusive_minimum\": \(p.excludesMinimum)"]
            }
            if let unset = p.unset { fields += ["\"unset\": \(literal(unset))", "\"unset_meaning\": \(quoted(p.unsetMeaning))"] }
            if let constraint = p.constraint { fields.append("\"constraint\": \(quoted(constraint.text))") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }()

    private static func number(_ value: Double, _ kind: RestoreParameter.Kind) -> RestoreParameter.Value {
        kind == .int ? .int(Int64(value)) : .float(value)
    }

    private static func literal(_ value: RestoreParameter.Value) -> String {
        switch value {
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .choice(let v): quoted(v)
        }
    }

    private static func quoted(_ s: String) -> String { JSONText.quoted(s) }

    /// A C string copy that is never freed (the table's strings live as long as the library); "" if memory ran out.
    private static func copy(_ s: String) -> UnsafePointer<CChar> {
        s.withCString { strdup($0) }.map { UnsafePointer($0) } ?? UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static let empty: StaticString = ""
}
