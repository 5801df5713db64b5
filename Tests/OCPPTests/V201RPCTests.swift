import XCTest

@testable import OCPP

/// The RPC rules as 2.0.1 states them: its error-code spellings, on the wire and read
/// back, for validation errors of 2.0.1 payloads too, and MessageTypeNotSupported for a
/// message type it does not define (1.6 ignores such a frame).
final class V201RPCTests: XCTestCase {
    /// The twelve CALLERROR codes of OCPP 2.0.1 Part 4 §4.3.
    static let codes201: [(RPCErrorCode, String)] = [
        (.formatViolation, "FormatViolation"), (.genericError, "GenericError"), (.internalError, "InternalError"),
        (.messageTypeNotSupported, "MessageTypeNotSupported"), (.notImplemented, "NotImplemented"),
        (.notSupported, "NotSupported"), (.occurrenceConstraintViolation, "OccurrenceConstraintViolation"),
        (.propertyConstraintViolation, "PropertyConstraintViolation"), (.protocolError, "ProtocolError"),
        (.rpcFrameworkError, "RpcFrameworkError"), (.securityError, "SecurityError"),
        (.typeConstraintViolation, "TypeConstraintViolation"),
    ]

    func testEvery201ErrorCodeIsWrittenAndReadBackWithItsSpecSpelling() throws {
        XCTAssertEqual(Set(Self.codes201.map(\.0)), Set(RPCErrorCode.allCases))
        for (code, spelling) in Self.codes201 {
            XCTAssertEqual(code.wireName(for: .v201), spelling)
            let frame = RPCFrame.callError(messageId: "e-1", error: RPCError(code, "because"))
            let text = String(decoding: frame.encoded(for: .v201), as: UTF8.self)
            XCTAssertEqual(text, #"[4,"e-1","\#(spelling)","because",{}]"#)
            guard case .callError(_, let error) = try RPCFrame.parse(Array(text.utf8)) else { return XCTFail(text) }
            XCTAssertEqual(error.code, code, spelling)
            XCTAssertEqual(error.wireCode, spelling)
        }
    }

    func testA201PeerMayStillSendThe16Spellings() throws {
        for (spelling, code) in [("FormationViolation", RPCErrorCode.formatViolation), ("OccurenceConstraintViolation", .occurrenceConstraintViolation)] {
            guard case .callError(_, let error) = try RPCFrame.parse(Array(#"[4,"e-2","\#(spelling)","",{}]"#.utf8)) else {
                return XCTFail(spelling)
            }
            XCTAssertEqual(error.code, code)
            XCTAssertEqual(error.wireCode, spelling, "kept as sent, for the finding")
        }
    }

    func testValidationErrorsOfA201PayloadGoOutWithThe201Spelling() throws {
        let cases: [(JSON, String, String)] = [
            (["chargingStation": ["model": "M", "vendorName": "V"]], "OccurrenceConstraintViolation", "reason"),
            (["chargingStation": ["model": "M", "vendorName": "V"], "reason": "Sunrise"], "PropertyConstraintViolation", "reason"),
            (["chargingStation": ["model": 7, "vendorName": "V"], "reason": "PowerUp"], "TypeConstraintViolation", "chargingStation.model"),
            (["chargingStation": ["model": "M", "vendorName": "V", "colour": "red"], "reason": "PowerUp"], "FormatViolation", "chargingStation.colour"),
        ]
        for (payload, spelling, path) in cases {
            do {
                _ = try V201.BootNotification.decodeRequest(payload, mode: .strict)
                XCTFail("\(payload.text) passed")
            } catch {
                XCTAssertEqual(error.path, path)
                let reply = RPCFrame.callError(messageId: "boot-1", error: error.rpcError)
                XCTAssertEqual(reply.json(for: .v201)[safe: 2], .string(spelling), payload.text)
                XCTAssertEqual(reply.json(for: .v201)[safe: 1], "boot-1")
                XCTAssertTrue(reply.json(for: .v201)[safe: 3]?.stringValue?.hasPrefix(path) ?? false, "the description names the field")
            }
        }
    }

    func testUnknownMessageTypeIsAnsweredIn201EvenWhenTheRestOfTheFrameIsBroken() throws {
        for (text, id) in [("[5]", "-1"), (#"[6, 12, "Heartbeat"]"#, "-1"), (#"[9, ""]"#, "-1"), (#"[0, "z-1"]"#, "z-1"), (#"[7, "z-2", {}, 1, 2]"#, "z-2")] {
            let error: RPCFrameError
            do {
                _ = try RPCFrame.parse(Array(text.utf8))
                XCTFail("\(text) parsed")
                continue
            } catch let caught {
                error = caught
            }
            guard case .unknownMessageType = error.kind else {
                XCTFail("\(text): \(error.kind)")
                continue
            }
            XCTAssertNil(error.reply(for: .v16), "1.6 ignores \(text)")
            let reply = try XCTUnwrap(error.reply(for: .v201), text)
            XCTAssertEqual(reply.json(for: .v201)[safe: 1], .string(id), text)
            XCTAssertEqual(reply.json(for: .v201)[safe: 2], "MessageTypeNotSupported", text)
        }
    }

    func testKnownMessageTypesWithABrokenShapeAreStillFrameworkErrors() {
        for text in ["[2]", "[3, 12, {}]", #"[4, "e", "GenericError"]"#] {
            do {
                _ = try RPCFrame.parse(Array(text.utf8))
                XCTFail("\(text) parsed")
            } catch {
                XCTAssertEqual(error.kind, .malformedFrame, text)
                XCTAssertEqual(error.reply(for: .v201)?.json(for: .v201)[safe: 2], "RpcFrameworkError", text)
            }
        }
    }
}
