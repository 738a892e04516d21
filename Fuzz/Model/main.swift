// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness past model load: each input is a model folder (a config.json and byte patches to the tiny test
// model's weights), loaded through the C API and, when it loads, run on one tiny restoration. What must never happen
// is a trap, a hang or an out-of-bounds access; a model that loads and gives a non-finite result must be an error.
//   input: 2-byte little-endian config length, the config.json text, then 5-byte patches (4-byte offset into the
//   weights file modulo its size, 1 byte to write there)
import DreamCleanCAPI
import FuzzSupport
import Glibc

let weights: [UInt8] = {
    let path = (getenv("DREAMCLEAN_FUZZ_MODEL").map { String(cString: $0) } ?? "Tests/Fixtures/adm-tiny") + "/model.safetensors"
    guard let file = fopen(path, "rb") else { fatalError("fuzz-model: cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}()

let folder: String = {
    var template = Array("/tmp/dreamclean-fuzz-model-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("fuzz-model: mkdtemp") }
    return String(cString: made)
}()

func write(_ bytes: [UInt8], to name: String) {
    let path = folder + "/" + name
    guard let file = fopen(path, "wb") else { fatalError("fuzz-model: cannot write \(path)") }
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes, count >= 2 else { return 0 }
    let b = Array(UnsafeBufferPointer(start: bytes, count: count))
    let configLength = min(Int(b[0]) | Int(b[1]) << 8, count - 2)
    write(Array(b[2..<2 + configLength]), to: "config.json")
    var patched = weights
    var position = 2 + configLength
    while position + 5 <= count {
        let offset = (Int(b[position]) | Int(b[position + 1]) << 8 | Int(b[position + 2]) << 16 | Int(b[position + 3]) << 24) % patched.count
        patched[offset] = b[position + 4]
        position += 5
    }
    write(patched, to: "model.safetensors")

    var context: OpaquePointer?
    guard dc_context_new(folder, &context) == 0 else { return 0 }
    defer { dc_context_release(context) }
    _ = dc_context_set_int(context, "num_threads", 1)
    var input = [UInt8](repeating: 0, count: 8 * 8 * 3), output = [UInt8](repeating: 0, count: 8 * 8 * 3)
    for i in input.indices { input[i] = UInt8(truncatingIfNeeded: i * 37) }
    _ = dc_restore(context, &input, &output, 1, 8, 8, 3, 0, "task=denoise:noise_sigma=20:steps=1:seed=1", nil, nil)
    return 0
})
