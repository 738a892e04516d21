// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanNetworks

/// The Stable Diffusion networks against diffusers (Tests/Fixtures/sd-tiny and sdxl-tiny, tiny random-weight pipelines
/// converted by `Models/dreamclean_models/convert_sd.py`, made by `python3 Models/make_fixtures.py`): the latent UNet
/// with cross-attention over the stored empty-prompt context (and SDXL's added embeddings), the autoencoder's encoder
/// (posterior mean, scaled) and decoder; max absolute error at most 1e-4 in float32, on a square and a non-square
/// input, with the oneDNN and the reference backend.
final class LatentParityTests: XCTestCase {
    func nhwc(_ cases: SafeTensorsFile, _ key: String) throws -> Tensor {
        let shape = try XCTUnwrap(cases.entries[key]?.shape)
        return try Tensor(shape: TensorShape(batch: shape[0], height: shape[2], width: shape[3], channels: shape[1]),
                          nchw: try cases.floats(key))
    }

    func check(_ name: String, backend: any ComputeBackend) throws {
        let folder = Fixtures.folder(name)
        let config = try ModelConfig.load(folder: folder)
        XCTAssertTrue(config.isLatent)
        let unet = try UNet(folder: folder, config: config, backend: backend)
        let vae = try AutoencoderKL(folder: folder, config: config, backend: backend)
        let cases = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent("cases.safetensors"))
        var worst: [String: Float] = [:]
        for i in 0..<2 {
            let results = [
                ("unet", try unet(try nhwc(cases, "input_\(i)"), timesteps: try cases.floats("timesteps_\(i)")), "output_\(i)"),
                ("encode", try vae.encode(try nhwc(cases, "image_\(i)")), "encoded_\(i)"),
                ("decode", try vae.decode(try nhwc(cases, "input_\(i)")), "decoded_\(i)"),
            ]
            for (part, got, key) in results {
                let expected = try nhwc(cases, key)
                XCTAssertEqual(got.shape, expected.shape, "\(name) \(part) case \(i)")
                let error = got.maxAbsDifference(expected)
                XCTAssertLessThanOrEqual(error, 1e-4, "\(name) \(part) case \(i) on \(backend.name)")
                worst[part] = max(worst[part] ?? 0, error)
            }
        }
        print("parity \(name) on \(backend.name): max abs error \(worst.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    func testSD1MatchesDiffusers() throws {
        try check("sd-tiny", backend: try DNNLBackend(threads: 2))
        try check("sd-tiny", backend: ReferenceBackend())
    }

    func testSDXLMatchesDiffusers() throws {
        try check("sdxl-tiny", backend: try DNNLBackend(threads: 2))
        try check("sdxl-tiny", backend: ReferenceBackend())
    }
}
