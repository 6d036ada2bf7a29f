import Foundation

/// Where wall-clock instants come from; tests and replays pass a fixed or stepped one.
package struct WallClock: Sendable {
    private let read: @Sendable () -> Date
    package init(_ read: @escaping @Sendable () -> Date) { self.read = read }
    package func now() -> Date { read() }
    package static let system = WallClock { Date() }
}
