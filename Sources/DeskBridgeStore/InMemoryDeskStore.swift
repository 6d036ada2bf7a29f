import DeskBridgeCore
import Foundation
import Synchronization

/// The store in memory: for tests and replays. Same contract as the database stores,
/// checked by the shared store contract suite.
package final class InMemoryDeskStore: DeskStore {
    private struct ConversationRow {
        var stored: StoredConversation
        var inboundSeq: Int64 = 0
    }
    private struct AgentRow {
        var status: DeskConfig.AgentStatus
        var load = 0
        var lastAssignedAt: Date?
        var groups: [SkillGroupID: Int]
        var statusSince: Date?
        var statusReason: String?

        mutating func set(_ new: DeskConfig.AgentStatus, reason: String?, at now: Date) {
            if new != status || reason != statusReason { statusSince = now }
            status = new
            statusReason = reason
        }
    }
    private struct State {
        mutating func seed(_ seeds: [AgentSeed]) {
            for seed in seeds {
                if let index = agents.firstIndex(where: { $0.id == seed.id }) {
                    agents[index].row.groups = seed.groups
                } else {
                    agents.append((seed.id, AgentRow(status: seed.status, groups: seed.groups)))
                }
            }
        }

        @discardableResult
        mutating func addQuickReplies(_ replies: [QuickReplyDraft]) -> [StoredQuickReply] {
            let added = replies.enumerated().map { StoredQuickReply(id: nextQuickReplyId + Int64($0.offset), group: $0.element.group, text: $0.element.text) }
            nextQuickReplyId += Int64(added.count)
            quickReplies += added
            return added
        }

        /// Repeat keys and when each was first seen.
        var dedupe: [String: Date] = [:]
        var conversations: [ConversationKey: ConversationRow] = [:]
        var inbound: [ConversationKey: [InboundRecord]] = [:]
        /// Every status change is kept in `statusHistory`, as the SQL stores' triggers keep it.
        var agents: [(id: AgentID, row: AgentRow)] = [] {
            didSet {
                let before = Dictionary(oldValue.map { ($0.id, $0.row) }) { first, _ in first }
                for (id, row) in agents where before[id].map({ $0.status != row.status || $0.statusReason != row.statusReason }) ?? true {
                    statusHistory.append(StatusChange(cursor: Int64(statusHistory.count + 1), agent: id, at: row.statusSince ?? Date(),
                                                      seat: SeatStatus(status: row.status, reason: row.statusReason)))
                }
            }
        }
        var statusHistory: [StatusChange] = []
        var outbox: [OutboxItem] = []
        var leases: [Int64: (owner: String, until: Date)] = [:]
        var due: [Int64: Date] = [:]
        var nextOutboxId: Int64 = 1
        var sessionRecords: [ConversationKey: [SessionSummary]] = [:]
        var messageRecords: [ConversationKey: [MessageRecord]] = [:]
        /// When each delivered or failed call finished, and the calls whose bodies were emptied.
        var finished: [Int64: Date] = [:]
        var pruned: Set<Int64> = []
        var audit: [AuditEntry] = []
        var blocked: [ClientUserID: BlockedUser] = [:]
        var uploads: [String: StoredUpload] = [:]
        var signIns: [String: StoredSignIn] = [:]
        var forcedOffline: Set<AgentID> = []
        var quickReplies: [StoredQuickReply] = []
        var nextQuickReplyId: Int64 = 1
        var deskSettings: DeskSettings?
        var deskDirectory: DeskDirectory?
        var seeded: Set<String> = []
    }

    private let state = Mutex(State())
    private let calls = Atomic<Int>(0)

    package init() {}

    /// Store calls made so far: lets a test see that an idle loop leaves the store alone.
    package var callCount: Int { calls.load(ordering: .relaxed) }

    private func withState<T, E: Error>(_ body: (inout sending State) throws(E) -> sending T) throws(E) -> sending T {
        calls.add(1, ordering: .relaxed)
        return try state.withLock(body)
    }

    package func accept(_ conversation: ConversationKey, dedupeKeys: [String], body: Data, clientIP: String?, receivedAt: Date) async throws -> AcceptOutcome {
        withState { s in
            if dedupeKeys.contains(where: { s.dedupe[$0] != nil }) { return .duplicate }
            for key in dedupeKeys { s.dedupe[key] = receivedAt }
            var row = s.conversations[conversation] ?? ConversationRow(stored: StoredConversation(key: conversation, state: nil, version: 0, processedSeq: 0))
            row.inboundSeq += 1
            row.stored.lastClientIP = clientIP ?? row.stored.lastClientIP
            s.conversations[conversation] = row
            s.inbound[conversation, default: []].append(InboundRecord(conversation: conversation, seq: row.inboundSeq, receivedAt: receivedAt, body: body, clientIP: clientIP))
            return .accepted(seq: row.inboundSeq)
        }
    }

    package func conversationsWithPendingInbound(limit: Int) async throws -> [ConversationKey] {
        withState { s in
            Array(s.conversations.filter { $0.value.inboundSeq > $0.value.stored.processedSeq }.keys.sorted { $0.storageKey < $1.storageKey }.prefix(limit))
        }
    }

    package func pendingInbound(_ conversation: ConversationKey, afterSeq: Int64, limit: Int) async throws -> [InboundRecord] {
        withState { s in Array((s.inbound[conversation] ?? []).filter { $0.seq > afterSeq }.prefix(limit)) }
    }

    package func conversation(_ key: ConversationKey) async throws -> StoredConversation? {
        withState { s in
            s.conversations[key].map { row in
                var stored = row.stored
                stored.blocked = s.blocked[key.clientUserId] != nil
                return stored
            }
        }
    }

    package func conversation(clientUserId: ClientUserID) async throws -> StoredConversation? {
        withState { s in s.conversations.values.first { $0.stored.key.clientUserId == clientUserId }?.stored }
    }

    package func conversation(sessionId: SessionID) async throws -> StoredConversation? {
        withState { s in
            s.conversations.values.first { $0.stored.state?.session?.id == sessionId }?.stored
                ?? s.conversations.values.first { $0.stored.state?.lastSessionId == sessionId }?.stored
        }
    }

    package func commit(_ commit: ConversationCommit) async throws {
        try withState { s throws(StoreError) in
            guard var row = s.conversations[commit.key], row.stored.version == commit.expectedVersion else { throw .conflict }
            var agents = s.agents
            for (agent, limit) in commit.occupy {
                guard let index = agents.firstIndex(where: { $0.id == agent }), agents[index].row.status == .Available,
                    agents[index].row.load < limit
                else { throw .agentUnavailable(agent) }
                agents[index].row.load += 1
                agents[index].row.lastAssignedAt = commit.now
            }
            for agent in commit.release {
                if let index = agents.firstIndex(where: { $0.id == agent }) { agents[index].row.load = max(agents[index].row.load - 1, 0) }
            }
            for (agent, status) in commit.statusChanges {
                if let index = agents.firstIndex(where: { $0.id == agent }) { agents[index].row.set(status, reason: nil, at: commit.now) }
            }
            s.agents = agents
            s.messageRecords[commit.key, default: []] += commit.records
            for summary in commit.sessions {
                var list = s.sessionRecords[commit.key, default: []]
                if let index = list.firstIndex(where: { $0.session == summary.session }) { list[index] = summary } else { list.append(summary) }
                s.sessionRecords[commit.key] = list
            }
            row.stored.state = commit.state
            row.stored.version += 1
            if let seq = commit.processedSeq { row.stored.processedSeq = seq }
            s.conversations[commit.key] = row
            for draft in commit.outbox {
                let id = s.nextOutboxId
                s.nextOutboxId += 1
                s.outbox.append(OutboxItem(
                    id: id, lane: ConversationCommit.lane(commit.key, draft.target), conversation: commit.key, target: draft.target,
                    method: draft.method, path: draft.path, body: draft.body, callId: draft.callId, clientIP: draft.clientIP,
                    attempts: 0, firstAttemptAt: nil, state: .pending, lastError: nil))
                s.due[id] = commit.now
            }
        }
    }

    package func queuedConversations(limit: Int) async throws -> [ConversationKey] {
        withState { s in
            s.conversations.values.compactMap { row -> (ConversationKey, Date)? in
                guard let queue = row.stored.state?.queuePosition else { return nil }
                return (row.stored.key, queue.since)
            }.sorted { $0.1 < $1.1 }.prefix(limit).map(\.0)
        }
    }

    package func conversationsWithDueTimers(now: Date, limit: Int) async throws -> [ConversationKey] {
        withState { s in
            Array(s.conversations.values.filter { ($0.stored.state?.timerDue).map { $0 <= now } ?? false }.map(\.stored.key).prefix(limit))
        }
    }

    package func seedAgents(_ seeds: [AgentSeed]) async throws { withState { $0.seed(seeds) } }

    package func routingSnapshot() async throws -> RoutingSnapshot {
        withState { s in
            var lengths: [SkillGroupID: Int] = [:]
            for row in s.conversations.values { if let queue = row.stored.state?.queuePosition { lengths[queue.group, default: 0] += 1 } }
            return RoutingSnapshot(
                agents: s.agents.map { AgentSnapshot(id: $0.id, status: $0.row.status, load: $0.row.load, lastAssignedAt: $0.row.lastAssignedAt, groups: $0.row.groups,
                                                     statusSince: $0.row.statusSince, statusReason: $0.row.statusReason) },
                queueLengths: lengths)
        }
    }

    package func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, at now: Date) async throws -> Bool {
        withState { s in
            guard let index = s.agents.firstIndex(where: { $0.id == agent }) else { return false }
            s.agents[index].row.set(status, reason: reason, at: now)
            return true
        }
    }

    package func claimDeliveries(now: Date, leaseUntil: Date, owner: String, limit: Int) async throws -> [OutboxItem] {
        withState { s in
            var heads: [String: Int] = [:]
            for (index, item) in s.outbox.enumerated() where item.state == .pending && heads[item.lane] == nil { heads[item.lane] = index }
            var claimed: [OutboxItem] = []
            for index in heads.values.sorted() where claimed.count < limit {
                let item = s.outbox[index]
                guard (s.due[item.id] ?? now) <= now else { continue }
                if let lease = s.leases[item.id], lease.until >= now { continue }
                s.leases[item.id] = (owner, leaseUntil)
                s.outbox[index].attempts += 1
                s.outbox[index].firstAttemptAt = s.outbox[index].firstAttemptAt ?? now
                claimed.append(s.outbox[index])
            }
            return claimed
        }
    }

    package func releaseLeases(owner: String) async throws -> Int {
        withState { s in
            let mine = s.leases.filter { $0.value.owner == owner }.keys
            mine.forEach { s.leases[$0] = nil }
            return mine.count
        }
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date) async throws {
        withState { s in
            guard let index = s.outbox.firstIndex(where: { $0.id == id }), s.leases[id]?.owner == owner else { return }
            s.leases[id] = nil
            switch record {
            case .delivered:
                s.outbox[index].state = .delivered
                s.finished[id] = now
            case .retry(let at, let error):
                s.outbox[index].lastError = error
                s.due[id] = at
            case .failed(let error):
                s.outbox[index].state = .failed
                s.outbox[index].lastError = error
                s.finished[id] = now
            }
        }
    }

    package func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date, appending event: Data, to conversation: ConversationKey, dedupeKey: String) async throws {
        withState { s in
            guard s.leases[id]?.owner == owner, s.dedupe[dedupeKey] == nil, var row = s.conversations[conversation] else { return }
            s.dedupe[dedupeKey] = now
            row.inboundSeq += 1
            s.conversations[conversation] = row
            s.inbound[conversation, default: []].append(InboundRecord(conversation: conversation, seq: row.inboundSeq, receivedAt: now, body: event, clientIP: nil, isInternal: true))
        }
        try await recordDelivery(id, owner: owner, record, now: now)
    }

    package func recordDeliveries(_ records: [(id: Int64, record: DeliveryRecord)], owner: String, now: Date) async throws {
        for (id, record) in records { try await recordDelivery(id, owner: owner, record, now: now) }
    }

    package func nextDeliveryDue() async throws -> Date? {
        withState { s in
            var heads: [String: OutboxItem] = [:]
            for item in s.outbox where item.state == .pending && heads[item.lane] == nil { heads[item.lane] = item }
            return heads.values.compactMap { item -> Date? in
                guard let due = s.due[item.id] else { return nil }
                guard let lease = s.leases[item.id] else { return due }
                return max(due, lease.until.addingTimeInterval(0.001))
            }.min()
        }
    }

    package func outbox(lane: String) async throws -> [OutboxItem] {
        withState { s in s.outbox.filter { $0.lane == lane } }
    }

    package func pendingOutboxCount() async throws -> Int {
        withState { s in s.outbox.filter { $0.state == .pending }.count }
    }

    package func ping() async throws {}

    package func records(_ conversation: ConversationKey) async throws -> ConversationRecords {
        withState { s in
            let lane = ConversationCommit.lane(conversation, .google)
            let deliveries = Dictionary(s.outbox.filter { $0.lane == lane }.map { ($0.callId, $0) }) { _, last in last }
            return ConversationRecords(sessions: s.sessionRecords[conversation] ?? [], messages: s.messageRecords[conversation] ?? [], deliveries: deliveries)
        }
    }

    package func humanSideConversations(limit: Int) async throws -> [StoredConversation] {
        withState { s in
            Array(s.conversations.values.map(\.stored).filter { humanSideDeskStates.contains($0.state?.session?.deskState ?? "") }
                .sorted { $0.key.storageKey < $1.key.storageKey }.prefix(limit))
        }
    }

    package func sessionCounts() async throws -> [String: Int] {
        withState { s in
            var counts: [String: Int] = [:]
            for row in s.conversations.values { if let session = row.stored.state?.session { counts[session.deskState, default: 0] += 1 } }
            return counts
        }
    }

    package func purge(_ kind: RetentionKind, before cutoff: Date, limit: Int) async throws -> Int {
        withState { s in
            switch kind {
            case .webhooks:
                var removed = 0
                for (key, rows) in s.inbound {
                    let processed = s.conversations[key]?.stored.processedSeq ?? 0
                    let kept = rows.filter { removed >= limit || !($0.receivedAt < cutoff && $0.seq <= processed) }
                    removed += rows.count - kept.count
                    s.inbound[key] = kept
                }
                return removed
            case .deliveredCalls:
                let due = s.outbox.filter { item in s.finished[item.id].map { $0 < cutoff } == true && !s.pruned.contains(item.id) }.prefix(limit)
                for item in due {
                    s.pruned.insert(item.id)
                    if let index = s.outbox.firstIndex(where: { $0.id == item.id }) { s.outbox[index].body = Data() }
                }
                return due.count
            case .dedupe:
                let old = s.dedupe.filter { $0.value < cutoff }.keys.prefix(limit)
                old.forEach { s.dedupe[$0] = nil }
                return old.count
            case .records:
                var removed = 0
                for (key, sessions) in s.sessionRecords {
                    let open = s.conversations[key]?.stored.state?.session?.id
                    let gone = Set(sessions.filter { $0.startTime < cutoff && $0.session != open }.prefix(limit - removed).map(\.session))
                    removed += gone.count
                    s.sessionRecords[key] = sessions.filter { !gone.contains($0.session) }
                    s.messageRecords[key] = s.messageRecords[key]?.filter { !gone.contains($0.session) }
                }
                let calls = s.outbox.filter { item in s.finished[item.id].map { $0 < cutoff } == true }.prefix(limit).map(\.id)
                s.outbox.removeAll { calls.contains($0.id) }
                let uploads = s.uploads.values.filter { $0.createdAt < cutoff }.prefix(limit).map(\.id)
                uploads.forEach { s.uploads[$0] = nil }
                return removed + calls.count + uploads.count
            }
        }
    }

    package func erase(clientUserId: ClientUserID, audit: AuditEntry) async throws -> EraseOutcome {
        withState { s in
            let rows = s.conversations.values.filter { $0.stored.key.clientUserId == clientUserId }
            if rows.isEmpty { return .unknownUser }
            if let open = rows.compactMap({ $0.stored.state?.session }).first { return .sessionOpen(open.deskState) }
            var erased = ErasedData()
            for row in rows {
                let key = row.stored.key
                erased.webhooks += s.inbound.removeValue(forKey: key)?.count ?? 0
                erased.messages += s.messageRecords.removeValue(forKey: key)?.count ?? 0
                erased.sessions += s.sessionRecords.removeValue(forKey: key)?.count ?? 0
                let before = s.outbox.count
                s.outbox.removeAll { $0.conversation == key }
                erased.calls += before - s.outbox.count
                let prefixes = GoogleWebhook.dedupePrefixes(of: key)
                let keys = s.dedupe.keys.filter { dedupeKey in prefixes.contains { dedupeKey.hasPrefix($0) } }
                keys.forEach { s.dedupe[$0] = nil }
                erased.dedupeEntries += keys.count
                let uploads = s.uploads.values.filter { $0.conversation == key }.map(\.id)
                uploads.forEach { s.uploads[$0] = nil }
                erased.uploads += uploads.count
                s.conversations[key] = nil
                erased.conversations += 1
            }
            var entry = audit
            entry.id = Int64(s.audit.count + 1)
            entry.detail = AuditDetail.json(erased)
            s.audit.append(entry)
            return .erased(erased)
        }
    }

    package func appendAudit(_ entry: AuditEntry) async throws {
        withState { s in
            var entry = entry
            entry.id = Int64(s.audit.count + 1)
            s.audit.append(entry)
        }
    }

    package func auditTrail(limit: Int) async throws -> [AuditEntry] {
        withState { s in Array(s.audit.reversed().prefix(limit)) }
    }

    package func putUpload(_ upload: StoredUpload) async throws {
        withState { s in s.uploads[upload.id] = upload }
    }

    package func upload(id: String) async throws -> StoredUpload? {
        withState { s in s.uploads[id] }
    }

    package func blockedUsers() async throws -> [BlockedUser] {
        withState { s in s.blocked.values.sorted { ($0.since, $0.clientUserId.rawValue) < ($1.since, $1.clientUserId.rawValue) } }
    }

    package func setBlocked(_ user: ClientUserID, _ entry: BlockedUser?, audit: AuditEntry) async throws -> Bool {
        withState { s in
            guard (s.blocked[user] == nil) == (entry != nil) else { return false }
            s.blocked[user] = entry
            var audit = audit
            audit.id = Int64(s.audit.count + 1)
            s.audit.append(audit)
            return true
        }
    }

    package func sessionFacts(from: Date, to: Date, limit: Int) async throws -> [Analysis.Facts] {
        withState { s in
            s.sessionRecords.flatMap { key, sessions in
                sessions.filter { $0.startTime >= from && $0.startTime < to }.map { summary in
                    Analysis.Facts(Analysis.Input(summary: summary, messages: (s.messageRecords[key] ?? []).filter { $0.session == summary.session }))
                }
            }.sorted { $0.startTime > $1.startTime }.prefix(limit).map { $0 }
        }
    }

    /// Computes facts when asked, so there is nothing to catch up on.
    package func backfillSessionFacts() async throws -> Int { 0 }

    package func searchSessions(_ search: SessionSearch) async throws -> [FoundSession] {
        withState { s in
            let keyword = search.keyword?.lowercased()
            return s.sessionRecords.flatMap { key, sessions in
                sessions.filter { summary in
                    summary.startTime >= search.from && summary.startTime < search.to && (search.user.map { $0 == key.clientUserId } ?? true)
                        && (keyword.map { word in
                            (s.messageRecords[key] ?? []).contains { record in
                                record.session == summary.session && record.msgBody.contains { if case .text(let text) = $0 { text.lowercased().contains(word) } else { false } }
                            }
                        } ?? true)
                }.map { FoundSession(conversation: key, summary: $0) }
            }.sorted { $0.summary.startTime > $1.summary.startTime }.prefix(search.scanLimit).map { $0 }
        }
    }

    package func messages(ofSessions sessions: [SessionID]) async throws -> [MessageRecord] {
        let wanted = Set(sessions)
        return withState { s in s.messageRecords.values.flatMap { $0.filter { wanted.contains($0.session) } } }
    }

    // MARK: - Quick replies

    package func quickReplies() async throws -> [StoredQuickReply] { withState { $0.quickReplies } }

    package func seedQuickReplies(_ replies: [QuickReplyDraft]) async throws -> Bool {
        withState { s in
            guard s.seeded.insert("quickReplies").inserted else { return false }
            s.addQuickReplies(replies)
            return true
        }
    }

    package func addQuickReplies(_ replies: [QuickReplyDraft]) async throws -> [StoredQuickReply] {
        withState { s in s.addQuickReplies(replies) }
    }

    package func updateQuickReply(_ reply: StoredQuickReply) async throws -> StoredQuickReply? {
        withState { s in
            guard let index = s.quickReplies.firstIndex(where: { $0.id == reply.id }) else { return nil }
            defer { s.quickReplies[index] = reply }
            return s.quickReplies[index]
        }
    }

    package func deleteQuickReply(id: Int64) async throws -> StoredQuickReply? {
        withState { s in s.quickReplies.firstIndex { $0.id == id }.map { s.quickReplies.remove(at: $0) } }
    }

    // MARK: - Desk settings

    package func statusChanges(of agent: AgentID?, from: Date, to: Date, after cursor: Int64, limit: Int) async throws -> [StatusChange] {
        withState { s in
            Array(s.statusHistory.filter { change in
                change.at >= from && change.at < to && change.cursor > cursor && (agent.map { change.agent == $0 } ?? true)
            }.prefix(limit))
        }
    }

    package func statuses(at moment: Date) async throws -> [AgentID: StatusChange] {
        withState { s in Dictionary(s.statusHistory.filter { $0.at < moment }.map { ($0.agent, $0) }) { _, later in later } }
    }

    package func deskDirectory() async throws -> DeskDirectory? { withState { $0.deskDirectory } }

    package func seedDeskDirectory(_ directory: DeskDirectory) async throws -> Bool {
        withState { s in
            guard s.deskDirectory == nil else { return false }
            s.deskDirectory = directory
            return true
        }
    }

    package func saveDeskDirectory(_ directory: DeskDirectory, replacing expected: DeskDirectory, at now: Date) async throws {
        try withState { s throws(StoreError) in
            guard s.deskDirectory == expected else { throw .conflict }
            s.seed(directory.seeds)
            let kept = Set(directory.agents.map(\.id)), disabled = Set(directory.disabled)
            for index in s.agents.indices where !kept.contains(s.agents[index].id) || disabled.contains(s.agents[index].id) {
                s.agents[index].row.set(.Offline, reason: nil, at: now)
                if !kept.contains(s.agents[index].id) { s.agents[index].row.groups = [:] }
            }
            s.agents.removeAll { !kept.contains($0.id) && $0.row.load == 0 }
            s.deskDirectory = directory
        }
    }

    package func deskSettings() async throws -> DeskSettings? { withState { $0.deskSettings } }

    package func seedDeskSettings(_ settings: DeskSettings) async throws -> Bool {
        withState { s in
            guard s.deskSettings == nil else { return false }
            s.deskSettings = settings
            return true
        }
    }

    package func saveDeskSettings(_ settings: DeskSettings) async throws -> DeskSettings? {
        withState { s in
            defer { s.deskSettings = settings }
            return s.deskSettings
        }
    }

    // MARK: - Sign-ins

    package func putSignIn(_ signIn: StoredSignIn) async throws {
        withState { s in s.signIns[signIn.tokenHash] = signIn }
    }

    package func signIn(tokenHash: String, realm: String, now: Date, consume: Bool) async throws -> StoredSignIn? {
        withState { s in
            guard let found = s.signIns[tokenHash], found.realm == realm, found.expires > now else { return nil }
            if consume { s.signIns.removeValue(forKey: tokenHash) }
            return found
        }
    }

    package func endSignIns(_ scope: SignInScope) async throws -> Int {
        withState { s in
            let before = s.signIns.count
            s.signIns = s.signIns.filter { !$0.value.isIn(scope) }
            return before - s.signIns.count
        }
    }

    package func signedInAgents(realm: String, now: Date) async throws -> Set<AgentID> {
        withState { s in Set(s.signIns.values.filter { $0.realm == realm && $0.expires > now }.map(\.agent)) }
    }

    package func forcedOffline() async throws -> Set<AgentID> { withState { s in s.forcedOffline } }

    package func setForcedOffline(_ agent: AgentID, _ forced: Bool, endingSignInsIn realms: [String], at now: Date) async throws -> Bool {
        withState { s in
            guard s.forcedOffline.contains(agent) != forced else { return false }
            if forced {
                s.forcedOffline.insert(agent)
                s.signIns = s.signIns.filter { !($0.value.agent == agent && realms.contains($0.value.realm)) }
            } else {
                s.forcedOffline.remove(agent)
            }
            return true
        }
    }
}

extension StoredSignIn {
    fileprivate func isIn(_ scope: SignInScope) -> Bool {
        switch scope {
        case .token(let hash): tokenHash == hash
        case .agent(let who, let inRealm): agent == who && realm == inRealm
        case .expired(let date): expires <= date
        }
    }
}
