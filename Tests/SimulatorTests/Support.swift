import EVModel
import Foundation
import XCTest

@testable import Simulator

/// The repository's `Simulators/` folder: Tests/SimulatorTests/Support.swift → ../../Simulators.
let simulatorsRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Simulators").path

/// The repository root (for docs/).
let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The shipped profiles (a few milliseconds to load).
func library() throws -> ProfileLibrary { try ProfileLibrary(root: simulatorsRoot) }

func pile(_ id: String) throws -> PileProfile {
    try XCTUnwrap(try library().piles[id], "pile profile \(id) should ship in Simulators/piles")
}

func vehicle(_ id: String) throws -> VehicleProfile {
    try XCTUnwrap(try library().vehicles[id], "vehicle profile \(id) should ship in Simulators/vehicles")
}

/// A throw-away `Simulators/`-like folder; removed by `remove()` (call it in a defer).
struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("SimulatorTests-\(UUID().uuidString)").path
        for sub in ["piles", "vehicles", "fleets"] {
            try FileManager.default.createDirectory(atPath: "\(path)/\(sub)", withIntermediateDirectories: true)
        }
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let file = "\(path)/\(relative)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
