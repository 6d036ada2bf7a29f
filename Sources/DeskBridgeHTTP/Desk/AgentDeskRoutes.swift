import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Hummingbird

/// The reads behind the workbench as Tencent-style desk APIs (additions to CONTRACT §3, README
/// "Desk APIs"), for a business that builds its own agent front end: an agent's sessions and its
/// groups' queues, a session's messages page by page, the quick replies, the free agents of a
/// group for a transfer, and proactive contact. An agent's UserSig reads only its own.
extension DeskRoutes {
    func registerAgentReads(on router: Router<DeskRequestContext>) {
        route(router, "/v4/desk_http_svc/get_agent_sessions") { identity, data in
            let found = try await commands.agentSessions(as: identity, agentId: try decode(SessionRequest.self, data).AgentId)
            return DeskAnswer(AgentSessions: found.mine.compactMap(AgentSessionAnswer.init), QueuedSessions: found.queued.compactMap(AgentSessionAnswer.init),
                              SkillGroups: found.groups.map { SkillGroupAnswer(SkillGroupId: $0.group.id.rawValue, SkillGroupName: $0.group.name, WaitingCount: $0.waiting) })
        }
        route(router, "/v4/desk_http_svc/get_session_messages") { identity, data in
            let request = try decode(SessionMessagesRequest.self, data)
            let page = try await commands.transcriptPage(as: identity, sessionId: request.SessionId, cursor: request.Cursor ?? 0, limit: request.Limit ?? 50)
            let messages = SessionRecordsAnswer.sessions(page.records).flatMap(\.Messages)
            return DeskAnswer(Messages: messages, NextCursor: page.nextCursor, Complete: page.nextCursor == nil ? 1 : 0)
        }
        route(router, "/v4/desk_http_svc/get_quick_replies") { _, data in
            let keyword = try decode(QuickRepliesRequest.self, data).Keyword ?? ""
            return DeskAnswer(QuickReplies: try await commands.quickReplies(matching: keyword).map { QuickReplyAnswer(Group: $0.group, Replies: $0.replies) })
        }
        route(router, "/v4/desk_http_svc/get_free_agents") { identity, data in
            let free = try await commands.freeAgents(as: identity, group: try decode(TransferRequest.self, data).AgentGroupId)
            return DeskAnswer(FreeAgents: free.map {
                FreeAgentAnswer(AgentId: $0.agent.id.rawValue, NickName: $0.agent.nickname, Status: $0.snapshot.status.rawValue, Load: $0.snapshot.load,
                                ReceptionLimit: $0.limit)
            })
        }
        route(router, "/v4/desk_http_svc/contact_user") { identity, data in
            DeskAnswer(SessionId: try await commands.contact(as: identity, clientUserId: try decode(SessionRequest.self, data).ClientUserId))
        }
    }
}

struct SessionMessagesRequest: Decodable {
    var SessionId: String?
    /// Where the page starts: 0, or the `NextCursor` of the page before.
    var Cursor: Int?
    /// 1 to 100; 50 when absent.
    var Limit: Int?
}

struct QuickRepliesRequest: Decodable {
    var Keyword: String?
}

/// A session in an agent's list; `OfferExpireTime` is unix milliseconds.
struct AgentSessionAnswer: Encodable {
    var SessionId: String
    var ClientUserId: String
    var UserName: String
    /// `WaitingForAgentAnswering`, `Agent` or `Queueing`.
    var State: String
    var SkillGroupId: Int?
    var OfferExpireTime: Int64?

    init?(_ state: ConversationState) {
        guard let session = state.session else { return nil }
        SessionId = session.id.rawValue
        ClientUserId = state.clientUserId.rawValue
        UserName = state.profile.displayName ?? "User"
        State = session.deskState
        SkillGroupId = session.skillGroup?.rawValue
        OfferExpireTime = session.offer?.until.unixMillis
    }
}

struct SkillGroupAnswer: Encodable {
    var SkillGroupId: Int
    var SkillGroupName: String
    var WaitingCount: Int
}

struct QuickReplyAnswer: Encodable {
    var Group: String
    var Replies: [String]
}

struct FreeAgentAnswer: Encodable {
    var AgentId: String
    var NickName: String
    var Status: String
    var Load: Int
    var ReceptionLimit: Int
}
