import Foundation
import OCPP
import OCPPWebSocket

/// Hooks for scripted runs (the lab's scenarios, tests): change a pile's deviations while
/// it runs and put arbitrary frames on its wire.
extension SimulatedPile {
    /// Replaces the pile's quirks from now on. Payload rewrites apply to the next CALL;
    /// `no-subprotocol-header` and `reused-message-ids` to the next connection.
    public func setQuirks(_ quirks: [Quirk]) {
        profile.quirks = quirks
        encoder = QuirkEncoder(quirks)
    }

    /// Forces the status the pile answers `action` with from now on (e.g. `UnlockConnector` →
    /// `UnlockFailed`, `ReserveNow` → `Rejected`), with no effect on the pile; nil returns to
    /// the pile's own answer. Served for UnlockConnector, ReserveNow, CancelReservation,
    /// SendLocalList, SetChargingProfile and ClearChargingProfile; a word the action's status
    /// does not have is ignored. For Firmware Management the word is the failure a job
    /// ends in: UpdateFirmware → DownloadFailed or InstallationFailed, GetDiagnostics →
    /// UploadFailed, LogStatusNotification → UploadFailure (GetLog → Rejected answers so).
    public func setOutcome(_ action: String, _ status: String?) {
        outcomes[action] = status
    }

    func scripted<S: RawRepresentable>(_ action: String, _ type: S.Type) -> S? where S.RawValue == String {
        outcomes[action].flatMap(S.init(rawValue:))
    }

    /// The pile's own clock (simulated time), e.g. for a ReserveNow's expiry.
    public var now: Date { context.clock.now() }

    /// Drops the socket as a network outage would and stays offline for `seconds` of
    /// simulated time before reconnecting (transaction messages queue meanwhile).
    public func dropConnection(offlineFor seconds: Double) {
        offlineUntil = context.clock.now().addingTimeInterval(seconds)
        dropConnection()
    }

    /// Sends `text` as one WebSocket text frame, exactly as given (no quirk rewriting),
    /// so a scenario can offer the gateway a malformed or unexpected frame. Returns false
    /// when the pile has no open connection.
    @discardableResult
    public func sendRaw(_ text: String) -> Bool {
        guard let connection, connection.isOpen else { return false }
        let parsed = try? JSONParser.parse(text)
        let items = parsed?.arrayValue ?? []
        let type = items.first?.intValue.map { Int($0) } ?? 0
        let messageId = items.count > 1 ? items[1].stringValue : nil
        let action = type == 2 && items.count > 2 ? items[2].stringValue : nil
        connection.send(raw: Array(text.utf8), messageType: type, messageId: messageId, action: action, latency: nil)
        return true
    }
}
