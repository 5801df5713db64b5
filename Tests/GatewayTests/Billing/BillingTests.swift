import Foundation
import Gateway
import SessionStore
import XCTest

/// Receipts against hand-computed examples (docs/tariffs.md explains the rules).
final class BillingTests: XCTestCase {
    /// Beijing-like: valley 00–07, flat 07–10, peak 10–15, flat 15–24 (local, +08:00).
    static let tariff = Tariff(
        tiers: .init(
            peak: .init(electricity: 100.44, service: 80), flat: .init(electricity: 69.50, service: 80),
            valley: .init(electricity: 39.46, service: 80)),
        schedule: [
            .init(from: "00:00", to: "07:00", tier: .valley), .init(from: "07:00", to: "10:00", tier: .flat),
            .init(from: "10:00", to: "15:00", tier: .peak), .init(from: "15:00", to: "24:00", tier: .flat),
        ],
        idleFee: .init(perMinuteFen: 50, graceMinutes: 15, capFen: 5000),
        discounts: [.init(group: "xiaomi", serviceFeePercent: 20)])

    /// A local (+08:00) time on 2026-11-22.
    func local(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
        var components = DateComponents(year: 2026, month: 11, day: 22, hour: hour, minute: minute, second: second)
        components.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return Calendar(identifier: .gregorian).date(from: components) ?? .distantPast
    }

    func session(start: Date, stop: Date?, meterStart: Int64, meterStop: Int64?, unplugged: Date? = nil) -> SessionRecord {
        SessionRecord(
            id: 1, chargePointId: "CP", connectorId: 1, idTag: "T", ocppVersion: "1.6", status: stop == nil ? .active : .completed,
            authorizationStatus: "Accepted", startTime: start, stopTime: stop, meterStartWh: meterStart, meterStopWh: meterStop,
            energyWh: meterStop.map { $0 - meterStart }, stopReason: nil, stopIdTag: nil, costFen: nil, reservationId: nil,
            unpluggedAt: unplugged)
    }

    func register(_ time: Date, _ wh: Double) -> SampleRecord {
        SampleRecord(time: time, measurand: "Energy.Active.Import.Register", value: wh, unit: "Wh", context: "Sample.Periodic")
    }

    func receipt(_ s: SessionRecord, _ samples: [SampleRecord], group: String? = nil, now: Date? = nil) throws -> Receipt {
        let plan = try TariffPlan(Self.tariff)
        let ledger = TariffBook.ledger(s, samples: samples, plan: plan)
        return Receipt(sessionId: s.id, network: nil, ledger: ledger, stopTime: s.stopTime, unpluggedAt: s.unpluggedAt, now: now ?? local(23, 0), group: group)
    }

    func testReceiptSplitsEnergyAtTheValleyToFlatBoundaryWithIdleFeeAndDiscount() throws {
        // 40 kWh from 06:30 to 07:30, evenly; unplugged at 07:50 (20 min idle, 15 free).
        let s = session(start: local(6, 30), stop: local(7, 30), meterStart: 1000, meterStop: 41000, unplugged: local(7, 50))
        let r = try receipt(s, [register(local(6, 45), 11000), register(local(7, 0), 21000), register(local(7, 15), 31000)], group: "xiaomi")
        XCTAssertEqual(r.lines.map(\.tier), ["valley", "flat"])
        XCTAssertEqual(r.lines.map(\.energyWh), [20000, 20000])
        // valley 20 kWh × 39.46 = 789.2 → 789; flat 20 kWh × 69.50 = 1390.
        XCTAssertEqual(r.lines.map(\.electricityFen), [789, 1390])
        XCTAssertEqual(r.lines.map(\.serviceFen), [1600, 1600])
        XCTAssertEqual(r.idleMinutes, 5)
        XCTAssertEqual(r.idleFen, 250)
        XCTAssertEqual(r.discountFen, 640)  // 20 % of 3200
        XCTAssertEqual(r.totalFen, 789 + 1390 + 3200 + 250 - 640)
        XCTAssertTrue(r.final)
        XCTAssertEqual(r.lines[0].to, local(7, 0))
    }

    func testOneReadingPairAcrossTheFlatToPeakBoundaryIsSplitByTime() throws {
        // Only meterStart at 09:45 and meterStop at 10:15: 15 kWh before 10:00, 15 kWh after.
        let s = session(start: local(9, 45), stop: local(10, 15), meterStart: 0, meterStop: 30000, unplugged: local(10, 20))
        let r = try receipt(s, [])
        XCTAssertEqual(r.lines.map(\.tier), ["flat", "peak"])
        XCTAssertEqual(r.lines.map(\.energyWh), [15000, 15000])
        // flat 15 × 69.50 = 1042.5 → 1043 (half up); peak 15 × 100.44 = 1506.6 → 1507.
        XCTAssertEqual(r.lines.map(\.electricityFen), [1043, 1507])
        XCTAssertEqual(r.serviceFen, 2400)
        XCTAssertEqual(r.idleFen, 0, "5 minutes is within the 15-minute grace")
        XCTAssertEqual(r.discountFen, 0, "no account group, no discount")
        XCTAssertEqual(r.totalFen, 1043 + 1507 + 2400)
    }

    func testWholeWattHoursAddUpToTheMeterByLargestRemainder() throws {
        // 10 Wh over 90 s, 60 s of it before 07:00: 6.67 valley + 3.33 flat → 7 + 3.
        let s = session(start: local(6, 59), stop: local(7, 0, 30), meterStart: 0, meterStop: 10, unplugged: local(7, 1))
        let r = try receipt(s, [])
        XCTAssertEqual(r.lines.map(\.energyWh), [7, 3])
        XCTAssertEqual(r.energyWh, 10)
    }

    func testIdleFeeStopsAtItsCapAndMakesTheReceiptFinal() throws {
        let s = session(start: local(11, 0), stop: local(12, 0), meterStart: 0, meterStop: 50000)
        let r = try receipt(s, [], now: local(16, 0))
        XCTAssertEqual(r.idleMinutes, 225)  // 4 h − 15 min grace
        XCTAssertEqual(r.idleFen, 5000, "225 min × 50 fen = 11250, capped")
        XCTAssertTrue(r.final, "capped: it cannot grow any more")
        XCTAssertEqual(r.electricityFen, 5022)  // 50 kWh × 100.44
    }

    func testStartedIdleMinuteCountsWhole() throws {
        let s = session(start: local(11, 0), stop: local(12, 0), meterStart: 0, meterStop: 1000, unplugged: local(12, 15, 1))
        XCTAssertEqual(try receipt(s, []).idleMinutes, 1, "one second past the grace is a started minute")
    }

    func testRunningSessionIsPricedSoFarAndNotFinal() throws {
        let s = session(start: local(10, 0), stop: nil, meterStart: 0, meterStop: nil)
        let r = try receipt(s, [register(local(10, 30), 12000)], now: local(10, 31))
        XCTAssertEqual(r.energyWh, 12000)
        XCTAssertEqual(r.electricityFen, 1205)  // 12 × 100.44 = 1205.28
        XCTAssertFalse(r.final)
    }

    func testRegisterGoingBackwardsAddsNothingAndIsNotCountedTwice() throws {
        let s = session(start: local(8, 0), stop: local(8, 30), meterStart: 0, meterStop: 9000, unplugged: local(8, 31))
        let r = try receipt(s, [register(local(8, 10), 5000), register(local(8, 20), 4000)])
        XCTAssertEqual(r.energyWh, 9000, "0 → 5000, a glitch to 4000, then 9000: 9 kWh, not 10")
    }

    func testScheduleMistakesAreReported() {
        func problem(_ schedule: [Tariff.Slot], offset: String = "+08:00") -> String? {
            var t = Self.tariff
            t.schedule = schedule
            t.utcOffset = offset
            do {
                _ = try TariffPlan(t)
                return nil
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(problem([.init(from: "00:00", to: "23:30", tier: .flat)]), "schedule leaves 23:30–24:00 without a tier")
        XCTAssertEqual(
            problem([.init(from: "00:00", to: "12:00", tier: .flat), .init(from: "11:00", to: "24:00", tier: .peak)]),
            "schedule slots overlap at 11:00")
        XCTAssertEqual(problem([.init(from: "00:00", to: "07:15", tier: .flat)]), "\"07:15\" is not a half-hour time like 08:00 or 08:30")
        XCTAssertEqual(problem([.init(from: "00:00", to: "24:00", tier: .sharp)]), "schedule uses tier sharp, which has no price in tiers")
        XCTAssertEqual(problem([.init(from: "00:00", to: "24:00", tier: .flat)], offset: "8"), "utcOffset \"8\" is not of the form +08:00")
        XCTAssertNil(problem([.init(from: "00:00", to: "24:00", tier: .flat)]))
    }

    func testTariffBookPrefersStationThenNetworkThenDefault() {
        var nio = Self.tariff
        nio.network = "NIO"
        var station = Self.tariff
        station.network = "NIO"
        station.station = "Beijing #1"
        let book = TariffBook([Self.tariff, nio, station])
        XCTAssertEqual(book.plan(network: "NIO", station: "Beijing #1")?.tariff.station, "Beijing #1")
        XCTAssertEqual(book.plan(network: "NIO", station: "elsewhere")?.tariff.network, "NIO")
        XCTAssertNil(book.plan(network: "XPeng", station: nil)?.tariff.network)
    }

    func testTheDemoConfigurationLoadsWithItsTariffsAndAccounts() throws {
        let configuration = try GatewayConfiguration.load(path: "Simulators/gateway/demo.yaml")
        XCTAssertEqual(configuration.tariffs.count, 3)
        XCTAssertEqual(TariffBook(configuration.tariffs).plans.count, 3)
        XCTAssertTrue(configuration.accounts.contains { $0.blocked })
    }

    func testBadTariffInConfigurationNamesTheTariff() {
        let yaml = """
            tariffs:
              - network: NIO
                tiers: { flat: { electricity: 70, service: 80 } }
                schedule: [ { from: "00:00", to: "12:00", tier: flat } ]
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tariff-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertNoThrow(try yaml.write(to: file, atomically: true, encoding: .utf8))
        XCTAssertThrowsError(try GatewayConfiguration.load(path: file.path)) { error in
            XCTAssertTrue("\(error)".contains("tariffs[0] (NIO): schedule leaves 12:00–12:30 without a tier"), "\(error)")
        }
    }
}
