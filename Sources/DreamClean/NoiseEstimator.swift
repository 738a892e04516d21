// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Estimates the standard deviation of white Gaussian noise in an image: the median absolute value of the finest
/// diagonal Haar wavelet coefficients divided by 0.6745 (Donoho & Johnstone 1994). Image structure barely reaches
/// those coefficients, so the estimate tracks the noise; it reads JPEG blocking and blur as little noise.
enum NoiseEstimator {
    /// σ of the noise in the tensor's own units ([-1, 1] images), from the mean of its channels.
    static func sigma(of image: Tensor) -> Double {
        let s = image.shape
        let (h, w, c) = (s.height, s.width, s.channels)
        guard h >= 2, w >= 2 else { return 0 }
        func gray(_ y: Int, _ x: Int) -> Float {
            var sum: Float = 0
            for i in 0..<c { sum += image.data[(y * w + x) * c + i] }
            return sum / Float(c)
        }
        var coefficients: [Float] = []
        coefficients.reserveCapacity((h / 2) * (w / 2))
        for y in stride(from: 0, to: h - 1, by: 2) {
            for x in stride(from: 0, to: w - 1, by: 2) {
                coefficients.append(abs(gray(y, x) - gray(y, x + 1) - gray(y + 1, x) + gray(y + 1, x + 1)) / 2)
            }
        }
        coefficients.sort()
        return Double(coefficients[coefficients.count / 2]) / 0.6745
    }
}
