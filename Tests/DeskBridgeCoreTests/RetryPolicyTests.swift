import DeskBridgeCore
import Foundation
import Testing

@Suite("Retry policy (CONTRACT §4)")
struct RetryPolicyTests {
    let policy = RetryPolicy(initialBackoffMs: 500, maxBackoffMs: 30_000, giveUpAfterMs: 24 * 3_600_000)
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test(arguments: [
        (DeliveryOutcome.success(status: 200), true),
        (.httpStatus(409, detail: "ALREADY_EXISTS"), true),
    ])
    func deliveredOutcomes(outcome: DeliveryOutcome, _: Bool) {
        #expect(policy.decide(outcome, attempts: 1, firstAttemptAt: start, now: start, jitter: 0.5) == .delivered)
    }

    @Test(arguments: [DeliveryOutcome.httpStatus(429, detail: ""), .httpStatus(500, detail: ""), .httpStatus(503, detail: "UNAVAILABLE"), .timeout, .connectionError("reset")])
    func transientOutcomesRetryWithBackoff(outcome: DeliveryOutcome) {
        #expect(policy.decide(outcome, attempts: 1, firstAttemptAt: start, now: start, jitter: 1) == .retry(at: start.addingTimeInterval(0.5)))
        #expect(policy.decide(outcome, attempts: 3, firstAttemptAt: start, now: start, jitter: 1) == .retry(at: start.addingTimeInterval(2)))
    }

    @Test(arguments: [400, 401, 403, 404])
    func otherClientErrorsFailForGood(status: Int) {
        guard case .failed(let reason) = policy.decide(.httpStatus(status, detail: "X"), attempts: 1, firstAttemptAt: start, now: start, jitter: 0) else {
            Issue.record("expected failure")
            return
        }
        #expect(reason.contains("\(status)"))
    }

    @Test func backoffDoublesUpToTheCapAndJitterStaysWithinHalfToFull() {
        #expect(policy.backoffMs(afterAttempt: 1, jitter: 1) == 500)
        #expect(policy.backoffMs(afterAttempt: 2, jitter: 1) == 1_000)
        #expect(policy.backoffMs(afterAttempt: 20, jitter: 1) == 30_000)
        #expect(policy.backoffMs(afterAttempt: 20, jitter: 0) == 15_000)
    }

    @Test func givesUpOneStepPastTheLimit() {
        let short = RetryPolicy(initialBackoffMs: 1_000, maxBackoffMs: 1_000, giveUpAfterMs: 10_000)
        #expect(short.decide(.timeout, attempts: 5, firstAttemptAt: start, now: start.addingTimeInterval(9), jitter: 1) == .retry(at: start.addingTimeInterval(10)))
        guard case .failed = short.decide(.timeout, attempts: 6, firstAttemptAt: start, now: start.addingTimeInterval(9.001), jitter: 1) else {
            Issue.record("expected to give up")
            return
        }
    }
}
