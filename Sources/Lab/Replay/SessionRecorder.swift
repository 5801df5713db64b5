import Foundation
import OCPP
import SessionStore

/// Turns a session recorded by a gateway into a replay scenario: the pile's frames from
/// its boot (or the lead-in to the session) to the session's stop, with the gateway's
/// answers as recorded, and expectations taken from what the gateway made of them.
public enum SessionRecorder {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func scenario(store: any SessionStore, sessionId: Int64, name: String? = nil) async throws -> String {
        guard let detail = try await store.session(id: sessionId) else { throw Failure(description: "no session \(sessionId) in the store") }
        let session = detail.session
        guard session.status == .completed else { throw Failure(description: "session \(sessionId) is still active; record it once it has stopped") }
        let all = try await store.frames(chargePointId: session.chargePointId, limit: 100_000)
        guard let first = detail.timeline.first, let last = detail.timeline.last,
            let startIndex = all.firstIndex(where: { $0.time == first.time && $0.text == first.text }),
            let endIndex = all.lastIndex(where: { $0.time == last.time && $0.text == last.text })
        else { throw Failure(description: "session \(sessionId) has no recorded frames") }

        let version: OCPPVersion = session.ocppVersion == OCPPVersion.v201.label ? .v201 : .v16
        // Only this session's connector: a multi-gun pile interleaves its other guns' sessions.
        let mine = all.indices.filter { belongs(all[$0], to: session, version: version) }
        guard let startPosition = mine.firstIndex(where: { $0 >= startIndex }) else {
            throw Failure(description: "session \(sessionId) has no recorded \(version == .v16 ? "StartTransaction" : "TransactionEvent")")
        }
        // Lead-in: back to the connector's previous session or the boot, whichever is nearer.
        var from = startPosition
        while from > 0 {
            let frame = all[mine[from - 1]]
            if frame.direction == .incoming && frame.messageType == 2 && ["StartTransaction", "StopTransaction", "TransactionEvent"].contains(frame.action ?? "") { break }
            from -= 1
            if frame.direction == .incoming && frame.action == "BootNotification" && frame.messageType == 2 { break }
        }
        var calls = Set<String>()
        var frames: [FrameRecord] = []
        var stopped = false
        for index in mine[from...] where index <= endIndex {
            let frame = all[index]
            // After the stop only the connector's status reports belong here, not the next driver's session.
            if stopped && frame.messageType == 2 && frame.action != "StatusNotification" { continue }
            if frame.messageType == 2 && Self.isStop(frame) { stopped = true }
            if frame.messageType == 2, let id = frame.messageId {
                calls.insert(id)
                frames.append(frame)
            } else if let id = frame.messageId, calls.contains(id) {
                frames.append(frame)  // an answer to a CALL kept above
            }
        }
        if frames.first?.action != "BootNotification" {
            // The pile did not boot in the recorded range: replay starts with a boot as it introduced itself.
            let pile = try await store.chargePoint(id: session.chargePointId)?.chargePoint
            let vendor = JSON.string(pile?.vendor ?? "unknown"), model = JSON.string(pile?.model ?? "unknown")
            let firmware = JSON.string(pile?.firmwareVersion ?? "unknown")
            let boot: JSON =
                version == .v16
                ? ["chargePointVendor": vendor, "chargePointModel": model, "firmwareVersion": firmware]
                : ["reason": "PowerUp", "chargingStation": ["vendorName": vendor, "model": model, "firmwareVersion": firmware]]
            let call = FrameRecord(
                time: frames.first?.time ?? Date(), direction: .incoming, chargePointId: session.chargePointId, messageType: 2,
                messageId: "replay-boot", action: "BootNotification", text: JSON.array([.integer(2), "replay-boot", "BootNotification", boot]).text)
            frames.insert(call, at: 0)
        }

        var out: [String] = []
        out.append("# Recorded by `pilegate record` from session \(sessionId) of \(session.chargePointId).")
        out.append("# Replays the pile's side of the conversation; `expect` is what the gateway recorded then.")
        out.append("name: \(quote(name ?? "replay of session \(sessionId) on \(session.chargePointId)"))")
        out.append("tags: [regression, replay]")
        out.append("replay:")
        out.append("  chargePoint: \(quote(session.chargePointId))")
        out.append("  session: \(sessionId)")
        if version != .v16 { out.append("  ocppVersion: \(version.subprotocol)") }
        out.append("  frames:")
        for frame in frames {
            out.append("    - \(frame.direction == .incoming ? "send" : "receive"): \(quote(frame.text))")
        }
        out.append("expect:")
        out.append("  sessions: 1")
        out.append("  session:")
        out.append("    status: completed")
        if let reason = session.stopReason { out.append("    stopReason: \(quote(reason))") }
        if let tag = session.idTag { out.append("    idTag: \(quote(tag))") }
        out.append("    connector: \(session.connectorId)")
        if let energy = session.energyWh { out.append("    energy: {kWh: \(Double(energy) / 1000), toleranceKWh: 0.001}") }
        let rules = Array(Set(detail.findings.map(\.rule))).sorted()
        if !rules.isEmpty {
            out.append("  findings:")
            out.append("    present: [\(rules.map(quote).joined(separator: ", "))]")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Whether a frame is part of `session`'s conversation: the pile as a whole (boot,
    /// connector or EVSE 0), the session's connector, its tag, its transaction; answers are
    /// matched to their CALLs by message id afterwards.
    static func belongs(_ frame: FrameRecord, to session: SessionRecord, version: OCPPVersion) -> Bool {
        guard frame.messageType == 2 else { return frame.messageType == 3 || frame.messageType == 4 }
        let payload = (try? JSONParser.parse(frame.text))?.arrayValue.flatMap { $0.count > 3 ? $0[3] : nil }
        let connector = Int64(session.connectorId)
        if frame.action == "BootNotification" { return frame.direction == .incoming }
        switch version {
        case .v16:
            let onConnector = payload?["connectorId"]?.intValue == connector
            let transaction = payload?["transactionId"]?.intValue
            switch frame.action ?? "" {
            case "StatusNotification": return payload?["connectorId"]?.intValue == 0 || onConnector
            case "Authorize": return payload?["idTag"]?.stringValue == session.idTag
            case "StartTransaction": return onConnector
            case "MeterValues": return onConnector && (transaction == nil || transaction == session.id)
            case "StopTransaction", "RemoteStopTransaction": return transaction == session.id
            default: return false
            }
        case .v201:
            // The gateway reads an EVSE as the session's connector (docs/ocpp-notes.md).
            let onEVSE = payload?["evseId"]?.intValue == connector
            switch frame.action ?? "" {
            case "StatusNotification": return payload?["evseId"]?.intValue == 0 || onEVSE
            case "Authorize": return payload?["idToken"]?["idToken"]?.stringValue == session.idTag
            case "TransactionEvent": return payload?["transactionInfo"]?["transactionId"]?.stringValue == session.transactionRef
            case "MeterValues": return onEVSE
            case "RequestStopTransaction": return payload?["transactionId"]?.stringValue == session.transactionRef
            default: return false
            }
        }
    }

    /// The pile's CALL that ends a transaction: StopTransaction, or a TransactionEvent Ended.
    static func isStop(_ frame: FrameRecord) -> Bool {
        switch frame.action {
        case "StopTransaction": return true
        case "TransactionEvent":
            let items = (try? JSONParser.parse(frame.text))?.arrayValue ?? []
            return items.count > 3 && items[3]["eventType"]?.stringValue == "Ended"
        default: return false
        }
    }

    /// A YAML scalar that reads back as exactly `text`: a JSON string is a YAML double-quoted scalar.
    static func quote(_ text: String) -> String { JSON.string(text).text }
}
