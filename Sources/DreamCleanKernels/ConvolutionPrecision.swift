// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What a backend's convolutions compute in. `bf16` rounds each convolution's input and weights to bfloat16 (8
/// significant bits) and accumulates in f32, where the CPU multiplies bf16 natively (AVX-512 BF16, AMX); elsewhere, and
/// on backends without it, convolutions stay in f32.
public enum ConvolutionPrecision: String, Sendable, Hashable, CaseIterable {
    case f32
    case bf16

    /// Bytes a convolution holds per weight (`ConvolutionWeights`): in f32 4; in bf16 its bf16 layout's 2 and the exact
    /// copy's, 2 where the weights are f16 values, else 4.
    public func bytesPerWeight(exactInF16: Bool) -> Int {
        switch self {
        case .f32: MemoryLayout<Float>.stride
        case .bf16: 2 + (exactInF16 ? 2 : MemoryLayout<Float>.stride)
        }
    }
}
