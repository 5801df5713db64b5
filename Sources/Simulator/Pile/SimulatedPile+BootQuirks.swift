import Foundation
import OCPP

/// The boot quirks, after a boot (either version) was Accepted: a second boot on the same connection
/// (boot-twice) or a reboot a few simulated seconds later, again and again (boot-loop).
extension SimulatedPile {
    func bootQuirks(repeating action: String, _ request: JSON) {
        if profile.quirks.contains(.bootTwice) {
            // Sent as a plain CALL: its answer changes nothing, so the pile boots twice, not forever.
            after(context.clock.wallDelay(2)) { pile in
                guard pile.isConnected else { return }
                pile.send(action, request)
            }
        }
        if profile.quirks.contains(.bootLoop) {
            after(context.clock.wallDelay(5)) { pile in
                guard pile.running, pile.isConnected, !pile.closing else { return }
                pile.reboot()
            }
        }
    }
}
