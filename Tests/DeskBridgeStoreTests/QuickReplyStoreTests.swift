import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Testing

/// Quick replies in the store, on every store: seeded once from the YAML, then edited at run time.
@Suite("Quick replies in the store")
struct QuickReplyStoreTests {
    @Test(arguments: Backend.available)
    func theYAMLSeedsOnceAndTheStoreWinsAfterwards(backend: Backend) async throws {
        let store = try await backend.make()
        #expect(try await store.seedQuickReplies([QuickReplyDraft(group: "Hours", text: "We open at 9.")]))
        #expect(!(try await store.seedQuickReplies([QuickReplyDraft(group: "Hours", text: "a changed YAML")])), "the second start seeds nothing")
        let seeded = try await store.quickReplies()
        #expect(seeded.map(\.text) == ["We open at 9."])

        let added = try await store.addQuickReplies([QuickReplyDraft(group: "Greetings", text: "Hello!"), QuickReplyDraft(group: "Hours", text: "Closed Sundays.")])
        #expect(added.map(\.text) == ["Hello!", "Closed Sundays."])
        #expect(Set(([seeded[0].id] + added.map(\.id))).count == 3, "ids are distinct")

        let before = try await store.updateQuickReply(StoredQuickReply(id: seeded[0].id, group: "Hours", text: "We open at 8."))
        #expect(before?.text == "We open at 9.", "an edit answers what it replaced")
        #expect(try await store.updateQuickReply(StoredQuickReply(id: 999_999, group: "x", text: "y")) == nil)
        #expect(try await store.deleteQuickReply(id: added[0].id)?.text == "Hello!")
        #expect(try await store.deleteQuickReply(id: added[0].id) == nil, "gone")
        #expect(try await store.quickReplies().map(\.text) == ["We open at 8.", "Closed Sundays."], "in the order they were added")
        let next = try await store.addQuickReplies([QuickReplyDraft(group: "G", text: "after a delete")])
        #expect(!(seeded.map(\.id) + added.map(\.id)).contains(next[0].id), "a deleted id is not used again")
    }
}

/// The desk settings document in the store, on every store: seeded once, replaced whole.
@Suite("Desk settings in the store")
struct DeskSettingsStoreTests {
    @Test(arguments: Backend.available)
    func seededOnceThenReplaced(backend: Backend) async throws {
        let store = try await backend.make()
        let yaml = DeskSettings(restReasons: ["Meal"], signInStatus: nil, proactive: .init(enabled: false, timeoutSeconds: 600))
        #expect(try await store.deskSettings() == nil)
        #expect(try await store.seedDeskSettings(yaml))
        #expect(!(try await store.seedDeskSettings(DeskSettings(restReasons: [], signInStatus: "free", proactive: .init()))), "seeded once")
        let changed = DeskSettings(restReasons: ["Lunch", "Training"], signInStatus: "free", proactive: .init(enabled: true, timeoutSeconds: 900))
        #expect(try await store.saveDeskSettings(changed) == yaml, "a save answers what it replaced")
        #expect(try await store.deskSettings() == changed)
    }
}
