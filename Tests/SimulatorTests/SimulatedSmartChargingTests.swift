import EVModel
import Foundation
import NIOPosix
import OCPP
import XCTest

@testable import Simulator

/// What a simulated pile obeys of its charging profiles, and how each smart-charging quirk
/// bends it, with no central system: the profiles are handed to the pile directly.
final class SimulatedSmartChargingTests: XCTestCase {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    func pileHandle(_ id: String = "xiaoju-ac7", quirks: [Quirk] = []) throws -> PileHandle {
        var profile = try pile(id)
        profile.quirks = quirks
        profile.featureProfiles = [.Core, .SmartCharging]
        let context = SimulationContext(endpoint: "ws://127.0.0.1:1/ocpp", clock: VirtualClock(speed: 1))
        return PileHandle(identity: "SC-1", profile: profile, context: context, eventLoop: Self.group.next(), seed: 5)
    }

    static func txDefault(_ limit: Double, _ unit: V16.ChargingRateUnitType, kind: V16.ChargingProfileKindType = .Absolute) -> V16.SetChargingProfile.Request {
        .init(
            connectorId: 0,
            csChargingProfiles: .init(
                chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: .TxDefaultProfile, chargingProfileKind: kind,
                recurrencyKind: kind == .Recurring ? .Daily : nil,
                chargingSchedule: .init(startSchedule: Date(timeIntervalSince1970: 0), chargingRateUnit: unit, chargingSchedulePeriod: [.init(startPeriod: 0, limit: limit)])))
    }

    /// The pile's answer and the kW its physics obeys on connector 1 right after.
    func applied(_ request: V16.SetChargingProfile.Request, quirks: [Quirk] = [], id: String = "xiaoju-ac7") async throws -> (V16.ChargingProfileStatus, Double?) {
        let handle = try pileHandle(id, quirks: quirks)
        return try await handle.run { pile in
            let status = pile.setChargingProfile(request).status
            return (status, pile.limitKW(connector: 1, at: pile.now.addingTimeInterval(1)))
        }
    }

    func testAmperesConvertAtTheAC7sOnePhaseAnd220V() async throws {
        let (status, kW) = try await applied(Self.txDefault(16, .A))
        XCTAssertEqual(status, .Accepted)
        XCTAssertEqual(try XCTUnwrap(kW), 16 * 220 / 1000, accuracy: 1e-9)
    }

    func testIgnoresChargingProfilesAcceptsButDoesNotObey() async throws {
        let (status, kW) = try await applied(Self.txDefault(3000, .W), quirks: [.ignoresChargingProfiles])
        XCTAssertEqual(status, .Accepted)
        XCTAssertNil(kW)
        let (_, compliant) = try await applied(Self.txDefault(3000, .W))
        XCTAssertEqual(compliant, 3)
    }

    func testWattsAsAmperesTakesTheNumberAsAmperes() async throws {
        let (_, kW) = try await applied(Self.txDefault(3000, .W), quirks: [.wattsAsAmperes])
        XCTAssertEqual(try XCTUnwrap(kW), 3000 * 220 / 1000, accuracy: 1e-6, "3,000 W read as 3,000 A: no limit the car could reach")
    }

    func testWholeAmpereRoundingRoundsToTheNearestAmpere() async throws {
        let (_, rounded) = try await applied(Self.txDefault(15.6, .A), quirks: [.wholeAmpereRounding])
        XCTAssertEqual(try XCTUnwrap(rounded), 16 * 220 / 1000, accuracy: 1e-9)
        let (_, compliant) = try await applied(Self.txDefault(15.6, .A))
        XCTAssertEqual(try XCTUnwrap(compliant), 15.6 * 220 / 1000, accuracy: 1e-9)
    }

    func testRejectsRecurringProfilesRefusesThemOnly() async throws {
        let (recurring, _) = try await applied(Self.txDefault(3000, .W, kind: .Recurring), quirks: [.rejectsRecurringProfiles])
        XCTAssertEqual(recurring, .Rejected)
        let (absolute, _) = try await applied(Self.txDefault(3000, .W), quirks: [.rejectsRecurringProfiles])
        XCTAssertEqual(absolute, .Accepted)
        let (compliant, _) = try await applied(Self.txDefault(3000, .W, kind: .Recurring))
        XCTAssertEqual(compliant, .Accepted)
    }

    func testProfileAtNextMeterValuesWaitsForTheNextSample() async throws {
        let handle = try pileHandle(quirks: [.profileAtNextMeterValues])
        let (before, after) = try await handle.run { pile in
            _ = pile.setChargingProfile(Self.txDefault(3000, .W))
            let before = pile.limitKW(connector: 1, at: pile.now.addingTimeInterval(1))
            pile.connectors[0].lastSample = pile.now.addingTimeInterval(1)
            return (before, pile.limitKW(connector: 1, at: pile.now.addingTimeInterval(2)))
        }
        XCTAssertNil(before, "not heard before the pile sampled its meter")
        XCTAssertEqual(after, 3)
    }

    func testSchedulesThePileCannotObeyAreRejected() async throws {
        var request = Self.txDefault(3000, .W)
        request.csChargingProfiles.chargingSchedule.chargingSchedulePeriod = [.init(startPeriod: 60, limit: 3000)]
        let (late, _) = try await applied(request)
        XCTAssertEqual(late, .Rejected, "the first period must start at 0")
        request.csChargingProfiles.chargingSchedule.chargingSchedulePeriod = [.init(startPeriod: 0, limit: -5)]
        let (negative, _) = try await applied(request)
        XCTAssertEqual(negative, .Rejected)
    }

    func testTheCompositeReportsTheProfileWhatEverTheQuirk() async throws {
        let handle = try pileHandle(quirks: [.ignoresChargingProfiles])
        let limit = try await handle.run { pile in
            _ = pile.setChargingProfile(Self.txDefault(3000, .W))
            return pile.compositeSchedule(.init(connectorId: 1, duration: 600, chargingRateUnit: .W)).chargingSchedule?.chargingSchedulePeriod.first?.limit
        }
        XCTAssertEqual(limit, 3000)
    }
}
