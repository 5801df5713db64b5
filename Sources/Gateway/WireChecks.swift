import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// Numbers and times from the wire, checked where they enter the domain (WireBounds).
/// Each check returns the value the domain may work with and flags what it changed; the
/// raw value stays in the message log and the finding's detail.
extension ChargePointSession {
    var timestampWindow: TimestampWindow { services.configuration.timestampWindow }

    /// A pile timestamp, or the receive time when it lies outside the window.
    func checkedTime(
        _ time: Date, what: String, call: IncomingCall, acknowledged: Bool = false, into verdict: inout Verdict
    ) -> Date {
        guard !timestampWindow.contains(time, around: call.receivedAt) else { return time }
        flag(
            .timestampOutOfWindow, "\(what) \(OCPPTimestamp.format(time)) is outside the accepted window; read as the receive time",
            call: call, mayReject: !acknowledged, into: &verdict)
        return call.receivedAt
    }

    /// An energy register in Wh, brought into WireBounds.energyWh when it lies outside.
    func checkedRegister(
        _ wh: Int, what: String, call: IncomingCall, acknowledged: Bool = false, into verdict: inout Verdict
    ) -> Int {
        let bounds = WireBounds.energyWh
        let value = Int64(wh)
        guard !bounds.contains(value) else { return wh }
        let clamped = Swift.min(Swift.max(value, bounds.lowerBound), bounds.upperBound)
        flag(
            value < 0 ? .negativeRegister : .valueOutOfRange, "\(what) \(wh) Wh is outside \(bounds.lowerBound)…\(bounds.upperBound) Wh; read as \(clamped) Wh",
            call: call, mayReject: !acknowledged, into: &verdict)
        return Int(clamped)
    }

    /// A connector id no pile can have is refused in every mode: it would name a
    /// connector, and a session, that cannot exist.
    func refusedConnector(_ connectorId: Int, _ call: IncomingCall) -> Bool {
        guard !WireBounds.connectorId.contains(connectorId) else { return false }
        let bounds = WireBounds.connectorId
        let detail = "connectorId \(connectorId) is outside \(bounds.lowerBound)…\(bounds.upperBound)"
        record(.valueOutOfRange, "\(call.action): \(detail)", messageId: call.messageId)
        replyError(to: call, RPCError(.propertyConstraintViolation, detail))
        return true
    }

    /// The meter values' timestamps brought into the window; the samples themselves are
    /// range-checked as they are read (`readings`).
    func checkedSampleTimes(_ samples: [SampleRecord], call: IncomingCall, acknowledged: Bool = false, into verdict: inout Verdict)
        -> [SampleRecord]
    {
        guard samples.contains(where: { !timestampWindow.contains($0.time, around: call.receivedAt) }) else { return samples }
        var flagged = false
        return samples.map { sample in
            guard !timestampWindow.contains(sample.time, around: call.receivedAt) else { return sample }
            if !flagged {
                flagged = true
                _ = checkedTime(sample.time, what: "meter value timestamp", call: call, acknowledged: acknowledged, into: &verdict)
            }
            var sample = sample
            sample.time = call.receivedAt
            return sample
        }
    }
}

extension FindingRule {
    public static let valueOutOfRange = FindingRule(
        id: "value.out-of-range", severity: .error,
        summary: "A number outside what a real pile can send (docs/wire-values.md); the value was bounded or dropped.",
        reference: "OCPP 1.6 §7 (data types); docs/wire-values.md", strictReply: .propertyConstraintViolation)

    public static let timestampOutOfWindow = FindingRule(
        id: "value.timestamp-out-of-window", severity: .error,
        summary: "A timestamp outside the window around the gateway's clock (timestampWindowDays); read as the receive time.",
        reference: "OCPP 1.6 §4.2, §4.6; docs/wire-values.md", strictReply: .propertyConstraintViolation,
        recorded: .oncePerConnection)
}
