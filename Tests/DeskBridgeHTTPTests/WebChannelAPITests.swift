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

    func timeline(_ app: AppHarness, _ query: String) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        try await app.client.execute(uri: "/web/im/api/messages?\(query)", method: .get) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    /// The desk's messages reach the page as the desk sent them: the welcome as text, the menu as
    /// a src 15 for the page to draw as buttons, from the channel's bot.
    @Test func thePageReadsTheDesksOwnMessagesWithTheChannelsBot() async throws {
        try await AppHarness.run { app throws in
            #expect(try await post(app, ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000001", "text": "hi"]) == .ok)
            let query = "webAppId=shop-web&visitorId=\(visitor)"
            #expect(try await eventually { (try await timeline(app, query).json["items"] as? [[String: Any]])?.count == 3 })
            let items = try #require(try await timeline(app, query).json["items"] as? [[String: Any]])
            #expect(items.map { $0["kind"] as? String } == ["visitor", "desk", "desk"])
            #expect(items[1]["sender"] as? String == "Acme web" && items[1]["senderType"] as? String == "BOT")
            let menu = try #require((items[2]["elements"] as? [[String: Any]])?.first?["data"] as? String)
            guard case .branch(let branch)? = DeskCustomMessage(data: menu) else { Issue.record("the menu is a src 15: \(menu)"); return }
            #expect(branch.items.map(\.content) == ["Opening hours", "Talk to a person"])
            // The menu's choice goes back as its text (seed 000), and the flow follows it.
            #expect(try await post(app, ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000002", "text": "Opening hours"]) == .ok)
            #expect(try await eventually {
                let items = try await timeline(app, query).json["items"] as? [[String: Any]] ?? []
                return items.contains { (($0["elements"] as? [[String: Any]])?.first?["text"] as? String) == "We are open 9 to 18." }
            })
        }
    }

    /// A user the business signed: the same conversation from any device with a good HMAC; a bad
    /// one, or an anonymous id that poses as a signed user's, is refused and sees nothing.
    @Test func aSignedUserKeepsOneConversationAndABadHMACIsRefused() async throws {
        try await AppHarness.run { app throws in
            let user = "customer-4711"
            let hash = VisitorIdentity.hash(userId: user, secret: Wire.webIdentitySecret)
            #expect(try await post(app, ["webAppId": "shop-web", "userId": user, "userHash": hash, "messageId": "m-0000000000000001", "text": "from my phone"]) == .ok)
            #expect(try await post(app, ["webAppId": "shop-web", "userId": user, "userHash": hash.uppercased(), "messageId": "m-0000000000000002", "text": "from my laptop"]) == .ok)
            let key = ConversationKey(agent: "web/shop-web", conversationId: VisitorIdentity.conversationId(userId: user))
            #expect(try await app.storedEvents(key.conversationId, agent: key.agent) == 2, "both devices speak in one conversation")
            let signed = "webAppId=shop-web&userId=\(user)&userHash=\(hash)"
            #expect(try await eventually {
                let texts = (try await timeline(app, signed).json["items"] as? [[String: Any]] ?? []).compactMap { (($0["elements"] as? [[String: Any]])?.first?["text"] as? String) }
                return texts.contains("from my phone") && texts.contains("from my laptop")
            })

            let wrong = VisitorIdentity.hash(userId: user, secret: "not-the-secret-at-all")
            #expect(try await post(app, ["webAppId": "shop-web", "userId": user, "userHash": wrong, "messageId": "m-0000000000000003", "text": "intruder"]) == .unauthorized)
            #expect(try await timeline(app, "webAppId=shop-web&userId=\(user)&userHash=\(wrong)").status == .unauthorized)
            #expect(try await timeline(app, "webAppId=shop-web&visitorId=\(key.conversationId)").status == .badRequest, "a signed user's id is no anonymous id")
            try await app.client.execute(uri: "/web/im/api/events?webAppId=shop-web&userId=\(user)&userHash=\(wrong)", method: .get) { #expect($0.status == .unauthorized) }
            #expect(try await app.storedEvents(key.conversationId, agent: key.agent) == 2, "nothing of the refused was stored")
        }
    }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 64)

    /// A picture is checked by its bytes, kept, served back under its unguessable path, and
    /// sent as the visitor's picture; a wrong type, a lie about the type or too many bytes is refused.
    @Test func picturesAreCheckedKeptAndSentAsTheVisitorsImage() async throws {
        try await AppHarness.run { app throws in
            let upload = "/web/im/api/uploads?webAppId=shop-web&visitorId=\(visitor)"
            let taken = try await app.post(upload, Self.png, headers: [.contentType: "image/png"])
            #expect(taken.status == .ok)
            let path = try #require((try JSONSerialization.jsonObject(with: Data(taken.body.utf8)) as? [String: Any])?["path"] as? String)
            #expect(path.hasPrefix("/web/im/files/") && path.count == "/web/im/files/".count + 64)
            try await app.client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(response.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
                #expect(Data(buffer: response.body) == Self.png)
            }
            try await app.client.execute(uri: "/web/im/files/" + String(repeating: "0", count: 64), method: .get) { #expect($0.status == .notFound) }

            #expect(try await app.post(upload, Data("not a picture".utf8), headers: [.contentType: "text/plain"]).status == .unsupportedMediaType)
            #expect(try await app.post(upload, Self.png, headers: [.contentType: "image/jpeg"]).status == .unsupportedMediaType, "a PNG is no JPEG")
            let huge = Self.png + Data(repeating: 0, count: 2 * 1_024 * 1_024)
            #expect(try await app.post(upload, huge, headers: [.contentType: "image/png"]).status == .contentTooLarge)
            #expect(try await app.post("/web/im/api/uploads?webAppId=nope&visitorId=\(visitor)", Self.png, headers: [.contentType: "image/png"]).status == .notFound)

            let url = "http://127.0.0.1" + path
            #expect(try await post(app, ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000001", "imageUrl": url]) == .ok)
            #expect(try await post(app, ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000002", "imageUrl": "javascript:alert(1)"]) == .badRequest)
            #expect(try await post(app, ["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-0000000000000003", "imageUrl": "http://elsewhere.example/a.png"]) == .badRequest)
            #expect(try await eventually {
                let items = try await timeline(app, "webAppId=shop-web&visitorId=\(visitor)").json["items"] as? [[String: Any]] ?? []
                return (items.first?["elements"] as? [[String: Any]])?.first?["url"] as? String == url
            }, "the visitor's message is a picture (TIMImageElem) with that URL")
            #expect(try await app.storedEvents(visitor, agent: "web/shop-web") == 1)
        }
    }

    /// A flood is cut off at the visitor's limit with 429 and Retry-After; only what was answered 200 is kept.
    @Test func aFloodOverTheRateLimitIsRefusedClearly() async throws {
        try await AppHarness.run { app throws in
            var accepted = 0, refused: [(HTTPResponse.Status, String?)] = []
            for index in 0..<75 {
                let body = Wire.json(["webAppId": "shop-web", "visitorId": visitor, "messageId": String(format: "m-flood-%010d", index), "text": "spam \(index)"])
                let answer = try await app.post("/web/im/api/messages", body, headers: [.contentType: "application/json"])
                if answer.status == .ok { accepted += 1 } else { refused.append((answer.status, answer.headers[.retryAfter])) }
            }
            #expect((60...64).contains(accepted), "the default is 60 a minute; \(accepted) were taken")
            #expect(!refused.isEmpty && refused.allSatisfy { $0.0 == .tooManyRequests && Int($0.1 ?? "") ?? 0 >= 1 })
            #expect(try await app.storedEvents(visitor, agent: "web/shop-web") == accepted)
        }
    }

    /// The visitor ends the human part with src 27 (closeBy client); with the bot it changes nothing.
    @Test func aSrc27EndsTheHumanSession() async throws {
        try await AppHarness.run { app throws in
            let base: [String: Any] = ["webAppId": "shop-web", "visitorId": visitor]
            func send(_ extra: [String: Any], _ id: Int) async throws -> HTTPResponse.Status {
                try await post(app, base.merging(extra) { $1 }.merging(["messageId": String(format: "m-%014d", id)]) { $1 })
            }
            let end = #"{"customerServicePlugin":0,"src":"27"}"#
            #expect(try await send(["text": "hi"], 1) == .ok)
            #expect(try await send(["custom": end], 2) == .ok)
            let key = ConversationKey(agent: "web/shop-web", conversationId: visitor)
            #expect(try await eventually { try await app.store.conversation(key)?.processedSeq == 2 })
            #expect(try await app.store.conversation(key)?.state?.session != nil, "with the bot, src 27 changes nothing")
            #expect(try await send(["liveAgent": true], 3) == .ok)
            #expect(try await eventually { try await app.store.conversation(key)?.state?.session?.ownership.holder == AgentID("lena@acme.example") })
            #expect(try await send(["custom": end], 4) == .ok)
            #expect(try await eventually { try await app.store.conversation(key)?.state?.session == nil })
            #expect(try await app.store.records(key).sessions.last?.closeBy == "client")
        }
    }
}

