import DeskBridgeCore
import Foundation
import Synchronization

/// Token buckets by key, in memory, per replica: the website channel's flood guard and the
/// password sign-in's guard against guessing. A full bucket is forgotten when the table grows,
/// so memory stays bounded.
final class RateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let now: @Sendable () -> Date
    static let maxBuckets = 50_000

    init(now: @escaping @Sendable () -> Date) { self.now = now }

    /// nil when a request that spends one token from each bucket (`key`, its rate per minute)
    /// may go ahead, else the seconds to wait. Every bucket must have a token before any is spent.
    func admit(_ keys: [(key: String, perMinute: Int)]) -> Int? {
        let now = now()
        return buckets.withLock { table in
            if table.count > Self.maxBuckets { table = table.filter { !$0.value.isFull(now: now) } }
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

    /// The website channel's (`visitorRequestsPerMinute`, `addressRequestsPerMinute`).
    func admit(visitor: String, address: String?, channel: WebChannelConfig) -> Int? {
        var keys = [(key: "v|\(channel.webAppId)|\(visitor)", perMinute: channel.visitorRequestsPerMinute)]
        if let address { keys.append((key: "a|\(channel.webAppId)|\(address)", perMinute: channel.addressRequestsPerMinute)) }
        return admit(keys)
    }
}
