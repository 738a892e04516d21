// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// A 2-D convolution: `out[n, y, x, o] = bias[o] + sum_{i, ky, kx} in[n, y*s + ky - padTop, x*s + kx - padLeft, i] * w[o, i, ky, kx]`,
/// zero outside the input. Weights are in PyTorch's [out, in, kh, kw] order.
public struct Conv2dDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var inChannels: Int
    public var outChannels: Int
    public var kernelSize: Int
    public var stride: Int
    public var padTop: Int
    public var padLeft: Int
    public var padBottom: Int
    public var padRight: Int

    /// Symmetric padding `padding` on every side.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                  padTop: padding, padLeft: padding, padBottom: padding, padRight: padding)
    }

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int,
                padTop: Int, padLeft: Int, padBottom: Int, padRight: Int) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padTop = padTop
        self.padLeft = padLeft
        self.padBottom = padBottom
        self.padRight = padRight
    }

    public var weightCount: Int { outChannels * inChannels * kernelSize * kernelSize }

    public func validate() throws {
        guard inChannels > 0, outChannels > 0, kernelSize > 0, stride > 0,
              min(padTop, padLeft, padBottom, padRight) >= 0, max(padTop, padLeft, padBottom, padRight) < kernelSize else {
            throw KernelError.invalidShape(description, reason: "channels, kernel and stride must be positive, 0 <= padding < kernel")
        }
    }

    /// The output shape for `input`, or an error when the input does not fit.
    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.channels == inChannels else {
            throw KernelError.shapeMismatch(op: "conv2d \(self)", expected: "\(inChannels) input channels", found: input.description)
        }
        let h = (input.height + padTop + padBottom - kernelSize) / stride + 1
        let w = (input.width + padLeft + padRight - kernelSize) / stride + 1
        guard input.height + padTop + padBottom >= kernelSize, input.width + padLeft + padRight >= kernelSize, h > 0, w > 0 else {
            throw KernelError.shapeMismatch(op: "conv2d \(self)", expected: "an input at least as large as the kernel", found: input.description)
        }
        return TensorShape(batch: input.batch, height: h, width: w, channels: outChannels)
    }

    public var description: String {
        "conv \(inChannels)->\(outChannels) k\(kernelSize) s\(stride) pad(t\(padTop) l\(padLeft) b\(padBottom) r\(padRight))"
    }
}

/// A convolution prepared by a backend for its weights; call it on any input size.
public protocol Conv2dOperator: AnyObject, Sendable {
    var descriptor: Conv2dDescriptor { get }
    /// Returns conv(x) + bias, plus `accumulator` when given: then the result is written into `accumulator` itself and
    /// returned (a residual add fused into the convolution).
    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor?) throws -> Tensor
}

extension Conv2dOperator {
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try self(x, accumulatingInto: nil) }
}
