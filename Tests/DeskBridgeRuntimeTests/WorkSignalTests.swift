import DeskBridgeCoordination
import DeskBridgeRuntime
import DeskBridgeTestSupport
import Testing

/// `WorkSignal` against a clock moved by hand: a wake-up is never lost, and a wait that a
/// signal ended leaves nothing behind, so the next wait lasts its whole timeout.
@Suite("WorkSignal")
struct WorkSignalTests {
    @Test func aSignalSentWhileNobodyWaitsEndsTheNextWaitAtOnce() async {
        let signal = WorkSignal()
        let clock = ManualClock()
        signal.signal()
        await signal.wait(upTo: .seconds(5), clock: clock)
        #expect(clock.now == ManualClock().now, "returned without the clock moving")
    }

    @Test func aWaitEndedBySignalLeavesNoWakeUpForTheNextWait() async throws {
        let signal = WorkSignal()
        let clock = ManualClock()
        signal.signal()
        await signal.wait(upTo: .seconds(5), clock: clock)

        let returned = Locked(false)
        let next = Task {
            await signal.wait(upTo: .seconds(5), clock: clock)
            returned.update { $0 = true }
        }
        #expect(try await eventually(timeout: .seconds(5)) { signal.isWaiting && clock.sleeperCount == 1 },
                "the second wait parks instead of returning at once")
        clock.advance(by: .milliseconds(4_999))
        for _ in 0..<100 { await Task.yield() }
        #expect(!returned.value, "still waiting before its timeout")
        clock.advance(by: .milliseconds(1))
        await next.value
        #expect(returned.value)
        #expect(!signal.isWaiting)
    }

    @Test func aWaitEndsAtItsTimeoutAndTheTimeoutIsNotRememberedAsASignal() async throws {
        let signal = WorkSignal()
        let clock = ManualClock()
        let first = Task { await signal.wait(upTo: .seconds(1), clock: clock) }
        #expect(try await eventually(timeout: .seconds(5)) { clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))
        await first.value

        let second = Task { await signal.wait(upTo: .seconds(1), clock: clock) }
        #expect(try await eventually(timeout: .seconds(5)) { signal.isWaiting && clock.sleeperCount == 1 },
                "a timeout leaves no pending wake-up behind")
        signal.signal()
        await second.value
    }

    @Test func aSignalWakesAParkedWaiter() async throws {
        let signal = WorkSignal()
        let clock = ManualClock()
        let waiter = Task { await signal.wait(upTo: .seconds(60), clock: clock) }
        #expect(try await eventually(timeout: .seconds(5)) { signal.isWaiting })
        signal.signal()
        await waiter.value
        #expect(clock.sleeperCount == 0, "the timer of the ended wait is gone")
    }

    @Test func cancellingTheWaitingTaskEndsTheWait() async throws {
        let signal = WorkSignal()
        let clock = ManualClock()
        let waiter = Task { await signal.wait(upTo: .seconds(60), clock: clock) }
        #expect(try await eventually(timeout: .seconds(5)) { signal.isWaiting })
        waiter.cancel()
        await waiter.value
        #expect(!signal.isWaiting)
    }
}
