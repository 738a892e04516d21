// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Rebuilds the colour of a JPEG from its luma: JPEG keeps chroma at half resolution and, at low quality, little more
/// than one value per 16x16 block, so the decoded colour bleeds across edges that the luma still shows. Each chroma
/// channel (Cb, Cr of full-range BT.601, as JPEG uses) is replaced by the guided filter of He, Sun & Tang (ECCV 2010)
/// with the luma as guide: within every window the chroma is fitted as an affine function of the luma, so colour edges
/// move onto luma edges. The luma is left as it is.
///
/// The diffusion prior does not do this: run on the image it treats the chroma error as noise of the luma's level, and
/// projecting block means of the chroma during sampling measured worse (MODEL_CARD.md, "JPEG").
enum ChromaGuidedFilter {
    /// Filters the [1, H, W, 3] image (values in [-1, 1]) in place. `radius` 0 leaves it unchanged. `epsilon` is the
    /// regularisation of the affine fit in squared [-1, 1] units: larger keeps more of the input chroma in flat areas.
    static func apply(to image: Tensor, radius: Int, epsilon: Float = 4e-4) throws {
        let (height, width) = (image.shape.height, image.shape.width)
        guard radius > 0, image.shape.batch == 1, image.shape.channels == 3, height > 0, width > 0 else { return }
        let pixels = height * width
        let luma = image.lumaPlane()
        let box = BoxMean(height: height, width: width, radius: radius)
        let lumaMean = box(luma)
        let lumaVariance = zip(box(luma.map { $0 * $0 }), lumaMean).map { $0 - $1 * $1 }
        // Cb and Cr are 0.5 / (1 - Luma.blue) (B - Y) and 0.5 / (1 - Luma.red) (R - Y): filter B - Y and R - Y, scale back.
        var differences: [[Float]] = [[], []]
        for (index, channel) in [2, 0].enumerated() {
            let difference = (0..<pixels).map { image.data[3 * $0 + channel] - luma[$0] }
            let differenceMean = box(difference)
            let covariance = box(zip(luma, difference).map { $0 * $1 })
            var slope = [Float](repeating: 0, count: pixels)
            var offset = [Float](repeating: 0, count: pixels)
            for p in 0..<pixels {
                slope[p] = (covariance[p] - lumaMean[p] * differenceMean[p]) / (lumaVariance[p] + epsilon)
                offset[p] = differenceMean[p] - slope[p] * lumaMean[p]
            }
            let (slopeMean, offsetMean) = (box(slope), box(offset))
            differences[index] = (0..<pixels).map { slopeMean[$0] * luma[$0] + offsetMean[$0] }
        }
        // Back to RGB with Y unchanged: G follows from Y = Luma.of(R, G, B).
        for p in 0..<pixels {
            let (y, blue, red) = (luma[p], luma[p] + differences[0][p], luma[p] + differences[1][p])
            let rgb = image.data + 3 * p
            rgb[0] = red
            rgb[1] = (y - Luma.red * red - Luma.blue * blue) / Luma.green
            rgb[2] = blue
        }
    }
}
