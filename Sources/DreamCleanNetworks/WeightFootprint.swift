// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// What memory planning needs to know of a network's weights: how many, and whether its file stored every one as f16
/// (then a bf16 convolution's exact copy is f16 too: `ConvolutionPrecision.bytesPerWeight`).
public struct WeightFootprint: Sendable {
    public let count: Int
    public let storedInF16: Bool

    init(_ file: SafeTensorsFile) {
        count = file.entries.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
        storedInF16 = file.entries.values.allSatisfy { $0.dtype == "F16" }
    }

    /// Bytes held while convolutions run at `precision`, every weight counted as a convolution's (the others, held in
    /// f32, take no more).
    public func bytes(at precision: ConvolutionPrecision) -> Int { count * precision.bytesPerWeight(exactInF16: storedInF16) }
}
