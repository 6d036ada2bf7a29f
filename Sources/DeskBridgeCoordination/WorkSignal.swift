import Synchronization

/// Wakes one waiting worker loop early: "there is new work", without polling faster.
///
/// A signal that arrives while nobody waits is remembered, so a wake-up is never lost. A wait
/// that ends by its timeout (or by cancellation) leaves nothing behind: only `signal()` sets the
/// remembered flag, so an idle loop sleeps a whole poll interval instead of spinning.
package final class WorkSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Numbers each wait, so a timer can only end the wait that started it.
        var epoch: UInt64 = 0
        /// The current wait's timer fired before its continuation was installed.
        var expired = false
    }
    private let state = Mutex(State())

    package init() {}

    package func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let waiter = s.waiter {
                s.waiter = nil
                return waiter
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// True while a loop is parked in `wait`; lets tests see that a loop has gone idle.
    package var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Returns on a signal, after `timeout`, or at once when the task is cancelled.
    package func wait<C: Clock>(upTo timeout: C.Duration, clock: C) async where C.Duration == Duration {
        let epoch = state.withLock { s -> UInt64 in
            s.epoch &+= 1
            s.expired = false
            return s.epoch
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends by the timeout, or by cancellation (ours after a signal, or the caller's).
                try? await clock.sleep(for: timeout)
                self.expire(epoch)
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    if s.expired { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            group.cancelAll()
        }
    }

    /// Ends the wait numbered `epoch` if it is still parked; never remembers a wake-up.
    private func expire(_ epoch: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.epoch == epoch else { return nil }
            if let waiter = s.waiter {
                s.waiter = nil
                return waiter
            }
            s.expired = true
            return nil
        }
        waiter?.resume()
    }
}
