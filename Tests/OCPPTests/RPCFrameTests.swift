import XCTest

@testable import OCPP

/// Parses a frame from text and returns the error, or nil when it parsed.
private func frameError(_ text: String) -> RPCFrameError? {
    do {
        _ = try RPCFrame.parse(Array(text.utf8))
        return nil
    } catch {
        return error
    }
}

private func frameError(_ json: JSON) -> RPCFrameError? {
    do {
        _ = try RPCFrame.parse(json)
        return nil
    } catch {
        return error
    }
}

final class RPCFrameTests: XCTestCase {
    // MARK: Valid frames

    func testCallParsesIdActionAndPayload() throws {
        let text =
            #"[2, "19223201", "BootNotification", {"chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger"}]"#
        let frame = try RPCFrame.parse(Array(text.utf8))
        XCTAssertEqual(
            frame,
            .call(
                messageId: "19223201", action: "BootNotification",
                payload: ["chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger"]))
        XCTAssertEqual(frame.messageId, "19223201")
        XCTAssertEqual(frame.messageTypeId, 2)
    }

    func testCallResultParsesIdAndPayload() throws {
        let text = #"[3,"19223201",{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}]"#
        let frame = try RPCFrame.parse(Array(text.utf8))
        XCTAssertEqual(
            frame,
            .callResult(
                messageId: "19223201",
                payload: ["status": "Accepted", "currentTime": "2013-02-01T20:53:32.486Z", "interval": 300]))
        XCTAssertEqual(frame.messageTypeId, 3)
    }

    func testCallErrorParsesCodeDescriptionAndDetails() throws {
        let frame = try RPCFrame.parse(
            Array(#"[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]"#.utf8))
        guard case .callError(let id, let error) = frame else { return XCTFail("\(frame)") }
        XCTAssertEqual(id, "162376037")
        XCTAssertEqual(error.code, .notSupported)
        XCTAssertEqual(error.description, "SetDisplayMessageRequest not implemented")
        XCTAssertEqual(error.details, .object(JSONObject()))
        XCTAssertEqual(error.wireCode, "NotSupported")
        XCTAssertEqual(frame.messageTypeId, 4)
    }

    func testCallErrorReadsEitherVersionSpellingOfItsCode() throws {
        for (wire, code) in [
            ("FormationViolation", RPCErrorCode.formatViolation), ("FormatViolation", .formatViolation),
            ("OccurenceConstraintViolation", .occurrenceConstraintViolation),
            ("OccurrenceConstraintViolation", .occurrenceConstraintViolation),
        ] {
            let frame = try RPCFrame.parse(Array(#"[4,"1","\#(wire)","",{}]"#.utf8))
            guard case .callError(_, let error) = frame else { return XCTFail("\(frame)") }
            XCTAssertEqual(error.code, code)
            XCTAssertEqual(error.wireCode, wire)
        }
    }

    func testCallErrorWithUnknownCodeIsReadAsGenericErrorKeepingTheWireCode() throws {
        let frame = try RPCFrame.parse(Array(#"[4,"1","VendorSpecificOops","boom",{"x":1}]"#.utf8))
        guard case .callError(_, let error) = frame else { return XCTFail("\(frame)") }
        XCTAssertEqual(error.code, .genericError)
        XCTAssertEqual(error.wireCode, "VendorSpecificOops")
        XCTAssertEqual(error.details, ["x": 1])
    }

    // MARK: Malformed frames

    func testWrongElementCountsAreMalformedAndKeepTheId() {
        for text in [
            #"[2,"a1","Heartbeat"]"#, #"[2,"a1","Heartbeat",{},{}]"#, #"[3,"a1"]"#, #"[3,"a1",{},{}]"#,
            #"[4,"a1","GenericError",""]"#, #"[4,"a1","GenericError","",{},1]"#,
        ] {
            let error = frameError(text)
            XCTAssertEqual(error?.kind, .malformedFrame, text)
            XCTAssertEqual(error?.messageId, "a1", text)
        }
        XCTAssertEqual(
            frameError(#"[2,"a1","Heartbeat"]"#)?.reason, "message type 2 must have 4 elements [2, id, action, payload], got 3")
    }

    func testFramesTooShortToHoldAnIdAreMalformedWithoutId() {
        for text in ["[]", "[2]"] {
            XCTAssertEqual(frameError(text)?.kind, .malformedFrame, text)
            XCTAssertNil(frameError(text)?.messageId, text)
        }
    }

    func testNonArrayFrameIsMalformed() {
        for json: JSON in [["messageTypeId": 2], "frame", 2, nil] {
            let error = frameError(json)
            XCTAssertEqual(error?.kind, .malformedFrame)
            XCTAssertNil(error?.messageId)
        }
        XCTAssertEqual(frameError(#"{"a":1}"#)?.reason, "an RPC frame must be a JSON array, got object")
    }

    func testNonIntegerMessageTypeIsMalformed() {
        XCTAssertEqual(frameError(#"["2","a1","Heartbeat",{}]"#)?.kind, .malformedFrame)
        XCTAssertEqual(frameError(#"[2.0,"a1","Heartbeat",{}]"#)?.kind, .malformedFrame)
    }

    func testNonStringOrEmptyMessageIdIsMalformed() {
        for text in [#"[2,19223201,"Heartbeat",{}]"#, #"[2,null,"Heartbeat",{}]"#, #"[2,"","Heartbeat",{}]"#] {
            XCTAssertEqual(frameError(text)?.kind, .malformedFrame, text)
            XCTAssertNil(frameError(text)?.messageId, text)
        }
    }

    func testNonStringOrEmptyActionIsMalformed() {
        XCTAssertEqual(frameError(#"[2,"a1",7,{}]"#)?.kind, .malformedFrame)
        XCTAssertEqual(frameError(#"[2,"a1","",{}]"#)?.kind, .malformedFrame)
    }

    func testNonObjectCallPayloadIsMalformedAndKeepsTheId() {
        for text in [#"[2,"a1","Heartbeat",null]"#, #"[2,"a1","Heartbeat",[]]"#, #"[2,"a1","Heartbeat","{}"]"#] {
            let error = frameError(text)
            XCTAssertEqual(error?.kind, .malformedFrame, text)
            XCTAssertEqual(error?.messageId, "a1", text)
        }
        XCTAssertEqual(frameError(#"[2,"a1","Heartbeat",null]"#)?.reason, "the payload must be a JSON object, got null")
    }

    func testNonObjectCallResultPayloadIsLeftToTheResponseSchema() throws {
        // A CALLRESULT cannot be answered with a CALLERROR, so the frame parses and the
        // pending call fails when its response is validated.
        let frame = try RPCFrame.parse(Array(#"[3,"a1",null]"#.utf8))
        guard case .callResult(let id, let payload) = frame else { return XCTFail("\(frame)") }
        XCTAssertEqual(id, "a1")
        XCTAssertThrowsError(try V16.Heartbeat.decodeResponse(payload, mode: .lenient)) { error in
            XCTAssertEqual((error as? ValidationError)?.code, .formatViolation)
        }
    }

    func testCallErrorWithNonStringCodeOrDescriptionIsMalformed() {
        XCTAssertEqual(frameError(#"[4,"a1",5,"",{}]"#)?.kind, .malformedFrame)
        XCTAssertEqual(frameError(#"[4,"a1","GenericError",null,{}]"#)?.kind, .malformedFrame)
    }

    // MARK: Replies to bad frames

    func testMalformedFrameIsAnsweredWithFormationViolationIn16AndRpcFrameworkErrorIn201() throws {
        let error = try XCTUnwrap(frameError(#"[2,"a1","Heartbeat"]"#))
        let v16 = try XCTUnwrap(error.reply(for: .v16))
        XCTAssertEqual(v16.json(for: .v16)[safe: 0], 4)
        XCTAssertEqual(v16.json(for: .v16)[safe: 1], "a1")
        XCTAssertEqual(v16.json(for: .v16)[safe: 2], "FormationViolation")
        let v201 = try XCTUnwrap(error.reply(for: .v201))
        XCTAssertEqual(v201.json(for: .v201)[safe: 1], "a1")
        XCTAssertEqual(v201.json(for: .v201)[safe: 2], "RpcFrameworkError")
    }

    func testUnknownMessageTypeIsIgnoredIn16AndAnsweredMessageTypeNotSupportedIn201() throws {
        let error = try XCTUnwrap(frameError(#"[6,"a7","Heartbeat",{}]"#))
        XCTAssertEqual(error.kind, .unknownMessageType(6))
        XCTAssertEqual(error.messageId, "a7")
        XCTAssertNil(error.reply(for: .v16))
        let reply = try XCTUnwrap(error.reply(for: .v201))
        guard case .callError(let id, let rpcError) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(id, "a7")
        XCTAssertEqual(rpcError.code, .messageTypeNotSupported)
        XCTAssertEqual(reply.json(for: .v201)[safe: 2], "MessageTypeNotSupported")
        XCTAssertEqual(frameError("[5,\"a8\"]")?.kind, .unknownMessageType(5))
    }

    func testInvalidJSONWithReadableIdIsAnsweredWithThatId() throws {
        let error = try XCTUnwrap(frameError(#"[2, "abc-123", "Heartbeat", {"oops": }]"#))
        XCTAssertEqual(error.kind, .invalidJSON)
        XCTAssertEqual(error.messageId, "abc-123")
        XCTAssertTrue(error.reason.hasPrefix("invalid JSON at byte "), error.reason)
        let reply = try XCTUnwrap(error.reply(for: .v16))
        XCTAssertEqual(reply.messageId, "abc-123")
        let wire = try JSONParser.parse(reply.encoded(for: .v16))
        XCTAssertEqual(wire[safe: 0], 4)
        XCTAssertEqual(wire[safe: 1], "abc-123")
        XCTAssertEqual(wire[safe: 2], "FormationViolation")
        XCTAssertEqual(wire[safe: 4], .object(JSONObject()))
        XCTAssertEqual(error.reply(for: .v201)?.json(for: .v201)[safe: 2], "RpcFrameworkError")
    }

    func testInvalidJSONWithUnreadableIdIsAnsweredWithMinusOne() throws {
        for text in ["not json", #"{"a":"#, #"[2, 19223201, "Heartbeat", {]"#, #"[2,"unterminated"#, "[7,\"a1\",{]", ""] {
            let error = try XCTUnwrap(frameError(text), text)
            XCTAssertEqual(error.kind, .invalidJSON, text)
            XCTAssertNil(error.messageId, text)
            XCTAssertEqual(error.reply(for: .v16)?.messageId, "-1", text)
            XCTAssertEqual(error.reply(for: .v201)?.messageId, "-1", text)
        }
        let tooLong = String(repeating: "x", count: RPCFrame.maximumMessageIdLength + 1)
        XCTAssertNil(frameError(#"[2,"\#(tooLong)",{]"#)?.messageId)
    }

    // MARK: Encoding

    func testCallAndCallResultEncodeAsCompactArrays() {
        let call = RPCFrame.call(messageId: "m1", action: "Heartbeat", payload: .object(JSONObject()))
        XCTAssertEqual(String(decoding: call.encoded(for: .v16), as: UTF8.self), #"[2,"m1","Heartbeat",{}]"#)
        let result = RPCFrame.callResult(messageId: "m1", payload: ["currentTime": "2024-06-15T10:20:30.000Z"])
        XCTAssertEqual(
            String(decoding: result.encoded(for: .v201), as: UTF8.self), #"[3,"m1",{"currentTime":"2024-06-15T10:20:30.000Z"}]"#)
    }

    func testCallErrorSpellsCodesPerVersion() {
        func wire(_ code: RPCErrorCode, _ version: OCPPVersion) -> String {
            String(
                decoding: RPCFrame.callError(messageId: "e", error: RPCError(code, "why")).encoded(for: version), as: UTF8.self)
        }
        XCTAssertEqual(wire(.formatViolation, .v16), #"[4,"e","FormationViolation","why",{}]"#)
        XCTAssertEqual(wire(.formatViolation, .v201), #"[4,"e","FormatViolation","why",{}]"#)
        XCTAssertEqual(wire(.occurrenceConstraintViolation, .v16), #"[4,"e","OccurenceConstraintViolation","why",{}]"#)
        XCTAssertEqual(wire(.occurrenceConstraintViolation, .v201), #"[4,"e","OccurrenceConstraintViolation","why",{}]"#)
        XCTAssertEqual(wire(.typeConstraintViolation, .v16), #"[4,"e","TypeConstraintViolation","why",{}]"#)
    }

    func testEncodedFramesParseBackEqual() throws {
        let frames: [RPCFrame] = [
            .call(messageId: "1", action: "Authorize", payload: ["idTag": "B4A63CDF"]),
            .callResult(messageId: "2", payload: ["idTagInfo": ["status": "Accepted"]]),
            .callError(
                messageId: "3",
                error: RPCError(
                    .propertyConstraintViolation, "idTag: too long", details: ["f": 1], wireCode: "PropertyConstraintViolation")),
        ]
        for frame in frames {
            XCTAssertEqual(try RPCFrame.parse(frame.encoded(for: .v16)), frame)
        }
    }

    func testErrorDescriptionIsCutAt255Characters() {
        XCTAssertEqual(RPCError(.genericError, String(repeating: "é", count: 300)).description.count, 255)
    }
}

extension JSON {
    /// Element `index` of an array, nil otherwise.
    subscript(safe index: Int) -> JSON? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
