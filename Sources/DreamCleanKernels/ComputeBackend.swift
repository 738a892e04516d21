// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(Glibc)
import Glibc
#endif

/// Group normalization with an optional per-sample affine after it and an optional SiLU:
/// `y = silu?( norm(x) * gamma * (1 + scale[n]) + beta * (1 + scale[n]) + shift[n] )`.
/// `scale` and `shift` are [batch, 1, 1, channels] tensors (the scale-shift time conditioning of ADM), or nil.
public struct GroupNormParameters: Sendable {
    public var groups: Int
    public var epsilon: Float
    public var gamma: [Float]
    public var beta: [Float]

    public init(groups: Int, epsilon: Float, gamma: [Float], beta: [Float]) {
        self.groups = groups
        self.epsilon = epsilon
        self.gamma = gamma
        self.beta = beta
    }
}

/// The ops a diffusion UNet needs. `DNNLBackend` is the fast one; `ReferenceBackend` is plain loops that tests hold
/// the fast one against. Every op takes and returns NHWC tensors and never modifies its inputs unless it says so.
public protocol ComputeBackend: AnyObject, Sendable {
    var name: String { get }
    /// The pool that recycles this backend's activation buffers, if it keeps one (the memory plan sizes and measures
    /// it); nil: every buffer is fresh.
    var bufferPool: BufferPool? { get }
    /// Runs later operations on `threads` compute threads (0: one per idle core), results unchanged; a backend with a
    /// fixed thread count ignores it.
    func setThreads(_ threads: Int) throws
    /// Computes later convolutions in `precision` where this backend and the CPU have it, else in f32, and returns
    /// which; the weights are kept, so it may change between executions.
    @discardableResult func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision
    /// What convolutions compute in now.
    var convolutionPrecision: ConvolutionPrecision { get }

    /// Prepares a convolution for `weight` ([out, in, k, k], PyTorch order) and `bias` ([out], or nil for none);
    /// `quantization`, its int8 calibration (nil: none), is used while the precision is int8 on a backend that has it.
    func makeConv2d(_ descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]?,
                    quantization: Int8Quantization?) throws -> any Conv2dOperator

    /// `x` [N, 1, 1, in] -> [N, 1, 1, out] with `weight` [out, in] (PyTorch order) and `bias` [out].
    func linear(_ x: Tensor, weight: [Float], bias: [Float]) throws -> Tensor

    func groupNorm(_ x: Tensor, _ parameters: GroupNormParameters, scale: Tensor?, shift: Tensor?, silu: Bool) throws -> Tensor

    /// x * sigmoid(x).
    func silu(_ x: Tensor) throws -> Tensor

    /// A copy of x with its own storage.
    func copy(_ x: Tensor) throws -> Tensor

    /// a + b, same shapes.
    func add(_ a: Tensor, _ b: Tensor) throws -> Tensor

    /// x + bias broadcast over height and width; `bias` is [N, 1, 1, C]. Writes into x and returns it.
    func addChannelBiasInPlace(_ x: Tensor, _ bias: Tensor) throws -> Tensor

    /// Nearest-neighbour 2x upsampling.
    func upsampleNearest2x(_ x: Tensor) throws -> Tensor

    /// 2x2 average pooling with stride 2 (height and width even).
    func averagePool2x(_ x: Tensor) throws -> Tensor

    /// [N, H, W, Ca] ++ [N, H, W, Cb] -> [N, H, W, Ca + Cb].
    func concatChannels(_ a: Tensor, _ b: Tensor) throws -> Tensor

    /// Multi-head self-attention over the H*W positions: `qkv` is [N, H, W, 3C] in guided-diffusion's legacy order
    /// (for head h, channels [h*3d, h*3d+d) are q, then k, then v; d = C / heads). Returns softmax(q k^T / sqrt(d)) v as
    /// [N, H, W, C], head h in channels [h*d, (h+1)*d).
    func attention(qkv: Tensor, heads: Int) throws -> Tensor

    /// The most memory `attention` holds for its scores besides its input and output (memory planning counts it).
    var attentionScratch: AttentionScratch { get }

    /// Multi-head attention of every position of `query` [N, H, W, C] over a fixed context: `keys` and `values` are
    /// [tokens, C] row-major, the same for every batch item (Stable Diffusion's cross-attention over the empty prompt).
    /// Head h is channels [h*d, (h+1)*d) of all three (d = C / heads). Returns softmax(q k^T / sqrt(d)) v, [N, H, W, C].
    func crossAttention(query: Tensor, keys: [Float], values: [Float], tokens: Int, heads: Int) throws -> Tensor

    /// Layer normalization of each position over its channels: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.
    func layerNorm(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float) throws -> Tensor

    /// GEGLU (Shazeer 2020), [N, H, W, 2F] -> [N, H, W, F]: the first F channels times the exact (erf) GELU of the
    /// last F, as diffusers' `GEGLU` splits its projection.
    func geglu(_ x: Tensor) throws -> Tensor
}

/// Sinusoidal timestep embedding, [N] -> [N, 1, 1, dim]: `[cos(t f_i), sin(t f_i)]` (or sin first when
/// `flipSinToCos` is false) with `f_i = exp(-ln(10000) i / (dim/2 - freqShift))`. Matches guided-diffusion's
/// `timestep_embedding` (flip true, shift 0) and diffusers' `get_timestep_embedding` (DDPM: flip false, shift 1), in float32.
public func timestepEmbedding(_ timesteps: [Float], dim: Int, flipSinToCos: Bool, freqShift: Float) throws -> Tensor {
    let out = try Tensor(zeros: TensorShape(batch: timesteps.count, height: 1, width: 1, channels: dim))
    let half = dim / 2
    let logMax = Float(9.210340371976184)  // ln(10000)
    for (n, t) in timesteps.enumerated() {
        for i in 0..<half {
            let exponent = -logMax * Float(i) / (Float(half) - freqShift)
            let argument = t * expf(exponent)
            let (first, second) = flipSinToCos ? (cosf(argument), sinf(argument)) : (sinf(argument), cosf(argument))
            out.data[n * dim + i] = first
            out.data[n * dim + half + i] = second
        }
    }
    return out
}

/// Bytes an attention over T positions holds for its scores at most: `fixed + perPosition * T + perPositionSquared * T²`.
public struct AttentionScratch: Sendable, Equatable {
    public var fixed: Int
    public var perPosition: Int
    public var perPositionSquared: Int

    public init(fixed: Int = 0, perPosition: Int = 0, perPositionSquared: Int = 0) {
        self.fixed = fixed
        self.perPosition = perPosition
        self.perPositionSquared = perPositionSquared
    }

    /// The whole [T, T] matrix of f32 scores.
    public static let wholeMatrix = AttentionScratch(perPositionSquared: MemoryLayout<Float>.stride)
}

extension ComputeBackend {
    /// A convolution without int8 calibration.
    public func makeConv2d(_ descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]?) throws -> any Conv2dOperator {
        try makeConv2d(descriptor, weight: weight, bias: bias, quantization: nil)
    }

    public var bufferPool: BufferPool? { nil }
    public var attentionScratch: AttentionScratch { .wholeMatrix }
    public func setThreads(_ threads: Int) throws {}
    @discardableResult public func setConvolutionPrecision(_ precision: ConvolutionPrecision) -> ConvolutionPrecision { .f32 }
    public var convolutionPrecision: ConvolutionPrecision { .f32 }
}
