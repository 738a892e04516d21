// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// JPEG error is not spread evenly: flat blocks lose little but their steps, blocks with edges and texture lose most of
/// their detail and ring. One noise level for the whole image is then too much for the first or too little for the
/// second, so the JPEG path samples twice, at a calm and a busy level, and takes each pixel from the busy run in
/// proportion to how busy the compressed image is around it: the mean of |∂Y/∂x| + |∂Y/∂y| (luma on [0, 1]) over a
/// 9x9 window, mapped linearly from `quiet` (weight 0) to `busy` (weight 1).
///
/// On 6 development crops at quality 10 an oracle choice among seven noise levels per 8x8 block gained 0.3 dB over the
/// best single level (per 16x16 block 0.15), and the best level rose with this activity (16/255 in the calmest 60 % of
/// the 16x16 blocks, 25 in the busiest 20 %). The ramp and the busy level (3.8 sqrt(DC step) / 255) gained 0.07-0.18 dB
/// at qualities 10-75 on 21 crops (JPEGTask's rows, MODEL_CARD.md "JPEG").
enum BusyRegionBlend {
    static let radius = 4
    static let quiet: Float = 0.06
    static let busy: Float = 0.2

    /// The busy run's weight at every pixel of the [1, H, W, 3] image (values in [-1, 1]).
    static func weights(of image: Tensor) -> [Float] {
        let (height, width) = (image.shape.height, image.shape.width)
        let pixels = height * width
        guard image.shape.batch == 1, image.shape.channels == 3, pixels > 0 else { return [] }
        let luma = image.lumaPlane()
        // Forward differences, halved from [-1, 1] to [0, 1]; the last row and column have none.
        let activity = (0..<pixels).map { p -> Float in
            let (y, x) = (p / width, p % width)
            let down = y + 1 < height ? abs(luma[p + width] - luma[p]) : 0
            let right = x + 1 < width ? abs(luma[p + 1] - luma[p]) : 0
            return (down + right) / 2
        }
        return BoxMean(height: height, width: width, radius: radius)(activity).map {
            min(max(($0 - quiet) / (busy - quiet), 0), 1)
        }
    }

    /// `calm` becomes (1 − w)·calm + w·busy per pixel; both are [1, H, W, 3] of the weights' size (two runs on one
    /// band; anything else leaves `calm` as it is).
    static func blend(_ calm: Tensor, _ busy: Tensor, weights: [Float]) {
        guard calm.shape == busy.shape, weights.count * 3 == calm.count else { return }
        for (p, w) in weights.enumerated() {
            for c in 0..<3 {
                let i = 3 * p + c
                calm.data[i] += w * (busy.data[i] - calm.data[i])
            }
        }
    }
}
