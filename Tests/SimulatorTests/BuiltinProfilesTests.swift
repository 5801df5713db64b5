import EVModel
import Foundation
import XCTest
import YAMLConfig

@testable import Simulator

/// The profiles compiled into the binary are `Simulators/` verbatim, and the library the
/// command line uses (built-ins, then `--library` folders) works from any folder.
final class BuiltinProfilesTests: XCTestCase {
    // MARK: The generated files stay equal to Simulators/

    /// The generated Swift files, as they must read for the current `Simulators/`.
    /// `PILEGATE_WRITE_PROFILES=1 swift test --filter BuiltinProfilesTests` rewrites them.
    static var generated: [(file: String, source: () throws -> String)] {
        [
        (
            "Sources/EVModel/BuiltinVehicles.swift",
            {
                try source(
                    folders: ["vehicles"], name: "vehicles", access: "public ", doc: "The vehicle profiles of `Simulators/vehicles`, compiled in.",
                    import: nil)
            }
        ),
        (
            "Sources/Simulator/Profiles/BuiltinProfiles.swift",
            {
                try source(
                    folders: ["piles", "fleets", "gateway"], name: "simulatorProfiles", access: "",
                    doc: "The pile and fleet profiles and the gateway configurations of `Simulators/`, compiled in.", import: "EVModel")
            }
        ),
        ]
    }

    func testTheBuiltInProfilesAreTheSimulatorsFolderVerbatim() throws {
        let write = ProcessInfo.processInfo.environment["PILEGATE_WRITE_PROFILES"] == "1"
        for (file, source) in Self.generated {
            let path = "\(repositoryRoot)/\(file)"
            let expected = try source()
            if write {
                try expected.write(toFile: path, atomically: true, encoding: .utf8)
                continue
            }
            let actual = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(
                actual == expected,
                "\(file) is out of date with Simulators/: run PILEGATE_WRITE_PROFILES=1 swift test --filter BuiltinProfilesTests")
        }
    }

    func testEveryBuiltInFileDecodesToWhatTheFolderHolds() throws {
        let builtIn = try ProfileLibrary.standard()
        let folder = try library()
        XCTAssertEqual(builtIn.piles, folder.piles)
        XCTAssertEqual(builtIn.vehicles, folder.vehicles)
        XCTAssertEqual(builtIn.fleets, folder.fleets)
        XCTAssertEqual(builtIn.layers, [ProfileLibrary.builtInLayer])
        XCTAssertNil(builtIn.root)
        let demo = try XCTUnwrap(builtIn.gatewayConfigurations["demo"], "gateway/demo.yaml is built in")
        XCTAssertEqual(demo.name, "built-in:gateway/demo.yaml")
        XCTAssertEqual(demo.text, try String(contentsOfFile: "\(simulatorsRoot)/gateway/demo.yaml", encoding: .utf8))
    }

    func testTheStandardLibraryLoadsWithTheWorkingDirectoryElsewhere() throws {
        let elsewhere = try TemporaryFolder()
        defer { elsewhere.remove() }
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(elsewhere.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "Simulators"))
        let library = try ProfileLibrary.standard()
        XCTAssertNotNil(library.piles["nio-640"])
        XCTAssertNotNil(library.vehicles["su7-max"])
        XCTAssertNotNil(library.fleets["demo"])
        XCTAssertNotNil(library.fleets["xiaomi-partners"])
        XCTAssertNotNil(library.gatewayConfigurations["demo"])
    }

    // MARK: --library folders on top

    func testALibraryFolderReplacesABuiltInOfTheSameIdAndAddsItsOwn() throws {
        let mine = try TemporaryFolder()
        defer { mine.remove() }
        let nio = try String(contentsOfFile: "\(simulatorsRoot)/piles/nio-640.yaml", encoding: .utf8)
        try mine.write("piles/nio-640.yaml", nio.replacingOccurrences(of: "maxPowerKW: 640 ", with: "maxPowerKW: 300 "))
        try mine.write("piles/my-pile.yaml", nio.replacingOccurrences(of: "id: nio-640", with: "id: my-pile"))
        try mine.write(
            "fleets/mine.yaml",
            """
            name: mine
            groups: [{ pile: my-pile, count: 2, city: Shanghai, latitude: 31.2, longitude: 121.5 },
                     { pile: teld-120, count: 1, city: Shanghai, latitude: 31.2, longitude: 121.5 }]
            arrivals: { perConnectorPerHour: 1, vehicles: [{ vehicle: su7-max, share: 1 }] }
            """)
        let library = try ProfileLibrary.standard(adding: [mine.path])
        XCTAssertEqual(library.piles["nio-640"]?.maxPowerKW, 300, "the folder's nio-640 replaces the built-in")
        XCTAssertNotNil(library.piles["my-pile"])
        XCTAssertNotNil(library.piles["teld-120"], "built-ins the folder does not replace stay")
        XCTAssertEqual(library.fleets["mine"]?.pileCount, 3, "a folder's fleet may name its own and built-in piles")
        XCTAssertEqual(library.layers, [ProfileLibrary.builtInLayer, mine.path])
        XCTAssertEqual(library.overrides, ["pile nio-640: \(mine.path)/piles/nio-640.yaml replaces built-in:piles/nio-640.yaml"])
    }

    func testALaterLibraryFolderWinsAndACopyOfABuiltInIsNoOverride() throws {
        let first = try TemporaryFolder()
        let second = try TemporaryFolder()
        defer {
            first.remove()
            second.remove()
        }
        let nio = try String(contentsOfFile: "\(simulatorsRoot)/piles/nio-640.yaml", encoding: .utf8)
        try first.write("piles/nio-640.yaml", nio)
        try second.write("piles/nio-640.yaml", nio.replacingOccurrences(of: "maxPowerKW: 640 ", with: "maxPowerKW: 500 "))
        let library = try ProfileLibrary.standard(adding: [first.path, second.path])
        XCTAssertEqual(library.piles["nio-640"]?.maxPowerKW, 500)
        XCTAssertEqual(library.overrides, ["pile nio-640: \(second.path)/piles/nio-640.yaml replaces \(first.path)/piles/nio-640.yaml"])
    }

    func testALibraryFolderWithoutProfileFoldersOrThatDoesNotExistIsRefused() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("BuiltinProfilesTests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        XCTAssertThrowsError(try ProfileLibrary.standard(adding: [empty])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(empty): no piles/, vehicles/, fleets/ or gateway/ folder"), "\(error)")
        }
        XCTAssertThrowsError(try ProfileLibrary.standard(adding: ["\(empty)/missing"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(empty)/missing: no such folder"), "\(error)")
        }
    }

    func testAMistakeInALibraryFolderNamesItsFileAndLine() throws {
        let mine = try TemporaryFolder()
        defer { mine.remove() }
        let nio = try String(contentsOfFile: "\(simulatorsRoot)/piles/nio-640.yaml", encoding: .utf8)
        let file = try mine.write("piles/nio-640.yaml", nio.replacingOccurrences(of: "current: dc ", with: "current: dcx "))
        XCTAssertThrowsError(try ProfileLibrary.standard(adding: [mine.path])) { error in
            let line = nio.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("current:") }.map { $0 + 1 }
            XCTAssertEqual("\(error)", "\(file):\(line ?? 0): current: \"dcx\" is not allowed here; allowed: ac, dc")
        }
    }

    // MARK: The generator

    static func source(folders: [String], name: String, access: String, doc: String, import module: String?) throws -> String {
        var files: [(path: String, text: String)] = []
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(simulatorsRoot)/\(folder)")
            for file in names.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                files.append(("\(folder)/\(file)", try String(contentsOfFile: "\(simulatorsRoot)/\(folder)/\(file)", encoding: .utf8)))
            }
        }
        var out = "// Generated by Tests/SimulatorTests/BuiltinProfilesTests.swift from Simulators/{\(folders.joined(separator: ","))}: do not edit.\n"
        out += "// After changing a file there, run: PILEGATE_WRITE_PROFILES=1 swift test --filter BuiltinProfilesTests\n"
        if let module { out += "import \(module)\n" }
        out += "\nextension BuiltinFile {\n    /// \(doc)\n    \(access)static let \(name): [BuiltinFile] = [\n"
        for (path, text) in files {
            out += "        BuiltinFile(path: \"\(path)\", text: \(literal(text))),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    /// A raw multi-line string literal holding `text` exactly (its `#` count chosen so no line can end it).
    static func literal(_ text: String) -> String {
        var hashes = "#"
        while text.contains("\"\"\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        return hashes + "\"\"\"\n" + text + "\n\"\"\"" + hashes
    }
}
