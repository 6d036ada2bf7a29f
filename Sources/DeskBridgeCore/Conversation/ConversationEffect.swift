import Foundation

/// A call to the Google-style API, as data (CONTRACT §4). Ids are fixed when the call is
/// created, so every retry reuses them.
package enum GoogleCall: Codable, Sendable, Equatable {
    case message(GoogleMessage)
    case event(eventId: String, GoogleEvent)
    /// The agent side's READ receipt for a user message (G§7): `PATCH …/messages/{id}/receipt`.
    case readReceipt(messageId: String)

    /// Method and path under `{apiBaseURL}`.
    package func request(conversationId: String) -> (method: String, path: String) {
        let base = "/v1/conversations/\(Self.escape(conversationId))"
        switch self {
        case .message: return ("POST", base + "/messages")
        case .event(let eventId, _): return ("POST", base + "/events?eventId=\(Self.escape(eventId))")
        case .readReceipt(let messageId): return ("PATCH", base + "/messages/\(Self.escape(messageId))/receipt")
        }
    }

    /// The request body. Throws rather than send an empty body when a value cannot be encoded.
    package func encodedBody() throws -> Data {
        let encoder = JSONEncoder.canonical()
        switch self {
        case .message(let message): return try encoder.encode(message)
        case .event(_, let event): return try encoder.encode(event)
        case .readReceipt: return Data(#"{"receiptType":"READ"}"#.utf8)
        }
    }

    /// The idempotency id: messageId or eventId.
    package var id: String {
        switch self {
        case .message(let message): message.messageId
        case .event(let eventId, _): eventId
        case .readReceipt(let messageId): "read-\(messageId)"
        }
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: pathSegmentAllowed) ?? text
    }

    /// Built once: a `CharacterSet` subtraction costs more than escaping a short id.
    private static let pathSegmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&=#"))
}

/// The body of a `Desk.SessionEventNotify` callback (CONTRACT §4).
package struct SessionEventNotification: Codable, Sendable, Equatable {
    package var CallbackCommand = "Desk.SessionEventNotify"
    package var SessionId: String
    package var Event: String
    package var EventTime: Int64
    package var ChannelType = "GBM"
    package var ClientUserId: String
    package var AgentId = ""
    package var MsgKey = ""
    package var MsgBody: [MsgElement] = []
    package var CloudCustomData = ""
    package var SatisfactionSelected: Int?
    package var ForwardFromAgentId = ""
    package var Typing: Int?
    /// `SessionEnd` / `SessionTimeout`: who ended it (`client`, `seat`, `admin`, `timer`; an addition, as the SDK's `sessionEnded`).
    package var CloseBy: String?
    /// Stable across retries: `{SessionId}-{n}`, at most 64 characters.
    package var requestId: String

    private enum CodingKeys: String, CodingKey {
        case CallbackCommand, SessionId, Event, EventTime, ChannelType, ClientUserId, AgentId, MsgKey, MsgBody
        case CloudCustomData, SatisfactionSelected, ForwardFromAgentId, Typing, CloseBy
    }

    package init(session: SessionID, event: String, at time: Date, user: ClientUserID, requestId: String) {
        self.SessionId = session.rawValue
        self.Event = event
        self.EventTime = Int64((time.timeIntervalSince1970 * 1_000).rounded())
        self.ClientUserId = user.rawValue
        self.requestId = requestId
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        SessionId = try c.decode(String.self, forKey: .SessionId)
        Event = try c.decode(String.self, forKey: .Event)
        EventTime = try c.decode(Int64.self, forKey: .EventTime)
        ClientUserId = try c.decode(String.self, forKey: .ClientUserId)
        AgentId = try c.decodeIfPresent(String.self, forKey: .AgentId) ?? ""
        MsgKey = try c.decodeIfPresent(String.self, forKey: .MsgKey) ?? ""
        MsgBody = try c.decodeIfPresent([MsgElement].self, forKey: .MsgBody) ?? []
        CloudCustomData = try c.decodeIfPresent(String.self, forKey: .CloudCustomData) ?? ""
        SatisfactionSelected = try c.decodeIfPresent(Int.self, forKey: .SatisfactionSelected)
        ForwardFromAgentId = try c.decodeIfPresent(String.self, forKey: .ForwardFromAgentId) ?? ""
        Typing = try c.decodeIfPresent(Int.self, forKey: .Typing)
        CloseBy = try c.decodeIfPresent(String.self, forKey: .CloseBy)
        requestId = ""
    }
}

/// What one step of a conversation asks the shell to do, in order.
package enum ConversationEffect: Sendable, Equatable {
    /// Deliver to the Google-style API (per-conversation order).
    case google(GoogleCall)
    /// Tell the business server (`Desk.SessionEventNotify`), if it listens.
    case notify(SessionEventNotification)
    /// The agent takes one more session: load + 1, only if still Available and under `limit`.
    case occupy(AgentID, limit: Int)
    /// The agent frees one session: load − 1; queued sessions may now be assigned.
    case release(AgentID)
    /// POST an interface call node's request; its result comes back as an internal event.
    case callInterface(InterfaceCall, session: SessionID)
    /// Ask the business server whom to assign (`ChatBot.OnAssignHuman`); the answer comes back as an internal event.
    case requestAssignment(AssignHumanRequest)
    /// Change an agent's status (an agent who missed an offer goes to Rest with `breakOnTimeout`).
    case setAgentStatus(AgentID, DeskConfig.AgentStatus)
    /// Keep a message in the session's records.
    case record(MessageRecord)
    /// Keep an ended session's summary in the records.
    case archive(SessionSummary)
}

/// The body of `ChatBot.OnAssignHuman` (CONTRACT §4), plus the RequestID that stays the same across retries.
package struct AssignHumanRequest: Codable, Sendable, Equatable {
    package var CallbackCommand = "ChatBot.OnAssignHuman"
    package var SessionId: String
    package var ClientUserId: String
    package var EventTime: Int64
    package var ConversationId: String
    package var Agent: String
    package var EntryPoint: String
    package var PlaceId: String
    package var Locale: String
    package var UserName: String
    package var SkillGroupId: Int?
    package var Variables: [String: String]
    package var LastAgentId: String
    package var requestId: String

    private enum CodingKeys: String, CodingKey {
        case CallbackCommand, SessionId, ClientUserId, EventTime, ConversationId, Agent, EntryPoint, PlaceId, Locale, UserName, SkillGroupId, Variables, LastAgentId
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        SessionId = try c.decode(String.self, forKey: .SessionId)
        ClientUserId = try c.decode(String.self, forKey: .ClientUserId)
        EventTime = try c.decode(Int64.self, forKey: .EventTime)
        ConversationId = try c.decode(String.self, forKey: .ConversationId)
        Agent = try c.decode(String.self, forKey: .Agent)
        EntryPoint = try c.decodeIfPresent(String.self, forKey: .EntryPoint) ?? ""
        PlaceId = try c.decodeIfPresent(String.self, forKey: .PlaceId) ?? ""
        Locale = try c.decodeIfPresent(String.self, forKey: .Locale) ?? ""
        UserName = try c.decodeIfPresent(String.self, forKey: .UserName) ?? ""
        SkillGroupId = try c.decodeIfPresent(Int.self, forKey: .SkillGroupId)
        Variables = try c.decodeIfPresent([String: String].self, forKey: .Variables) ?? [:]
        LastAgentId = try c.decodeIfPresent(String.self, forKey: .LastAgentId) ?? ""
        requestId = ""
    }

    init(session: SessionID, user: ClientUserID, at time: Date, key: ConversationKey, profile: UserProfile, group: SkillGroupID?,
         variables: [String: String], lastAgent: AgentID?, requestId: String) {
        SessionId = session.rawValue
        ClientUserId = user.rawValue
        EventTime = Int64((time.timeIntervalSince1970 * 1_000).rounded())
        ConversationId = key.conversationId
        Agent = key.agent
        EntryPoint = profile.entryPoint ?? ""
        PlaceId = profile.placeId ?? ""
        Locale = profile.locale ?? ""
        UserName = profile.displayName ?? ""
        SkillGroupId = group?.rawValue
        Variables = variables
        LastAgentId = lastAgent?.rawValue ?? ""
        self.requestId = requestId
    }
}

/// The business server's answer to `OnAssignHuman`, or why there is none.
package struct AssignHumanAnswer: Codable, Sendable, Equatable {
    package var agentIdList: [AgentID]
    package var agentGroupId: SkillGroupID?
    /// Set when the call failed: timeout, HTTP error, `ErrorCode` ≠ 0, garbage.
    package var failure: String?
    package var latencyMs: Int

    package init(agentIdList: [AgentID], agentGroupId: SkillGroupID?, failure: String?, latencyMs: Int) {
        self.agentIdList = agentIdList
        self.agentGroupId = agentGroupId
        self.failure = failure
        self.latencyMs = latencyMs
    }
}

/// An event DeskBridge itself appends to a conversation's inbound log, processed in order
/// with the webhooks.
package enum InternalEvent: Codable, Sendable, Equatable {
    /// The outcome of an interface call: values from the answer, or nil when every attempt failed.
    case interfaceResult(session: SessionID, callId: String, values: [String: String]?, error: String?)
    /// The business server's answer to `OnAssignHuman` for request `requestId`.
    case assignmentAnswer(session: SessionID, requestId: String, answer: AssignHumanAnswer)
}
