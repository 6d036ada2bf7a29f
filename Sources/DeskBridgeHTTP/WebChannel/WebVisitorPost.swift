import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import NIOCore

/// `POST /web/im/api/messages`: what a visitor's page sends, stored as the Google webhook it
/// stands for, durably and deduplicated by the page's `messageId`, before the page is answered.
struct WebVisitorPost: Sendable {
    let routes: WebChannelRoutes

    private struct Post: Decodable {
        var webAppId: String?
        var visitorId: String?
        var userId: String?
        var userHash: String?
        var messageId: String
        var text: String?
        /// A picture: the URL `POST /web/im/api/uploads` answered, or any https: URL.
        var imageUrl: String?
        var postbackData: String?
        var name: String?
        var typing: Bool?
        var liveAgent: Bool?
        /// A desk custom message from the page (its `Data` JSON): src 7, 10, 24 or 27.
        var custom: String?
        /// `DELIVERED` or `READ`, for the desk messages `messageIds` (as Google's receipts).
        var receipt: String?
        var messageIds: [String]?

        var credentials: WebVisitor.Credentials { .init(webAppId: webAppId, visitorId: visitorId, userId: userId, userHash: userHash) }
    }

    private var runtime: ConversationRuntime { routes.runtime }
    private var desk: DeskConfig { routes.config.desk }

    func handle(_ request: Request, peer: String?) async throws -> Response {
        var request = request
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return SignedInAPI.refusal(.unsupportedMediaType, "send JSON") }
        let data: ByteBuffer
        do { data = try await request.collectBody(upTo: routes.maxBodyBytes) } catch { return SignedInAPI.refusal(.contentTooLarge, "body exceeds \(routes.maxBodyBytes) bytes") }
        let post: Post
        do { post = try JSONDecoder().decode(Post.self, from: Data(buffer: data)) } catch { return SignedInAPI.refusal(.badRequest, "not a visitor message: \(Self.describe(error))") }
        let visitor: WebVisitor
        switch WebVisitor.resolve(post.credentials, config: routes.config) {
        case .success(let found): visitor = found
        case .failure(let refusal): return refusal.response
        }
        guard Self.isMessageId(post.messageId) else { return SignedInAPI.refusal(.badRequest, "messageId must be 16 to 64 letters, digits or dashes") }
        if let refusal = routes.limited(visitor, request, peer: peer) { return refusal }
        var payload: [String: Any]
        switch try await self.payload(post, visitor: visitor) {
        case .store(let stored): payload = stored
        case .answer(let response): return response
        }
        let name = post.name.map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 } ?? visitor.userId.map { String($0.prefix(64)) } ?? "Visitor"
        payload["agent"] = visitor.key.agent
        payload["conversationId"] = visitor.key.conversationId
        payload["requestId"] = "web-" + post.messageId
        payload["context"] = ["userInfo": ["displayName": name]]
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        guard case .event(let webhook) = try? WebhookBody.decode(body) else { return SignedInAPI.refusal(.badRequest, "not a visitor message") }
        do {
            if case .accepted = try await runtime.store.accept(webhook.conversation, dedupeKeys: webhook.dedupeKeys, body: body, clientIP: routes.clientAddress(request, peer: peer),
                                                                receivedAt: runtime.clock.now()) {
                runtime.processing.signal()
            }
        } catch {
            return SignedInAPI.refusal(.serviceUnavailable, "storage unavailable; retry later")
        }
        return try SignedInAPI.json(["ok": true])
    }

    private enum Outcome {
        /// The Google-shaped payload to store.
        case store([String: Any])
        /// Answered at the door (a refusal, or src 7's answer): nothing is stored.
        case answer(Response)
    }

    private func payload(_ post: Post, visitor: WebVisitor) async throws -> Outcome {
        if let custom = post.custom {
            switch DeskCustomMessage(data: custom) {
            case .trigger?:
                return .answer(try await trigger(visitor.key))
            case .requestRating?:
                // The visitor asks for the rating card: the same as typing `satisfaction.requestPhrase`.
                return .store(["message": ["messageId": post.messageId, "text": desk.satisfaction.requestPhrase]])
            case .satisfactionSelection?, .userEndsSession?:
                return .store(["deskCustom": custom])
            default:
                return .answer(SignedInAPI.refusal(.badRequest, "a page may send src 7, 10, 24 or 27 as custom messages"))
            }
        }
        if let receipt = post.receipt {
            guard receipt == "DELIVERED" || receipt == "READ" else { return .answer(SignedInAPI.refusal(.badRequest, "receipt must be DELIVERED or READ")) }
            let ids = post.messageIds ?? []
            guard (1...50).contains(ids.count), ids.allSatisfy(Self.isDeskMessageId) else {
                return .answer(SignedInAPI.refusal(.badRequest, "messageIds must be 1 to 50 ids of the desk's messages"))
            }
            let conversation = visitor.key.conversationId
            return .store(["receipts": ["receipts": ids.map { ["message": "conversations/\(conversation)/messages/\($0)", "receiptType": receipt] }]])
        }
        if let url = post.imageUrl {
            guard WebUploads.isPictureURL(url) else {
                return .answer(SignedInAPI.refusal(.badRequest, "imageUrl must be an https: URL or a picture uploaded here, at most 2048 characters"))
            }
            return .store(["message": ["messageId": post.messageId, "text": url, "image": true]])
        }
        if let text = post.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, post.postbackData == nil {
            guard text.count <= 3_072 else { return .answer(SignedInAPI.refusal(.badRequest, "text is longer than 3072 characters")) }
            return .store(["message": ["messageId": post.messageId, "text": text]])
        }
        if let postback = post.postbackData, !postback.isEmpty {
            return .store(["suggestionResponse": ["postbackData": postback, "text": post.text ?? "", "type": "REPLY"]])
        }
        if post.liveAgent == true { return .store(["userStatus": ["requestedLiveAgent": true]]) }
        if let typing = post.typing { return .store(["userStatus": ["isTyping": typing]]) }
        return .answer(SignedInAPI.refusal(.badRequest, "send text, an imageUrl, a custom message, a receipt, typing or liveAgent"))
    }

    /// What the desk answers a page's src 7 trigger with (seeds 000, 001): the src 23 rating
    /// rules and the src 26 seat status. Nothing is stored: a page view is not a session (the
    /// session starts with the visitor's first message, as on Google).
    private func trigger(_ key: ConversationKey) async throws -> Response {
        let stored = try await runtime.store.conversation(key)
        let inSeat = stored?.state?.session?.ownership.holder != nil
        let answer: [DeskCustomMessage] = [.ratingSettings(flags: desk.satisfaction.menuSendRuleFlag), .seatStatus(inSeat: inSeat)]
        return try SignedInAPI.json(TriggerAnswer(ok: true, desk: answer.map(\.jsonString)))
    }

    private struct TriggerAnswer: Encodable {
        var ok: Bool
        /// Each a desk custom message's `Data` JSON, as `TIMCustomElem` would carry it.
        var desk: [String]
    }

    /// 16 to 64 letters, digits and dashes: what the page generates.
    static func isMessageId(_ text: String) -> Bool {
        (16...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// The ids DeskBridge gives the desk's messages (see `Turn.say`).
    static func isDeskMessageId(_ text: String) -> Bool {
        (1...128).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context): "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: "not a JSON object"
        }
    }
}
