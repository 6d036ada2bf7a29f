import DeskBridgeCore
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import GRDB
import Testing

/// The analysis facts and the keyword index, on every store: kept by the commit that ends a
/// session, the same as computing them from the records, gone with an erasure.
@Suite("Analysis facts and the keyword index in the store")
struct AnalysisStoreTests {
    let key = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-facts")
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// One session reaching Lena after 60 s, her first answer 25 s later, ended at 10 minutes;
    /// `open` leaves it running.
    func commit(_ store: any DeskStore, open: Bool, version: Int64) async throws -> (SessionSummary, [MessageRecord]) {
        let session = SessionID.derive(conversation: key, ordinal: 1)
        let reached = start.addingTimeInterval(60)
        let summary = SessionSummary(session: session, state: open ? "Agent" : "Ended", startTime: start, endTime: open ? nil : start.addingTimeInterval(600),
                                     agentIds: ["lena"], assignments: [AssignmentRecord(time: reached, strategy: "automatic", candidates: ["lena"], agentId: "lena",
                                                                                        outcome: "assigned", reason: "idle longest", latencyMs: nil)],
                                     satisfaction: open ? nil : Rating(score: 4, time: start.addingTimeInterval(610)), closeBy: open ? nil : "client", skillGroup: 1)
        let messages = [
            MessageRecord(session: session, time: start, direction: .In, sender: .User, agentId: nil, msgKey: "m1", msgBody: [.text("Where is my PARCEL?")], callIds: []),
            MessageRecord(session: session, time: reached.addingTimeInterval(25), direction: .Out, sender: .Agent, agentId: "lena", msgKey: "m2",
                          msgBody: [.text("Let me look: 100% on its way.")], callIds: []),
        ]
        var state = ConversationState(key: key)
        if open { state.session = Session(id: session, startedAt: start, flow: FlowCursor(flow: "main")) }
        var commit = ConversationCommit(key: key, expectedVersion: version, state: state, processedSeq: nil, outbox: [], occupy: [],
                                        release: [], now: start)
        commit.records = open ? messages : []
        commit.sessions = [summary]
        try await store.commit(commit)
        return (summary, messages)
    }

    @Test(arguments: Backend.available)
    func anEndedSessionsFactsAreKeptAndMatchTheRecords(backend: Backend) async throws {
        let store = try await backend.make()
        _ = try await store.accept(key, dedupeKeys: ["r-1"], body: Data("{}".utf8), clientIP: nil, receivedAt: start)
        let (open, messages) = try await commit(store, open: true, version: 0)
        let range = (from: start.addingTimeInterval(-86_400), to: start.addingTimeInterval(86_400))
        #expect(try await store.sessionFacts(from: range.from, to: range.to, limit: 10) == [Analysis.Facts(Analysis.Input(summary: open, messages: messages))],
                "an open session is computed when asked")

        let (ended, _) = try await commit(store, open: false, version: 1)
        let facts = try #require(try await store.sessionFacts(from: range.from, to: range.to, limit: 10).first)
        #expect(facts == Analysis.Facts(Analysis.Input(summary: ended, messages: messages)), "kept as computing them from the records gives")
        #expect(facts.firstResponse == 25 && facts.handleTime == 540 && facts.messages == 2 && facts.score == 4 && facts.ended)
        #expect(try await store.sessionFacts(from: start.addingTimeInterval(1), to: range.to, limit: 10).isEmpty, "only sessions that started in the range")

        // The keyword index: any case, a literal %, and nothing outside the range.
        for (keyword, found) in [("parcel", 1), ("100%", 1), ("0% on", 1), ("nowhere", 0)] {
            let search = SessionSearch(from: range.from, to: range.to, keyword: keyword)
            #expect(try await store.searchSessions(search).count == found, "\(keyword)")
        }
        #expect(try await store.searchSessions(SessionSearch(from: start.addingTimeInterval(1), to: range.to, keyword: "parcel")).isEmpty)

        _ = try await store.erase(clientUserId: key.clientUserId, audit: AuditEntry(at: start, actor: "admin", action: "erase", subject: "user", detail: "{}"))
        #expect(try await store.sessionFacts(from: range.from, to: range.to, limit: 10).isEmpty, "an erasure takes the facts")
        #expect(try await store.searchSessions(SessionSearch(from: range.from, to: range.to, keyword: "parcel")).isEmpty, "and the text")
    }

    /// A store upgraded with records already in it computes their facts once, at start.
    @Test func sessionsStoredBeforeFactsWereKeptAreComputedOnce() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("backfill.sqlite").path
        let store = try SQLiteDeskStore(path: path)
        _ = try await store.accept(key, dedupeKeys: ["r-1"], body: Data("{}".utf8), clientIP: nil, receivedAt: start)
        _ = try await commit(store, open: true, version: 0)
        _ = try await commit(store, open: false, version: 1)
        let raw = try DatabaseQueue(path: path)
        try await raw.write { db in try db.execute(sql: "DELETE FROM session_facts") }
        #expect(try await store.backfillSessionFacts() == 1)
        #expect(try await store.backfillSessionFacts() == 0, "once")
        #expect(try await store.sessionFacts(from: start, to: start.addingTimeInterval(1), limit: 10).first?.firstResponse == 25)
    }
}
