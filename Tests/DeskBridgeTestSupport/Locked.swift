import Synchronization

/// A value shared between test tasks and stand-in handlers.
package final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    package init(_ value: Value) { storage = Mutex(value) }
    package var value: Value { storage.withLock { $0 } }
    package func update<T>(_ body: (inout Value) -> T) -> T { storage.withLock { body(&$0) } }
}
