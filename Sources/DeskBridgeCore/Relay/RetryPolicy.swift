import Foundation

/// How one delivery attempt ended, classified by type (never by message text).
package enum DeliveryOutcome: Sendable, Equatable {
    case success(status: Int)
    case httpStatus(Int, detail: String)
    case timeout
    case connectionError(String)
}

/// What to do after an attempt.
package enum DeliveryDecision: Sendable, Equatable {
    case delivered
    case retry(at: Date)
    case failed(reason: String)
}

/// CONTRACT §4 retry rules as pure data: 429, 5xx, timeouts and connection errors retry with
/// capped exponential backoff and jitter until `giveUpAfterMs`; 409 counts as delivered; any
/// other 4xx fails for good.
package struct RetryPolicy: Sendable, Equatable {
    package var initialBackoffMs: Int
    package var maxBackoffMs: Int
    package var giveUpAfterMs: Int64

    package init(initialBackoffMs: Int, maxBackoffMs: Int, giveUpAfterMs: Int64) {
        self.initialBackoffMs = initialBackoffMs
        self.maxBackoffMs = maxBackoffMs
        self.giveUpAfterMs = giveUpAfterMs
    }

    /// - Parameters:
    ///   - attempts: attempts made so far, including this one.
    ///   - firstAttemptAt: when the call was first tried (the give-up clock starts there).
    ///   - jitter: a number in 0..<1; the wait is scaled into [50 %, 100 %] of the backoff.
    package func decide(_ outcome: DeliveryOutcome, attempts: Int, firstAttemptAt: Date, now: Date, jitter: Double) -> DeliveryDecision {
        let reason: String
        switch outcome {
        case .success:
            return .delivered
        case .httpStatus(409, _):
            return .delivered
        case .httpStatus(let status, let detail) where status == 429 || status >= 500:
            reason = "HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        case .httpStatus(let status, let detail):
            return .failed(reason: "HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")")
        case .timeout:
            reason = "timeout"
        case .connectionError(let detail):
            reason = "connection error: \(detail)"
        }
        let delay = backoffMs(afterAttempt: attempts, jitter: jitter)
        let next = now.addingTimeInterval(Double(delay) / 1_000)
        if next.timeIntervalSince(firstAttemptAt) * 1_000 > Double(giveUpAfterMs) {
            return .failed(reason: "gave up after \(attempts) attempts; last: \(reason)")
        }
        return .retry(at: next)
    }

    /// initial × 2^(attempt−1), capped, then jittered.
    package func backoffMs(afterAttempt attempt: Int, jitter: Double) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let raw = min(Double(initialBackoffMs) * pow(2, Double(exponent)), Double(maxBackoffMs))
        return Int(raw * (0.5 + 0.5 * min(max(jitter, 0), 1)))
    }
}
