// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Noise σ has one public unit, 0-255 (a standard deviation in 8-bit steps), at every boundary: parameters, readings,
/// help. Inside, the model sees images in [-1, 1], where the same noise is 2/255 times as large; these are the only
/// conversions between the two.
public enum NoiseScale {
    /// 0-255 units -> the model's [-1, 1] scale.
    public static func model(fromPixels sigma: Double) -> Double { sigma * 2 / 255 }
    /// The model's [-1, 1] scale -> 0-255 units.
    public static func pixels(fromModel sigma: Double) -> Double { sigma * 255 / 2 }
}
