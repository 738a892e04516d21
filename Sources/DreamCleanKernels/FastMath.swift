// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// exp over 8 lanes: Cephes' `expf` (range reduction by ln 2 in two parts, a degree-5 polynomial, 2^n from the exponent
/// bits); relative error below 2e-7 on [-87, 88], which tests check against `Foundation.exp`. Inputs are clamped to that range.
@inline(__always)
func exp8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    var x = input.clamped(lowerBound: SIMD8(repeating: -87.3), upperBound: SIMD8(repeating: 88.3))
    let n = (x * 1.44269504088896341 + 0.5).rounded(.down)
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
    let exponent = (SIMD8<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
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
