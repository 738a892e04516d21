// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CFFTW
import DreamCleanKernels

/// Filtering in Fourier space with symmetric boundaries: each channel of a [1, H, W, C] image is mirrored to 2H x 2W,
/// where convolution is circular and so diagonal, transformed (FFTW, real to complex), multiplied and transformed
/// back. The operators whose A or A Aᵀ is a convolution (`Blur`, `ResamplingDownsampling`) use it.
enum MirroredSpectrum {
    /// Multiplies the spectrum by `response(ky, kx)` (complex, as (real, imaginary)) at each frequency index of the
    /// 2H x (W + 1) half spectrum; `what` names the operator in shape errors.
    static func filter(_ x: Tensor, what: String, response: (Int, Int) -> (Float, Float)) throws -> Tensor {
        let (h, w, c) = (x.shape.height, x.shape.width, x.shape.channels)
        guard x.shape.batch == 1, h > 0, w > 0 else {
            throw DiffusionError.shapeMismatch(what: "\(what) input", expected: "[1, H, W, C]", found: x.shape.description)
        }
        let (eh, ew) = (2 * h, 2 * w)
        let spectrumWidth = ew / 2 + 1
        let real = try FFTBuffer<Float>(count: eh * ew), spectrum = try FFTBuffer<fftwf_complex>(count: eh * spectrumWidth)
        let plans = try FFTPlans(height: eh, width: ew, real: real, spectrum: spectrum)
        defer { plans.destroy() }
        var responses = [(Float, Float)](repeating: (0, 0), count: eh * spectrumWidth)
        for ky in 0..<eh { for kx in 0..<spectrumWidth { responses[ky * spectrumWidth + kx] = response(ky, kx) } }
        let out = try Tensor(uninitialized: x.shape)
        let scale = 1 / Float(eh * ew)
        for channel in 0..<c {
            for y in 0..<eh {
                let sy = y < h ? y : eh - 1 - y
                for xx in 0..<ew {
                    let sx = xx < w ? xx : ew - 1 - xx
                    real.pointer[y * ew + xx] = x.data[(sy * w + sx) * c + channel]
                }
            }
            fftwf_execute(plans.forward)
            for i in 0..<eh * spectrumWidth {
                let (kr, ki) = responses[i]
                let (sr, si) = (spectrum.pointer[i].0, spectrum.pointer[i].1)
                spectrum.pointer[i] = (sr * kr - si * ki, sr * ki + si * kr)
            }
            fftwf_execute(plans.backward)
            for y in 0..<h {
                for xx in 0..<w { out.data[(y * w + xx) * c + channel] = real.pointer[y * ew + xx] * scale }
            }
        }
        return out
    }
}
