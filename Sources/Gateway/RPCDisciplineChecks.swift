import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// The boot and RPC-discipline rules (FindingRule+RPC.swift). Boots and the replies to
/// our CALLs are rare, so these may parse a frame again; nothing here runs per CALL of
/// the pile but the overlap event, which the RPC layer raises only when it happens.
extension ChargePointSession {
    /// Judges a boot before `pileRebooted` forgets the connection's past: a second boot
    /// here after Accepted, unasked; a connection's first boot also goes to the loop watch.
    func checkBoot(_ call: IncomingCall, accepted: Bool) -> [FindingRecord] {
        // A resend under the Accepted boot's own id (the pile missed our answer) is no new
        // boot: it neither counts nor uses up a Reset or TriggerMessage that asked for one.
        let id = call.messageId.hashValue
        if id == compliance.acceptedBoot { return [] }
        var found: [FindingRecord] = []
        if compliance.acceptedBoot != nil, !compliance.bootRequested, shouldRecord(.bootRepeatedOnConnection) {
            found.append(
                finding(
                    .bootRepeatedOnConnection,
                    "BootNotification again after this connection's boot was Accepted; the gateway sent no Reset, UpdateFirmware or TriggerMessage(BootNotification)",
                    messageId: call.messageId))
        }
        if !compliance.bootCounted {
            compliance.bootCounted = true
            let seconds = tolerances.bootLoopSeconds
            if shouldRecord(.bootReconnectLoop),
                let boots = services.boots.booted(identity, at: call.receivedAt, accepted: accepted, count: tolerances.bootLoopCount, within: seconds)
            {
                found.append(
                    finding(
                        .bootReconnectLoop, "\(boots) boots within \(Int(seconds)) s, each on a new connection, with no Reset or UpdateFirmware from the gateway",
                        messageId: call.messageId))
            }
        }
        compliance.acceptedBoot = accepted ? id : nil
        compliance.bootRequested = false
        return found
    }

    /// Our CALLs after which a boot is expected: Reset and (Signed)UpdateFirmware (the pile
    /// reboots; the names are the same in both versions) and TriggerMessage(BootNotification).
    func noteBootCause(_ tap: FrameTap) {
        switch tap.action {
        case V16.Reset.name, V16.UpdateFirmware.name, V16.SignedUpdateFirmware.name:
            compliance.bootRequested = true
            services.boots.rebootRequested(identity)
        case V16.TriggerMessage.name:
            // Its payload names one message (and a connector or EVSE): the name alone decides.
            if tap.text.contains("\"BootNotification\"") { compliance.bootRequested = true }
        default:
            break
        }
    }

    /// A CALLRESULT or CALLERROR from the pile: its schema when it answers our CALL, its
    /// error code always (answering ours or unsolicited).
    func checkReply(_ tap: FrameTap) {
        guard let frame = try? RPCFrame.parse(Array(tap.text.utf8)) else { return }
        switch frame {
        case .callError(let id, let error):
            guard let detail = Self.undefinedErrorCode(error, answering: tap.action, in: version) else { return }
            record(.unknownErrorCode, detail, messageId: id)
        case .callResult(let id, let payload):
            guard let action = tap.action, let type = version.catalog[action] else { return }
            do throws(ValidationError) {
                let kept = try type.responseDeviations(payload).filter { policy.checks(FindingRule.deviation($0.kind)) }
                keep(kept.map { finding(FindingRule.deviation($0.kind), "answer to \(action): \($0.description)", messageId: id) })
            } catch {
                record(.replySchemaViolation, "answer to \(action): \(error)", messageId: id)
            }
        case .call:
            break
        }
    }

    /// What is wrong with a CALLERROR's code, when `version` does not define it.
    static func undefinedErrorCode(_ error: RPCError, answering action: String?, in version: OCPPVersion) -> String? {
        guard let wire = error.wireCode, !RPCErrorCode.isDefined(wireName: wire, in: version) else { return nil }
        let code = "\"\(wire.prefix(64))\""
        let what = action.map { "CALLERROR to \($0)" } ?? "unsolicited CALLERROR"
        if let other = OCPPVersion.supported.first(where: { $0 != version && RPCErrorCode.isDefined(wireName: wire, in: $0) }),
            let meaning = RPCErrorCode(wireName: wire)
        {
            return "\(what) uses \(code), an OCPP \(other.label) code; OCPP \(version.label) says \(meaning.wireName(for: version))"
        }
        return "\(what) has errorCode \(code), which OCPP \(version.label) does not define"
    }

    /// The RPC layer saw a CALL sent before our answer to an earlier one. An earlier CALL
    /// unanswered for longer than `callOverlapSeconds` may have been given up by the pile.
    func overlappingCall(_ id: String, _ action: String, unanswered earlierId: String, _ earlierAction: String, waited: TimeInterval) {
        guard waited >= 0, waited < tolerances.callOverlapSeconds, shouldRecord(.overlappingCall) else { return }
        record(
            .overlappingCall,
            "\(action) sent \(Int((waited * 1000).rounded())) ms after \(earlierAction) \(earlierId), which the gateway had not answered yet",
            messageId: id)
    }
}
