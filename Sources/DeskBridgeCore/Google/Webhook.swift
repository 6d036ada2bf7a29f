import Foundation
import Synchronization

/// What arrives at `POST /webhooks/business-messages`: Google's set-up handshake or a user event.
package enum WebhookBody: Sendable, Equatable {
    case handshake(clientToken: String, secret: String)
    case event(GoogleWebhook)

    /// Decodes a webhook body in one pass. The handshake is recognised by its two keys (G§2.1).
    package static func decode(_ data: Data) throws(WebhookDecodingError) -> WebhookBody {
        do {
            let notes = UnreadableFields()
            let decoder = JSONDecoder()
            decoder.userInfo[UnreadableFields.key] = notes
            var body = try decoder.decode(Envelope.self, from: data).body
            if case .event(var event) = body, !notes.paths.isEmpty {
                event.unreadableFields = notes.paths
                body = .event(event)
            }
            return body
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

    fileprivate static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }
}

/// Informational fields (times, typing flags) that were present but could not be read: Google's
/// own test tool sends placeholders such as `"SEND_TIME"` and `"BOOLEAN"`. Such a value is
/// treated as absent and the webhook accepted; the paths are logged.
private final class UnreadableFields: Sendable {
    static let key = CodingUserInfoKey(rawValue: "deskbridge.unreadableFields")!
    private let storage = Mutex<[String]>([])
    var paths: [String] { storage.withLock { $0 } }
    func note(_ path: String) { storage.withLock { $0.append(path) } }
}

extension Decoder {
    /// Reads an informational field: nil when absent, and nil (noted by path) when unreadable.
    fileprivate func informational<T: Decodable, K: CodingKey>(_ type: T.Type, _ c: KeyedDecodingContainer<K>, _ key: K) -> T? {
        guard c.contains(key) else { return nil }
        do {
            return try c.decodeIfPresent(T.self, forKey: key)
        } catch {
            (userInfo[UnreadableFields.key] as? UnreadableFields)?.note(WebhookBody.path(codingPath + [key]))
            return nil
        }
    }

    /// Reads a required identifier: present, not empty, and free of control characters, which
    /// some stores and comparisons would cut at (a NUL byte) or treat differently.
    fileprivate func identifier<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, optional: Bool = false) throws -> String? {
        let value = optional ? try c.decodeIfPresent(String.self, forKey: key) : try c.decode(String.self, forKey: key)
        let path = WebhookBody.path(codingPath + [key])
        if let value, value.unicodeScalars.contains(where: \.properties.isControlCharacter) {
            throw WebhookDecodingError.invalidField(path, "contains a control character")
        }
        if !optional, value?.isEmpty ?? true { throw WebhookDecodingError.invalidField(path, "is empty") }
        return value
    }
}

extension Unicode.Scalar.Properties {
    /// C0 and C1 controls and DEL (general category Cc).
    fileprivate var isControlCharacter: Bool { generalCategory == .control }
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
    /// Informational fields that were present but unreadable, by path (logged, treated as absent).
    package var unreadableFields: [String] = []

    package enum Payload: Sendable, Equatable {
        case message(UserText)
        case suggestionResponse(SuggestionResponse)
        case userStatus(UserStatus)
        case receipts(Receipts)
        case surveyResponse(SurveyResponse)
        case authenticationResponse
        /// A desk custom message the website channel's page sent (src 10 a rating, src 27 ending the
        /// human session): DeskBridge's own key `deskCustom`, read only for website conversations.
        case deskCustom(DeskCustomMessage)
    }

    private enum CodingKeys: String, CodingKey {
        case agent, conversationId, customAgentId, requestId, sendTime, context
        case message, suggestionResponse, userStatus, receipts, surveyResponse, authenticationResponse, deskCustom
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agent = try decoder.identifier(c, .agent)!
        conversationId = try decoder.identifier(c, .conversationId)!
        customAgentId = try decoder.identifier(c, .customAgentId, optional: true)
        requestId = try decoder.identifier(c, .requestId, optional: true)
        sendTime = decoder.informational(GoogleTimestamp.self, c, .sendTime)
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
        } else if agent.hasPrefix(ConversationKey.webAgentPrefix), let data = try c.decodeIfPresent(String.self, forKey: .deskCustom) {
            guard let desk = DeskCustomMessage(data: data) else {
                throw WebhookDecodingError.invalidField("deskCustom", "is not a desk custom message")
            }
            payload = .deskCustom(desk)
        } else {
            throw WebhookDecodingError.noKnownPayload
        }
    }

    package var conversation: ConversationKey { ConversationKey(agent: agent, conversationId: conversationId) }

    /// The keys a repeat delivery of this event is recognised by (CONTRACT §3):
    /// the `requestId`, then the message id within the conversation, then (for receipts,
    /// which carry neither) the receipted messages and their type.
    /// The prefixes of the repeat keys that name `conversation` (messages, receipts): what
    /// erasing a user removes from the dedupe table.
    package static func dedupePrefixes(of conversation: ConversationKey) -> [String] {
        ["msg:\(conversation.storageKey):", "rcpt:\(conversation.storageKey):"]
    }

    package var dedupeKeys: [String] {
        var keys: [String] = []
        if let requestId, !requestId.isEmpty { keys.append("req:\(requestId)") }
        switch payload {
        case .message(let message) where !message.messageId.isEmpty:
            keys.append("\(Self.dedupePrefixes(of: conversation)[0])\(message.messageId)")
        case .receipts(let receipts) where keys.isEmpty:
            let list = receipts.receipts.map { "\($0.message)#\($0.receiptType)" }.sorted().joined(separator: ",")
            keys.append("\(Self.dedupePrefixes(of: conversation)[1])\(list)")
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
    /// The website channel's page says `text` is a picture's URL (DeskBridge's own key `image`,
    /// read only for website conversations; Google's own images are found by `isImageURL`).
    package var image: Bool?

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageId = try decoder.identifier(c, .messageId, optional: true) ?? ""
        name = try c.decodeIfPresent(String.self, forKey: .name)
        // A message without text carries nothing to answer: refused, not a session started.
        guard let text = try c.decodeIfPresent(String.self, forKey: .text) else {
            throw WebhookDecodingError.invalidField(WebhookBody.path(decoder.codingPath + [CodingKeys.text]), "is missing")
        }
        self.text = text
        createTime = decoder.informational(GoogleTimestamp.self, c, .createTime)
        image = try c.decodeIfPresent(Bool.self, forKey: .image)
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

extension SuggestionResponse {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        postbackData = try c.decodeIfPresent(String.self, forKey: .postbackData)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        createTime = decoder.informational(GoogleTimestamp.self, c, .createTime)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        suggestionType = try c.decodeIfPresent(String.self, forKey: .suggestionType)
        // A tap that names neither what was tapped nor its text says nothing: refused.
        if postbackData == nil, text == nil {
            throw WebhookDecodingError.invalidField(WebhookBody.path(decoder.codingPath), "has neither postbackData nor text")
        }
    }
}

/// `userStatus` (G§1.5). `isTyping` arrives as a bool or as the string "true".
package struct UserStatus: Codable, Sendable, Equatable {
    package var isTyping: Bool?
    package var requestedLiveAgent: Bool?
    package var createTime: GoogleTimestamp?

    private enum CodingKeys: String, CodingKey { case isTyping, requestedLiveAgent, createTime }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        isTyping = decoder.informational(LenientBool.self, c, .isTyping)?.value
        requestedLiveAgent = decoder.informational(LenientBool.self, c, .requestedLiveAgent)?.value
        createTime = decoder.informational(GoogleTimestamp.self, c, .createTime)
    }

    /// A bool, or the string "true" / "false" in any case.
    private struct LenientBool: Decodable {
        var value: Bool
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let value = try? c.decode(Bool.self) {
                self.value = value
                return
            }
            switch try c.decode(String.self).lowercased() {
            case "true": value = true
            case "false": value = false
            default: throw DecodingError.dataCorruptedError(in: c, debugDescription: "is not a boolean")
            }
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

extension Receipts {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        receipts = try c.decode([Receipt].self, forKey: .receipts)
        createTime = decoder.informational(GoogleTimestamp.self, c, .createTime)
    }
}

extension Receipts.Receipt {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        message = try decoder.identifier(c, .message)!
        receiptType = try c.decode(String.self, forKey: .receiptType)
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

extension SurveyResponse {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        survey = try c.decodeIfPresent(String.self, forKey: .survey)
        rating = try c.decodeIfPresent(String.self, forKey: .rating)
        feedback = try c.decodeIfPresent(String.self, forKey: .feedback)
        createTime = decoder.informational(GoogleTimestamp.self, c, .createTime)
        surveyQuestionId = try c.decodeIfPresent(String.self, forKey: .surveyQuestionId)
        questionResponseText = try c.decodeIfPresent(String.self, forKey: .questionResponseText)
        questionResponsePostbackData = try c.decodeIfPresent(String.self, forKey: .questionResponsePostbackData)
        surveyTriggerSource = try c.decodeIfPresent(String.self, forKey: .surveyTriggerSource)
    }
}
