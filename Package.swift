// swift-tools-version:6.0
// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import PackageDescription

let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "DreamClean",
    products: [
        .library(name: "DreamCleanKernels", targets: ["DreamCleanKernels"]),
        .library(name: "DreamCleanNetworks", targets: ["DreamCleanNetworks"]),
        .library(name: "DreamCleanDiffusion", targets: ["DreamCleanDiffusion"]),
        .library(name: "DreamClean", targets: ["DreamClean"]),
        .executable(name: "dreamclean-bench", targets: ["dreamclean-bench"]),
    ],
    targets: [
        // Debian's libdnnl-dev (oneDNN 2.6) and the OpenMP runtime it is built on.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(name: "DreamCleanKernels", dependencies: ["CDNNL"], swiftSettings: optimize),
        .target(name: "DreamCleanNetworks", dependencies: ["DreamCleanKernels"], swiftSettings: optimize),
        .target(name: "DreamCleanDiffusion", dependencies: ["DreamCleanKernels"], swiftSettings: optimize),
        .target(name: "DreamClean", dependencies: ["DreamCleanDiffusion", "DreamCleanNetworks"], swiftSettings: optimize),
        .executableTarget(name: "dreamclean-bench", dependencies: ["DreamCleanNetworks"], swiftSettings: optimize),
        .testTarget(name: "DreamCleanKernelsTests", dependencies: ["DreamCleanKernels"]),
        .testTarget(name: "DreamCleanNetworksTests", dependencies: ["DreamCleanNetworks"]),
        .testTarget(name: "DreamCleanDiffusionTests", dependencies: ["DreamCleanDiffusion"]),
        .testTarget(name: "DreamCleanTests", dependencies: ["DreamClean"]),
    ],
    swiftLanguageModes: [.v6]
)
