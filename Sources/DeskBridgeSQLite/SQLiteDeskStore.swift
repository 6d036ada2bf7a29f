import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

/// The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`, so a
/// webhook answered 200 survives power loss (GRDB's pool defaults to NORMAL, which does not).
/// Writes go through `SQLiteGroupCommit`, so concurrent writers share one fsync. Statements are
/// prepared once per connection (`cachedStatement`): parsing and authorising a statement cost
/// more than running these small ones.
///
/// WAL checkpoints run on a connection of their own (`checkpoint()`, called by the app every
/// second), not inside a commit: SQLite's automatic checkpoint would make every thousandth
/// commit copy the WAL into the database and fsync it while every queued write waits.
package final class SQLiteDeskStore: DeskStore {
    private let pool: DatabasePool
    private let checkpointer: DatabaseQueue
    private let groupCommit: SQLiteGroupCommit
    private let encoder: JSONEncoder
    let decoder = JSONDecoder()

    /// Opens (creating folders and the file as needed) and migrates the database at `path`.
    package init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Every write runs in a savepoint of a group transaction, and a large batch's savepoint
        // journal would otherwise spill to a temporary file: created, unlinked and closed each time.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        pool = try DatabasePool(path: path, configuration: configuration)
        // The pool's set-up switches its one writer connection to NORMAL after any
        // `prepareDatabase` hook runs, so FULL is set here, on that connection, afterwards.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Only a safety net, should `checkpoint()` stop being called: the WAL stays under ~80 MB.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walSafetyNetPages)")
        }
        checkpointer = try DatabaseQueue(path: path, configuration: configuration)
        try checkpointer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try SQLiteSchema.migrator.migrate(pool)
        groupCommit = SQLiteGroupCommit(pool: pool)
        encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
    }

    /// WAL pages after which a commit checkpoints by itself (SQLite's default is 1,000).
    package static let walSafetyNetPages = 20_000

    /// Copies committed WAL frames into the database file without blocking writers or readers
    /// (a passive checkpoint), so the WAL is reused from its start instead of growing.
    @discardableResult
    package func checkpoint() async throws -> (walFrames: Int, checkpointed: Int) {
        let result = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        return (result.walFrameCount, result.checkpointedFrameCount)
    }

    /// The writer connection's automatic checkpoint threshold, in pages.
    package func autoCheckpointPages() async throws -> Int {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    /// Writes so far and the group-commit transactions that carried them.
    package var groupCommitCounts: (writes: Int, transactions: Int) { groupCommit.counts }

    /// The `synchronous` setting a connection of this store runs with (2 = FULL).
    package func synchronousMode() async throws -> Int {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    // MARK: - Ingest

    package func accept(_ conversation: ConversationKey, dedupeKeys: [String], body: Data, clientIP: String?, receivedAt: Date) async throws -> AcceptOutcome {
        try await write { db in
            for key in dedupeKeys {
                try db.cachedStatement(sql: "INSERT INTO dedupe (key, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING").execute(arguments: [key, receivedAt.unixMillis])
                if db.changesCount == 0 { throw Duplicate() }
            }
            let seq = try Int64.fetchOne(db.cachedStatement(sql: """
                INSERT INTO conversations (key, agent, conversation_id, client_user_id, inbound_seq, last_client_ip)
                VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT (key) DO UPDATE SET inbound_seq = inbound_seq + 1, last_client_ip = COALESCE(excluded.last_client_ip, last_client_ip)
                RETURNING inbound_seq
                """), arguments: [conversation.storageKey, conversation.agent, conversation.conversationId, conversation.clientUserId.rawValue, clientIP])!
            try db.cachedStatement(sql: "INSERT INTO inbound (conversation, seq, received_at, body, client_ip) VALUES (?, ?, ?, ?, ?)").execute(arguments: [conversation.storageKey, seq, receivedAt.unixMillis, body, clientIP])
            return .accepted(seq: seq)
        } onDuplicate: {
            .duplicate
        }
    }

    private struct Duplicate: Error {}

    // MARK: - Conversations

    package func conversationsWithPendingInbound(limit: Int) async throws -> [ConversationKey] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT agent, conversation_id FROM conversations WHERE inbound_seq > processed_seq LIMIT ?"), arguments: [limit])
                .map { ConversationKey(agent: $0["agent"], conversationId: $0["conversation_id"]) }
        }
    }

    package func pendingInbound(_ conversation: ConversationKey, afterSeq: Int64, limit: Int) async throws -> [InboundRecord] {
        try await read { db in try Self.inbound(db, conversation, afterSeq: afterSeq, limit: limit) }
    }

    /// One read transaction instead of two: the processor does this once per run, and each read
    /// is a hop to a reader connection and back.
    package func conversationWithPending(_ key: ConversationKey, limit: Int) async throws -> (StoredConversation, [InboundRecord])? {
        let decoder = decoder
        return try await read { db in
            guard let stored = try Self.conversation(db, "key = ?", key.storageKey, decoder) else { return nil }
            return (stored, try Self.inbound(db, key, afterSeq: stored.processedSeq, limit: limit))
        }
    }

    private static func inbound(_ db: Database, _ conversation: ConversationKey, afterSeq: Int64, limit: Int) throws -> [InboundRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, received_at, body, client_ip, internal FROM inbound WHERE conversation = ? AND seq > ? ORDER BY seq LIMIT ?"),
                         arguments: [conversation.storageKey, afterSeq, limit])
            .map { InboundRecord(conversation: conversation, seq: $0["seq"], receivedAt: Date(unixMillis: $0["received_at"]), body: $0["body"],
                                 clientIP: $0["client_ip"], isInternal: $0["internal"]) }
    }

    package func conversation(_ key: ConversationKey) async throws -> StoredConversation? {
        try await fetchConversation("key = ?", key.storageKey)
    }

    package func conversation(clientUserId: ClientUserID) async throws -> StoredConversation? {
        try await fetchConversation("client_user_id = ?", clientUserId.rawValue)
    }

    package func conversation(sessionId: SessionID) async throws -> StoredConversation? {
        if let open = try await fetchConversation("open_session_id = ?", sessionId.rawValue) { return open }
        return try await fetchConversation("last_session_id = ?", sessionId.rawValue)
    }

    private func fetchConversation(_ condition: String, _ value: String) async throws -> StoredConversation? {
        let decoder = decoder
        return try await read { db in try Self.conversation(db, condition, value, decoder) }
    }

    private static func conversation(_ db: Database, _ condition: String, _ value: String, _ decoder: JSONDecoder) throws -> StoredConversation? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT agent, conversation_id, state, version, processed_seq, last_client_ip,
                EXISTS (SELECT 1 FROM blacklist b WHERE b.client_user_id = conversations.client_user_id) AS blocked
            FROM conversations WHERE \(condition) LIMIT 1
            """), arguments: [value])
        else { return nil }
        let stateData: Data? = row["state"]
        return StoredConversation(
            key: ConversationKey(agent: row["agent"], conversationId: row["conversation_id"]),
            state: try stateData.map { try decoder.decode(ConversationState.self, from: $0) },
            version: row["version"], processedSeq: row["processed_seq"], lastClientIP: row["last_client_ip"], blocked: row["blocked"])
    }

    package func commit(_ commit: ConversationCommit) async throws {
        let stateData = try encoder.encode(commit.state)
        let queue = commit.state.queuePosition
        let records = try commit.records.map { try encoder.encode($0) }
        let sessions = try commit.sessions.map { ($0, try encoder.encode($0)) }
        let decoder = decoder
        try await write { db in
            try db.cachedStatement(sql: """
                UPDATE conversations SET state = ?, version = version + 1, processed_seq = COALESCE(?, processed_seq),
                    open_session_id = ?, last_session_id = ?, queued_group = ?, queued_at = ?, session_state = ?, timer_due = ?
                WHERE key = ? AND version = ?
                """).execute(arguments: [stateData, commit.processedSeq, commit.state.session?.id.rawValue, commit.state.lastSessionId?.rawValue,
                                 queue?.group.rawValue, queue?.since.unixMillis, commit.state.session?.deskState, commit.state.timerDue?.unixMillis,
                                 commit.key.storageKey, commit.expectedVersion])
            guard db.changesCount == 1 else { throw StoreError.conflict }
            for (agent, limit) in commit.occupy {
                try db.cachedStatement(sql: "UPDATE agents SET load = load + 1, last_assigned_at = ? WHERE id = ? AND status = 'Available' AND load < ?").execute(arguments: [commit.now.unixMillis, agent.rawValue, limit])
                guard db.changesCount == 1 else { throw StoreError.agentUnavailable(agent) }
            }
            for agent in commit.release {
                try db.cachedStatement(sql: "UPDATE agents SET load = MAX(load - 1, 0) WHERE id = ?").execute(arguments: [agent.rawValue])
            }
            for (agent, status) in commit.statusChanges {
                try Self.setStatus(db, agent, status, reason: nil, commit.now)
            }
            for (record, data) in zip(commit.records, records) {
                try db.cachedStatement(sql: "INSERT INTO message_records (conversation, session_id, record, text) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [commit.key.storageKey, record.session.rawValue, data, record.searchText])
            }
            for (summary, data) in sessions {
                try db.cachedStatement(sql: """
                    INSERT INTO session_records (session_id, conversation, start_time, summary) VALUES (?, ?, ?, ?)
                    ON CONFLICT (session_id) DO UPDATE SET summary = excluded.summary
                    """).execute(arguments: [summary.session.rawValue, commit.key.storageKey, summary.startTime.unixMillis, data])
                if summary.endTime != nil { try Self.keepFacts(db, of: summary, decoder: decoder) }
            }
            for draft in commit.outbox {
                try db.cachedStatement(sql: """
                    INSERT INTO outbox (lane, agent, conversation_id, target, method, path, body, call_id, client_ip, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [ConversationCommit.lane(commit.key, draft.target), commit.key.agent, commit.key.conversationId, draft.target.rawValue,
                                     draft.method, draft.path, draft.body, draft.callId, draft.clientIP, commit.now.unixMillis, commit.now.unixMillis])
            }
        }
    }

    package func queuedConversations(limit: Int) async throws -> [ConversationKey] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT agent, conversation_id FROM conversations WHERE queued_at IS NOT NULL ORDER BY queued_at, key LIMIT ?"), arguments: [limit])
                .map { ConversationKey(agent: $0["agent"], conversationId: $0["conversation_id"]) }
        }
    }

    package func conversationsWithDueTimers(now: Date, limit: Int) async throws -> [ConversationKey] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT agent, conversation_id FROM conversations WHERE timer_due IS NOT NULL AND timer_due <= ? ORDER BY timer_due LIMIT ?"),
                             arguments: [now.unixMillis, limit])
                .map { ConversationKey(agent: $0["agent"], conversationId: $0["conversation_id"]) }
        }
    }

    // MARK: - Agents

    package func seedAgents(_ seeds: [AgentSeed]) async throws {
        try await write { db in try Self.seed(db, seeds) }
    }

    /// Every seed's row, in the seeds' order: a new agent gets its status, a known one keeps its own.
    static func seed(_ db: Database, _ seeds: [AgentSeed]) throws {
        for (position, seed) in seeds.enumerated() {
            let groups = String(decoding: try JSONEncoder().encode(seed.groups.map { [$0.key.rawValue, $0.value] }), as: UTF8.self)
            try db.cachedStatement(sql: """
                INSERT INTO agents (id, position, status, groups) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET position = excluded.position, groups = excluded.groups
                """).execute(arguments: [seed.id.rawValue, position, seed.status.rawValue, groups])
        }
    }

    package func routingSnapshot() async throws -> RoutingSnapshot {
        try await read { db in
            let agents = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, status, load, last_assigned_at, groups, status_since, status_reason FROM agents ORDER BY position")).map { row in
                let id: String = row["id"]
                let lastAssigned: Int64? = row["last_assigned_at"]
                let since: Int64? = row["status_since"]
                return AgentSnapshot(
                    id: AgentID(id), status: try .stored(row["status"], agent: id), load: row["load"],
                    lastAssignedAt: lastAssigned.map(Date.init(unixMillis:)),
                    groups: try DeskConfig.AgentStatus.storedGroups(row["groups"], agent: id),
                    statusSince: since.map(Date.init(unixMillis:)), statusReason: row["status_reason"])
            }
            var lengths: [SkillGroupID: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT queued_group, COUNT(*) AS n FROM conversations WHERE queued_at IS NOT NULL GROUP BY queued_group")) {
                lengths[SkillGroupID(row["queued_group"])] = row["n"]
            }
            return RoutingSnapshot(agents: agents, queueLengths: lengths)
        }
    }

    package func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, at now: Date) async throws -> Bool {
        try await write { db in
            try Self.setStatus(db, agent, status, reason: reason, now)
            return db.changesCount == 1
        }
    }

    /// A status change is stamped; setting the status and reason it already has keeps its stamp.
    static func setStatus(_ db: Database, _ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, _ now: Date) throws {
        try db.cachedStatement(sql: """
            UPDATE agents SET status_since = CASE WHEN status = ? AND status_reason IS ? THEN status_since ELSE ? END, status = ?, status_reason = ?
            WHERE id = ?
            """)
            .execute(arguments: [status.rawValue, reason, now.unixMillis, status.rawValue, reason, agent.rawValue])
    }

    // MARK: - Outbox

    package func claimDeliveries(now: Date, leaseUntil: Date, owner: String, limit: Int) async throws -> [OutboxItem] {
        try await write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM outbox o
                WHERE o.state = 0 AND o.next_attempt_at <= :now AND (o.lease_until IS NULL OR o.lease_until < :now)
                  AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND p.state = 0)
                ORDER BY o.next_attempt_at, o.id LIMIT :limit
                """), arguments: ["now": now.unixMillis, "limit": limit])
            var items: [OutboxItem] = []
            for row in rows {
                let id: Int64 = row["id"]
                try db.cachedStatement(sql: """
                    UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?)
                    WHERE id = ?
                    """).execute(arguments: [owner, leaseUntil.unixMillis, now.unixMillis, id])
                var item = try Self.item(row)
                item.attempts += 1
                item.firstAttemptAt = item.firstAttemptAt ?? now
                items.append(item)
            }
            return items
        }
    }

    package func releaseLeases(owner: String) async throws -> Int {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE state = 0 AND lease_owner = ?").execute(arguments: [owner])
            return db.changesCount
        }
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date) async throws {
        try await write { db in try Self.record(db, id, owner, record, now) }
    }

    package func recordDeliveries(_ records: [(id: Int64, record: DeliveryRecord)], owner: String, now: Date) async throws {
        guard !records.isEmpty else { return }
        try await write { db in
            for (id, record) in records { try Self.record(db, id, owner, record, now) }
        }
    }

    private static func record(_ db: Database, _ id: Int64, _ owner: String, _ record: DeliveryRecord, _ now: Date) throws {
        do {
            switch record {
            case .delivered:
                try db.cachedStatement(sql: "UPDATE outbox SET state = 1, lease_owner = NULL, lease_until = NULL, finished_at = ? WHERE id = ? AND lease_owner = ?").execute(arguments: [now.unixMillis, id, owner])
            case .retry(let at, let error):
                try db.cachedStatement(sql: "UPDATE outbox SET next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?").execute(arguments: [at.unixMillis, error, id, owner])
            case .failed(let error):
                try db.cachedStatement(sql: "UPDATE outbox SET state = 2, last_error = ?, lease_owner = NULL, lease_until = NULL, finished_at = ? WHERE id = ? AND lease_owner = ?").execute(arguments: [error, now.unixMillis, id, owner])
            }
        }
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date, appending event: Data, to conversation: ConversationKey, dedupeKey: String) async throws {
        try await write { db in
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM outbox WHERE id = ? AND lease_owner = ?"), arguments: [id, owner]) != nil else { return }
            try db.cachedStatement(sql: "INSERT INTO dedupe (key, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING").execute(arguments: [dedupeKey, now.unixMillis])
            if db.changesCount == 1 {
                let seq = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE conversations SET inbound_seq = inbound_seq + 1 WHERE key = ? RETURNING inbound_seq"),
                                             arguments: [conversation.storageKey])
                if let seq {
                    try db.cachedStatement(sql: "INSERT INTO inbound (conversation, seq, received_at, body, internal) VALUES (?, ?, ?, ?, 1)").execute(arguments: [conversation.storageKey, seq, now.unixMillis, event])
                }
            }
            try Self.record(db, id, owner, record, now)
        }
    }

    package func nextDeliveryDue() async throws -> Date? {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT MIN(MAX(o.next_attempt_at, COALESCE(o.lease_until + 1, 0))) FROM outbox o
            WHERE o.state = 0 AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND p.state = 0)
            """)).map(Date.init(unixMillis:)) }
    }

    package func outbox(lane: String) async throws -> [OutboxItem] {
        try await read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM outbox WHERE lane = ? ORDER BY id"), arguments: [lane]).map(Self.item) }
    }

    package func pendingOutboxCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox WHERE state = 0")) ?? 0 }
    }

    package func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }
    }

    package func humanSideConversations(limit: Int) async throws -> [StoredConversation] {
        let decoder = decoder
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT agent, conversation_id, state, version, processed_seq, last_client_ip FROM conversations
                WHERE session_state IN ('Queueing', 'WaitingForAgentAnswering', 'Agent') ORDER BY key LIMIT ?
                """), arguments: [limit]).map { row in
                let stateData: Data? = row["state"]
                return StoredConversation(
                    key: ConversationKey(agent: row["agent"], conversationId: row["conversation_id"]),
                    state: try stateData.map { try decoder.decode(ConversationState.self, from: $0) },
                    version: row["version"], processedSeq: row["processed_seq"], lastClientIP: row["last_client_ip"])
            }
        }
    }

    package func sessionCounts() async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT session_state, COUNT(*) AS n FROM conversations WHERE session_state IS NOT NULL GROUP BY session_state")) {
                counts[row["session_state"]] = row["n"]
            }
            return counts
        }
    }

    package func records(_ conversation: ConversationKey) async throws -> ConversationRecords {
        let decoder = decoder
        return try await read { db in
            let sessions = try Data.fetchAll(db.cachedStatement(sql: "SELECT summary FROM session_records WHERE conversation = ? ORDER BY start_time"),
                                             arguments: [conversation.storageKey]).map { try decoder.decode(SessionSummary.self, from: $0) }
            let messages = try Data.fetchAll(db.cachedStatement(sql: "SELECT record FROM message_records WHERE conversation = ? ORDER BY id"),
                                             arguments: [conversation.storageKey]).map { try decoder.decode(MessageRecord.self, from: $0) }
            let items = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM outbox WHERE lane = ?"), arguments: [ConversationCommit.lane(conversation, .google)]).map(Self.item)
            return ConversationRecords(sessions: sessions, messages: messages, deliveries: Dictionary(items.map { ($0.callId, $0) }) { _, last in last })
        }
    }

    package func searchSessions(_ search: SessionSearch) async throws -> [FoundSession] {
        let decoder = decoder
        // The trigram index answers a LIKE only without an ESCAPE clause, so one is added only
        // when the keyword holds a wildcard character to take literally.
        let escape = search.keywordHasWildcards ? " ESCAPE '\\'" : ""
        return try await read { db in
            // A keyword in few messages is looked up in the index; one in many is checked in each
            // session, newest first, which stops as soon as enough sessions are found.
            var keyword = ""
            if let pattern = search.likePattern {
                let matches = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM message_text WHERE text LIKE ?\(escape) LIMIT \(Self.commonKeyword))",
                                               arguments: [pattern]) ?? 0
                keyword = matches < Self.commonKeyword
                    ? "AND s.session_id IN (SELECT m.session_id FROM message_text t JOIN message_records m ON m.id = t.rowid WHERE t.text LIKE :pattern\(escape))"
                    : "AND EXISTS (SELECT 1 FROM message_records m WHERE m.session_id = s.session_id AND m.text LIKE :pattern\(escape))"
            }
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT c.agent, c.conversation_id, s.summary FROM session_records s JOIN conversations c ON c.key = s.conversation
                WHERE s.start_time >= :from AND s.start_time < :to
                  AND (:user IS NULL OR c.client_user_id = :user) \(keyword)
                ORDER BY s.start_time DESC LIMIT :limit
                """), arguments: ["from": search.from.unixMillis, "to": search.to.unixMillis, "user": search.user?.rawValue,
                                  "pattern": search.likePattern, "limit": search.scanLimit]).map { row in
                FoundSession(conversation: ConversationKey(agent: row["agent"], conversationId: row["conversation_id"]),
                             summary: try decoder.decode(SessionSummary.self, from: row["summary"]))
            }
        }
    }

    /// How many messages holding a keyword make it common enough to check session by session.
    static let commonKeyword = 5_000

    package func messages(ofSessions sessions: [SessionID]) async throws -> [MessageRecord] {
        let decoder = decoder
        return try await read { db in
            var out: [MessageRecord] = []
            // In chunks, under SQLite's limit on bound parameters.
            for start in stride(from: 0, to: sessions.count, by: 500) {
                let chunk = sessions[start..<min(start + 500, sessions.count)].map(\.rawValue)
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                out += try Data.fetchAll(db, sql: "SELECT record FROM message_records WHERE session_id IN (\(marks)) ORDER BY id",
                                         arguments: StatementArguments(chunk)).map { try decoder.decode(MessageRecord.self, from: $0) }
            }
            return out
        }
    }

    // MARK: - Retention and erasure

    package func purge(_ kind: RetentionKind, before cutoff: Date, limit: Int) async throws -> Int {
        try await write { db in
            let arguments: StatementArguments = [cutoff.unixMillis, limit]
            switch kind {
            case .webhooks:
                try db.cachedStatement(sql: """
                    DELETE FROM inbound WHERE (conversation, seq) IN (
                        SELECT i.conversation, i.seq FROM inbound i JOIN conversations c ON c.key = i.conversation
                        WHERE i.received_at < ? AND i.seq <= c.processed_seq LIMIT ?)
                    """).execute(arguments: arguments)
                return db.changesCount
            case .deliveredCalls:
                try db.cachedStatement(sql: """
                    UPDATE outbox SET body = x'', body_pruned = 1
                    WHERE id IN (SELECT id FROM outbox WHERE state <> 0 AND body_pruned = 0 AND finished_at < ? LIMIT ?)
                    """).execute(arguments: arguments)
                return db.changesCount
            case .dedupe:
                try db.cachedStatement(sql: "DELETE FROM dedupe WHERE key IN (SELECT key FROM dedupe WHERE created_at < ? LIMIT ?)").execute(arguments: arguments)
                return db.changesCount
            case .records:
                let sessions = try String.fetchAll(db.cachedStatement(sql: """
                    SELECT s.session_id FROM session_records s
                    WHERE s.start_time < ? AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.open_session_id = s.session_id) LIMIT ?
                    """), arguments: arguments)
                for session in sessions {
                    try db.cachedStatement(sql: "DELETE FROM message_records WHERE session_id = ?").execute(arguments: [session])
                    try db.cachedStatement(sql: "DELETE FROM session_records WHERE session_id = ?").execute(arguments: [session])
                }
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state <> 0 AND finished_at < ? LIMIT ?)").execute(arguments: arguments)
                let calls = db.changesCount
                try db.cachedStatement(sql: "DELETE FROM uploads WHERE id IN (SELECT id FROM uploads WHERE created_at < ? LIMIT ?)").execute(arguments: arguments)
                return sessions.count + calls + db.changesCount
            }
        }
    }

    package func erase(clientUserId: ClientUserID, audit: AuditEntry) async throws -> EraseOutcome {
        try await write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT key, agent, conversation_id, open_session_id, session_state FROM conversations WHERE client_user_id = ?"),
                                        arguments: [clientUserId.rawValue])
            if rows.isEmpty { return .unknownUser }
            if let open = rows.first(where: { ($0["open_session_id"] as String?) != nil }) { return .sessionOpen(open["session_state"] ?? "open") }
            var erased = ErasedData()
            func delete(_ sql: String, _ arguments: StatementArguments) throws -> Int {
                try db.cachedStatement(sql: sql).execute(arguments: arguments)
                return db.changesCount
            }
            for row in rows {
                let key: String = row["key"]
                erased.webhooks += try delete("DELETE FROM inbound WHERE conversation = ?", [key])
                erased.messages += try delete("DELETE FROM message_records WHERE conversation = ?", [key])
                erased.sessions += try delete("DELETE FROM session_records WHERE conversation = ?", [key])
                for lane in OutboxTarget.allCases.map({ "\(key)|\($0.rawValue)" }) {
                    erased.calls += try delete("DELETE FROM outbox WHERE lane = ?", [lane])
                }
                for prefix in DedupePrefix.ranges(ConversationKey(agent: row["agent"], conversationId: row["conversation_id"])) {
                    erased.dedupeEntries += try delete("DELETE FROM dedupe WHERE key >= ? AND key < ?", [prefix.lower, prefix.upper])
                }
                erased.uploads += try delete("DELETE FROM uploads WHERE conversation = ?", [key])
                erased.conversations += try delete("DELETE FROM conversations WHERE key = ?", [key])
            }
            try Self.insertAudit(db, audit, detail: AuditDetail.json(erased))
            return .erased(erased)
        }
    }

    package func putUpload(_ upload: StoredUpload) async throws {
        try await write { db in
            try db.cachedStatement(sql: "INSERT INTO uploads (id, conversation, agent, conversation_id, content_type, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [upload.id, upload.conversation.storageKey, upload.conversation.agent, upload.conversation.conversationId, upload.contentType, upload.bytes, upload.createdAt.unixMillis])
        }
    }

    package func upload(id: String) async throws -> StoredUpload? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM uploads WHERE id = ?"),
                             arguments: [id]).map { row in
                StoredUpload(id: row["id"], conversation: ConversationKey(agent: row["agent"], conversationId: row["conversation_id"]),
                             contentType: row["content_type"], bytes: row["bytes"], createdAt: Date(unixMillis: row["created_at"]))
            }
        }
    }

    package func appendAudit(_ entry: AuditEntry) async throws {
        try await write { db in try Self.insertAudit(db, entry, detail: entry.detail) }
    }

    package func auditTrail(limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?"), arguments: [limit]).map { row in
                AuditEntry(id: row["id"], at: Date(unixMillis: row["at"]), actor: row["actor"], action: row["action"], subject: row["subject"], detail: row["detail"])
            }
        }
    }

    package func blockedUsers() async throws -> [BlockedUser] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM blacklist ORDER BY since, client_user_id")).map { row in
                BlockedUser(clientUserId: ClientUserID(row["client_user_id"]), reason: row["reason"], since: Date(unixMillis: row["since"]), by: row["by"])
            }
        }
    }

    package func setBlocked(_ user: ClientUserID, _ entry: BlockedUser?, audit: AuditEntry) async throws -> Bool {
        try await write { db in
            if let entry {
                try db.cachedStatement(sql: "INSERT INTO blacklist (client_user_id, reason, since, by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .execute(arguments: [user.rawValue, entry.reason, entry.since.unixMillis, entry.by])
            } else {
                try db.cachedStatement(sql: "DELETE FROM blacklist WHERE client_user_id = ?").execute(arguments: [user.rawValue])
            }
            guard db.changesCount == 1 else { return false }
            try Self.insertAudit(db, audit, detail: audit.detail)
            return true
        }
    }

    private static func insertAudit(_ db: Database, _ entry: AuditEntry, detail: String) throws {
        try db.cachedStatement(sql: "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [entry.at.unixMillis, entry.actor, entry.action, entry.subject, detail])
    }

    // MARK: - Helpers

    private static func item(_ row: Row) throws -> OutboxItem {
        let first: Int64? = row["first_attempt_at"]
        return OutboxItem(
            id: row["id"], lane: row["lane"], conversation: ConversationKey(agent: row["agent"], conversationId: row["conversation_id"]),
            target: try OutboxTarget.stored(row["target"], row: row["id"]), method: row["method"], path: row["path"], body: row["body"],
            callId: row["call_id"], clientIP: row["client_ip"], attempts: row["attempts"], firstAttemptAt: first.map(Date.init(unixMillis:)),
            state: try OutboxItem.State.stored(row["state"], row: row["id"]), lastError: row["last_error"])
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as DatabaseError { throw StoreError.unavailable(error.message ?? "database error") }
    }

    /// Every write goes through group commit: concurrent writes share a transaction and its fsync.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await groupCommit.write(body) } catch let error as DatabaseError { throw StoreError.unavailable(error.message ?? "database error") }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T, onDuplicate: () -> T) async throws -> T {
        do { return try await write(body) } catch is Duplicate { return onDuplicate() }
    }
}
