// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean

/// Writes a C struct that starts with the caller's `struct_size` field by field, so that a host compiled against an
/// older, shorter struct is never written past its end.
struct SizedStruct {
    let raw: UnsafeMutableRawPointer
    let declared: Int

    /// `minimum`: the bytes every version of the struct has; `name`: the C type, for the error.
    init(_ raw: UnsafeMutableRawPointer, minimum: Int, name: String) throws {
        declared = raw.load(as: Int.self)
        guard declared >= minimum else {
            throw APIError(.invalidArgument, "struct_size \(declared) is too small (set it to sizeof(\(name)))")
        }
        self.raw = raw
    }

    func put<T>(_ value: T, offset: Int) {
        if offset + MemoryLayout<T>.size <= declared { (raw + offset).storeBytes(of: value, as: T.self) }
    }
}

/// `dc_param_desc` (Include/dreamclean.h).
enum ParameterDescription {
    /// Offsets of the C struct on LP64: size_t, 2 pointers, enum (padded to 8), pointer, 3 doubles, 2 pointers (72
    /// bytes; Tests/c/test_api.c asserts them against the header).
    static let offsets = [0, 8, 16, 24, 32, 40, 48, 56, 64]

    static func write(index: Int, into raw: UnsafeMutableRawPointer) throws {
        let out = try SizedStruct(raw, minimum: 16, name: "dc_param_desc")
        let parameter = RestoreParameter.all[index], strings = ParameterTable.strings[index]
        let range = parameter.reportedRange
        out.put(strings.name, offset: offsets[1])
        out.put(ParameterTable.typeCode(parameter.kind), offset: offsets[2])
        out.put(strings.description, offset: offsets[3])
        out.put(parameter.kind == .choice ? 0 : range.lowerBound, offset: offsets[4])
        out.put(parameter.kind == .choice ? 0 : range.upperBound, offset: offsets[5])
        out.put(ParameterTable.defaultNumber(parameter), offset: offsets[6])
        out.put(strings.defaultString, offset: offsets[7])
        out.put(strings.choices, offset: offsets[8])
    }
}

/// `dc_reading` (Include/dreamclean.h): size_t, double, 2 ints, double on LP64 (32 bytes; Tests/c/test_api.c asserts
/// the offsets against the header); absent readings are 0.
enum ReadingDescription {
    static func write(_ reading: BlindReading, into raw: UnsafeMutableRawPointer) throws {
        let out = try SizedStruct(raw, minimum: 16, name: "dc_reading")
        out.put(reading.noiseSigma, offset: 8)
        out.put(Int32(clamping: reading.jpegStep ?? 0), offset: 16)
        out.put(Int32(clamping: reading.jpegQuality ?? 0), offset: 20)
        out.put(reading.blurSigma ?? 0, offset: 24)
        out.put(reading.cameraNoiseSigma ?? 0, offset: 32)
    }
}
