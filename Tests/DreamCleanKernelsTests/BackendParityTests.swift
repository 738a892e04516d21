// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamCleanKernels

/// Holds every oneDNN-backend op against the reference backend (double accumulation) on random data.
/// Tolerance: 1e-4 absolute on values of order 1, what float32 accumulation over up to a few thousand terms allows.
final class BackendParityTests: XCTestCase {
    let fast = try! DNNLBackend(threads: 2)
    let reference = ReferenceBackend()
    let tolerance: Float = 1e-4

    func random(_ shape: TensorShape, seed: UInt64, scale: Float = 1) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        return try Tensor(shape: shape, nhwc: (0..<shape.checkedCount!).map { _ in generator.nextSymmetric() * scale })
    }

    func randomArray(_ count: Int, seed: UInt64, scale: Float = 1, offset: Float = 0) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in offset + generator.nextSymmetric() * scale }
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
        let error = a.maxAbsDifference(b)
        XCTAssertLessThanOrEqual(error, tolerance, "\(message): max abs error \(error)", file: file, line: line)
    }

    func testConvolutionsAllKernelsStridesAndPaddings() throws {
        let cases: [(Conv2dDescriptor, TensorShape)] = [
            (Conv2dDescriptor(inChannels: 8, outChannels: 16, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 9, width: 7, channels: 8)),
            (Conv2dDescriptor(inChannels: 16, outChannels: 8, kernelSize: 1, padding: 0), TensorShape(batch: 2, height: 5, width: 6, channels: 16)),
            (Conv2dDescriptor(inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padding: 1), TensorShape(batch: 1, height: 10, width: 12, channels: 8)),
            (Conv2dDescriptor(inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
             TensorShape(batch: 1, height: 8, width: 6, channels: 8)),
            (Conv2dDescriptor(inChannels: 3, outChannels: 32, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 16, width: 16, channels: 3)),
            (Conv2dDescriptor(inChannels: 4, outChannels: 4, kernelSize: 3, stride: 1, padding: 0), TensorShape(batch: 1, height: 5, width: 5, channels: 4)),
        ]
        for (i, (descriptor, shape)) in cases.enumerated() {
            let weight = randomArray(descriptor.weightCount, seed: UInt64(10 + i), scale: 0.3)
            let bias = randomArray(descriptor.outChannels, seed: UInt64(20 + i))
            let x = try random(shape, seed: UInt64(30 + i))
            let a = try fast.makeConv2d(descriptor, weight: weight, bias: bias)
            let b = try reference.makeConv2d(descriptor, weight: weight, bias: bias)
            assertClose(try a(x), try b(x), "\(descriptor)")
            // The same operator on a second input size reuses nothing it should not.
            let other = TensorShape(batch: 1, height: shape.height + 2, width: shape.width + 4, channels: shape.channels)
            let y = try random(other, seed: UInt64(40 + i))
            assertClose(try a(y), try b(y), "\(descriptor) second size")
            // Fused residual add.
            let outShape = try descriptor.outputShape(for: shape)
            let residualA = try random(outShape, seed: UInt64(50 + i)), residualB = try residualA.copy()
            assertClose(try a(x, accumulatingInto: residualA), try b(x, accumulatingInto: residualB), "\(descriptor) accumulate")
        }
    }

    func testConvolutionRejectsBadShapes() throws {
        let descriptor = Conv2dDescriptor(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1)
        XCTAssertThrowsError(try fast.makeConv2d(descriptor, weight: [1, 2, 3], bias: nil))
        let conv = try fast.makeConv2d(descriptor, weight: randomArray(descriptor.weightCount, seed: 1), bias: nil)
        XCTAssertThrowsError(try conv(try random(TensorShape(batch: 1, height: 4, width: 4, channels: 3), seed: 2)))
        XCTAssertThrowsError(try fast.makeConv2d(Conv2dDescriptor(inChannels: 0, outChannels: 4, kernelSize: 3, padding: 1), weight: [], bias: nil))
    }

    func testGroupNormWithScaleShiftAndSiLU() throws {
        for (shape, groups) in [(TensorShape(batch: 2, height: 5, width: 7, channels: 32), 8), (TensorShape(batch: 1, height: 4, width: 3, channels: 12), 3)] {
            let x = try random(shape, seed: 3, scale: 3)
            let p = GroupNormParameters(groups: groups, epsilon: 1e-5, gamma: randomArray(shape.channels, seed: 4, scale: 0.5, offset: 1),
                                        beta: randomArray(shape.channels, seed: 5))
            let vector = TensorShape(batch: shape.batch, height: 1, width: 1, channels: shape.channels)
            let scale = try random(vector, seed: 6), shift = try random(vector, seed: 7)
            for silu in [false, true] {
                assertClose(try fast.groupNorm(x, p, scale: nil, shift: nil, silu: silu),
                            try reference.groupNorm(x, p, scale: nil, shift: nil, silu: silu), "group norm silu \(silu)")
                assertClose(try fast.groupNorm(x, p, scale: scale, shift: shift, silu: silu),
                            try reference.groupNorm(x, p, scale: scale, shift: shift, silu: silu), "group norm scale-shift silu \(silu)")
            }
        }
    }

    func testGroupNormIsIndependentOfThreadCount() throws {
        let x = try random(TensorShape(batch: 1, height: 33, width: 17, channels: 64), seed: 8, scale: 2)
        let p = GroupNormParameters(groups: 32, epsilon: 1e-5, gamma: randomArray(64, seed: 9, offset: 1), beta: randomArray(64, seed: 10))
        let one = try DNNLBackend(threads: 1).groupNorm(x, p, scale: nil, shift: nil, silu: true)
        let three = try DNNLBackend(threads: 3).groupNorm(x, p, scale: nil, shift: nil, silu: true)
        XCTAssertEqual(one.values, three.values)
    }

    /// Convolutions at the default model's shapes (large enough that oneDNN splits them across threads) give the same
    /// bits with 1 and 2 threads, on whichever route this CPU takes (`convolutionPrimitiveForStrideOne`).
    func testConvolutionIsIndependentOfThreadCount() throws {
        let cases: [(Conv2dDescriptor, TensorShape)] = [
            (Conv2dDescriptor(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 96, width: 80, channels: 16)),
            (Conv2dDescriptor(inChannels: 48, outChannels: 16, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 40, width: 56, channels: 48)),
            (Conv2dDescriptor(inChannels: 128, outChannels: 128, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 24, width: 32, channels: 128)),
            (Conv2dDescriptor(inChannels: 96, outChannels: 32, kernelSize: 1, padding: 0), TensorShape(batch: 1, height: 48, width: 40, channels: 96)),
            (Conv2dDescriptor(inChannels: 32, outChannels: 32, kernelSize: 3, stride: 2, padding: 1), TensorShape(batch: 1, height: 64, width: 48, channels: 32)),
        ]
        let one = try DNNLBackend(threads: 1), two = try DNNLBackend(threads: 2)
        for (i, (descriptor, shape)) in cases.enumerated() {
            let weight = randomArray(descriptor.weightCount, seed: UInt64(60 + i), scale: 0.1)
            let bias = randomArray(descriptor.outChannels, seed: UInt64(70 + i))
            let x = try random(shape, seed: UInt64(80 + i))
            let convOne = try one.makeConv2d(descriptor, weight: weight, bias: bias)
            let convTwo = try two.makeConv2d(descriptor, weight: weight, bias: bias)
            XCTAssertEqual(try convOne(x).values, try convTwo(x).values, "\(descriptor) on \(shape)")
        }
    }

    /// The convolutions bf16 and int8 are checked on: an image's 3 channels in, 3x3 and 1x1, a stride of 2.
    static let reducedPrecisionCases: [(Conv2dDescriptor, TensorShape)] = [
        (Conv2dDescriptor(inChannels: 3, outChannels: 16, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 9, width: 7, channels: 3)),
        (Conv2dDescriptor(inChannels: 8, outChannels: 16, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 9, width: 7, channels: 8)),
        (Conv2dDescriptor(inChannels: 64, outChannels: 32, kernelSize: 3, padding: 1), TensorShape(batch: 1, height: 40, width: 24, channels: 64)),
        (Conv2dDescriptor(inChannels: 48, outChannels: 16, kernelSize: 1, padding: 0), TensorShape(batch: 1, height: 32, width: 32, channels: 48)),
        (Conv2dDescriptor(inChannels: 16, outChannels: 16, kernelSize: 3, stride: 2, padding: 1), TensorShape(batch: 1, height: 64, width: 48, channels: 16)),
    ]

    /// bf16 convolutions (where the CPU has them) against the reference: inputs and weights rounded to 8 significant
    /// bits, products summed in f32, so about 2^-8 relative error per product, and with random signs about 2^-8 of the
    /// output's own size (measured 0.18-0.22 %); the tolerance is 1 % of the output's root mean square, for the error's root
    /// mean square. Also thread-count independent, and switching back to f32 gives f32's result (made again from the
    /// weights' exact copy).
    func testBF16Convolutions() throws {
        let one = try DNNLBackend(threads: 1), two = try DNNLBackend(threads: 2)
        guard one.setConvolutionPrecision(.bf16) == .bf16 else {
            XCTAssertEqual(one.convolutionPrecision, .f32)
            throw XCTSkip("this CPU has no native bf16 (AVX-512 BF16 or AMX): convolutions stay f32")
        }
        two.setConvolutionPrecision(.bf16)
        for (i, (descriptor, shape)) in Self.reducedPrecisionCases.enumerated() {
            let weight = randomArray(descriptor.weightCount, seed: UInt64(90 + i), scale: 0.3)
            let bias = randomArray(descriptor.outChannels, seed: UInt64(100 + i))
            let x = try random(shape, seed: UInt64(110 + i))
            let convOne = try one.makeConv2d(descriptor, weight: weight, bias: bias)
            let convTwo = try two.makeConv2d(descriptor, weight: weight, bias: bias)
            let convReference = try reference.makeConv2d(descriptor, weight: weight, bias: bias)
            let expected = try convReference(x)
            let got = try convOne(x)
            let error = relativeRMS(got, expected)
            XCTAssertLessThanOrEqual(error, 1e-2, "\(descriptor) bf16")
            XCTAssertGreaterThan(error, 1e-4, "\(descriptor): bf16 as exact as f32; was it bf16 at all?")
            XCTAssertEqual(got.values, try convTwo(x).values, "\(descriptor) bf16 at 1 and 2 threads")
            let outShape = try descriptor.outputShape(for: shape)
            let residual = try random(outShape, seed: UInt64(120 + i)), residualReference = try residual.copy()
            let accumulated = try convOne(x, accumulatingInto: residual)
            XCTAssertLessThanOrEqual(relativeRMS(accumulated, try reference.add(expected, residualReference)), 1e-2, "\(descriptor) bf16 accumulate")
            one.setConvolutionPrecision(.f32)
            assertClose(try convOne(x), expected, "\(descriptor) back to f32")
            one.setConvolutionPrecision(.bf16)
        }
    }

    /// int8 convolutions (where the CPU has VNNI) against the closed form of their quantization: the input rounded to
    /// `round(x * 127 / range)` clamped to [-128, 127], each output channel's weights to `round(w * 127 / max |w|)`,
    /// their products summed exactly (int32) and scaled back. The reference convolution of the dequantized values
    /// computes the same numbers up to f32 rounding (tolerance 1e-5 of the output's largest size). The range is 0.8 of
    /// the input's largest size, so the clamping is exercised. Also: with the input's whole range, the quantization error against f32 (under
    /// 3 % RMS, above 0.01 %), the same bits at 1 and 2 threads, the residual add, back to f32, and a convolution without
    /// calibration computing in bf16 (or f32) under int8.
    func testInt8Convolutions() throws {
        let one = try DNNLBackend(threads: 1), two = try DNNLBackend(threads: 2)
        guard one.setConvolutionPrecision(.int8) == .int8, DNNLBackend.convolutionPrimitiveForStrideOne else {
            throw XCTSkip("this CPU has no AVX-512 VNNI: int8 convolutions fall back to bf16 or f32")
        }
        two.setConvolutionPrecision(.int8)
        for (i, (descriptor, shape)) in Self.reducedPrecisionCases.enumerated() {
            let weight = randomArray(descriptor.weightCount, seed: UInt64(140 + i), scale: 0.3)
            let bias = randomArray(descriptor.outChannels, seed: UInt64(150 + i))
            let x = try random(shape, seed: UInt64(160 + i))
            let range = 0.8 * largestSize(x.values)
            guard let quantization = Int8Quantization(inputRange: range) else { return XCTFail("range \(range)") }
            let convOne = try one.makeConv2d(descriptor, weight: weight, bias: bias, quantization: quantization)
            let convTwo = try two.makeConv2d(descriptor, weight: weight, bias: bias, quantization: quantization)
            // (a call on makeConv2d's result in the same expression crashes Swift 6.3's SILGen)
            let convReference = try reference.makeConv2d(descriptor, weight: weight, bias: bias)
            let convDequantized = try reference.makeConv2d(descriptor, weight: int8Dequantized(weight, outChannels: descriptor.outChannels), bias: bias)
            let exact = try convReference(x), expected = try convDequantized(try int8Dequantized(x, range: range))
            let got = try convOne(x)
            let largest = largestSize(expected.values)
            let worst = largestSize(zip(got.values, expected.values).map { $0 - $1 })
            XCTAssertLessThanOrEqual(worst, 1e-5 * largest, "\(descriptor) int8 against its closed form")
            guard let fullRange = Int8Quantization(inputRange: largestSize(x.values)) else { return XCTFail("no range") }
            let convFullRange = try one.makeConv2d(descriptor, weight: weight, bias: bias, quantization: fullRange)
            let error = relativeRMS(try convFullRange(x), exact)
            XCTAssertLessThanOrEqual(error, 3e-2, "\(descriptor) int8 against f32")
            XCTAssertGreaterThan(error, 1e-4, "\(descriptor): int8 as exact as f32; was it int8 at all?")
            XCTAssertEqual(got.values, try convTwo(x).values, "\(descriptor) int8 at 1 and 2 threads")
            let residual = try random(try descriptor.outputShape(for: shape), seed: UInt64(170 + i)), residualReference = try residual.copy()
            let accumulated = try convOne(x, accumulatingInto: residual)
            let sum = try reference.add(expected, residualReference)
            let worstSum = largestSize(zip(accumulated.values, sum.values).map { $0 - $1 })
            XCTAssertLessThanOrEqual(worstSum, 1e-5 * (largest + 4), "\(descriptor) int8 accumulate")
            one.setConvolutionPrecision(.f32)
            assertClose(try convOne(x), exact, "\(descriptor) back to f32")
            one.setConvolutionPrecision(.int8)
            let uncalibrated = try one.makeConv2d(descriptor, weight: weight, bias: bias)
            let fallback = try DNNLBackend(threads: 1)
            fallback.setConvolutionPrecision(.bf16)
            let convFallback = try fallback.makeConv2d(descriptor, weight: weight, bias: bias)
            XCTAssertEqual(try uncalibrated(x).values, try convFallback(x).values,
                           "\(descriptor) without calibration under int8: as bf16 (or f32 without native bf16)")
        }
    }

    /// A convolution holds one exact copy of its weights and the layouts of one precision: in f32 4 bytes a weight; in
    /// bf16 the bf16 layout and an f16 copy where the weights are f16 values (4 bytes), else an f32 one (6). Switching
    /// back to f32 gives the same bits as a convolution that never left it. Channels are multiples of 32, so no
    /// layout pads.
    func testConvolutionWeightsHeldPerPrecision() throws {
        let backend = try DNNLBackend(threads: 2)
        guard backend.setConvolutionPrecision(.bf16) == .bf16, DNNLBackend.convolutionPrimitiveForStrideOne else {
            throw XCTSkip("this CPU has no native bf16 or no oneDNN brgemm convolution: convolutions stay in one f32 layout")
        }
        let descriptor = Conv2dDescriptor(inChannels: 64, outChannels: 32, kernelSize: 3, padding: 1)
        let x = try random(TensorShape(batch: 1, height: 12, width: 10, channels: 64), seed: 130)
        let n = descriptor.weightCount
        let raw = randomArray(n, seed: 131, scale: 0.3)
        for (weight, bf16Bytes) in [(raw.map { Float(Float16($0)) }, 4 * n), (raw, 6 * n)] {
            backend.setConvolutionPrecision(.f32)
            let f32Only = try backend.makeConv2d(descriptor, weight: weight, bias: nil)
            let expected = try f32Only(x)
            let conv = try backend.makeConv2d(descriptor, weight: weight, bias: nil)
            let held = try XCTUnwrap(conv as? DNNLConv2d)
            backend.setConvolutionPrecision(.bf16)
            let rounded = try conv(x)
            XCTAssertLessThanOrEqual(relativeRMS(rounded, expected), 1e-2)
            XCTAssertEqual(held.heldWeightBytes, bf16Bytes, "bf16")
            backend.setConvolutionPrecision(.f32)
            XCTAssertEqual(try conv(x).values, expected.values, "back to f32")
            XCTAssertEqual(held.heldWeightBytes, 4 * n, "f32")
            backend.setConvolutionPrecision(.bf16)
            XCTAssertEqual(try conv(x).values, rounded.values, "bf16 again")
            XCTAssertEqual(held.heldWeightBytes, bf16Bytes, "bf16 again")
        }
    }

    func largestSize(_ values: [Float]) -> Float { values.reduce(0) { max($0, abs($1)) } }

    /// `x` through int8's input quantization and back: `q / s` with `q = round(x s)` clamped to [-128, 127], s = 127 / range.
    func int8Dequantized(_ x: Tensor, range: Float) throws -> Tensor {
        let scale = 127 / range, out = try x.copy()
        for j in 0..<x.count { out.data[j] = min(max((x.data[j] * scale).rounded(.toNearestOrEven), -128), 127) / scale }
        return out
    }

    /// Weights [O, ...] through int8's per-channel quantization and back (scale 127 / the channel's largest |w|).
    func int8Dequantized(_ weight: [Float], outChannels: Int) -> [Float] {
        let perChannel = weight.count / outChannels
        var out = weight
        for o in 0..<outChannels {
            let channel = o * perChannel ..< (o + 1) * perChannel
            let scale = 127 / largestSize(Array(weight[channel]))
            for j in channel { out[j] = (weight[j] * scale).rounded(.toNearestOrEven) / scale }
        }
        return out
    }

    /// The root mean square of a - b over that of b.
    func relativeRMS(_ a: Tensor, _ b: Tensor) -> Double {
        let (x, y) = (a.values, b.values)
        let error = zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let size = y.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (error / max(size, 1e-30)).squareRoot()
    }

    func testElementwiseOps() throws {
        let shape = TensorShape(batch: 2, height: 6, width: 4, channels: 11)
        let a = try random(shape, seed: 11, scale: 10), b = try random(shape, seed: 12)
        assertClose(try fast.silu(a), try reference.silu(a), "silu")
        assertClose(try fast.add(a, b), try reference.add(a, b), "add")
        assertClose(try fast.upsampleNearest2x(a), try reference.upsampleNearest2x(a), "upsample")
        assertClose(try fast.averagePool2x(a), try reference.averagePool2x(a), "average pool")
        let c = try random(TensorShape(batch: 2, height: 6, width: 4, channels: 5), seed: 13)
        assertClose(try fast.concatChannels(a, c), try reference.concatChannels(a, c), "concat")
        let bias = try random(TensorShape(batch: 2, height: 1, width: 1, channels: 11), seed: 14)
        assertClose(try fast.addChannelBiasInPlace(try a.copy(), bias), try reference.addChannelBiasInPlace(try a.copy(), bias), "channel bias")
        XCTAssertThrowsError(try fast.add(a, c))
        XCTAssertThrowsError(try fast.averagePool2x(try random(TensorShape(batch: 1, height: 3, width: 4, channels: 1), seed: 1)))
    }

    func testSiLUAtExtremes() throws {
        let x = try Tensor(shape: TensorShape(batch: 1, height: 1, width: 1, channels: 8), nhwc: [-200, -88, -20, -1e-3, 0, 1e-3, 20, 200])
        let y = try fast.silu(x)
        for i in 0..<8 {
            let v = Double(x.data[i])
            XCTAssertEqual(Double(y.data[i]), v / (1 + Foundation.exp(-v)), accuracy: 1e-6 * max(1, abs(v)))
        }
    }

    func testLinear() throws {
        let x = try random(TensorShape(batch: 3, height: 1, width: 1, channels: 20), seed: 15)
        let weight = randomArray(7 * 20, seed: 16), bias = randomArray(7, seed: 17)
        assertClose(try fast.linear(x, weight: weight, bias: bias), try reference.linear(x, weight: weight, bias: bias), "linear")
        XCTAssertThrowsError(try fast.linear(x, weight: weight, bias: [1]))
    }

    func testAttentionMultiHead() throws {
        for (heads, channels) in [(1, 8), (4, 32)] {
            let qkv = try random(TensorShape(batch: 2, height: 3, width: 5, channels: 3 * channels), seed: UInt64(18 + heads), scale: 2)
            assertClose(try fast.attention(qkv: qkv, heads: heads), try reference.attention(qkv: qkv, heads: heads), "attention \(heads) heads")
        }
        XCTAssertThrowsError(try fast.attention(qkv: try random(TensorShape(batch: 1, height: 2, width: 2, channels: 10), seed: 1), heads: 2))
    }

    /// Attention long enough to run in several blocks of query rows (1440 positions: blocks of 180; 2304: blocks of 113,
    /// the last one short) against the reference, with the same bits at 1 and 2 threads.
    func testAttentionInRowBlocks() throws {
        XCTAssertEqual(DNNLBackend.attentionRowBlock(length: 1440), 180)
        XCTAssertEqual(DNNLBackend.attentionRowBlock(length: 2304), 113)
        XCTAssertEqual(DNNLBackend.attentionRowBlock(length: 4096), 64)
        XCTAssertEqual(DNNLBackend.attentionRowBlock(length: 15), 16)
        let one = try DNNLBackend(threads: 1)
        for (batch, height, width, heads, channels) in [(2, 40, 36, 2, 16), (1, 48, 48, 1, 8)] {
            let qkv = try random(TensorShape(batch: batch, height: height, width: width, channels: 3 * channels), seed: UInt64(height), scale: 2)
            let got = try fast.attention(qkv: qkv, heads: heads)
            assertClose(got, try reference.attention(qkv: qkv, heads: heads), "attention over \(height * width)")
            XCTAssertEqual(got.values, try one.attention(qkv: qkv, heads: heads).values, "1 and 2 threads, \(height * width)")
        }
    }

    func testCrossAttentionMultiHead() throws {
        for (heads, channels, tokens) in [(1, 8, 1), (4, 32, 7)] {
            let query = try random(TensorShape(batch: 2, height: 3, width: 5, channels: channels), seed: UInt64(30 + heads), scale: 2)
            let keys = randomArray(tokens * channels, seed: 40, scale: 2), values = randomArray(tokens * channels, seed: 41)
            let got = try fast.crossAttention(query: query, keys: keys, values: values, tokens: tokens, heads: heads)
            assertClose(got, try reference.crossAttention(query: query, keys: keys, values: values, tokens: tokens, heads: heads),
                        "cross-attention \(heads) heads, \(tokens) tokens")
            if tokens == 1 {  // closed form: one token takes all the weight, so every position reads its value
                for p in 0..<query.count / channels {
                    for i in 0..<channels { XCTAssertEqual(got.data[p * channels + i], values[i], accuracy: 1e-6) }
                }
            }
        }
        let query = try random(TensorShape(batch: 1, height: 2, width: 2, channels: 8), seed: 1)
        XCTAssertThrowsError(try fast.crossAttention(query: query, keys: [Float](repeating: 0, count: 15), values: [Float](repeating: 0, count: 16),
                                                     tokens: 2, heads: 2))
        XCTAssertThrowsError(try fast.crossAttention(query: query, keys: [Float](repeating: 0, count: 16), values: [Float](repeating: 0, count: 16),
                                                     tokens: 2, heads: 3))
    }

    func testLayerNormAndGEGLU() throws {
        let x = try random(TensorShape(batch: 2, height: 3, width: 4, channels: 24), seed: 50, scale: 3)
        let gamma = randomArray(24, seed: 51, offset: 1), beta = randomArray(24, seed: 52)
        assertClose(try fast.layerNorm(x, gamma: gamma, beta: beta, epsilon: 1e-5),
                    try reference.layerNorm(x, gamma: gamma, beta: beta, epsilon: 1e-5), "layer norm")
        assertClose(try fast.geglu(x), try reference.geglu(x), "geglu")
        // Closed forms: a position [1, 3] normalizes to [-1, 1] (up to epsilon); GELU(1) = Phi(1) = 0.8413447.
        let pair = try Tensor(shape: TensorShape(batch: 1, height: 1, width: 1, channels: 2), nhwc: [1, 3])
        let normalized = try fast.layerNorm(pair, gamma: [1, 1], beta: [0, 0], epsilon: 1e-6)
        XCTAssertEqual(normalized.data[0], -1, accuracy: 1e-5)
        XCTAssertEqual(normalized.data[1], 1, accuracy: 1e-5)
        let gated = try fast.geglu(try Tensor(shape: TensorShape(batch: 1, height: 1, width: 1, channels: 2), nhwc: [2, 1]))
        XCTAssertEqual(gated.data[0], 2 * 0.8413447, accuracy: 1e-6)
        XCTAssertThrowsError(try fast.geglu(try random(TensorShape(batch: 1, height: 1, width: 1, channels: 3), seed: 1)))
        XCTAssertThrowsError(try fast.layerNorm(x, gamma: [1], beta: [0], epsilon: 1e-5))
    }

    func testTimestepEmbeddingClosedForm() throws {
        // guided-diffusion: [cos(t f), sin(t f)], f_i = 10000^(-i/half); diffusers DDPM: [sin, cos], f_i = 10000^(-i/(half-1)).
        let adm = try timestepEmbedding([0, 500], dim: 8, flipSinToCos: true, freqShift: 0)
        let ddpm = try timestepEmbedding([500], dim: 8, flipSinToCos: false, freqShift: 1)
        for i in 0..<4 {
            let f0 = Foundation.pow(10000.0, -Double(i) / 4), f1 = Foundation.pow(10000.0, -Double(i) / 3)
            XCTAssertEqual(Double(adm.data[i]), 1, accuracy: 1e-6)
            XCTAssertEqual(Double(adm.data[8 + i]), Foundation.cos(500 * f0), accuracy: 2e-4)
            XCTAssertEqual(Double(adm.data[8 + 4 + i]), Foundation.sin(500 * f0), accuracy: 2e-4)
            XCTAssertEqual(Double(ddpm.data[i]), Foundation.sin(500 * f1), accuracy: 2e-4)
            XCTAssertEqual(Double(ddpm.data[4 + i]), Foundation.cos(500 * f1), accuracy: 2e-4)
        }
    }

    func testTensorRejectsOverflowingShapes() {
        XCTAssertThrowsError(try Tensor(uninitialized: TensorShape(batch: 1 << 32, height: 1 << 32, width: 1, channels: 1)))
        XCTAssertThrowsError(try Tensor(uninitialized: TensorShape(batch: -1, height: 1, width: 1, channels: 1)))
    }
}

/// A small seeded generator (SplitMix64) so that test data are the same everywhere.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func nextSymmetric() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
