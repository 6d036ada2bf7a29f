import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HummingbirdTesting
import Testing

@Suite("POST /webhooks/business-messages: every row of CONTRACT §3's channel table")
struct ChannelEndpointTests {
    @Test func handshakeWithTheConfiguredTokenEchoesTheSecretAsPlainText() async throws {
        try await AppHarness.run { app throws in
            let answer = try await app.webhook(Wire.json(["clientToken": Wire.clientToken, "secret": "echo-me-123"]), signature: nil)
            #expect(answer.status == .ok)
            #expect(answer.body == "echo-me-123")
            #expect(answer.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty)
        }
    }

    @Test func handshakeWithAnotherTokenIsForbidden() async throws {
        try await AppHarness.run { app throws in
            let answer = try await app.webhook(Wire.json(["clientToken": "someone-else", "secret": "s"]), signature: nil)
            #expect(answer.status == .forbidden)
            #expect(!answer.body.contains(Wire.clientToken))
        }
    }

    @Test(arguments: ["missing", "wrong", "garbage"])
    func badSignaturesAre401AndStoreNothing(kind: String) async throws {
        try await AppHarness.run { app throws in
            let body = Wire.text("hi", conversation: "sig-\(kind)")
            let signature: String? =
                switch kind {
                case "missing": nil
                case "wrong": Wire.signature(body, key: "not-the-token")
                default: "%%%"
                }
            let answer = try await app.webhook(body, signature: signature)
            #expect(answer.status == .unauthorized)
            let error = try #require((try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["error"] as? [String: Any])
            #expect(error["code"] as? Int == 401)
            #expect(error["message"] is String)
            #expect(!answer.body.contains(Wire.clientToken) && !answer.body.contains(Wire.signature(body)), "no secret or expected signature in the body")
            #expect(try await app.storedEvents("sig-\(kind)") == 0)
        }
    }

    @Test func thePartnerKeyAlsoVerifies() async throws {
        try await AppHarness.run { app throws in
            let body = Wire.text("hi", conversation: "partner")
            #expect(try await app.webhook(body, signature: Wire.signature(body, key: "PARTNERKEY2")).status == .ok)
            #expect(try await app.storedEvents("partner") == 1)
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        try await AppHarness.run { app throws in
            let body = Wire.text(String(repeating: "x", count: 5_000), conversation: "big")
            let answer = try await app.webhook(body, signature: Wire.signature(body))
            #expect(answer.status == .contentTooLarge)
            #expect(try await app.storedEvents("big") == 0)
        }
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        (#"{"agent":"brands/b1/agents/a1","conversationId":"c","requestId":"r"}"#, "no known payload"),
        (#"{"agent":"brands/b1/agents/a1","message":{"messageId":"m","text":"hi"}}"#, "conversationId"),
        (#"{"agent":"brands/b1/agents/a1","conversationId":"victim\u0000attacker","message":{"messageId":"m","text":"hi"}}"#, "conversationId contains a control character"),
        (#"{"agent":"brands/b1/agents/a1","conversationId":"c","requestId":"R\u0000x","message":{"messageId":"m","text":"hi"}}"#, "requestId contains a control character"),
        (#"{"agent":"brands/b1/agents/a1","conversationId":"c","message":{"messageId":null,"text":null}}"#, "message.text is missing"),
        (#"{"agent":"brands/b1/agents/a1","conversationId":"c","suggestionResponse":{"postbackData":null,"text":null}}"#, "neither postbackData nor text"),
    ])
    func malformedBodiesAre400NamingTheProblem(body: String, problem: String) async throws {
        try await AppHarness.run { app throws in
            let data = Data(body.utf8)
            let answer = try await app.webhook(data, signature: Wire.signature(data))
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains(problem))
            #expect(try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty)
        }
    }

    @Test func anUnreadableTimeIsTreatedAsAbsentAndTheWebhookAccepted() async throws {
        try await AppHarness.run { app throws in
            let body = Data(#"{"agent":"\#(Wire.googleAgent)","conversationId":"late","requestId":"r-late","sendTime":"SEND_TIME","message":{"messageId":"m","text":"hi","createTime":"yesterday"}}"#.utf8)
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            #expect(try await app.storedEvents("late") == 1)
        }
    }

    @Test func acceptedOnceAndRepeatsAnswer200WithoutASecondEffect() async throws {
        try await AppHarness.run { app throws in
            let body = Wire.text("hi", conversation: "dup", requestId: "req-1", messageId: "m-1")
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            let redelivered = Wire.text("hi", conversation: "dup", requestId: "req-2", messageId: "m-1")
            #expect(try await app.webhook(redelivered, signature: Wire.signature(redelivered)).status == .ok)
            #expect(try await app.storedEvents("dup") == 1)
        }
    }

    @Test func everyPayloadKindIsAccepted() async throws {
        try await AppHarness.run { app throws in
            let payloads: [[String: Any]] = [
                ["message": ["messageId": "m", "text": "hi"]],
                ["suggestionResponse": ["postbackData": "td1:b:x:0", "text": "A", "suggestionType": "REPLY"]],
                ["userStatus": ["isTyping": "true"]],
                ["userStatus": ["requestedLiveAgent": true]],
                ["receipts": ["receipts": [["message": "conversations/kinds/messages/tx-1-0", "receiptType": "READ"]]]],
                ["surveyResponse": ["survey": "conversations/kinds/surveys/1", "rating": "VERY_SATISFIED"]],
                ["authenticationResponse": ["code": "c"]],
            ]
            for (index, payload) in payloads.enumerated() {
                let body = Wire.webhook(conversation: "kinds", requestId: index == 4 ? nil : "kind-\(index)", payload: payload)
                #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok, "payload \(index)")
            }
        }
    }

    @Test func anUnavailableStoreAnswers503() async throws {
        try await AppHarness.run(store: UnavailableStore()) { app throws in
            let body = Wire.text("hi", conversation: "down")
            let answer = try await app.webhook(body, signature: Wire.signature(body))
            #expect(answer.status == .serviceUnavailable)
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await AppHarness.run { app throws in
            try await app.client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await app.client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        try await AppHarness.run(store: UnavailableStore()) { app throws in
            try await app.client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }
}

/// A store whose disk is gone: every call fails the way SQLite does when it cannot write.
final class UnavailableStore: DeskStore {
    private let memory = InMemoryDeskStore()
    private func down() -> StoreError { .unavailable("disk I/O error") }

    func accept(_ conversation: ConversationKey, dedupeKeys: [String], body: Data, clientIP: String?, receivedAt: Date) async throws -> AcceptOutcome { throw down() }
    func conversationsWithPendingInbound(limit: Int) async throws -> [ConversationKey] { throw down() }
    func pendingInbound(_ conversation: ConversationKey, afterSeq: Int64, limit: Int) async throws -> [InboundRecord] { throw down() }
    func conversation(_ key: ConversationKey) async throws -> StoredConversation? { throw down() }
    func conversation(clientUserId: ClientUserID) async throws -> StoredConversation? { throw down() }
    func conversation(sessionId: SessionID) async throws -> StoredConversation? { throw down() }
    func commit(_ commit: ConversationCommit) async throws { throw down() }
    func queuedConversations(limit: Int) async throws -> [ConversationKey] { throw down() }
    func conversationsWithDueTimers(now: Date, limit: Int) async throws -> [ConversationKey] { throw down() }
    func seedAgents(_ seeds: [AgentSeed]) async throws { try await memory.seedAgents(seeds) }
    func routingSnapshot() async throws -> RoutingSnapshot { throw down() }
    func setAgentStatus(_ agent: AgentID, _ status: DeskConfig.AgentStatus, reason: String?, at now: Date) async throws -> Bool { throw down() }
    func claimDeliveries(now: Date, leaseUntil: Date, owner: String, limit: Int) async throws -> [OutboxItem] { throw down() }
    func releaseLeases(owner: String) async throws -> Int { throw down() }
    func recordDeliveries(_ records: [(id: Int64, record: DeliveryRecord)], owner: String, now: Date) async throws { throw down() }
    func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date) async throws { throw down() }
    func recordDelivery(_ id: Int64, owner: String, _ record: DeliveryRecord, now: Date, appending event: Data, to conversation: ConversationKey, dedupeKey: String) async throws { throw down() }
    func nextDeliveryDue() async throws -> Date? { throw down() }
    func outbox(lane: String) async throws -> [OutboxItem] { throw down() }
    func pendingOutboxCount() async throws -> Int { throw down() }
    func ping() async throws { throw down() }
    func records(_ conversation: ConversationKey) async throws -> ConversationRecords { throw down() }
    func sessionCounts() async throws -> [String: Int] { throw down() }
    func humanSideConversations(limit: Int) async throws -> [StoredConversation] { throw down() }
    func purge(_ kind: RetentionKind, before cutoff: Date, limit: Int) async throws -> Int { throw down() }
    func erase(clientUserId: ClientUserID, audit: AuditEntry) async throws -> EraseOutcome { throw down() }
    func appendAudit(_ entry: AuditEntry) async throws { throw down() }
    func auditTrail(limit: Int) async throws -> [AuditEntry] { throw down() }
    func blockedUsers() async throws -> [BlockedUser] { throw down() }
    func putUpload(_ upload: StoredUpload) async throws { throw down() }
    func upload(id: String) async throws -> StoredUpload? { throw down() }
    func searchSessions(_ search: SessionSearch) async throws -> [FoundSession] { throw down() }
    func messages(ofSessions sessions: [SessionID]) async throws -> [MessageRecord] { throw down() }
    func setBlocked(_ user: ClientUserID, _ entry: BlockedUser?, audit: AuditEntry) async throws -> Bool { throw down() }
    func putSignIn(_ signIn: StoredSignIn) async throws { throw down() }
    func signIn(tokenHash: String, realm: String, now: Date, consume: Bool) async throws -> StoredSignIn? { throw down() }
    func endSignIns(_ scope: SignInScope) async throws -> Int { throw down() }
    func signedInAgents(realm: String, now: Date) async throws -> Set<AgentID> { throw down() }
    func forcedOffline() async throws -> Set<AgentID> { throw down() }
    func setForcedOffline(_ agent: AgentID, _ forced: Bool, endingSignInsIn realms: [String], at now: Date) async throws -> Bool { throw down() }
    func quickReplies() async throws -> [StoredQuickReply] { throw down() }
    func deskSettings() async throws -> DeskSettings? { throw down() }
    func seedDeskSettings(_ settings: DeskSettings) async throws -> Bool { try await memory.seedDeskSettings(settings) }
    func saveDeskSettings(_ settings: DeskSettings) async throws -> DeskSettings? { throw down() }
    func deskDirectory() async throws -> DeskDirectory? { try await memory.deskDirectory() }
    func statusChanges(of agent: AgentID?, from: Date, to: Date, after cursor: Int64, limit: Int) async throws -> [StatusChange] { throw down() }
    func statuses(at moment: Date) async throws -> [AgentID: StatusChange] { throw down() }
    func sessionFacts(from: Date, to: Date, limit: Int) async throws -> [Analysis.Facts] { throw down() }
    func backfillSessionFacts() async throws -> Int { try await memory.backfillSessionFacts() }
    func seedDeskDirectory(_ directory: DeskDirectory) async throws -> Bool { try await memory.seedDeskDirectory(directory) }
    func saveDeskDirectory(_ directory: DeskDirectory, replacing expected: DeskDirectory, at now: Date) async throws { throw down() }
    func seedQuickReplies(_ replies: [QuickReplyDraft]) async throws -> Bool { try await memory.seedQuickReplies(replies) }
    func addQuickReplies(_ replies: [QuickReplyDraft]) async throws -> [StoredQuickReply] { throw down() }
    func updateQuickReply(_ reply: StoredQuickReply) async throws -> StoredQuickReply? { throw down() }
    func deleteQuickReply(id: Int64) async throws -> StoredQuickReply? { throw down() }
}
