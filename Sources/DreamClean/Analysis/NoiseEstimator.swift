// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Estimates the standard deviation of white Gaussian noise in an image: the median absolute value of the finest
/// diagonal Haar wavelet coefficients divided by 0.6745 (Donoho & Johnstone 1994). Image structure barely reaches
/// those coefficients, so the estimate tracks the noise; it reads JPEG blocking and blur as little noise.
enum NoiseEstimator {
    /// σ of the noise of a whole host image's colour channels (or its alpha) on the [-1, 1] scale, read in place: the
    /// mean of the per-channel estimates. (Estimating on the channel mean would read independent per-channel noise as
    /// σ/√3.)
    static func sigma(of image: ImageBuffer, alpha: Bool = false) -> Double {
        let channels = alpha ? image.channels - 1..<image.channels : 0..<image.colorChannels
        var coefficients: [Float] = []
        let total = channels.reduce(0.0) { sum, channel in
            sum + sigma(height: image.height, width: image.width, coefficients: &coefficients) { y, x in
                min(max(image.sample(x, y, channel), 0), 1) * 2 - 1
            }
        }
        return total / Double(channels.count)
    }

    /// The same estimate one scale coarser, in the same units: the image averaged over 2x2 blocks, read as above and
    /// doubled (white noise averaged over four pixels has half its σ, so white noise reads about `sigma` here too).
    /// Noise that demosaicing and in-camera processing spread over neighbouring pixels, as a camera's is, has little
    /// power at the finest scale and reads several times higher here than there; so does fine image texture.
    static func coarseSigma(of image: ImageBuffer, alpha: Bool = false) -> Double {
        var coefficients: [Float] = []
        let channels = alpha ? image.channels - 1..<image.channels : 0..<image.colorChannels
        let total = channels.reduce(0.0) { sum, channel in
            sum + 2 * sigma(height: image.height / 2, width: image.width / 2, coefficients: &coefficients) { y, x in
                let value = { (yy: Int, xx: Int) in min(max(image.sample(xx, yy, channel), 0), 1) * 2 - 1 }
                return (value(2 * y, 2 * x) + value(2 * y, 2 * x + 1) + value(2 * y + 1, 2 * x) + value(2 * y + 1, 2 * x + 1)) / 4
            }
        }
        return total / Double(channels.count)
    }

    /// Bytes the estimates hold for an image of `pixels` pixels (one coefficient per 2x2 block).
    static func workingBytes(pixels: Int) -> Int { pixels / 4 * MemoryLayout<Float>.stride }

    /// `coefficients` is scratch space, reused across channels.
    private static func sigma(height h: Int, width w: Int, coefficients: inout [Float], value: (Int, Int) -> Float) -> Double {
        guard h >= 2, w >= 2 else { return 0 }
        coefficients.removeAll(keepingCapacity: true)
        coefficients.reserveCapacity((h / 2) * (w / 2))
        for y in stride(from: 0, to: h - 1, by: 2) {
            for x in stride(from: 0, to: w - 1, by: 2) {
                coefficients.append(abs(value(y, x) - value(y, x + 1) - value(y + 1, x) + value(y + 1, x + 1)) / 2)
            }
        }
        coefficients.sort()
        return Double(coefficients[coefficients.count / 2]) / 0.6745
    }
}
