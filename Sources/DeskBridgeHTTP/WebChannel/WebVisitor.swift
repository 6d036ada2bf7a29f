import DeskBridgeCore
import Foundation
import Hummingbird

/// Who a website-channel request speaks for: an anonymous visitor (`visitorId`, the random id
/// its browser keeps) or a user the business signed (`userId` + `userHash`, the hex HMAC-SHA256
/// of the id under the channel's `identitySecret`). A signed user's conversation is the same on
/// every device; a wrong HMAC is refused and sees nothing.
struct WebVisitor: Sendable {
    let channel: WebChannelConfig
    let key: ConversationKey
    /// Signed users are named by their user id (as `displayName` unless the page gives one).
    let userId: String?

    /// The credentials as a request carries them (the query of a GET, the body of a POST).
    struct Credentials: Decodable, Sendable {
        var webAppId: String?
        var visitorId: String?
        var userId: String?
        var userHash: String?
    }

    enum Refusal: Error {
        case unknownChannel
        case missing
        case badVisitorId
        case badUserId
        case noIdentitySecret
        case badHash

        var response: Response {
            switch self {
            case .unknownChannel: SignedInAPI.refusal(.notFound, "unknown webAppId")
            case .missing: SignedInAPI.refusal(.badRequest, "webAppId and a visitorId (or a userId with its userHash) are required")
            case .badVisitorId: SignedInAPI.refusal(.badRequest, "visitorId must be 16 to 64 letters, digits or dashes, not beginning with \"u-\"")
            case .badUserId: SignedInAPI.refusal(.badRequest, "userId must be 1 to 128 characters without control characters")
            case .noIdentitySecret: SignedInAPI.refusal(.badRequest, "this channel takes no signed users (no identitySecret)")
            case .badHash: SignedInAPI.refusal(.unauthorized, "userHash is not the HMAC of userId under the channel's identity secret")
            }
        }
    }

    static func credentials(_ request: Request) -> Credentials {
        let query = request.uri.queryParameters
        return Credentials(webAppId: query["webAppId"].map(String.init), visitorId: query["visitorId"].map(String.init),
                           userId: query["userId"].map(String.init), userHash: query["userHash"].map(String.init))
    }

    static func resolve(_ credentials: Credentials, config: DeskBridgeConfig) -> Result<WebVisitor, Refusal> {
        guard let channel = credentials.webAppId.flatMap(config.webChannel) else { return .failure(.unknownChannel) }
        if let userId = credentials.userId {
            guard VisitorIdentity.isUserId(userId) else { return .failure(.badUserId) }
            guard let secret = channel.identitySecret else { return .failure(.noIdentitySecret) }
            guard let hash = credentials.userHash, VisitorIdentity.verify(userId: userId, hash: hash, secret: secret.reveal) else {
                return .failure(.badHash)
            }
            return .success(WebVisitor(channel: channel, key: ConversationKey(agent: channel.agent, conversationId: VisitorIdentity.conversationId(userId: userId)),
                                       userId: userId))
        }
        guard let visitorId = credentials.visitorId else { return .failure(.missing) }
        guard VisitorIdentity.isAnonymousId(visitorId) else { return .failure(.badVisitorId) }
        return .success(WebVisitor(channel: channel, key: ConversationKey(agent: channel.agent, conversationId: visitorId), userId: nil))
    }
}
