import Foundation

/// What arrives at `POST /webhooks/business-messages`: Google's set-up handshake or a user event.
package enum WebhookBody: Sendable, Equatable {
    case handshake(clientToken: String, secret: String)
    case event(GoogleWebhook)

    /// Decodes a webhook body in one pass. The handshake is recognised by its two keys (G§2.1).
    package static func decode(_ data: Data) throws(WebhookDecodingError) -> WebhookBody {
        do {
            return try JSONDecoder().decode(Envelope.self, from: data).body
        } catch let error as WebhookDecodingError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidField(path(context.codingPath + [key]), "is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            if context.codingPath.isEmpty { throw .notAnObject }
            throw .invalidField(path(context.codingPath), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            if context.codingPath.isEmpty { throw .notAnObject }
            throw .invalidField(path(context.codingPath), "is null")
        } catch let DecodingError.dataCorrupted(context) {
            if context.codingPath.isEmpty { throw .notJSON }
            throw .invalidField(path(context.codingPath), context.debugDescription)
        } catch {
            throw .notJSON
        }
    }

    private struct Envelope: Decodable {
        var body: WebhookBody
        private enum Keys: String, CodingKey { case clientToken, secret }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            // `contains` first: a thrown and discarded keyNotFound costs more than the whole event.
            if c.contains(.clientToken), c.contains(.secret), let token = try? c.decode(String.self, forKey: .clientToken),
                let secret = try? c.decode(String.self, forKey: .secret) {
                body = .handshake(clientToken: token, secret: secret)
            } else {
                body = .event(try GoogleWebhook(from: decoder))
            }
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// Why a webhook body was refused (answered 400, nothing stored).
package enum WebhookDecodingError: Error, Equatable, CustomStringConvertible {
    case notJSON
    case notAnObject
    case invalidField(String, String)
    case noKnownPayload

    package var description: String {
        switch self {
        case .notJSON: "body is not valid JSON"
        case .notAnObject: "body is not a JSON object"
        case .invalidField(let path, let problem): "field \(path) \(problem)"
        case .noKnownPayload:
            "no known payload (expected one of message, suggestionResponse, userStatus, receipts, surveyResponse, authenticationResponse)"
        }
    }
}

/// A Google-style `UserMessage` webhook (G§1): an envelope around exactly one payload.
package struct GoogleWebhook: Decodable, Sendable, Equatable {
    package var agent: String
    package var conversationId: String
    package var customAgentId: String?
    package var requestId: String?
    package var sendTime: GoogleTimestamp?
    package var context: GoogleContext?
    package var payload: Payload

    package enum Payload: Sendable, Equatable {
        case message(UserText)
        case suggestionResponse(SuggestionResponse)
        case userStatus(UserStatus)
        case receipts(Receipts)
        case surveyResponse(SurveyResponse)
        case authenticationResponse
    }

    private enum CodingKeys: String, CodingKey {
        case agent, conversationId, customAgentId, requestId, sendTime, context
        case message, suggestionResponse, userStatus, receipts, surveyResponse, authenticationResponse
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agent = try c.decode(String.self, forKey: .agent)
        conversationId = try c.decode(String.self, forKey: .conversationId)
        guard !agent.isEmpty else { throw WebhookDecodingError.invalidField("agent", "is empty") }
        guard !conversationId.isEmpty else { throw WebhookDecodingError.invalidField("conversationId", "is empty") }
        customAgentId = try c.decodeIfPresent(String.self, forKey: .customAgentId)
        requestId = try c.decodeIfPresent(String.self, forKey: .requestId)
        sendTime = try c.decodeIfPresent(GoogleTimestamp.self, forKey: .sendTime)
        context = try c.decodeIfPresent(GoogleContext.self, forKey: .context)
        if let message = try c.decodeIfPresent(UserText.self, forKey: .message) {
            payload = .message(message)
        } else if let tap = try c.decodeIfPresent(SuggestionResponse.self, forKey: .suggestionResponse) {
            payload = .suggestionResponse(tap)
        } else if let status = try c.decodeIfPresent(UserStatus.self, forKey: .userStatus) {
            payload = .userStatus(status)
        } else if let receipts = try c.decodeIfPresent(Receipts.self, forKey: .receipts) {
            payload = .receipts(receipts)
        } else if let survey = try c.decodeIfPresent(SurveyResponse.self, forKey: .surveyResponse) {
            payload = .surveyResponse(survey)
        } else if c.contains(.authenticationResponse) {
            payload = .authenticationResponse
        } else {
            throw WebhookDecodingError.noKnownPayload
        }
    }

    package var conversation: ConversationKey { ConversationKey(agent: agent, conversationId: conversationId) }

    /// The keys a repeat delivery of this event is recognised by (CONTRACT §3):
    /// the `requestId`, then the message id within the conversation, then (for receipts,
    /// which carry neither) the receipted messages and their type.
    package var dedupeKeys: [String] {
        var keys: [String] = []
        if let requestId, !requestId.isEmpty { keys.append("req:\(requestId)") }
        switch payload {
        case .message(let message) where !message.messageId.isEmpty:
            keys.append("msg:\(conversation.storageKey):\(message.messageId)")
        case .receipts(let receipts) where keys.isEmpty:
            let list = receipts.receipts.map { "\($0.message)#\($0.receiptType)" }.sorted().joined(separator: ",")
            keys.append("rcpt:\(conversation.storageKey):\(list)")
        default:
            break
        }
        return keys
    }
}

/// `context` (G§1.2).
package struct GoogleContext: Codable, Sendable, Equatable {
    package var entryPoint: String?
    package var placeId: String?
    package var nearPlaceId: String?
    package var userInfo: UserInfo?
    package var resolvedLocale: String?
    package var customContext: String?

    package struct UserInfo: Codable, Sendable, Equatable {
        package var displayName: String?
        package var userDeviceLocale: String?
    }

    /// `resolvedLocale`, else `userDeviceLocale` (CONTRACT §4).
    package var locale: String? { resolvedLocale ?? userInfo?.userDeviceLocale }
}

/// `message` (G§1.3): user text; a user image arrives as a signed storage URL in `text`.
package struct UserText: Codable, Sendable, Equatable {
    package var messageId: String
    package var name: String?
    package var text: String
    package var createTime: GoogleTimestamp?

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageId = try c.decodeIfPresent(String.self, forKey: .messageId) ?? ""
        name = try c.decodeIfPresent(String.self, forKey: .name)
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
        createTime = try c.decodeIfPresent(GoogleTimestamp.self, forKey: .createTime)
    }

    /// G§1.3 heuristic (UNCONFIRMED upstream): a signed Google Cloud Storage URL is a user image.
    package var isImageURL: Bool {
        text.hasPrefix("https://storage.googleapis.com/") && text.lowercased().contains("x-goog-signature")
    }
}

/// `suggestionResponse` (G§1.4). Both `type` and `suggestionType` are read.
package struct SuggestionResponse: Codable, Sendable, Equatable {
    package var message: String?
    package var postbackData: String?
    package var text: String?
    package var createTime: GoogleTimestamp?
    package var type: String?
    package var suggestionType: String?
}

/// `userStatus` (G§1.5). `isTyping` arrives as a bool or as the string "true".
package struct UserStatus: Codable, Sendable, Equatable {
    package var isTyping: Bool?
    package var requestedLiveAgent: Bool?
    package var createTime: GoogleTimestamp?

    private enum CodingKeys: String, CodingKey { case isTyping, requestedLiveAgent, createTime }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        isTyping = try Self.lenientBool(c, .isTyping)
        requestedLiveAgent = try Self.lenientBool(c, .requestedLiveAgent)
        createTime = try c.decodeIfPresent(GoogleTimestamp.self, forKey: .createTime)
    }

    private static func lenientBool(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Bool? {
        if let value = try? c.decodeIfPresent(Bool.self, forKey: key) { return value }
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "is not a boolean")
        }
    }
}

/// `receipts` (G§1.6): one payload may hold several.
package struct Receipts: Codable, Sendable, Equatable {
    package var receipts: [Receipt]
    package var createTime: GoogleTimestamp?

    package struct Receipt: Codable, Sendable, Equatable {
        package var message: String
        package var receiptType: String
    }
}

/// `surveyResponse` (G§1.7).
package struct SurveyResponse: Codable, Sendable, Equatable {
    package var survey: String?
    package var rating: String?
    package var feedback: String?
    package var createTime: GoogleTimestamp?
    package var surveyQuestionId: String?
    package var questionResponseText: String?
    package var questionResponsePostbackData: String?
    package var surveyTriggerSource: String?
}
