import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// Request bodies of the desk APIs (CONTRACT §3). Unknown fields are ignored, as Tencent does.
struct SendMsgRequest: Decodable {
    var From_Account: String?
    var To_Account: String?
    var MsgRandom: UInt32?
    var MsgBody: [MsgElement]?
    var CloudCustomData: String?
}

struct SessionRequest: Decodable {
    var SessionId: String?
    var ClientUserId: String?
    var AgentId: String?
}

struct TransferRequest: Decodable {
    var SessionId: String?
    var AgentIdList: [String]?
    var AgentGroupId: Int?
    var AgentId: String?
    var SendTipIfNoAgentOnline: Int?
}

struct SDKLoginRequest: Decodable {
    var UserId: String?
}

struct AuditTrailRequest: Decodable {
    var Limit: Int?
}

struct AgentStatusRequest: Decodable {
    var AgentId: String?
    var Status: String?
    /// With `Rest`: one of `desk.restReasons` (an addition to CONTRACT §3).
    var RestReason: String?
}

/// The Tencent envelope every desk answer has: HTTP 200 always, the result in the body.
struct DeskAnswer: Encodable {
    var ActionStatus = "OK"
    var ErrorCode = 0
    var ErrorInfo = ""
    var MsgTime: Int64?
    var MsgKey: String?
    var SessionId: String?
    var CurrentState: String?
    var AgentId: String?
    var IsInQueue: Int?
    var Sessions: [SessionRecordsAnswer]?
    var SdkURL: String?
    var Erased: ErasedAnswer?
    var FlowsVersion: String?
    var FlowsChanged: Int?
    var RestartNeeded: [String]?
    var Problems: [String]?
    var AuditTrail: [AuditAnswer]?
    // The agent's reads (AgentDeskRoutes): additions to CONTRACT §3.
    var AgentSessions: [AgentSessionAnswer]?
    var QueuedSessions: [AgentSessionAnswer]?
    var SkillGroups: [SkillGroupAnswer]?
    var Messages: [SessionRecordsAnswer.Message]?
    var NextCursor: Int?
    var Complete: Int?
    var QuickReplies: [QuickReplyAnswer]?
    var FreeAgents: [FreeAgentAnswer]?

    static func failure(_ code: Int, _ info: String) -> DeskAnswer {
        DeskAnswer(ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: info)
    }
}

/// What `erase_user_data` removed, by kind.
struct ErasedAnswer: Encodable {
    var Conversations, Sessions, Messages, Webhooks, Calls, DedupeEntries: Int

    init(_ erased: ErasedData) {
        Conversations = erased.conversations
        Sessions = erased.sessions
        Messages = erased.messages
        Webhooks = erased.webhooks
        Calls = erased.calls
        DedupeEntries = erased.dedupeEntries
    }
}

/// One entry of `get_audit_trail`; `Time` is unix milliseconds, `Detail` JSON text.
struct AuditAnswer: Encodable {
    var Id: Int64
    var Time: Int64
    var Actor: String
    var Action: String
    var Subject: String
    var Detail: String

    init(_ entry: AuditEntry) {
        Id = entry.id
        Time = entry.at.unixMillis
        Actor = entry.actor
        Action = entry.action
        Subject = entry.subject
        Detail = entry.detail
    }
}

/// One session of `get_session_records` (CONTRACT §3); times are unix milliseconds.
struct SessionRecordsAnswer: Encodable {
    struct Message: Encodable {
        struct Delivery: Encodable { var State: String; var Attempts: Int; var LastError: String }
        var Time: Int64
        var Direction: String
        var Sender: String
        var AgentId: String
        var MsgKey: String
        var MsgBody: [MsgElement]
        var Delivery: Delivery?
    }
    struct Assignment: Encodable {
        var Time: Int64
        var Strategy: String
        var Candidates: [String]
        var AgentId: String
        var Outcome: String
        var Reason: String
        var LatencyMs: Int?
    }
    struct Rating: Encodable { var Score: Int; var Time: Int64 }

    var SessionId: String
    var State: String
    var StartTime: Int64
    var EndTime: Int64?
    var AgentIds: [String]
    var Messages: [Message]
    var Assignments: [Assignment]
    var Satisfaction: Rating?
    /// Additions: the user's receipts (message name → type) and Google survey answers.
    var Receipts: [String: String]
    var SurveyAnswers: [String]
    /// An addition: who ended the session (`client`, `seat`, `admin`, `timer`), once ended.
    var CloseBy: String?

    static func sessions(_ records: ConversationRecords) -> [SessionRecordsAnswer] {
        records.sessions.map { summary in
            SessionRecordsAnswer(
                SessionId: summary.session.rawValue, State: summary.state, StartTime: millis(summary.startTime), EndTime: summary.endTime.map(millis),
                AgentIds: summary.agentIds.map(\.rawValue),
                Messages: records.messages.filter { $0.session == summary.session }.map { message(for: $0, records.deliveries) },
                Assignments: summary.assignments.map {
                    Assignment(Time: millis($0.time), Strategy: $0.strategy, Candidates: $0.candidates.map(\.rawValue), AgentId: $0.agentId?.rawValue ?? "",
                               Outcome: $0.outcome, Reason: $0.reason, LatencyMs: $0.latencyMs)
                },
                Satisfaction: summary.satisfaction.map { Rating(Score: $0.score, Time: millis($0.time)) }, Receipts: summary.receipts,
                SurveyAnswers: summary.surveyAnswers, CloseBy: summary.closeBy)
        }
    }

    /// A message's delivery is the least finished of its calls: Failed, else Pending, else Delivered.
    private static func message(for record: MessageRecord, _ deliveries: [String: OutboxItem]) -> Message {
        let calls = record.callIds.compactMap { deliveries[$0] }
        var delivery: Message.Delivery?
        if record.direction == .Out {
            let state = calls.contains { $0.state == .failed } ? "Failed" : calls.contains { $0.state == .pending } || calls.count < record.callIds.count ? "Pending" : "Delivered"
            delivery = .init(State: state, Attempts: calls.map(\.attempts).max() ?? 0, LastError: calls.compactMap(\.lastError).last ?? "")
        }
        return Message(Time: millis(record.time), Direction: record.direction.rawValue, Sender: record.sender.rawValue, AgentId: record.agentId?.rawValue ?? "",
                       MsgKey: record.msgKey, MsgBody: record.msgBody, Delivery: delivery)
    }

    private static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
}
