import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Testing

/// The agent directory in the store, on every store: seeded once from the YAML, replaced only
/// over the version it was read as, with the routing rows brought in line in the same change.
@Suite("Agent directory in the store")
struct DeskDirectoryStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func directory(_ agents: [DeskConfig.Agent], groups: [DeskConfig.SkillGroup] = [.init(id: 1, name: "Support", receptionLimit: 3)]) -> DeskDirectory {
        DeskDirectory(skillGroups: groups, agents: agents)
    }

    @Test(arguments: Backend.available)
    func seededOnceThenReplacedOverTheVersionRead(backend: Backend) async throws {
        let store = try await backend.make()
        let lena = DeskConfig.Agent(id: "lena", nickname: "Lena", status: .Available, skillGroups: [.init(id: 1, priority: 2)],
                                    passwordHash: try PasswordHash.make("a long password", cost: (10, 1, 1)))
        let yaml = directory([lena])
        #expect(try await store.deskDirectory() == nil)
        #expect(try await store.seedDeskDirectory(yaml))
        #expect(!(try await store.seedDeskDirectory(directory([]))), "the second start seeds nothing")
        #expect(try await store.deskDirectory() == yaml, "kept whole, the password hash with it")
        try await store.seedAgents(yaml.seeds)

        // Omar joins group 2; Lena moves to group 2 and is disabled.
        var changed = yaml
        changed.skillGroups.append(.init(id: 2, name: "Billing", receptionLimit: 5))
        changed.agents[0].skillGroups = [.init(id: 2, priority: 1)]
        changed.agents[0].enabled = false
        changed.agents.append(DeskConfig.Agent(id: "omar", nickname: "Omar", status: .Available, skillGroups: [.init(id: 2, priority: 4)]))
        try await store.saveDeskDirectory(changed, replacing: yaml, at: now)
        #expect(try await store.deskDirectory() == changed)
        let routing = try await store.routingSnapshot()
        #expect(routing.agent("lena")?.groups == [2: 1], "the routing row follows the directory")
        #expect(routing.agent("lena")?.status == .Offline, "a disabled agent is offline")
        #expect(routing.agent("omar")?.status == .Available && routing.agent("omar")?.groups == [2: 4], "a new agent gets its row")

        await #expect(throws: StoreError.conflict, "a save over a version someone replaced changes nothing") {
            try await store.saveDeskDirectory(directory([]), replacing: yaml, at: now)
        }
        #expect(try await store.deskDirectory() == changed)

        // Omar leaves: his row goes, as he holds no session.
        var without = changed
        without.agents.removeAll { $0.id == "omar" }
        try await store.saveDeskDirectory(without, replacing: changed, at: now)
        #expect(try await store.routingSnapshot().agent("omar") == nil)
        #expect(try await store.routingSnapshot().agent("lena") != nil)
    }
}

/// Every status an agent takes is kept, on every store, by whichever path set it.
@Suite("Agent status history in the store")
struct StatusHistoryStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: Backend.available)
    func everyChangeIsKeptOnceInOrder(backend: Backend) async throws {
        let store = try await backend.make()
        try await store.seedAgents([AgentSeed(id: "lena", status: .Offline, groups: [1: 3])])
        let seeded = try await store.statusChanges(of: "lena", from: .distantPast, to: .distantFuture, after: 0, limit: 10)
        #expect(seeded.map(\.seat) == [.offline], "a new agent's first status is kept")

        #expect(try await store.setAgentStatus("lena", .Available, reason: nil, at: start))
        #expect(try await store.setAgentStatus("lena", .Available, reason: nil, at: start.addingTimeInterval(5)), "the same status again…")
        #expect(try await store.setAgentStatus("lena", .Rest, reason: "Meal", at: start.addingTimeInterval(60)))
        let directory = DeskDirectory(skillGroups: [.init(id: 1, name: "S", receptionLimit: 3)],
                                      agents: [DeskConfig.Agent(id: "lena", nickname: "Lena", skillGroups: [.init(id: 1, priority: 3)], enabled: false)])
        try await store.seedDeskDirectory(directory)
        try await store.saveDeskDirectory(directory, replacing: directory, at: start.addingTimeInterval(120))

        let changes = try await store.statusChanges(of: "lena", from: start, to: start.addingTimeInterval(3_600), after: 0, limit: 10)
        #expect(changes.map(\.seat) == [.free, .rest(reason: "Meal"), .offline], "…is not a change; disabling is")
        #expect(changes.map(\.at) == [start, start.addingTimeInterval(60), start.addingTimeInterval(120)])
        #expect(changes.map(\.cursor) == changes.map(\.cursor).sorted() && Set(changes.map(\.cursor)).count == 3)
        let page = try await store.statusChanges(of: "lena", from: start, to: start.addingTimeInterval(3_600), after: changes[0].cursor, limit: 1)
        #expect(page.map(\.seat) == [.rest(reason: "Meal")], "a page resumes after its cursor")
        #expect(try await store.statusChanges(of: "omar", from: .distantPast, to: .distantFuture, after: 0, limit: 10).isEmpty)
        #expect(try await store.statuses(at: start.addingTimeInterval(90))["lena"]?.seat == .rest(reason: "Meal"))
    }
}
