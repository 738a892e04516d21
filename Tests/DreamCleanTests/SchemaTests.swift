// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
@testable import DreamClean

/// The parameter schema (`RestoreParameter.all`) against itself and `RestoreOptions`: every parameter's default is
/// what `RestoreOptions()` holds, every value in range round-trips to the options and back, every value outside is
/// refused with the parameter's name both where hosts set it and where a restoration is validated. The C table, the
/// CLI, the vips operation and the Python module are checked against the schema in Tests/schema/test_surfaces.py.
final class SchemaTests: XCTestCase {
    func testNamesAreUniqueAndDefaultsAreAllowed() throws {
        let names = RestoreParameter.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "names are unique")
        for p in RestoreParameter.all {
            XCTAssertTrue(p.name.allSatisfy { $0.isLowercase || $0 == "_" }, p.name)
            XCTAssertEqual(try p.validated(p.defaultValue), p.defaultValue, "\(p.name)'s default is allowed")
            XCTAssertFalse(p.help.isEmpty, p.name)
            XCTAssertTrue(p.summary.hasPrefix(p.help), p.name)
            if let unset = p.unset, let value = unset.number {
                XCTAssertFalse(p.range.contains(value) && !(p.excludesMinimum && value == p.range.lowerBound),
                               "\(p.name): the unset value \(value) is outside the range of set values")
                XCTAssertTrue(p.summary.contains(p.unsetMeaning), p.name)
            }
            if p.kind == .choice { XCTAssertTrue(p.choices.contains(p.defaultValue.description), p.name) }
        }
    }

    /// The schema's defaults are `RestoreOptions()`: nothing is left unset that the options default, or the reverse.
    func testDefaultsAreTheOptionsDefaults() throws {
        let fromSchema = RestoreParameterValues().restoreOptions, plain = RestoreOptions()
        for p in RestoreParameter.all {
            XCTAssertEqual(p.load(fromSchema), p.load(plain), p.name)
            XCTAssertEqual(p.load(plain) ?? p.unset, p.defaultValue, p.name)
        }
    }

    /// Each parameter at the ends of its range (and each choice) lands in the options and reads back; just outside
    /// it is refused by the setter and by `RestoreOptions.validate`, naming the parameter.
    func testEveryValueRoundTripsAndEveryOutsideOneIsRefused() throws {
        for p in RestoreParameter.all {
            for value in Self.allowed(p) {
                var values = RestoreParameterValues()
                try values.set(p.name, value)
                var options = values.restoreOptions
                if p.name == "tile_overlap" { options.tileSize = 4096 }  // their constraint
                if p.name == "tile_size" { options.tileOverlap = 0 }
                XCTAssertEqual(p.load(options), value == p.unset ? nil : value, "\(p.name) = \(value)")
                XCTAssertNoThrow(try options.validate(), "\(p.name) = \(value)")
                XCTAssertEqual(try p.parse(value.description), value, "\(p.name) parses '\(value)'")
            }
            for value in Self.refused(p) {
                XCTAssertThrowsError(try p.validated(value), "\(p.name) = \(value)") { Self.assertNames(p.name, $0) }
                guard p.kind != .choice else { continue }  // an enum in RestoreOptions: nothing else can be stored
                var options = RestoreOptions()
                p.store(&options, value)
                XCTAssertThrowsError(try options.validate(), "\(p.name) = \(value)") { Self.assertNames(p.name, $0) }
            }
        }
    }

    func testConstraintsBetweenParameters() throws {
        var options = RestoreOptions()
        options.tileSize = 128
        options.tileOverlap = 64
        XCTAssertThrowsError(try options.validate()) { Self.assertNames("tile_overlap", $0) }
        options.tileOverlap = 63
        XCTAssertNoThrow(try options.validate())
    }

    func testUnknownNamesAndMalformedStrings() {
        var values = RestoreParameterValues()
        XCTAssertThrowsError(try values.set("stpes", .int(3))) { XCTAssertTrue("\($0)".contains("unknown parameter 'stpes'"), "\($0)") }
        XCTAssertThrowsError(try values.apply(options: "steps=3:strength")) { XCTAssertTrue("\($0)".contains("malformed"), "\($0)") }
        XCTAssertThrowsError(try values.apply(options: "steps=3:strength=2"))
        XCTAssertEqual(try values.get("steps"), .int(0), "all or nothing")
        XCTAssertThrowsError(try values.set("steps", .float(3))) { XCTAssertTrue("\($0)".contains("int parameter"), "\($0)") }
    }

    /// Noise σ is in 0-255 units in the options, converted once for the model.
    func testNoiseSigmaIsInPublicUnits() throws {
        var values = RestoreParameterValues()
        try values.apply(options: "task=denoise:noise_sigma=25")
        XCTAssertEqual(values.restoreOptions.noiseSigma, 25)
        XCTAssertEqual(NoiseScale.model(fromPixels: 25), 50 / 255)
        XCTAssertEqual(NoiseScale.pixels(fromModel: NoiseScale.model(fromPixels: 25)), 25, accuracy: 1e-12)
    }

    static func allowed(_ p: RestoreParameter) -> [RestoreParameter.Value] {
        switch p.kind {
        case .choice: return p.choices.map { .choice($0) }
        case .bool: return [.bool(false), .bool(true)]
        case .int: return ([p.range.lowerBound, p.range.upperBound].map { .int(Int64($0)) }) + (p.unset.map { [$0] } ?? [])
        case .float:
            let lower = p.excludesMinimum ? p.range.lowerBound.nextUp : p.range.lowerBound
            return [.float(lower), .float(p.range.upperBound)] + (p.unset.map { [$0] } ?? [])
        }
    }

    static func refused(_ p: RestoreParameter) -> [RestoreParameter.Value] {
        let unset = p.unset?.number
        func outside(_ values: [Double]) -> [Double] { values.filter { $0 != unset } }
        switch p.kind {
        case .choice: return [.choice("nonsense")]
        case .bool: return []
        case .int: return outside([p.range.lowerBound - 1, p.range.upperBound + 1]).map { .int(Int64($0)) }
        case .float:
            let below = p.excludesMinimum ? p.range.lowerBound : p.range.lowerBound.nextDown
            return (outside([below, p.range.upperBound.nextUp]) + [.nan, .infinity]).map { .float($0) }
        }
    }

    static func assertNames(_ name: String, _ error: any Error, file: StaticString = #filePath, line: UInt = #line) {
        guard case let .invalidOption(named, _, _)? = error as? RestoreError else { return XCTFail("\(error)", file: file, line: line) }
        XCTAssertEqual(named, name, file: file, line: line)
    }
}
