// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Pixel-shuffle down-sampling (after Zhou et al., "When AWGN-based denoiser meets real noises", AAAI 2020): an image
/// as its stride x stride sub-images, sub-image (i, j) holding the pixels (i + stride y, j + stride x). A camera's
/// noise is correlated over the 2-3 pixels demosaicing spreads it across; in a sub-image neighbours were `stride`
/// pixels apart, so its noise is much closer to the white noise the prior was trained to remove.
enum PixelShuffle {
    /// Extra float tensors of the image's size it holds besides the sampler's own: the sub-images and the merged result.
    static let extraTensors = 2

    /// The sub-images of a [1, H, W, C] tensor, row-major by (i, j); those of the first rows and columns are one pixel
    /// larger when H or W is not a multiple of the stride. `stride` is at most H and W (no sub-image is empty).
    static func split(_ x: Tensor, stride: Int) throws -> [Tensor] {
        let s = x.shape
        var parts: [Tensor] = []
        for i in 0..<stride {
            for j in 0..<stride {
                let part = try Tensor(uninitialized: TensorShape(batch: 1, height: count(s.height, i, stride),
                                                                 width: count(s.width, j, stride), channels: s.channels))
                copy(part, x, offsetY: i, offsetX: j, stride: stride, toParts: true)
                parts.append(part)
            }
        }
        return parts
    }

    /// The image `split` took apart, of shape `shape`, from its (restored) sub-images.
    static func merge(_ parts: [Tensor], stride: Int, shape: TensorShape) throws -> Tensor {
        let out = try Tensor(uninitialized: shape)
        for i in 0..<stride {
            for j in 0..<stride { copy(parts[i * stride + j], out, offsetY: i, offsetX: j, stride: stride, toParts: false) }
        }
        return out
    }

    /// Pixels at `offset` + k x stride along a side of `length`.
    private static func count(_ length: Int, _ offset: Int, _ stride: Int) -> Int { (length - offset + stride - 1) / stride }

    private static func copy(_ part: Tensor, _ image: Tensor, offsetY: Int, offsetX: Int, stride: Int, toParts: Bool) {
        let (c, width) = (image.shape.channels, image.shape.width)
        for y in 0..<part.shape.height {
            for x in 0..<part.shape.width {
                let whole = image.data + (((offsetY + stride * y) * width) + offsetX + stride * x) * c
                let sub = part.data + (y * part.shape.width + x) * c
                if toParts { sub.update(from: whole, count: c) } else { whole.update(from: sub, count: c) }
            }
        }
    }
}
