// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Writes `dc_param_desc` (Include/dreamclean.h) field by field, honouring the caller's struct_size so that a host
/// compiled against an older, shorter struct is never written past its end.
enum ParameterDescription {
    /// Offsets of the C struct on LP64: size_t, 2 pointers, enum (padded to 8), pointer, 3 doubles, 2 pointers.
    static let fields: [(offset: Int, size: Int)] = [(0, 8), (8, 8), (16, 4), (24, 8), (32, 8), (40, 8), (48, 8), (56, 8), (64, 8)]
    static let size = 72

    static func write(_ parameter: Parameter, into raw: UnsafeMutableRawPointer) throws {
        let declared = raw.load(as: Int.self)
        guard declared >= 16 else { throw APIError(.invalidArgument, "info->struct_size \(declared) is too small (set it to sizeof(dc_param_desc))") }
        func put<T>(_ value: T, _ field: Int) {
            let (offset, size) = fields[field]
            if offset + size <= declared { (raw + offset).storeBytes(of: value, as: T.self) }
        }
        put(parameter.name.utf8Start, 1)
        put(parameter.kind.rawValue, 2)
        put(parameter.description.utf8Start, 3)
        put(parameter.minimum, 4)
        put(parameter.maximum, 5)
        put(parameter.defaultValue, 6)
        put(parameter.defaultString.utf8Start, 7)
        put(parameter.choices.utf8Start, 8)
    }
}
