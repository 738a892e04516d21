// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDreamCleanKernels

/// Unaligned 8-lane loads and stores (GemmConv2d's bias and residual pass).
@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

/// A pointer that is safe to pass with a count of zero: the buffer's base, or a one-element placeholder when the
/// buffer is empty (an empty array may have no storage at all).
@inline(__always)
public func nonNullBase(_ buffer: UnsafeBufferPointer<Float>) -> UnsafePointer<Float> {
    buffer.baseAddress ?? UnsafePointer(emptyFloatPlaceholder)
}

/// A raw buffer's base, or the placeholder when it is empty.
@inline(__always)
public func nonNullBase(_ buffer: UnsafeRawBufferPointer) -> UnsafeRawPointer {
    buffer.baseAddress ?? UnsafeRawPointer(emptyFloatPlaceholder)
}

// Written once at initialization and only read after: never mutated.
nonisolated(unsafe) private let emptyFloatPlaceholder: UnsafeMutablePointer<Float> = {
    let pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return pointer
}()

/// `count` f16 values at `source` (any alignment: a file's bytes) widened to Float, in C (F16C): Swift's own Float16
/// conversion is a library call per value on the x86-64 baseline, most of a large model's load time.
public func floatsFromHalfPrecision(_ source: UnsafeRawPointer, count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if let base = buffer.baseAddress { dc_f16_to_f32(source, base, count) }
        initialized = count
    }
}
