/// Who a message or event is shown as coming from (G§4.4).
package struct Representative: Codable, Sendable, Equatable, Hashable {
    package enum Kind: String, Codable, Sendable { case BOT, HUMAN }

    package var representativeType: Kind
    package var displayName: String?
    package var avatarImage: String?

    package init(_ kind: Kind, displayName: String?, avatarImage: String?) {
        self.representativeType = kind
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
        self.avatarImage = avatarImage.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// An agent → user message for `POST …/conversations/{id}/messages` (G§4.1).
package struct GoogleMessage: Codable, Sendable, Equatable {
    package var messageId: String
    package var representative: Representative
    package var text: String?
    package var image: Image?
    package var richCard: RichCard?
    package var suggestions: [Suggestion]?
    package var fallback: String?
    package var containsRichText: Bool?

    package init(messageId: String, representative: Representative, text: String? = nil, image: Image? = nil,
                 richCard: RichCard? = nil, suggestions: [Suggestion]? = nil, fallback: String? = nil,
                 containsRichText: Bool? = nil) {
        self.messageId = messageId
        self.representative = representative
        self.text = text
        self.image = image
        self.richCard = richCard
        self.suggestions = suggestions
        self.fallback = fallback
        self.containsRichText = containsRichText
    }

    package struct Image: Codable, Sendable, Equatable {
        package var contentInfo: ContentInfo
    }

    package struct ContentInfo: Codable, Sendable, Equatable {
        package var fileUrl: String
        package var thumbnailUrl: String?
        package var forceRefresh: Bool?
        package var altText: String?
        package init(fileUrl: String, thumbnailUrl: String? = nil, altText: String? = nil) {
            self.fileUrl = fileUrl
            self.thumbnailUrl = thumbnailUrl
            self.altText = altText
        }
    }

    package struct RichCard: Codable, Sendable, Equatable {
        package var standaloneCard: StandaloneCard?
        package struct StandaloneCard: Codable, Sendable, Equatable { package var cardContent: CardContent }
    }

    package struct CardContent: Codable, Sendable, Equatable {
        package var title: String?
        package var description: String?
        package var media: Media?
        package var suggestions: [Suggestion]?
    }

    package struct Media: Codable, Sendable, Equatable {
        package var height: String
        package var contentInfo: ContentInfo
    }
}

/// A chip (G§4.6): exactly one member is set.
package enum Suggestion: Codable, Sendable, Equatable {
    case reply(text: String, postbackData: String)
    case openURL(text: String, postbackData: String, url: String)
    case liveAgentRequest

    private enum Keys: String, CodingKey { case reply, action, liveAgentRequest }
    private struct Reply: Codable { var text: String; var postbackData: String }
    private struct Action: Codable {
        var text: String
        var postbackData: String
        var openUrlAction: OpenURL
        struct OpenURL: Codable { var url: String }
    }
    private struct Empty: Codable {}

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .reply(let text, let postbackData):
            try c.encode(Reply(text: text, postbackData: postbackData), forKey: .reply)
        case .openURL(let text, let postbackData, let url):
            try c.encode(Action(text: text, postbackData: postbackData, openUrlAction: .init(url: url)), forKey: .action)
        case .liveAgentRequest:
            try c.encode(Empty(), forKey: .liveAgentRequest)
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let reply = try c.decodeIfPresent(Reply.self, forKey: .reply) {
            self = .reply(text: reply.text, postbackData: reply.postbackData)
        } else if let action = try c.decodeIfPresent(Action.self, forKey: .action) {
            self = .openURL(text: action.text, postbackData: action.postbackData, url: action.openUrlAction.url)
        } else {
            self = .liveAgentRequest
        }
    }
}

/// An agent-side event for `POST …/events?eventId=…` (G§4.3).
package struct GoogleEvent: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable {
        case TYPING_STARTED, TYPING_STOPPED, REPRESENTATIVE_JOINED, REPRESENTATIVE_LEFT
    }
    package var eventType: Kind
    package var representative: Representative
}

/// Google's documented limits (G§4.6), respected by degrading rather than by a 400.
package enum GoogleLimits {
    package static let textLength = 3_072
    package static let suggestionsPerMessage = 13
    package static let chipTextLength = 25
    package static let postbackLength = 2_048
    package static let cardTitleLength = 200
    package static let cardDescriptionLength = 2_000
    package static let suggestionsPerCard = 4
}
