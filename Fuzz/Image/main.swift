// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

// libFuzzer harness for the CLI's image decoding (libvips through Sources/DreamCleanImageIO): each input is written
// to a file and decoded as the CLI decodes its IN; PNG, JPEG, TIFF, WebP and GIF seeds. A header that declares more
// than 2^22 pixels must be refused before anything is allocated (the fuzzer's memory limit catches one that is not).
import DreamCleanImageIO
import FuzzSupport
import Glibc

let path: String = {
    var template = Array("/tmp/dreamclean-fuzz-image-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { fatalError("fuzz-image: mkstemp") }
    close(fd)
    guard dcio_init() == 0 else { fatalError("fuzz-image: \(String(cString: dcio_last_error()))") }
    return String(cString: template)
}()

exit(fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { bytes, count in
    guard let bytes, let file = fopen(path, "wb") else { return 0 }
    fwrite(bytes, 1, count, file)
    fclose(file)
    var pixels: UnsafeMutablePointer<Float>?
    var (width, height, bands): (Int32, Int32, Int32) = (0, 0, 0)
    var source: OpaquePointer?
    defer { dcio_release(source) }
    if dcio_load(path, 1 << 22, &pixels, &width, &height, &bands, &source) == 0, let pixels {
        // Every sample the decoder claims to have written is readable (AddressSanitizer checks the bound).
        var sum: Float = 0
        for i in 0..<Int(width) * Int(height) * Int(bands) { sum += pixels[i] }
        free(pixels)
    }
    return 0
})
