import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import NIOCore

/// The website channel (`webChannels`, README "Website channel"): the chat page, the embed
/// script and the visitor API, through the same durable pipeline as Google's webhooks.
///
/// A visitor's message is stored exactly as a Google webhook of the agent `web/<webAppId>` would
/// be, so flows, routing, ownership, records and deduplication are the same code. What the desk
/// sends back is what it would send to Google; the visitor's page reads it from the store.
struct WebChannelRoutes: Sendable {
    let runtime: ConversationRuntime
    let config: DeskBridgeConfig
    let maxBodyBytes: Int

    func register(on router: Router<DeskRequestContext>) {
        let assets = PageAssets(folder: "webchat")
        router.get("/web/im/chat/") { request, _ in
            guard let channel = channel(request) else { return Response(status: .notFound) }
            let ancestors = (["'self'"] + channel.allowedOrigins).joined(separator: " ")
            return assets.response("index.html", policy: Self.policy + "; frame-ancestors \(ancestors)")
        }
        router.get("/web/im/assets/:file") { _, context in
            guard let name = context.parameters.get("file"), name != "index.html", name != "imPublish.js" else { return Response(status: .notFound) }
            return assets.response(name, policy: Self.policy + "; frame-ancestors 'self'")
        }
        // Loaded by the business's own pages, from any origin.
        router.get("/web/im/imPublish.js") { request, _ in
            guard channel(request) != nil else { return Response(status: .notFound) }
            return assets.response("imPublish.js", policy: "default-src 'none'", extraHeaders: [.accessControlAllowOrigin: "*"])
        }
        router.get("/web/im/api/channel") { request, _ in
            guard let channel = channel(request) else { return SignedInAPI.refusal(.notFound, "unknown webAppId") }
            return try SignedInAPI.json(ChannelView(webAppId: channel.webAppId, name: channel.name, title: channel.title, avatarImage: channel.avatarImage))
        }
        router.post("/web/im/api/messages") { request, _ in try await post(request) }
        router.get("/web/im/api/messages") { request, _ in
            guard let key = visitor(request) else { return SignedInAPI.refusal(.badRequest, "webAppId and visitorId are required") }
            let records = try await runtime.store.records(key)
            let outbox = try await runtime.store.outbox(lane: ConversationCommit.lane(key, .google))
            return try SignedInAPI.json(WebChatTimeline.build(records: records, outbox: outbox))
        }
        router.get("/web/im/api/events") { request, _ in
            guard let key = visitor(request) else { return SignedInAPI.refusal(.badRequest, "webAppId and visitorId are required") }
            return EventStream.response(runtime.changes.subscribe(conversation: key), lastId: runtime.changes.lastId)
        }
    }

    static let policy = "default-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'self'"

    private struct ChannelView: Encodable {
        var webAppId: String
        var name: String
        var title: String
        var avatarImage: String?
    }

    private func channel(_ request: Request) -> WebChannelConfig? {
        request.uri.queryParameters["webAppId"].flatMap { config.webChannel(String($0)) }
    }

    /// The visitor's conversation: a known channel and a visitor id its page made (unguessable, kept in the browser).
    private func visitor(_ request: Request) -> ConversationKey? {
        guard let channel = channel(request), let id = request.uri.queryParameters["visitorId"].map(String.init), Self.isToken(id) else { return nil }
        return ConversationKey(agent: channel.agent, conversationId: id)
    }

    /// 16 to 64 letters, digits and dashes: what the page generates, and nothing a store or path could mistake.
    static func isToken(_ text: String) -> Bool {
        (16...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private struct Post: Decodable {
        var webAppId: String
        var visitorId: String
        var messageId: String
        var text: String?
        var postbackData: String?
        var name: String?
        var typing: Bool?
        var liveAgent: Bool?
        /// A desk custom message from the page (its `Data` JSON): src 7 or src 24.
        var custom: String?
    }

    /// What the desk answers a page's src 7 trigger with (seeds 000, 001): the src 23 rating
    /// rules and the src 26 seat status. Nothing is stored: a page view is not a session (the
    /// session starts with the visitor's first message, as on Google).
    private func trigger(_ key: ConversationKey) async throws -> Response {
        let stored = try await runtime.store.conversation(key)
        let inSeat = stored?.state?.session?.ownership.holder != nil
        let answer: [DeskCustomMessage] = [.ratingSettings(flags: config.desk.satisfaction.menuSendRuleFlag), .seatStatus(inSeat: inSeat)]
        return try SignedInAPI.json(TriggerAnswer(ok: true, desk: answer.map(\.jsonString)))
    }

    private struct TriggerAnswer: Encodable {
        var ok: Bool
        /// Each a desk custom message's `Data` JSON, as `TIMCustomElem` would carry it.
        var desk: [String]
    }

    /// A visitor's message, chip tap, typing or live-agent request, stored as the Google webhook
    /// it stands for: durably, deduplicated by the page's `messageId`, then answered.
    private func post(_ request: Request) async throws -> Response {
        var request = request
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return SignedInAPI.refusal(.unsupportedMediaType, "send JSON") }
        let data: ByteBuffer
        do { data = try await request.collectBody(upTo: maxBodyBytes) } catch { return SignedInAPI.refusal(.contentTooLarge, "body exceeds \(maxBodyBytes) bytes") }
        guard let post = try? JSONDecoder().decode(Post.self, from: Data(buffer: data)) else { return SignedInAPI.refusal(.badRequest, "not a visitor message") }
        guard let channel = config.webChannel(post.webAppId) else { return SignedInAPI.refusal(.notFound, "unknown webAppId") }
        guard Self.isToken(post.visitorId), Self.isToken(post.messageId) else { return SignedInAPI.refusal(.badRequest, "visitorId and messageId must be 16 to 64 letters, digits or dashes") }
        var payload: [String: Any]
        if let custom = post.custom {
            switch DeskCustomMessage(data: custom) {
            case .trigger?:
                return try await trigger(ConversationKey(agent: channel.agent, conversationId: post.visitorId))
            case .requestRating?:
                // The visitor asks for the rating card: the same as typing `satisfaction.requestPhrase`.
                payload = ["message": ["messageId": post.messageId, "text": config.desk.satisfaction.requestPhrase]]
            default:
                return SignedInAPI.refusal(.badRequest, "a page may send src 7 (trigger) or src 24 (request a rating) as custom messages")
            }
        } else if let text = post.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, post.postbackData == nil {
            guard text.count <= 3_072 else { return SignedInAPI.refusal(.badRequest, "text is longer than 3072 characters") }
            payload = ["message": ["messageId": post.messageId, "text": text]]
        } else if let postback = post.postbackData, !postback.isEmpty {
            payload = ["suggestionResponse": ["postbackData": postback, "text": post.text ?? "", "type": "REPLY"]]
        } else if post.liveAgent == true {
            payload = ["userStatus": ["requestedLiveAgent": true]]
        } else if let typing = post.typing {
            payload = ["userStatus": ["isTyping": typing]]
        } else {
            return SignedInAPI.refusal(.badRequest, "send text, a postbackData, typing or liveAgent")
        }
        let name = post.name.map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 } ?? "Visitor"
        payload["agent"] = channel.agent
        payload["conversationId"] = post.visitorId
        payload["requestId"] = "web-" + post.messageId
        payload["context"] = ["userInfo": ["displayName": name]]
        let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        guard case .event(let webhook) = try WebhookBody.decode(body) else { return SignedInAPI.refusal(.badRequest, "not a visitor message") }
        do {
            if case .accepted = try await runtime.store.accept(webhook.conversation, dedupeKeys: webhook.dedupeKeys, body: body, clientIP: nil,
                                                                receivedAt: runtime.clock.now()) {
                runtime.processing.signal()
            }
        } catch {
            return SignedInAPI.refusal(.serviceUnavailable, "storage unavailable; retry later")
        }
        return try SignedInAPI.json(["ok": true])
    }
}
