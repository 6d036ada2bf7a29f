import DeskBridgeCore
import Foundation

/// Why a store call failed, in terms the callers act on.
package enum StoreError: Error, Equatable, Sendable {
    /// Someone else changed the conversation first; reload and recompute.
    case conflict
    /// An agent could not take one more session (no longer Available or at its limit); reload and recompute.
    case agentUnavailable(AgentID)
    /// The store cannot be reached or written (answered 503 at the edge).
    case unavailable(String)
    /// A stored row holds a value this version does not know (an outbox target, a delivery
    /// state): refused rather than read as some default.
    case corrupt(String)
}

/// How an ingest ended.
package enum AcceptOutcome: Sendable, Equatable {
    case accepted(seq: Int64)
    case duplicate
}

/// A webhook as stored: the raw body exactly as Google sent it, in conversation order.
package struct InboundRecord: Sendable, Equatable {
    package var conversation: ConversationKey
    package var seq: Int64
    package var receivedAt: Date
    package var body: Data
    package var clientIP: String?
    /// An event DeskBridge appended itself (`InternalEvent` JSON), not a webhook.
    package var isInternal: Bool

    package init(conversation: ConversationKey, seq: Int64, receivedAt: Date, body: Data, clientIP: String?, isInternal: Bool = false) {
        self.conversation = conversation
        self.seq = seq
        self.receivedAt = receivedAt
        self.body = body
        self.clientIP = clientIP
        self.isInternal = isInternal
    }
}

/// A conversation document and the version its next commit must match.
package struct StoredConversation: Sendable, Equatable {
    package var key: ConversationKey
    /// Nil until the first event has been processed.
    package var state: ConversationState?
    package var version: Int64
    package var processedSeq: Int64
    package var lastClientIP: String?
    /// The user is on the blacklist: its webhooks are kept but start nothing.
    package var blocked: Bool

    package init(key: ConversationKey, state: ConversationState?, version: Int64, processedSeq: Int64, lastClientIP: String? = nil, blocked: Bool = false) {
        self.key = key
        self.state = state
        self.version = version
        self.processedSeq = processedSeq
        self.lastClientIP = lastClientIP
        self.blocked = blocked
    }
}

/// Where an outbound call goes. Base URLs and credentials are applied at delivery time.
package enum OutboxTarget: String, Sendable, Codable, CaseIterable {
    case google
    case sessionEvents
    /// A flow's interface call; the body is an `InterfaceCallJob`.
    case interface
    /// `ChatBot.OnAssignHuman`; the body is an `AssignHumanRequest`.
    case assignment
}

/// An interface call as stored in the outbox: which session asked, and the call.
package struct InterfaceCallJob: Codable, Sendable, Equatable {
    package var session: SessionID
    package var call: InterfaceCall
    package init(session: SessionID, call: InterfaceCall) {
        self.session = session
        self.call = call
    }
}

/// An outbound call to be stored with the commit that caused it.
package struct OutboxDraft: Sendable, Equatable {
    package var target: OutboxTarget
    package var method: String
    /// Path (and query) under the target's base URL; empty for callbacks.
    package var path: String
    package var body: Data
    /// The idempotency id the call carries (messageId, eventId, RequestID).
    package var callId: String
    package var clientIP: String?

    package init(target: OutboxTarget, method: String, path: String, body: Data, callId: String, clientIP: String? = nil) {
        self.target = target
        self.method = method
        self.path = path
        self.body = body
        self.callId = callId
        self.clientIP = clientIP
    }
}

/// Everything one processed step changes, written atomically or not at all.
package struct ConversationCommit: Sendable {
    package var key: ConversationKey
    package var expectedVersion: Int64
    package var state: ConversationState
    /// The inbound event this step consumed, if it came from one.
    package var processedSeq: Int64?
    package var outbox: [OutboxDraft]
    package var occupy: [(agent: AgentID, limit: Int)]
    package var release: [AgentID]
    package var statusChanges: [(agent: AgentID, status: DeskConfig.AgentStatus)]
    /// Messages for the records, and session summaries to insert or replace.
    package var records: [MessageRecord] = []
    package var sessions: [SessionSummary] = []
    package var now: Date

    package init(key: ConversationKey, expectedVersion: Int64, state: ConversationState, processedSeq: Int64?, outbox: [OutboxDraft],
                 occupy: [(agent: AgentID, limit: Int)], release: [AgentID], statusChanges: [(agent: AgentID, status: DeskConfig.AgentStatus)] = [],
                 now: Date) {
        self.statusChanges = statusChanges
        self.key = key
        self.expectedVersion = expectedVersion
        self.state = state
        self.processedSeq = processedSeq
        self.outbox = outbox
        self.occupy = occupy
        self.release = release
        self.now = now
    }

    /// The lane an outbox row is ordered in: one per conversation and target.
    package static func lane(_ key: ConversationKey, _ target: OutboxTarget) -> String { "\(key.storageKey)|\(target.rawValue)" }
}

/// A stored outbound call, as a delivery worker claims it.
extension OutboxTarget {
    /// A stored target; an unknown one is `StoreError.corrupt` naming the row, never a default.
    package static func stored(_ raw: String, row: Int64) throws(StoreError) -> OutboxTarget {
        guard let target = OutboxTarget(rawValue: raw) else { throw .corrupt("outbox row \(row) has an unknown target \"\(raw)\"") }
        return target
    }
}

extension OutboxItem.State {
    /// A stored delivery state; an unknown one is `StoreError.corrupt` naming the row.
    package static func stored(_ raw: Int, row: Int64) throws(StoreError) -> OutboxItem.State {
        guard let state = OutboxItem.State(rawValue: raw) else { throw .corrupt("outbox row \(row) has an unknown state \(raw)") }
        return state
    }
}

extension DeskConfig.AgentStatus {
    /// A stored agent status; an unknown one is `StoreError.corrupt` naming the agent, never Offline.
    package static func stored(_ raw: String, agent: String) throws(StoreError) -> DeskConfig.AgentStatus {
        guard let status = DeskConfig.AgentStatus(rawValue: raw) else { throw .corrupt("agent \(agent) has an unknown status \"\(raw)\"") }
        return status
    }

    /// An agent's stored skill groups (`[[group, priority], …]`); anything else is `StoreError.corrupt`.
    package static func storedGroups(_ json: String, agent: String) throws(StoreError) -> [SkillGroupID: Int] {
        guard let pairs = try? JSONDecoder().decode([[Int]].self, from: Data(json.utf8)), pairs.allSatisfy({ $0.count == 2 }) else {
            throw .corrupt("agent \(agent) has unreadable skill groups")
        }
        return Dictionary(pairs.map { (SkillGroupID($0[0]), $0[1]) }) { first, _ in first }
    }
}

package struct OutboxItem: Sendable, Equatable {
    package enum State: Int, Sendable, Codable { case pending = 0, delivered = 1, failed = 2 }

    package var id: Int64
    package var lane: String
    package var conversation: ConversationKey
    package var target: OutboxTarget
    package var method: String
    package var path: String
    package var body: Data
    package var callId: String
    package var clientIP: String?
    package var attempts: Int
    package var firstAttemptAt: Date?
    package var state: State
    package var lastError: String?

    package init(id: Int64, lane: String, conversation: ConversationKey, target: OutboxTarget, method: String, path: String, body: Data,
                 callId: String, clientIP: String?, attempts: Int, firstAttemptAt: Date?, state: State, lastError: String?) {
        self.id = id
        self.lane = lane
        self.conversation = conversation
        self.target = target
        self.method = method
        self.path = path
        self.body = body
        self.callId = callId
        self.clientIP = clientIP
        self.attempts = attempts
        self.firstAttemptAt = firstAttemptAt
        self.state = state
        self.lastError = lastError
    }
}

/// How a delivery attempt is recorded.
package enum DeliveryRecord: Sendable, Equatable {
    case delivered
    case retry(at: Date, error: String)
    case failed(error: String)
}

/// An agent as configured at first start; afterwards the stored status wins.
package struct AgentSeed: Sendable, Equatable {
    package var id: AgentID
    package var status: DeskConfig.AgentStatus
    package var groups: [SkillGroupID: Int]

    package init(id: AgentID, status: DeskConfig.AgentStatus, groups: [SkillGroupID: Int]) {
        self.id = id
        self.status = status
        self.groups = groups
    }
}

/// Everything the records keep about one conversation (CONTRACT §3 `get_session_records`).
package struct ConversationRecords: Sendable, Equatable {
    package var sessions: [SessionSummary]
    package var messages: [MessageRecord]
    /// Google calls by message id, for each message's delivery state.
    package var deliveries: [String: OutboxItem]

    package init(sessions: [SessionSummary], messages: [MessageRecord], deliveries: [String: OutboxItem]) {
        self.sessions = sessions
        self.messages = messages
        self.deliveries = deliveries
    }
}

/// Both SQL stores keep times as integer milliseconds since 1970: exact, sortable and indexable.
extension Date {
    package var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1_000).rounded()) }
    package init(unixMillis: Int64) { self.init(timeIntervalSince1970: Double(unixMillis) / 1_000) }
}

/// The kinds of stored data `storage.retention` removes once they are old enough.
package enum RetentionKind: String, Sendable, CaseIterable {
    /// Raw webhook bodies (and DeskBridge's own appended events) that were processed.
    case webhooks
    /// The bodies of calls that were delivered or failed for good. The row itself (state,
    /// attempts, last error) stays, so the records still say truthfully how each message fared.
    case deliveredCalls
    /// The ids repeats are recognised by.
    case dedupe
    /// Ended sessions (summary and messages) and the slim call rows their messages pointed to.
    case records
}

/// A picture a website visitor sent (README "Website channel"), served back at
/// `/web/im/files/<id>`. Kept with the records: erased with its user, removed after `recordDays`.
package struct StoredUpload: Sendable, Equatable {
    /// 32 random bytes, hex: the URL is the only key to it.
    package var id: String
    package var conversation: ConversationKey
    package var contentType: String
    package var bytes: Data
    package var createdAt: Date

    package init(id: String, conversation: ConversationKey, contentType: String, bytes: Data, createdAt: Date) {
        self.id = id
        self.conversation = conversation
        self.contentType = contentType
        self.bytes = bytes
        self.createdAt = createdAt
    }
}

/// What erasing one user removed: counts only, so the audit trail keeps no content.
package struct ErasedData: Sendable, Equatable, Codable {
    package var conversations = 0
    package var sessions = 0
    package var messages = 0
    package var webhooks = 0
    package var calls = 0
    package var dedupeEntries = 0
    package var uploads = 0
    package init() {}
}

/// How an erasure ended.
package enum EraseOutcome: Sendable, Equatable {
    case erased(ErasedData)
    /// No conversation belongs to that user; nothing changed.
    case unknownUser
    /// A session is open (in this desk state); nothing changed.
    case sessionOpen(String)
}

/// One entry of the audit trail: who did what, when, to what, with the before and after (as
/// JSON text) where there is one. Never the content of a conversation.
package struct AuditEntry: Sendable, Equatable, Codable {
    package var id: Int64
    package var at: Date
    package var actor: String
    package var action: String
    package var subject: String
    package var detail: String

    package init(id: Int64 = 0, at: Date, actor: String, action: String, subject: String, detail: String = "{}") {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// The dedupe-key ranges that belong to one conversation, for an index range scan
/// (`key >= lower AND key < upper`): each prefix ends in `:`, and `;` is the next character.
package enum DedupePrefix {
    package static func ranges(_ conversation: ConversationKey) -> [(lower: String, upper: String)] {
        GoogleWebhook.dedupePrefixes(of: conversation).map { ($0, String($0.dropLast()) + ";") }
    }
}

/// The audit detail of an erasure: the counts, as JSON text.
package enum AuditDetail {
    package static func json(_ erased: ErasedData) -> String { text(erased) }

    /// Sorted-key JSON text; `{}` should a value ever fail to encode (these are plain counts and strings).
    static func text(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The subject an erasure is audited under: a digest of the user id, not the id itself.
    package static func subject(_ clientUserId: ClientUserID) -> String {
        "ClientUserId sha256:" + Hex.sha256(clientUserId.rawValue)
    }
}

/// The detail of an audited change: the value before and after, as JSON text.
package enum AuditChange {
    package static func json(before: String, after: String) -> String { AuditDetail.text(["after": after, "before": before]) }
}

/// A user the desk no longer serves (the console's blacklist): its webhooks are answered 200
/// and kept, but start no flow, reach no agent and call nobody.
package struct BlockedUser: Sendable, Equatable, Codable {
    package var clientUserId: ClientUserID
    package var reason: String
    package var since: Date
    package var by: String

    package init(clientUserId: ClientUserID, reason: String, since: Date, by: String) {
        self.clientUserId = clientUserId
        self.reason = reason
        self.since = since
        self.by = by
    }
}

/// What the service-record search asks of the store: the date range, the user and a keyword in
/// the messages' text are narrowed in SQL, newest first, at most `scanLimit` sessions; the caller
/// filters those by agent, group, rating and who ended them.
package struct SessionSearch: Sendable, Equatable {
    package var from: Date
    package var to: Date
    package var user: ClientUserID?
    /// Matched case-insensitively inside the text of the messages (`TIMTextElem`), both ways.
    package var keyword: String?
    package var scanLimit: Int

    package init(from: Date, to: Date, user: ClientUserID? = nil, keyword: String? = nil, scanLimit: Int = 2_000) {
        self.from = from
        self.to = to
        self.user = user
        self.keyword = keyword
        self.scanLimit = scanLimit
    }

    /// The keyword holds `%`, `_` or `\`, which its pattern escapes.
    package var keywordHasWildcards: Bool { keyword?.contains { "%_\\".contains($0) } ?? false }

    /// The keyword as a `LIKE` pattern, its own `%`, `_` and `\` taken literally.
    package var likePattern: String? {
        keyword.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
    }
}

/// A session the search found, with its conversation.
package struct FoundSession: Sendable, Equatable {
    package var conversation: ConversationKey
    package var summary: SessionSummary

    package init(conversation: ConversationKey, summary: SessionSummary) {
        self.conversation = conversation
        self.summary = summary
    }
}
