import Foundation

/// Everything DeskBridge remembers about one conversation, persisted as one document.
package struct ConversationState: Codable, Sendable, Equatable {
    package var key: ConversationKey
    package var profile = UserProfile()
    /// The open session, if any; at most one per conversation.
    package var session: Session?
    package var sessionCount = 0
    package var lastSessionId: SessionID?
    package var lastAgentId: AgentID?
    /// Counter behind MsgKeys, so outbound ids never repeat within the conversation.
    package var outboundSeq = 0
    /// When a `User.Typing` event last went out, per value ("1"/"0"), for the 3 s rate limit.
    package var typingNotifiedAt: [String: Date] = [:]

    package init(key: ConversationKey) { self.key = key }

    package var clientUserId: ClientUserID { key.clientUserId }

    /// The queue a waiting session sits in, and since when; stores index it.
    package var queuePosition: (group: SkillGroupID, since: Date)? {
        guard let session, case .queued(let group) = session.ownership.owner, let since = session.queuedAt else { return nil }
        return (group, since)
    }
}

/// What Google told us about the user (G§1.2), kept for variables and callbacks.
package struct UserProfile: Codable, Sendable, Equatable {
    package var displayName: String?
    package var locale: String?
    package var entryPoint: String?
    package var placeId: String?

    package init() {}

    mutating func absorb(_ context: GoogleContext?) {
        guard let context else { return }
        displayName = context.userInfo?.displayName ?? displayName
        locale = context.locale ?? locale
        entryPoint = context.entryPoint ?? entryPoint
        placeId = context.placeId ?? context.nearPlaceId ?? placeId
    }
}

/// One run of the session service flow.
package struct Session: Codable, Sendable, Equatable {
    package var id: SessionID
    package var startedAt: Date
    package var flow: FlowCursor
    package var ownership = Ownership()
    package var skillGroup: SkillGroupID?
    package var queuedAt: Date?
    /// Counter behind event ids and callback RequestIDs within the session.
    package var eventSeq = 0
    package var variables: [String: String] = [:]
    /// The last menu shown (by the flow or an agent), so a chip tap maps back to its exact text.
    package var openMenu: TencentToGoogle.OfferedMenu?
    /// Receipts the user's device sent: message name → latest receipt type.
    package var receipts: [String: String] = [:]
    /// Google survey answers recorded on the session (`rating`, or the tapped answer).
    package var surveyAnswers: [String] = []

    package init(id: SessionID, startedAt: Date, flow: FlowCursor) {
        self.id = id
        self.startedAt = startedAt
        self.flow = flow
    }

    /// Tencent `CurrentState` for `get_session_state`.
    package var deskState: String {
        switch ownership.owner {
        case .bot: "Chatbot"
        case .queued: "Queueing"
        case .agent: "Agent"
        case .closed: "NotInSession"
        }
    }
}
