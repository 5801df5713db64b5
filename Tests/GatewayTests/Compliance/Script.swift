import Foundation
import OCPP
import XCTest

/// A conversation a test pile plays with raw frames, so every byte of a crafted case is in
/// the test. `$TX` in a payload is the transaction id of the last StartTransaction reply,
/// `$TAG` the script's id tag, `$T(±seconds)` the time now plus that offset, RFC 3339.
struct Script {
    enum Step {
        /// A CALL with its own id; the gateway's answer is awaited.
        case call(_ action: String, _ payload: String, id: String? = nil)
        case wait(seconds: Double)
    }

    var steps: [Step]

    init(_ steps: [Step]) { self.steps = steps }

    /// The id of the last CALL of the script, the one a case's finding should name.
    var lastMessageId: String {
        var id = ""
        for (index, step) in steps.enumerated() {
            if case .call(_, _, let explicit) = step { id = explicit ?? "m\(index)" }
        }
        return id
    }

    /// Plays the script; returns the gateway's reply to each CALL, in order.
    @discardableResult
    func play(on harness: GatewayHarness, as pile: TestChargePoint, idTag: String = "TAG-1") async throws -> [[JSON]] {
        var transactionId = 0
        var replies: [[JSON]] = []
        for (index, step) in steps.enumerated() {
            switch step {
            case .wait(let seconds):
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            case .call(let action, let template, let explicit):
                let id = explicit ?? "m\(index)"
                let payload = Self.expand(template.replacingOccurrences(of: "$TAG", with: idTag), transactionId: transactionId)
                pile.peer.sendRaw(#"[2,"\#(id)","\#(action)",\#(payload)]"#)
                let reply = try await harness.reply(from: pile, to: id)
                if action == "StartTransaction", reply.first == 3, let tx = reply.last?["transactionId"]?.intValue {
                    transactionId = Int(tx)
                }
                replies.append(reply)
            }
        }
        return replies
    }

    static func expand(_ template: String, transactionId: Int) -> String {
        var text = template.replacingOccurrences(of: "$TX", with: String(transactionId))
        while let range = text.range(of: #"\$T\((-?[0-9]+)\)"#, options: .regularExpression) {
            let offset = Double(text[range].dropFirst(3).dropLast()) ?? 0
            text.replaceSubrange(range, with: "\"" + OCPPTimestamp.format(Date().addingTimeInterval(offset)) + "\"")
        }
        return text
    }
}

/// Frames of a well-behaved pile, to build cases from.
enum Frames {
    static let boot = Script.Step.call("BootNotification", #"{"chargePointVendor":"Lab","chargePointModel":"LabModel","firmwareVersion":"1.0"}"#)

    static func status(_ connector: Int, _ status: String, at offset: Int = 0) -> Script.Step {
        .call("StatusNotification", #"{"connectorId":\#(connector),"errorCode":"NoError","status":"\#(status)","timestamp":$T(\#(offset))}"#)
    }

    static func start(_ connector: Int = 1, meterStart: Int = 1000, at offset: Int = 0, tag: String = "$TAG") -> Script.Step {
        .call(
            "StartTransaction",
            #"{"connectorId":\#(connector),"idTag":"\#(tag)","meterStart":\#(meterStart),"timestamp":$T(\#(offset))}"#)
    }

    static func stop(meterStop: Int, at offset: Int = 0, transactionId: String = "$TX") -> Script.Step {
        .call("StopTransaction", #"{"meterStop":\#(meterStop),"timestamp":$T(\#(offset)),"transactionId":\#(transactionId),"reason":"Local"}"#)
    }

    /// MeterValues with one energy register reading; `transaction: nil` leaves transactionId out.
    static func meter(
        _ connector: Int = 1, wh: String, context: String = "Sample.Periodic", transaction: String? = "$TX", at offset: Int = 0
    ) -> Script.Step {
        let tx = transaction.map { #","transactionId":\#($0)"# } ?? ""
        return .call(
            "MeterValues",
            #"{"connectorId":\#(connector)\#(tx),"meterValue":[{"timestamp":$T(\#(offset)),"sampledValue":[{"value":"\#(wh)","context":"\#(context)","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}"#
        )
    }

    static let heartbeat = Script.Step.call("Heartbeat", "{}")

    /// A complete, correct session on connector 1: what no rule may flag.
    static let cleanSession: [Script.Step] = [
        boot, status(0, "Available"), status(1, "Available"), .call("Authorize", #"{"idTag":"TAG-1"}"#),
        status(1, "Preparing"), start(meterStart: 1000), status(1, "Charging"),
        meter(wh: "1000", context: "Transaction.Begin"), meter(wh: "1500"),
        meter(wh: "1800", transaction: nil),  // no id, but the connector's transaction runs
        status(1, "SuspendedEV"), status(1, "Charging"), meter(wh: "2500"),
        .call(
            "MeterValues",
            #"{"connectorId":0,"meterValue":[{"timestamp":$T(0),"sampledValue":[{"value":"99000","context":"Sample.Clock"}]}]}"#),
        // transactionData repeats the older, lower Transaction.Begin reading: not a decrease.
        .call(
            "StopTransaction",
            #"{"meterStop":3000,"timestamp":$T(0),"transactionId":$TX,"reason":"Local","transactionData":[{"timestamp":$T(-5),"sampledValue":[{"value":"1000","context":"Transaction.Begin"}]},{"timestamp":$T(0),"sampledValue":[{"value":"3000","context":"Transaction.End"}]}]}"#),
        status(1, "Finishing"), status(1, "Available"), heartbeat,
        start(meterStart: 3000, tag: "TAG-2"), status(1, "Charging"), stop(meterStop: 3500), status(1, "Finishing"),
    ]
}
