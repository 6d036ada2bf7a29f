import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// A conversation that fell behind catches up in few commits: consecutive pending events are
/// computed one after the other and committed together, except that an event that routes gets
/// a commit (and a fresh routing snapshot) of its own.
@Suite("Processing several pending events per commit")
struct ProcessingRunTests {
    let key = ConversationKey(agent: Wire.googleAgent, conversationId: "conv-run")

    func runtime(_ store: InMemoryDeskStore) throws -> ConversationRuntime {
        let loaded = try TestConfig.load(TestConfig.yaml(googleURL: "http://127.0.0.1:9", database: "/tmp/unused.sqlite"))
        return ConversationRuntime(store: store, config: loaded.config, clock: ManualWallClock().wallClock, logger: Logger(label: "test"))
    }

    func store(_ texts: [String], into store: InMemoryDeskStore) async throws {
        for (index, text) in texts.enumerated() {
            let body = Wire.text(text, conversation: key.conversationId, requestId: "r-\(index)", messageId: "m-\(index)")
            _ = try await store.accept(key, dedupeKeys: ["r-\(index)"], body: body, clientIP: nil, receivedAt: Date())
        }
    }

    /// The texts of the Google messages stored for the conversation, in outbox order.
    func sent(_ store: InMemoryDeskStore) async throws -> [String] {
        try await store.outbox(lane: ConversationCommit.lane(key, .google)).compactMap { item in
            (try JSONSerialization.jsonObject(with: item.body) as? [String: Any])?["text"] as? String
        }
    }

    @Test func pendingEventsOfOneConversationShareOneCommitAndKeepTheirOrder() async throws {
        let batched = InMemoryDeskStore()
        try await store(["hi", "what?", "Opening hours"], into: batched)
        #expect(try await runtime(batched).processPending() == 3)
        let conversation = try #require(try await batched.conversation(key))
        #expect(conversation.version == 1, "three events, one commit")
        #expect(conversation.processedSeq == 3)

        // The same events, processed as they arrive: the same messages in the same order.
        let oneByOne = InMemoryDeskStore()
        let single = try runtime(oneByOne)
        for (index, text) in ["hi", "what?", "Opening hours"].enumerated() {
            let body = Wire.text(text, conversation: key.conversationId, requestId: "r-\(index)", messageId: "m-\(index)")
            _ = try await oneByOne.accept(key, dedupeKeys: ["r-\(index)"], body: body, clientIP: nil, receivedAt: Date())
            #expect(try await single.processPending() == 1)
        }
        #expect(try await oneByOne.conversation(key)?.version == 3)
        let expected = ["Hello Rosa!", "How can we help?", "Please pick an option.", "How can we help?", "We are open 9 to 18."]
        #expect(try await sent(oneByOne) == expected)
        #expect(try await sent(batched) == expected)
    }

    @Test func anEventThatRoutesIsCommittedOnItsOwnWithAFreshSnapshot() async throws {
        let store = InMemoryDeskStore()
        let runtime = try runtime(store)
        try await runtime.loadDirectory()
        try await self.store(["hi", "Talk to a person", "thanks"], into: store)
        #expect(try await runtime.processPending() == 3)
        #expect(try await store.conversation(key)?.version == 3, "before the transfer, the transfer, after it")
        let state = try #require(try await store.conversation(key)?.state)
        #expect(state.session?.ownership.owner == .agent("lena@acme.example"), "routed with the agents as they are, not an empty snapshot")
        #expect(try await store.routingSnapshot().agent("lena@acme.example")?.load == 1)
        #expect(try await sent(store) == ["Hello Rosa!", "How can we help?", "Connecting…", "You are chatting with Lena."])
    }
}
