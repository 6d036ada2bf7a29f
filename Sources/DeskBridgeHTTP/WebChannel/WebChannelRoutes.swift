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
/// sends back is read by the page from the conversation's records, as the desk's own messages.
struct WebChannelRoutes: Sendable {
    let runtime: ConversationRuntime
    let config: DeskBridgeConfig
    let maxBodyBytes: Int
    let trustedProxies: TrustedProxies
    let limiter: RateLimiter

    init(runtime: ConversationRuntime, config: DeskBridgeConfig, maxBodyBytes: Int, trustedProxies: TrustedProxies) {
        self.runtime = runtime
        self.config = config
        self.maxBodyBytes = maxBodyBytes
        self.trustedProxies = trustedProxies
        let clock = runtime.clock
        limiter = RateLimiter(now: { clock.now() })
    }

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
            return try SignedInAPI.json(ChannelView(webAppId: channel.webAppId, name: channel.name, title: channel.title, avatarImage: channel.avatarImage,
                                                    signedUsers: channel.identitySecret != nil, uploadMaxBytes: channel.uploadMaxBytes))
        }
        router.post("/web/im/api/messages") { request, context in
            try await WebVisitorPost(routes: self).handle(request, peer: context.peerAddress)
        }
        router.get("/web/im/api/messages") { request, _ in
            try await asVisitor(request) { visitor in
                let records = try await runtime.store.records(visitor.key)
                let state = try await runtime.store.conversation(visitor.key)?.state
                return try SignedInAPI.json(WebChatTimeline.build(records: records, state: state, channel: visitor.channel, desk: runtime.engine.config.desk, now: runtime.clock.now()))
            }
        }
        router.get("/web/im/api/events") { request, _ in
            try await asVisitor(request) { visitor in
                EventStream.response(runtime.changes.subscribe(conversation: visitor.key), lastId: runtime.changes.lastId)
            }
        }
        WebUploads(routes: self).register(on: router)
    }

    static let policy = "default-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'self'"

    private struct ChannelView: Encodable {
        var webAppId: String
        var name: String
        var title: String
        var avatarImage: String?
        var signedUsers: Bool
        var uploadMaxBytes: Int
    }

    private func channel(_ request: Request) -> WebChannelConfig? {
        request.uri.queryParameters["webAppId"].flatMap { config.webChannel(String($0)) }
    }

    /// `answer` for the visitor the query names, or the refusal that says why it names none.
    func asVisitor(_ request: Request, _ answer: (WebVisitor) async throws -> Response) async throws -> Response {
        switch WebVisitor.resolve(WebVisitor.credentials(request), config: config) {
        case .success(let visitor): try await answer(visitor)
        case .failure(let refusal): refusal.response
        }
    }

    /// The client's address (through trusted proxies), for the per-address limit.
    func clientAddress(_ request: Request, peer: String?) -> String? {
        trustedProxies.clientAddress(peer: peer, forwardedFor: request.headers[.init("X-Forwarded-For")!])
    }

    /// The rate limits' refusal, or nil to go ahead.
    func limited(_ visitor: WebVisitor, _ request: Request, peer: String?) -> Response? {
        guard let wait = limiter.admit(visitor: visitor.key.conversationId, address: clientAddress(request, peer: peer), channel: visitor.channel) else { return nil }
        var response = SignedInAPI.refusal(.tooManyRequests, "too many requests; try again in \(wait) s")
        response.headers[.retryAfter] = String(wait)
        return response
    }
}
