// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// The bits of JSON the library writes (the parameter schema, a plan): strings quoted and escaped, objects in order.
public enum JSONText {
    public static func quoted(_ s: String) -> String {
        var escaped = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    /// `{"key": value, ...}` from already-encoded values, in the order given.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// A number as JSON (non-finite values, which JSON lacks, as null).
    public static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
}

/// Numbers for people: a fixed count of decimals ("25.0", "0.057"); "?" for what is not finite or absurdly large
/// (any image may come in).
enum DecimalText {
    static func fixed(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "?" }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        let fraction = String(abs(scaled % scale))
        let sign = scaled < 0 ? "-" : ""
        return "\(sign)\(abs(scaled / scale))" + (digits > 0 ? "." + String(repeating: "0", count: digits - fraction.count) + fraction : "")
    }
}
