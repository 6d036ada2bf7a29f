import DeskBridgeCore
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import GRDB
import Testing

/// A stored value this version does not know is an error naming the row, never read as a default
/// (an unknown outbox target once read as `.google` would have sent a callback to Google).
@Suite("Stored values are read exactly or refused")
struct StoredValueTests {
    let conv = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-1")
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func anUnknownOutboxTargetIsCorruptNotGoogle() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("store.sqlite").path
        let store = try SQLiteDeskStore(path: path)
        _ = try await store.accept(conv, dedupeKeys: ["r"], body: Data("{}".utf8), clientIP: nil, receivedAt: now)
        let draft = OutboxDraft(target: .sessionEvents, method: "POST", path: "", body: Data("{}".utf8), callId: "call-1")
        try await store.commit(ConversationCommit(key: conv, expectedVersion: 0, state: ConversationState(key: conv), processedSeq: 1,
                                                  outbox: [draft], occupy: [], release: [], now: now))
        let database = try DatabaseQueue(path: path)
        try await database.write { db in try db.execute(sql: "UPDATE outbox SET target = 'carrier-pigeon'") }

        await #expect(throws: StoreError.corrupt("outbox row 1 has an unknown target \"carrier-pigeon\"")) {
            try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(30), owner: "r1", limit: 10)
        }
        let leased = try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL") }
        #expect(leased == 0, "the refused claim took no lease")

        try await database.write { db in try db.execute(sql: "UPDATE outbox SET target = 'sessionEvents', state = 7") }
        await #expect(throws: StoreError.corrupt("outbox row 1 has an unknown state 7")) { try await store.outbox(lane: ConversationCommit.lane(conv, .sessionEvents)) }
    }

    @Test func anUnknownAgentStatusOrUnreadableGroupsAreCorruptNotOffline() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("store.sqlite").path
        let store = try SQLiteDeskStore(path: path)
        try await store.seedAgents([AgentSeed(id: "lena", status: .Available, groups: [1: 1])])
        #expect(try await store.routingSnapshot().agent("lena")?.groups == [1: 1])
        let database = try DatabaseQueue(path: path)
        try await database.write { db in try db.execute(sql: "UPDATE agents SET status = 'Sleeping'") }
        await #expect(throws: StoreError.corrupt("agent lena has an unknown status \"Sleeping\"")) { try await store.routingSnapshot() }
        try await database.write { db in try db.execute(sql: "UPDATE agents SET status = 'Available', groups = '{\"1\": 1}'") }
        await #expect(throws: StoreError.corrupt("agent lena has unreadable skill groups")) { try await store.routingSnapshot() }
    }
}
