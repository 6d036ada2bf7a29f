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
