// pilegate-load: opens many OCPP 1.6 (or 2.0.1) connections to a gateway and drives Heartbeat and
// MeterValues (2.0.1: TransactionEvent Updated with meter values) at a set rate. It prints figures; it asserts nothing. Benchmarks/gateway_load.py
// runs it (several processes for more than ~19,000 connections) against `pilegate serve`
// and adds the server's CPU and memory read from /proc.

import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import OCPP
import OCPPWebSocket
import Synchronization

/// The OCPP version every connection offers and speaks, by its label.
enum LoadVersion: String, ExpressibleByArgument, CaseIterable, Sendable {
    case v16 = "1.6"
    case v201 = "2.0.1"

    var ocpp: OCPPVersion {
        switch self {
        case .v16: .v16
        case .v201: .v201
        }
    }
}

@main
struct LoadDriver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilegate-load", abstract: "Drive N OCPP 1.6 or 2.0.1 connections against a gateway and report latency.")

    @Option(help: "Gateway OCPP endpoint.") var endpoint = "ws://127.0.0.1:8180/ocpp"
    @Option(help: "Connections to open.") var connections = 1000
    @Option(help: "First identity number (identities are PREFIX-NUMBER).") var firstId = 0
    @Option(help: "Identity prefix.") var prefix = "LOAD"
    @Option(help: "Messages per second over all connections in the steady phase.") var rate = 1000.0
    @Option(help: "Steady phase length, seconds.") var duration = 20.0
    @Option(help: "Wall-clock time (Unix seconds) at which the steady phase starts; default: right after connecting + 2 s.")
    var startAt: Double?
    @Option(help: "Share of MeterValues among steady messages (the rest are Heartbeats).") var meterShare = 0.8
    @Flag(help: "Energy registers that rise with the 118 kW the readings state (default: random registers, which the gateway's meter rules flag).")
    var plausibleReadings = false
    @Option(help: "OCPP version each connection offers: 1.6 (StartTransaction, MeterValues) or 2.0.1 (TransactionEvent Started, then Updated with meter values).")
    var ocpp = LoadVersion.v16
    @Option(help: "Connections opened per second.") var ramp = 3000.0
    @Option(help: "Source addresses 127.0.0.1 ... 127.0.0.N to spread connections over (ephemeral ports).") var sources = 1
    @Option(help: "Event loop threads.") var threads = 1
    @Option(help: "PEM CA the gateway's certificate verifies against (wss:// endpoints).") var ca: String?
    @Option(help: "HTTP Basic password every connection logs in with.") var password: String?
    @Flag(help: "Saturate: every connection sends its next message as soon as the last is answered.") var closedLoop = false

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        // One TLS context for every connection, as a fleet without client certificates has.
        let tls = endpoint.hasPrefix("wss://") ? try TLSContexts.client(ca: ca, certificate: nil, key: nil) : nil
        let stats = LoadStats(plausibleReadings: plausibleReadings)
        // Each connection with the index it booted under: its transaction (and 2.0.1 seqNo) is
        // kept by that index, and connections finish connecting in any order.
        var peers: [(index: Int, peer: RPCPeer)] = []
        peers.reserveCapacity(connections)
        let connectStart = Date()
        // Open connections in waves of `ramp / 10` every 100 ms.
        let wave = max(1, Int(ramp / 10))
        var next = 0
        while next < connections {
            let upper = min(connections, next + wave)
            let waveStart = Date()
            try await withThrowingTaskGroup(of: (Int, RPCPeer)?.self) { tasks in
                for i in next..<upper {
                    tasks.addTask {
                        do {
                            return (i, try await connectAndStart(index: i, group: group, stats: stats, tls: tls))
                        } catch {
                            stats.connectFailed("\(error)")
                            return nil
                        }
                    }
                }
                for try await connected in tasks { if let (i, peer) = connected { peers.append((i, peer)) } }
            }
            next = upper
            let spent = Date().timeIntervalSince(waveStart)
            if spent < 0.1 { try await Task.sleep(for: .milliseconds(Int((0.1 - spent) * 1000))) }
        }
        let connectSeconds = Date().timeIntervalSince(connectStart)
        emit("CONNECTED \(peers.count) of \(connections) in \(String(format: "%.1f", connectSeconds)) s\(stats.connectFailures)")

        let start = startAt ?? Date().timeIntervalSince1970 + 2
        let wait = start - Date().timeIntervalSince1970
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        stats.reset()
        let steadyStart = Date()
        let end = steadyStart.addingTimeInterval(duration)
        if closedLoop {
            for (index, peer) in peers { drive(peer, index: index, until: end, stats: stats) }
        } else if !peers.isEmpty {
            let perConnection = Double(peers.count) / rate  // seconds between one connection's messages
            for (position, (index, peer)) in peers.enumerated() {
                let offset = perConnection * Double(position) / Double(peers.count)
                schedule(peer, index: index, every: perConnection, firstAfter: offset, until: end, stats: stats)
            }
        }
        try await Task.sleep(for: .milliseconds(Int(duration * 1000)))
        let elapsed = Date().timeIntervalSince(steadyStart)
        // Let in-flight answers arrive before reading the figures.
        try await Task.sleep(for: .milliseconds(1500))
        let summary = stats.summary(seconds: elapsed)
        emit(
            "RESULT {\"connections\": \(peers.count), \"connectSeconds\": \(fmt(connectSeconds)), \"seconds\": \(fmt(elapsed)), "
                + "\"sent\": \(summary.sent), \"answered\": \(summary.answered), \"errors\": \(summary.errors), "
                + "\"answeredPerSecond\": \(fmt(summary.rate)), \"p50ms\": \(fmt(summary.p50)), \"p99ms\": \(fmt(summary.p99)), "
                + "\"maxms\": \(fmt(summary.max))}")
        for (_, peer) in peers { peer.close() }
        try await Task.sleep(for: .milliseconds(500))
        try await group.shutdownGracefully()
    }

    func connectAndStart(index: Int, group: MultiThreadedEventLoopGroup, stats: LoadStats, tls: NIOSSLContext?) async throws -> RPCPeer {
        let id = firstId + index
        var configuration = OCPPClientConfiguration(endpoint: endpoint, identity: "\(prefix)-\(id)")
        configuration.tls = tls
        configuration.password = password
        if sources > 1 { configuration.sourceAddress = "127.0.0.\(1 + index % sources)" }
        configuration.callTimeout = .seconds(60)
        configuration.subprotocols = [ocpp.ocpp.subprotocol]
        let peer = try await OCPPClient.connect(configuration, group: group) { connection in
            let sink = SilentPile()
            connection.delegate = sink
            connection.owner = sink
        }
        switch ocpp {
        case .v16:
            _ = try await peer.call(V16.BootNotification.self, .init(chargePointVendor: "PileGate", chargePointModel: "LoadDriver"))
            let tx = try await peer.call(
                V16.StartTransaction.self, .init(connectorId: 1, idTag: "LOAD\(id)", meterStart: 0, timestamp: Date()))
            stats.setTransaction(index, tx.transactionId)
        case .v201:
            _ = try await peer.call(
                V201.BootNotification.self, .init(chargingStation: .init(model: "LoadDriver", vendorName: "PileGate"), reason: .powerUp))
            // The station names its transactions: one per pile, unique across runs (≤ 36 characters).
            let ref = "\(prefix)-\(id)-\(stats.runStamp)"
            let register = V201.SampledValue(
                value: 0, context: .transactionBegin, measurand: .energyActiveImportRegister, unitOfMeasure: .init(unit: "Wh"))
            _ = try await peer.call(
                V201.TransactionEvent.self,
                .init(
                    eventType: .started, timestamp: Date(), triggerReason: .authorized, seqNo: 0,
                    transactionInfo: .init(transactionId: ref, chargingState: .charging),
                    meterValue: [.init(sampledValue: [register], timestamp: Date())], evse: .init(id: 1, connectorId: 1),
                    idToken: .init(idToken: "LOAD\(id)", type: .iso14443)))
            stats.setTransactionRef(index, ref)
        }
        return peer
    }

    func message(index: Int, stats: LoadStats) -> (String, JSON) {
        Self.steadyMessage(ocpp, index: index, meterShare: meterShare, stats: stats)
    }

    /// The next steady message of pile `index`: a Heartbeat, or its meter values (1.6 MeterValues,
    /// 2.0.1 TransactionEvent Updated with the pile's next seqNo).
    static func steadyMessage(_ version: LoadVersion, index: Int, meterShare: Double, stats: LoadStats) -> (String, JSON) {
        if Double.random(in: 0..<1) >= meterShare { return ("Heartbeat", [:]) }
        switch version {
        case .v16:
            return ("MeterValues", LoadStats.meterValues(transactionId: stats.transaction(index), energy: stats.energyWh))
        case .v201:
            let (ref, seqNo) = stats.nextEvent(index)
            return ("TransactionEvent", LoadStats.transactionEventUpdated(transactionId: ref, seqNo: seqNo, energy: stats.energyWh))
        }
    }

    func schedule(_ peer: RPCPeer, index: Int, every interval: Double, firstAfter: Double, until end: Date, stats: LoadStats) {
        let loop = peer.eventLoop
        let period = TimeAmount.nanoseconds(Int64(interval * 1e9))
        let meterShare = meterShare
        let version = ocpp
        loop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64(firstAfter * 1e9)), delay: period) { task in
            if Date() >= end {
                task.cancel()
                return
            }
            let (action, payload) = Self.steadyMessage(version, index: index, meterShare: meterShare, stats: stats)
            send(peer, action: action, payload: payload, stats: stats, then: nil)
        }
    }

    func drive(_ peer: RPCPeer, index: Int, until end: Date, stats: LoadStats) {
        let (action, payload) = message(index: index, stats: stats)
        send(peer, action: action, payload: payload, stats: stats) {
            if Date() < end { drive(peer, index: index, until: end, stats: stats) }
        }
    }

    func send(_ peer: RPCPeer, action: String, payload: JSON, stats: LoadStats, then: (@Sendable () -> Void)?) {
        let sentAt = DispatchTime.now().uptimeNanoseconds
        stats.sent()
        peer.callFuture(action: action, payload: payload).whenComplete { result in
            switch result {
            case .success: stats.answered(latencyNanos: DispatchTime.now().uptimeNanoseconds - sentAt)
            case .failure: stats.failed()
            }
            then?()
        }
    }
}

func fmt(_ value: Double) -> String { String(format: "%.3f", value) }

/// Unbuffered, so the orchestrating script sees each line as it happens.
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// A pile that never gets calls worth answering.
final class SilentPile: RPCConnectionDelegate {
    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        connection.reply(to: call, error: RPCError(.notSupported, "load driver"))
    }
    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {}
    func rpcConnectionDidClose(_ connection: RPCConnection) {}
}

/// Counters and latencies, shared by every connection.
final class LoadStats: Sendable {
    private struct State {
        var sent = 0
        var answered = 0
        var errors = 0
        var latencies: [UInt64] = []
        var transactions: [Int: Int] = [:]
        /// 2.0.1: each pile's transactionId and the seqNo its next event carries.
        var refs: [Int: String] = [:]
        var seqNos: [Int: Int] = [:]
        var connectErrors: [String: Int] = [:]
    }
    private let state = Mutex(State())
    /// Registers rise at 118 kW from here (nil: random registers).
    let plausibleSince: Date?

    init(plausibleReadings: Bool) { plausibleSince = plausibleReadings ? Date() : nil }

    /// The next energy register: random, or 118 kW's worth since the run began.
    var energyWh: Int {
        guard let since = plausibleSince else { return Int.random(in: 10_000...90_000) }
        return Int(Date().timeIntervalSince(since) * 118_000 / 3_600)
    }
    /// Seconds since 1970 when the driver started, in 2.0.1 transaction ids.
    let runStamp = Int(Date().timeIntervalSince1970)

    func reset() {
        state.withLock {
            $0.sent = 0
            $0.answered = 0
            $0.errors = 0
            $0.latencies.removeAll(keepingCapacity: true)
        }
    }
    func sent() { state.withLock { $0.sent += 1 } }
    func connectFailed(_ reason: String) {
        state.withLock { $0.connectErrors[reason, default: 0] += 1 }
    }
    /// "; failures: reason × count, …" or "".
    var connectFailures: String {
        state.withLock { s in
            s.connectErrors.isEmpty ? "" : "; failures: " + s.connectErrors.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
        }
    }
    func failed() { state.withLock { $0.errors += 1 } }
    func answered(latencyNanos: UInt64) {
        state.withLock {
            $0.answered += 1
            $0.latencies.append(latencyNanos)
        }
    }
    func setTransaction(_ index: Int, _ id: Int) { state.withLock { $0.transactions[index] = id } }
    func transaction(_ index: Int) -> Int { state.withLock { $0.transactions[index] ?? 0 } }
    /// After the Started event (seqNo 0).
    func setTransactionRef(_ index: Int, _ ref: String) {
        state.withLock {
            $0.refs[index] = ref
            $0.seqNos[index] = 1
        }
    }
    /// The pile's transactionId and the next seqNo, counted up (calls leave a connection in order).
    func nextEvent(_ index: Int) -> (String, Int) {
        state.withLock { s in
            let seqNo = s.seqNos[index, default: 1]
            s.seqNos[index] = seqNo + 1
            return (s.refs[index] ?? "", seqNo)
        }
    }

    func summary(seconds: Double) -> (sent: Int, answered: Int, errors: Int, rate: Double, p50: Double, p99: Double, max: Double) {
        state.withLock { s in
            let sorted = s.latencies.sorted()
            func percentile(_ p: Double) -> Double {
                sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
            }
            return (s.sent, s.answered, s.errors, Double(s.answered) / seconds, percentile(0.5), percentile(0.99), Double(sorted.last ?? 0) / 1e6)
        }
    }

    /// About 600 bytes on the wire, like a DC pile's periodic sample.
    static func meterValues(transactionId: Int, energy: Int) -> JSON {
        let now = OCPPTimestamp.format(Date())
        let sampled: [JSON] = [
            ["value": .string(String(energy)), "context": "Sample.Periodic", "measurand": "Energy.Active.Import.Register", "unit": "Wh"],
            ["value": "118000", "context": "Sample.Periodic", "measurand": "Power.Active.Import", "unit": "W"],
            ["value": "240.5", "context": "Sample.Periodic", "measurand": "Current.Import", "unit": "A"],
            ["value": "492.1", "context": "Sample.Periodic", "measurand": "Voltage", "unit": "V"],
            ["value": "61", "context": "Sample.Periodic", "measurand": "SoC", "unit": "Percent", "location": "EV"],
        ]
        return [
            "connectorId": 1, "transactionId": .integer(Int64(transactionId)),
            "meterValue": [["timestamp": .string(now), "sampledValue": .array(sampled)]],
        ]
    }

    /// The same five readings in 2.0.1's words (numbers, `unitOfMeasure`) in a TransactionEvent
    /// Updated: about 810 bytes on the wire, the envelope and unit objects being longer than 1.6's.
    static func transactionEventUpdated(transactionId: String, seqNo: Int, energy: Int) -> JSON {
        let now = OCPPTimestamp.format(Date())
        let sampled: [JSON] = [
            ["value": .integer(Int64(energy)), "context": "Sample.Periodic", "measurand": "Energy.Active.Import.Register", "unitOfMeasure": ["unit": "Wh"]],
            ["value": 118000, "context": "Sample.Periodic", "measurand": "Power.Active.Import", "unitOfMeasure": ["unit": "W"]],
            ["value": 240.5, "context": "Sample.Periodic", "measurand": "Current.Import", "unitOfMeasure": ["unit": "A"]],
            ["value": 492.1, "context": "Sample.Periodic", "measurand": "Voltage", "unitOfMeasure": ["unit": "V"]],
            ["value": 61, "context": "Sample.Periodic", "measurand": "SoC", "unitOfMeasure": ["unit": "Percent"], "location": "EV"],
        ]
        return [
            "eventType": "Updated", "timestamp": .string(now), "triggerReason": "MeterValuePeriodic",
            "seqNo": .integer(Int64(seqNo)), "transactionInfo": ["transactionId": .string(transactionId)],
            "meterValue": [["timestamp": .string(now), "sampledValue": .array(sampled)]],
        ]
    }
}
