import EVModel
import Foundation
import Gateway
import SessionStore
import Simulator
import Synchronization

/// The demo's drivers with the app: each plugs a Xiaomi car into a free DC pile, scans its
/// code, and unplugs a while after charging ends (so the idle fee shows). One stops from
/// the app instead of waiting for the car, and a blocked account shows a refusal.
final class ScanDriver: Sendable {
    let gateway: Gateway
    let accounts: [Account]
    let vehicles: [String: VehicleProfile]
    let count: Int
    private let sessions = Mutex<[Int64]>([])

    init(gateway: Gateway, accounts: [Account], vehicles: [String: VehicleProfile], scans: Int) {
        self.gateway = gateway
        self.accounts = accounts
        self.vehicles = vehicles
        count = scans
    }

    var scanned: [Int64] { sessions.withLock { $0 } }

    func drive(_ runner: FleetRunner) async {
        let drivers = accounts.filter { !$0.blocked && $0.expires == nil && $0.group != nil }.prefix(count)
        guard !drivers.isEmpty, let car = vehicles["su7-max"] ?? vehicles.values.first else { return }
        guard await pause(3) else { return }  // let the piles boot
        if let blocked = accounts.first(where: \.blocked), let pile = await freePile(runner, for: car) {
            await scan(pile, account: blocked, car: nil, runner: runner)
        }
        for (k, account) in drivers.enumerated() {
            guard let pile = await freePile(runner, for: car) else { continue }
            await scan(pile, account: account, car: car, runner: runner)
            if k == 1, let id = scanned.last { await stopFromApp(id) }
            guard await pause(2.5) else { return }
        }
        await unplugWhenDone(runner)
    }

    private func scan(_ pile: (id: String, connector: Int, network: String), account: Account, car: VehicleProfile?, runner: FleetRunner) async {
        let handle = runner.handle(for: pile.id)
        if let car, let handle {
            handle.execute { $0.plugIn(connector: pile.connector, vehicle: car, soc: 30, targetSoC: 70) }
            guard await pause(0.5) else { return }
        }
        let qr = QRCode(network: pile.network, chargePointId: pile.id, connectorId: pile.connector).description
        do {
            let session = try await gateway.scan(qr: qr, accountId: account.id)
            sessions.withLock { $0.append(session.id) }
            Console.line("\nscan: \(account.id) scanned \(qr) → session \(session.id) \(session.status.rawValue)")
        } catch {
            Console.line("\nscan: \(account.id) scanned \(qr) → refused: \(error.code) (\(error))")
            if car != nil { handle?.execute { $0.unplug(connector: pile.connector) } }
        }
    }

    private func stopFromApp(_ id: Int64) async {
        guard await pause(3) else { return }
        do {
            try await gateway.stopSession(id)
            Console.line("\napp: stop session \(id) → accepted by the pile")
        } catch {
            Console.line("\napp: stop session \(id) → \(error.code)")
        }
    }

    /// Unplugs each scanned car some wall seconds after its session ended, until cancelled.
    private func unplugWhenDone(_ runner: FleetRunner) async {
        var ended: [Int64: Date] = [:]
        var unplugged: Set<Int64> = []
        while !Task.isCancelled {
            for id in scanned where !unplugged.contains(id) {
                guard let session = try? await gateway.store.session(id: id)?.session else { continue }
                switch session.status {
                case .completed, .failed:
                    let since = ended[id] ?? Date()
                    ended[id] = since
                    if Date().timeIntervalSince(since) > 10 {
                        runner.handle(for: session.chargePointId)?.execute { $0.unplug(connector: session.connectorId) }
                        unplugged.insert(id)
                    }
                default: break
                }
            }
            guard await pause(1) else { return }
        }
    }

    /// A connected DC pile that can charge `car` (its voltage), with an Available connector.
    private func freePile(_ runner: FleetRunner, for car: VehicleProfile) async -> (id: String, connector: Int, network: String)? {
        guard let piles = try? await gateway.store.chargePoints() else { return nil }
        for pile in piles.shuffled() where pile.chargePoint.connected {
            guard let known = gateway.knownChargePoint(pile.chargePoint.id), known.current == .dc, let network = known.network,
                (known.maxVoltageV ?? 0) >= car.packVoltageV,
                runner.handle(for: pile.chargePoint.id) != nil,
                let free = pile.connectors.first(where: { $0.connectorId > 0 && $0.status == "Available" })
            else { continue }
            return (pile.chargePoint.id, free.connectorId, network)
        }
        return nil
    }

    /// Sleeps; false once the demo is over.
    private func pause(_ seconds: Double) async -> Bool {
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return !Task.isCancelled
    }
}
