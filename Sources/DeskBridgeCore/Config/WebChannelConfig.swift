/// `webChannels[]`: a website channel (CONTRACT §6), Tencent's "Website Channel": a chat page at
/// `/web/im/chat/?webAppId=ID` and an embed script, through the same pipeline as Google.
///
/// Its conversations are keyed under the agent `web/<webAppId>`, so ordering, deduplication,
/// flows, routing, ownership and records are the Google channel's own.
package struct WebChannelConfig: Sendable, Decodable, Equatable {
    package var webAppId: String
    package var name: String
    /// The flow its conversations run; `flows.default` when absent.
    package var flow: String?
    package var title: String
    package var avatarImage: String?
    /// Origins whose pages may embed the chat (the embed script's frame); the chat page's own origin always may.
    package var allowedOrigins: [String]
    /// Signs the user ids a business vouches for: the page passes `userId` and the hex
    /// HMAC-SHA256 of it under this secret (`VisitorIdentity`); absent, every visitor is anonymous.
    package var identitySecret: Secret?
    /// The bot's name on the chat page (the channel's `name` when absent); its picture is `avatarImage`.
    package var botName: String?
    /// Posts (messages, taps, typing, receipts, uploads) one visitor may make a minute, and all visitors from one address.
    package var visitorRequestsPerMinute: Int
    package var addressRequestsPerMinute: Int
    /// The largest picture a visitor may upload.
    package var uploadMaxBytes: Int

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case webAppId, name, flow, title, avatarImage, allowedOrigins, identitySecret, botName
        case visitorRequestsPerMinute, addressRequestsPerMinute, uploadMaxBytes
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        webAppId = try c.decode(String.self, forKey: .webAppId)
        name = try c.value(.name, default: webAppId)
        flow = try c.decodeIfPresent(String.self, forKey: .flow)
        title = try c.value(.title, default: name)
        avatarImage = try c.decodeIfPresent(String.self, forKey: .avatarImage)
        allowedOrigins = try c.value(.allowedOrigins, default: [])
        identitySecret = try c.decodeIfPresent(Secret.self, forKey: .identitySecret)
        botName = try c.decodeIfPresent(String.self, forKey: .botName)
        visitorRequestsPerMinute = try c.value(.visitorRequestsPerMinute, default: 60)
        addressRequestsPerMinute = try c.value(.addressRequestsPerMinute, default: 300)
        uploadMaxBytes = try c.value(.uploadMaxBytes, default: 2 * 1_024 * 1_024)
    }

    /// The conversation agent its visitors' conversations are keyed under.
    package var agent: String { ConversationKey.webAgentPrefix + webAppId }
}

extension ConversationKey {
    static let webAgentPrefix = "web/"

    /// A website-channel conversation: its bot and agent messages are read by the visitor's page
    /// from the store, not sent to the Google API.
    package var isWebChannel: Bool { agent.hasPrefix(Self.webAgentPrefix) }

    /// The website channel's `webAppId`, for a website-channel conversation.
    package var webAppId: String? { isWebChannel ? String(agent.dropFirst(Self.webAgentPrefix.count)) : nil }

    /// `ChannelType` in session events: `WEB` or `GBM`.
    package var channelType: String { isWebChannel ? "WEB" : "GBM" }
}
