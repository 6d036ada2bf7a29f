import Crypto
import Foundation

/// Website visitors (README "Website channel", "Visitors and their identity").
///
/// An anonymous visitor is known by the random id its browser keeps. A user the business
/// knows comes with its `userId` and the hex HMAC-SHA256 of that id under the channel's
/// `identitySecret` (Chatwoot's identity validation), so only the business's own pages can
/// claim it; such a user's conversation is the same on every device.
package enum VisitorIdentity {
    /// The prefix of a signed user's conversation id; anonymous ids may not begin with it, or
    /// anyone who knew a user id could read that user's conversation without its HMAC.
    package static let signedPrefix = "u-"

    /// What the business computes on its server and hands to its page.
    package static func hash(userId: String, secret: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(userId.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    /// Whether `hash` is the HMAC of `userId` under `secret`, compared in constant time.
    package static func verify(userId: String, hash: String, secret: String) -> Bool {
        ConstantTime.equal(self.hash(userId: userId, secret: secret), hash.lowercased())
    }

    /// A signed user's conversation id: the same on every device, and no user id in the store's keys.
    package static func conversationId(userId: String) -> String {
        signedPrefix + Hex.encode(SHA256.hash(data: Data("deskbridge-web-user\u{0}\(userId)".utf8))).prefix(40)
    }

    /// 1 to 128 characters, none of them a control character.
    package static func isUserId(_ text: String) -> Bool {
        (1...128).contains(text.count) && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// What an anonymous page makes (a random UUID): 16 to 64 letters, digits and dashes, and
    /// not a signed user's id.
    package static func isAnonymousId(_ text: String) -> Bool {
        (16...64).contains(text.count) && !text.hasPrefix(signedPrefix)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// A token bucket: `capacity` at once, refilled at `perMinute` a minute; time is a parameter.
package struct TokenBucket: Sendable, Equatable {
    package let capacity: Double
    package let perSecond: Double
    private(set) var tokens: Double
    private(set) var updated: Date

    package init(perMinute: Int, now: Date) {
        capacity = Double(perMinute)
        perSecond = Double(perMinute) / 60
        tokens = capacity
        updated = now
    }

    /// Takes one token if there is one.
    package mutating func take(now: Date) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Seconds until a token is there again.
    package func secondsUntilNext(now: Date) -> Int {
        var copy = self
        copy.refill(now)
        return copy.tokens >= 1 ? 0 : Int(((1 - copy.tokens) / perSecond).rounded(.up))
    }

    /// Full again: nothing is lost by forgetting it.
    package func isFull(now: Date) -> Bool {
        var copy = self
        copy.refill(now)
        return copy.tokens >= capacity
    }

    private mutating func refill(_ now: Date) {
        let elapsed = max(0, now.timeIntervalSince(updated))
        tokens = min(capacity, tokens + elapsed * perSecond)
        updated = now
    }
}
