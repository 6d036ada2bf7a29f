import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import Testing

/// What an agent does in the workbench beyond text: pictures, cards, menus and the seed's
/// custom message; statuses with the seed's finer meaning and rest reasons; its own records.
@Suite("Workbench API: composer, statuses and own records")
struct WorkbenchWorkTests {
    let api = WorkbenchAPITests()
    let lena = "lena@acme.example"

    /// A user asks for a person; Lena (the only one available) holds the session.
    func lenaHolds(_ app: AppHarness, _ conversation: String) async throws -> String {
        for text in ["hi", "human"] {
            let body = Wire.text(text, conversation: conversation)
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
        }
        let key = ClientUserID(Wire.clientUserId(conversation))
        #expect(try await eventually { try await app.store.conversation(clientUserId: key)?.state?.session?.ownership.holder == AgentID(lena) })
        return try #require(try await app.store.conversation(clientUserId: key)?.state?.session?.id.rawValue)
    }

    /// The HUMAN messages sent to a conversation, as JSON (the bot's prompts may still be arriving).
    func sent(_ app: AppHarness, _ conversation: String) -> [[String: Any]] {
        app.google.requests.filter { $0.path.hasSuffix("conversations/\(conversation)/messages") }.compactMap(\.json).filter {
            ($0["representative"] as? [String: Any])?["representativeType"] as? String == "HUMAN"
        }
    }

    @Test func theComposerSendsPicturesCardsMenusAndTheSeedsCustomMessage() async throws {
        try await AppHarness.run { app throws in
            let sessionId = try await lenaHolds(app, "wb-compose")
            let me = try await api.signIn(app, lena)
            func send(_ body: [String: Any]) async throws -> WorkbenchAPITests.Answer {
                var body = body
                body["sessionId"] = sessionId
                return try await api.call(app, .post, "/workbench/api/send", cookie: me.cookie, csrf: me.csrf, body: body)
            }
            #expect(sent(app, "wb-compose").isEmpty)
            for refused in [["kind": "video"], ["kind": "card"], ["kind": "menu", "header": "Pick", "items": [String]()],
                            ["kind": "image", "url": "javascript:alert(1)"], ["kind": "text", "text": " "], ["kind": "card", "header": 7]] as [[String: Any]] {
                let answer = try await send(refused)
                #expect(answer.status == .badRequest, "\(refused)")
                #expect((answer.json["error"] as? String)?.isEmpty == false)
            }
            #expect(try await send(["kind": "image", "url": "https://cdn.example/parcel.png"]).status == .ok)
            #expect(try await send(["kind": "card", "header": "Your order", "desc": "Two mugs", "pic": "https://cdn.example/mug.png",
                                    "url": "https://shop.example/orders/1"]).status == .ok)
            #expect(try await send(["kind": "menu", "header": "What next?", "items": ["Track it", "Return it"], "tail": "Or just write"]).status == .ok)
            #expect(try await send(["kind": "custom", "title": "Coupon", "description": "10% off", "iconUrl": "https://cdn.example/c.png",
                                    "extension": ["code": "MUG10"]]).status == .ok)

            #expect(try await eventually { sent(app, "wb-compose").count == 4 }, "four messages, as HUMAN, and nothing for the refused ones")
            let messages = sent(app, "wb-compose")
            let image = messages.first { ($0["image"] as? [String: Any]) != nil || ($0["richCard"] as? [String: Any]).map { "\($0)".contains("parcel.png") } == true }
            #expect(image != nil, "the picture went out")
            let cards = messages.compactMap { $0["richCard"] as? [String: Any] }.map { "\($0)" }
            #expect(cards.contains { $0.contains("Your order") && $0.contains("mug.png") && $0.contains("shop.example/orders/1") })
            #expect(cards.contains { $0.contains("Coupon") && $0.contains("10% off") })
            let menu = messages.first { "\($0)".contains("What next?") }
            #expect(menu.map { "\($0["suggestions"] ?? "")".contains("Track it") && "\($0["suggestions"] ?? "")".contains("Return it") } == true)

            // The transcript keeps the custom message's business fields whole.
            let records = try await app.store.records(try #require(try await app.store.conversation(sessionId: SessionID(sessionId))).key)
            let custom = records.messages.flatMap(\.msgBody).compactMap { element -> MsgElement.CustomElem? in
                if case .custom(let custom) = element, custom.Desc == "Coupon" { return custom } else { return nil }
            }
            #expect(custom.first?.Ext == #"{"code":"MUG10"}"#)
        }
    }

    @Test func statusesCarryTheSeedsFinerMeaningAndRestReasons() async throws {
        try await AppHarness.run { app throws in
            let me = try await api.signIn(app, lena)
            func set(_ body: [String: Any]) async throws -> HTTPResponse.Status {
                try await api.call(app, .post, "/workbench/api/status", cookie: me.cookie, csrf: me.csrf, body: body).status
            }
            func read() async throws -> [String: Any] { try await api.call(app, .get, "/workbench/api/me", cookie: me.cookie).json }

            #expect(try await set(["status": "arrange"]) == .ok)
            #expect(try await read()["seatStatus"] as? String == "arrange")
            #expect(try await read()["status"] as? String == "Busy", "wrap-up is Busy to routing")
            #expect(try await set(["status": "rest", "restReason": "Meal"]) == .ok)
            let resting = try await read()
            #expect(resting["status"] as? String == "Rest")
            #expect(resting["restReason"] as? String == "Meal")
            #expect((resting["restReasons"] as? [String])?.contains("Meal") == true)
            let since = try await app.store.routingSnapshot().agent(AgentID(lena))?.statusSince

            #expect(try await set(["status": "rest", "restReason": "Nap"]) == .badRequest, "not one of desk.restReasons")
            #expect(try await set(["status": "dancing"]) == .badRequest)
            let kept = try #require(try await app.store.routingSnapshot().agent(AgentID(lena)))
            #expect(kept.status == .Rest && kept.statusReason == "Meal" && kept.statusSince == since, "a refused change changes nothing")

            #expect(try await set(["status": "StopNotReady"]) == .ok, "the seed's spelling")
            #expect(try await read()["seatStatus"] as? String == "free")
            #expect(try await app.store.routingSnapshot().agent(AgentID(lena))?.statusReason == nil)

            // The desk API takes a rest reason too (RestReason, an addition to set_agent_status).
            let answer = try await app.desk("/v4/desk_http_svc/set_agent_status", query: Wire.deskQuery(identifier: "administrator"),
                                            Wire.json(["AgentId": lena, "Status": "Rest", "RestReason": "Training"]))
            #expect(answer["ErrorCode"] as? Int == 0)
            #expect(try await read()["restReason"] as? String == "Training")
        }
    }

    @Test func anAgentSearchesOnlyTheRecordsOfSessionsItServed() async throws {
        try await AppHarness.run { app throws in
            let sessionId = try await lenaHolds(app, "wb-records")
            let lenaIn = try await api.signIn(app, lena)
            #expect(try await api.call(app, .post, "/workbench/api/end", cookie: lenaIn.cookie, csrf: lenaIn.csrf, body: ["sessionId": sessionId]).status == .ok)
            #expect(try await eventually { try await app.store.conversation(sessionId: SessionID(sessionId))?.state?.session == nil })

            let mine = try await api.call(app, .get, "/workbench/api/records?q=human", cookie: lenaIn.cookie)
            #expect(mine.status == .ok)
            #expect((mine.json["sessions"] as? [[String: Any]])?.map { $0["sessionId"] as? String } == [sessionId])
            let nothing = try await api.call(app, .get, "/workbench/api/records?q=no-such-words", cookie: lenaIn.cookie)
            #expect((nothing.json["sessions"] as? [Any])?.isEmpty == true)

            let omar = try await api.call(app, .post, "/workbench/api/sign-in", body: ["agentId": "omar@acme.example", "password": Wire.omarPassword])
            let omarCookie = String(try #require(omar.headers[.setCookie]).split(separator: ";")[0])
            let theirs = try await api.call(app, .get, "/workbench/api/records", cookie: omarCookie)
            #expect((theirs.json["sessions"] as? [Any])?.isEmpty == true, "Omar served nothing")
            let snooping = try await api.call(app, .get, "/workbench/api/records?agent=\(lena)", cookie: omarCookie)
            #expect(snooping.status == .forbidden)
            #expect(try await api.call(app, .get, "/workbench/api/transcript?sessionId=\(sessionId)", cookie: omarCookie).status == .forbidden)
            #expect(try await api.call(app, .get, "/workbench/api/transcript?sessionId=\(sessionId)", cookie: lenaIn.cookie).status == .ok,
                    "a record opens its transcript for the agent who served it")
        }
    }
}
