import OCPP
import XCTest

@testable import Simulator

final class ConnectorStateMachineTests: XCTestCase {
    typealias Status = V16.ChargePointStatus

    /// OCPP 1.6 §4.9, the status transition table, written out independently of the code:
    /// from → the states it may move to.
    static let table: [Status: Set<Status>] = [
        .Available: [.Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Reserved, .Unavailable, .Faulted],  // A2–A5, A7–A9
        .Preparing: [.Available, .Charging, .SuspendedEV, .SuspendedEVSE, .Finishing, .Faulted],  // B1, B3–B6, B9
        .Charging: [.Available, .SuspendedEV, .SuspendedEVSE, .Finishing, .Unavailable, .Faulted],  // C1, C4–C6, C8, C9
        .SuspendedEV: [.Available, .Charging, .SuspendedEVSE, .Finishing, .Unavailable, .Faulted],  // D1, D3, D5, D6, D8, D9
        .SuspendedEVSE: [.Available, .Charging, .SuspendedEV, .Finishing, .Unavailable, .Faulted],  // E1, E3, E4, E6, E8, E9
        .Finishing: [.Available, .Preparing, .Unavailable, .Faulted],  // F1, F2, F8, F9
        .Reserved: [.Available, .Preparing, .Unavailable, .Faulted],  // G1, G2, G8, G9
        .Unavailable: [.Available, .Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Faulted],  // H1–H5, H9
        .Faulted: [.Available, .Preparing, .Charging, .SuspendedEV, .SuspendedEVSE, .Finishing, .Reserved, .Unavailable],  // I1–I8
    ]

    func testEveryLegalTransitionOfThe16TableIsAccepted() throws {
        var count = 0
        for (from, targets) in Self.table {
            for to in targets {
                var machine = ConnectorStateMachine(from)
                XCTAssertTrue(try machine.move(to: to), "\(from) → \(to)")
                XCTAssertEqual(machine.status, to)
                count += 1
            }
        }
        XCTAssertEqual(count, 53)
    }

    func testEveryTransitionOutsideTheTableIsRefused() {
        for from in Status.allCases {
            for to in Status.allCases where to != from && !(Self.table[from]?.contains(to) ?? false) {
                var machine = ConnectorStateMachine(from)
                XCTAssertThrowsError(try machine.move(to: to), "\(from) → \(to) must be refused")
                XCTAssertEqual(machine.status, from)
            }
        }
    }

    func testSampleOfIllegalMovesIsRefusedWithIllegalTransition() {
        let illegal: [(Status, Status)] = [(.Finishing, .Charging), (.Reserved, .Charging), (.Available, .Finishing), (.Preparing, .Reserved)]
        for (from, to) in illegal {
            var machine = ConnectorStateMachine(from)
            let result = Result { () throws(ConnectorStateMachine.IllegalTransition) -> Bool in try machine.move(to: to) }
            switch result {
            case .success:
                XCTFail("\(from) → \(to) was accepted")
            case .failure(let error):
                XCTAssertEqual(error, ConnectorStateMachine.IllegalTransition(from: from, to: to))
                XCTAssertEqual(error.description, "\(from.rawValue) → \(to.rawValue) is not a legal connector transition")
            }
            XCTAssertEqual(machine.status, from, "a refused move leaves the status alone")
            XCTAssertFalse(ConnectorStateMachine.isLegal(from: from, to: to))
        }
    }

    func testStayingPutReturnsFalseAndChangesNothing() throws {
        for status in Status.allCases {
            var machine = ConnectorStateMachine(status)
            XCTAssertFalse(try machine.move(to: status))
            XCTAssertEqual(machine.status, status)
        }
    }

    func testANormalSessionWalksThroughLegalStates() throws {
        var machine = ConnectorStateMachine()
        XCTAssertEqual(machine.status, .Available)
        for next: Status in [.Preparing, .Charging, .SuspendedEV, .Charging, .Finishing, .Available] {
            XCTAssertTrue(try machine.move(to: next))
        }
    }
}
