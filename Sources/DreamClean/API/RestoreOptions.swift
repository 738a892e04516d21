// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanDiffusion
import DreamCleanKernels

/// Everything a restoration can be told. Values left nil come from the preset for the task.
public struct RestoreOptions: Sendable {
    public var task: RestoreTask = .blind
    public var preset: RestorePreset = .balanced
    /// DDIM steps K each way.
    public var steps: Int?
    /// Depth τ/T in (0, 1]; nil: the preset's, or from the image's noise level for blind, denoise and jpeg.
    public var strength: Double?
    /// VPS step γ in [0, 1).
    public var gamma: Double?
    /// VPS corrections per step, M.
    public var vpsIterations: Int?
    /// How the sampler reaches its depth; nil: the preset's (`DreamCleanSampler.Start`).
    public var start: DreamCleanSampler.Start?
    /// Random seed; nil draws one from the system (the C API's -1).
    public var seed: UInt64?
    /// sr: integer upscaling factor.
    public var scale: Int = 2
    /// denoise: noise standard deviation on the [0, 1] pixel scale (e.g. 25/255); nil: estimated.
    public var noiseSigma: Double?
    /// deblur: standard deviation in pixels of the Gaussian blur (ignored when `blurKernel` is given).
    public var blurSigma: Double = 1.6
    /// deblur: a square, odd-sized kernel, row-major (normalized to sum 1).
    public var blurKernel: [Float]?
    /// inpaint: [H, W] weights, 1 where the pixel is known, 0 where it is missing (row-major).
    public var mask: [Float]?
    /// Network input tiles of at most this many pixels per side (a multiple of the network's size multiple); larger
    /// images are evaluated tile by tile with blended overlaps, which bounds memory.
    public var tileSize: Int = 512
    /// Pixels shared by neighbouring tiles.
    public var tileOverlap: Int = 64
    /// Restore the alpha channel too instead of passing it through.
    public var processAlpha = false
    /// Memory the library may hold during the call besides the input and output buffers, in MiB (`MemoryPlan`).
    /// Larger images are restored in bands; the layout depends on this limit, and so may the result, slightly.
    public var memoryLimitMB: Int = RestoreOptions.defaultMemoryLimitMB

    /// 2 GiB: a 512x512 restoration with the default model runs untiled with every activation buffer kept, and an
    /// 8192x8192 one runs in bands.
    public static let defaultMemoryLimitMB = 2048
    public static let memoryLimitRange = 16...(1 << 30)

    public init(task: RestoreTask = .blind, preset: RestorePreset = .balanced) {
        self.task = task
        self.preset = preset
    }

    /// How many times larger than the input the output is.
    var outputScale: Int { task == .sr ? scale : 1 }

    /// The checks that need no image: each error names the option and its allowed range.
    func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any?, _ allowed: String) throws {
            if !ok { throw RestoreError.invalidOption(name: name, value: "\(value.map { "\($0)" } ?? "nil")", allowed: allowed) }
        }
        if let steps { try check((1...1000).contains(steps), "steps", steps, "1...1000") }
        if let strength { try check(strength > 0 && strength <= 1, "strength", strength, "(0, 1]") }
        if let gamma { try check(gamma >= 0 && gamma < 1, "gamma", gamma, "[0, 1)") }
        if let vpsIterations { try check((0...10).contains(vpsIterations), "vps_iters", vpsIterations, "0...10") }
        try check((1...16).contains(scale), "scale", scale, "1...16")
        if let noiseSigma { try check(noiseSigma >= 0 && noiseSigma <= 1, "noise_sigma", noiseSigma, "[0, 1]") }
        try check((32...4096).contains(tileSize), "tile_size", tileSize, "32...4096")
        try check(tileOverlap >= 0 && tileOverlap < tileSize / 2, "tile_overlap", tileOverlap, "0 ..< tile_size / 2")
        try check(Self.memoryLimitRange.contains(memoryLimitMB), "max_memory_mb", memoryLimitMB,
                  "\(Self.memoryLimitRange.lowerBound)...\(Self.memoryLimitRange.upperBound)")
        if let mask { try check(mask.allSatisfy { $0.isFinite }, "mask", "non-finite values", "finite weights") }
        try check(blurSigma > 0 && blurSigma <= 16, "blur_sigma", blurSigma, "(0, 16]")
        if let blurKernel {
            let size = Int(Double(blurKernel.count).squareRoot())
            try check(size * size == blurKernel.count && size % 2 == 1, "blur_kernel", "\(blurKernel.count) values", "an odd square kernel")
        }
    }
}
