// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanNetworks

/// Both UNet families against PyTorch (Tests/Fixtures, made by `python3 Models/make_fixtures.py`): max absolute error
/// at most 1e-4 in float32, on a square and a non-square input, with the oneDNN and the reference backend.
final class UNetParityTests: XCTestCase {
    func check(_ name: String, backend: any ComputeBackend) throws -> Float {
        let folder = Fixtures.folder(name)
        let net = try UNet(folder: folder, backend: backend)
        let cases = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent("cases.safetensors"))
        var worst: Float = 0
        for i in 0..<2 {
            let inputShape = try XCTUnwrap(cases.entries["input_\(i)"]?.shape)
            let outputShape = try XCTUnwrap(cases.entries["output_\(i)"]?.shape)
            let x = try Tensor(shape: TensorShape(batch: inputShape[0], height: inputShape[2], width: inputShape[3], channels: inputShape[1]),
                               nchw: try cases.floats("input_\(i)"))
            let expected = try Tensor(shape: TensorShape(batch: outputShape[0], height: outputShape[2], width: outputShape[3], channels: outputShape[1]),
                                      nchw: try cases.floats("output_\(i)"))
            let got = try net(x, timesteps: try cases.floats("timesteps_\(i)"))
            let error = got.maxAbsDifference(expected)
            XCTAssertLessThanOrEqual(error, 1e-4, "\(name) case \(i) (\(inputShape)) on \(backend.name)")
            worst = max(worst, error)
        }
        print("parity \(name) on \(backend.name): max abs error \(worst)")
        return worst
    }

    func testADMMatchesPyTorch() throws {
        _ = try check("adm-tiny", backend: try DNNLBackend(threads: 2))
        _ = try check("adm-tiny", backend: ReferenceBackend())
    }

    func testDDPMMatchesDiffusers() throws {
        _ = try check("ddpm-tiny", backend: try DNNLBackend(threads: 2))
        _ = try check("ddpm-tiny", backend: ReferenceBackend())
    }

    func testRejectsInputOfWrongSize() throws {
        let net = try UNet(folder: Fixtures.folder("adm-tiny"), backend: try DNNLBackend(threads: 1))
        XCTAssertThrowsError(try net(try Tensor(zeros: TensorShape(batch: 1, height: 10, width: 16, channels: 3)), timesteps: [1]))
        XCTAssertThrowsError(try net(try Tensor(zeros: TensorShape(batch: 1, height: 16, width: 16, channels: 4)), timesteps: [1]))
        XCTAssertThrowsError(try net(try Tensor(zeros: TensorShape(batch: 1, height: 16, width: 16, channels: 3)), timesteps: []))
    }
}
