// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What a model tells tiling (config.json's `tiling`, and its UNet's convolutions): the crops it was trained on and
/// how far its convolutions reach. A network built in code states neither.
public struct ModelTilingHint: Sendable, Equatable {
    /// The side of its training crops, in pixels (nil: not stated).
    public var trainingSize: Int?
    /// How far (radius, pixels) an output pixel sees through the convolutions (nil: not known).
    public var reach: Int?

    public init(trainingSize: Int? = nil, reach: Int? = nil) {
        self.trainingSize = trainingSize
        self.reach = reach
    }
}

/// The tile side and blend overlap a restoration asks the memory plan for: the options' when given, else the model's.
///
/// The tile follows the training size: GroupNorm normalizes each tile by its own statistics, and a network trained on
/// small crops restores whole photos best on tiles near them (the default model, 48-pixel crops: tiles of 64-128
/// measured best, one pass 1.0 dB worse; MODEL_CARD.md, "Tiles"). So: the power of two at least twice the training
/// size, 512 when unstated. The overlap is the convolutions' reach, at most 64 and an eighth of the tile: overlaps of
/// 8 to 48 px at 128-px tiles measured within 0.01 dB on whole camera photos, and every overlapping pixel is evaluated
/// at least twice (a 12 MP photo: an eighth of the tile took 25 % less time than a quarter; docs/performance.md).
struct TileChoice: Equatable {
    let tile: Int
    let overlap: Int
    /// Where the tile comes from, for the plan's warning when memory makes tiles smaller.
    let origin: String

    static let unstatedTile = 512
    /// tile_size's largest value.
    static let largestTile = 4096
    static let largestOverlap = 64

    init(options: RestoreOptions, hint: ModelTilingHint) throws {
        if let given = options.tileSize {
            tile = given
            origin = "tile_size"
        } else if let trainingSize = hint.trainingSize {
            var power = 64
            while power < 2 * trainingSize && power < Self.largestTile { power *= 2 }
            tile = power
            origin = "this model's tiles (twice its training crops of \(trainingSize) px)"
        } else {
            tile = Self.unstatedTile
            origin = "the default tiles"
        }
        overlap = options.tileOverlap ?? min(hint.reach ?? Self.largestOverlap, Self.largestOverlap, tile / 8)
        guard overlap < tile / 2 else {
            throw RestoreError.invalidOption(name: "tile_overlap", value: "\(overlap)", allowed: "less than half the tile (\(tile) px)")
        }
    }
}
