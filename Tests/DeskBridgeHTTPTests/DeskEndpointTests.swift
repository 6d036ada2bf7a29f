import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("Desk APIs: UserSig, permissions and Tencent error codes")
struct DeskEndpointTests {
    let lena = "lena@acme.example"
    let omar = "omar@acme.example"

    /// Starts a conversation and waits for the bot's welcome and menu to reach the stand-in.
    func startConversation(_ app: AppHarness, _ conversation: String) async throws {
        let body = Wire.text("hi", conversation: conversation)
        #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
        #expect(await app.google.waitForRequests(2))
    }

    @Test func userSigProblemsAreRefusedWithTencentCodes() async throws {
        try await AppHarness.run { app throws in
            let body = Wire.json(["AgentId": lena, "Status": "Busy"])
            let path = "/v4/desk_http_svc/set_agent_status"
            let wrongKey = try await app.desk(path, query: Wire.deskQuery(identifier: "administrator", secret: "wrong"), body)
            #expect(wrongKey["ErrorCode"] as? Int == 70003)
            #expect(wrongKey["ActionStatus"] as? String == "FAIL")
            let expired = try await app.desk(path, query: Wire.deskQuery(identifier: "administrator", issuedAt: 1_000, expire: 60), body)
            #expect(expired["ErrorCode"] as? Int == 70001)
            let missing = try await app.desk(path, query: "sdkappid=\(Wire.sdkAppId)&identifier=administrator", body)
            #expect(missing["ErrorCode"] as? Int == 70003)
            let otherApp = try await app.desk(path, query: Wire.deskQuery(identifier: "administrator").replacingOccurrences(of: "sdkappid=\(Wire.sdkAppId)", with: "sdkappid=1"), body)
            #expect(otherApp["ErrorCode"] as? Int == 60006)
            let stranger = try await app.desk(path, query: Wire.deskQuery(identifier: "mallory@evil.example"), body)
            #expect(stranger["ErrorCode"] as? Int == 120005)
            #expect(try await app.store.routingSnapshot().agents.first?.status == .Available, "refused calls change nothing")
            let ok = try await app.desk(path, query: Wire.deskQuery(identifier: "administrator"), body)
            #expect(ok["ErrorCode"] as? Int == 0)
            #expect(try await app.store.routingSnapshot().agents.first?.status == .Busy)
        }
    }

    /// A privacy request: the admin erases one user; refused while a session is open, and for an agent.
    @Test func eraseUserDataRemovesTheUserAndIsAudited() async throws {
        try await AppHarness.run { app throws in
            try await startConversation(app, "erase-me")
            let user = Wire.clientUserId("erase-me")
            let admin = Wire.deskQuery(identifier: "administrator")
            let path = "/v4/desk_http_svc/erase_user_data"
            let whileOpen = try await app.desk(path, query: admin, Wire.json(["ClientUserId": user]))
            #expect(whileOpen["ErrorCode"] as? Int == 120004)
            #expect((whileOpen["ErrorInfo"] as? String)?.contains("end the session first") == true)
            let byAgent = try await app.desk(path, query: Wire.deskQuery(identifier: lena), Wire.json(["ClientUserId": user]))
            #expect(byAgent["ErrorCode"] as? Int == 120005)
            let session = try await app.desk("/v4/desk_http_svc/get_session_state", query: admin, Wire.json(["ClientUserId": user]))
            let sessionId = try #require(session["SessionId"] as? String)
            #expect(try await app.desk("/v4/desk_http_svc/end_session", query: admin, Wire.json(["SessionId": sessionId]))["ErrorCode"] as? Int == 0)

            let erased = try await app.desk(path, query: admin, Wire.json(["ClientUserId": user]))
            #expect(erased["ErrorCode"] as? Int == 0)
            let counts = try #require(erased["Erased"] as? [String: Any])
            #expect(counts["Conversations"] as? Int == 1)
            #expect((counts["Messages"] as? Int ?? 0) >= 2, "the welcome and the menu at least")
            #expect(try await app.desk("/v4/desk_http_svc/get_session_records", query: admin, Wire.json(["ClientUserId": user]))["ErrorCode"] as? Int == 120002)
            #expect(try await app.desk(path, query: admin, Wire.json(["ClientUserId": user]))["ErrorCode"] as? Int == 120002, "nothing left to erase")

            let trail = try await app.desk("/v4/desk_http_svc/get_audit_trail", query: admin, Wire.json([:]))
            let entries = try #require(trail["AuditTrail"] as? [[String: Any]])
            #expect(entries.map { $0["Action"] as? String } == ["erase_user_data"])
            #expect(entries.first?["Actor"] as? String == "administrator")
            #expect((entries.first?["Subject"] as? String)?.contains(user) == false, "the audit names a digest, not the user")
            #expect(try await app.desk("/v4/desk_http_svc/get_audit_trail", query: Wire.deskQuery(identifier: lena), Wire.json([:]))["ErrorCode"] as? Int == 120005)

            let before = app.google.requests.count
            let again = Wire.text("hello again", conversation: "erase-me")
            #expect(try await app.webhook(again, signature: Wire.signature(again)).status == .ok)
            #expect(await app.google.waitForRequests(before + 2), "the same user starts afresh")
        }
    }

    @Test func anAgentMaySetOnlyItsOwnStatus() async throws {
        try await AppHarness.run { app throws in
            let path = "/v4/desk_http_svc/set_agent_status"
            let forOther = try await app.desk(path, query: Wire.deskQuery(identifier: omar), Wire.json(["AgentId": lena, "Status": "Rest"]))
            #expect(forOther["ErrorCode"] as? Int == 120005)
            let own = try await app.desk(path, query: Wire.deskQuery(identifier: omar), Wire.json(["AgentId": omar, "Status": "Available"]))
            #expect(own["ErrorCode"] as? Int == 0)
            let unknown = try await app.desk(path, query: Wire.deskQuery(identifier: "administrator"), Wire.json(["AgentId": "nobody", "Status": "Available"]))
            #expect(unknown["ErrorCode"] as? Int == 120003)
        }
    }

    @Test func badRequestsNameTheProblem() async throws {
        try await AppHarness.run { app throws in
            let query = Wire.deskQuery(identifier: "administrator")
            let notJSON = try await app.desk("/v4/openim/sendmsg", query: query, Data("{nope".utf8))
            #expect(notJSON["ErrorCode"] as? Int == 90001)
            let noTo = try await app.desk("/v4/openim/sendmsg", query: query, Wire.json(["MsgRandom": 1, "MsgBody": Wire.textBody("x")]))
            #expect(noTo["ErrorCode"] as? Int == 90003)
            let badBody = try await app.desk("/v4/openim/sendmsg", query: query, Wire.json(["To_Account": "gbm_x", "MsgBody": [["MsgType": "TIMTextElem"]]]))
            #expect(badBody["ErrorCode"] as? Int == 90002)
            let unknownUser = try await app.desk("/v4/openim/sendmsg", query: query, Wire.json(["To_Account": "gbm_nobody", "MsgBody": Wire.textBody("x")]))
            #expect(unknownUser["ErrorCode"] as? Int == 120002)
            let neverSeen = try await app.desk("/v4/desk_http_svc/get_session_state", query: query, Wire.json(["ClientUserId": "gbm_nobody"]))
            #expect(neverSeen["ErrorCode"] as? Int == 0)
            #expect(neverSeen["CurrentState"] as? String == "NotInSession")
        }
    }

    @Test func anAgentCannotSendIntoASessionItDoesNotHoldAndNothingIsSent() async throws {
        try await AppHarness.run { app throws in
            try await startConversation(app, "held")
            let user = Wire.clientUserId("held")
            let before = app.google.requests.count
            let refused = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: lena), Wire.json(["To_Account": user, "MsgBody": Wire.textBody("psst")]))
            #expect(refused["ErrorCode"] as? Int == 120001)
            let actingForOther = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: lena),
                                                    Wire.json(["From_Account": omar, "To_Account": user, "MsgBody": Wire.textBody("psst")]))
            #expect(actingForOther["ErrorCode"] as? Int == 120005)

            let state = try await app.desk("/v4/desk_http_svc/get_session_state", query: Wire.deskQuery(identifier: "administrator"), Wire.json(["ClientUserId": user]))
            #expect(state["CurrentState"] as? String == "Chatbot")
            let endByAgent = try await app.desk("/v4/desk_http_svc/end_session", query: Wire.deskQuery(identifier: lena), Wire.json(["SessionId": state["SessionId"] ?? ""]))
            #expect(endByAgent["ErrorCode"] as? Int == 120001)

            let asBot = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: "administrator"), Wire.json(["To_Account": user, "MsgBody": Wire.textBody("From the bot")]))
            #expect(asBot["ErrorCode"] as? Int == 0)
            #expect((asBot["MsgKey"] as? String)?.isEmpty == false)
            #expect(await app.google.waitForRequests(before + 1))
            let sent = app.google.requests.dropFirst(before)
            #expect(sent.count == 1, "the refused calls sent nothing")
            let representative = sent.first?.json?["representative"] as? [String: Any]
            #expect(sent.first?.json?["text"] as? String == "From the bot")
            #expect(representative?["representativeType"] as? String == "BOT")
            #expect(sent.first?.headers["authorization"] == "Bearer test-bearer")
        }
    }

    /// An agent message that would reach the user as nothing is refused, never reported delivered.
    @Test(arguments: [
        (#"[{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"smile"}}]"#, "TIMFaceElem"),
        (#"[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"not json"}}]"#, "Data is not a desk custom message"),
        (#"[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"{\"src\":\"99\",\"content\":\"x\"}"}}]"#, "src 99"),
        (#"[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"{\"src\":\"15\"}"}}]"#, "src 15"),
        (#"[{"MsgType":"TIMImageElem","MsgContent":{"ImageInfoArray":[{"Type":1,"URL":"http://cdn.example/x.png"}]}}]"#, "https"),
    ])
    func undeliverableElementsAreRefusedAndNothingIsSent(msgBody: String, problem: String) async throws {
        try await AppHarness.run { app throws in
            try await startConversation(app, "undeliverable")
            let user = Wire.clientUserId("undeliverable")
            let before = app.google.requests.count
            let key = ConversationKey(agent: Wire.googleAgent, conversationId: "undeliverable")
            let version = try await app.store.conversation(key)?.version
            let answer = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: "administrator"),
                                            Data(#"{"To_Account":"\#(user)","MsgRandom":1,"MsgBody":\#(msgBody)}"#.utf8))
            #expect(answer["ErrorCode"] as? Int == 90002)
            #expect((answer["ErrorInfo"] as? String)?.contains(problem) == true, "\(answer["ErrorInfo"] ?? "")")
            #expect(answer["MsgKey"] == nil)
            #expect(try await app.store.conversation(key)?.version == version, "nothing committed")
            #expect(app.google.requests.count == before)
        }
    }

    @Test func aCustomElementThatIsNotADeskMessageIsShownAsItsDesc() async throws {
        try await AppHarness.run { app throws in
            try await startConversation(app, "desc")
            let before = app.google.requests.count
            let answer = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: "administrator"),
                                            Wire.json(["To_Account": Wire.clientUserId("desc"), "MsgRandom": 1,
                                                       "MsgBody": [["MsgType": "TIMCustomElem", "MsgContent": ["Data": "binary", "Desc": "Your order shipped"]]]]))
            #expect(answer["ErrorCode"] as? Int == 0)
            #expect(await app.google.waitForRequests(before + 1))
            #expect(app.google.requests.last?.json?["text"] as? String == "Your order shipped")
        }
    }
}
