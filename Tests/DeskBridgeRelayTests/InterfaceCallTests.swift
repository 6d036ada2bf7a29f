import AsyncHTTPClient
import DeskBridgeCoordination
import DeskBridgeCore
import DeskBridgeRelay
import DeskBridgeRuntime
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Logging
import Testing

@Suite("Interface calls against a local server: deadlines, attempts, results back into the conversation")
struct InterfaceCallTests {
    let key = ConversationKey(agent: Wire.googleAgent, conversationId: "conv-if")
    let session = SessionID("11111111-2222-4333-8444-555555555555")

    func run(_ script: @escaping @Sendable (StandInServer.Recorded, Int) -> StandInServer.Reply, maxErrors: Int = 2,
             _ check: @Sendable (StandInServer, InMemoryDeskStore, InternalEvent?) async throws -> Void) async throws {
        try await StandInServer.with(script) { server in
            let store = InMemoryDeskStore()
            let clock = ManualWallClock()
            let loaded = try TestConfig.load(TestConfig.yaml(googleURL: server.baseURL, database: "/tmp/unused.sqlite"))
            let delivery = DeliveryService(
                store: store, transport: AsyncHTTPTransport(client: HTTPClient.shared),
                builder: RequestBuilder(channel: loaded.config.channel, desk: loaded.config.desk, tokens: NoAuthorization()),
                policy: loaded.config.channel.retry.policy, clock: clock.wallClock, signal: WorkSignal(), owner: "test", logger: Logger(label: "test"))
            _ = try await store.accept(key, dedupeKeys: ["first"], body: Data(), clientIP: nil, receivedAt: clock.now)
            let call = InterfaceCall(callId: "lookup#1", url: server.baseURL + "/order", timeoutMs: 300, maxErrors: maxErrors,
                                     request: ["OrderNo": "A-7781", "Session": session.rawValue], response: ["Status", "Eta"], defaults: ["Status": "unknown"])
            let job = try JSONEncoder().encode(InterfaceCallJob(session: session, call: call))
            try await store.commit(ConversationCommit(key: key, expectedVersion: 0, state: ConversationState(key: key), processedSeq: 1,
                                                      outbox: [OutboxDraft(target: .interface, method: "POST", path: "", body: job, callId: "if-1")],
                                                      occupy: [], release: [], now: clock.now))
            while try await delivery.deliverDue() > 0 {}
            let appended = try await store.pendingInbound(key, afterSeq: 1, limit: 10)
            #expect(appended.count <= 1, "one result, however many attempts")
            #expect(appended.allSatisfy { $0.isInternal })
            let event = try appended.first.map { try JSONDecoder().decode(InternalEvent.self, from: $0.body) }
            try await check(server, store, event)
        }
    }

    @Test func aTimedOutAttemptIsRetriedAndTheAnswerBecomesVariables() async throws {
        try await run({ _, index in index == 0 ? .hang : .status(200, #"{"Status":"shipped","Eta":3,"Ignored":true}"#) }) { server, store, event in
            #expect(server.requests.count == 2)
            let request = try #require(server.requests.first)
            #expect(request.path == "/order")
            #expect(request.query.isEmpty, "no query parameters")
            #expect(request.headers["content-type"] == "application/json; charset=utf-8")
            #expect(request.json as? [String: String] == ["OrderNo": "A-7781", "Session": session.rawValue], "no envelope: the request map itself")
            guard case .interfaceResult(let s, let callId, let values, _) = event else { Issue.record("no result"); return }
            #expect(s == session && callId == "lookup#1")
            #expect(values?["Status"] == "shipped")
            #expect(values?["Eta"] == "3")
            #expect(try await store.outbox(lane: ConversationCommit.lane(key, .interface)).first?.state == .delivered)
        }
    }

    @Test(arguments: [StandInServer.Reply.status(500, "{}"), .status(200, "not json"), .status(200, "[1,2]"), .hang])
    func everyAttemptFailingGivesAFailureResultAfterMaxErrors(reply: StandInServer.Reply) async throws {
        try await run({ _, _ in reply }, maxErrors: 3) { server, store, event in
            #expect(server.requests.count == 4, "three failures are allowed, each retried; the fourth gives up")
            guard case .interfaceResult(_, _, let values, let error) = event else { Issue.record("no result"); return }
            #expect(values == nil)
            #expect(error != nil)
            let row = try #require(try await store.outbox(lane: ConversationCommit.lane(key, .interface)).first)
            #expect(row.state == .failed)
            #expect(row.attempts == 4)
        }
    }

    @Test func maxErrorsZeroMeansOneAttempt() async throws {
        try await run({ _, _ in .status(503, "{}") }, maxErrors: 0) { server, _, event in
            #expect(server.requests.count == 1)
            guard case .interfaceResult(_, _, let values, _) = event else { Issue.record("no result"); return }
            #expect(values == nil)
        }
    }
}
