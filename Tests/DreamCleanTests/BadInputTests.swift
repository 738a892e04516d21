// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanDiffusion
import DreamCleanKernels
@testable import DreamClean

/// Every bad argument is a thrown error naming the value; none traps, and the output is never touched.
final class BadInputTests: XCTestCase {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)

    override func tearDown() { memory.deallocate() }

    func assertInvalid(_ make: @autoclosure () throws -> ImageBuffer, mentions text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try make(), file: file, line: line) { error in
            guard case let .invalidImage(reason)? = error as? RestoreError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), "'\(reason)' should mention '\(text)'", file: file, line: line)
        }
    }

    func testBufferGeometry() {
        assertInvalid(try ImageBuffer(base: memory, width: 0, height: 4, channels: 3, format: .uint8), mentions: "0x4")
        assertInvalid(try ImageBuffer(base: memory, width: 4, height: -1, channels: 3, format: .uint8), mentions: "4x-1")
        assertInvalid(try ImageBuffer(base: memory, width: 4, height: 4, channels: 0, format: .uint8), mentions: "0 channels")
        assertInvalid(try ImageBuffer(base: memory, width: 4, height: 4, channels: 5, format: .uint8), mentions: "5 channels")
        assertInvalid(try ImageBuffer(base: memory, width: 4, height: 4, channels: 3, format: .uint16, pixelStride: 5), mentions: "pixel stride 5")
        assertInvalid(try ImageBuffer(base: memory, width: 4, height: 4, channels: 3, format: .uint8, rowStride: 11), mentions: "row stride 11")
        assertInvalid(try ImageBuffer(base: memory, width: 1 << 20, height: 1 << 20, channels: 4, format: .float32,
                                      pixelStride: Int.max / 2), mentions: "overflow")
        assertInvalid(try ImageBuffer(base: memory, width: 1000, height: 1 << 20, channels: 4, format: .float32,
                                      rowStride: Int.max / 1000), mentions: "overflow")
        XCTAssertNoThrow(try ImageBuffer(base: memory, width: 4, height: 4, channels: 3, format: .uint8, rowStride: 12))
    }

    /// Runs a restoration expected to fail and checks that the output bytes did not change.
    func assertRefused(_ options: RestoreOptions, input inputValues: [Float]? = nil, outputSize: (Int, Int) = (4, 4),
                       check: (Error) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let inputBytes = UnsafeMutablePointer<Float>.allocate(capacity: 48)
        defer { inputBytes.deallocate() }
        for i in 0..<48 { inputBytes[i] = inputValues?[i] ?? 0.5 }
        let input = try ImageBuffer(base: inputBytes, width: 4, height: 4, channels: 3, format: .float32)
        let count = outputSize.0 * outputSize.1 * 3
        let outputBytes = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { outputBytes.deallocate() }
        outputBytes.initialize(repeating: -7, count: count)
        let output = try ImageBuffer(base: outputBytes, width: outputSize.0, height: outputSize.1, channels: 3, format: .float32)
        XCTAssertThrowsError(try restorer.restore(input: input, output: output, options: options), file: file, line: line) { check($0) }
        XCTAssertTrue((0..<count).allSatisfy { outputBytes[$0] == -7 }, "output was written", file: file, line: line)
    }

    func invalidOption(_ name: String) -> (Error) -> Void {
        { error in
            guard case let .invalidOption(reported, _, _)? = error as? RestoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(reported, name)
        }
    }

    func testNonFinitePixels() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var values = [Float](repeating: 0.5, count: 48)
            values[17] = bad
            try assertRefused(RestoreOptions(), input: values) { error in
                guard case let .invalidImage(reason)? = error as? RestoreError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("(1, 1, channel 2)"), reason)
            }
        }
    }

    func testOptionsOutOfRange() throws {
        var options = RestoreOptions(task: .sr)
        options.scale = 0
        try assertRefused(options, check: invalidOption("scale"))
        for (name, edit) in [("steps", { (o: inout RestoreOptions) in o.steps = 0 }), ("strength", { $0.strength = 1.5 }),
                             ("strength", { $0.strength = .nan }), ("gamma", { $0.gamma = 1 }), ("vps_iters", { $0.vpsIterations = 11 }),
                             ("noise_sigma", { $0.noiseSigma = -0.1 }), ("tile_size", { $0.tileSize = 8 }),
                             ("tile_overlap", { $0.tileOverlap = 300 })] as [(String, (inout RestoreOptions) -> Void)] {
            var options = RestoreOptions()
            edit(&options)
            try assertRefused(options, check: invalidOption(name))
        }
    }

    /// A message names a long value by its start and length; it does not copy it.
    func testLongValuesAreShortenedInMessages() {
        var values = RestoreParameterValues()
        let long = String(repeating: "y", count: 1_000_000)
        for attempt in [{ try values.set("task", .choice(long)) }, { try values.apply(options: "task=" + long) },
                        { try values.apply(options: long) }, { try values.set(long, .int(1)) }] as [() throws -> Void] {
            XCTAssertThrowsError(try attempt()) { error in
                let message = "\(error)"
                XCTAssertLessThan(message.count, 400, String(message.prefix(120)))
                XCTAssertTrue(message.contains("(1000000 characters)") || message.contains("(1000002 characters)")
                              || message.contains("(1000005 characters)"), String(message.prefix(200)))
            }
        }
    }

    func testMaskOfTheWrongSize() throws {
        var options = RestoreOptions(task: .inpaint)
        options.mask = [1, 0, 1]
        try assertRefused(options, check: invalidOption("mask"))
        try assertRefused(RestoreOptions(task: .inpaint), check: invalidOption("mask"))
    }

    func testOutputOfTheWrongSize() throws {
        try assertRefused(RestoreOptions(), outputSize: (4, 5)) { XCTAssertNotNil($0 as? RestoreError) }
        var options = RestoreOptions(task: .sr)
        options.scale = 2
        try assertRefused(options, outputSize: (4, 4)) { XCTAssertNotNil($0 as? RestoreError) }
    }

    func testBadBlurOptions() throws {
        var options = RestoreOptions(task: .deblur)
        options.blurSigma = 0
        try assertRefused(options, check: invalidOption("blur_sigma"))
        options = RestoreOptions(task: .deblur)
        options.blurKernel = [1, 2, 3, 4]
        try assertRefused(options, check: invalidOption("blur_kernel"))
    }

    /// Blur kernels that cannot blur: all zeros, a non-finite value, larger than the (mirrored) image. Each is a named
    /// error, never a trap and never a wrecked image.
    func testBlurKernelsThatCannotBlur() throws {
        for (kernel, name) in [([Float](repeating: 0, count: 9), "blur_kernel"), ([1, 1, 1, 1, .nan, 1, 1, 1, 1], "blur_kernel"),
                               ([Float](repeating: 1, count: 81), "blur kernel")] {
            var options = RestoreOptions(task: .deblur)
            options.blurKernel = kernel
            options.noiseSigma = 2
            try assertRefused(options) { error in
                // the 9x9 kernel on a 4x4 image: larger than the mirrored 8x8 image
                XCTAssertTrue("\(error)".contains(name), "\(error)")
            }
        }
    }

    /// An sr output whose size overflows has no size (hosts are told so by dc_filter_get_output_size), and a restore
    /// asked for it is refused before any work.
    func testSuperResolutionSizeOverflow() {
        var options = RestoreOptions(task: .sr)
        options.scale = 16
        XCTAssertNil(RestorationPlan.outputSize(width: Int.max / 8, height: 4, options: options))
        XCTAssertEqual(RestorationPlan.outputSize(width: 3, height: 4, options: options)?.width, 48)
    }

    /// Masks with nothing missing or nothing known, and a noise level of 255: defined results. Nothing missing leaves
    /// the image as it was; nothing known and the largest noise level give finite images in range.
    func testDegenerateMasksAndTheLargestNoiseLevel() throws {
        let restorer = try Restorer(network: LocalContrastNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let (w, h) = (16, 16)
        let input = UnsafeMutablePointer<Float>.allocate(capacity: w * h * 3), output = UnsafeMutablePointer<Float>.allocate(capacity: w * h * 3)
        defer { input.deallocate(); output.deallocate() }
        for i in 0..<w * h * 3 { input[i] = Float(0.2 + 0.6 * abs(sin(Double(i) * 0.37))) }
        func restore(_ options: RestoreOptions) throws -> [Float] {
            output.initialize(repeating: -1, count: w * h * 3)
            try restorer.restore(input: try ImageBuffer(base: input, width: w, height: h, channels: 3, format: .float32),
                                 output: try ImageBuffer(base: output, width: w, height: h, channels: 3, format: .float32), options: options)
            return Array(UnsafeBufferPointer(start: output, count: w * h * 3))
        }
        var options = RestoreOptions(task: .inpaint)
        options.seed = 1
        options.mask = [Float](repeating: 1, count: w * h)  // every pixel known
        let kept = try restore(options)
        for i in 0..<w * h * 3 { XCTAssertEqual(kept[i], input[i], accuracy: 1e-6) }
        options.mask = [Float](repeating: 0, count: w * h)  // nothing known
        XCTAssertTrue(try restore(options).allSatisfy { $0.isFinite && (0...1).contains($0) })
        var noisy = RestoreOptions(task: .denoise)
        noisy.noiseSigma = 255
        noisy.seed = 1
        XCTAssertTrue(try restore(noisy).allSatisfy { $0.isFinite && (0...1).contains($0) })
    }

    /// A network whose output is not a number (a broken model) is an error, and the output stays untouched.
    func testNonFiniteNetworkOutput() throws {
        for bad in [Float.nan, .infinity] {
            let restorer = try Restorer(network: ConstantNetwork(value: bad), schedule: try NoiseSchedule(kind: .linear))
            let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 48), output = UnsafeMutablePointer<UInt8>.allocate(capacity: 48)
            defer { input.deallocate(); output.deallocate() }
            input.initialize(repeating: 128, count: 48)
            output.initialize(repeating: 7, count: 48)
            var options = RestoreOptions(task: .denoise)
            options.noiseSigma = 25
            XCTAssertThrowsError(try restorer.restore(input: try ImageBuffer(base: input, width: 4, height: 4, channels: 3, format: .uint8),
                                                      output: try ImageBuffer(base: output, width: 4, height: 4, channels: 3, format: .uint8),
                                                      options: options)) { error in
                guard case .brokenModel? = error as? RestoreError else { return XCTFail("\(error)") }
            }
            XCTAssertTrue((0..<48).allSatisfy { output[$0] == 7 }, "output was written")
        }
    }

    /// A restorer called again from its own progress callback says so instead of waiting for itself.
    func testReentryFromTheProgressCallback() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 96)
        defer { memory.deallocate() }
        memory.initialize(repeating: 0.5, count: 96)
        let image = try ImageBuffer(base: memory, width: 4, height: 4, channels: 3, format: .float32)
        let other = try ImageBuffer(base: memory + 48, width: 4, height: 4, channels: 3, format: .float32)
        var inner: Error?
        var threadsError: Error?
        try restorer.restore(input: image, output: other, options: RestoreOptions(task: .denoise), progress: { _ in
            if inner == nil {
                do { try restorer.restore(input: image, output: other, options: RestoreOptions()) } catch { inner = error }
                do { try restorer.setThreads(1) } catch { threadsError = error }
            }
            return true
        })
        guard case .busy? = inner as? RestoreError, case .busy? = threadsError as? RestoreError else {
            return XCTFail("\(String(describing: inner)), \(String(describing: threadsError))")
        }
        XCTAssertNoThrow(try restorer.setThreads(1))
    }

    /// An RGB input into an RGBA output: the alpha the restore has no value for is opaque, not left as it was.
    func testAlphaWithoutAnInputAlphaIsOpaque() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 48), output = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { input.deallocate(); output.deallocate() }
        input.initialize(repeating: 90, count: 48)
        output.initialize(repeating: 7, count: 64)
        try restorer.restore(input: try ImageBuffer(base: input, width: 4, height: 4, channels: 3, format: .uint8),
                             output: try ImageBuffer(base: output, width: 4, height: 4, channels: 4, format: .uint8),
                             options: RestoreOptions(task: .denoise))
        XCTAssertEqual((0..<16).map { output[$0 * 4 + 3] }, [UInt8](repeating: 255, count: 16))
    }

    /// Deblurring with no noise level given assumes the floor, not a noiseless measurement whose pseudo-inverse
    /// amplifies rounding a thousandfold: with a zero prior the result of a sharp flat-ish image stays near it.
    func testDeblurWithoutANoiseLevelStaysStable() throws {
        let restorer = try Restorer(network: ZeroNetwork(), schedule: try NoiseSchedule(kind: .linear))
        let (w, h) = (32, 32)
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: w * h * 3), output = UnsafeMutablePointer<UInt8>.allocate(capacity: w * h * 3)
        defer { input.deallocate(); output.deallocate() }
        // A smooth image with 8-bit rounding, which is all the "noise" it has.
        for i in 0..<w * h * 3 { input[i] = UInt8((128 + 60 * sin(Double(i / 3 % w) / 5) * cos(Double(i / 3 / w) / 7)).rounded()) }
        try restorer.restore(input: try ImageBuffer(base: input, width: w, height: h, channels: 3, format: .uint8),
                             output: try ImageBuffer(base: output, width: w, height: h, channels: 3, format: .uint8),
                             options: RestoreOptions(task: .deblur))
        let worst = (0..<w * h * 3).map { abs(Int(output[$0]) - Int(input[$0])) }.max() ?? 0
        XCTAssertLessThan(worst, 40, "deblurring a smooth image without a noise level moved a pixel by \(worst)")
    }
}
