// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

#if canImport(Glibc)
import Glibc
#endif

/// Plain loops with double accumulators: slow, obviously right, and the yardstick the tests hold `DNNLBackend` against.
public final class ReferenceBackend: ComputeBackend {
    public let name = "reference"

    public init() {}

    public func makeConv2d(_ descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]?,
                           quantization: Int8Quantization?) throws -> any Conv2dOperator {
        try ShapeChecks.convWeights(descriptor, weight: weight, bias: bias)
        return ReferenceConv2d(descriptor: descriptor, weight: weight, bias: bias ?? [Float](repeating: 0, count: descriptor.outChannels))
    }

    public func linear(_ x: Tensor, weight: [Float], bias: [Float]) throws -> Tensor {
        let (input, output) = try ShapeChecks.linear(x, weight: weight, bias: bias)
        let out = try Tensor(uninitialized: TensorShape(batch: x.shape.batch, height: 1, width: 1, channels: output))
        for n in 0..<x.shape.batch {
            for o in 0..<output {
                var sum = Double(bias[o])
                for i in 0..<input { sum += Double(weight[o * input + i]) * Double(x.data[n * input + i]) }
                out.data[n * output + o] = Float(sum)
            }
        }
        return out
    }

    public func groupNorm(_ x: Tensor, _ p: GroupNormParameters, scale: Tensor?, shift: Tensor?, silu: Bool) throws -> Tensor {
        try ShapeChecks.groupNorm(x, p, scale: scale, shift: shift)
        let s = x.shape
        let perGroup = s.channels / p.groups
        let pixels = s.height * s.width
        let out = try Tensor(uninitialized: s)
        for n in 0..<s.batch {
            for g in 0..<p.groups {
                var sum = 0.0, sumSquares = 0.0
                for i in 0..<pixels {
                    for c in g * perGroup..<(g + 1) * perGroup {
                        let v = Double(x.data[(n * pixels + i) * s.channels + c])
                        sum += v
                        sumSquares += v * v
                    }
                }
                let count = Double(pixels * perGroup)
                let mean = sum / count
                let variance = max(sumSquares / count - mean * mean, 0)
                let inverseStd = 1 / (variance + Double(p.epsilon)).squareRoot()
                for i in 0..<pixels {
                    for c in g * perGroup..<(g + 1) * perGroup {
                        let index = (n * pixels + i) * s.channels + c
                        var v = (Double(x.data[index]) - mean) * inverseStd * Double(p.gamma[c]) + Double(p.beta[c])
                        if let scale { v *= 1 + Double(scale.data[n * s.channels + c]) }
                        if let shift { v += Double(shift.data[n * s.channels + c]) }
                        out.data[index] = silu ? Float(v / (1 + exp(-v))) : Float(v)
                    }
                }
            }
        }
        return out
    }

    public func silu(_ x: Tensor) throws -> Tensor {
        let out = try Tensor(uninitialized: x.shape)
        for i in 0..<x.count {
            let v = Double(x.data[i])
            out.data[i] = Float(v / (1 + exp(-v)))
        }
        return out
    }

    public func copy(_ x: Tensor) throws -> Tensor { try x.copy() }

    public func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try ShapeChecks.same("add", a, b)
        let out = try Tensor(uninitialized: a.shape)
        for i in 0..<a.count { out.data[i] = a.data[i] + b.data[i] }
        return out
    }

    public func addChannelBiasInPlace(_ x: Tensor, _ bias: Tensor) throws -> Tensor {
        try ShapeChecks.channelVector("channel bias", x, bias)
        let s = x.shape
        for n in 0..<s.batch {
            for i in 0..<s.height * s.width {
                for c in 0..<s.channels { x.data[(n * s.height * s.width + i) * s.channels + c] += bias.data[n * s.channels + c] }
            }
        }
        return x
    }

    public func upsampleNearest2x(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        let out = try Tensor(uninitialized: TensorShape(batch: s.batch, height: s.height * 2, width: s.width * 2, channels: s.channels))
        for n in 0..<s.batch {
            for y in 0..<s.height * 2 {
                for xx in 0..<s.width * 2 {
                    for c in 0..<s.channels {
                        out.data[((n * s.height * 2 + y) * s.width * 2 + xx) * s.channels + c] =
                            x.data[((n * s.height + y / 2) * s.width + xx / 2) * s.channels + c]
                    }
                }
            }
        }
        return out
    }

    public func averagePool2x(_ x: Tensor) throws -> Tensor {
        try ShapeChecks.evenSize("average pool", x)
        let s = x.shape
        let (h, w) = (s.height / 2, s.width / 2)
        let out = try Tensor(uninitialized: TensorShape(batch: s.batch, height: h, width: w, channels: s.channels))
        func at(_ n: Int, _ y: Int, _ xx: Int, _ c: Int) -> Double { Double(x.data[((n * s.height + y) * s.width + xx) * s.channels + c]) }
        for n in 0..<s.batch {
            for y in 0..<h {
                for xx in 0..<w {
                    for c in 0..<s.channels {
                        let sum = at(n, 2 * y, 2 * xx, c) + at(n, 2 * y, 2 * xx + 1, c) + at(n, 2 * y + 1, 2 * xx, c) + at(n, 2 * y + 1, 2 * xx + 1, c)
                        out.data[((n * h + y) * w + xx) * s.channels + c] = Float(sum / 4)
                    }
                }
            }
        }
        return out
    }

    public func concatChannels(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try ShapeChecks.concat(a, b)
        let (ca, cb) = (a.shape.channels, b.shape.channels)
        var shape = a.shape
        shape.channels = ca + cb
        let out = try Tensor(uninitialized: shape)
        for p in 0..<shape.batch * shape.height * shape.width {
            for c in 0..<ca { out.data[p * (ca + cb) + c] = a.data[p * ca + c] }
            for c in 0..<cb { out.data[p * (ca + cb) + ca + c] = b.data[p * cb + c] }
        }
        return out
    }

    public func attention(qkv: Tensor, heads: Int) throws -> Tensor {
        let (channels, d) = try ShapeChecks.attention(qkv, heads: heads)
        let s = qkv.shape
        let length = s.height * s.width
        var shape = s
        shape.channels = channels
        let out = try Tensor(uninitialized: shape)
        let scale = 1 / Double(d).squareRoot()
        var weights = [Double](repeating: 0, count: length)
        for n in 0..<s.batch {
            func at(_ position: Int, _ channel: Int) -> Double { Double(qkv.data[(n * length + position) * 3 * channels + channel]) }
            for h in 0..<heads {
                let (q, k, v) = (h * 3 * d, h * 3 * d + d, h * 3 * d + 2 * d)
                for t in 0..<length {
                    var largest = -Double.infinity
                    for u in 0..<length {
                        var dot = 0.0
                        for c in 0..<d { dot += at(t, q + c) * at(u, k + c) }
                        weights[u] = dot * scale
                        largest = max(largest, weights[u])
                    }
                    var total = 0.0
                    for u in 0..<length {
                        weights[u] = exp(weights[u] - largest)
                        total += weights[u]
                    }
                    for c in 0..<d {
                        var sum = 0.0
                        for u in 0..<length { sum += weights[u] * at(u, v + c) }
                        out.data[(n * length + t) * channels + h * d + c] = Float(sum / total)
                    }
                }
            }
        }
        return out
    }

    public func crossAttention(query: Tensor, keys: [Float], values: [Float], tokens: Int, heads: Int) throws -> Tensor {
        let d = try ShapeChecks.crossAttention(query, keys: keys, values: values, tokens: tokens, heads: heads)
        let c = query.shape.channels
        let positions = query.shape.batch * query.shape.height * query.shape.width
        let out = try Tensor(uninitialized: query.shape)
        let scale = 1 / Double(d).squareRoot()
        var weights = [Double](repeating: 0, count: tokens)
        for p in 0..<positions {
            for h in 0..<heads {
                var largest = -Double.infinity
                for u in 0..<tokens {
                    var dot = 0.0
                    for i in h * d..<(h + 1) * d { dot += Double(query.data[p * c + i]) * Double(keys[u * c + i]) }
                    weights[u] = dot * scale
                    largest = max(largest, weights[u])
                }
                var total = 0.0
                for u in 0..<tokens {
                    weights[u] = exp(weights[u] - largest)
                    total += weights[u]
                }
                for i in h * d..<(h + 1) * d {
                    var sum = 0.0
                    for u in 0..<tokens { sum += weights[u] * Double(values[u * c + i]) }
                    out.data[p * c + i] = Float(sum / total)
                }
            }
        }
        return out
    }

    public func layerNorm(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float) throws -> Tensor {
        try ShapeChecks.layerNorm(x, gamma: gamma, beta: beta, epsilon: epsilon)
        let c = x.shape.channels
        let out = try Tensor(uninitialized: x.shape)
        for p in 0..<x.count / c {
            var sum = 0.0
            for i in 0..<c { sum += Double(x.data[p * c + i]) }
            let mean = sum / Double(c)
            var squares = 0.0
            for i in 0..<c { squares += (Double(x.data[p * c + i]) - mean) * (Double(x.data[p * c + i]) - mean) }
            let inverseStd = 1 / (squares / Double(c) + Double(epsilon)).squareRoot()
            for i in 0..<c {
                out.data[p * c + i] = Float((Double(x.data[p * c + i]) - mean) * inverseStd * Double(gamma[i]) + Double(beta[i]))
            }
        }
        return out
    }

    public func geglu(_ x: Tensor) throws -> Tensor {
        let shape = try ShapeChecks.geglu(x)
        let f = shape.channels
        let out = try Tensor(uninitialized: shape)
        for p in 0..<out.count / max(f, 1) {
            for i in 0..<f {
                let value = Double(x.data[p * 2 * f + i]), gate = Double(x.data[p * 2 * f + f + i])
                out.data[p * f + i] = Float(value * 0.5 * gate * (1 + erf(gate / 2.0.squareRoot())))
            }
        }
        return out
    }
}

/// Direct convolution with double accumulation.
final class ReferenceConv2d: Conv2dOperator, @unchecked Sendable {
    let descriptor: Conv2dDescriptor
    let weight: [Float]
    let bias: [Float]

    init(descriptor: Conv2dDescriptor, weight: [Float], bias: [Float]) {
        self.descriptor = descriptor
        self.weight = weight
        self.bias = bias
    }

    func callAsFunction(_ x: Tensor, accumulatingInto accumulator: Tensor?) throws -> Tensor {
        let d = descriptor
        let os = try d.outputShape(for: x.shape)
        let out: Tensor
        if let accumulator {
            guard accumulator.shape == os else {
                throw KernelError.shapeMismatch(op: "conv2d accumulator", expected: os.description, found: accumulator.shape.description)
            }
            out = accumulator
        } else {
            out = try Tensor(zeros: os)
        }
        let (ih, iw, ic, k) = (x.shape.height, x.shape.width, d.inChannels, d.kernelSize)
        for n in 0..<os.batch {
            for y in 0..<os.height {
                for xx in 0..<os.width {
                    for o in 0..<d.outChannels {
                        var sum = Double(bias[o])
                        for ky in 0..<k {
                            let sy = y * d.stride + ky - d.padTop
                            if sy < 0 || sy >= ih { continue }
                            for kx in 0..<k {
                                let sx = xx * d.stride + kx - d.padLeft
                                if sx < 0 || sx >= iw { continue }
                                let base = ((n * ih + sy) * iw + sx) * ic
                                for i in 0..<ic { sum += Double(x.data[base + i]) * Double(weight[((o * ic + i) * k + ky) * k + kx]) }
                            }
                        }
                        let index = ((n * os.height + y) * os.width + xx) * d.outChannels + o
                        out.data[index] = Float(sum + (accumulator == nil ? 0 : Double(out.data[index])))
                    }
                }
            }
        }
        return out
    }
}
