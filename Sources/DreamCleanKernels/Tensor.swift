// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(Glibc)
import Glibc
#endif

/// The size of a 4-D activation: batch, height, width, channels.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(batch: Int, height: Int, width: Int, channels: Int) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// The element count, or nil when a dimension is negative or the product overflows.
    public var checkedCount: Int? {
        guard batch >= 0, height >= 0, width >= 0, channels >= 0 else { return nil }
        var total = 1
        for dimension in [batch, height, width, channels] {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }

    public var description: String { "[\(batch), \(height), \(width), \(channels)]" }
}

/// A float32 activation in NHWC order (channels innermost), 64-byte aligned.
///
/// NHWC is the one layout every op here reads and writes: oneDNN's AVX2 convolutions run as fast on it as on the blocked
/// nChw8c layout on this class of machine (measured in docs/performance.md), and it lets group norm, concatenation and
/// attention address channels contiguously without reorders between layers.
public final class Tensor: @unchecked Sendable {
    public let shape: TensorShape
    public let count: Int
    /// The elements; valid for the tensor's lifetime. Mutated only by the op that created the tensor or by an op that
    /// documents in-place use.
    public let data: UnsafeMutablePointer<Float>
    /// Where the storage goes back to when the tensor dies; nil: freed.
    private let pool: BufferPool?

    /// An uninitialized tensor, its storage taken from `pool` when given; throws for negative or overflowing shapes.
    public init(uninitialized shape: TensorShape, pool: BufferPool? = nil) throws {
        guard let count = shape.checkedCount, count.multipliedReportingOverflow(by: 4).overflow == false else {
            throw KernelError.invalidShape(shape.description, reason: "negative or too large")
        }
        let capacity = max(count, 1)
        guard let raw = pool?.take(capacity) ?? allocateAligned(capacity) else {
            throw KernelError.outOfMemory(bytes: count &* 4)
        }
        self.shape = shape
        self.count = count
        self.data = raw
        self.pool = pool
    }

    /// A zero-filled tensor.
    public convenience init(zeros shape: TensorShape) throws {
        try self.init(uninitialized: shape)
        data.initialize(repeating: 0, count: count)
    }

    /// A tensor holding `values` in NHWC order.
    public convenience init(shape: TensorShape, nhwc values: [Float]) throws {
        try self.init(uninitialized: shape)
        guard values.count == count else {
            throw KernelError.invalidShape(shape.description, reason: "\(values.count) values for \(count) elements")
        }
        values.withUnsafeBufferPointer { data.update(from: nonNullBase($0), count: count) }
    }

    /// A tensor from values in PyTorch's NCHW order.
    public convenience init(shape: TensorShape, nchw values: [Float]) throws {
        try self.init(uninitialized: shape)
        guard values.count == count else {
            throw KernelError.invalidShape(shape.description, reason: "\(values.count) values for \(count) elements")
        }
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        for n in 0..<shape.batch {
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        data[((n * h + y) * w + x) * c + ch] = values[((n * c + ch) * h + y) * w + x]
                    }
                }
            }
        }
    }

    deinit {
        if let pool { pool.give(data, count: max(count, 1)) } else { free(data) }
    }

    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The elements in PyTorch's NCHW order.
    public var nchwValues: [Float] {
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        var out = [Float](repeating: 0, count: count)
        for n in 0..<shape.batch {
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c {
                        out[((n * c + ch) * h + y) * w + x] = data[((n * h + y) * w + x) * c + ch]
                    }
                }
            }
        }
        return out
    }

    /// A copy with its own storage.
    public func copy() throws -> Tensor {
        let out = try Tensor(uninitialized: shape)
        out.data.update(from: data, count: count)
        return out
    }

    /// The largest absolute difference to `other`; infinity when the shapes differ.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        var worst: Float = 0
        for i in 0..<count {
            let d = abs(data[i] - other.data[i])
            if !(d <= worst) { worst = d.isNaN ? .infinity : d }
        }
        return worst
    }
}
