// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Estimates the standard deviation of white Gaussian noise in an image: the median absolute value of the finest
/// diagonal Haar wavelet coefficients divided by 0.6745 (Donoho & Johnstone 1994). Image structure barely reaches
/// those coefficients, so the estimate tracks the noise; it reads JPEG blocking and blur as little noise.
enum NoiseEstimator {
    /// σ of the noise of a whole host image's colour channels (or its alpha) on the [-1, 1] scale, read in place.
    static func sigma(of image: ImageBuffer, alpha: Bool = false) -> Double {
        let channels = alpha ? image.channels - 1..<image.channels : 0..<image.colorChannels
        return sigma(height: image.height, width: image.width) { y, x in
            var sum: Float = 0
            for i in channels { sum += min(max(image.sample(x, y, i), 0), 1) * 2 - 1 }
            return sum / Float(channels.count)
        }
    }

    /// Bytes the estimate holds for an image of `pixels` pixels (one coefficient per 2x2 block).
    static func workingBytes(pixels: Int) -> Int { pixels / 4 * MemoryLayout<Float>.stride }

    private static func sigma(height h: Int, width w: Int, gray: (Int, Int) -> Float) -> Double {
        guard h >= 2, w >= 2 else { return 0 }
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
