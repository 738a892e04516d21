// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// How a restoration fits in a memory budget, decided before any work: the image is cut into horizontal bands (full
/// width, overlapping, blended like tiles: `TileLayout`), each restored alone, and the network runs on tiles of at most
/// `tileSize` pixels per side within a band. The whole image is one band whenever it fits, which is then exactly the
/// unbanded restoration. Bands and tiles shrink until the estimate fits; when even the smallest do not,
/// `RestoreError.outOfMemory` is thrown and nothing has started.
///
/// The estimate counts what the library holds, not the caller's input and output buffers: the weights and a fixed
/// allowance for code and oneDNN, the sampler's tensors (`samplerTensors` per band pixel), the network's
/// activations per tile pixel (measured, `ActivationFootprint`), and, with more than one band, a copy of the output
/// in its own format (the caller's output is written only once every band is done) and the blender's running sums.
/// What the budget has left keeps activation buffers for reuse, which makes large tiles up to twice as fast.
struct MemoryPlan {
    struct Band {
        /// Rows of the input image, and of the output (`scale` times them).
        let inputRows: Range<Int>
        let outputRows: Range<Int>
    }

    let bands: [Band]
    /// Output rows that neighbouring bands share (their blending overlap).
    let bandOverlap: Int
    let tileSize: Int
    /// Idle activation bytes the network may keep between passes.
    let activationCache: Int
    /// What the library is expected to hold at most without the activation cache (which fills the rest of the budget).
    let requiredBytes: Int

    /// The library's resident memory besides weights and images: code, oneDNN's kernels and scratch, thread stacks.
    static let libraryBytes = 96 << 20
    /// Float tensors of 3 channels the sampler and the tile blender hold at once, counted generously: the start, the
    /// measurement, x, ε̂, z or x0, the next x, the operator's temporaries, the padded input, the blend sums and their
    /// result. Inpainting's hole fill (`HoleFill`: at most about 60 bytes per pixel, counted from its pyramid, hole
    /// list and sweep buffer; not measured) runs before sampling, beside only the band's input and measurement, so it
    /// stays within this count.
    static let samplerTensors = 16
    /// Banded: the blender's weighted sums (colour, alpha, weight) and the finished rows it hands on.
    static let blendBytesPerPixel = 16 + 12
    /// Deblurring's FFTs on the image mirrored to 2H x 2W (real and complex buffers, per band pixel).
    static let deblurBytesPerPixel = 96
    /// JPEG's busy-region run (`BusyRegionBlend`): its result, and at most four planes at once while the weights are
    /// made (luma, activity, the box mean's two passes).
    static let busyRunBytesPerPixel = 12 + 4 * 4

    struct Request {
        let inputWidth: Int, inputHeight: Int
        let scale: Int
        /// Output channels and bytes per sample (the size of the staging copy).
        let outputChannels: Int, outputSampleBytes: Int
        /// The task's name, for the error.
        let task: String
        /// Blind restoration reads the blur (`BlurEstimator`) besides the noise before the bands.
        var readsBlur = false
        /// The quality preset's `FlipEnsemble`: its mirrored copies.
        var flipEnsemble = false
        /// A layer deblurs (the deblur task, or blind restoration of an image that reads blurred): deblurring's FFTs.
        var deblurs = false
        /// JPEG (the task, or blind that found the blocks) sampled twice (`BusyRegionBlend`).
        var busyRegionRun = false
        /// A layer restores its sub-images apart (`PixelShuffle`).
        var subsamples = false
        /// A layer draws its clipped values back (`ClippedNoise`).
        var unclips = false
        let processAlpha: Bool
        let hasMask: Bool
        let tileSize: Int, tileOverlap: Int
        let sizeMultiple: Int
        let networkBytes: Int
        let footprint: ActivationFootprint
        let budget: Int
    }

    init(_ r: Request) throws {
        let (outputWidth, outputHeight) = (r.inputWidth * r.scale, r.inputHeight * r.scale)
        let inputPixels = r.inputWidth * r.inputHeight
        // Held during the whole call: weights, library, the mask, the noise estimate's coefficients (before the bands).
        let base = Self.libraryBytes + r.networkBytes + (r.hasMask ? inputPixels * 4 : 0)
        // The estimates run one after the other: blind also reads the blur (`BlurEstimator`).
        let estimateBytes = max(NoiseEstimator.workingBytes(pixels: inputPixels),
                                r.readsBlur ? BlurEstimator.workingBytes(width: r.inputWidth) : 0)
        let globalPhase = base + estimateBytes
        var perPixel = Self.samplerTensors * 12 + 4  // + the alpha rows
        if r.deblurs { perPixel += Self.deblurBytesPerPixel }
        if r.flipEnsemble { perPixel += FlipEnsemble.extraTensors * 12 }
        if r.busyRegionRun { perPixel += Self.busyRunBytesPerPixel }
        if r.subsamples { perPixel += PixelShuffle.extraTensors * 12 }
        if r.unclips { perPixel += ClippedNoise.workingBytesPerPixel }
        if r.processAlpha { perPixel += 12 }  // the colour result waits while the alpha runs
        let overlapOut = max(2 * r.tileOverlap, 32)
        let overlapIn = (overlapOut + r.scale - 1) / r.scale
        let staging = outputWidth * outputHeight * r.outputChannels * r.outputSampleBytes
        let multiple = max(r.sizeMultiple, 1)
        var tile = max(multiple, r.tileSize / multiple * multiple)
        var smallest = Int.max
        while true {
            let tileRows = min(tile, Self.roundUp(outputHeight, multiple))
            let tileColumns = min(tile, Self.roundUp(outputWidth, multiple))
            let tilePixels = tileRows * tileColumns
            let network = r.footprint.bytes(pixels: tilePixels) + 2 * 12 * tilePixels  // + the tile and its prediction
            func bandBytes(_ outputRows: Int, banded: Bool) -> Int {
                base + network + outputRows * outputWidth * (perPixel + (banded ? Self.blendBytesPerPixel : 0))
                    + (banded ? staging : 0)
            }
            let whole = bandBytes(outputHeight, banded: false)
            if max(whole, globalPhase) <= r.budget {
                self.init(bands: [Band(inputRows: 0..<r.inputHeight, outputRows: 0..<outputHeight)], bandOverlap: 0,
                          tileSize: tile, required: max(whole, globalPhase), budget: r.budget)
                return
            }
            // The tallest band that fits: cost grows linearly with its rows. A band spans at least 4 overlaps, so only
            // neighbours share rows.
            let fixed = bandBytes(0, banded: true)
            let rowsOut = r.budget > fixed ? (r.budget - fixed) / max(outputWidth * (perPixel + Self.blendBytesPerPixel), 1) : 0
            // Bands of whole network multiples, so that a band needs no padding the whole image would not have.
            let rowsIn = rowsOut / r.scale / multiple * multiple
            if rowsIn >= 4 * overlapIn, globalPhase <= r.budget, rowsIn < r.inputHeight {
                let layout = TileLayout(length: r.inputHeight, tile: rowsIn, overlap: overlapIn)
                let bands = layout.starts.map { start in
                    Band(inputRows: start..<start + rowsIn, outputRows: start * r.scale..<(start + rowsIn) * r.scale)
                }
                self.init(bands: bands, bandOverlap: overlapIn * r.scale, tileSize: tile,
                          required: max(bandBytes(rowsIn * r.scale, banded: true), globalPhase), budget: r.budget)
                return
            }
            smallest = min(smallest, max(bandBytes(4 * overlapIn * r.scale, banded: true), globalPhase))
            // Smaller tiles, down to 64 pixels (below that the tiles' overlap is most of them).
            let next = tile / 2 / multiple * multiple
            guard next >= max(64, multiple), next >= 2 * r.tileOverlap + multiple else { break }
            tile = next
        }
        let needed = smallest >> 20
        throw RestoreError.outOfMemory("a \(r.inputWidth)x\(r.inputHeight) \(r.task) restoration needs at least \(needed + 1) MB "
            + "(model and library included), more than max_memory_mb = \(r.budget >> 20)")
    }

    private init(bands: [Band], bandOverlap: Int, tileSize: Int, required: Int, budget: Int) {
        self.bands = bands
        self.bandOverlap = bandOverlap
        self.tileSize = tileSize
        // All the budget leaves: the pool keeps only buffers passes allocated, and a cap that followed each image's
        // size would free and reallocate them between restorations (resident memory then creeps up).
        activationCache = max(0, budget - required)
        requiredBytes = required
    }

    private static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }
}
