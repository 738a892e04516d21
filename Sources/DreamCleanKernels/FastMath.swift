// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// exp over 8 lanes: Cephes' `expf` (range reduction by ln 2 in two parts, a degree-5 polynomial, 2^n from the exponent
/// bits), with n rounded to nearest by the 1.5 * 2^23 trick so that no lane leaves the vector unit. Relative error below
/// 3e-7 on [-87, 88] (tested against libm); inputs are clamped to that range.
@inline(__always)
func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    let magic: Float = 12_582_912  // 1.5 * 2^23: adding it leaves round(v) in the low mantissa bits
    var x = input.replacing(with: -87.3, where: input .< -87.3).replacing(with: 88.3, where: input .> 88.3)
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    x -= n * 0.693359375
    x -= n * -2.12194440e-4
    let z = x * x
    var y = SIMD8<Float>(repeating: 1.9875691500e-4)
    y = y * x + 1.3981999507e-3
    y = y * x + 8.3334519073e-3
    y = y * x + 4.1665795894e-2
    y = y * x + 1.6666665459e-1
    y = y * x + 5.0000001201e-1
    y = y * z + x + 1
    let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return y * unsafeBitCast(exponent, to: SIMD8<Float>.self)
}

@inline(__always)
func silu8(_ x: SIMD8<Float>) -> SIMD8<Float> { x / (1 + exp8(-x)) }

@inline(__always)
func expScalar(_ x: Float) -> Float { exp8(SIMD8(repeating: x))[0] }

@inline(__always)
func siluScalar(_ x: Float) -> Float { x / (1 + expScalar(-x)) }

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
