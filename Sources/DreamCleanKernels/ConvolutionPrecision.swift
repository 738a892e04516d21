// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// What a backend's convolutions compute in. `bf16` rounds each convolution's input and weights to bfloat16 (8
/// significant bits) and accumulates in f32, where the CPU multiplies bf16 natively (AVX-512 BF16, AMX). `int8`
/// quantizes a convolution's input to 8-bit integers with the scale its calibration gives (`Int8Quantization`) and each
/// output channel's weights with a scale of their own, multiplies in int32 and lands in f32, where the CPU has 8-bit
/// dot products (AVX-512 VNNI); convolutions without a calibration then compute in bf16 where the CPU has it, else f32.
/// Elsewhere, and on backends without them, convolutions stay in f32.
public enum ConvolutionPrecision: String, Sendable, Hashable, CaseIterable {
    case f32
    case bf16
    case int8

    /// Bytes a convolution holds per weight (`ConvolutionWeights`) at most: in f32 4; otherwise its 16- or 8-bit
    /// layout's 2 or 1 (2 for an int8 one without calibration, which computes in bf16) and the exact copy's, 2 where
    /// the weights are f16 values, else 4.
    public func bytesPerWeight(exactInF16: Bool) -> Int {
        let exact = exactInF16 ? 2 : MemoryLayout<Float>.stride
        switch self {
        case .f32: return MemoryLayout<Float>.stride
        case .bf16, .int8: return 2 + exact
        }
    }
}

/// How one convolution's input is quantized for int8: symmetrically, `q = round(x * 127 / inputRange)` clamped to
/// [-128, 127], so inputs beyond `inputRange` in size saturate. The range comes from calibration on training photos.
public struct Int8Quantization: Sendable, Equatable {
    public let inputRange: Float

    /// nil unless `inputRange` is finite and positive.
    public init?(inputRange: Float) {
        guard inputRange.isFinite, inputRange > 0 else { return nil }
        self.inputRange = inputRange
    }

    /// What an input is multiplied by before rounding.
    var inputScale: Float { 127 / inputRange }

    /// 127 over the largest |weight| of each output channel (1 for a channel of zeros), for `weights` [O, ...] with
    /// `outChannels` rows.
    static func channelScales(_ weights: [Float], outChannels: Int) -> [Float] {
        let perChannel = weights.count / max(outChannels, 1)
        return (0..<outChannels).map { o in
            let largest = weights[o * perChannel ..< (o + 1) * perChannel].reduce(Float(0)) { max($0, abs($1)) }
            return largest > 0 ? 127 / largest : 1
        }
    }
}
