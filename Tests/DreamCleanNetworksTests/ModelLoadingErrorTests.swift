// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanNetworks

/// Every kind of broken model file gives a thrown error that names the file and the key; none traps.
final class ModelLoadingErrorTests: XCTestCase {
    var scratch: String!

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "dreamclean-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func parse(_ data: Data) -> ModelError? {
        do {
            _ = try SafeTensorsFile(path: "test.safetensors", data: data)
            return nil
        } catch {
            return error as? ModelError
        }
    }

    func testValidFileRoundTrips() throws {
        let file = try SafeTensorsFile(path: "ok", data: SafeTensorsWriter.data(["a": SafeTensorsWriter.float32([1, 2, 3, 4, 5, 6], shape: [2, 3])]))
        XCTAssertEqual(try file.floats("a"), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(file.entries["a"]?.shape, [2, 3])
    }

    func testHalfPrecisionDTypes() throws {
        // 1.5 and -2 in f16 (0x3E00, 0xC000) and bf16 (0x3FC0, 0xC000).
        let f16 = SafeTensorsWriter.Tensor(dtype: "F16", shape: [2], bytes: [0x00, 0x3E, 0x00, 0xC0])
        let bf16 = SafeTensorsWriter.Tensor(dtype: "BF16", shape: [2], bytes: [0xC0, 0x3F, 0x00, 0xC0])
        let file = try SafeTensorsFile(path: "ok", data: SafeTensorsWriter.data(["h": f16, "b": bf16]))
        XCTAssertEqual(try file.floats("h"), [1.5, -2])
        XCTAssertEqual(try file.floats("b"), [1.5, -2])
    }

    func testTruncatedFiles() {
        let good = SafeTensorsWriter.data(["a": SafeTensorsWriter.float32([1, 2, 3, 4], shape: [4])])
        for length in [0, 4, 8, 20, good.count - 1] {
            XCTAssertNotNil(parse(good.prefix(length)), "prefix of \(length) bytes")
        }
    }

    func testHeaderPointingPastTheEnd() {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,1600]}}"#
        guard case .truncated(let path, let detail)? = parse(SafeTensorsWriter.data(["a": SafeTensorsWriter.float32([1, 2, 3, 4], shape: [4])], header: header)) else {
            return XCTFail("expected truncated")
        }
        XCTAssertEqual(path, "test.safetensors")
        XCTAssertTrue(detail.contains("'a'"), detail)
    }

    func testHeaderLengthBeyondFile() {
        var data = SafeTensorsWriter.data(["a": SafeTensorsWriter.float32([1], shape: [1])])
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init))
        XCTAssertNotNil(parse(data))
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64.max.littleEndian, Array.init))
        XCTAssertNotNil(parse(data))
    }

    func testCorruptedHeaders() {
        let body = SafeTensorsWriter.float32([1, 2], shape: [2])
        for header in [#"{"a":"#, #"[1,2]"#, #"{"a":{"dtype":"F32","shape":[2]}}"#,
                       #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
                       #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                       #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#,
                       #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#,
                       #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#] {
            XCTAssertNotNil(parse(SafeTensorsWriter.data(["a": body], header: header)), header)
        }
    }

    func testUnsupportedDType() {
        let tensor = SafeTensorsWriter.Tensor(dtype: "C64", shape: [1], bytes: Array(repeating: 0, count: 8))
        XCTAssertEqual(parse(SafeTensorsWriter.data(["z": tensor])), .unsupportedDType(key: "z", dtype: "C64", path: "test.safetensors"))
        // A known but non-float dtype is listed, and rejected when read.
        let ints = SafeTensorsWriter.Tensor(dtype: "I32", shape: [1], bytes: [1, 0, 0, 0])
        let file = try? SafeTensorsFile(path: "i", data: SafeTensorsWriter.data(["n": ints]))
        XCTAssertThrowsError(try file?.floats("n")) { XCTAssertEqual($0 as? ModelError, .unsupportedDType(key: "n", dtype: "I32", path: "i")) }
    }

    /// Copies the adm-tiny fixture, lets `edit` change its weights (rewritten as F32, so the config's checksum is dropped),
    /// and returns the load error.
    func loadEdited(_ edit: (inout [String: SafeTensorsWriter.Tensor]) -> Void) throws -> ModelError? {
        let source = Fixtures.folder("adm-tiny")
        let original = try SafeTensorsFile(path: (source as NSString).appendingPathComponent("model.safetensors"))
        var tensors: [String: SafeTensorsWriter.Tensor] = [:]
        for (key, entry) in original.entries {
            tensors[key] = SafeTensorsWriter.float32(try original.floats(key), shape: entry.shape)
        }
        edit(&tensors)
        try configWithoutChecksum(source).write(to: URL(fileURLWithPath: (scratch as NSString).appendingPathComponent("config.json")))
        try SafeTensorsWriter.data(tensors).write(to: URL(fileURLWithPath: (scratch as NSString).appendingPathComponent("model.safetensors")))
        do {
            _ = try UNet(folder: scratch, backend: ReferenceBackend())
            return nil
        } catch {
            return error as? ModelError
        }
    }

    func configWithoutChecksum(_ folder: String) throws -> Data {
        let text = try String(contentsOfFile: (folder as NSString).appendingPathComponent("config.json"), encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("weights_sha256") }
        return Data(kept.joined(separator: "\n").utf8)
    }

    /// One byte changed inside a weight: the file still parses, and only the config's SHA-256 tells.
    func testModifiedWeightFailsTheChecksum() throws {
        let source = Fixtures.folder("adm-tiny")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: (source as NSString).appendingPathComponent("model.safetensors")))
        bytes[bytes.count - 3] ^= 0x01
        let weights = (scratch as NSString).appendingPathComponent("model.safetensors")
        try bytes.write(to: URL(fileURLWithPath: weights))
        try FileManager.default.copyItem(atPath: (source as NSString).appendingPathComponent("config.json"),
                                         toPath: (scratch as NSString).appendingPathComponent("config.json"))
        XCTAssertThrowsError(try UNet(folder: scratch, backend: ReferenceBackend())) { error in
            guard case .checksumMismatch(let path, _, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, weights)
        }
        // Without a recorded checksum the same file loads: the check is what caught it.
        try configWithoutChecksum(source).write(to: URL(fileURLWithPath: (scratch as NSString).appendingPathComponent("config.json")), options: .atomic)
        XCTAssertNoThrow(try UNet(folder: scratch, backend: ReferenceBackend()))
    }

    func testUnmodifiedCopyLoads() throws {
        XCTAssertNil(try loadEdited { _ in })
    }

    func testMissingKey() throws {
        let path = (scratch as NSString).appendingPathComponent("model.safetensors")
        XCTAssertEqual(try loadEdited { $0["middle_block.1.qkv.bias"] = nil }, .missingWeight(key: "middle_block.1.qkv.bias", path: path))
    }

    func testExtraKey() throws {
        let path = (scratch as NSString).appendingPathComponent("model.safetensors")
        XCTAssertEqual(try loadEdited { $0["extra.weight"] = SafeTensorsWriter.float32([1], shape: [1]) },
                       .unexpectedWeights(keys: ["extra.weight"], path: path))
    }

    func testWrongShape() throws {
        let path = (scratch as NSString).appendingPathComponent("model.safetensors")
        XCTAssertEqual(try loadEdited { $0["out.2.bias"] = SafeTensorsWriter.float32([1, 2, 3], shape: [3]) },
                       .shapeMismatch(key: "out.2.bias", expected: [6], found: [3], path: path))
    }

    func config(replacing old: String, with new: String) throws -> Data {
        let text = try String(contentsOfFile: (Fixtures.folder("adm-tiny") as NSString).appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(text.contains(old), old)
        return Data(text.replacingOccurrences(of: old, with: new).utf8)
    }

    /// A key given twice means different files to different readers: refused in the safetensors header and in
    /// config.json, also when one spelling escapes it; the same key in two objects is no duplicate.
    func testDuplicateKeysAreRefused() throws {
        let body = SafeTensorsWriter.float32([1, 2], shape: [2])
        let entry = #"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        for header in [#"{"a":\#(entry),"a":\#(entry)}"#, #"{"a":\#(entry),"\u0061":\#(entry)}"#,
                       #"{"a":{"dtype":"F32","shape":[2],"shape":[2],"data_offsets":[0,8]}}"#] {
            guard case .malformedHeader(_, let reason)? = parse(SafeTensorsWriter.data(["a": body], header: header)) else {
                XCTFail(header); continue
            }
            XCTAssertTrue(reason.contains("appears twice"), reason)
        }
        XCTAssertNil(parse(SafeTensorsWriter.data(["a": body], header: #"{"a":\#(entry),"__metadata__":{"a":"\"a\",\"a\":"}}"#)))
        XCTAssertThrowsError(try ModelConfig.decode(try config(replacing: #""architecture": "adm""#,
                                                               with: #""architecture": "adm", "architecture": "ddpm""#), path: "c.json")) {
            guard case let .invalidConfig(_, field, reason)? = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "architecture")
            XCTAssertTrue(reason.contains("twice"))
        }
        XCTAssertEqual(JSONDuplicateKeys.first(in: Array(#"{"k":1,"o":{"k":2},"l":[{"k":3},{"k":4}]}"#.utf8)), nil)
        XCTAssertEqual(JSONDuplicateKeys.first(in: Array(#"{"\ud83d\ude00":1,"😀":2}"#.utf8)), "😀")
    }

    func testUnknownArchitecture() throws {
        XCTAssertEqual(try? ModelConfig.decode(try config(replacing: #""architecture": "adm""#, with: #""architecture": "dit""#), path: "c.json"), nil)
        XCTAssertThrowsError(try ModelConfig.decode(try config(replacing: #""architecture": "adm""#, with: #""architecture": "dit""#), path: "c.json")) {
            XCTAssertEqual($0 as? ModelError, .unknownArchitecture(name: "dit", path: "c.json"))
        }
    }

    func testInvalidConfigValuesNameTheField() throws {
        let cases: [(String, String, String)] = [
            (#""norm_groups": 8"#, #""norm_groups": 0"#, "unet.norm_groups"),
            (#""num_res_blocks": 1"#, #""num_res_blocks": "one""#, "unet.num_res_blocks"),
            (#""kind": "linear""#, #""kind": "sigmoid""#, "schedule.kind"),
            (#""level_channels": ["#, #""level_channels": [33, "#, "unet.level_channels"),
            (#""format_version": 1"#, #""format_version": 7"#, "format_version"),
            // Attention only at a level the network has (1, 2 or 4 here): 0 once trapped the memory estimate.
            (#""attention_ds": ["#, #""attention_ds": [0, "#, "unet.attention_ds"),
            (#""attention_ds": ["#, #""attention_ds": [3, "#, "unet.attention_ds"),
            (#""attention_ds": ["#, #""attention_ds": [8, "#, "unet.attention_ds"),
            (#""attention_ds": ["#, #""attention_ds": [-2, "#, "unet.attention_ds"),
            // The weights are a file in the model folder, never a path out of it.
            (#""weights": "model.safetensors""#, #""weights": "../../../../etc/passwd""#, "weights"),
            (#""weights": "model.safetensors""#, #""weights": "..""#, "weights"),
            (#""weights": "model.safetensors""#, #""weights": "sub/model.safetensors""#, "weights"),
            // An int8 range must be a positive finite size.
            (#""input_blocks.0.0": "#, #""input_blocks.0.0": 0, "x": "#, "int8.input_ranges.input_blocks.0.0"),
            (#""input_blocks.0.0": "#, #""input_blocks.0.0": -2, "x": "#, "int8.input_ranges.input_blocks.0.0"),
        ]
        for (old, new, field) in cases {
            XCTAssertThrowsError(try ModelConfig.decode(try config(replacing: old, with: new), path: "c.json"), new) { error in
                guard case let .invalidConfig(path, reported, _)? = error as? ModelError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, "c.json")
                XCTAssertEqual(reported, field, new)
            }
        }
        XCTAssertThrowsError(try ModelConfig.decode(Data("{".utf8), path: "c.json"))
    }

    /// An int8 range that names no convolution of the UNet (a typo, or another model's calibration) is refused by
    /// name when the model loads; a convolution left out is allowed (it computes as without int8).
    func testInt8CalibrationNamesOnlyConvolutions() throws {
        let source = Fixtures.folder("adm-tiny")
        try FileManager.default.copyItem(atPath: (source as NSString).appendingPathComponent("model.safetensors"),
                                         toPath: (scratch as NSString).appendingPathComponent("model.safetensors"))
        let configPath = (scratch as NSString).appendingPathComponent("config.json")
        try config(replacing: #""input_blocks.0.0": "#, with: #""input_blocks.0.9": "#).write(to: URL(fileURLWithPath: configPath))
        XCTAssertThrowsError(try UNet(folder: scratch, backend: ReferenceBackend())) { error in
            XCTAssertEqual(error as? ModelError, .invalidConfig(path: configPath, field: "int8.input_ranges.input_blocks.0.9",
                                                               reason: "names no convolution of the UNet"))
        }
        try config(replacing: #""input_blocks.0.0": "#, with: #""unused": 1, "input_blocks.0.0": "#)
            .write(to: URL(fileURLWithPath: configPath))
        XCTAssertThrowsError(try UNet(folder: scratch, backend: ReferenceBackend()))
        let text = try String(contentsOfFile: (source as NSString).appendingPathComponent("config.json"), encoding: .utf8)
        let fewer = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains(#""input_blocks.1.0.in_layers.2":"#) }
        try Data(fewer.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: configPath))
        XCTAssertTrue(try UNet(folder: scratch, backend: ReferenceBackend()).calibratedForInt8)
    }

    func testMissingFolder() {
        XCTAssertThrowsError(try UNet(folder: "/nonexistent/model", backend: ReferenceBackend())) { error in
            guard case .unreadable(let path, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/model/config.json")
        }
    }

    /// A weight that is infinite or NaN (what an overflowing f16 conversion writes) is refused, naming the key.
    func testNonFiniteWeight() throws {
        let path = (scratch as NSString).appendingPathComponent("model.safetensors")
        for bad in [Float.infinity, .nan] {
            XCTAssertEqual(try loadEdited { $0["out.2.bias"] = SafeTensorsWriter.float32([0, 0, bad, 0, 0, 0], shape: [6]) },
                           .nonFiniteWeight(key: "out.2.bias", path: path))
        }
    }

    /// A FIFO (or any file that is not a regular one) is refused at once: opening it for reading used to wait for a
    /// writer forever.
    func testFIFOIsRefusedWithoutBlocking() throws {
        let fifo = (scratch as NSString).appendingPathComponent("config.json")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try ModelConfig.load(folder: scratch)) { error in
            guard case let .unreadable(path, reason)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, fifo)
            XCTAssertEqual(reason, "not a regular file")
        }
    }

    /// A config.json larger than any real one is refused before it is read.
    func testOversizedConfig() throws {
        let path = (scratch as NSString).appendingPathComponent("config.json")
        try Data(count: (1 << 20) + 1).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ModelConfig.load(folder: scratch)) { error in
            guard case .unreadable? = error as? ModelError else { return XCTFail("\(error)") }
        }
    }
}
