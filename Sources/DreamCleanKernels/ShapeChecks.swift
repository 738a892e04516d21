// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Argument checks shared by both backends, so that they reject the same inputs with the same errors.
enum ShapeChecks {
    static func same(_ op: String, _ a: Tensor, _ b: Tensor) throws {
        guard a.shape == b.shape else {
            throw KernelError.shapeMismatch(op: op, expected: a.shape.description, found: b.shape.description)
        }
    }

    static func channelVector(_ op: String, _ x: Tensor, _ v: Tensor?) throws {
        guard let v else { return }
        let expected = TensorShape(batch: x.shape.batch, height: 1, width: 1, channels: x.shape.channels)
        guard v.shape == expected else {
            throw KernelError.shapeMismatch(op: op, expected: expected.description, found: v.shape.description)
        }
    }

    static func groupNorm(_ x: Tensor, _ p: GroupNormParameters, scale: Tensor?, shift: Tensor?) throws {
        let c = x.shape.channels
        guard p.groups > 0, c % p.groups == 0, p.gamma.count == c, p.beta.count == c else {
            throw KernelError.shapeMismatch(op: "group norm", expected: "\(p.groups) groups dividing \(c) channels, gamma and beta of \(c)",
                                            found: "gamma \(p.gamma.count), beta \(p.beta.count)")
        }
        try channelVector("group norm scale", x, scale)
        try channelVector("group norm shift", x, shift)
    }

    static func linear(_ x: Tensor, weight: [Float], bias: [Float]) throws -> (input: Int, output: Int) {
        let input = x.shape.channels
        guard x.shape.height == 1, x.shape.width == 1, input > 0, weight.count % input == 0,
              bias.count == weight.count / input else {
            throw KernelError.shapeMismatch(op: "linear", expected: "x [N, 1, 1, in], weight [out, in], bias [out]",
                                            found: "x \(x.shape), weight \(weight.count), bias \(bias.count)")
        }
        return (input, bias.count)
    }

    static func evenSize(_ op: String, _ x: Tensor) throws {
        guard x.shape.height % 2 == 0, x.shape.width % 2 == 0 else {
            throw KernelError.shapeMismatch(op: op, expected: "even height and width", found: x.shape.description)
        }
    }

    static func concat(_ a: Tensor, _ b: Tensor) throws {
        guard a.shape.batch == b.shape.batch, a.shape.height == b.shape.height, a.shape.width == b.shape.width else {
            throw KernelError.shapeMismatch(op: "concat", expected: a.shape.description, found: b.shape.description)
        }
    }

    static func attention(_ qkv: Tensor, heads: Int) throws -> (channels: Int, headChannels: Int) {
        let c3 = qkv.shape.channels
        guard heads > 0, c3 % (3 * heads) == 0 else {
            throw KernelError.shapeMismatch(op: "attention", expected: "3 * heads * d channels for \(heads) heads", found: qkv.shape.description)
        }
        return (c3 / 3, c3 / 3 / heads)
    }

    static func crossAttention(_ query: Tensor, keys: [Float], values: [Float], tokens: Int, heads: Int) throws -> Int {
        let c = query.shape.channels
        guard heads > 0, c % heads == 0, tokens > 0, keys.count == tokens * c, values.count == tokens * c else {
            throw KernelError.shapeMismatch(op: "cross-attention", expected: "\(heads) heads dividing \(c) channels, keys and values [\(tokens), \(c)]",
                                            found: "keys \(keys.count), values \(values.count)")
        }
        return c / heads
    }

    static func layerNorm(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float) throws {
        let c = x.shape.channels
        guard c > 0, gamma.count == c, beta.count == c, epsilon > 0 else {
            throw KernelError.shapeMismatch(op: "layer norm", expected: "gamma and beta of \(c), epsilon > 0",
                                            found: "gamma \(gamma.count), beta \(beta.count), epsilon \(epsilon)")
        }
    }

    /// The output shape of GEGLU: half the channels, which must be even.
    static func geglu(_ x: Tensor) throws -> TensorShape {
        guard x.shape.channels % 2 == 0 else {
            throw KernelError.shapeMismatch(op: "geglu", expected: "an even channel count", found: x.shape.description)
        }
        var shape = x.shape
        shape.channels /= 2
        return shape
    }

    static func convWeights(_ d: Conv2dDescriptor, weight: [Float], bias: [Float]?) throws {
        try d.validate()
        guard weight.count == d.weightCount, bias == nil || bias?.count == d.outChannels else {
            throw KernelError.shapeMismatch(op: "conv2d \(d)", expected: "weight \(d.weightCount), bias \(d.outChannels)",
                                            found: "weight \(weight.count), bias \(bias?.count ?? 0)")
        }
    }
}
