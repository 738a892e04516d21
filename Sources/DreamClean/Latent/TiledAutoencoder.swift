// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels
import DreamCleanNetworks

/// The autoencoder on an image of any size within memory: whole when it fits, else on overlapping tiles (laid out in
/// latent positions, so that every image tile maps onto whole latent positions) whose results blend with
/// `TileLayout`'s weights, as diffusers' VAE tiling does. Each tile normalizes over itself, so a tiled result differs a
/// little from the whole one; the blend keeps that difference free of seams.
struct TiledAutoencoder {
    let autoencoder: AutoencoderKL
    /// Tile side and overlap in latent positions; a tile at least the latent's size runs the whole image.
    let tile: Int
    let overlap: Int
    /// Called before each tile; throws to stop (cancellation).
    let checkpoint: () throws -> Void

    var factor: Int { autoencoder.config.downsampling }

    /// image [1, H, W, 3], H and W multiples of `factor` -> latents [1, H / f, W / f, latent channels].
    func encode(_ image: Tensor) throws -> Tensor {
        try blend(latentHeight: image.shape.height / factor, latentWidth: image.shape.width / factor, outputScale: 1,
                  outputChannels: autoencoder.config.latentChannels) { top, left, height, width in
            let f = factor
            return try autoencoder.encode(try TiledPredictor.cropped(image, top: top * f, left: left * f, height: height * f, width: width * f))
        }
    }

    /// latents [1, h, w, latent channels] -> image [1, h * f, w * f, 3].
    func decode(_ latent: Tensor) throws -> Tensor {
        try blend(latentHeight: latent.shape.height, latentWidth: latent.shape.width, outputScale: factor,
                  outputChannels: autoencoder.config.inChannels) { top, left, height, width in
            try autoencoder.decode(try TiledPredictor.cropped(latent, top: top, left: left, height: height, width: width))
        }
    }

    /// Runs `pass` on each latent-position tile (top, left, height, width) and blends its output, `outputScale` times
    /// the tile's size, into one tensor.
    private func blend(latentHeight: Int, latentWidth: Int, outputScale s: Int, outputChannels c: Int,
                       pass: (Int, Int, Int, Int) throws -> Tensor) throws -> Tensor {
        let (tileH, tileW) = (min(tile, latentHeight), min(tile, latentWidth))
        let vertical = TileLayout(length: latentHeight * s, tile: tileH * s, overlap: overlap * s)
        let horizontal = TileLayout(length: latentWidth * s, tile: tileW * s, overlap: overlap * s)
        let (rows, columns) = (vertical.starts, horizontal.starts)
        if rows.count == 1 && columns.count == 1 {
            try checkpoint()
            return try pass(0, 0, latentHeight, latentWidth)
        }
        let (height, width) = (latentHeight * s, latentWidth * s)
        let sum = try Tensor(zeros: TensorShape(batch: 1, height: height, width: width, channels: c))
        let weightSum = try Tensor(zeros: TensorShape(batch: 1, height: height, width: width, channels: 1))
        for top in rows {
            for left in columns {
                try checkpoint()
                let piece = try pass(top / s, left / s, tileH, tileW)
                let (pieceH, pieceW) = (tileH * s, tileW * s)
                let wy = vertical.weights(start: top), wx = horizontal.weights(start: left)
                for y in 0..<pieceH {
                    for x in 0..<pieceW {
                        let weight = wy[y] * wx[x]
                        guard weight > 0 else { continue }
                        let p = (top + y) * width + left + x
                        weightSum.data[p] += weight
                        for k in 0..<c { sum.data[p * c + k] += weight * piece.data[(y * pieceW + x) * c + k] }
                    }
                }
            }
        }
        for p in 0..<height * width {
            for k in 0..<c { sum.data[p * c + k] /= weightSum.data[p] }
        }
        return sum
    }
}
