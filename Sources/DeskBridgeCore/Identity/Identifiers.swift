import Crypto
import Foundation

/// A live agent's account, usually an e-mail address (Tencent `AgentId`).
package struct AgentID: Hashable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    package var rawValue: String
    package init(_ rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.rawValue = value }
    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    package var description: String { rawValue }
}

/// A skill group (Tencent `AgentGroupId`).
package struct SkillGroupID: Hashable, Codable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    package var rawValue: Int
    package init(_ rawValue: Int) { self.rawValue = rawValue }
    package init(integerLiteral value: Int) { self.rawValue = value }
    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int.self) }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    package var description: String { String(rawValue) }
}

/// One run of the session service flow (Tencent `SessionId`, a UUID string).
package struct SessionID: Hashable, Codable, Sendable, CustomStringConvertible {
    package var rawValue: String
    package init(_ rawValue: String) { self.rawValue = rawValue }
    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    package var description: String { rawValue }

    /// Derives the id of the `ordinal`-th session of a conversation.
    ///
    /// Deterministic so that re-processing an event after a crash (before its commit)
    /// produces the same session id, and with it the same outbound ids.
    package static func derive(conversation: ConversationKey, ordinal: Int) -> SessionID {
        var bytes = Array(SHA256.hash(data: Data("session/\(conversation.storageKey)/\(ordinal)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4 layout
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = Hex.encode(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return SessionID(parts.joined(separator: "-"))
    }
}

/// The Tencent-side user id of a Google conversation.
///
/// CONTRACT: `gbm_` + the first 28 lower-case hex digits of SHA-256(`{agent}/{conversationId}`),
/// 32 bytes, valid as a Tencent UserID.
package struct ClientUserID: Hashable, Codable, Sendable, CustomStringConvertible {
    package var rawValue: String
    package init(_ rawValue: String) { self.rawValue = rawValue }
    package init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    package var description: String { rawValue }

    package static func derive(agent: String, conversationId: String) -> ClientUserID {
        ClientUserID("gbm_" + Hex.sha256("\(agent)/\(conversationId)").prefix(28))
    }
}

/// One Google conversation under one Google agent: the unit of ordering.
package struct ConversationKey: Hashable, Codable, Sendable, CustomStringConvertible {
    package var agent: String
    package var conversationId: String

    package init(agent: String, conversationId: String) {
        self.agent = agent
        self.conversationId = conversationId
    }

    /// The key rows are stored and ordered under.
    package var storageKey: String { "\(agent)/\(conversationId)" }
    package var clientUserId: ClientUserID { .derive(agent: agent, conversationId: conversationId) }
    package var description: String { storageKey }
}
