import Foundation
import OCPP

/// A 2.0.1 station's connector, read in the scenario's (1.6) words, so one scenario checks
/// stations of both versions: StatusNotification's connectorStatus (Occupied = Preparing
/// when the cable arrives) and the TransactionEvents' chargingState (Charging,
/// SuspendedEV/EVSE; EVConnected after charging = Finishing, unless a fault ended the
/// charging) of the EVSE's transactions.
extension ExpectationChecker {
    static func statuses201(_ frames: [LabFrame], evse: Int) -> [String] {
        var result: [String] = []
        var evseOf: [String: Int] = [:]
        func note(_ status: String) { if result.last != status { result.append(status) } }
        // In the order things happened at the station (the payloads' timestamps): a
        // StatusNotification goes out at once and may overtake queued TransactionEvents.
        let payloads = frames.filter { $0.direction == "in" && $0.messageType == 2 }.compactMap { frame -> (action: String?, payload: JSONObject, time: Date)? in
            guard let items = (try? JSONParser.parse(frame.text))?.arrayValue, items.count > 3, let payload = items[3].objectValue else { return nil }
            let time = payload["timestamp"]?.stringValue.flatMap(OCPPTimestamp.parse)?.date ?? frame.time
            return (frame.action, payload, time)
        }
        let ordered = payloads.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        for (action, payload, _) in ordered {
            switch action {
            case "StatusNotification":
                guard payload["evseId"]?.intValue == Int64(evse), let raw = payload["connectorStatus"]?.stringValue else { continue }
                switch raw {
                case "Occupied": if !["Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"].contains(result.last ?? "") { note("Preparing") }
                default: note(raw)
                }
            case "TransactionEvent":
                guard let info = payload["transactionInfo"]?.objectValue, let id = info["transactionId"]?.stringValue else { continue }
                if evseOf[id] == nil { evseOf[id] = payload["evse"]?["id"]?.intValue.map { Int($0) } ?? 1 }
                guard evseOf[id] == evse, let state = info["chargingState"]?.stringValue else { continue }
                // A transaction a fault ended: the Faulted StatusNotification is the status, not Finishing.
                if payload["triggerReason"]?.stringValue == "AbnormalCondition" { continue }
                switch state {
                case "Charging", "SuspendedEV", "SuspendedEVSE": note(state)
                case "EVConnected": note(["Charging", "SuspendedEV", "SuspendedEVSE"].contains(result.last ?? "") ? "Finishing" : "Preparing")
                default: continue
                }
            default:
                continue
            }
        }
        return result
    }
}
