import EVModel
import Foundation
import OCPP
import XCTest
import YAMLConfig

@testable import Simulator

final class ProfileLibraryTests: XCTestCase {
    static let partnerPiles = ["nio-640", "nio-500", "xpeng-s5", "xpeng-s4", "li-5c", "teld-120", "teld-stack-360", "xiaoju-ac7"]
    static let vehicles = ["su7-standard", "su7-max", "yu7-max", "nio-et5", "li-mega", "xpeng-g6", "byd-han"]

    // MARK: The shipped Simulators/ folder

    func testShippedFolderLoadsEveryPartnerPileEveryVehicleAndBothFleets() throws {
        let library = try library()
        XCTAssertGreaterThanOrEqual(library.piles.count, 8)
        for id in Self.partnerPiles { XCTAssertNotNil(library.piles[id], "pile \(id)") }
        XCTAssertEqual(Set(library.vehicles.keys), Set(Self.vehicles))
        XCTAssertNotNil(library.fleets["demo"])
        XCTAssertNotNil(library.fleets["xiaomi-partners"])
    }

    func testEveryPartnerNetworkHasAPileProfile() throws {
        let networks = Set(try library().piles.values.map(\.network))
        for network in ["NIO", "XPeng", "Li Auto", "TELD", "Xiaoju", "YKC", "Sunnic"] {
            XCTAssertTrue(networks.contains(network), "no pile profile for \(network)")
        }
    }

    func testXiaomiPartnersFleetIsAtRealScaleOfAbout30000Piles() throws {
        let fleet = try XCTUnwrap(try library().fleets["xiaomi-partners"])
        XCTAssertGreaterThanOrEqual(fleet.pileCount, 29_000)
        XCTAssertLessThanOrEqual(fleet.pileCount, 31_000)
        func count(_ piles: Set<String>) -> Int { fleet.groups.filter { piles.contains($0.pile) }.reduce(0) { $0 + $1.count } }
        XCTAssertEqual(Double(count(["nio-640", "nio-500"])), 14_000, accuracy: 1_000)
        XCTAssertEqual(Double(count(["xpeng-s5", "xpeng-s4"])), 9_000, accuracy: 700)
        XCTAssertEqual(Double(count(["li-5c"])), 6_000, accuracy: 500)
        func stations(_ piles: Set<String>) -> Int { fleet.groups.filter { piles.contains($0.pile) }.reduce(0) { $0 + $1.stations } }
        XCTAssertEqual(stations(["nio-640", "nio-500"]), 4_204)
        XCTAssertEqual(stations(["xpeng-s5", "xpeng-s4"]), 1_830)
        XCTAssertEqual(stations(["li-5c"]), 1_727)
        XCTAssertGreaterThanOrEqual(Set(fleet.groups.map(\.city)).count, 7)
        // The header comment states the total: keep it true.
        let text = try String(contentsOfFile: "\(simulatorsRoot)/fleets/xiaomi-partners.yaml", encoding: .utf8)
        let total = "\(fleet.pileCount / 1000),\(String(fleet.pileCount % 1000 + 1000).dropFirst())"
        XCTAssertTrue(text.contains("TOTAL: \(total) piles"), "the TOTAL comment should say \(total)")
    }

    func testDemoFleetIsSmallHasEveryPileModelAndMostlyXiaomiCars() throws {
        let library = try library()
        let fleet = try XCTUnwrap(library.fleets["demo"])
        XCTAssertTrue((8...16).contains(fleet.pileCount), "\(fleet.pileCount) piles")
        XCTAssertEqual(Set(fleet.groups.map(\.pile)), Set(library.piles.keys))
        let shares = fleet.arrivals.vehicles
        let xiaomi = shares.filter { ["su7-max", "su7-standard", "yu7-max"].contains($0.vehicle) }.reduce(0) { $0 + $1.share }
        XCTAssertGreaterThan(xiaomi / shares.reduce(0) { $0 + $1.share }, 0.5)
        XCTAssertGreaterThanOrEqual(fleet.arrivals.perConnectorPerHour, 2)
    }

    func testEveryFleetReferenceResolves() throws {
        let library = try library()
        for (name, fleet) in library.fleets {
            for group in fleet.groups { XCTAssertNotNil(library.piles[group.pile], "\(name): pile \(group.pile)") }
            for share in fleet.arrivals.vehicles { XCTAssertNotNil(library.vehicles[share.vehicle], "\(name): vehicle \(share.vehicle)") }
        }
    }

    func testShippedPilesMatchThePartnerNetworkFigures() throws {
        let teld = try pile("teld-120")
        XCTAssertEqual([teld.connectors, Int(teld.maxPowerKW), Int(teld.sharedPowerKW ?? 0), Int(teld.maxVoltageV)], [2, 120, 120, 750])
        let stack = try pile("teld-stack-360")
        XCTAssertEqual([stack.connectors, Int(stack.maxPowerKW), Int(stack.sharedPowerKW ?? 0), Int(stack.maxCurrentA)], [6, 180, 360, 250])
        let s4 = try pile("xpeng-s4")
        XCTAssertEqual([s4.connectors, Int(s4.maxPowerKW), Int(s4.sharedPowerKW ?? 0), Int(s4.maxVoltageV), Int(s4.maxCurrentA)], [4, 480, 480, 1000, 670])
        let ac = try pile("xiaoju-ac7")
        XCTAssertEqual(ac.current, .ac)
        XCTAssertEqual([ac.maxPowerKW, ac.maxCurrentA, ac.maxVoltageV], [7, 32, 220])
        XCTAssertTrue(try pile("xpeng-s5").plugAndCharge)
        XCTAssertEqual(try pile("teld-120").quirks, [.timestampWithoutZone, .sampledValueAsNumber])
        XCTAssertEqual(try pile("xiaoju-ac7").quirks, [.lowercaseEnums])
        XCTAssertEqual(try pile("nio-500").quirks, [])
        for profile in try library().piles.values {
            XCTAssertLessThanOrEqual(profile.vendor.count, 20, profile.id)
            XCTAssertLessThanOrEqual(profile.model.count, 20, profile.id)
            XCTAssertTrue(profile.identityPattern.hasSuffix("-{n}"), profile.id)
        }
    }

    func testShippedVehiclesMatchThePartnerNetworkFigures() throws {
        XCTAssertEqual(try vehicle("su7-max").packVoltageV, 871)
        for id in ["su7-standard", "nio-et5", "byd-han"] { XCTAssertEqual(try vehicle(id).packVoltageV, 400, id) }
        for id in ["yu7-max", "li-mega", "xpeng-g6"] { XCTAssertEqual(try vehicle(id).packVoltageV, 800, id) }
        XCTAssertEqual(
            try vehicle("byd-han").curve,
            [.init(soc: 10, kW: 115), .init(soc: 59, kW: 119), .init(soc: 60, kW: 71), .init(soc: 83, kW: 86), .init(soc: 84, kW: 47), .init(soc: 96, kW: 50)])
        for profile in try library().vehicles.values {
            XCTAssertTrue([7, 11].contains(profile.acOnboardKW), profile.id)
            XCTAssertEqual(profile.vinPattern.replacingOccurrences(of: "{n}", with: "000001").count, 17, "\(profile.id): a VIN has 17 characters")
        }
    }

    func testEveryShippedDataFileTagsItsSources() throws {
        // Piles and vehicles take their figures from public reporting (docs/profile-figures.md): a tag on each figure line.
        for folder in ["piles", "vehicles"] {
            for file in ProfileLibrary.yamlFiles(in: "\(simulatorsRoot)/\(folder)") {
                let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
                for key in ["maxPowerKW:", "maxCurrentA:", "maxVoltageV:", "connectors:", "batteryKWh:", "packVoltageV:", "curve:"] {
                    for line in lines where line.hasPrefix(key) {
                        XCTAssertNotNil(line.range(of: #"# source: \[(O|P|M|\?)"#, options: .regularExpression), "\(file): \(line)")
                    }
                }
            }
        }
        let partners = try String(contentsOfFile: "\(simulatorsRoot)/fleets/xiaomi-partners.yaml", encoding: .utf8)
        XCTAssertTrue(partners.contains("NIO 14,000+") && partners.contains("4,204 stations") && partners.contains("[P]"))
    }

    // MARK: Decoding with defaults

    func testPileFileWithOnlyRequiredKeysTakesTheDefaults() throws {
        let pile = try YAMLConfig.decode(
            PileProfile.self,
            from: """
                id: tiny
                network: Test
                vendor: Acme
                model: T1
                current: dc
                maxPowerKW: 60
                maxCurrentA: 150
                maxVoltageV: 750
                """, file: "tiny.yaml")
        XCTAssertEqual(pile.firmware, "1.0.0")
        XCTAssertEqual(pile.ocppVersion, .v16)
        XCTAssertEqual(pile.connectors, 1)
        XCTAssertNil(pile.sharedPowerKW)
        XCTAssertEqual(pile.identityPattern, "{network}-{n}")
        XCTAssertEqual(pile.heartbeatInterval, 300)
        XCTAssertEqual(pile.meterValueSampleInterval, 60)
        XCTAssertEqual(pile.clockAlignedDataInterval, 0)
        XCTAssertEqual(pile.measurands, ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC"])
        XCTAssertEqual(pile.stopTxnMeasurands, ["Energy.Active.Import.Register"])
        XCTAssertFalse(pile.plugAndCharge)
        XCTAssertEqual(pile.replyDelay, 0)
        XCTAssertEqual(pile.quirks, [])
        XCTAssertEqual(pile.totalPowerKW, 60)
    }

    func testVehicleAndFleetFilesWithOnlyRequiredKeysTakeTheDefaults() throws {
        let car = try YAMLConfig.decode(
            VehicleProfile.self,
            from: "id: c\nname: C\nbatteryKWh: 50\npackVoltageV: 400\ncurve: [{soc: 0, kW: 50}, {soc: 100, kW: 10}]\n", file: "c.yaml")
        XCTAssertEqual(car.acOnboardKW, 7)
        XCTAssertEqual(car.vinPattern, "LXMVIN{n}")
        let fleet = try YAMLConfig.decode(
            FleetProfile.self,
            from: """
                name: f
                groups:
                  - { pile: tiny, count: 3, city: X, latitude: 1, longitude: 2 }
                arrivals:
                  perConnectorPerHour: 1
                  vehicles: [{ vehicle: c, share: 1 }]
                """, file: "f.yaml")
        XCTAssertNil(fleet.description)
        XCTAssertEqual(fleet.seed, 1)
        XCTAssertEqual(fleet.groups[0].stations, 1)
        XCTAssertEqual(fleet.groups[0].radiusKm, 15)
        XCTAssertEqual(fleet.arrivals.arrivalSoC, [10, 40])
        XCTAssertEqual(fleet.arrivals.targetSoC, [80, 100])
        XCTAssertEqual(fleet.arrivals.dwellMinutes, 3)
        XCTAssertEqual(fleet.arrivals.idTagPattern, "XIAOMI-{n}")
    }

    func testEveryPropertyRoundTripsUnderItsOwnKey() throws {
        // Encoding writes every property; decoding what was written gives the same value back,
        // so the unknown-key check (which re-encodes) knows every key a file may use.
        for pile in try library().piles.values {
            let json = try JSONValueEncoder().encode(pile)
            XCTAssertEqual(try JSONValueDecoder().decode(PileProfile.self, from: json), pile)
        }
        var full = try pile("xpeng-s4")
        full.replyDelay = 1.5
        full.quirks = Quirk.allCases
        let keys = try XCTUnwrap(try JSONValueEncoder().encode(full).objectValue?.keys)
        XCTAssertEqual(Set(keys), Set(PileProfile.CodingKeys.allCases.map(\.rawValue)))
        for vehicle in try library().vehicles.values {
            XCTAssertEqual(try JSONValueDecoder().decode(VehicleProfile.self, from: try JSONValueEncoder().encode(vehicle)), vehicle)
        }
        for fleet in try library().fleets.values {
            XCTAssertEqual(try JSONValueDecoder().decode(FleetProfile.self, from: try JSONValueEncoder().encode(fleet)), fleet)
        }
    }

    func testAFileSettingEveryKeyLoadsWithoutUnknownKeyErrors() throws {
        let pile = try YAMLConfig.decode(
            PileProfile.self,
            from: """
                id: all
                network: Test
                vendor: Acme
                model: T1
                firmware: "2.0"
                ocppVersion: ocpp1.6
                current: dc
                connectors: 2
                maxPowerKW: 60
                sharedPowerKW: 90
                maxCurrentA: 150
                maxVoltageV: 750
                identityPattern: "T-{n}"
                heartbeatInterval: 30
                meterValueSampleInterval: 10
                clockAlignedDataInterval: 900
                measurands: [Voltage]
                stopTxnMeasurands: []
                plugAndCharge: true
                replyDelay: 0.5
                quirks: [slow-replies]
                """, file: "all.yaml")
        XCTAssertEqual(pile.sharedPowerKW, 90)
        XCTAssertEqual(pile.clockAlignedDataInterval, 900)
        XCTAssertEqual(pile.quirks, [.slowReplies])
        XCTAssertEqual(pile.stopTxnMeasurands, [])
        let fleet = try YAMLConfig.decode(
            FleetProfile.self,
            from: """
                name: f
                description: d
                seed: 9
                groups:
                  - { pile: all, count: 3, stations: 2, city: X, latitude: 1, longitude: 2, radiusKm: 4 }
                arrivals:
                  perConnectorPerHour: 1
                  vehicles: [{ vehicle: c, share: 1 }]
                  arrivalSoC: [5, 6]
                  targetSoC: [90, 95]
                  dwellMinutes: 1
                  idTagPattern: "T{n}"
                """, file: "f.yaml")
        XCTAssertEqual(fleet.seed, 9)
        XCTAssertEqual(fleet.groups[0].radiusKm, 4)
        XCTAssertEqual(fleet.arrivals.idTagPattern, "T{n}")
    }

    // MARK: Loading mistakes name file, line and key

    static let goodPile = """
        id: p1
        network: Test
        vendor: Acme
        model: T1
        current: dc
        maxPowerKW: 60
        maxCurrentA: 150
        maxVoltageV: 750

        """
    static let goodVehicle = "id: v1\nname: V\nbatteryKWh: 50\npackVoltageV: 400\ncurve: [{soc: 0, kW: 50}, {soc: 100, kW: 10}]\n"

    /// Loads `folder` expecting a YAMLConfigError.
    private func yamlError(_ folder: TemporaryFolder, file: StaticString = #filePath, line: UInt = #line) -> YAMLConfigError? {
        do {
            _ = try ProfileLibrary(root: folder.path)
            XCTFail("loading should fail", file: file, line: line)
            return nil
        } catch let error as YAMLConfigError {
            return error
        } catch {
            XCTFail("expected a YAMLConfigError, got \(error)", file: file, line: line)
            return nil
        }
    }

    func testUnknownKeyInAPileFileNamesFileLineAndKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Line 7 holds the typo.
        let file = try folder.write("piles/p1.yaml", Self.goodPile.replacingOccurrences(of: "maxPowerKW: 60\n", with: "maxPowerKW: 60\nmaxPowr: 70\n"))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[6], "maxPowr: 70")
        let error = try XCTUnwrap(yamlError(folder))
        XCTAssertEqual(error.file, file)
        XCTAssertEqual(error.line, 7)
        XCTAssertTrue(error.message.contains("unknown key \"maxPowr\""), error.message)
        XCTAssertTrue(error.description.hasPrefix("\(file):7: "), error.description)
    }

    func testWrongTypeInAPileFileNamesFileLineAndKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("piles/p1.yaml", Self.goodPile + "connectors: two\n")
        let error = try XCTUnwrap(yamlError(folder))
        XCTAssertEqual(error.file, file)
        XCTAssertEqual(error.line, 9)
        XCTAssertTrue(error.message.hasPrefix("connectors:"), error.message)
    }

    func testUnknownQuirkIsAWrongValueOnItsLine() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("piles/p1.yaml", Self.goodPile + "quirks:\n  - lowercase-enums\n  - upper-case-everything\n")
        let error = try XCTUnwrap(yamlError(folder))
        XCTAssertEqual(error.line, 11)
        XCTAssertTrue(error.message.hasPrefix("quirks"), error.message)
    }

    func testMissingRequiredKeyNamesFileAndKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("piles/p1.yaml", Self.goodPile.replacingOccurrences(of: "maxVoltageV: 750\n", with: ""))
        let error = try XCTUnwrap(yamlError(folder))
        XCTAssertEqual(error.file, file)
        XCTAssertNotNil(error.line)
        XCTAssertTrue(error.message.contains("missing required key \"maxVoltageV\""), error.message)
    }

    func testMissingRequiredKeyInAFleetGroupPointsAtTheGroup() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("piles/p1.yaml", Self.goodPile)
        try folder.write("vehicles/v1.yaml", Self.goodVehicle)
        let file = try folder.write(
            "fleets/f.yaml",
            """
            name: f
            groups:
              - { pile: p1, count: 2, city: X, latitude: 1, longitude: 2 }
              - { pile: p1, city: Y, latitude: 1, longitude: 2 }
            arrivals:
              perConnectorPerHour: 1
              vehicles: [{ vehicle: v1, share: 1 }]
            """)
        let error = try XCTUnwrap(yamlError(folder))
        XCTAssertEqual(error.file, file)
        XCTAssertEqual(error.line, 4)
        XCTAssertTrue(error.message.contains("groups.[1]") || error.message.contains("groups[1]"), error.message)
        XCTAssertTrue(error.message.contains("missing required key \"count\""), error.message)
    }

    func testUnknownPileIdInAFleetNamesFileLineKeyAndTheKnownIds() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("piles/p1.yaml", Self.goodPile)
        try folder.write("vehicles/v1.yaml", Self.goodVehicle)
        let file = try folder.write(
            "fleets/f.yaml",
            """
            name: f
            groups:
              - { pile: p1, count: 2, city: X, latitude: 1, longitude: 2 }
              - pile: "nio-6400"
                count: 1
                city: Y
                latitude: 1
                longitude: 2
            arrivals:
              perConnectorPerHour: 1
              vehicles: [{ vehicle: v1, share: 1 }]
            """)
        do {
            _ = try ProfileLibrary(root: folder.path)
            XCTFail("an unknown pile id must not load")
        } catch ProfileLibrary.LoadError.unknownReference(let errorFile, let line, let key, let kind, let id, let known) {
            XCTAssertEqual(errorFile, file)
            XCTAssertEqual(line, 4)
            XCTAssertEqual(key, "groups[1].pile")
            XCTAssertEqual(kind, "pile")
            XCTAssertEqual(id, "nio-6400")
            XCTAssertEqual(known, ["p1"])
            let text = "\(ProfileLibrary.LoadError.unknownReference(file: errorFile, line: line, key: key, kind: kind, id: id, known: known))"
            XCTAssertEqual(text, "\(file):4: groups[1].pile: unknown pile \"nio-6400\" (known: p1)")
        }
    }

    func testUnknownVehicleIdInAFleetNamesFileLineAndKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("piles/p1.yaml", Self.goodPile)
        try folder.write("vehicles/v1.yaml", Self.goodVehicle)
        let file = try folder.write(
            "fleets/f.yaml",
            """
            name: f
            groups:
              - { pile: p1, count: 2, city: X, latitude: 1, longitude: 2 }
            arrivals:
              perConnectorPerHour: 1
              vehicles:
                - { vehicle: v1, share: 1 }
                - { vehicle: su7-maxx, share: 1 }
            """)
        XCTAssertThrowsError(try ProfileLibrary(root: folder.path)) { error in
            guard case ProfileLibrary.LoadError.unknownReference(let errorFile, let line, let key, _, let id, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(errorFile, file)
            XCTAssertEqual(line, 8)
            XCTAssertEqual(key, "arrivals.vehicles[1].vehicle")
            XCTAssertEqual(id, "su7-maxx")
        }
    }

    func testDuplicatePileIdIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("piles/a.yaml", Self.goodPile)
        try folder.write("piles/b.yaml", Self.goodPile)
        XCTAssertThrowsError(try ProfileLibrary(root: folder.path)) { error in
            XCTAssertTrue("\(error)".contains("pile id \"p1\" is defined twice"), "\(error)")
        }
    }

    func testMissingFolderIsReported() {
        XCTAssertThrowsError(try ProfileLibrary(root: "/nonexistent/Simulators")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/Simulators: no such folder"), "\(error)")
        }
    }
}
