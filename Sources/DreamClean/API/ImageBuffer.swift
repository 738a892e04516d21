// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import Glibc

/// How the samples of a host's buffer are stored.
public enum PixelFormat: Sendable, CaseIterable {
    /// 0...255
    case uint8
    /// 0...65535
    case uint16
    /// 0...1 (values outside are clamped; NaN and infinity are rejected)
    case float32

    public var bytes: Int {
        switch self {
        case .uint8: 1
        case .uint16: 2
        case .float32: 4
        }
    }
}

/// A view of pixels owned by the caller: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) interleaved channels, any
/// pixel and row stride in bytes (0 means packed). The caller keeps the memory valid during the call.
public struct ImageBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let width: Int
    public let height: Int
    public let channels: Int
    public let format: PixelFormat
    public let pixelStride: Int
    public let rowStride: Int

    /// Validates the geometry: sizes positive, strides at least what the pixels need, every byte addressable
    /// without overflow.
    public init(base: UnsafeMutableRawPointer, width: Int, height: Int, channels: Int, format: PixelFormat,
                pixelStride: Int = 0, rowStride: Int = 0) throws {
        guard width > 0, height > 0 else { throw RestoreError.invalidImage("size \(width)x\(height): both must be positive") }
        guard (1...4).contains(channels) else { throw RestoreError.invalidImage("\(channels) channels: 1 to 4 are supported") }
        guard width <= 1 << 20, height <= 1 << 20 else { throw RestoreError.invalidImage("size \(width)x\(height) exceeds 1048576 per side") }
        let pixelBytes = channels * format.bytes
        let pixel = pixelStride == 0 ? pixelBytes : pixelStride
        guard pixel >= pixelBytes else {
            throw RestoreError.invalidImage("pixel stride \(pixelStride) is below \(pixelBytes) bytes for \(channels) channels of \(format)")
        }
        let (rowBytes, rowOverflow) = (width - 1).multipliedReportingOverflow(by: pixel)
        guard !rowOverflow, rowBytes <= Int.max - pixelBytes else { throw RestoreError.invalidImage("row of \(width) pixels overflows") }
        let minimumRow = rowBytes + pixelBytes
        let row = rowStride == 0 ? minimumRow : rowStride
        guard row >= minimumRow else { throw RestoreError.invalidImage("row stride \(rowStride) is below \(minimumRow) bytes") }
        let (total, totalOverflow) = (height - 1).multipliedReportingOverflow(by: row)
        guard !totalOverflow, total <= Int.max - minimumRow else { throw RestoreError.invalidImage("\(height) rows of \(row) bytes overflow") }
        self.base = base
        self.width = width
        self.height = height
        self.channels = channels
        self.format = format
        self.pixelStride = pixel
        self.rowStride = row
    }

    var hasAlpha: Bool { channels == 2 || channels == 4 }
    var colorChannels: Int { hasAlpha ? channels - 1 : channels }

    /// Sample (x, y, channel) as a float in [0, 1] (float buffers: as stored). The caller keeps x, y, c in range.
    @inline(__always)
    public func sample(_ x: Int, _ y: Int, _ c: Int) -> Float {
        let p = base + y * rowStride + x * pixelStride + c * format.bytes
        switch format {
        case .uint8: return Float(p.load(as: UInt8.self)) / 255
        case .uint16: return Float(p.loadUnaligned(as: UInt16.self)) / 65535
        case .float32: return p.loadUnaligned(as: Float.self)
        }
    }

    /// Luma in [0, 1] (`Luma`); a gray image is its own luma.
    @inline(__always)
    func luma(_ x: Int, _ y: Int) -> Float {
        let value = { min(max(self.sample(x, y, $0), 0), 1) }
        guard colorChannels >= 3 else { return value(0) }
        return Luma.of(value(0), value(1), value(2))
    }

    @inline(__always)
    func store(_ value: Float, _ x: Int, _ y: Int, _ c: Int) {
        let p = base + y * rowStride + x * pixelStride + c * format.bytes
        let v = value.isNaN ? 0 : min(max(value, 0), 1)  // a NaN would trap the integer conversions
        switch format {
        case .uint8: p.storeBytes(of: UInt8((v * 255).rounded()), as: UInt8.self)
        case .uint16: p.storeBytes(of: UInt16((v * 65535).rounded()), as: UInt16.self)
        case .float32: p.storeBytes(of: v, as: Float.self)
        }
    }

    /// Throws for NaN or infinite float samples (checked before any work).
    func checkFinite() throws {
        guard format == .float32 else { return }
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels where !sample(x, y, c).isFinite {
                    throw RestoreError.invalidImage("sample (\(x), \(y), channel \(c)) is \(sample(x, y, c))")
                }
            }
        }
    }

    /// Rows `rows` of the colour channels as a [1, rows, W, 3] tensor in [-1, 1] (gray is repeated into RGB; the prior
    /// is an RGB model), plus their alpha channel in [0, 1] when present.
    func tensor(rows: Range<Int>) throws -> (color: Tensor, alpha: [Float]?) {
        let color = try Tensor(uninitialized: TensorShape(batch: 1, height: rows.count, width: width, channels: 3))
        var alpha: [Float]? = hasAlpha ? [Float](repeating: 0, count: width * rows.count) : nil
        for (row, y) in rows.enumerated() {
            for x in 0..<width {
                let target = color.data + (row * width + x) * 3
                for c in 0..<3 {
                    target[c] = min(max(sample(x, y, colorChannels == 1 ? 0 : c), 0), 1) * 2 - 1
                }
                if hasAlpha { alpha?[row * width + x] = min(max(sample(x, y, channels - 1), 0), 1) }
            }
        }
        return (color, alpha)
    }

    /// Writes a [1, R, W, 3] tensor in [-1, 1] to rows `firstRow..<firstRow + R` (averaged back to gray for 1- and
    /// 2-channel buffers), and `alpha` (R x W values in [0, 1]); an output alpha channel with no alpha to write (the
    /// input had none) is made opaque, so every output sample is defined.
    func write(_ color: Tensor, alpha: [Float]?, firstRow: Int) {
        for row in 0..<color.shape.height {
            let y = firstRow + row
            for x in 0..<width {
                let source = color.data + (row * width + x) * 3
                if colorChannels == 1 {
                    store(((source[0] + source[1] + source[2]) / 3 + 1) / 2, x, y, 0)
                } else {
                    for c in 0..<3 { store((source[c] + 1) / 2, x, y, c) }
                }
                if hasAlpha { store(alpha?[row * width + x] ?? 1, x, y, channels - 1) }
            }
        }
    }

    /// Copies every sample of `source`, a buffer of the same size, channels and format.
    func copyPixels(from source: ImageBuffer) {
        let bytes = channels * format.bytes
        for y in 0..<height {
            for x in 0..<width {
                (base + y * rowStride + x * pixelStride).copyMemory(from: source.base + y * source.rowStride + x * source.pixelStride,
                                                                    byteCount: bytes)
            }
        }
    }
}

/// A packed buffer the library owns, freed with it: where a banded restoration collects its rows, so that the caller's
/// output stays untouched until every band is done.
final class OwnedImage {
    let buffer: ImageBuffer

    /// nil when the memory is not available.
    init?(like image: ImageBuffer) {
        let (bytes, overflow) = image.width.multipliedReportingOverflow(by: image.height * image.channels * image.format.bytes)
        guard !overflow, let memory = malloc(max(bytes, 1)),
              let buffer = try? ImageBuffer(base: memory, width: image.width, height: image.height, channels: image.channels,
                                            format: image.format) else { return nil }
        self.buffer = buffer
    }

    deinit { free(buffer.base) }
}
