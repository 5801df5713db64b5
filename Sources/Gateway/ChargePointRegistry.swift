import OCPPWebSocket
import Synchronization

/// The live connections by charge point identity: one per identity.
///
/// Touched on connect, disconnect and remote commands only, never per frame, so one
/// lock is fine at any load.
final class ChargePointRegistry: Sendable {
    struct Entry: Sendable {
        let peer: RPCPeer
        /// Distinguishes this connection from a later one of the same identity.
        let token: ObjectIdentifier
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Registers a new connection and returns the one it replaces, if any.
    func register(_ entry: Entry, for identity: String) -> Entry? {
        entries.withLock { map in
            defer { map[identity] = entry }
            return map[identity]
        }
    }

    /// Removes the identity only if `token` is still its current connection, so an old
    /// socket closing late does not unregister its replacement (docs/ocpp-notes.md, pitfall 10).
    @discardableResult
    func remove(_ identity: String, token: ObjectIdentifier) -> Bool {
        entries.withLock { map in
            guard map[identity]?.token == token else { return false }
            map[identity] = nil
            return true
        }
    }

    func peer(_ identity: String) -> RPCPeer? {
        entries.withLock { $0[identity]?.peer }
    }

    var identities: [String] { entries.withLock { Array($0.keys) } }
    var count: Int { entries.withLock { $0.count } }
    var all: [RPCPeer] { entries.withLock { $0.values.map(\.peer) } }
}
