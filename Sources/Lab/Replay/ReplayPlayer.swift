import Foundation
import NIOCore

/// Plays a recorded pile's side of a conversation against a gateway (filled in below).
struct ReplayPlayer {
    let replay: Replay
    let identity: String
    let endpoint: String
    let eventLoop: any EventLoop

    func play() async throws -> [String] { ["replay is not implemented yet"] }
}
