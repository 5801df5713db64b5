import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import OCPP
import OCPPWebSocket
import XCTest

/// RPCConnection answers bad frames as the connection's version says, over a real socket:
/// a 1.6 connection ignores a frame of an unknown message type, a 2.0.1 one answers it with
/// CALLERROR MessageTypeNotSupported. A bare OCPPServer negotiates both versions here (the
/// gateway does not serve 2.0.1 yet); a test pile sends the frames.
final class RPCVersionRulesTests: XCTestCase {
    func testUnknownMessageTypeIsIgnoredOnA16Connection() async throws {
        try await withServer { endpoint, group in
            let pile = try await TestChargePoint.connect(endpoint: endpoint, identity: "V16-TYPES", group: group, subprotocols: ["ocpp1.6"])
            XCTAssertEqual(pile.peer.version, .v16)
            pile.peer.sendRaw(#"[7,"odd-1",{}]"#)
            pile.peer.sendRaw("[5]")
            // Replies go out in order: once this CALL is answered, answers to the frames above would have come first.
            _ = try await pile.peer.call(action: "Heartbeat", payload: [:])
            XCTAssertNil(pile.reply(to: "odd-1"))
            XCTAssertNil(pile.reply(to: "-1"))
            XCTAssertEqual(pile.incomingFrames.map(\.messageType), [3], "only the Heartbeat's result came back")
            XCTAssertFalse(pile.isClosed)
        }
    }

    func testUnknownMessageTypeIsAnsweredMessageTypeNotSupportedOnA201Connection() async throws {
        try await withServer { endpoint, group in
            let pile = try await TestChargePoint.connect(
                endpoint: endpoint, identity: "V201-TYPES", group: group, subprotocols: ["ocpp2.0.1", "ocpp1.6"])
            XCTAssertEqual(pile.peer.version, .v201)
            pile.peer.sendRaw(#"[7,"odd-1",{}]"#)
            pile.peer.sendRaw("[5]")
            _ = try await pile.peer.call(action: "Heartbeat", payload: [:])
            let answer = try XCTUnwrap(pile.reply(to: "odd-1"))
            XCTAssertEqual(answer.first, 4)
            XCTAssertEqual(answer.dropFirst(2).first, "MessageTypeNotSupported")
            let anonymous = try XCTUnwrap(pile.reply(to: "-1"), "a frame without a readable id is answered with id -1")
            XCTAssertEqual(anonymous.dropFirst(2).first, "MessageTypeNotSupported")
            XCTAssertFalse(pile.isClosed)
        }
    }

    func testMalformedFrameIsAnsweredInTheConnectionsSpelling() async throws {
        try await withServer { endpoint, group in
            for (subprotocol, code) in [("ocpp1.6", "FormationViolation"), ("ocpp2.0.1", "RpcFrameworkError")] {
                let pile = try await TestChargePoint.connect(
                    endpoint: endpoint, identity: "SHAPE-\(subprotocol)", group: group, subprotocols: [subprotocol])
                pile.peer.sendRaw(#"[2,"short-1","Heartbeat"]"#)
                _ = try await pile.peer.call(action: "Heartbeat", payload: [:])
                XCTAssertEqual(try XCTUnwrap(pile.reply(to: "short-1"), subprotocol).dropFirst(2).first, .string(code), subprotocol)
            }
        }
    }

    /// Runs `body` against a server that speaks 1.6 and 2.0.1 and answers every CALL with `{}`.
    private func withServer(_ body: (String, any EventLoopGroup) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = OCPPServerConfiguration()
        configuration.port = 0
        configuration.pingInterval = nil
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = OCPPServer(
            configuration: configuration, group: group, policy: BothVersions(), acceptor: EmptyResults(), http: NoHTTP(),
            logger: logger)
        let address = try await server.start()
        do {
            try await body("ws://127.0.0.1:\(address.port ?? 0)/ocpp", group)
        } catch {
            await server.stopAccepting()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stopAccepting()
        try await group.shutdownGracefully()
    }
}

private struct BothVersions: HandshakePolicy {
    func evaluate(_ request: HandshakeRequest, on eventLoop: any EventLoop) -> Answer<HandshakeDecision> {
        guard let version = negotiateSubprotocol(offered: request.offeredSubprotocols ?? [], supported: [.v16, .v201]) else {
            return .now(.acceptThenClose(reason: "no common subprotocol"))
        }
        return .now(.accept(version: version, subprotocolMissing: false))
    }
}

private struct EmptyResults: OCPPConnectionAcceptor {
    func accept(_ connection: RPCConnection, request: HandshakeRequest, subprotocolMissing: Bool) {
        let handler = EmptyResultHandler()
        connection.delegate = handler
        connection.owner = handler
    }
}

private final class EmptyResultHandler: RPCConnectionDelegate {
    func rpcConnection(_ connection: RPCConnection, didReceive call: IncomingCall) {
        connection.reply(to: call, result: [:])
    }
    func rpcConnection(_ connection: RPCConnection, didObserve event: RPCEvent) {}
    func rpcConnectionDidClose(_ connection: RPCConnection) {}
}

private struct NoHTTP: HTTPResponder {
    func respond(to request: HTTPRequest) async -> HTTPResponse { HTTPResponse(status: .notFound) }
}
