import NIOCore
import Synchronization

/// The tasks the HTTP side runs off the event loops: responders and event streams. Each
/// ends by hopping back onto its connection's loop, so shutdown must end them while the
/// loops still run; a hop onto a stopped loop is an error (and a crash in NIO's strict mode).
final class HTTPWork: Sendable {
    private struct Entry {
        let task: Task<Void, Never>
        let isStream: Bool
    }

    private struct State {
        var open = true
        var nextId = 0
        var running: [Int: Entry] = [:]
    }

    private let state = Mutex(State())

    /// Runs `body` as a tracked task; nil, running nothing, once shutdown has begun.
    @discardableResult
    func start(isStream: Bool, _ body: @escaping @Sendable () async -> Void) -> Task<Void, Never>? {
        state.withLock { state in
            guard state.open else { return nil }
            let id = state.nextId
            state.nextId &+= 1
            // The task cannot remove itself before it is added: that needs this lock.
            let task = Task {
                await body()
                self.state.withLock { _ = $0.running.removeValue(forKey: id) }
            }
            state.running[id] = Entry(task: task, isStream: isStream)
            return task
        }
    }

    /// Takes no more work, ends the event streams (cancelled, they write their last chunk
    /// and close), and waits at most `grace` for every task to finish.
    func shutdown(grace: Duration) async {
        let entries = state.withLock { state in
            state.open = false
            return Array(state.running.values)
        }
        for entry in entries where entry.isStream { entry.task.cancel() }
        await Self.wait(for: entries.map(\.task), atMost: grace)
    }

    private static func wait(for tasks: [Task<Void, Never>], atMost grace: Duration) async {
        guard !tasks.isEmpty else { return }
        let once = ResumeOnce()
        var timer: Task<Void, Never>?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            once.set(continuation)
            Task {
                for task in tasks { await task.value }
                once.resume()
            }
            timer = Task {
                try? await Task.sleep(for: grace)
                once.resume()
            }
        }
        timer?.cancel()
    }
}

/// A continuation resumed by whichever of two racers comes first.
private final class ResumeOnce: Sendable {
    private let continuation = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func set(_ value: CheckedContinuation<Void, Never>) { continuation.withLock { $0 = value } }

    func resume() { continuation.withLock { $0.take() }?.resume() }
}
