import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The store for several replicas: every claim and every ordering decision is made by
/// PostgreSQL, so any number of `deskbridge serve` processes can share one database.
///
/// How the guarantees hold across replicas (READ COMMITTED, the server's default):
/// - **Once, in order, per conversation.** Ingest bumps `conversations.inbound_seq` with an
///   upsert, which row-locks the conversation, so concurrent webhooks for one conversation get
///   consecutive sequence numbers in commit order. A processing step commits with
///   `WHERE version = expected`; a replica that lost the race changes nothing and recomputes.
/// - **No agent over its limit.** Taking a session is `UPDATE agents SET load = load + 1
///   WHERE load < limit AND status = 'Available'` inside the step's transaction; the row lock
///   serialises replicas and the condition is re-checked after a concurrent update.
/// - **Each call once at a time, in lane order.** Delivery workers claim only the head of each
///   lane, with `FOR UPDATE SKIP LOCKED`, and a lease; a result is recorded only by the lease owner.
/// - **Deadlocks** (two steps touching the same agents in another order) surface as
///   `StoreError.conflict`, so the losing step is recomputed like any other conflict.
package final class PostgresDeskStore: DeskStore {
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// Set by `shutdown`: a call after it fails at once (the driver would wait for a pool that
    /// no longer runs, and the deadline's task group would wait for that call).
    private let closed = Atomic<Bool>(false)
    private let logger: Logger
    private let timeout: Duration
    private let encoder: JSONEncoder
    let decoder = JSONDecoder()

    /// Connects, starts the connection pool and applies pending migrations.
    /// Fails (naming the server, never the password) if PostgreSQL cannot be reached in `timeout`.
    package static func open(_ settings: PostgresSettings, logger: Logger, timeout: Duration = .seconds(10)) async throws -> PostgresDeskStore {
        let store = PostgresDeskStore(settings, logger: logger, timeout: timeout)
        do {
            try await store.deadline { try await PostgresSchema.migrate(store.client, logger: logger) }
        } catch {
            store.shutdown()
            let reason = if case StoreError.unavailable(let why) = error { why } else { "\(error)" }
            throw StoreError.unavailable("cannot open PostgreSQL \(settings): \(reason)")
        }
        return store
    }

    private init(_ settings: PostgresSettings, logger: Logger, timeout: Duration) {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: Self.tls(settings.tls))
        configuration.options.maximumConnections = settings.maxConnections
        configuration.options.connectTimeout = timeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.runTask = Task { await client.run() }
        self.logger = logger
        self.timeout = timeout
        self.encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// Creates an empty database `name` on the server `settings` points at (for tests and the
    /// benchmark, which want a fresh database per run). `name` must be a plain identifier.
    package static func createDatabase(_ name: String, on settings: PostgresSettings, logger: Logger) async throws {
        precondition(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "database names are plain identifiers")
        var configuration = PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.username,
                                                         password: settings.password, database: settings.database, tls: tls(settings.tls))
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
    }

    // MARK: - Notifications between replicas

    /// The channel replicas tell each other of changes on (`LISTEN` / `NOTIFY`).
    package static let changeChannel = "deskbridge_changes"

    /// Tells every replica listening (itself included) `payload`, at most 7,900 bytes.
    package func notify(_ payload: String) async throws {
        guard payload.utf8.count <= 7_900 else { return }  // PostgreSQL refuses payloads over 8,000 bytes
        let channel = Self.changeChannel
        try await deadline { [client, logger] in
            _ = try await client.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
        }
    }

    /// Calls `receive` with every payload notified on the change channel, until cancelled; holds
    /// one of the pool's connections while it runs.
    package func listen(_ receive: @escaping @Sendable (String) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.changeChannel) { notifications in
                for try await notification in notifications { receive(notification.payload) }
            }
        }
    }

    /// Closes the pool's connections. Call after the last use (the service group does, last).
    package func shutdown() {
        closed.store(true, ordering: .releasing)
        runTask.cancel()
    }

    // MARK: - Ingest

    package func accept(_ conversation: ConversationKey, dedupeKeys: [String], body: Data, clientIP: String?, receivedAt: Date) async throws -> AcceptOutcome {
        do {
            return try await transaction { connection in
                for key in dedupeKeys {
                    let inserted = try await connection.rows("INSERT INTO dedupe (key, created_at) VALUES (\(key), \(receivedAt.unixMillis)) ON CONFLICT DO NOTHING RETURNING 1")
                    if inserted.isEmpty { throw Duplicate() }
                }
                let seq: Int64 = try await connection.one("""
                    INSERT INTO conversations (key, agent, conversation_id, client_user_id, inbound_seq, last_client_ip)
                    VALUES (\(conversation.storageKey), \(conversation.agent), \(conversation.conversationId), \(conversation.clientUserId.rawValue), 1, \(clientIP))
                    ON CONFLICT (key) DO UPDATE SET inbound_seq = conversations.inbound_seq + 1,
                        last_client_ip = COALESCE(EXCLUDED.last_client_ip, conversations.last_client_ip)
                    RETURNING inbound_seq
                    """)
                try await connection.exec("""
                    INSERT INTO inbound (conversation, seq, received_at, body, client_ip)
                    VALUES (\(conversation.storageKey), \(seq), \(receivedAt.unixMillis), \(body), \(clientIP))
                    """)
                return .accepted(seq: seq)
            }
        } catch is Duplicate {
            return .duplicate
        }
    }

    private struct Duplicate: Error {}

    // MARK: - Conversations

    package func conversationsWithPendingInbound(limit: Int) async throws -> [ConversationKey] {
        try await keys("SELECT agent, conversation_id FROM conversations WHERE inbound_seq > processed_seq LIMIT \(limit)")
    }

    package func pendingInbound(_ conversation: ConversationKey, afterSeq: Int64, limit: Int) async throws -> [InboundRecord] {
        try await query("""
            SELECT seq, received_at, body, client_ip, internal FROM inbound
            WHERE conversation = \(conversation.storageKey) AND seq > \(afterSeq) ORDER BY seq LIMIT \(limit)
            """) { row in
            InboundRecord(conversation: conversation, seq: try row.value("seq"), receivedAt: Date(unixMillis: try row.value("received_at")),
                          body: try row.value("body"), clientIP: try row.value("client_ip"), isInternal: try row.value("internal"))
        }
    }

    package func conversation(_ key: ConversationKey) async throws -> StoredConversation? {
        try await fetchConversation("key", key.storageKey)
    }

    package func conversation(clientUserId: ClientUserID) async throws -> StoredConversation? {
        try await fetchConversation("client_user_id", clientUserId.rawValue)
    }

    package func conversation(sessionId: SessionID) async throws -> StoredConversation? {
        if let open = try await fetchConversation("open_session_id", sessionId.rawValue) { return open }
        return try await fetchConversation("last_session_id", sessionId.rawValue)
    }

    /// `column` is one of this file's constants, never input.
    private func fetchConversation(_ column: String, _ value: String) async throws -> StoredConversation? {
        let decoder = decoder
        return try await query("""
            SELECT agent, conversation_id, state, version, processed_seq, last_client_ip,
                EXISTS (SELECT 1 FROM blacklist b WHERE b.client_user_id = conversations.client_user_id) AS blocked
            FROM conversations WHERE \(unescaped: column) = \(value) LIMIT 1
            """) { row in
            let stateData: Data? = try row.value("state")
            return StoredConversation(
                key: ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")),
                state: try stateData.map { try decoder.decode(ConversationState.self, from: $0) },
                version: try row.value("version"), processedSeq: try row.value("processed_seq"), lastClientIP: try row.value("last_client_ip"),
                blocked: try row.value("blocked"))
        }.first
    }

    package func humanSideConversations(limit: Int) async throws -> [StoredConversation] {
        let decoder = decoder
        return try await query("""
            SELECT agent, conversation_id, state, version, processed_seq, last_client_ip FROM conversations
            WHERE session_state IN ('Queueing', 'WaitingForAgentAnswering', 'Agent') ORDER BY key LIMIT \(limit)
            """) { row in
            let stateData: Data? = try row.value("state")
            return StoredConversation(
                key: ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")),
                state: try stateData.map { try decoder.decode(ConversationState.self, from: $0) },
                version: try row.value("version"), processedSeq: try row.value("processed_seq"), lastClientIP: try row.value("last_client_ip"))
        }
    }

    package func commit(_ commit: ConversationCommit) async throws {
        let stateData = try encoder.encode(commit.state)
        let queue = commit.state.queuePosition
        let records = try commit.records.map { ($0, try encoder.encode($0)) }
        let sessions = try commit.sessions.map { ($0, try encoder.encode($0)) }
        let key = commit.key.storageKey
        let now = commit.now.unixMillis
        let decoder = decoder
        try await transaction { connection in
            let updated = try await connection.rows("""
                UPDATE conversations SET state = \(stateData), version = version + 1, processed_seq = COALESCE(\(commit.processedSeq), processed_seq),
                    open_session_id = \(commit.state.session?.id.rawValue), last_session_id = \(commit.state.lastSessionId?.rawValue),
                    queued_group = \(queue.map { Int64($0.group.rawValue) }), queued_at = \(queue?.since.unixMillis),
                    session_state = \(commit.state.session?.deskState), timer_due = \(commit.state.timerDue?.unixMillis)
                WHERE key = \(key) AND version = \(commit.expectedVersion)
                RETURNING 1
                """)
            guard updated.count == 1 else { throw StoreError.conflict }
            for (agent, limit) in commit.occupy {
                let taken = try await connection.rows("""
                    UPDATE agents SET load = load + 1, last_assigned_at = \(now)
                    WHERE id = \(agent.rawValue) AND status = 'Available' AND load < \(limit) RETURNING 1
                    """)
                guard taken.count == 1 else { throw StoreError.agentUnavailable(agent) }
            }
            for agent in commit.release {
                try await connection.exec("UPDATE agents SET load = GREATEST(load - 1, 0) WHERE id = \(agent.rawValue)")
            }
            for (agent, status) in commit.statusChanges {
                try await connection.exec(Self.setStatus(agent, status, reason: nil, commit.now))
            }
            for (record, data) in records {
                try await connection.exec("""
                    INSERT INTO message_records (conversation, session_id, record, text) VALUES (\(key), \(record.session.rawValue), \(data), \(record.searchText))
                    """)
            }
            for (summary, data) in sessions {
                try await connection.exec("""
                    INSERT INTO session_records (session_id, conversation, start_time, summary)
                    VALUES (\(summary.session.rawValue), \(key), \(summary.startTime.unixMillis), \(data))
                    ON CONFLICT (session_id) DO UPDATE SET summary = EXCLUDED.summary
                    """)
                if summary.endTime != nil { try await Self.keepFacts(connection, of: summary, decoder: decoder) }
            }
            for draft in commit.outbox {
                try await connection.exec("""
                    INSERT INTO outbox (lane, agent, conversation_id, target, method, path, body, call_id, client_ip, next_attempt_at, created_at)
                    VALUES (\(ConversationCommit.lane(commit.key, draft.target)), \(commit.key.agent), \(commit.key.conversationId),
                            \(draft.target.rawValue), \(draft.method), \(draft.path), \(draft.body), \(draft.callId), \(draft.clientIP), \(now), \(now))
                    """)
            }
        }
    }

    package func queuedConversations(limit: Int) async throws -> [ConversationKey] {
        try await keys("SELECT agent, conversation_id FROM conversations WHERE queued_at IS NOT NULL ORDER BY queued_at, key LIMIT \(limit)")
    }

    package func conversationsWithDueTimers(now: Date, limit: Int) async throws -> [ConversationKey] {
        try await keys("""
            SELECT agent, conversation_id FROM conversations
            WHERE timer_due IS NOT NULL AND timer_due <= \(now.unixMillis) ORDER BY timer_due LIMIT \(limit)
            """)
    }

    private func keys(_ sql: PostgresQuery) async throws -> [ConversationKey] {
        try await query(sql) { row in ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")) }
    }

    // MARK: - Agents

    package func seedAgents(_ seeds: [AgentSeed]) async throws {
        let statements = try Self.seed(seeds)
        try await transaction { connection in
            for statement in statements { try await connection.exec(statement) }
        }
    }

    /// Every seed's row, in the seeds' order: a new agent gets its status, a known one keeps its own.
    static func seed(_ seeds: [AgentSeed]) throws -> [PostgresQuery] {
        try seeds.enumerated().map { position, seed in
            let groups = String(decoding: try JSONEncoder().encode(seed.groups.map { [$0.key.rawValue, $0.value] }.sorted { $0[0] < $1[0] }), as: UTF8.self)
            return """
                INSERT INTO agents (id, position, status, groups) VALUES (\(seed.id.rawValue), \(position), \(seed.status.rawValue), \(groups))
                ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, groups = EXCLUDED.groups
                """
        }
    }

    package func routingSnapshot() async throws -> RoutingSnapshot {
        try await transaction { connection in
            let agents = try await connection.rows("SELECT id, status, load, last_assigned_at, groups, status_since, status_reason FROM agents ORDER BY position").map { row in
                let id: String = try row.value("id")
                let lastAssigned: Int64? = try row.value("last_assigned_at")
                let load: Int64 = try row.value("load")
                let since: Int64? = try row.value("status_since")
                return AgentSnapshot(
                    id: AgentID(id), status: try .stored(try row.value("status"), agent: id),
                    load: Int(load), lastAssignedAt: lastAssigned.map(Date.init(unixMillis:)),
                    groups: try DeskConfig.AgentStatus.storedGroups(try row.value("groups"), agent: id),
                    statusSince: since.map(Date.init(unixMillis:)), statusReason: try row.value("status_reason"))
            }
            var lengths: [SkillGroupID: Int] = [:]
            for row in try await connection.rows("SELECT queued_group, COUNT(*) AS n FROM conversations WHERE queued_at IS NOT NULL GROUP BY queued_group") {
                let group: Int64 = try row.value("queued_group")
                let count: Int64 = try row.value("n")
                lengths[SkillGroupID(Int(group))] = Int(count)
            }
            return RoutingSnapshot(agents: agents, queueLengths: lengths)
        }
    }

    package func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, at now: Date) async throws -> Bool {
        var update = Self.setStatus(agent, status, reason: reason, now)
        update.sql += " RETURNING 1"
        return try await query(update) { _ in () }.count == 1
    }

    /// A status change is stamped; setting the status and reason it already has keeps its stamp.
    static func setStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, _ now: Date) -> PostgresQuery {
        """
        UPDATE agents SET status_since = CASE WHEN status = \(status.rawValue) AND status_reason IS NOT DISTINCT FROM \(reason)::text
                THEN status_since ELSE \(now.unixMillis) END,
            status = \(status.rawValue), status_reason = \(reason) WHERE id = \(agent.rawValue)
        """
    }

    // MARK: - Outbox

    package func claimDeliveries(now: Date, leaseUntil: Date, owner: String, limit: Int) async throws -> [OutboxItem] {
        let now = now.unixMillis
        // SKIP LOCKED: replicas claiming at the same moment take different lanes instead of waiting
        // on each other; a row another replica leased meanwhile is re-checked and left out.
        return try await query("""
            UPDATE outbox SET lease_owner = \(owner), lease_until = \(leaseUntil.unixMillis), attempts = attempts + 1,
                first_attempt_at = COALESCE(first_attempt_at, \(now))
            WHERE id IN (
                SELECT o.id FROM outbox o
                WHERE o.state = 0 AND o.next_attempt_at <= \(now) AND (o.lease_until IS NULL OR o.lease_until < \(now))
                  AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND p.state = 0)
                ORDER BY o.next_attempt_at, o.id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.itemColumns)
            """, Self.item).sorted { $0.id < $1.id }
    }

    package func releaseLeases(owner: String) async throws -> Int {
        try await query("UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE state = 0 AND lease_owner = \(owner) RETURNING 1") { _ in () }.count
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date) async throws {
        try await transaction { connection in try await Self.record(connection, id, owner, record, now) }
    }

    package func recordDeliveries(_ records: [(id: Int64, record: DeliveryRecord)], owner: String, now: Date) async throws {
        guard !records.isEmpty else { return }
        try await transaction { connection in
            for (id, record) in records { try await Self.record(connection, id, owner, record, now) }
        }
    }

    private static func record(_ connection: PostgresConnection, _ id: Int64, _ owner: String, _ record: DeliveryRecord, _ now: Date) async throws {
        switch record {
        case .delivered:
            try await connection.exec("""
                UPDATE outbox SET state = 1, lease_owner = NULL, lease_until = NULL, finished_at = \(now.unixMillis)
                WHERE id = \(id) AND lease_owner = \(owner)
                """)
        case .retry(let at, let error):
            try await connection.exec("""
                UPDATE outbox SET next_attempt_at = \(at.unixMillis), last_error = \(error), lease_owner = NULL, lease_until = NULL
                WHERE id = \(id) AND lease_owner = \(owner)
                """)
        case .failed(let error):
            try await connection.exec("""
                UPDATE outbox SET state = 2, last_error = \(error), lease_owner = NULL, lease_until = NULL, finished_at = \(now.unixMillis)
                WHERE id = \(id) AND lease_owner = \(owner)
                """)
        }
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date, appending event: Data, to conversation: ConversationKey, dedupeKey: String) async throws {
        try await transaction { connection in
            // Locks the call's row: a replica that took over an expired lease waits here, then sees it is no longer the owner.
            guard try await !connection.rows("SELECT 1 FROM outbox WHERE id = \(id) AND lease_owner = \(owner) FOR UPDATE").isEmpty else { return }
            let fresh = try await connection.rows("INSERT INTO dedupe (key, created_at) VALUES (\(dedupeKey), \(now.unixMillis)) ON CONFLICT DO NOTHING RETURNING 1")
            if !fresh.isEmpty {
                let seqs = try await connection.rows("UPDATE conversations SET inbound_seq = inbound_seq + 1 WHERE key = \(conversation.storageKey) RETURNING inbound_seq")
                if let row = seqs.first {
                    let seq: Int64 = try row.value("inbound_seq")
                    try await connection.exec("""
                        INSERT INTO inbound (conversation, seq, received_at, body, internal)
                        VALUES (\(conversation.storageKey), \(seq), \(now.unixMillis), \(event), true)
                        """)
                }
            }
            try await Self.record(connection, id, owner, record, now)
        }
    }

    package func nextDeliveryDue() async throws -> Date? {
        let due: [Int64?] = try await query("""
            SELECT MIN(GREATEST(o.next_attempt_at, COALESCE(o.lease_until + 1, 0))) AS due FROM outbox o
            WHERE o.state = 0 AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.lane = o.lane AND p.state = 0)
            """) { row in try row.value("due") }
        return due.first.flatMap { $0 }.map(Date.init(unixMillis:))
    }

    package func outbox(lane: String) async throws -> [OutboxItem] {
        try await query("SELECT \(unescaped: Self.itemColumns) FROM outbox WHERE lane = \(lane) ORDER BY id", Self.item)
    }

    package func pendingOutboxCount() async throws -> Int {
        let counts: [Int64] = try await query("SELECT COUNT(*) AS n FROM outbox WHERE state = 0") { row in try row.value("n") }
        return Int(counts.first ?? 0)
    }

    // MARK: - Records and operations

    package func records(_ conversation: ConversationKey) async throws -> ConversationRecords {
        let decoder = decoder
        let key = conversation.storageKey
        return try await transaction { connection in
            let sessions = try await connection.rows("SELECT summary FROM session_records WHERE conversation = \(key) ORDER BY start_time")
                .map { try decoder.decode(SessionSummary.self, from: try $0.value("summary") as Data) }
            let messages = try await connection.rows("SELECT record FROM message_records WHERE conversation = \(key) ORDER BY id")
                .map { try decoder.decode(MessageRecord.self, from: try $0.value("record") as Data) }
            let items = try await connection.rows("SELECT \(unescaped: Self.itemColumns) FROM outbox WHERE lane = \(ConversationCommit.lane(conversation, .google))")
                .map(Self.item)
            return ConversationRecords(sessions: sessions, messages: messages, deliveries: Dictionary(items.map { ($0.callId, $0) }) { _, last in last })
        }
    }

    package func ping() async throws {
        _ = try await query("SELECT 1 AS one") { row in try row.value("one") as Int32 }
    }

    package func sessionCounts() async throws -> [String: Int] {
        let rows: [(String, Int64)] = try await query("""
            SELECT session_state, COUNT(*) AS n FROM conversations WHERE session_state IS NOT NULL GROUP BY session_state
            """) { row in (try row.value("session_state"), try row.value("n")) }
        return Dictionary(rows.map { ($0.0, Int($0.1)) }) { first, _ in first }
    }

    package func searchSessions(_ search: SessionSearch) async throws -> [FoundSession] {
        let decoder = decoder
        let (from, to, user, pattern, limit) = (search.from.unixMillis, search.to.unixMillis, search.user?.rawValue, search.likePattern, search.scanLimit)
        return try await transaction { connection in
            // A keyword in few messages is looked up in the index; one in many is checked in each
            // session, newest first, which stops as soon as enough sessions are found.
            var common = false
            if let pattern {
                let matches: Int64 = try await connection.rows(
                    "SELECT count(*) AS n FROM (SELECT 1 FROM message_records WHERE text ILIKE \(pattern) LIMIT \(Self.commonKeyword)) x"
                ).first?.value("n") ?? 0
                common = matches >= Self.commonKeyword
            }
            let sql: PostgresQuery = common ? """
                SELECT c.agent, c.conversation_id, s.summary FROM session_records s JOIN conversations c ON c.key = s.conversation
                WHERE s.start_time >= \(from) AND s.start_time < \(to) AND (\(user)::text IS NULL OR c.client_user_id = \(user))
                  AND EXISTS (SELECT 1 FROM message_records m WHERE m.session_id = s.session_id AND m.text ILIKE \(pattern))
                ORDER BY s.start_time DESC LIMIT \(limit)
                """ : """
                SELECT c.agent, c.conversation_id, s.summary FROM session_records s JOIN conversations c ON c.key = s.conversation
                WHERE s.start_time >= \(from) AND s.start_time < \(to) AND (\(user)::text IS NULL OR c.client_user_id = \(user))
                  AND (\(pattern)::text IS NULL OR s.session_id IN (SELECT m.session_id FROM message_records m WHERE m.text ILIKE \(pattern)))
                ORDER BY s.start_time DESC LIMIT \(limit)
                """
            return try await connection.rows(sql).map { row in
                FoundSession(conversation: ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")),
                             summary: try decoder.decode(SessionSummary.self, from: try row.value("summary") as Data))
            }
        }
    }

    /// How many messages holding a keyword make it common enough to check session by session.
    static let commonKeyword: Int64 = 5_000

    package func messages(ofSessions sessions: [SessionID]) async throws -> [MessageRecord] {
        let decoder = decoder
        let ids = sessions.map(\.rawValue)
        return try await query("SELECT record FROM message_records WHERE session_id = ANY(\(ids)) ORDER BY id") { row in
            try decoder.decode(MessageRecord.self, from: try row.value("record") as Data)
        }
    }

    // MARK: - Retention and erasure

    package func purge(_ kind: RetentionKind, before cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.unixMillis
        return try await transaction { connection in
            switch kind {
            case .webhooks:
                return try await connection.rows("""
                    DELETE FROM inbound WHERE (conversation, seq) IN (
                        SELECT i.conversation, i.seq FROM inbound i JOIN conversations c ON c.key = i.conversation
                        WHERE i.received_at < \(cutoff) AND i.seq <= c.processed_seq LIMIT \(limit))
                    RETURNING 1
                    """).count
            case .deliveredCalls:
                return try await connection.rows("""
                    UPDATE outbox SET body = ''::bytea, body_pruned = true
                    WHERE id IN (SELECT id FROM outbox WHERE state <> 0 AND NOT body_pruned AND finished_at < \(cutoff) LIMIT \(limit))
                    RETURNING 1
                    """).count
            case .dedupe:
                return try await connection.rows("""
                    DELETE FROM dedupe WHERE key IN (SELECT key FROM dedupe WHERE created_at < \(cutoff) LIMIT \(limit)) RETURNING 1
                    """).count
            case .records:
                let sessions = try await connection.rows("""
                    DELETE FROM session_records WHERE session_id IN (
                        SELECT s.session_id FROM session_records s
                        WHERE s.start_time < \(cutoff) AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.open_session_id = s.session_id)
                        LIMIT \(limit))
                    RETURNING session_id
                    """).map { try $0[0].decode(String.self) }
                if !sessions.isEmpty {
                    try await connection.exec("DELETE FROM message_records WHERE session_id = ANY(\(sessions))")
                }
                let calls = try await connection.rows("""
                    DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state <> 0 AND finished_at < \(cutoff) LIMIT \(limit)) RETURNING 1
                    """).count
                let uploads = try await connection.rows("""
                    DELETE FROM uploads WHERE id IN (SELECT id FROM uploads WHERE created_at < \(cutoff) LIMIT \(limit)) RETURNING 1
                    """).count
                return sessions.count + calls + uploads
            }
        }
    }

    package func erase(clientUserId: ClientUserID, audit: AuditEntry) async throws -> EraseOutcome {
        try await transaction { connection in
            let rows = try await connection.rows("""
                SELECT key, agent, conversation_id, open_session_id, session_state FROM conversations WHERE client_user_id = \(clientUserId.rawValue) FOR UPDATE
                """)
            if rows.isEmpty { return .unknownUser }
            for row in rows where try row.value("open_session_id") as String? != nil {
                return .sessionOpen(try row.value("session_state") as String? ?? "open")
            }
            var erased = ErasedData()
            for row in rows {
                let key: String = try row.value("key")
                let conversation = ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id"))
                erased.webhooks += try await connection.rows("DELETE FROM inbound WHERE conversation = \(key) RETURNING 1").count
                erased.messages += try await connection.rows("DELETE FROM message_records WHERE conversation = \(key) RETURNING 1").count
                erased.sessions += try await connection.rows("DELETE FROM session_records WHERE conversation = \(key) RETURNING 1").count
                let lanes = OutboxTarget.allCases.map { ConversationCommit.lane(conversation, $0) }
                erased.calls += try await connection.rows("DELETE FROM outbox WHERE lane = ANY(\(lanes)) RETURNING 1").count
                for range in DedupePrefix.ranges(conversation) {
                    erased.dedupeEntries += try await connection.rows("DELETE FROM dedupe WHERE key >= \(range.lower) AND key < \(range.upper) RETURNING 1").count
                }
                erased.uploads += try await connection.rows("DELETE FROM uploads WHERE conversation = \(key) RETURNING 1").count
                erased.conversations += try await connection.rows("DELETE FROM conversations WHERE key = \(key) RETURNING 1").count
            }
            try await Self.insertAudit(connection, audit, detail: AuditDetail.json(erased))
            return .erased(erased)
        }
    }

    package func putUpload(_ upload: StoredUpload) async throws {
        try await transaction { connection in
            try await connection.exec("""
                INSERT INTO uploads (id, conversation, agent, conversation_id, content_type, bytes, created_at)
                VALUES (\(upload.id), \(upload.conversation.storageKey), \(upload.conversation.agent), \(upload.conversation.conversationId), \(upload.contentType), \(upload.bytes), \(upload.createdAt.unixMillis))
                """)
        }
    }

    package func upload(id: String) async throws -> StoredUpload? {
        try await query("""
            SELECT id, content_type, bytes, created_at, agent, conversation_id FROM uploads WHERE id = \(id)
            """) { row in
            StoredUpload(id: try row.value("id"), conversation: ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")),
                                contentType: try row.value("content_type"), bytes: try row.value("bytes"), createdAt: Date(unixMillis: try row.value("created_at")))
        }.first
    }

    package func appendAudit(_ entry: AuditEntry) async throws {
        try await transaction { connection in try await Self.insertAudit(connection, entry, detail: entry.detail) }
    }

    package func auditTrail(limit: Int) async throws -> [AuditEntry] {
        try await query("SELECT id, at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT \(limit)") { row in
            AuditEntry(id: try row.value("id"), at: Date(unixMillis: try row.value("at")), actor: try row.value("actor"), action: try row.value("action"),
                       subject: try row.value("subject"), detail: try row.value("detail"))
        }
    }

    package func blockedUsers() async throws -> [BlockedUser] {
        try await query("SELECT client_user_id, reason, since, by FROM blacklist ORDER BY since, client_user_id") { row in
            BlockedUser(clientUserId: ClientUserID(try row.value("client_user_id")), reason: try row.value("reason"),
                        since: Date(unixMillis: try row.value("since")), by: try row.value("by"))
        }
    }

    package func setBlocked(_ user: ClientUserID, _ entry: BlockedUser?, audit: AuditEntry) async throws -> Bool {
        try await transaction { connection in
            let changed: Int
            if let entry {
                changed = try await connection.rows("""
                    INSERT INTO blacklist (client_user_id, reason, since, by) VALUES (\(user.rawValue), \(entry.reason), \(entry.since.unixMillis), \(entry.by))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """).count
            } else {
                changed = try await connection.rows("DELETE FROM blacklist WHERE client_user_id = \(user.rawValue) RETURNING 1").count
            }
            guard changed == 1 else { return false }
            try await Self.insertAudit(connection, audit, detail: audit.detail)
            return true
        }
    }

    private static func insertAudit(_ connection: PostgresConnection, _ entry: AuditEntry, detail: String) async throws {
        try await connection.exec("""
            INSERT INTO audit (at, actor, action, subject, detail) VALUES (\(entry.at.unixMillis), \(entry.actor), \(entry.action), \(entry.subject), \(detail))
            """)
    }

    // MARK: - Helpers

    private static let itemColumns = """
        id, lane, agent, conversation_id, target, method, path, body, call_id, client_ip, attempts, first_attempt_at, state, last_error
        """

    private static func item(_ row: PostgresRandomAccessRow) throws -> OutboxItem {
        let first: Int64? = try row.value("first_attempt_at")
        let attempts: Int64 = try row.value("attempts")
        let state: Int64 = try row.value("state")
        let id: Int64 = try row.value("id")
        return OutboxItem(
            id: id, lane: try row.value("lane"),
            conversation: ConversationKey(agent: try row.value("agent"), conversationId: try row.value("conversation_id")),
            target: try OutboxTarget.stored(try row.value("target"), row: id), method: try row.value("method"), path: try row.value("path"),
            body: try row.value("body"), callId: try row.value("call_id"), clientIP: try row.value("client_ip"), attempts: Int(attempts),
            firstAttemptAt: first.map(Date.init(unixMillis:)), state: try OutboxItem.State.stored(Int(state), row: id),
            lastError: try row.value("last_error"))
    }

    /// One statement outside an explicit transaction, its rows mapped by `transform`.
    func query<T: Sendable>(_ sql: PostgresQuery, _ transform: @escaping @Sendable (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        let client = client
        let logger = logger
        return try await deadline {
            var out: [T] = []
            for try await row in try await client.query(sql, logger: logger) { out.append(try transform(row.makeRandomAccess())) }
            return out
        }
    }

    /// Runs `body` in one transaction: all of it commits, or none of it.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = client
        let logger = logger
        return try await deadline {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Bounds a store call by `timeout`, and turns driver errors into `StoreError`s: a store
    /// that cannot answer must make the edge answer 503 rather than hold the request open.
    private func deadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout
        if closed.load(ordering: .acquiring) { throw StoreError.unavailable("the PostgreSQL store is closed") }
        do {
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw StoreError.unavailable("PostgreSQL did not answer within \(timeout)")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as PSQLError {
            throw Self.storeError(error)
        } catch let error as PostgresTransactionError {
            if let closure = error.closureError, closure is StoreError || closure is Duplicate { throw closure }
            if let psql = (error.closureError ?? error.commitError ?? error.beginError) as? PSQLError { throw Self.storeError(psql) }
            throw StoreError.unavailable("PostgreSQL transaction failed")
        }
    }

    /// A deadlock or serialisation failure means "someone else changed it first": recompute.
    /// Otherwise the server's one-line message (never the query's parameters) or the error kind.
    private static func storeError(_ error: PSQLError) -> StoreError {
        let state = error.serverInfo?[.sqlState]
        if state == "40P01" || state == "40001" { return .conflict }
        return .unavailable(error.serverInfo?[.message] ?? "PostgreSQL \(error.code)")
    }
}

/// Statements inside transactions log here (at the driver's debug level only).
private let queryLogger = Logger(label: "deskbridge.postgres")

extension PostgresConnection {
    /// Runs one statement and returns its rows.
    func rows(_ sql: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        var out: [PostgresRandomAccessRow] = []
        for try await row in try await query(sql, logger: queryLogger) { out.append(row.makeRandomAccess()) }
        return out
    }

    func exec(_ sql: PostgresQuery) async throws {
        _ = try await rows(sql)
    }

    /// The first column of the one row a statement returns.
    func one<T: PostgresDecodable>(_ sql: PostgresQuery) async throws -> T {
        guard let row = try await rows(sql).first else { throw StoreError.unavailable("statement returned no row") }
        return try row[0].decode(T.self)
    }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String) throws -> T {
        try self[column].decode(T.self)
    }
}
