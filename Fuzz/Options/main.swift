// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness: any bytes as an options string ("name=value:..."), then as a parameter name and value for the
// typed setters, through the C API on a filter of the tiny test model; every getter and the JSON list afterwards.
import DreamCleanCAPI
import FuzzSupport
import Glibc

let context: OpaquePointer? = {
    var context: OpaquePointer?
    let model = getenv("DREAMCLEAN_FUZZ_MODEL").map { String(cString: $0) } ?? "Tests/Fixtures/adm-tiny"
    guard dc_context_new(model, &context) == 0 else { fatalError("fuzz-options: cannot load \(model)") }
    return context
}()

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes else { return 0 }
    var filter: OpaquePointer?
    guard dc_filter_new(context, &filter) == 0 else { fatalError("dc_filter_new") }
    defer { dc_filter_release(filter) }
    // The whole input as one C string (cut at its first NUL), then split at the first '=' for the typed setters.
    let text: [CChar] = Array(UnsafeBufferPointer(start: bytes, count: count)).map { CChar(bitPattern: $0) } + [0]
    _ = dc_filter_set_options(filter, text)
    let parts = String(cString: text).split(separator: "=", maxSplits: 1).map(String.init)
    if parts.count == 2 {
        _ = dc_filter_set_string(filter, parts[0], parts[1])
        _ = dc_filter_set_int(filter, parts[0], Int64(parts[1]) ?? Int64(count) - 1)
        _ = dc_filter_set_float(filter, parts[0], Double(parts[1]) ?? .nan)
        _ = dc_filter_set_bool(filter, parts[0], parts[1].count % 2 == 0)
    }
    for index in 0..<dc_param_count() {
        // dc_param_desc as raw memory: struct_size, then the name pointer (dreamclean.h's layout on LP64).
        let info = UnsafeMutableRawPointer.allocate(byteCount: 72, alignment: 8)
        defer { info.deallocate() }
        info.storeBytes(of: 72, as: Int.self)
        guard dc_param_info(index, info) == 0,
              let name = info.load(fromByteOffset: 8, as: UnsafePointer<CChar>?.self) else { fatalError("dc_param_info \(index)") }
        var integer: Int64 = 0, number = 0.0, flag = false, needed = 0
        var buffer = [CChar](repeating: 0, count: 4)
        _ = dc_filter_get_int(filter, name, &integer)
        _ = dc_filter_get_float(filter, name, &number)
        _ = dc_filter_get_bool(filter, name, &flag)
        _ = dc_filter_get_string(filter, name, &buffer, buffer.count, &needed)
    }
    var needed = 0
    _ = dc_params_json(nil, 0, &needed)
    return 0
})
