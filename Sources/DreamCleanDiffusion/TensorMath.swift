// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// The few elementwise formulas the sampler needs, in one sequential pass each (the network dominates the cost).
enum TensorMath {
    static func requireSameShape(_ what: String, _ a: Tensor, _ b: Tensor) throws {
        guard a.shape == b.shape else { throw DiffusionError.shapeMismatch(what: what, expected: a.shape.description, found: b.shape.description) }
    }

    /// c * a.
    static func scaled(_ a: Tensor, _ c: Double) throws -> Tensor {
        let out = try Tensor(uninitialized: a.shape)
        let fc = Float(c)
        for i in 0..<a.count { out.data[i] = fc * a.data[i] }
        return out
    }

    /// ca * a + cb * b.
    static func combine(_ a: Tensor, _ ca: Double, _ b: Tensor, _ cb: Double) throws -> Tensor {
        try requireSameShape("combine", a, b)
        let out = try Tensor(uninitialized: a.shape)
        let (fa, fb) = (Float(ca), Float(cb))
        for i in 0..<a.count { out.data[i] = fa * a.data[i] + fb * b.data[i] }
        return out
    }

    /// ca * a + cb * b + cc * c.
    static func combine(_ a: Tensor, _ ca: Double, _ b: Tensor, _ cb: Double, _ c: Tensor, _ cc: Double) throws -> Tensor {
        try requireSameShape("combine", a, b)
        try requireSameShape("combine", a, c)
        let out = try Tensor(uninitialized: a.shape)
        let (fa, fb, fc) = (Float(ca), Float(cb), Float(cc))
        for i in 0..<a.count { out.data[i] = fa * a.data[i] + fb * b.data[i] + fc * c.data[i] }
        return out
    }

    /// Clamps x to [-1, 1] in place and returns it.
    @discardableResult
    static func clampUnit(_ x: Tensor) -> Tensor {
        for i in 0..<x.count { x.data[i] = min(max(x.data[i], -1), 1) }
        return x
    }
}
