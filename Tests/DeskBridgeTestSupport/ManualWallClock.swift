import DeskBridgeCoordination
import DeskBridgeRuntime
import Foundation
import Synchronization

/// A wall clock the test moves by hand.
package final class ManualWallClock: Sendable {
    private let current: Mutex<Date>
    package init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = Mutex(start) }
    package var now: Date { current.withLock { $0 } }
    package func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    package var wallClock: WallClock { WallClock { self.now } }
}
