import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgePostgres
import DeskBridgeRuntime
import DeskBridgeServer
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// Two replicas on one PostgreSQL database: a change made on one reaches the other's pages
/// through `LISTEN` / `NOTIFY`, and a replica does not hear its own changes twice.
@Suite("Changes between replicas", .enabled(if: TestPostgres.isAvailable))
struct ReplicaChangeRelayTests {
    @Test func aChangeOnOneReplicaReachesAnAgentPageOnTheOther() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let logger = Logger(label: "test")
        let storeA = try await PostgresDeskStore.open(settings, logger: logger)
        let storeB = try await PostgresDeskStore.open(settings, logger: logger)
        defer { storeA.shutdown(); storeB.shutdown() }
        let (feedA, feedB) = (ChangeFeed(), ChangeFeed())
        let relays = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ReplicaChangeRelay(store: storeA, changes: feedA, replicaId: "a", logger: logger, directoryChanged: {}).run() }
                group.addTask { try await ReplicaChangeRelay(store: storeB, changes: feedB, replicaId: "b", logger: logger, directoryChanged: {}).run() }
                try await group.waitForAll()
            }
        }
        defer { relays.cancel() }

        let lenaOnB = feedB.subscribe(agent: "lena@acme.example", groups: [1])
        let lenaOnA = feedA.subscribe(agent: "lena@acme.example", groups: [1])
        let key = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-relay")
        // Until B is listening, a note can be missed (pages read again on reconnect); send until heard.
        let heard = Locked<DeskChange?>(nil)
        let sent = Locked(0)
        let reader = Task { for await change in lenaOnB.changes { heard.update { $0 = change }; return } }
        #expect(try await eventually(timeout: .seconds(15)) {
            feedA.conversationChanged(key, agents: ["lena@acme.example"])
            sent.update { $0 += 1 }
            return heard.value != nil
        }, "replica B's page hears of replica A's change")
        reader.cancel()
        #expect(heard.value?.conversation == key)

        // A's own page heard each of A's changes once: A's notes coming back through the database
        // are skipped. B's change, sent after them, arrives after any echo would have.
        let sentinel = ConversationKey(agent: "brands/b/agents/a", conversationId: "c-from-b")
        feedB.conversationChanged(sentinel, agents: ["lena@acme.example"])
        var own = 0
        for await change in lenaOnA.changes {
            if change.conversation == sentinel { break }
            if change.conversation == key { own += 1 }
        }
        #expect(own == sent.value, "each local change once, none echoed")
    }

    @Test func anAgentAddedOnOneReplicaCanSignInOnTheOther() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let logger = Logger(label: "test")
        let storeA = try await PostgresDeskStore.open(settings, logger: logger)
        let storeB = try await PostgresDeskStore.open(settings, logger: logger)
        defer { storeA.shutdown(); storeB.shutdown() }
        let config = try TestConfig.load(TestConfig.yaml(googleURL: "http://127.0.0.1:9", database: "/tmp/unused.sqlite")).config
        let runtimeA = ConversationRuntime(store: storeA, config: config, clock: .system, logger: logger)
        let runtimeB = ConversationRuntime(store: storeB, config: config, clock: .system, logger: logger)
        try await runtimeA.loadDirectory()
        try await runtimeB.loadDirectory()
        let relays = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await ReplicaChangeRelay(store: storeA, changes: runtimeA.changes, replicaId: "a", logger: logger,
                                                 directoryChanged: { try await runtimeA.reloadDirectory() }).run()
                }
                group.addTask {
                    try await ReplicaChangeRelay(store: storeB, changes: runtimeB.changes, replicaId: "b", logger: logger,
                                                 directoryChanged: { try await runtimeB.reloadDirectory() }).run()
                }
                try await group.waitForAll()
            }
        }
        defer { relays.cancel() }

        #expect(runtimeB.engine.config.desk.agent("nadia") == nil)
        try await DeskCommands(runtime: runtimeA).saveAgent(by: "administrator", AgentChange(id: "nadia", nickname: "Nadia", skillGroups: [.init(id: 1, priority: 3)]),
                                                            isNew: true)
        #expect(runtimeA.engine.config.desk.agent("nadia")?.nickname == "Nadia", "in force at once where it was made")
        // Until B is listening a note can be missed; the change is told again until B has it.
        #expect(try await eventually(timeout: .seconds(15)) {
            runtimeA.changes.directoryChanged()
            return runtimeB.engine.config.desk.agent("nadia")?.nickname == "Nadia"
        }, "replica B runs on the directory replica A changed")
    }
}
