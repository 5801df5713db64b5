import NIOCore

/// A thread-safe handle on a `SimulatedPile`: creates it on its event loop and runs
/// everything there. Tests and the fleet runner drive piles through it.
public struct PileHandle: Sendable {
    public let identity: String
    public let eventLoop: any EventLoop
    private let pile: NIOLoopBoundBox<SimulatedPile>

    public init(identity: String, profile: PileProfile, context: SimulationContext, eventLoop: any EventLoop, seed: UInt64) {
        self.init(identity: identity, template: PileTemplate(profile), context: context, eventLoop: eventLoop, seed: seed)
    }

    public init(identity: String, template: PileTemplate, context: SimulationContext, eventLoop: any EventLoop, seed: UInt64) {
        self.identity = identity
        self.eventLoop = eventLoop
        pile = NIOLoopBoundBox.makeBoxSendingValue(
            SimulatedPile(identity: identity, template: template, context: context, eventLoop: eventLoop, seed: seed), eventLoop: eventLoop)
    }

    /// Runs `body` on the pile's loop.
    public func run<T: Sendable>(_ body: @escaping @Sendable (SimulatedPile) -> T) async throws -> T {
        let pile = pile
        return try await eventLoop.submit { body(pile.value) }.get()
    }

    public func execute(_ body: @escaping @Sendable (SimulatedPile) -> Void) {
        let pile = pile
        eventLoop.execute { body(pile.value) }
    }

    public func start(arrivals: ArrivalPlan? = nil) {
        execute { pile in
            pile.start()
            if let arrivals { pile.startArrivals(arrivals) }
        }
    }

    public func stop() { execute { $0.stop() } }
}

