// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Where overlapping tiles go along one axis and how their results blend; the network tiles (TiledPredictor) and the
/// image bands (Restorer) both use it.
///
/// Blending: along each side a tile shares with a neighbour, its weight is 0 for the first overlap/4 pixels (where its
/// result lacks context), then rises linearly over overlap/2 pixels to 1. So a pixel's blended value comes only from
/// tiles that see at least overlap/4 pixels around it, and the weights change smoothly, so no seam appears.
struct TileLayout {
    let length: Int
    let tile: Int
    let overlap: Int

    /// Tile starts: a stride of tile - overlap, the last tile flush with the end.
    var starts: [Int] {
        guard length > tile else { return [0] }
        let step = max(tile - overlap, 1)
        var result = Array(stride(from: 0, to: length - tile, by: step))
        result.append(length - tile)
        return result
    }

    /// The blending weight of each of the `tile` pixels of the tile at `start`.
    func weights(start: Int) -> [Float] {
        let margin = overlap / 4, ramp = max(overlap / 2, 1)
        return (0..<tile).map { i in
            var weight: Float = 1
            if start > 0 { weight = min(weight, rise(i, margin, ramp)) }
            if start + tile < length { weight = min(weight, rise(tile - 1 - i, margin, ramp)) }
            return weight
        }
    }

    private func rise(_ distance: Int, _ margin: Int, _ ramp: Int) -> Float {
        distance < margin ? 0 : min(1, Float(distance - margin + 1) / Float(ramp))
    }
}
