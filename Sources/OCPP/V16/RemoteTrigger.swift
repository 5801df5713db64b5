// RemoteTrigger profile.

extension V16 {
    /// Asks the pile to send a message now (a status, meter values, a heartbeat ...).
    public enum TriggerMessage: OCPPAction {
        public static let name = "TriggerMessage"
        public static let version = OCPPVersion.v16
        public static let initiator = Initiator.centralSystem

        public struct Request: OCPPPayload, Equatable {
            public var requestedMessage: MessageTrigger
            public var connectorId: Int?

            public init(requestedMessage: MessageTrigger, connectorId: Int? = nil) {
                self.requestedMessage = requestedMessage
                self.connectorId = connectorId
            }

            public static let schema: Schema = .object(
                required("requestedMessage", .enumeration(MessageTrigger.self)),
                optional("connectorId", .integer(minimum: 0)))
        }

        public struct Response: OCPPPayload, Equatable {
            public var status: TriggerMessageStatus
            public init(status: TriggerMessageStatus) { self.status = status }
            public static let schema: Schema = .object(required("status", .enumeration(TriggerMessageStatus.self)))
        }
    }
}
