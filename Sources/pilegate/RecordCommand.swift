import ArgumentParser
import Foundation
import Lab
import SessionStore

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a recorded session into a scenario that replays the pile's side against a gateway.",
        discussion: """
            Reads the session's message log from a gateway's store and prints a scenario (YAML) on
            standard output, so a field problem becomes a regression test:
              pilegate record --db sqlite:pilegate.sqlite --session 12 > Scenarios/regressions/session-12.yaml
              pilegate run Scenarios/regressions/session-12.yaml
            """)

    @Option(help: "The gateway's store, sqlite:PATH.")
    var db = "sqlite:pilegate.sqlite"

    @Option(
        parsing: .unconditional, help: "The session id (GET /api/sessions).",
        transform: { try Arguments.integer($0, 1...Int64.max, "a session id is a whole number from 1 (GET /api/sessions lists them)") })
    var session: Int64

    @Option(help: "Scenario name (default: the session and pile).")
    var name: String?

    func run() async throws {
        let path: String
        do {
            guard case .sqlite(let file) = try StoreLocation(parsing: db) else { throw ValidationError("unsupported store \(db)") }
            path = file
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no store at \(path)") }
        let store = try SQLiteSessionStore(path: path, durability: .normal, node: "record")
        do {
            // A running gateway's newest frames reach other processes at its next seal
            // (`store.logSealSeconds`, 10 s): wait for them, bounded.
            var yaml: String?
            for attempt in 0..<30 {
                do {
                    yaml = try await SessionRecorder.scenario(store: store, sessionId: session, name: name)
                    break
                } catch let failure as SessionRecorder.Failure where failure.description.hasSuffix("has no recorded frames") && attempt < 29 {
                    try await Task.sleep(nanoseconds: 500_000_000)
                }
            }
            Console.write(yaml ?? "")
        } catch {
            try? await store.close()
            throw CommandFailure("\(error)")
        }
        try await store.close()
    }
}
