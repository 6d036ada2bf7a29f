import DeskBridgeCore
import DeskBridgePostgres
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// Two store instances on one database behave like two replicas: each test races them.
@Suite("Shared database (replicas)")
struct SharedDatabaseTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    enum SharedBackend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        static var available: [SharedBackend] { TestPostgres.isAvailable ? allCases : [.sqlite] }
        var testDescription: String { rawValue }

        /// Two independent stores (own pools, own connections) on one fresh database.
        func makePair() async throws -> (any DeskStore, any DeskStore) {
            switch self {
            case .sqlite:
                let path = TestConfig.temporaryDirectory().appendingPathComponent("shared.sqlite").path
                return (try SQLiteDeskStore(path: path), try SQLiteDeskStore(path: path))
            case .postgres:
                let settings = try await TestPostgres.freshDatabase()
                // Both open (and migrate) at the same moment, as two replicas starting together would.
                async let first = PostgresDeskStore.open(settings, logger: Logger(label: "replica-1"))
                async let second = PostgresDeskStore.open(settings, logger: Logger(label: "replica-2"))
                return try await (first, second)
            }
        }
    }

    @Test(arguments: SharedBackend.available)
    func concurrentWebhooksForOneConversationGetConsecutiveSequenceNumbers(backend: SharedBackend) async throws {
        let (a, b) = try await backend.makePair()
        let key = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-1")
        let outcomes = try await withThrowingTaskGroup(of: AcceptOutcome.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? a : b
                // Every webhook is sent twice, once to each replica: only one copy may be accepted.
                for copy in [store, index.isMultiple(of: 2) ? b : a] {
                    group.addTask { try await copy.accept(key, dedupeKeys: ["req:\(index)"], body: Data("\(index)".utf8), clientIP: nil, receivedAt: now) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let seqs = outcomes.compactMap { if case .accepted(let seq) = $0 { seq } else { nil } }
        #expect(seqs.sorted() == Array(1...40), "one accepted copy per webhook, numbered without gaps")
        #expect(outcomes.filter { $0 == .duplicate }.count == 40)
        let stored = try await a.pendingInbound(key, afterSeq: 0, limit: 100)
        #expect(Set(stored.map { String(decoding: $0.body, as: UTF8.self) }).count == 40)
    }

    @Test(arguments: SharedBackend.available)
    func racingReplicasNeverPushAnAgentOverItsLimit(backend: SharedBackend) async throws {
        let (a, b) = try await backend.makePair()
        try await a.seedAgents([AgentSeed(id: "lena", status: .Available, groups: [1: 1])])
        let keys = (0..<24).map { ConversationKey(agent: "a", conversationId: "c-\($0)") }
        for key in keys { _ = try await a.accept(key, dedupeKeys: [key.conversationId], body: Data(), clientIP: nil, receivedAt: now) }
        let taken = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (index, key) in keys.enumerated() {
                let store = index.isMultiple(of: 2) ? a : b
                group.addTask {
                    do {
                        try await store.commit(ConversationCommit(key: key, expectedVersion: 0, state: ConversationState(key: key), processedSeq: 1,
                                                                  outbox: [], occupy: [("lena", 3)], release: [], now: now))
                        return true
                    } catch StoreError.agentUnavailable {
                        return false
                    }
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(taken == 3)
        #expect(try await b.routingSnapshot().agents.first?.load == 3)
    }

    @Test(arguments: SharedBackend.available)
    func racingDeliveryWorkersNeverClaimOneCallTwice(backend: SharedBackend) async throws {
        let (a, b) = try await backend.makePair()
        let keys = (0..<30).map { ConversationKey(agent: "a", conversationId: "c-\($0)") }
        for key in keys {
            _ = try await a.accept(key, dedupeKeys: [key.conversationId], body: Data(), clientIP: nil, receivedAt: now)
            let drafts = (0..<3).map { OutboxDraft(target: .google, method: "POST", path: "/m", body: Data(), callId: "\(key.conversationId)-\($0)") }
            try await a.commit(ConversationCommit(key: key, expectedVersion: 0, state: ConversationState(key: key), processedSeq: 1,
                                                  outbox: drafts, occupy: [], release: [], now: now))
        }
        // Two workers per replica claim and deliver until nothing is left; every claim is logged.
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for (worker, store) in [("a1", a), ("a2", a), ("b1", b), ("b2", b)] {
                group.addTask {
                    var claimed: [String] = []
                    var idle = 0
                    while idle < 3 {
                        let items = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(60), owner: worker, limit: 4)
                        idle = items.isEmpty ? idle + 1 : 0
                        for item in items {
                            claimed.append(item.callId)
                            try await store.recordDelivery(item.id, owner: worker, .delivered, now: now)
                        }
                        if items.isEmpty { await Task.yield() }
                    }
                    return claimed
                }
            }
            return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        #expect(claims.count == 90, "each call claimed exactly once")
        #expect(Set(claims).count == 90)
        #expect(try await b.pendingOutboxCount() == 0)
    }
}
