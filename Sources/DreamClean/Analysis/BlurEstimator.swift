// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads how blurred an image is from its sharpest edges, after Zhuo & Sim ("Defocus map estimation from a single
/// image", 2011): an edge blurred by a Gaussian of σ and blurred again by one of σ_r keeps, at its centre, the fraction
/// σ / sqrt(σ² + σ_r²) of its gradient, so the ratio R of the two gradients gives σ = σ_r / sqrt(R² − 1). Measured at
/// the local maxima of the strongest gradients, the image's blur is a low quantile of the per-edge values: the in-focus
/// part of a photo with a blurred background decides, and noise, which steepens gradients, can only make it read
/// sharper. Blind restoration deblurs what reads blurred (`deblurSigma`); an upscaled image reads blurred too, and is
/// sharpened the same way.
enum BlurEstimator {
    /// The edge blur in pixels, or nil where the image shows too few edges to tell (flat, or under 16 pixels a side).
    /// A sampled step edge reads about 0.8, a step blurred by a Gaussian of σ ≥ 0.8 about sqrt(σ² + 0.6²) (central
    /// differences on pixels); sharp photos read 0.3 to 0.9.
    static func edgeSigma(of image: ImageBuffer) -> Double? {
        guard image.width >= 16, image.height >= 16 else { return nil }
        var gradients = Histogram(upper: 1, bins: 4096)
        scan(image) { reblurred, _, _ in gradients.add(reblurred) }
        // The strongest tenth of the gradients, and none so faint that rounding decides its ratio.
        let threshold = max(0.02, gradients.quantile(0.9))
        var sigmas = Histogram(upper: 10, bins: 2000)
        scan(image) { reblurred, original, isMaximum in
            guard isMaximum, Double(reblurred) > threshold else { return }
            let ratio = Double(original / reblurred)
            sigmas.add(ratio > 1.0001 ? Double(reblurSigma) / (ratio * ratio - 1).squareRoot() : .infinity)
        }
        guard sigmas.count >= minimumEdges else { return nil }
        return sigmas.quantile(0.25)
    }

    /// The Gaussian σ that blind restoration deblurs with, or nil to restore without: the edge blur less a sharp
    /// photo's own (0.7), times 0.7, from 0.45 px up. Deblurring with too wide a kernel rings (sigma 1.6 blur at 1.8:
    /// -1 dB; a x2 upscale at 0.8 instead of 0.6: -1.3 dB) while too narrow a one only gains less, so the estimate is
    /// shrunk; the figures behind the constants are in MODEL_CARD.md ("Blind deblurring").
    static func deblurSigma(of image: ImageBuffer) -> Double? {
        guard let edge = edgeSigma(of: image), edge.isFinite else { return nil }  // infinite: most edges beyond 10 px
        let sigma = 0.7 * max(edge * edge - 0.7 * 0.7, 0).squareRoot()
        return sigma >= 0.45 ? sigma : nil
    }

    /// Bytes the estimate holds for an image `width` pixels wide (its strips' four float buffers).
    static func workingBytes(width: Int) -> Int { 4 * (stripRows + 2 * halo) * width * MemoryLayout<Float>.stride }

    /// σ_r of the second blur.
    private static let reblurSigma: Float = 1
    private static let minimumEdges = 32
    /// Pixels at the border left unmeasured; rows beyond the image are mirrored (abcd -> dcba|abcd).
    private static let margin = 3
    private static let kernelRadius = 4
    /// Rows a strip reads beyond its own: the reblur's radius, one for the gradient, one for the neighbour compared.
    private static let halo = kernelRadius + 2
    private static let stripRows = 64

    private static let kernel: [Float] = {
        let taps = (-kernelRadius...kernelRadius).map { exp(-Float($0 * $0) / (2 * reblurSigma * reblurSigma)) }
        let sum = taps.reduce(0, +)
        return taps.map { $0 / sum }
    }()

    /// Calls `body` for every measured pixel, row by row in strips (memory: a few strips, not the image), with the
    /// gradient magnitude of the reblurred and of the original luma, and whether the reblurred one peaks there across
    /// the edge (along x or y, whichever its gradient mostly points at).
    private static func scan(_ image: ImageBuffer, _ body: (_ reblurred: Float, _ original: Float, _ isMaximum: Bool) -> Void) {
        let (w, h) = (image.width, image.height)
        let reflect = BorderReflection.symmetric
        for first in stride(from: margin, to: h - margin, by: stripRows) {
            let last = min(first + stripRows, h - margin)
            let top = first - halo
            let rows = last - first + 2 * halo
            // Luma of the strip and its halo, and its horizontal blur.
            var luma = [Float](repeating: 0, count: rows * w)
            var horizontal = [Float](repeating: 0, count: rows * w)
            for k in 0..<rows {
                let y = reflect.index(top + k, count: h)
                for x in 0..<w { luma[k * w + x] = image.luma(x, y) }
                for x in 0..<w {
                    var sum: Float = 0
                    for j in 0..<kernel.count { sum += kernel[j] * luma[k * w + reflect.index(x + j - kernelRadius, count: w)] }
                    horizontal[k * w + x] = sum
                }
            }
            // The reblurred luma where gradients are taken: rows first - 2 ..< last + 2 (local rows halo - 2 ...).
            var reblurred = [Float](repeating: 0, count: rows * w)
            for k in halo - 2..<rows - halo + 2 {
                for x in 0..<w {
                    var sum: Float = 0
                    for j in 0..<kernel.count { sum += kernel[j] * horizontal[(k + j - kernelRadius) * w + x] }
                    reblurred[k * w + x] = sum
                }
            }
            func gradient(_ a: [Float], _ k: Int, _ x: Int) -> (x: Float, y: Float) {
                ((a[k * w + x + 1] - a[k * w + x - 1]) / 2, (a[(k + 1) * w + x] - a[(k - 1) * w + x]) / 2)
            }
            // Reblurred gradient magnitudes on rows first - 1 ..< last + 1, columns 1 ..< w - 1.
            var magnitude = [Float](repeating: 0, count: rows * w)
            for k in halo - 1..<rows - halo + 1 {
                for x in 1..<w - 1 {
                    let g = gradient(reblurred, k, x)
                    magnitude[k * w + x] = (g.x * g.x + g.y * g.y).squareRoot()
                }
            }
            for k in halo..<rows - halo {
                for x in margin..<w - margin {
                    let centre = magnitude[k * w + x]
                    let g = gradient(reblurred, k, x)
                    let isMaximum = abs(g.x) >= abs(g.y)
                        ? centre >= magnitude[k * w + x - 1] && centre >= magnitude[k * w + x + 1]
                        : centre >= magnitude[(k - 1) * w + x] && centre >= magnitude[(k + 1) * w + x]
                    let o = gradient(luma, k, x)
                    body(centre, (o.x * o.x + o.y * o.y).squareRoot(), isMaximum)
                }
            }
        }
    }

    /// Counts in equal bins over [0, upper), one more for values beyond; quantiles read at bin centres.
    private struct Histogram {
        private var bins: [Int]
        private let width: Double
        private(set) var count = 0

        init(upper: Double, bins: Int) {
            self.bins = [Int](repeating: 0, count: bins + 1)
            width = upper / Double(bins)
        }

        mutating func add(_ value: Float) { add(Double(value)) }

        mutating func add(_ value: Double) {
            let scaled = value / width  // NaN and beyond the bins: the last one
            let index = scaled < Double(bins.count - 1) ? Int(max(scaled, 0)) : bins.count - 1
            bins[index] += 1
            count += 1
        }

        /// The smallest bin centre with more than the fraction `q` of the values at or below it (the last bin: infinity).
        func quantile(_ q: Double) -> Double {
            var seen = 0
            for (index, n) in bins.enumerated() {
                seen += n
                if Double(seen) > q * Double(count) {
                    return index == bins.count - 1 ? .infinity : (Double(index) + 0.5) * width
                }
            }
            return .infinity
        }
    }
}
