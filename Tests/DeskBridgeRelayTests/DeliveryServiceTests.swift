import AsyncHTTPClient
import DeskBridgeConfig
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRelay
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

@Suite("Delivery: order per conversation, retries with the same ids, failures recorded")
struct DeliveryServiceTests {
    let key = ConversationKey(agent: Wire.googleAgent, conversationId: "conv-d")

    func service(_ store: any DeskStore, _ server: StandInServer, clock: ManualWallClock, eventsURL: String? = nil,
                 batch: Int = 64, batchesInFlight: Int = 4) throws -> DeliveryService {
        let loaded = try TestConfig.load(TestConfig.yaml(googleURL: server.baseURL, eventsURL: eventsURL, database: "/tmp/unused.sqlite",
                                                         initialBackoffMs: 1_000, maxBackoffMs: 4_000))
        return DeliveryService(
            store: store, transport: AsyncHTTPTransport(client: HTTPClient.shared),
            builder: RequestBuilder(channel: loaded.config.channel, desk: loaded.config.desk, tokens: StaticBearerToken(token: "tkn")),
            policy: loaded.config.channel.retry.policy, clock: clock.wallClock, signal: WorkSignal(), owner: "test",
            batch: batch, batchesInFlight: batchesInFlight, logger: Logger(label: "test"))
    }

    func enqueue(_ store: any DeskStore, _ ids: [String], target: OutboxTarget = .google, clock: ManualWallClock, key: ConversationKey? = nil) async throws {
        let key = key ?? self.key
        _ = try await store.accept(key, dedupeKeys: [UUID().uuidString], body: Data(), clientIP: "203.0.113.9", receivedAt: clock.now)
        let version = try await store.conversation(key)?.version ?? 0
        let drafts = ids.map { id in
            OutboxDraft(target: target, method: "POST", path: target == .google ? "/v1/conversations/\(key.conversationId)/messages" : "",
                        body: Data("{\"messageId\":\"\(id)\"}".utf8), callId: id, clientIP: "203.0.113.9")
        }
        try await store.commit(ConversationCommit(key: key, expectedVersion: version, state: ConversationState(key: key), processedSeq: nil,
                                                  outbox: drafts, occupy: [], release: [], now: clock.now))
    }

    @Test func threeUnavailableAnswersThenSuccessDeliverEverythingInOrderWithTheSameIds() async throws {
        try await StandInServer.with({ _, index in index < 3 ? .status(503) : .status(200) }) { server in
            let store = InMemoryDeskStore()
            let clock = ManualWallClock()
            let delivery = try service(store, server, clock: clock)
            try await enqueue(store, ["m1", "m2", "m3"], clock: clock)

            for attempt in 1...3 {
                #expect(try await delivery.deliverDue() == 1, "only the head of the lane goes out (attempt \(attempt))")
                #expect(try await delivery.deliverDue() == 0, "nothing is due before the backoff has passed")
                clock.advance(by: 4)
            }
            while try await delivery.deliverDue() > 0 {}
            let bodies = server.requests.map { String(decoding: $0.body, as: UTF8.self) }
            #expect(bodies == ["m1", "m1", "m1", "m1", "m2", "m3"].map { "{\"messageId\":\"\($0)\"}" })
            #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer tkn" })
            let lane = try await store.outbox(lane: ConversationCommit.lane(key, .google))
            #expect(lane.map(\.state) == [.delivered, .delivered, .delivered])
            #expect(lane.map(\.attempts) == [4, 1, 1])
        }
    }

    /// The running worker keeps several batches in flight; each conversation's calls still go out
    /// one after the other, in order, each exactly once.
    @Test func severalBatchesInFlightKeepEachConversationInOrder() async throws {
        try await StandInServer.with({ _, _ in .status(200) }) { server in
            let store = InMemoryDeskStore()
            let clock = ManualWallClock()
            let delivery = try service(store, server, clock: clock, batch: 2, batchesInFlight: 3)
            let conversations = (0..<6).map { ConversationKey(agent: Wire.googleAgent, conversationId: "conv-\($0)") }
            for conversation in conversations {
                try await enqueue(store, (1...3).map { "\(conversation.conversationId)-m\($0)" }, clock: clock, key: conversation)
            }
            let worker = Task { try await delivery.run() }
            #expect(await server.waitForRequests(18))
            worker.cancel()
            _ = try? await worker.value
            #expect(server.requests.count == 18, "each call once")
            for conversation in conversations {
                let bodies = server.requests.filter { $0.path.contains("/\(conversation.conversationId)/") }.map { String(decoding: $0.body, as: UTF8.self) }
                #expect(bodies == (1...3).map { "{\"messageId\":\"\(conversation.conversationId)-m\($0)\"}" })
            }
        }
    }

    @Test func conflictCountsAsDeliveredAndAClientErrorFailsForGoodWithoutBlockingTheRest() async throws {
        try await StandInServer.with({ _, index in [.status(409), .status(400, #"{"error":{"code":400,"status":"INVALID_ARGUMENT"}}"#), .status(200)][min(index, 2)] }) { server in
            let store = InMemoryDeskStore()
            let clock = ManualWallClock()
            let delivery = try service(store, server, clock: clock)
            try await enqueue(store, ["a", "b", "c"], clock: clock)
            while try await delivery.deliverDue() > 0 {}
            let lane = try await store.outbox(lane: ConversationCommit.lane(key, .google))
            #expect(lane.map(\.state) == [.delivered, .failed, .delivered])
            #expect(lane[1].lastError?.contains("400") == true)
        }
    }

    @Test func sessionEventsCarrySignedCallbackParametersAndAStableRequestID() async throws {
        try await StandInServer.with { server in
            let store = InMemoryDeskStore()
            let clock = ManualWallClock()
            server.answer { _, index in index == 0 ? .status(500) : .status(200) }
            let delivery = try service(store, server, clock: clock, eventsURL: server.baseURL + "/events")
            try await enqueue(store, ["sess-1-1"], target: .sessionEvents, clock: clock)
            #expect(try await delivery.deliverDue() == 1)
            clock.advance(by: 5)
            #expect(try await delivery.deliverDue() == 1)
            #expect(server.requests.count == 2)
            for request in server.requests {
                #expect(request.path == "/events")
                #expect(request.queryValue("CallbackCommand") == "Desk.SessionEventNotify")
                #expect(request.queryValue("SdkAppid") == String(Wire.sdkAppId))
                #expect(request.queryValue("ClientIP") == "203.0.113.9")
                #expect(request.queryValue("OptPlatform") == "RESTAPI")
                #expect(request.queryValue("RequestID") == "sess-1-1")
                let time = try #require(request.queryValue("RequestTime").flatMap { Int64($0) })
                #expect(request.queryValue("Sign") == CallbackSignature.sign(token: "cb-token", requestTime: time))
            }
            #expect(server.requests[0].queryValue("RequestTime") != server.requests[1].queryValue("RequestTime"), "signed afresh per attempt")
        }
    }
}
