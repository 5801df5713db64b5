import Foundation
import XCTest
import YAMLConfig

@testable import Simulator

/// A value a `String`-backed `CaseIterable` enum does not have, anywhere in a YAML file:
/// the error names the file, the line, the key, the value and the values allowed.
final class YAMLEnumErrorTests: XCTestCase {
    private enum Colour: String, Codable, CaseIterable { case red, green, blue }

    /// Takes `yes`/`no` as well as its own values, by its own decoder.
    private enum Switch: String, Codable, CaseIterable {
        case on, off

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            switch text {
            case "yes": self = .on
            case "no": self = .off
            default:
                guard let value = Switch(rawValue: text) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a switch: \(text)"))
                }
                self = value
            }
        }
    }

    private struct Sample: Codable, Equatable {
        var colour: Colour
        var colours: [Colour]?
        var nested: Nested?
        var byName: [String: Colour]?
        var power: Switch?
        var when: Date?
        var count: Int?

        struct Nested: Codable, Equatable {
            var colour: Colour
            var items: [Item]?
        }

        struct Item: Codable, Equatable { var colour: Colour }
    }

    private func message(_ text: String) -> String? {
        do {
            _ = try YAMLConfig.decode(Sample.self, from: text, file: "sample.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    func testABadTopLevelValueNamesFileLineKeyValueAndTheAllowedValues() {
        XCTAssertEqual(message("count: 1\ncolour: purple\n"), #"sample.yaml:2: colour: "purple" is not allowed here; allowed: red, green, blue"#)
    }

    func testABadValueInAListNamesItsIndex() {
        XCTAssertEqual(
            message("colour: red\ncolours:\n  - green\n  - pink\n"), #"sample.yaml:4: colours[1]: "pink" is not allowed here; allowed: red, green, blue"#)
    }

    func testABadValueDeepInsideNamesTheWholeKeyPath() {
        XCTAssertEqual(
            message("colour: red\nnested:\n  colour: blue\n  items:\n    - { colour: red }\n    - { colour: teal }\n"),
            #"sample.yaml:6: nested.items[1].colour: "teal" is not allowed here; allowed: red, green, blue"#)
        XCTAssertEqual(
            message("colour: red\nbyName:\n  sky: blue\n  grass: lime\n"), #"sample.yaml:4: byName.grass: "lime" is not allowed here; allowed: red, green, blue"#)
    }

    func testGoodFilesStillDecodeWithDatesNumbersAndAnEnumsOwnSpellings() throws {
        let sample = try YAMLConfig.decode(
            Sample.self,
            from: "colour: green\ncolours: [red, blue]\nnested: { colour: red, items: [{ colour: green }] }\nbyName: { sky: blue }\npower: yes\nwhen: 2027-01-01T00:00:00Z\ncount: 3\n",
            file: "sample.yaml")
        XCTAssertEqual(sample.colour, .green)
        XCTAssertEqual(sample.colours, [.red, .blue])
        XCTAssertEqual(sample.nested?.items, [.init(colour: .green)])
        XCTAssertEqual(sample.byName, ["sky": .blue])
        XCTAssertEqual(sample.power, .on, "an enum's own decoder still takes its extra spellings")
        XCTAssertEqual(sample.when, Date(timeIntervalSince1970: 1_798_761_600))
        XCTAssertEqual(sample.count, 3)
    }

    func testAnEnumsOwnRefusalIsRewordedWithTheAllowedValues() {
        XCTAssertEqual(message("colour: red\npower: maybe\n"), #"sample.yaml:2: power: "maybe" is not allowed here; allowed: on, off"#)
    }

    func testMissingAndMistypedValuesKeepTheirOwnMessages() {
        XCTAssertEqual(message("count: 1\n"), #"sample.yaml:1: missing required key "colour""#)
        XCTAssertEqual(message("colour: red\ncount: many\n").map { $0.hasPrefix("sample.yaml:2: count:") }, true)
    }

    func testABadEnumInAPileProfileNamesTheAllowedQuirks() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let nio = try String(contentsOfFile: "\(simulatorsRoot)/piles/nio-640.yaml", encoding: .utf8)
        let file = try folder.write("piles/p.yaml", nio.replacingOccurrences(of: "quirks: []", with: "quirks: [lowercase-enums, upper-case]"))
        XCTAssertThrowsError(try ProfileLibrary(root: folder.path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(file):"), text)
            XCTAssertTrue(text.contains(#"quirks[1]: "upper-case" is not allowed here; allowed: sampled-value-as-number, "#), text)
            XCTAssertTrue(text.contains("null-optional-fields"), text)
        }
    }
}
