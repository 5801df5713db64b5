import Foundation
import OCPP
import SessionStore

/// A finding as the API shows it: the record, and where to look for its evidence (the
/// frames of the message that broke the rule, and the session) without a second search.
public enum FindingViews {
    static func view(_ finding: FindingRecord) -> JSON {
        guard var object = encodeJSON(finding).objectValue else { return .null }
        if let messageId = finding.messageId { object["evidence"] = .string(evidencePath(finding.chargePointId, messageId: messageId)) }
        if let session = finding.sessionId { object["sessionLink"] = .string(APIRoute.getSession.path(String(session))) }
        return .object(object)
    }

    static func list(_ findings: [FindingRecord]) -> JSON { .array(findings.map(view)) }

    /// `GET /api/chargepoints/{id}/messages?messageId=…`: the CALL and its answer.
    public static func evidencePath(_ chargePointId: String, messageId: String) -> String {
        APIRoute.chargePointMessages.path(chargePointId) + "?messageId="
            + (messageId.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? messageId)
    }
}

extension CharacterSet {
    /// What may stand unescaped in a query value: `&`, `=`, `+` and `#` may not.
    static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))
}
