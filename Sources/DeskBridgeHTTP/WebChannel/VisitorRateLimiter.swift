import DeskBridgeCore
import Foundation
import Synchronization

/// The website channel's flood guard: a token bucket per visitor and one per client address
/// (`visitorRequestsPerMinute`, `addressRequestsPerMinute`). Buckets live in memory, per
/// replica; a full bucket is forgotten when the table grows, so memory stays bounded.
final class VisitorRateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let now: @Sendable () -> Date
    static let maxBuckets = 50_000

    init(now: @escaping @Sendable () -> Date) { self.now = now }

    /// nil when the request may go ahead, else the seconds to wait.
    func admit(visitor: String, address: String?, channel: WebChannelConfig) -> Int? {
        let now = now()
        return buckets.withLock { table in
            if table.count > Self.maxBuckets { table = table.filter { !$0.value.isFull(now: now) } }
            var keys = [("v|\(channel.webAppId)|\(visitor)", channel.visitorRequestsPerMinute)]
            if let address { keys.append(("a|\(channel.webAppId)|\(address)", channel.addressRequestsPerMinute)) }
            // Both must have a token before either is spent.
            var taken: [(String, TokenBucket)] = []
            for (key, perMinute) in keys {
                var bucket = table[key] ?? TokenBucket(perMinute: perMinute, now: now)
                guard bucket.take(now: now) else { return max(1, bucket.secondsUntilNext(now: now)) }
                taken.append((key, bucket))
            }
            for (key, bucket) in taken { table[key] = bucket }
            return nil
        }
    }
}
