import DeskBridgeCore
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Testing

/// Every backend of `DeskStore`, run through one contract.
///
/// PostgreSQL joins when `scripts/test` has started its throwaway server; each test gets a fresh database.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite, postgres

    static var available: [Backend] { TestPostgres.isAvailable ? allCases : [.memory, .sqlite] }

    var testDescription: String { rawValue }

    func make() async throws -> any DeskStore {
        switch self {
        case .memory: InMemoryDeskStore()
        case .sqlite: try SQLiteDeskStore(path: TestConfig.temporaryDirectory().appendingPathComponent("store.sqlite").path)
        case .postgres: try await TestPostgres.freshStore()
        }
    }
}

@Suite("Store contract")
struct StoreContractTests {
    let conv = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-1")
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func state(_ key: ConversationKey, session: Bool = false) -> ConversationState {
        var state = ConversationState(key: key)
        if session { state.session = Session(id: SessionID.derive(conversation: key, ordinal: 1), startedAt: now, flow: FlowCursor(flow: "main")) }
        return state
    }

    func draft(_ id: String, _ target: OutboxTarget = .google) -> OutboxDraft {
        OutboxDraft(target: target, method: "POST", path: "/v1/conversations/c-1/messages", body: Data("{\"id\":\"\(id)\"}".utf8), callId: id)
    }

    func commit(_ store: any DeskStore, _ key: ConversationKey, version: Int64, seq: Int64? = nil, outbox: [OutboxDraft] = [],
                occupy: [(agent: AgentID, limit: Int)] = [], release: [AgentID] = [], state: ConversationState? = nil) async throws {
        try await store.commit(ConversationCommit(key: key, expectedVersion: version, state: state ?? self.state(key), processedSeq: seq,
                                                  outbox: outbox, occupy: occupy, release: release, now: now))
    }

    @Test(arguments: Backend.available)
    func acceptAssignsOrderAndRefusesRepeats(backend: Backend) async throws {
        let store = try await backend.make()
        #expect(try await store.accept(conv, dedupeKeys: ["req:1", "msg:c-1:m1"], body: Data("a".utf8), clientIP: "10.0.0.1", receivedAt: now) == .accepted(seq: 1))
        #expect(try await store.accept(conv, dedupeKeys: ["req:1"], body: Data("a".utf8), clientIP: nil, receivedAt: now) == .duplicate)
        #expect(try await store.accept(conv, dedupeKeys: ["req:2", "msg:c-1:m1"], body: Data("a".utf8), clientIP: nil, receivedAt: now) == .duplicate,
                "a new requestId for a known messageId is still a repeat")
        #expect(try await store.accept(conv, dedupeKeys: ["req:3"], body: Data("b".utf8), clientIP: nil, receivedAt: now) == .accepted(seq: 2))
        let pending = try await store.pendingInbound(conv, afterSeq: 0, limit: 10)
        #expect(pending.map(\.seq) == [1, 2])
        #expect(pending.map(\.body) == [Data("a".utf8), Data("b".utf8)])
        #expect(pending.first?.clientIP == "10.0.0.1")
        #expect(try await store.conversationsWithPendingInbound(limit: 10) == [conv])
    }

    /// What one processing run reads: the conversation, and only the events after its `processedSeq`, at most `limit`.
    @Test(arguments: Backend.available)
    func aRunReadsTheConversationWithTheEventsAfterItsProcessedSeq(backend: Backend) async throws {
        let store = try await backend.make()
        #expect(try await store.conversationWithPending(conv, limit: 10) == nil, "an unknown conversation has nothing to run")
        for index in 1...4 {
            _ = try await store.accept(conv, dedupeKeys: ["r\(index)"], body: Data("\(index)".utf8), clientIP: nil, receivedAt: now)
        }
        try await commit(store, conv, version: 0, seq: 1, state: state(conv, session: true))
        let (stored, events) = try #require(try await store.conversationWithPending(conv, limit: 2))
        #expect(stored.version == 1)
        #expect(stored.processedSeq == 1)
        #expect(stored.state?.session != nil)
        #expect(events.map(\.seq) == [2, 3])
        #expect(events.map(\.body) == [Data("2".utf8), Data("3".utf8)])
        try await commit(store, conv, version: 1, seq: 4)
        #expect(try await store.conversationWithPending(conv, limit: 2)?.1.isEmpty == true, "every event processed")
    }

    @Test(arguments: Backend.available)
    func commitIsAtomicAndVersioned(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await store.accept(conv, dedupeKeys: ["r1"], body: Data(), clientIP: nil, receivedAt: now)
        try await commit(store, conv, version: 0, seq: 1, outbox: [draft("m1")], state: state(conv, session: true))
        let stored = try #require(try await store.conversation(conv))
        #expect(stored.version == 1)
        #expect(stored.processedSeq == 1)
        #expect(stored.state?.session != nil)
        #expect(try await store.conversationsWithPendingInbound(limit: 10) == [])
        await #expect(throws: StoreError.conflict) { try await commit(store, conv, version: 0, outbox: [draft("m2")]) }
        #expect(try await store.outbox(lane: ConversationCommit.lane(conv, .google)).map(\.callId) == ["m1"], "a conflicting commit stores nothing")
        #expect(try await store.conversation(clientUserId: conv.clientUserId)?.key == conv)
        #expect(try await store.conversation(sessionId: SessionID.derive(conversation: conv, ordinal: 1))?.key == conv)
        #expect(try await store.sessionCounts() == ["Chatbot": 1])
    }

    @Test(arguments: Backend.available)
    func agentCapacityIsEnforcedInTheCommit(backend: Backend) async throws {
        let store = try await backend.make()
        try await store.seedAgents([AgentSeed(id: "lena", status: .Available, groups: [1: 1]), AgentSeed(id: "omar", status: .Offline, groups: [1: 2])])
        for (index, id) in ["c-1", "c-2", "c-3"].enumerated() {
            let key = ConversationKey(agent: "a", conversationId: id)
            _ = try await store.accept(key, dedupeKeys: ["r\(index)"], body: Data(), clientIP: nil, receivedAt: now)
        }
        try await commit(store, ConversationKey(agent: "a", conversationId: "c-1"), version: 0, occupy: [("lena", 2)])
        try await commit(store, ConversationKey(agent: "a", conversationId: "c-2"), version: 0, occupy: [("lena", 2)])
        await #expect(throws: StoreError.agentUnavailable("lena")) {
            try await commit(store, ConversationKey(agent: "a", conversationId: "c-3"), version: 0, outbox: [draft("x")], occupy: [("lena", 2)])
        }
        await #expect(throws: StoreError.agentUnavailable("omar")) {
            try await commit(store, ConversationKey(agent: "a", conversationId: "c-3"), version: 0, occupy: [("omar", 2)])
        }
        #expect(try await store.conversation(ConversationKey(agent: "a", conversationId: "c-3"))?.version == 0, "refused commits change nothing")
        var snapshot = try await store.routingSnapshot()
        #expect(snapshot.agents.map(\.id) == ["lena", "omar"])
        #expect(snapshot.agents.first?.load == 2)
        #expect(snapshot.agents.first?.lastAssignedAt == now)
        try await commit(store, ConversationKey(agent: "a", conversationId: "c-1"), version: 1, release: ["lena"])
        snapshot = try await store.routingSnapshot()
        #expect(snapshot.agents.first?.load == 1)
        #expect(try await store.setAgentStatus("omar", .Available, at: now))
        #expect(!(try await store.setAgentStatus("nobody", .Available, at: now)))
        #expect(try await store.routingSnapshot().agent("omar")?.statusSince == now, "a change is stamped")
        #expect(try await store.setAgentStatus("omar", .Available, at: now.addingTimeInterval(60)))
        #expect(try await store.routingSnapshot().agent("omar")?.statusSince == now, "setting the same status keeps the stamp")
        #expect(try await store.setAgentStatus("omar", .Rest, reason: "Meal", at: now.addingTimeInterval(120)))
        let resting = try await store.routingSnapshot().agent("omar")
        #expect(resting?.status == .Rest && resting?.statusReason == "Meal" && resting?.statusSince == now.addingTimeInterval(120))
        #expect(try await store.setAgentStatus("omar", .Rest, reason: "Meeting", at: now.addingTimeInterval(180)))
        #expect(try await store.routingSnapshot().agent("omar")?.statusSince == now.addingTimeInterval(180), "a new reason is a change")
        #expect(try await store.setAgentStatus("omar", .Available, at: now.addingTimeInterval(240)))
        #expect(try await store.routingSnapshot().agent("omar")?.statusReason == nil, "a status without a reason clears it")
        try await store.seedAgents([AgentSeed(id: "omar", status: .Offline, groups: [1: 2])])
        #expect(try await store.routingSnapshot().agents.last?.status == .Available, "the stored status wins over the seed")
    }

    @Test(arguments: Backend.available)
    func deliveriesAreClaimedHeadOfLaneOnlyAndLeased(backend: Backend) async throws {
        let store = try await backend.make()
        let other = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-2")
        for key in [conv, other] { _ = try await store.accept(key, dedupeKeys: [key.conversationId], body: Data(), clientIP: nil, receivedAt: now) }
        try await commit(store, conv, version: 0, outbox: [draft("a1"), draft("a2"), draft("e1", .sessionEvents)])
        try await commit(store, other, version: 0, outbox: [draft("b1")])

        let first = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "w1", limit: 10)
        #expect(Set(first.map(\.callId)) == ["a1", "e1", "b1"], "one head per lane; lanes are independent")
        #expect(first.allSatisfy { $0.attempts == 1 && $0.firstAttemptAt == now })
        #expect(try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "w2", limit: 10).isEmpty,
                "a leased head blocks its lane")

        let a1 = try #require(first.first { $0.callId == "a1" })
        try await store.recordDelivery(a1.id, owner: "w2", .delivered, now: now)  // not the lease owner: ignored
        #expect(try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "w2", limit: 10).isEmpty)
        try await store.recordDelivery(a1.id, owner: "w1", .delivered, now: now)
        let next = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "w1", limit: 10)
        #expect(next.map(\.callId) == ["a2"])

        let retryAt = now.addingTimeInterval(5)
        try await store.recordDelivery(next[0].id, owner: "w1", .retry(at: retryAt, error: "HTTP 503"), now: now)
        #expect(try await store.claimDeliveries(now: now.addingTimeInterval(4), leaseUntil: now.addingTimeInterval(34), owner: "w1", limit: 10).isEmpty)
        let again = try await store.claimDeliveries(now: retryAt, leaseUntil: retryAt.addingTimeInterval(30), owner: "w1", limit: 10)
        #expect(again.map(\.callId) == ["a2"])
        #expect(again.first?.attempts == 2)
        #expect(again.first?.lastError == "HTTP 503")
        try await store.recordDelivery(again[0].id, owner: "w1", .failed(error: "HTTP 400"), now: retryAt)
        let lane = try await store.outbox(lane: ConversationCommit.lane(conv, .google))
        #expect(lane.map(\.state) == [.delivered, .failed])
        #expect(try await store.pendingOutboxCount() == 2, "e1 and b1 are still leased and pending")
    }

    @Test(arguments: Backend.available)
    func aBatchOfDeliveriesIsRecordedTogetherAndOnlyByItsLeaseOwner(backend: Backend) async throws {
        let store = try await backend.make()
        let other = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-2")
        for key in [conv, other] { _ = try await store.accept(key, dedupeKeys: [key.conversationId], body: Data(), clientIP: nil, receivedAt: now) }
        try await commit(store, conv, version: 0, outbox: [draft("a1"), draft("a2")])
        try await commit(store, other, version: 0, outbox: [draft("b1")])
        let claimed = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "w1", limit: 10)
        let a1 = try #require(claimed.first { $0.callId == "a1" }), b1 = try #require(claimed.first { $0.callId == "b1" })
        try await store.recordDeliveries([(a1.id, .delivered), (b1.id, .failed(error: "HTTP 400"))], owner: "w2", now: now)
        #expect(try await store.pendingOutboxCount() == 3, "another owner's batch changes nothing")
        try await store.recordDeliveries([(a1.id, .delivered), (b1.id, .failed(error: "HTTP 400"))], owner: "w1", now: now)
        #expect(try await store.outbox(lane: ConversationCommit.lane(conv, .google)).map(\.state) == [.delivered, .pending])
        #expect(try await store.outbox(lane: ConversationCommit.lane(other, .google)).map(\.state) == [.failed])
    }

    @Test(arguments: Backend.available)
    func anExpiredLeaseIsClaimedAgainWithTheSameId(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await store.accept(conv, dedupeKeys: ["r"], body: Data(), clientIP: nil, receivedAt: now)
        try await commit(store, conv, version: 0, outbox: [draft("m1")])
        let crashed = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(10), owner: "dead", limit: 10)
        #expect(try await store.nextDeliveryDue() ?? .distantPast > now.addingTimeInterval(10), "the next due time waits for the lease")
        let retried = try await store.claimDeliveries(now: now.addingTimeInterval(11), leaseUntil: now.addingTimeInterval(41), owner: "alive", limit: 10)
        #expect(retried.map(\.callId) == crashed.map(\.callId))
        #expect(retried.first?.attempts == 2)
    }

    @Test(arguments: Backend.available)
    func aRestartedReplicaTakesBackOnlyItsOwnLeases(backend: Backend) async throws {
        let store = try await backend.make()
        let other = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-2")
        for key in [conv, other] { _ = try await store.accept(key, dedupeKeys: [key.conversationId], body: Data(), clientIP: nil, receivedAt: now) }
        try await commit(store, conv, version: 0, outbox: [draft("mine")])
        try await commit(store, other, version: 0, outbox: [draft("theirs")])
        _ = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(60), owner: "replica-a", limit: 1)
        _ = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(60), owner: "replica-b", limit: 1)
        #expect(try await store.releaseLeases(owner: "replica-a") == 1)
        let reclaimed = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(60), owner: "replica-a", limit: 10)
        #expect(reclaimed.count == 1)
        #expect(reclaimed.first?.attempts == 2)
    }

    @Test(arguments: Backend.available)
    func queuedConversationsAreOldestFirst(backend: Backend) async throws {
        let store = try await backend.make()
        var keys: [ConversationKey] = []
        for (index, offset) in [30.0, 10.0, 20.0].enumerated() {
            let key = ConversationKey(agent: "a", conversationId: "q\(index)")
            keys.append(key)
            _ = try await store.accept(key, dedupeKeys: ["q\(index)"], body: Data(), clientIP: nil, receivedAt: now)
            var queued = state(key, session: true)
            _ = queued.session!.ownership.queue(in: 1)
            queued.session!.queuedAt = now.addingTimeInterval(offset)
            try await commit(store, key, version: 0, state: queued)
        }
        #expect(try await store.queuedConversations(limit: 10) == [keys[1], keys[2], keys[0]])
        #expect(try await store.routingSnapshot().queueLengths == [1: 3])
    }

    @Test(arguments: Backend.available)
    func recordsKeepSessionsMessagesAndDeliveries(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await store.accept(conv, dedupeKeys: ["r"], body: Data(), clientIP: nil, receivedAt: now)
        let open = state(conv, session: true)
        let session = try #require(open.session)
        var commit = ConversationCommit(key: conv, expectedVersion: 0, state: open, processedSeq: nil, outbox: [draft("tx-1-0")], occupy: [], release: [], now: now)
        commit.records = [MessageRecord(session: session.id, time: now, direction: .Out, sender: .Bot, agentId: nil, msgKey: "1_a_1", msgBody: [.text("hi")], callIds: ["tx-1-0"])]
        commit.sessions = [try #require(open.openSessionSummary)]
        try await store.commit(commit)
        var ended = try #require(open.openSessionSummary)
        ended.state = "Ended"
        ended.endTime = now.addingTimeInterval(5)
        var second = ConversationCommit(key: conv, expectedVersion: 1, state: ConversationState(key: conv), processedSeq: nil, outbox: [], occupy: [], release: [], now: now)
        second.sessions = [ended]
        try await store.commit(second)
        let records = try await store.records(conv)
        #expect(records.sessions == [ended], "a summary is replaced, not duplicated")
        #expect(records.messages.map(\.msgKey) == ["1_a_1"])
        #expect(records.deliveries["tx-1-0"]?.state == .pending)
    }

    @Test func sqliteRunsWithSynchronousFull() async throws {
        let store = try SQLiteDeskStore(path: TestConfig.temporaryDirectory().appendingPathComponent("s.sqlite").path)
        #expect(try await store.synchronousMode() == 2)
    }

    /// Commits never checkpoint the WAL themselves (unless it passes the safety net); the store's own
    /// checkpoint copies every committed frame into the database file.
    @Test func sqliteCheckpointsOutsideTheWriter() async throws {
        let store = try SQLiteDeskStore(path: TestConfig.temporaryDirectory().appendingPathComponent("wal.sqlite").path)
        #expect(try await store.autoCheckpointPages() == SQLiteDeskStore.walSafetyNetPages)
        let conv = ConversationKey(agent: "brands/b/agents/a", conversationId: "wal")
        for index in 0..<40 {
            _ = try await store.accept(conv, dedupeKeys: ["r-\(index)"], body: Data("{}".utf8), clientIP: nil, receivedAt: Date())
        }
        let first = try await store.checkpoint()
        #expect(first.walFrames > 0)
        #expect(first.checkpointed == first.walFrames, "a passive checkpoint with nobody reading copies every frame")
        #expect(try await store.pendingInbound(conv, afterSeq: 0, limit: 100).count == 40)
    }

    /// Group commit: concurrent writes share transactions, each write's outcome is its own,
    /// and every acknowledged write is on disk (seen by a second connection to the file).
    @Test func sqliteGroupsConcurrentWritesWithoutMixingTheirOutcomes() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("group.sqlite").path
        let store = try SQLiteDeskStore(path: path)
        let before = store.groupCommitCounts
        let outcomes = try await withThrowingTaskGroup(of: AcceptOutcome.self) { group in
            for index in 0..<200 {
                // Every fourth webhook repeats the one before it: it must be refused alone.
                let request = index % 4 == 3 ? index - 1 : index
                group.addTask {
                    try await store.accept(ConversationKey(agent: "a", conversationId: "c-\(index % 10)"), dedupeKeys: ["req:\(request)"],
                                           body: Data("\(request)".utf8), clientIP: nil, receivedAt: now)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let counts = store.groupCommitCounts
        #expect(outcomes.filter { $0 == .duplicate }.count == 50)
        #expect(counts.writes - before.writes == 200)
        #expect(counts.transactions - before.transactions < 200, "concurrent writes shared transactions (\(counts.transactions - before.transactions) for 200)")
        let reader = try SQLiteDeskStore(path: path)
        var stored = 0
        for index in 0..<10 {
            let pending = try await reader.pendingInbound(ConversationKey(agent: "a", conversationId: "c-\(index)"), afterSeq: 0, limit: 100)
            #expect(pending.map(\.seq) == Array(1...Int64(pending.count)), "each conversation numbered without gaps")
            stored += pending.count
        }
        #expect(stored == 150)
    }

    /// After `shutdown` the pool no longer runs; a call must fail at once with "unavailable"
    /// rather than wait for a connection that will never come.
    @Test(.enabled(if: TestPostgres.isAvailable)) func aClosedPostgresStoreAnswersUnavailableAtOnce() async throws {
        let store = try await TestPostgres.freshStore()
        try await store.ping()
        store.shutdown()
        await #expect(throws: StoreError.unavailable("the PostgreSQL store is closed")) { try await store.ping() }
    }

    @Test func sqliteKeepsEverythingAcrossReopen() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("reopen.sqlite").path
        do {
            let store = try SQLiteDeskStore(path: path)
            _ = try await store.accept(conv, dedupeKeys: ["r1"], body: Data("x".utf8), clientIP: nil, receivedAt: now)
            try await commit(store, conv, version: 0, seq: 1, outbox: [draft("m1")])
        }
        let reopened = try SQLiteDeskStore(path: path)
        #expect(try await reopened.conversation(conv)?.processedSeq == 1)
        #expect(try await reopened.accept(conv, dedupeKeys: ["r1"], body: Data(), clientIP: nil, receivedAt: now) == .duplicate)
        #expect(try await reopened.pendingOutboxCount() == 1)
    }
}
