// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads how hard a decoded JPEG was compressed from its pixels alone: JPEG rounds the DC coefficient of every 8x8
/// luma block (8 x the block's mean luma, minus 1024) to a multiple of one step, which grows as the quality falls
/// (libjpeg's standard table: 16 x 50 / quality below 50, so 80 at quality 10, 27 at 30, 16 at 50, 8 at 75). The decoded
/// block means still sit on that lattice, up to rounding, so the step is the largest period the means share.
/// The 8x8 grid is searched too, for an image cropped after compression.
enum JPEGQualityEstimator {
    /// The DC quantization step of the image's luma (4...255), or nil when its block means share no period: not a
    /// JPEG, one of quality above about 90, or one altered after decoding (resized, filtered, noise added).
    static func dcStep(of image: ImageBuffer) -> Int? {
        guard image.width >= 16, image.height >= 16 else { return nil }
        for (offsetY, offsetX) in gridOffsets {
            let means = blockMeans(image, offsetX: offsetX, offsetY: offsetY)
            if let step = period(of: means) { return step }
        }
        return nil
    }

    /// The aligned grid first (an uncropped JPEG), then the other 63.
    private static let gridOffsets = (0..<8).flatMap { y in (0..<8).map { x in (y, x) } }

    /// The DC coefficients, 8 x (block mean - 128) in 0...255 luma units, of at most `sampledBlocks` blocks spread
    /// over the image (agreement off the lattice is about 1 / sqrt(blocks) = 0.03: more only cost time).
    private static func blockMeans(_ image: ImageBuffer, offsetX: Int, offsetY: Int) -> [Double] {
        let (columns, rows) = ((image.width - offsetX) / 8, (image.height - offsetY) / 8)
        let stride = max(1, Int((Double(columns * rows) / Double(sampledBlocks)).squareRoot().rounded(.up)))
        var coefficients: [Double] = []
        for blockY in Swift.stride(from: 0, to: rows, by: stride) {
            for blockX in Swift.stride(from: 0, to: columns, by: stride) {
                var sum = 0.0
                for y in 0..<8 {
                    for x in 0..<8 { sum += 255 * Double(image.luma(offsetX + 8 * blockX + x, offsetY + 8 * blockY + y)) }
                }
                coefficients.append(8 * (sum / 64 - 128))
            }
        }
        return coefficients
    }

    private static let sampledBlocks = 1024

    /// The largest step q whose lattice the values sit on: |mean of exp(2πi v/q)| at least `agreement`, with the
    /// values spread over at least q (else any large q would fit a flat image), refined to the best-agreeing q just
    /// below it (q + 1 ... q + 4 agree nearly as well as q when the values span only a few multiples).
    /// Each distinct value counts once: blocks of one flat colour (a clipped sky, a graphic's background) share any
    /// period, and counted per block they would make one up. At least `latticePoints` multiples must be occupied.
    private static func period(of blockValues: [Double]) -> Int? {
        var values: [Double] = []
        for value in blockValues.sorted() where values.last.map({ value - $0 > 0.25 }) ?? true { values.append(value) }
        guard values.count >= 8, let low = values.first, let high = values.last, high - low >= 4 else { return nil }
        let scores = (4...min(255, Int(high - low))).map { (step: $0, agreement: agreement(values, step: $0)) }
        let needed = max(Self.agreement, (Self.chanceExponent / Double(values.count)).squareRoot())
        guard let largest = scores.last(where: { $0.agreement >= needed }) else { return nil }
        let near = scores.filter { $0.step >= Int(Double(largest.step) * 0.85) && $0.step <= largest.step }
        guard let step = near.max(by: { $0.agreement < $1.agreement })?.step else { return nil }
        let occupied = Set(values.map { Int(($0 / Double(step)).rounded()) })
        return occupied.count >= latticePoints ? step : nil
    }

    /// Fewer occupied multiples than 5 cannot tell a lattice from a few colours that happen to line up.
    private static let latticePoints = 5

    /// 0.7: JPEG blocks measure above 0.9 (8-bit rounding and clipping move a mean by about 0.3); blocks of an image
    /// that is not a JPEG, below 0.1 (noise of 1 / sqrt(blocks)).
    private static let agreement = 0.7

    /// Few values need more: n values off any lattice agree by chance with probability exp(-n a^2) at least a (the
    /// Rayleigh tail), tried for 252 steps on 64 grids; a^2 n >= 14.3 keeps the chance of a false JPEG in an image
    /// below 1 % (a 32x32 upscale's 16 blocks read as a JPEG before: they now need 0.95).
    private static let chanceExponent = 14.3

    private static func agreement(_ values: [Double], step: Int) -> Double {
        var (cosines, sines) = (0.0, 0.0)
        for value in values {
            let phase = 2 * Double.pi * value / Double(step)
            cosines += cos(phase)
            sines += sin(phase)
        }
        return (cosines * cosines + sines * sines).squareRoot() / Double(values.count)
    }
}
