import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

/// An idle service sleeps: after traffic, the processing loop makes no store call until a whole
/// poll interval has passed on its clock, then makes one pass and sleeps again.
@Suite("Idle loops")
struct IdleLoopTests {
    let key = ConversationKey(agent: Wire.googleAgent, conversationId: "conv-idle")

    @Test func afterTrafficTheProcessorMakesNoStoreCallForAWholePollInterval() async throws {
        let store = InMemoryDeskStore()
        let loaded = try TestConfig.load(TestConfig.yaml(googleURL: "http://127.0.0.1:9", database: "/tmp/unused.sqlite"))
        let runtime = ConversationRuntime(store: store, config: loaded.config, clock: ManualWallClock().wallClock, logger: Logger(label: "test"))
        let clock = ManualClock()
        let service = ProcessorService(runtime: runtime, pollInterval: .milliseconds(500), sleepClock: clock, logger: Logger(label: "test"))
        let running = Task { try await service.run() }
        defer { running.cancel() }

        let body = Wire.text("hi", conversation: key.conversationId, requestId: "r-1", messageId: "m-1")
        _ = try await store.accept(key, dedupeKeys: ["r-1"], body: body, clientIP: nil, receivedAt: Date())
        runtime.processing.signal()
        let parked: @Sendable () async throws -> Bool = {
            try await store.conversation(key)?.processedSeq == 1 && runtime.processing.isWaiting && clock.sleeperCount == 1
        }
        #expect(try await eventually(timeout: .seconds(10), parked), "the webhook is processed and the loop parks")

        let calls = store.callCount
        let sleeps = clock.sleepsStarted
        clock.advance(by: .milliseconds(499))
        for _ in 0..<200 { await Task.yield() }
        #expect(store.callCount == calls, "no store call before the poll interval is up")
        #expect(clock.sleepsStarted == sleeps, "no new pass either")

        clock.advance(by: .milliseconds(1))
        #expect(try await eventually(timeout: .seconds(10)) { clock.sleepsStarted == sleeps + 1 && runtime.processing.isWaiting })
        let afterOnePass = store.callCount
        #expect(afterOnePass > calls, "the safety-net poll looks at the store once")
        for _ in 0..<200 { await Task.yield() }
        #expect(store.callCount == afterOnePass, "and then sleeps again")
        #expect(clock.sleepsStarted == sleeps + 1)
    }
}
