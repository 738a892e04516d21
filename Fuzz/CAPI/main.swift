// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness for the C API's image and execute path: the first bytes choose sizes, channels, format, strides
// (often wrong on purpose), an output size, a mask, a kernel, in-place use and a reading; the rest is an options string. Buffers are exactly
// as large as the declared sizes and strides need, so AddressSanitizer reports any access the library's checks should
// have refused. Runs on the tiny test model with at most 2 steps and SR scale 4 so that each input takes milliseconds.
import DreamCleanCAPI
import FuzzSupport
import Glibc

let context: OpaquePointer? = {
    var context: OpaquePointer?
    let model = getenv("DREAMCLEAN_FUZZ_MODEL").map { String(cString: $0) } ?? "Tests/Fixtures/adm-tiny"
    guard dc_context_new(model, &context) == 0 else { fatalError("fuzz-capi: cannot load \(model)") }
    _ = dc_context_set_int(context, "num_threads", 1)
    return context
}()

/// An image as the harness declares it to the library, with a buffer of exactly the bytes that declaration implies.
struct Declared {
    let width: Int, height: Int, channels: Int, format: Int32, pixelStride: Int, rowStride: Int
    let buffer: UnsafeMutableRawBufferPointer

    init(width: Int, height: Int, channels: Int, format: Int32, strideBytes: (UInt8, UInt8), fill: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.format = format
        let sample = [1: 1, 2: 2, 3: 4][Int(format)] ?? 1
        // 0 means packed; otherwise the packed stride plus a small (possibly negative) change.
        pixelStride = strideBytes.0 % 8 == 0 ? 0 : max(1, channels * sample + Int(strideBytes.0 % 8) - 4)
        let pixel = pixelStride == 0 ? channels * sample : pixelStride
        rowStride = strideBytes.1 % 8 == 0 ? 0 : max(1, width * pixel + Int(strideBytes.1 % 8) - 4)
        let row = rowStride == 0 ? width * pixel : rowStride
        let bytes = max(1, (height - 1) * row + (width - 1) * pixel + channels * sample)
        buffer = .allocate(byteCount: bytes, alignment: 16)
        for i in 0..<bytes { buffer[i] = fill.isEmpty ? 0 : fill[i % fill.count] }
    }

    func set(_ filter: OpaquePointer?, _ slot: String) -> Int32 {
        dc_filter_set_image(filter, slot, buffer.baseAddress, format, width, height, channels, pixelStride, rowStride)
    }
}

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes, count >= 8 else { return 0 }
    let b = Array(UnsafeBufferPointer(start: bytes, count: count))
    let width = Int(b[0] % 24) + 1, height = Int(b[1] % 24) + 1, channels = Int(b[2] % 6)
    let format = Int32(b[3] % 5), flags = b[6]
    let options: [CChar] = b[8...].map { CChar(bitPattern: $0) } + [0]

    var filter: OpaquePointer?
    guard dc_filter_new(context, &filter) == 0 else { fatalError("dc_filter_new") }
    defer { dc_filter_release(filter) }
    _ = dc_filter_set_options(filter, options)
    var steps: Int64 = 0, iterations: Int64 = 0, scale: Int64 = 1
    _ = dc_filter_get_int(filter, "steps", &steps)
    if steps == 0 || steps > 2 { _ = dc_filter_set_int(filter, "steps", 2) }
    _ = dc_filter_get_int(filter, "vps_iters", &iterations)
    if iterations > 1 { _ = dc_filter_set_int(filter, "vps_iters", 1) }
    var task = [CChar](repeating: 0, count: 16)
    _ = dc_filter_get_string(filter, "task", &task, task.count, nil)
    if String(cString: task) == "sr" {
        _ = dc_filter_get_int(filter, "scale", &scale)
        if scale > 4 { scale = 4; _ = dc_filter_set_int(filter, "scale", 4) }  // larger scales only cost time
    }

    let input = Declared(width: width, height: height, channels: channels, format: format, strideBytes: (b[4], b[5]), fill: Array(b[8...]))
    var extra: [Declared] = []
    defer { ([input] + extra).forEach { $0.buffer.deallocate() } }
    _ = input.set(filter, "input")
    if flags & 1 != 0 {
        _ = input.set(filter, "output")  // in place
    } else {
        // The right output size, or one pixel off when bit 1 is set (the library must refuse it).
        let off = flags & 2 != 0 ? 1 : 0
        extra.append(Declared(width: width * Int(scale) + off, height: height * Int(scale), channels: channels, format: format,
                              strideBytes: (b[7], b[7] >> 3), fill: []))
        _ = extra[extra.count - 1].set(filter, "output")
    }
    if flags & 4 != 0 {  // a mask, one row short when bit 3 is set
        extra.append(Declared(width: width, height: height - (flags & 8 != 0 ? 1 : 0), channels: 1, format: 1,
                              strideBytes: (0, 0), fill: Array(b[8...])))
        _ = extra[extra.count - 1].set(filter, "mask")
    }
    if flags & 16 != 0 {  // what blind mode reads, into a dc_reading of exactly its 32 bytes
        let reading = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
        defer { reading.deallocate() }
        reading.storeBytes(of: 32, as: Int.self)
        _ = dc_filter_read_input(filter, reading)
    }
    if flags & 64 != 0 {  // a kernel of 0-63 floats from the bytes, in a buffer of exactly that many
        let values = Array(b[8...]).withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(Int(b[7] % 64))) }
        let kernel = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(values.count, 1))
        defer { kernel.deallocate() }
        _ = kernel.initialize(from: values)
        _ = dc_filter_set_kernel(filter, flags & 128 != 0 ? "sr_taps" : "blur_kernel", values.isEmpty ? nil : kernel.baseAddress, values.count)
    }
    if flags & 32 != 0 {  // the output size and the plan, as a host asks before allocating
        var (w, h, needed) = (0, 0, 0)
        _ = dc_filter_get_output_size(filter, width, height, &w, &h)
        var plan = [CChar](repeating: 0, count: 64)
        _ = dc_filter_get_plan(filter, &plan, plan.count, &needed)
    }
    _ = dc_filter_execute(filter)
    return 0
})
