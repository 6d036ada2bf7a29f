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
    /// The rating card last offered, which a tap (or its exact text) answers until it expires.
    package var ratingCard: RatingCard?
    /// The last ended session's summary, updated when its rating arrives.
    package var lastEnded: SessionSummary?

    package init(key: ConversationKey) { self.key = key }

    package var clientUserId: ClientUserID { key.clientUserId }

    /// When the open session next needs attention without any input; stores index it.
    package var timerDue: Date? { session?.nextTimer }

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

/// A satisfaction card offered for one session (src 9): its chips and how long it is valid.
package struct RatingCard: Codable, Sendable, Equatable {
    package var session: SessionID
    package var ref: String
    package var options: [String]
    package var expiresAt: Date
    package var score: Int?
    package var ratedAt: Date?
    /// Taps after the first or after expiry: recorded, never counted.
    package var ignored: [String] = []
    /// The card's own id (its src 9 `sessionId`); nil on cards stored before it existed.
    package var cardId: String?
    /// Each option's id (`menu[].id`); nil: "1" … "n".
    package var optionIds: [String]?

    /// A UUID-shaped id for the card offered in `session` at `time`: the same on every replay.
    package static func id(session: SessionID, at time: Date) -> String {
        SessionID.derive(conversation: ConversationKey(agent: "rating", conversationId: session.rawValue), ordinal: Int((time.timeIntervalSince1970 * 1_000).rounded())).rawValue
    }
}

/// A submitted rating (CONTRACT §3 `Satisfaction`).
package struct Rating: Codable, Sendable, Equatable {
    package var score: Int
    package var time: Date

    package init(score: Int, time: Date) {
        self.score = score
        self.time = time
    }
}

/// A session offered to an agent who must accept before `until`.
package struct Offer: Codable, Sendable, Equatable {
    package var agent: AgentID
    package var until: Date
    package var limit: Int
}

/// Agents who let this session's offer expire, and the group's agents as they were then.
///
/// They are not offered the session again until every other eligible agent has had it, or until
/// something really changed (an agent's status or load differs from `seen`); the session waits in
/// the queue meanwhile. Without this, two agents who never accept would be offered the session in
/// turn forever.
package struct MissedOffers: Codable, Sendable, Equatable {
    package var agents: [AgentID]
    /// `status/load` per agent of the group, after the last expiry was applied.
    package var seen: [String: String]

    /// The group's agents as routing sees them, for comparison with `seen`.
    package static func signature(_ routing: RoutingSnapshot, group: SkillGroupID) -> [String: String] {
        Dictionary(uniqueKeysWithValues: routing.agents.filter { $0.groups[group] != nil }.map { ($0.id.rawValue, "\($0.status.rawValue)/\($0.load)") })
    }

    /// What changed since `seen`, in words for the assignment record; nil when nothing did.
    package func change(in routing: RoutingSnapshot, group: SkillGroupID) -> String? {
        let now = Self.signature(routing, group: group)
        guard now != seen else { return nil }
        for (agent, state) in now.sorted(by: { $0.key < $1.key }) where state != seen[agent] {
            let (was, isNow) = (seen[agent]?.split(separator: "/") ?? [], state.split(separator: "/"))
            if isNow.first == "Available", was.first != "Available" { return "\(agent) became Available" }
            if let before = was.last.flatMap({ Int($0) }), let after = isNow.last.flatMap({ Int($0) }), after < before { return "\(agent) has room again" }
        }
        return "the group's agents changed"
    }
}

/// An `OnAssignHuman` call in flight.
package struct PendingAssignment: Codable, Sendable, Equatable {
    package var requestId: String
    package var group: SkillGroupID
    package var requestedAt: Date
}

/// One assignment decision (CONTRACT §3 `Assignments`): who was considered, who got it, and why.
package struct AssignmentRecord: Codable, Sendable, Equatable {
    package var time: Date
    package var strategy: String
    package var candidates: [AgentID]
    package var agentId: AgentID?
    /// `assigned`, `offered`, `queued`, `failed`, `afterHours`, `fallback`, `redirected`, `transferred`.
    package var outcome: String
    package var reason: String
    package var latencyMs: Int?

    package init(time: Date, strategy: String, candidates: [AgentID], agentId: AgentID?, outcome: String, reason: String, latencyMs: Int?) {
        self.time = time
        self.strategy = strategy
        self.candidates = candidates
        self.agentId = agentId
        self.outcome = outcome
        self.reason = reason
        self.latencyMs = latencyMs
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
    /// An offer waiting for `accept_session` (manual reception), with its deadline.
    package var offer: Offer?
    /// Agents who let an offer of this transfer expire (see `MissedOffers`).
    package var missedOffers: MissedOffers?
    /// Google ids of user messages a human holder has not marked read yet.
    package var unread: [String]?
    /// When the oldest user message the holding agent has not answered yet arrived (the console
    /// shows it); cleared by the agent's next message.
    package var userWaitingSince: Date?
    /// An assignment webhook call waiting for its answer.
    package var pendingAssignment: PendingAssignment?
    /// The user is choosing a skill group (`userChoice`).
    package var choosingGroup = false
    /// The queue position last announced, and when (position updates are rate-limited).
    package var announcedPosition: Int?
    package var announcedAt: Date?
    /// Every assignment decision of the session, for the records.
    package var assignments: [AssignmentRecord] = []
    /// When the session closes if the user does not answer the last bot or agent message.
    package var idleDeadline: Date?
    /// An agent started this session (`desk.proactive`): it closes then unless the user answers first.
    package var proactiveUntil: Date?
    /// When an agent's typing indicator is stopped if no message follows.
    package var typingUntil: Date?
    /// Until when the user counts as typing (its channel said so), for the agent's workbench.
    package var userTypingUntil: Date?
    /// Every agent who held the session, in order.
    package var agentIds: [AgentID] = []
    /// The user's rating of this session, once given.
    package var satisfaction: Rating?

    package init(id: SessionID, startedAt: Date, flow: FlowCursor) {
        self.id = id
        self.startedAt = startedAt
        self.flow = flow
    }

    /// The earliest timer this session has running (offer deadline, idle closure, typing stop), if any.
    package var nextTimer: Date? { [offer?.until, idleDeadline, typingUntil].compactMap { $0 }.min() }

    /// Tencent `CurrentState` for `get_session_state`.
    package var deskState: String {
        switch ownership.owner {
        case .bot: "Chatbot"
        case .queued: "Queueing"
        case .offered: "WaitingForAgentAnswering"
        case .agent: "Agent"
        case .closed: "NotInSession"
        }
    }
}
