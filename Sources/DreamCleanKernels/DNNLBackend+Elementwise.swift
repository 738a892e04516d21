// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import CDreamCleanKernels

/// The memory-bound ops, split by rows (or fixed blocks) so that every output element is computed by one thread; the
/// loops that need the CPU's vector width are C (`Sources/CDreamCleanKernels`), the copies Swift.
extension DNNLBackend {
    public func groupNorm(_ x: Tensor, _ p: GroupNormParameters, scale: Tensor?, shift: Tensor?, silu: Bool) throws -> Tensor {
        try ShapeChecks.groupNorm(x, p, scale: scale, shift: shift)
        let s = x.shape
        let c = s.channels
        let perGroup = c / p.groups
        let rowLength = s.width * c
        let out = try Tensor(uninitialized: s, pool: pool)
        var partialSums = [Double](repeating: 0, count: s.height * c * 2)
        for n in 0..<s.batch {
            let image = x.data + n * s.height * rowLength
            // Per-row, per-channel sums (float within a row, double across rows in row order: thread-count independent).
            partialSums.withUnsafeMutableBufferPointer { partial in
                guard let partialBase = partial.baseAddress else { return }
                parallelFor(s.height, threads: team) { rows in
                    let sums = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c)
                    defer { sums.deallocate() }
                    let squares = sums + c
                    for y in rows {
                        dc_channel_sums_row(image + y * rowLength, s.width, c, sums, squares)
                        for i in 0..<c {
                            partialBase[(y * c + i) * 2] = Double(sums[i])
                            partialBase[(y * c + i) * 2 + 1] = Double(squares[i])
                        }
                    }
                }
            }
            // Per-channel affine a*x + b that folds the normalization, gamma/beta and the scale-shift.
            var a = [Float](repeating: 0, count: c), b = [Float](repeating: 0, count: c)
            let count = Double(s.height * s.width * perGroup)
            for g in 0..<p.groups {
                var sum = 0.0, squares = 0.0
                for y in 0..<s.height {
                    for i in g * perGroup..<(g + 1) * perGroup {
                        sum += partialSums[(y * c + i) * 2]
                        squares += partialSums[(y * c + i) * 2 + 1]
                    }
                }
                let mean = sum / count
                let inverseStd = 1 / (max(squares / count - mean * mean, 0) + Double(p.epsilon)).squareRoot()
                for i in g * perGroup..<(g + 1) * perGroup {
                    let film = 1 + Double(scale?.data[n * c + i] ?? 0)
                    let gain = inverseStd * Double(p.gamma[i])
                    a[i] = Float(gain * film)
                    b[i] = Float((Double(p.beta[i]) - mean * gain) * film + Double(shift?.data[n * c + i] ?? 0))
                }
            }
            let target = out.data + n * s.height * rowLength
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    let (a, b) = (nonNullBase(a), nonNullBase(b))
                    parallelFor(s.height, threads: team) { rows in
                        for y in rows {
                            dc_channel_affine_row(image + y * rowLength, target + y * rowLength, s.width, c, a, b, silu ? 1 : 0)
                        }
                    }
                }
            }
        }
        return out
    }

    public func silu(_ x: Tensor) throws -> Tensor {
        let out = try Tensor(uninitialized: x.shape, pool: pool)
        let (src, dst) = (x.data, out.data)
        parallelFor((x.count + 8191) / 8192, threads: team) { blocks in
            let start = blocks.lowerBound * 8192
            dc_silu(src + start, dst + start, min(blocks.upperBound * 8192, x.count) - start)
        }
        return out
    }

    public func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try ShapeChecks.same("add", a, b)
        let out = try Tensor(uninitialized: a.shape, pool: pool)
        let (pa, pb, po) = (a.data, b.data, out.data)
        parallelFor((a.count + 8191) / 8192, threads: team) { blocks in
            for i in blocks.lowerBound * 8192..<min(blocks.upperBound * 8192, a.count) { po[i] = pa[i] + pb[i] }
        }
        return out
    }

    public func addChannelBiasInPlace(_ x: Tensor, _ bias: Tensor) throws -> Tensor {
        try ShapeChecks.channelVector("channel bias", x, bias)
        let s = x.shape
        let (px, pb) = (x.data, bias.data)
        parallelFor(s.batch * s.height, threads: team) { rows in
            for r in rows {
                let n = r / s.height
                for xx in 0..<s.width {
                    let pixel = px + (r * s.width + xx) * s.channels
                    for i in 0..<s.channels { pixel[i] += pb[n * s.channels + i] }
                }
            }
        }
        return x
    }

    public func upsampleNearest2x(_ x: Tensor) throws -> Tensor {
        let s = x.shape
        let out = try Tensor(uninitialized: TensorShape(batch: s.batch, height: s.height * 2, width: s.width * 2, channels: s.channels), pool: pool)
        let (src, dst, c) = (x.data, out.data, s.channels)
        parallelFor(s.batch * s.height * 2, threads: team) { rows in
            for r in rows {
                let sourceRow = src + (r / 2) * s.width * c
                let targetRow = dst + r * s.width * 2 * c
                for xx in 0..<s.width * 2 { (targetRow + xx * c).update(from: sourceRow + (xx / 2) * c, count: c) }
            }
        }
        return out
    }

    public func averagePool2x(_ x: Tensor) throws -> Tensor {
        try ShapeChecks.evenSize("average pool", x)
        let s = x.shape
        let (h, w, c) = (s.height / 2, s.width / 2, s.channels)
        let out = try Tensor(uninitialized: TensorShape(batch: s.batch, height: h, width: w, channels: c), pool: pool)
        let (src, dst) = (x.data, out.data)
        parallelFor(s.batch * h, threads: team) { rows in
            for r in rows {
                let top = src + (2 * r) * s.width * c, bottom = top + s.width * c
                for xx in 0..<w {
                    for i in 0..<c {
                        let sum = (top[2 * xx * c + i] + top[(2 * xx + 1) * c + i]) + (bottom[2 * xx * c + i] + bottom[(2 * xx + 1) * c + i])
                        dst[(r * w + xx) * c + i] = sum * 0.25
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
        let out = try Tensor(uninitialized: shape, pool: pool)
        let (pa, pb, po) = (a.data, b.data, out.data)
        parallelFor(shape.batch * shape.height, threads: team) { rows in
            for pixel in rows.lowerBound * shape.width..<rows.upperBound * shape.width {
                (po + pixel * (ca + cb)).update(from: pa + pixel * ca, count: ca)
                (po + pixel * (ca + cb) + ca).update(from: pb + pixel * cb, count: cb)
            }
        }
        return out
    }
}
