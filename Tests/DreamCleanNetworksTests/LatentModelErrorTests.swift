// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanNetworks

/// A broken latent model folder is a named error before any work: each test copies a tiny fixture, breaks one thing
/// and checks that loading names it.
final class LatentModelErrorTests: XCTestCase {
    var scratch: String!

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "dreamclean-latent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// A copy of fixture `name` whose config.json `edit` changed; returns its folder.
    func broken(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let folder = (scratch as NSString).appendingPathComponent(name)
        try FileManager.default.copyItem(atPath: Fixtures.folder(name), toPath: folder)
        let path = ModelConfig.path(folder: folder)
        var config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return folder
    }

    /// Loads both networks of `folder` and returns the error's text.
    func loadError(_ folder: String) -> String {
        do {
            let config = try ModelConfig.load(folder: folder)
            let backend = ReferenceBackend()
            _ = try UNet(folder: folder, config: config, backend: backend)
            _ = try AutoencoderKL(folder: folder, config: config, backend: backend)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    func assertError(_ folder: String, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        let message = loadError(folder)
        for part in parts { XCTAssertTrue(message.contains(part), "\(message) should name \(part)", file: file, line: line) }
    }

    func testFixturesLoad() {
        XCTAssertEqual(loadError(Fixtures.folder("sd-tiny")), "loaded")
        XCTAssertEqual(loadError(Fixtures.folder("sdxl-tiny")), "loaded")
    }

    func testMismatchedAutoencoder() throws {
        let folder = try broken("sd-tiny") { config in
            var vae = config["vae"] as? [String: Any] ?? [:]
            vae["latent_channels"] = 8
            config["vae"] = vae
        }
        assertError(folder, contains: ["vae.latent_channels", "mismatched autoencoder"])
    }

    func testContextOfTheWrongWidth() throws {
        let folder = try broken("sd-tiny") { config in
            var unet = config["unet"] as? [String: Any] ?? [:]
            var transformer = unet["transformer"] as? [String: Any] ?? [:]
            transformer["context_dim"] = 48
            unet["transformer"] = transformer
            config["unet"] = unet
        }
        assertError(folder, contains: ["conditioning.safetensors", "'context'", "[8, 48]"])
    }

    func testSDXLUNetWithoutItsAddedEmbeddings() throws {
        let folder = try broken("sdxl-tiny") { config in
            var unet = config["unet"] as? [String: Any] ?? [:]
            unet["added_embedding"] = nil
            config["unet"] = unet
        }
        assertError(folder, contains: ["unet.added_embedding", "add_embed"])
    }

    func testScalingFactorMissing() throws {
        let folder = try broken("sd-tiny") { config in
            var vae = config["vae"] as? [String: Any] ?? [:]
            vae["scaling_factor"] = nil
            config["vae"] = vae
        }
        assertError(folder, contains: ["vae.scaling_factor", "missing"])
    }

    func testFolderFromANewerConverter() throws {
        let folder = try broken("sd-tiny") { $0["format_version"] = 2 }
        assertError(folder, contains: ["format_version", "newer converter"])
    }

    func testMissingConditioningFile() throws {
        let folder = try broken("sd-tiny") { _ in }
        try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent("conditioning.safetensors"))
        assertError(folder, contains: ["conditioning.safetensors"])
    }

    func testPixelConfigWithAnAutoencoderIsRefused() throws {
        let folder = try broken("sd-tiny") { $0["architecture"] = "ddpm" }
        assertError(folder, contains: ["'vae'", "only a latent"])
    }
}
