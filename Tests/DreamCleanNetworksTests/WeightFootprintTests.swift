// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanNetworks

/// What memory planning counts for a network's weights: every tensor of its file, 4 bytes a weight in f32, and in bf16
/// 4 where the file stores f16 (the exact copy is f16) and 6 otherwise (`ConvolutionWeights`).
final class WeightFootprintTests: XCTestCase {
    func testFootprintFollowsTheStoredType() throws {
        let backend = ReferenceBackend()
        let sd = Fixtures.folder("sd-tiny"), ddpm = Fixtures.folder("ddpm-tiny")
        let config = try ModelConfig.load(folder: sd)
        let cases: [(String, WeightFootprint, Bool)] = [
            ("sd-tiny UNet (f16)", try UNet(folder: sd, config: config, backend: backend).weightFootprint, true),
            ("sd-tiny autoencoder (f16)", try AutoencoderKL(folder: sd, config: config, backend: backend).weightFootprint, true),
            ("ddpm-tiny (bf16)", try UNet(folder: ddpm, backend: backend).weightFootprint, false),
        ]
        let files = ["sd-tiny/model.safetensors", "sd-tiny/vae.safetensors", "ddpm-tiny/model.safetensors"]
        for ((name, footprint, f16), file) in zip(cases, files) {
            let entries = try SafeTensorsFile(path: Fixtures.folder(file)).entries.values
            XCTAssertEqual(footprint.count, entries.reduce(0) { $0 + $1.shape.reduce(1, *) }, name)
            XCTAssertEqual(footprint.storedInF16, f16, name)
            XCTAssertEqual(footprint.bytes(at: .f32), 4 * footprint.count, name)
            XCTAssertEqual(footprint.bytes(at: .bf16), (f16 ? 4 : 6) * footprint.count, name)
        }
    }
}
