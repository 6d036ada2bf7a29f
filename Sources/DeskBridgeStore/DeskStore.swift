import DeskBridgeCore
import Foundation

/// Storage for webhooks, conversations, agents and the outbox.
///
/// Every write that changes a conversation goes through `commit`, which checks the version
/// it read (optimistic concurrency). Claims and order live in the database, so several
/// processes sharing one database stay correct.
package protocol DeskStore: SignInStore, QuickReplyStore, DeskSettingsStore, DeskDirectoryStore, AgentStatusHistoryStore, AnalysisStore {
    // MARK: Ingest
    /// Stores a webhook durably, unless one of `dedupeKeys` was seen before.
    func accept(_ conversation: ConversationKey, dedupeKeys: [String], body: Data, clientIP: String?, receivedAt: Date) async throws -> AcceptOutcome

    // MARK: Conversations
    func conversationsWithPendingInbound(limit: Int) async throws -> [ConversationKey]
    func pendingInbound(_ conversation: ConversationKey, afterSeq: Int64, limit: Int) async throws -> [InboundRecord]
    func conversation(_ key: ConversationKey) async throws -> StoredConversation?
    /// The conversation and up to `limit` of its events after its `processedSeq`, read together:
    /// what one processing run needs. Stores that can read both in one snapshot do.
    func conversationWithPending(_ key: ConversationKey, limit: Int) async throws -> (StoredConversation, [InboundRecord])?
    func conversation(clientUserId: ClientUserID) async throws -> StoredConversation?
    func conversation(sessionId: SessionID) async throws -> StoredConversation?
    /// Writes the step atomically; throws `StoreError.conflict` or `.agentUnavailable` and changes nothing.
    func commit(_ commit: ConversationCommit) async throws
    /// Conversations waiting in a queue, oldest first.
    func queuedConversations(limit: Int) async throws -> [ConversationKey]
    /// Conversations with a timer due at or before `now` (an offer deadline, an idle closure, a typing stop).
    func conversationsWithDueTimers(now: Date, limit: Int) async throws -> [ConversationKey]

    // MARK: Agents
    func seedAgents(_ seeds: [AgentSeed]) async throws
    func routingSnapshot() async throws -> RoutingSnapshot
    /// Sets an agent's status and its reason (a change of either is stamped `at`); false if the agent is unknown.
    func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, at now: Date) async throws -> Bool

    // MARK: Outbox
    /// Leases up to `limit` due calls that are at the head of their lane.
    func claimDeliveries(now: Date, leaseUntil: Date, owner: String, limit: Int) async throws -> [OutboxItem]
    /// Frees the leases a previous run of replica `owner` held when it died, so its calls go out
    /// at once instead of after the lease expires.
    func releaseLeases(owner: String) async throws -> Int
    func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date) async throws
    /// Records a whole batch of deliveries in one transaction (one fsync for the batch).
    func recordDeliveries(_ records: [(id: Int64, record: DeliveryRecord)], owner: String, now: Date) async throws
    /// Records a delivery and appends its result to the conversation's inbound log, atomically;
    /// `dedupeKey` keeps a repeated completion from appending twice.
    func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date, appending event: Data, to conversation: ConversationKey, dedupeKey: String) async throws
    /// When the earliest pending call becomes due (nil when there is none).
    func nextDeliveryDue() async throws -> Date?
    func outbox(lane: String) async throws -> [OutboxItem]
    func pendingOutboxCount() async throws -> Int

    // MARK: Records
    /// Every session of a conversation with its messages and their deliveries, oldest first.
    func records(_ conversation: ConversationKey) async throws -> ConversationRecords

    // MARK: Operations
    func ping() async throws
    /// Open sessions by desk state (`Chatbot`, `Queueing`, `Agent`), for metrics.
    func sessionCounts() async throws -> [String: Int]

    /// Sessions for the service-record search (see `SessionSearch`), newest first.
    func searchSessions(_ search: SessionSearch) async throws -> [FoundSession]
    /// The messages of these sessions, in the order they were recorded (for the data analysis).
    func messages(ofSessions sessions: [SessionID]) async throws -> [MessageRecord]

    // MARK: Retention and erasure
    /// Removes (or, for `deliveredCalls`, empties) up to `limit` rows of `kind` older than
    /// `cutoff` in one short transaction, and says how many; the retention service calls it
    /// until it answers less than `limit`. Never touches what is still needed: an unprocessed
    /// webhook, a pending call, an open session.
    func purge(_ kind: RetentionKind, before cutoff: Date, limit: Int) async throws -> Int
    /// Erases every conversation of `clientUserId` (its state, webhooks, calls, records and
    /// repeat ids) and appends `audit`, with the counts as its detail, in one transaction.
    func erase(clientUserId: ClientUserID, audit: AuditEntry) async throws -> EraseOutcome
    func appendAudit(_ entry: AuditEntry) async throws
    /// The newest `limit` audit entries, newest first.
    func auditTrail(limit: Int) async throws -> [AuditEntry]

    // MARK: Blacklist
    /// Every blocked user, oldest first.
    func blockedUsers() async throws -> [BlockedUser]
    /// Blocks `user` (`entry` given) or unblocks it (nil) and appends `audit`, in one
    /// transaction; false, with nothing written, when it already was so.
    func setBlocked(_ user: ClientUserID, _ entry: BlockedUser?, audit: AuditEntry) async throws -> Bool

    // MARK: Uploads
    /// Keeps a website visitor's picture under its unguessable `id`.
    func putUpload(_ upload: StoredUpload) async throws
    func upload(id: String) async throws -> StoredUpload?

    // MARK: Workbench
    /// Conversations whose session is on the human side (queued, offered or held by an agent),
    /// for the workbench's session lists; the caller filters by who may see them.
    func humanSideConversations(limit: Int) async throws -> [StoredConversation]
}

/// The desk states `humanSideConversations` returns.
package let humanSideDeskStates = ["Queueing", "WaitingForAgentAnswering", "Agent"]

extension DeskStore {
    /// A status without a reason (the engine's changes, the desk API without `RestReason`).
    package func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, at now: Date) async throws -> Bool {
        try await setAgentStatus(agent, status, reason: nil, at: now)
    }

    /// Two reads; a store whose conversation row may move between them still gives a consistent
    /// pair to the caller, because the commit that follows checks the version it read.
    package func conversationWithPending(_ key: ConversationKey, limit: Int) async throws -> (StoredConversation, [InboundRecord])? {
        guard let stored = try await conversation(key) else { return nil }
        return (stored, try await pendingInbound(key, afterSeq: stored.processedSeq, limit: limit))
    }
}
