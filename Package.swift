// swift-tools-version:6.0
// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import PackageDescription

// Release builds keep Swift's overflow and bounds traps (plain -O): against -Ounchecked the default model's 256x256
// forward pass measured 606 and 623 ms against 650 and 620 ms (medians of 3, two rounds), no difference worth a
// silent wrap-around in a host's process.

// The Swift runtime and FoundationEssentials linked in (the library hides their symbols with its version script), so
// that libdreamclean.so and the CLI run on machines without a Swift toolchain; the two libraries named are
// FoundationEssentials' own dependencies, which static linking does not pull in by itself.
let staticSwiftRuntime = ["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"]

// Every symbol resolved at link time, except in the sanitizer builds (DREAMCLEAN_CHECKED=1), whose runtime the host
// program brings.
let noUndefined = Context.environment["DREAMCLEAN_CHECKED"] == "1" ? [] : ["-Xlinker", "--no-undefined"]

let package = Package(
    name: "DreamClean",
    products: [
        // The C ABI of Include/dreamclean.h. SwiftPM names it libDreamCleanSharedLibrary.so (the CLI owns the name
        // "dreamclean"); its soname is libdreamclean.so.0 and `make library` / `make install` give it that name.
        .library(name: "DreamCleanSharedLibrary", type: .dynamic, targets: ["DreamCleanSharedLibrary"]),
        .executable(name: "dreamclean", targets: ["DreamCleanCLI"]),
        .library(name: "DreamCleanKernels", targets: ["DreamCleanKernels"]),
        .library(name: "DreamCleanNetworks", targets: ["DreamCleanNetworks"]),
        .library(name: "DreamCleanDiffusion", targets: ["DreamCleanDiffusion"]),
        .library(name: "DreamClean", targets: ["DreamClean"]),
        .executable(name: "dreamclean-bench", targets: ["DreamCleanBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Debian's libdnnl-dev (oneDNN 2.6) and the OpenMP runtime it is built on.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // The memory-bound loops that need the CPU's vector width (Swift builds for the x86-64 baseline).
        .target(name: "CDreamCleanKernels"),
        .target(name: "DreamCleanKernels", dependencies: ["CDNNL", "CDreamCleanKernels"]),
        // OpenSSL's libcrypto (Debian's libssl-dev) for the model files' SHA-256.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(name: "DreamCleanNetworks", dependencies: ["DreamCleanKernels", "COpenSSL"]),
        // FFTW 3 (Debian's libfftw3-dev) for the deblurring operator.
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
        .target(name: "DreamCleanDiffusion", dependencies: ["DreamCleanKernels", "CFFTW"]),
        // Include/dreamclean.h for its version macros, the version's one source.
        .systemLibrary(name: "CDreamCleanHeader", path: "Sources/CDreamCleanHeader"),
        .target(name: "DreamClean", dependencies: ["DreamCleanDiffusion", "DreamCleanNetworks", "CDreamCleanHeader"]),
        // libvips (Debian's libvips-dev) for image files in the CLI; the library itself never needs it.
        .systemLibrary(name: "CVips", path: "Sources/CVips", pkgConfig: "vips"),
        .target(name: "DreamCleanImageIO", dependencies: ["CVips"]),
        .executableTarget(name: "DreamCleanCLI", dependencies: [
            "DreamClean", "DreamCleanImageIO", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.unsafeFlags(staticSwiftRuntime)]),
        .target(name: "DreamCleanCSupport", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "DreamCleanCAPI", dependencies: ["DreamClean", "DreamCleanCSupport"]),
        .target(name: "DreamCleanSharedLibrary", dependencies: ["DreamCleanCAPI"], exclude: ["exports.map"], linkerSettings: [
            .unsafeFlags(staticSwiftRuntime + noUndefined + ["-Xlinker", "-soname=libdreamclean.so.0",
                          "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/DreamCleanSharedLibrary/exports.map"]),
        ]),
        .executableTarget(name: "DreamCleanBench", dependencies: ["DreamCleanNetworks"]),
        // libFuzzer harnesses: `make fuzz` builds them with -sanitize=fuzzer,address; a plain build links them without
        // libFuzzer, and they then only say how to build them.
        .target(name: "FuzzSupport", path: "Fuzz/Support"),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["DreamCleanNetworks", "FuzzSupport"], path: "Fuzz/SafeTensors"),
        .executableTarget(name: "fuzz-config", dependencies: ["DreamCleanNetworks", "FuzzSupport"], path: "Fuzz/ModelConfig"),
        .executableTarget(name: "fuzz-options", dependencies: ["DreamCleanCAPI", "FuzzSupport"], path: "Fuzz/Options"),
        .executableTarget(name: "fuzz-capi", dependencies: ["DreamCleanCAPI", "FuzzSupport"], path: "Fuzz/CAPI"),
        .executableTarget(name: "fuzz-model", dependencies: ["DreamCleanCAPI", "FuzzSupport"], path: "Fuzz/Model"),
        .executableTarget(name: "fuzz-image", dependencies: ["DreamCleanImageIO", "FuzzSupport"], path: "Fuzz/Image"),
        .testTarget(name: "DreamCleanKernelsTests", dependencies: ["DreamCleanKernels", "CDreamCleanKernels"]),
        .testTarget(name: "DreamCleanNetworksTests", dependencies: ["DreamCleanNetworks"]),
        .testTarget(name: "DreamCleanDiffusionTests", dependencies: ["DreamCleanDiffusion"]),
        .testTarget(name: "DreamCleanTests", dependencies: ["DreamClean"]),
    ],
    swiftLanguageModes: [.v6]
)
