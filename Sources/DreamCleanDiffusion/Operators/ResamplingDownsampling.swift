// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CFFTW
import DreamCleanKernels
import Glibc

/// Super-resolution's degradation as image tools make low-resolution images: an antialiased resampling filter (the
/// kernel stretched by the scale, as PIL, libvips and PyTorch's `antialias=True` reduce) sampled every `scale` pixels,
/// with symmetric (half-sample) boundaries. Box is the block mean of `BoxDownsampling`; bicubic is Keys' cubic with
/// a = -0.5 (PIL's BICUBIC); Lanczos is the 3-lobe windowed sinc (PIL's LANCZOS). A caller's symmetric taps (`Filter.taps`)
/// take the same path.
///
/// The filter is separable and the same at every output sample, so on the image mirrored to 2H x 2W, A Aᵀ is a
/// circular convolution on the low-resolution grid, diagonal in Fourier space with gain ĝ_y(f_y) ĝ_x(f_x), where
/// ĝ(f) = Σ_j g_j cos(π f j / n) and g_j = Σ_i h_i h_(i + j·scale) (the filter's autocorrelation at multiples of the
/// scale). A⁺ = Aᵀ (A Aᵀ)⁻¹ (DDRM's and DDNM's form for bicubic SR), with the frequencies where A passes almost nothing
/// (ρ² below τ = max(1e-6, 4σ_y²), ρ² = scale² ĝ_y ĝ_x) in the null space, so A A⁺ = I on the rest and the inverse never
/// amplifies noise more than 1 / (2σ_y) times. ρ is the per-pixel noise gain of A⁺ (1 everywhere for box), which DDNM+
/// uses to damp each frequency on its own (`noisyProjection`).
public struct ResamplingDownsampling: MeasurementOperator {
    public enum Kernel: String, CaseIterable, Sendable {
        case box, bicubic, lanczos

        /// The kernel's half-width in input-sample units (before stretching by the scale).
        var support: Double { switch self { case .box: 0.5; case .bicubic: 2; case .lanczos: 3 } }

        func weight(_ t: Double) -> Double {
            let a = abs(t)
            switch self {
            case .box: return a < 0.5 ? 1 : 0
            case .bicubic:  // Keys (1981), a = -0.5
                if a < 1 { return (1.5 * a - 2.5) * a * a + 1 }
                if a < 2 { return ((-0.5 * a + 2.5) * a - 4) * a + 2 }
                return 0
            case .lanczos:
                if a == 0 { return 1 }
                if a >= 3 { return 0 }
                let x = Double.pi * a
                return 3 * sin(x) * sin(x / 3) / (x * x)
            }
        }
    }

    /// The filter: a named kernel stretched by the scale, or a caller's taps.
    public enum Filter: Equatable, Sendable {
        case named(Kernel)
        /// A symmetric 1-D filter in high-resolution pixels, applied along both axes (normalized to sum 1), centred
        /// on each output sample: its length has the scale's parity, so that the centre falls where the output
        /// sample's does (between pixels for an even scale). A Gaussian anti-aliasing blur, or a camera's own.
        case taps([Float])

        public var name: String {
            switch self {
            case .named(let kernel): kernel.rawValue
            case .taps(let taps): "\(taps.count)-tap"
            }
        }
    }

    /// Taps a caller may give: at most this many.
    public static let largestTapCount = 1024

    /// What is wrong with `taps` as a filter for `scale` (nil: nothing; scale nil: the count's parity not checked), in
    /// words for an error message.
    public static func tapsProblem(_ taps: [Float], scale: Int?) -> String? {
        guard (1...largestTapCount).contains(taps.count) else { return "\(taps.count) taps (1 to \(largestTapCount) allowed)" }
        guard taps.allSatisfy({ $0.isFinite }) else { return "non-finite taps" }
        let sum = taps.reduce(0, +)
        guard sum > 0 else { return "taps that sum to \(sum) (a positive sum is needed)" }
        let largest = taps.map(abs).max() ?? 0
        guard taps.indices.allSatisfy({ abs(taps[$0] - taps[taps.count - 1 - $0]) <= 1e-5 * largest }) else {
            return "taps that are not symmetric"
        }
        guard let scale, taps.count % 2 != scale % 2 else { return nil }
        return "\(taps.count) taps for scale \(scale) (an \(scale % 2 == 0 ? "even" : "odd") count centres the filter on the output sample)"
    }

    public let scale: Int
    public let filter: Filter
    public let measurementNoise: Double
    /// The filter h: output sample m reads input samples m·scale + first ..< m·scale + first + taps.count.
    let taps: [Float]
    let first: Int

    public init(scale: Int, kernel: Kernel, measurementNoise: Double = 0) throws {
        try self.init(scale: scale, filter: .named(kernel), measurementNoise: measurementNoise)
    }

    public init(scale: Int, filter: Filter, measurementNoise: Double = 0) throws {
        guard (1...64).contains(scale) else { throw DiffusionError.invalidOption("scale", "\(scale)", "1...64") }
        guard measurementNoise >= 0, measurementNoise.isFinite else {
            throw DiffusionError.invalidOption("noise_sigma", "\(measurementNoise)", ">= 0")
        }
        self.scale = scale
        self.filter = filter
        self.measurementNoise = measurementNoise
        switch filter {
        case .named(let kernel):
            // Output sample 0 is centred at (scale - 1) / 2 in input coordinates; the kernel is stretched by the scale.
            let centre = Double(scale - 1) / 2, reach = kernel.support * Double(scale)
            let start = Int((centre - reach).rounded(.down)), end = Int((centre + reach).rounded(.up))
            let weights = (start...end).map { kernel.weight((Double($0) - centre) / Double(scale)) }
            let kept = weights.indices.filter { weights[$0] != 0 }
            let low = kept.first ?? 0, high = kept.last ?? 0
            let sum = weights[low...high].reduce(0, +)
            taps = weights[low...high].map { Float($0 / sum) }
            first = start + low
        case .taps(let given):
            if let problem = Self.tapsProblem(given, scale: scale) {
                throw DiffusionError.invalidOption("sr_taps", problem, "a symmetric filter of positive sum")
            }
            let sum = given.reduce(0, +)
            taps = given.map { $0 / sum }
            first = (scale - given.count) / 2  // centre (scale - 1) / 2 = first + (count - 1) / 2
        }
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        guard s.batch == 1, s.height % scale == 0, s.width % scale == 0, s.height > 0, s.width > 0 else {
            throw DiffusionError.shapeMismatch(what: "\(filter.name) downsampling by \(scale)",
                                               expected: "[1, H, W, C], H and W multiples of \(scale)", found: s.description)
        }
        return try reduced(try reduced(x, alongWidth: true), alongWidth: false)
    }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor {
        let gains = try axisGains(y)
        let threshold = noiseThreshold
        let z = try MirroredSpectrum.filter(y, what: "\(filter.name) downsampling") { ky, kx in
            let gain = gains.y[ky] * gains.x[kx]
            return Float(scale * scale) * gain > threshold ? (1 / gain, 0) : (0, 0)
        }
        return try expanded(try expanded(z, alongWidth: false), alongWidth: true)
    }

    /// DDNM+ per frequency: λ_f = min(1, σ_t ρ_f / σ_y), the correction Aᵀ (λ_f / ĝ_f) applied to the residual, which
    /// carries the measurement noise as λ_f σ_y / ρ_f per pixel.
    public func noisyProjection(_ x0: Tensor, onto y: Tensor, noiseLevel: Double) throws -> (x0: Tensor, injectedVariance: Double) {
        guard measurementNoise > 0 else { return (try project(x0, onto: y), 0) }
        let (sigmaY, sigmaT) = (Float(measurementNoise), Float(max(0, noiseLevel)))
        let residual = try TensorMath.combine(try forward(x0), 1, y, -1)
        let gains = try axisGains(residual)
        let threshold = noiseThreshold
        var injected: Float = 0
        let z = try MirroredSpectrum.filter(residual, what: "\(filter.name) downsampling") { ky, kx in
            let gain = gains.y[ky] * gains.x[kx]
            let rhoSquared = Float(scale * scale) * gain
            guard rhoSquared > threshold else { return (0, 0) }
            let rho = rhoSquared.squareRoot()
            let lambda = min(1, sigmaT * rho / sigmaY)
            injected = max(injected, lambda * sigmaY / rho)
            return (lambda / gain, 0)
        }
        let correction = try expanded(try expanded(z, alongWidth: false), alongWidth: true)
        return (try TensorMath.combine(x0, 1, correction, -1), Double(injected * injected))
    }

    private var noiseThreshold: Float { Float(max(1e-6, 4 * measurementNoise * measurementNoise)) }

    /// ĝ for each frequency index of the mirrored low-resolution grid, per axis (2h rows, w + 1 half-spectrum columns).
    private func axisGains(_ y: Tensor) throws -> (y: [Float], x: [Float]) {
        let g = autocorrelation
        func gains(count n: Int, indices: Int) -> [Float] {
            (0..<indices).map { f in
                var sum = Double(g[0])
                for j in 1..<g.count { sum += 2 * Double(g[j]) * cos(Double.pi * Double(f * j) / Double(n)) }
                return Float(sum)
            }
        }
        return (gains(count: y.shape.height, indices: 2 * y.shape.height), gains(count: y.shape.width, indices: y.shape.width + 1))
    }

    /// g_j = Σ_i h_i h_(i + j·scale) for j >= 0 (g is symmetric).
    private var autocorrelation: [Float] {
        (0...(taps.count - 1) / scale).map { j in
            (0..<taps.count - j * scale).reduce(Float(0)) { $0 + taps[$1] * taps[$1 + j * scale] }
        }
    }

    /// The half-sample mirror of index `i` into 0..<count.
    private func mirrored(_ i: Int, _ count: Int) -> Int {
        let period = 2 * count
        let k = ((i % period) + period) % period
        return k < count ? k : period - 1 - k
    }

    /// One axis filtered and sampled every `scale` pixels.
    private func reduced(_ x: Tensor, alongWidth: Bool) throws -> Tensor {
        let s = x.shape
        let (length, outer, c) = alongWidth ? (s.width, s.height, s.channels) : (s.height, s.width, s.channels)
        let outLength = length / scale
        let out = try Tensor(zeros: alongWidth ? TensorShape(batch: 1, height: s.height, width: outLength, channels: c)
                                               : TensorShape(batch: 1, height: outLength, width: s.width, channels: c))
        for o in 0..<outer {
            for m in 0..<outLength {
                let target = out.data + Self.index(o, m, outLength, outer, alongWidth) * c
                for (t, weight) in taps.enumerated() {
                    let source = x.data + Self.index(o, mirrored(m * scale + first + t, length), length, outer, alongWidth) * c
                    for ch in 0..<c { target[ch] += weight * source[ch] }
                }
            }
        }
        return out
    }

    /// The transpose of `reduced` on the mirrored grid, restricted to the image: each input sample n gathers the
    /// low-resolution samples m (mirrored past the edges) whose window covers it, weighted by h.
    private func expanded(_ z: Tensor, alongWidth: Bool) throws -> Tensor {
        let s = z.shape
        let (length, outer, c) = alongWidth ? (s.width, s.height, s.channels) : (s.height, s.width, s.channels)
        let outLength = length * scale
        let out = try Tensor(zeros: alongWidth ? TensorShape(batch: 1, height: s.height, width: outLength, channels: c)
                                               : TensorShape(batch: 1, height: outLength, width: s.width, channels: c))
        for o in 0..<outer {
            for n in 0..<outLength {
                let target = out.data + Self.index(o, n, outLength, outer, alongWidth) * c
                // m·scale + first <= n < m·scale + first + taps.count
                let lowest = Int((Double(n - first - taps.count + 1) / Double(scale)).rounded(.up))
                let highest = Int((Double(n - first) / Double(scale)).rounded(.down))
                guard lowest <= highest else { continue }
                for m in lowest...highest {
                    let weight = taps[n - m * scale - first]
                    let source = z.data + Self.index(o, mirrored(m, length), length, outer, alongWidth) * c
                    for ch in 0..<c { target[ch] += weight * source[ch] }
                }
            }
        }
        return out
    }

    /// The pixel at position `along` of line `o` of `outer` lines: a row `length` long when filtering along the
    /// width, a column of an image `outer` wide otherwise.
    @inline(__always)
    private static func index(_ o: Int, _ along: Int, _ length: Int, _ outer: Int, _ alongWidth: Bool) -> Int {
        alongWidth ? o * length + along : along * outer + o
    }
}
