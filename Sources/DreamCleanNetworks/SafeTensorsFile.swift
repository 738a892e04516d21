// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: keeps ICU out of the statically linked library
#else
import Foundation
#endif
import DreamCleanKernels

/// A memory-mapped safetensors file (https://github.com/huggingface/safetensors, "Format"): an 8-byte little-endian
/// header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the
/// data. Every offset, size and shape is checked against the file before any tensor is read.
///
/// Limitations: reads F32, F16 and BF16 tensors (as Float); other dtypes are listed but rejected when read.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        public let byteRange: Range<Int>  // relative to the start of the data section
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let file: FileBytes         // the whole file, memory-mapped
    private let dataStart: Int

    static let maximumHeaderBytes = 100 << 20
    static let elementSizes = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]

    public convenience init(path: String) throws {
        try self.init(path: path, file: try FileBytes(mapping: path))
    }

    /// Parses in-memory `data` as a safetensors file; `path` is used in error messages.
    public convenience init(path: String, data: Data) throws {
        try self.init(path: path, file: FileBytes(copying: data))
    }

    init(path: String, file: FileBytes) throws {
        self.path = path
        self.file = file
        let data = file.bytes
        guard data.count >= 8 else { throw ModelError.truncated(path: path, detail: "\(data.count) bytes, no header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw ModelError.malformedHeader(path: path, reason: "its first 8 bytes give a header over \(Self.maximumHeaderBytes >> 20) MiB: not a safetensors file")
        }
        guard Int(headerLength) <= data.count - 8 else {
            throw ModelError.truncated(path: path, detail: "header of \(headerLength) bytes, file of \(data.count)")
        }
        dataStart = 8 + Int(headerLength)
        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(data[8..<dataStart]))
        } catch {
            throw ModelError.malformedHeader(path: path, reason: "not JSON")
        }
        guard let header = json.object else { throw ModelError.malformedHeader(path: path, reason: "not a JSON object") }
        if let key = JSONDuplicateKeys.first(in: data[8..<dataStart]) {
            throw ModelError.malformedHeader(path: path, reason: "the key \"\(key)\" appears twice (readers disagree on which one counts)")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataBytes = data.count - dataStart
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value.object, m.values.allSatisfy({ $0.string != nil }) else {
                    throw ModelError.malformedHeader(path: path, reason: "__metadata__ is not a string map")
                }
                metadata = m.compactMapValues(\.string)
                continue
            }
            entries[key] = try Self.parseEntry(key: key, value: value, dataBytes: dataBytes, path: path)
        }
        try Self.checkCoverage(entries, dataBytes: dataBytes, path: path)
        self.entries = entries
        self.metadata = metadata
    }

    private static func parseEntry(key: String, value: JSONValue, dataBytes: Int, path: String) throws -> Entry {
        guard let object = value.object, let dtype = object["dtype"]?.string,
              let shapeValues = object["shape"]?.array, let offsets = object["data_offsets"]?.array, offsets.count == 2 else {
            throw ModelError.badTensorEntry(key: key, path: path, reason: "needs dtype, shape and two data_offsets")
        }
        guard let size = elementSizes[dtype] else { throw ModelError.unsupportedDType(key: key, dtype: dtype, path: path) }
        var shape: [Int] = []
        var count = 1
        for value in shapeValues {
            guard let dimension = value.integer, dimension >= 0 else {
                throw ModelError.badTensorEntry(key: key, path: path, reason: "shape \(shapeValues) is not a list of sizes")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw ModelError.badTensorEntry(key: key, path: path, reason: "shape \(shapeValues) overflows") }
            shape.append(dimension)
            count = product
        }
        guard let begin = offsets[0].integer, let end = offsets[1].integer, 0 <= begin, begin <= end else {
            throw ModelError.badTensorEntry(key: key, path: path, reason: "data_offsets \(offsets) are not 0 <= begin <= end")
        }
        guard end <= dataBytes else {
            throw ModelError.truncated(path: path, detail: "tensor '\(key)' ends at byte \(end) of a \(dataBytes)-byte data section")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, bytes == end - begin else {
            throw ModelError.badTensorEntry(key: key, path: path, reason: "\(end - begin) bytes for shape \(shape) of \(dtype)")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// The format requires the tensors to tile the data section without gaps or overlaps.
    private static func checkCoverage(_ entries: [String: Entry], dataBytes: Int, path: String) throws {
        var position = 0
        for (key, entry) in entries.sorted(by: { ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound) < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound) }) {
            guard entry.byteRange.lowerBound == position else {
                throw ModelError.badTensorEntry(key: key, path: path, reason: "starts at \(entry.byteRange.lowerBound), expected \(position) (gap or overlap)")
            }
            position = entry.byteRange.upperBound
        }
        guard position == dataBytes else {
            throw ModelError.malformedHeader(path: path, reason: "tensors cover \(position) of \(dataBytes) data bytes")
        }
    }

    /// Checks the whole file against the SHA-256 its model config records, so that a file damaged or replaced on disk
    /// is refused even when it still parses.
    public func verifySHA256(_ expected: String) throws {
        let found = Checksum.sha256(file.bytes) ?? "unavailable"
        guard found == expected.lowercased() else { throw ModelError.checksumMismatch(path: path, expected: expected, found: found) }
    }

    /// The tensor `key` converted to Float, in its stored (row-major) order; a NaN or infinity is refused (a conversion
    /// to f16 that overflowed writes infinities, and a checksum cannot tell them from weights).
    public func floats(_ key: String) throws -> [Float] {
        let values = try converted(key)
        guard values.allSatisfy(\.isFinite) else { throw ModelError.nonFiniteWeight(key: key, path: path) }
        return values
    }

    private func converted(_ key: String) throws -> [Float] {
        guard let entry = entries[key] else { throw ModelError.missingWeight(key: key, path: path) }
        let count = entry.shape.reduce(1, *)
        let start = dataStart + entry.byteRange.lowerBound
        let bytes = UnsafeRawBufferPointer(rebasing: file.bytes[start..<start + entry.byteRange.count])
        switch entry.dtype {
        case "F32":
            return (0..<count).map { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case "F16":
            return floatsFromHalfPrecision(nonNullBase(bytes), count: count)
        case "BF16":
            return (0..<count).map { Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) }
        default:
            throw ModelError.unsupportedDType(key: key, dtype: entry.dtype, path: path)
        }
    }

    /// Hands the resident pages of tensor `key` back to the kernel once it has been converted (no effect for
    /// in-memory data). Reading it again still works: the pages come back from the file.
    public func releasePages(of key: String) {
        guard let entry = entries[key] else { return }
        file.release(dataStart + entry.byteRange.lowerBound..<dataStart + entry.byteRange.upperBound)
    }
}
