// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Bicubic upsampling by an integer factor (Keys' cubic convolution, a = -0.5, edges clamped, pixel centres aligned
/// as in PIL and OpenCV). The super-resolution start: inverting a smooth guess keeps the sampler away from the block
/// edges that the box operator's pseudo-inverse (pixel repetition) would leave; consistency is restored by DDNM anyway.
enum Bicubic {
    static func upsample(_ x: Tensor, scale: Int) throws -> Tensor {
        let s = x.shape
        let (h, w, c) = (s.height * scale, s.width * scale, s.channels)
        let taps = { (size: Int, length: Int) -> [(index: [Int], weight: [Float])] in
            (0..<length).map { o in
                let source = (Float(o) + 0.5) / Float(scale) - 0.5
                let base = Int(source.rounded(.down))
                let t = source - Float(base)
                let weights = [cubic(1 + t), cubic(t), cubic(1 - t), cubic(2 - t)]
                let indices = (-1...2).map { min(max(base + $0, 0), size - 1) }
                return (indices, weights)
            }
        }
        let rows = taps(s.height, h), columns = taps(s.width, w)
        // Horizontal pass, then vertical.
        let wide = try Tensor(uninitialized: TensorShape(batch: 1, height: s.height, width: w, channels: c))
        for y in 0..<s.height {
            for xx in 0..<w {
                for ch in 0..<c {
                    var v: Float = 0
                    for k in 0..<4 { v += columns[xx].weight[k] * x.data[(y * s.width + columns[xx].index[k]) * c + ch] }
                    wide.data[(y * w + xx) * c + ch] = v
                }
            }
        }
        let out = try Tensor(uninitialized: TensorShape(batch: 1, height: h, width: w, channels: c))
        for y in 0..<h {
            for xx in 0..<w {
                for ch in 0..<c {
                    var v: Float = 0
                    for k in 0..<4 { v += rows[y].weight[k] * wide.data[(rows[y].index[k] * w + xx) * c + ch] }
                    out.data[(y * w + xx) * c + ch] = min(max(v, -1), 1)
                }
            }
        }
        return out
    }

    private static func cubic(_ distance: Float) -> Float {
        let (x, a) = (abs(distance), Float(-0.5))
        if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return 0
    }
}
