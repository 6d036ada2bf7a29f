import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The website channel's visitor API: what it takes, what it refuses, and that what it takes
/// goes through the same store as a Google webhook.
@Suite("Website channel API")
struct WebChannelAPITests {
    let visitor = "0f8e3c1a-6b2d-4c9e-9a7f-3d2b1c0e9f8a"

    func post(_ app: AppHarness, _ body: [String: Any]) async throws -> HTTPResponse.Status {
        try await app.post("/web/im/api/messages", Wire.json(body), headers: [.contentType: "application/json"]).status
    }

    @Test func aVisitorMessageIsStoredAsAWebhookOfTheChannelOnceAndAnsweredByTheFlow() async throws {
        try await AppHarness.run { app throws in
            let message: [String: Any] = ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000001", "text": "hi"]
            #expect(try await post(app, message) == .ok)
            #expect(try await post(app, message) == .ok, "a retried post is answered too")
            let key = ConversationKey(agent: "web/shop-web", conversationId: visitor)
            #expect(try await app.storedEvents(key.conversationId, agent: key.agent) == 1, "and stored once")
            let timeline = try await eventually {
                try await app.client.execute(uri: "/web/im/api/messages?webAppId=shop-web&visitorId=\(visitor)", method: .get) {
                    String(buffer: $0.body).contains("Hello Visitor!")
                }
            }
            #expect(timeline, "the bot's answer is read from the store")
            #expect(app.google.requests.isEmpty, "nothing goes to the Google API")
        }
    }

    @Test(arguments: [
        (["webAppId": "nope", "visitorId": "0f8e3c1a-6b2d-4c9e-9a7f-3d2b1c0e9f8a", "messageId": "m-0000000000000001", "text": "hi"], HTTPResponse.Status.notFound),
        (["webAppId": "shop-web", "visitorId": "short", "messageId": "m-0000000000000001", "text": "hi"], .badRequest),
        (["webAppId": "shop-web", "visitorId": "../../etc/passwd-000000", "messageId": "m-0000000000000001", "text": "hi"], .badRequest),
        (["webAppId": "shop-web", "visitorId": "0f8e3c1a-6b2d-4c9e-9a7f-3d2b1c0e9f8a", "messageId": "m-0000000000000001", "text": "   "], .badRequest),
    ] as [([String: String], HTTPResponse.Status)])
    func refusalsStoreNothing(body: [String: String], status: HTTPResponse.Status) async throws {
        try await AppHarness.run { app throws in
            #expect(try await post(app, body) == status)
            #expect(try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty)
        }
    }

    /// The page's src 7 is answered with src 23 (the rating rules from `desk.satisfaction`) and
    /// src 26 (the seat), and stores nothing; a src the page may not send is refused.
    @Test func aTriggerIsAnsweredWithTheRatingRulesAndTheSeatAndStoresNothing() async throws {
        try await AppHarness.run { app throws in
            let trigger: [String: Any] = ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000007",
                                          "custom": #"{"customerServicePlugin":0,"src":"7"}"#]
            let answer = try await app.post("/web/im/api/messages", Wire.json(trigger), headers: [.contentType: "application/json"])
            #expect(answer.status == .ok)
            let desk = try #require((try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["desk"] as? [String])
            let messages = desk.compactMap { DeskCustomMessage(data: $0) }
            #expect(messages == [.ratingSettings(flags: 7), .seatStatus(inSeat: false)], "all three rating rules are on by default")
            #expect(try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty, "a page view is not a session")
            var ends = trigger
            ends["custom"] = #"{"customerServicePlugin":0,"src":"9","menuContent":{"head":"x","menu":[],"sessionId":"s"}}"#
            #expect(try await post(app, ends) == .badRequest)
            #expect(try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty)
        }
    }

    @Test func theEmbedScriptLoadsFromAnyOriginAndThePageNamesWhoMayFrameIt() async throws {
        try await AppHarness.run { app throws in
            try await app.client.execute(uri: "/web/im/imPublish.js?webAppId=shop-web", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
            }
            try await app.client.execute(uri: "/web/im/chat/?webAppId=shop-web", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'self'") == true)
            }
            try await app.client.execute(uri: "/web/im/chat/?webAppId=unknown", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
