// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Evaluates a network on an image of any size: reflect-pads it to the network's size multiple and, when it is larger
/// than one tile, runs the network on overlapping tiles and blends their noise predictions.
///
/// Tiles blend as `TileLayout` describes: a network whose receptive field is within overlap/4 gives exactly its untiled
/// result.
struct TiledPredictor {
    let network: any NoiseNetwork
    let tileSize: Int
    let overlap: Int
    /// Called before each tile; throws to stop (cancellation).
    let checkpoint: () throws -> Void

    func callAsFunction(_ x: Tensor, _ t: Int) throws -> Tensor {
        // x: [1, H, W, C] (pixels, or a latent model's latents)
        let (h, w, channels) = (x.shape.height, x.shape.width, x.shape.channels)
        let m = max(network.sizeMultiple, 1)
        let tile = max(m, tileSize / m * m)
        // The same reflect padding whether or not the image is tiled, so that tiles see what the whole image would.
        let (paddedH, paddedW) = (roundUp(h, m), roundUp(w, m))
        let (tileH, tileW) = (min(tile, paddedH), min(tile, paddedW))
        let padded = try Self.reflectPadded(x, height: paddedH, width: paddedW)
        let vertical = TileLayout(length: paddedH, tile: tileH, overlap: overlap)
        let horizontal = TileLayout(length: paddedW, tile: tileW, overlap: overlap)
        let rows = vertical.starts, columns = horizontal.starts
        if rows.count == 1 && columns.count == 1 {
            try checkpoint()
            return try Self.cropped(try network.predictNoise(padded, timestep: t), height: h, width: w)
        }
        // Tensors, not arrays: an allocation that fails is an error (a Swift array's failure aborts the host).
        let sum = try Tensor(zeros: TensorShape(batch: 1, height: paddedH, width: paddedW, channels: channels))
        let weightSum = try Tensor(zeros: TensorShape(batch: 1, height: paddedH, width: paddedW, channels: 1))
        for top in rows {
            for left in columns {
                try checkpoint()
                let piece = try Self.cropped(padded, top: top, left: left, height: tileH, width: tileW)
                let eps = try network.predictNoise(piece, timestep: t)
                let wy = vertical.weights(start: top), wx = horizontal.weights(start: left)
                for y in 0..<tileH {
                    for xx in 0..<tileW {
                        let weight = wy[y] * wx[xx]
                        guard weight > 0 else { continue }
                        let p = (top + y) * paddedW + left + xx
                        weightSum.data[p] += weight
                        for c in 0..<channels { sum.data[p * channels + c] += weight * eps.data[(y * tileW + xx) * channels + c] }
                    }
                }
            }
        }
        let out = try Tensor(uninitialized: x.shape)
        for y in 0..<h {
            for xx in 0..<w {
                let p = y * paddedW + xx
                for c in 0..<channels { out.data[(y * w + xx) * channels + c] = sum.data[p * channels + c] / weightSum.data[p] }
            }
        }
        return out
    }

    private func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }

    /// x reflected (without repeating the edge pixel) to height x width, anchored at the top left.
    static func reflectPadded(_ x: Tensor, height: Int, width: Int) throws -> Tensor {
        let (h, w, c) = (x.shape.height, x.shape.width, x.shape.channels)
        if h == height && w == width { return x }
        let out = try Tensor(uninitialized: TensorShape(batch: 1, height: height, width: width, channels: c))
        for y in 0..<height {
            let sy = reflect(y, h)
            for xx in 0..<width {
                (out.data + (y * width + xx) * c).update(from: x.data + (sy * w + reflect(xx, w)) * c, count: c)
            }
        }
        return out
    }

    private static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        let r = i % period
        return r < n ? r : period - r
    }

    static func cropped(_ x: Tensor, top: Int = 0, left: Int = 0, height: Int, width: Int) throws -> Tensor {
        let (w, c) = (x.shape.width, x.shape.channels)
        if top == 0 && left == 0 && height == x.shape.height && width == w { return x }
        let out = try Tensor(uninitialized: TensorShape(batch: 1, height: height, width: width, channels: c))
        for y in 0..<height {
            (out.data + y * width * c).update(from: x.data + ((top + y) * w + left) * c, count: width * c)
        }
        return out
    }
}
