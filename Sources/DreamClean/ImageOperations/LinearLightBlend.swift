// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import Glibc

/// The `mix` parameter: the output as `amount` of the restoration and `1 - amount` of the input, blended in linear light
/// (the IEC 61966-2-1 sRGB transfer undone, blended, redone) so that a half-strength result is as bright as the two it
/// blends; a blend of encoded values would darken every edge the restoration sharpened.
enum LinearLightBlend {
    /// Blends `restored` toward `original` in place; both are [1, H, W, 3] images in [-1, 1] (sRGB-encoded), the same
    /// shape. `amount` 1 leaves `restored` as it is and 0 makes it `original` exactly.
    static func blend(_ restored: Tensor, toward original: Tensor, amount: Double) {
        guard amount < 1 else { return }
        let a = Float(amount)
        for i in 0..<restored.count {
            guard amount > 0 else { restored.data[i] = original.data[i]; continue }
            let wet = linear(encoded: (restored.data[i] + 1) / 2)
            let dry = linear(encoded: (original.data[i] + 1) / 2)
            restored.data[i] = encoded(linear: a * wet + (1 - a) * dry) * 2 - 1
        }
    }

    /// Alpha is coverage, not light: blended as it is.
    static func blend(alpha restored: inout [Float], toward original: [Float], amount: Double) {
        guard amount < 1 else { return }
        let a = Float(amount)
        for i in restored.indices { restored[i] = a * restored[i] + (1 - a) * original[i] }
    }

    /// sRGB-encoded value in [0, 1] to linear light; values outside are mirrored through 0 and extended, so a float
    /// image's out-of-range values survive the round trip.
    static func linear(encoded v: Float) -> Float {
        let m = abs(v)
        let l = m <= 0.04045 ? m / 12.92 : powf((m + 0.055) / 1.055, 2.4)
        return v < 0 ? -l : l
    }

    static func encoded(linear v: Float) -> Float {
        let m = abs(v)
        let e = m <= 0.0031308 ? m * 12.92 : 1.055 * powf(m, 1 / 2.4) - 0.055
        return v < 0 ? -e : e
    }
}
