// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Joins the restored bands of one image, top to bottom: each band's rows are added with `TileLayout`'s weights to
/// running sums, and a row is normalized and handed on once no later band covers it.
struct BandBlender {
    /// Output rows: colour [1, R, W, 3] in [-1, 1] and, when the image has one, alpha (R x W in [0, 1]).
    struct Rows {
        var color: Tensor
        var alpha: [Float]?
    }

    let layout: TileLayout
    let width: Int
    /// Weighted sums of the rows from `pendingStart` on that a later band may still add to.
    private var pendingStart = 0
    private var colorSums: [Float] = []
    private var alphaSums: [Float] = []
    private var weights: [Float] = []

    init(outputHeight: Int, bandRows: Int, overlap: Int, width: Int) {
        layout = TileLayout(length: outputHeight, tile: bandRows, overlap: overlap)
        self.width = width
    }

    /// Adds the band at output rows `rows` (`nextStart`: where the next band begins, nil for the last one) and returns
    /// the rows that are final, starting at the band's first row.
    mutating func add(_ band: Rows, rows: Range<Int>, nextStart: Int?) throws -> Rows {
        let bandWeights = layout.weights(start: rows.lowerBound)
        let (rowValues, hasAlpha) = (width * 3, band.alpha != nil)
        let pendingEnd = pendingStart + weights.count
        if rows.upperBound > pendingEnd {
            let added = rows.upperBound - pendingEnd
            colorSums += [Float](repeating: 0, count: added * rowValues)
            if hasAlpha { alphaSums += [Float](repeating: 0, count: added * width) }
            weights += [Float](repeating: 0, count: added)
        }
        for row in rows {
            let (local, slot) = (row - rows.lowerBound, row - pendingStart)
            let w = bandWeights[local]
            weights[slot] += w
            for v in 0..<rowValues { colorSums[slot * rowValues + v] += w * band.color.data[local * rowValues + v] }
            if let alpha = band.alpha { for x in 0..<width { alphaSums[slot * width + x] += w * alpha[local * width + x] } }
        }
        let finalCount = (nextStart ?? (pendingStart + weights.count)) - pendingStart
        let color = try Tensor(uninitialized: TensorShape(batch: 1, height: finalCount, width: width, channels: 3))
        var alpha: [Float]? = hasAlpha ? [Float](repeating: 0, count: finalCount * width) : nil
        for slot in 0..<finalCount {
            let w = weights[slot]
            for v in 0..<rowValues { color.data[slot * rowValues + v] = colorSums[slot * rowValues + v] / w }
            if hasAlpha { for x in 0..<width { alpha?[slot * width + x] = alphaSums[slot * width + x] / w } }
        }
        colorSums.removeFirst(finalCount * rowValues)
        if hasAlpha { alphaSums.removeFirst(finalCount * width) }
        weights.removeFirst(finalCount)
        pendingStart += finalCount
        return Rows(color: color, alpha: alpha)
    }
}
