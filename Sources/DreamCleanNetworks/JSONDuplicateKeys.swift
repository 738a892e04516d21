// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Finds a key that one JSON object holds twice. JSONDecoder keeps one of the two silently and other tools (Python's
/// json, safetensors) keep the other, so a model file with such a key means different weights or settings to
/// different readers: it is refused instead. Keys are compared as decoded text (`"\u0061"` is `"a"`).
enum JSONDuplicateKeys {
    /// The first repeated key, or nil. Reads the bytes once; what is not well-formed JSON is left to the decoder.
    static func first(in bytes: some Collection<UInt8>) -> String? {
        var objects: [(keys: Set<[UInt8]>, expectsKey: Bool)] = []
        var containers: [Bool] = []  // true for an object, false for an array
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let byte = bytes[i]
            i = bytes.index(after: i)
            switch byte {
            case UInt8(ascii: "{"): containers.append(true); objects.append(([], true))
            case UInt8(ascii: "["): containers.append(false)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if containers.popLast() == true { objects.removeLast() }
            case UInt8(ascii: ","): if containers.last == true { objects[objects.count - 1].expectsKey = true }
            case UInt8(ascii: "\""):
                let text = decodedString(bytes, from: &i)
                if containers.last == true, objects[objects.count - 1].expectsKey {
                    objects[objects.count - 1].expectsKey = false
                    if !objects[objects.count - 1].keys.insert(text).inserted { return String(decoding: text, as: UTF8.self) }
                }
            default: break
            }
        }
        return nil
    }

    /// The string that starts after an opening quote, decoded to UTF-8; `i` ends after the closing quote.
    private static func decodedString<C: Collection<UInt8>>(_ bytes: C, from i: inout C.Index) -> [UInt8] {
        var text: [UInt8] = []
        var pendingHigh: UInt32?
        func next() -> UInt8? {
            guard i != bytes.endIndex else { return nil }
            defer { i = bytes.index(after: i) }
            return bytes[i]
        }
        func append(_ scalar: UInt32) {
            if let s = Unicode.Scalar(scalar) { text.append(contentsOf: Array(String(Character(s)).utf8)) }
        }
        while let byte = next(), byte != UInt8(ascii: "\"") {
            guard byte == UInt8(ascii: "\\"), let escaped = next() else { text.append(byte); continue }
            switch escaped {
            case UInt8(ascii: "u"):
                var value: UInt32 = 0
                for _ in 0..<4 { value = value << 4 | UInt32(hexDigit(next() ?? 0)) }
                if (0xD800..<0xDC00).contains(value) { pendingHigh = value; continue }
                if let high = pendingHigh, (0xDC00..<0xE000).contains(value) {
                    append(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00))
                } else {
                    append(value)
                }
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            default: text.append(escaped)  // \" \\ \/
            }
            pendingHigh = nil
        }
        return text
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: 0
        }
    }
}
