import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// `storage.retention` and the privacy erasure, on every store (README, "Data retention and erasure").
@Suite("Retention, erasure and the blacklist")
struct RetentionTests {
    let ended = ConversationKey(agent: "brands/b/agents/a", conversationId: "ended")
    let open = ConversationKey(agent: "brands/b/agents/a", conversationId: "open")
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    let day: TimeInterval = 86_400

    /// A conversation whose one session ended, with two webhooks (the second never processed)
    /// and three calls: delivered, failed and still pending. Another whose session is open.
    func seed(_ store: any DeskStore) async throws -> SessionID {
        #expect(try await store.accept(ended, dedupeKeys: ["req:1", "msg:\(ended.storageKey):m1"], body: Data("first".utf8), clientIP: nil, receivedAt: start) == .accepted(seq: 1))
        #expect(try await store.accept(ended, dedupeKeys: ["req:2"], body: Data("second".utf8), clientIP: nil, receivedAt: start) == .accepted(seq: 2))
        var state = ConversationState(key: ended)
        state.session = Session(id: SessionID.derive(conversation: ended, ordinal: 1), startedAt: start, flow: FlowCursor(flow: "main"))
        let session = try #require(state.session)
        var commit = ConversationCommit(key: ended, expectedVersion: 0, state: state, processedSeq: 1, outbox: ["c1", "c2", "c3"].map(draft),
                                        occupy: [], release: [], now: start)
        commit.records = [MessageRecord(session: session.id, time: start, direction: .Out, sender: .Bot, agentId: nil, msgKey: "k1",
                                        msgBody: [.text("hello")], callIds: ["c1", "c2", "c3"])]
        commit.sessions = [try #require(state.openSessionSummary)]
        try await store.commit(commit)
        for (index, record) in [DeliveryRecord.delivered, .failed(error: "HTTP 400")].enumerated() {
            let item = try #require(try await store.claimDeliveries(now: start, leaseUntil: start.addingTimeInterval(30), owner: "w", limit: 1).first)
            #expect(item.callId == "c\(index + 1)")
            try await store.recordDelivery(item.id, owner: "w", record, now: start)
        }
        var summary = try #require(state.openSessionSummary)
        summary.state = "Ended"
        summary.endTime = start.addingTimeInterval(60)
        var end = ConversationCommit(key: ended, expectedVersion: 1, state: ConversationState(key: ended), processedSeq: nil, outbox: [], occupy: [], release: [], now: start)
        end.sessions = [summary]
        try await store.commit(end)

        _ = try await store.accept(open, dedupeKeys: ["req:3"], body: Data("hi".utf8), clientIP: nil, receivedAt: start)
        var openState = ConversationState(key: open)
        openState.session = Session(id: SessionID.derive(conversation: open, ordinal: 1), startedAt: start, flow: FlowCursor(flow: "main"))
        var openCommit = ConversationCommit(key: open, expectedVersion: 0, state: openState, processedSeq: 1, outbox: [], occupy: [], release: [], now: start)
        openCommit.sessions = [try #require(openState.openSessionSummary)]
        try await store.commit(openCommit)
        return session.id
    }

    func draft(_ id: String) -> OutboxDraft {
        OutboxDraft(target: .google, method: "POST", path: "/v1/conversations/ended/messages", body: Data("{\"id\":\"\(id)\"}".utf8), callId: id)
    }

    func sweep(_ store: any DeskStore, at date: Date, _ retention: StorageConfig.Retention = .init()) async throws -> [RetentionKind: Int] {
        try await RetentionService(store: store, retention: retention, clock: WallClock { date }, batchSize: 2, logger: Logger(label: "test")).sweep()
    }

    @Test(arguments: Backend.available)
    func oldDataGoesAndWhatIsStillNeededStays(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await seed(store)
        #expect(try await sweep(store, at: start.addingTimeInterval(29 * day)).values.reduce(0, +) == 0, "nothing is old enough yet")

        let removed = try await sweep(store, at: start.addingTimeInterval(31 * day))
        #expect(removed[.webhooks] == 2, "the two processed webhooks, not the unprocessed one")
        #expect(removed[.deliveredCalls] == 2)
        #expect(removed[.records] == 0, "records are kept for a year")
        #expect(try await store.pendingInbound(ended, afterSeq: 0, limit: 10).map(\.body) == [Data("second".utf8)])
        let calls = try await store.outbox(lane: ConversationCommit.lane(ended, .google))
        #expect(calls.map(\.state) == [.delivered, .failed, .pending])
        #expect(calls.map(\.body.isEmpty) == [true, true, false], "finished calls lose their bodies; the pending one is untouched")
        let records = try await store.records(ended)
        #expect(records.messages.map(\.msgKey) == ["k1"])
        #expect(records.deliveries["c1"]?.state == .delivered && records.deliveries["c2"]?.lastError == "HTTP 400",
                "the records still say how each message fared")

        // README: a repeat arriving after its dedupe entry expired is accepted as a new webhook.
        #expect(try await store.accept(ended, dedupeKeys: ["req:1"], body: Data("first".utf8), clientIP: nil, receivedAt: start.addingTimeInterval(31 * day))
                == .accepted(seq: 3))
        #expect(try await store.accept(open, dedupeKeys: ["req:3"], body: Data("hi".utf8), clientIP: nil, receivedAt: start.addingTimeInterval(31 * day))
                == .accepted(seq: 2))

        let yearLater = try await sweep(store, at: start.addingTimeInterval(366 * day))
        #expect(yearLater[.records] == 3, "the ended session and its two finished calls")
        let afterYear = try await store.records(ended)
        #expect(afterYear.sessions.isEmpty && afterYear.messages.isEmpty)
        #expect(try await store.outbox(lane: ConversationCommit.lane(ended, .google)).map(\.callId) == ["c3"], "a pending call is never removed")
        #expect(try await store.records(open).sessions.count == 1, "an open session is kept however old")
    }

    @Test(arguments: Backend.available)
    func zeroDaysKeepsForever(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await seed(store)
        var forever = StorageConfig.Retention()
        (forever.webhookDays, forever.deliveredCallDays, forever.dedupeDays, forever.recordDays) = (0, 0, 0, 0)
        #expect(try await sweep(store, at: start.addingTimeInterval(10_000 * day), forever).isEmpty)
        #expect(try await store.accept(ended, dedupeKeys: ["req:1"], body: Data(), clientIP: nil, receivedAt: start) == .duplicate)
        #expect(try await store.records(ended).sessions.count == 1)
    }

    @Test(arguments: Backend.available)
    func erasureRemovesOneUserAndIsAuditedWithoutContent(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await seed(store)
        let audit = AuditEntry(at: start, actor: "administrator", action: "erase_user_data", subject: AuditDetail.subject(ended.clientUserId))
        #expect(try await store.erase(clientUserId: open.clientUserId, audit: audit) == .sessionOpen("Chatbot"), "refused while a session is open")
        #expect(try await store.erase(clientUserId: ClientUserID("nobody"), audit: audit) == .unknownUser)
        #expect(try await store.auditTrail(limit: 10).isEmpty, "a refused erasure changes nothing")

        guard case .erased(let erased) = try await store.erase(clientUserId: ended.clientUserId, audit: audit) else {
            Issue.record("the ended conversation was not erased")
            return
        }
        #expect(erased.conversations == 1 && erased.sessions == 1 && erased.messages == 1 && erased.webhooks == 2 && erased.calls == 3 && erased.dedupeEntries == 1)
        #expect(try await store.conversation(ended) == nil)
        #expect(try await store.conversation(clientUserId: ended.clientUserId) == nil)
        #expect(try await store.pendingInbound(ended, afterSeq: 0, limit: 10).isEmpty)
        #expect(try await store.outbox(lane: ConversationCommit.lane(ended, .google)).isEmpty)
        #expect(try await store.records(ended).sessions.isEmpty)
        #expect(try await store.conversation(open) != nil, "another user is untouched")
        #expect(try await store.accept(ended, dedupeKeys: ["msg:\(ended.storageKey):m1"], body: Data(), clientIP: nil, receivedAt: start) == .accepted(seq: 1),
                "the erased conversation's message ids are forgotten too")

        let trail = try await store.auditTrail(limit: 10)
        #expect(trail.map(\.action) == ["erase_user_data"])
        #expect(trail.first?.subject.hasPrefix("ClientUserId sha256:") == true)
        #expect(trail.first.map { !$0.subject.contains(ended.clientUserId.rawValue) && !$0.detail.contains("hello") } == true)
        #expect(trail.first?.detail.contains("\"messages\":1") == true)
    }

    @Test(arguments: Backend.available)
    func theBlacklistMarksTheConversationAndAuditsEachChange(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await seed(store)
        let user = ended.clientUserId
        let entry = BlockedUser(clientUserId: user, reason: "spam", since: start, by: "administrator")
        let audit = AuditEntry(at: start, actor: "administrator", action: "block_user", subject: "user \(user.rawValue)")
        #expect(try await store.setBlocked(user, entry, audit: audit))
        #expect(try await store.setBlocked(user, entry, audit: audit) == false, "already blocked: nothing written")
        #expect(try await store.conversation(ended)?.blocked == true)
        #expect(try await store.conversationWithPending(ended, limit: 10)?.0.blocked == true)
        #expect(try await store.conversation(open)?.blocked == false)
        #expect(try await store.blockedUsers() == [entry])
        var unblock = audit
        unblock.action = "unblock_user"
        #expect(try await store.setBlocked(user, nil, audit: unblock))
        #expect(try await store.conversation(ended)?.blocked == false)
        #expect(try await store.auditTrail(limit: 10).map(\.action) == ["unblock_user", "block_user"])
    }

    /// The service-record search's part in SQL: the date range, the user, a keyword in the text.
    @Test(arguments: Backend.available)
    func sessionsAreFoundByDatesUserAndAKeywordInTheirText(backend: Backend) async throws {
        let store = try await backend.make()
        let endedSession = try await seed(store)
        let day = SessionSearch(from: start.addingTimeInterval(-60), to: start.addingTimeInterval(60))
        #expect(Set(try await store.searchSessions(day).map(\.conversation)) == [ended, open])
        var keyword = day
        keyword.keyword = "HELL"
        #expect(try await store.searchSessions(keyword).map(\.summary.session) == [endedSession], "case-insensitive, inside the text")
        keyword.keyword = "TIMTextElem"
        #expect(try await store.searchSessions(keyword).isEmpty, "the message's JSON is not searched, only its text")
        keyword.keyword = "%"
        #expect(try await store.searchSessions(keyword).isEmpty, "a % in the keyword is a literal %")
        var user = day
        user.user = open.clientUserId
        #expect(try await store.searchSessions(user).map(\.conversation) == [open])
        let later = SessionSearch(from: start.addingTimeInterval(60), to: start.addingTimeInterval(120))
        #expect(try await store.searchSessions(later).isEmpty)
    }
}
