// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CFFTW
import DreamCleanKernels
import Glibc

/// Deblurring's degradation: convolution with a known kernel (a Gaussian or the user's), with symmetric boundaries.
///
/// The image is mirrored to 2H x 2W, where convolution is circular and therefore diagonal in Fourier space: A = K̂.
/// The pseudo-inverse keeps the frequencies the blur passes, 1/K̂ where |K̂|² > τ, and treats the others as A's null
/// space (DDNM's SVD form), so A A⁺ = I on the pass band. τ grows with the measurement noise (τ = max(1e-6, 4σ_y²)) so
/// that the inverse never amplifies noise more than 1/(2σ_y) times; DDNM+ damps each frequency on its own
/// (`noisyProjection`).
///
/// Limitations: exact only for symmetric kernels (the mirrored image stays mirrored); other kernels are applied the
/// same way, an approximation at the borders.
public struct Blur: MeasurementOperator {
    public let kernel: [Float]
    public let kernelSize: Int
    public let measurementNoise: Double

    /// `kernel` is kernelSize x kernelSize, row-major, odd size; it is normalized to sum 1.
    public init(kernel: [Float], kernelSize: Int, measurementNoise: Double = 0) throws {
        guard kernelSize % 2 == 1, (1...101).contains(kernelSize), kernel.count == kernelSize * kernelSize else {
            throw DiffusionError.invalidOption("kernel", "\(kernel.count) values, size \(kernelSize)", "an odd square kernel, size 1...101")
        }
        let sum = kernel.reduce(0, +)
        guard kernel.allSatisfy({ $0.isFinite }), sum > 0 else {
            throw DiffusionError.invalidOption("kernel", "sum \(sum)", "finite values with a positive sum")
        }
        guard measurementNoise >= 0, measurementNoise.isFinite else {
            throw DiffusionError.invalidOption("noise_sigma", "\(measurementNoise)", ">= 0")
        }
        self.kernel = kernel.map { $0 / sum }
        self.kernelSize = kernelSize
        self.measurementNoise = measurementNoise
    }

    /// A Gaussian kernel of standard deviation `sigma` pixels, truncated at 3 sigma.
    public static func gaussian(sigma: Double, measurementNoise: Double = 0) throws -> Blur {
        guard sigma > 0, sigma <= 16 else { throw DiffusionError.invalidOption("blur_sigma", "\(sigma)", "(0, 16]") }
        let radius = Int((3 * sigma).rounded(.up))
        let size = 2 * radius + 1
        let values = (0..<size * size).map { i -> Float in
            let (dy, dx) = (Double(i / size - radius), Double(i % size - radius))
            return Float(exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)))
        }
        return try Blur(kernel: values, kernelSize: size, measurementNoise: measurementNoise)
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try filtered(x) { k in k }
    }

    public func pseudoInverse(_ y: Tensor) throws -> Tensor {
        try filtered(y) { k in inverse(k, weight: { _ in 1 }) }
    }

    /// DDNM+ per frequency: A⁺ carries the noise at frequency f as σ_y / |K̂_f|, so each frequency gets its own
    /// λ_f = min(1, σ_t |K̂_f| / σ_y) (the SVD form of Wang et al. 2023, whose singular values here are |K̂_f|). One λ for
    /// the whole image would either let the weakly passed frequencies amplify noise or hold back the strong ones.
    public func noisyProjection(_ x0: Tensor, onto y: Tensor, noiseLevel: Double) throws -> (x0: Tensor, injectedVariance: Double) {
        guard measurementNoise > 0 else { return (try project(x0, onto: y), 0) }
        let (sigmaY, sigmaT) = (Float(measurementNoise), Float(max(0, noiseLevel)))
        var injected: Float = 0
        let residual = try TensorMath.combine(try forward(x0), 1, y, -1)
        let correction = try filtered(residual) { k in
            inverse(k) { magnitude in
                let lambda = min(1, sigmaT * magnitude / sigmaY)
                injected = max(injected, lambda * sigmaY / magnitude)  // the standard deviation λ_f σ_y / |K̂_f|
                return lambda
            }
        }
        return (try TensorMath.combine(x0, 1, correction, -1), Double(injected * injected))
    }

    /// weight(|K̂|) / K̂ on the pass band |K̂|² > τ, else 0. τ grows with the measurement noise (τ = max(1e-6, 4σ_y²)),
    /// so that even undamped the inverse amplifies noise at most 1 / (2σ_y) times.
    private func inverse(_ k: (real: Float, imaginary: Float), weight: (Float) -> Float) -> (Float, Float) {
        let threshold = Float(max(1e-6, 4 * measurementNoise * measurementNoise))
        let power = k.real * k.real + k.imaginary * k.imaginary
        guard power > threshold else { return (0, 0) }
        let w = weight(power.squareRoot())
        return (w * k.real / power, -w * k.imaginary / power)
    }

    /// Multiplies each channel's spectrum (on the mirrored image, `MirroredSpectrum`) by `response(K̂)`.
    private func filtered(_ x: Tensor, _ response: ((real: Float, imaginary: Float)) -> (Float, Float)) throws -> Tensor {
        let (eh, ew) = (2 * x.shape.height, 2 * x.shape.width)
        let kernelSpectrum = try self.kernelSpectrum(height: eh, width: ew)
        let spectrumWidth = ew / 2 + 1
        return try MirroredSpectrum.filter(x, what: "blur") { ky, kx in
            let k = kernelSpectrum.pointer[ky * spectrumWidth + kx]
            return response((k.0, k.1))
        }
    }

    /// The kernel's spectrum on an eh x ew grid (centred at the origin, wrapped): eh x (ew / 2 + 1) values.
    private func kernelSpectrum(height eh: Int, width ew: Int) throws -> FFTBuffer<fftwf_complex> {
        guard kernelSize <= eh, kernelSize <= ew else {
            throw DiffusionError.shapeMismatch(what: "blur kernel", expected: "at most the mirrored image size", found: "\(kernelSize)")
        }
        let spectrumWidth = ew / 2 + 1
        let real = try FFTBuffer<Float>(count: eh * ew), spectrum = try FFTBuffer<fftwf_complex>(count: eh * spectrumWidth)
        real.pointer.initialize(repeating: 0, count: eh * ew)
        let r = kernelSize / 2
        for ky in 0..<kernelSize {
            for kx in 0..<kernelSize {
                real.pointer[((ky - r + eh) % eh) * ew + (kx - r + ew) % ew] += kernel[ky * kernelSize + kx]
            }
        }
        let plans = try FFTPlans(height: eh, width: ew, real: real, spectrum: spectrum)
        defer { plans.destroy() }
        fftwf_execute(plans.forward)
        return spectrum
    }
}

/// FFTW-aligned storage, freed with the buffer; an allocation that fails is an error.
final class FFTBuffer<Element> {
    let pointer: UnsafeMutablePointer<Element>

    init(count: Int) throws {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !overflow, let raw = fftwf_malloc(bytes) as UnsafeMutableRawPointer? else {
            throw DiffusionError.outOfMemory(bytes: bytes)
        }
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    deinit { fftwf_free(pointer) }
}

/// A forward (real to complex) and backward plan pair for one buffer pair. FFTW's planner is not thread-safe, so
/// planning and destruction take a process-wide lock; executing plans is thread-safe.
struct FFTPlans {
    private static let plannerLock = Lock()
    let forward: fftwf_plan
    let backward: fftwf_plan

    init(height: Int, width: Int, real: FFTBuffer<Float>, spectrum: FFTBuffer<fftwf_complex>) throws {
        let flags = UInt32(FFTW_ESTIMATE)
        let (forward, backward) = Self.plannerLock.withLock {
            (fftwf_plan_dft_r2c_2d(Int32(height), Int32(width), real.pointer, spectrum.pointer, flags),
             fftwf_plan_dft_c2r_2d(Int32(height), Int32(width), spectrum.pointer, real.pointer, flags))
        }
        guard let forward, let backward else {
            Self.destroy([forward, backward])
            throw DiffusionError.invalidOption("fft size", "\(height)x\(width)", "a size FFTW can plan")
        }
        self.forward = forward
        self.backward = backward
    }

    func destroy() { Self.destroy([forward, backward]) }

    private static func destroy(_ plans: [fftwf_plan?]) {
        plannerLock.withLock { plans.forEach { if let plan = $0 { fftwf_destroy_plan(plan) } } }
    }
}
