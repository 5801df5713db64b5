import XCTest

@testable import OCPP

final class RPCErrorCodeTests: XCTestCase {
    /// The CALLERROR codes each version defines (OCPP-J 1.6 §4.2.3; OCPP 2.0.1 Part 4, §4.3).
    static let codes16 = [
        "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError", "FormationViolation",
        "PropertyConstraintViolation", "OccurenceConstraintViolation", "TypeConstraintViolation", "GenericError",
    ]
    static let codes201 = [
        "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError", "FormatViolation",
        "PropertyConstraintViolation", "OccurrenceConstraintViolation", "TypeConstraintViolation", "GenericError",
        "MessageTypeNotSupported", "RpcFrameworkError",
    ]

    func testVersion16KeepsTheErrataSpellings() {
        XCTAssertEqual(RPCErrorCode.formatViolation.wireName(for: .v16), "FormationViolation")
        XCTAssertEqual(RPCErrorCode.occurrenceConstraintViolation.wireName(for: .v16), "OccurenceConstraintViolation")
    }

    func testVersion201UsesTheCorrectedSpellings() {
        XCTAssertEqual(RPCErrorCode.formatViolation.wireName(for: .v201), "FormatViolation")
        XCTAssertEqual(RPCErrorCode.occurrenceConstraintViolation.wireName(for: .v201), "OccurrenceConstraintViolation")
    }

    func testFrameworkCodesUnknownTo16AreSentAsProtocolError() {
        XCTAssertEqual(RPCErrorCode.rpcFrameworkError.wireName(for: .v16), "ProtocolError")
        XCTAssertEqual(RPCErrorCode.messageTypeNotSupported.wireName(for: .v16), "ProtocolError")
        XCTAssertEqual(RPCErrorCode.rpcFrameworkError.wireName(for: .v201), "RpcFrameworkError")
        XCTAssertEqual(RPCErrorCode.messageTypeNotSupported.wireName(for: .v201), "MessageTypeNotSupported")
    }

    func testEveryVersionSpellsEveryCodeWithAName() {
        XCTAssertEqual(Set(RPCErrorCode.allCases.map { $0.wireName(for: .v16) }), Set(Self.codes16))
        XCTAssertEqual(Set(RPCErrorCode.allCases.map { $0.wireName(for: .v201) }), Set(Self.codes201))
    }

    func testWireNamesOfEveryCodeInEveryVersionReadBack() {
        for version in OCPPVersion.allCases {
            for code in RPCErrorCode.allCases {
                let wire = code.wireName(for: version)
                let expected: RPCErrorCode = wire == "ProtocolError" ? .protocolError : code
                XCTAssertEqual(RPCErrorCode(wireName: wire), expected, "\(code) in \(version.label) as \(wire)")
            }
        }
    }

    func testEverySpecCodeOfEitherVersionIsRecognised() {
        for wire in Self.codes16 + Self.codes201 {
            XCTAssertNotNil(RPCErrorCode(wireName: wire), wire)
        }
    }

    func testBothSpellingsOfTheTwoTypoCodesAreRead() {
        XCTAssertEqual(RPCErrorCode(wireName: "FormationViolation"), .formatViolation)
        XCTAssertEqual(RPCErrorCode(wireName: "FormatViolation"), .formatViolation)
        XCTAssertEqual(RPCErrorCode(wireName: "OccurenceConstraintViolation"), .occurrenceConstraintViolation)
        XCTAssertEqual(RPCErrorCode(wireName: "OccurrenceConstraintViolation"), .occurrenceConstraintViolation)
    }

    func testEachCodeIsReadByItsSpecName() {
        XCTAssertEqual(RPCErrorCode(wireName: "NotImplemented"), .notImplemented)
        XCTAssertEqual(RPCErrorCode(wireName: "NotSupported"), .notSupported)
        XCTAssertEqual(RPCErrorCode(wireName: "InternalError"), .internalError)
        XCTAssertEqual(RPCErrorCode(wireName: "ProtocolError"), .protocolError)
        XCTAssertEqual(RPCErrorCode(wireName: "SecurityError"), .securityError)
        XCTAssertEqual(RPCErrorCode(wireName: "PropertyConstraintViolation"), .propertyConstraintViolation)
        XCTAssertEqual(RPCErrorCode(wireName: "TypeConstraintViolation"), .typeConstraintViolation)
        XCTAssertEqual(RPCErrorCode(wireName: "GenericError"), .genericError)
        XCTAssertEqual(RPCErrorCode(wireName: "MessageTypeNotSupported"), .messageTypeNotSupported)
        XCTAssertEqual(RPCErrorCode(wireName: "RpcFrameworkError"), .rpcFrameworkError)
    }

    func testUnknownOrEmptyNamesAreNotCodes() {
        XCTAssertNil(RPCErrorCode(wireName: ""))
        XCTAssertNil(RPCErrorCode(wireName: "Oops"))
        XCTAssertNil(RPCErrorCode(wireName: "FormationViolations"))
    }
}
