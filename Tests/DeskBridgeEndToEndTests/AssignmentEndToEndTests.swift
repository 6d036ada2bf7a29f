import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("Assignment through `deskbridge serve`", .serialized)
struct AssignmentEndToEndTests {
    static let lena = "lena@acme.example", omar = "omar@acme.example"

    /// Talks the user to the transfer node and returns the session state once the assignment settled.
    func transfer(_ service: ServiceProcess, _ conversation: String, until done: @Sendable @escaping ([String: String]) -> Bool) async throws -> [String: String] {
        #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: conversation)).status == 200)
        #expect(try await HTTP.webhook(service.baseURL, Wire.text("Talk to a person", conversation: conversation)).status == 200)
        let user = Wire.clientUserId(conversation)
        let state = Locked<[String: String]>([:])
        let settled = try await eventually {
            let answer = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": user])
                .compactMapValues { $0 as? String }
            state.update { $0 = answer }
            return done(answer)
        }
        #expect(settled)
        return state.value
    }

    @Test(arguments: [
        ("a list", #"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","AgentIdList":["omar@acme.example"]}"#, false, omar),
        ("a group", #"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","AgentGroupId":1}"#, false, lena),
        ("both", #"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","AgentGroupId":1,"AgentIdList":["omar@acme.example"]}"#, false, omar),
        ("an unknown agent", #"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","AgentIdList":["mallory@acme.example"]}"#, false, lena),
        ("ErrorCode 1", #"{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"no"}"#, false, lena),
        ("garbage", "<html>oops</html>", false, lena),
        ("nothing within the deadline", "", true, lena),
    ])
    func theAssignmentWebhook(answer name: String, body: String, hang: Bool, expected: String) async throws {
        try await Deployment.with(omarStatus: "Available", assignment: "{ strategy: webhook, fallback: automatic }") { deployment throws in
            deployment.business.answer { request, _ in
                guard request.path == "/assign" else { return .status(200) }
                return hang ? .hang : .status(200, body)
            }
            let service = try await deployment.start()
            defer { service.terminate() }
            let state = try await transfer(service, "conv-assign") { $0["CurrentState"] == "Agent" }
            #expect(state["AgentId"] == expected, "\(name)")

            let calls = deployment.business.requests.filter { $0.path == "/assign" }
            #expect(calls.count == 1, "asked once")
            let call = try #require(calls.first)
            let time = try #require(call.queryValue("RequestTime").flatMap { Int64($0) })
            #expect(call.queryValue("Sign") == CallbackSignature.sign(token: "cb-token", requestTime: time), "the signature it received verifies")
            #expect(call.queryValue("CallbackCommand") == "ChatBot.OnAssignHuman")
            #expect(call.queryValue("SdkAppid") == String(Wire.sdkAppId))
            #expect((call.queryValue("RequestID") ?? "").count <= 64)
            let json = try #require(call.json)
            #expect(json["ClientUserId"] as? String == Wire.clientUserId("conv-assign"))
            #expect(json["ConversationId"] as? String == "conv-assign")
            #expect(json["UserName"] as? String == "Rosa" && json["Locale"] as? String == "de-DE" && json["EntryPoint"] as? String == "MAPS")
            #expect(json["SkillGroupId"] as? Int == 1 && json["LastAgentId"] as? String == "")
            #expect(json["SessionId"] as? String == state["SessionId"])
        }
    }

    @Test func aManualAcceptThatTimesOutIsRedirected() async throws {
        try await Deployment.with(omarStatus: "Available", reception: "{ automatic: false, acceptTimeoutSeconds: 1, redirectOnTimeout: true, breakOnTimeout: true }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let offered = try await transfer(service, "conv-offer") { $0["CurrentState"] == "WaitingForAgentAnswering" }
            let first = try #require(offered["AgentId"])
            let other = first == Self.lena ? Self.omar : Self.lena
            let sessionId = try #require(offered["SessionId"])
            let redirected = try await eventually {
                let state = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["SessionId": sessionId])
                return state["AgentId"] as? String == other
            }
            #expect(redirected, "after the accept timeout the offer moved to the other agent")
            let late = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/accept_session", as: first, ["SessionId": sessionId])
            #expect(late["ErrorCode"] as? Int == 120001, "the first agent's offer is gone")
            let accepted = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/accept_session", as: other, ["SessionId": sessionId])
            #expect(accepted["ErrorCode"] as? Int == 0)
            let nickname = other == Self.lena ? "Lena" : "Omar"
            #expect(await deployment.google.waitForCalls(5))
            let lines = deployment.google.calls.map(\.line)
            #expect(Array(lines.suffix(3)) == ["BOT: Connecting…", "JOINED \(nickname)", "BOT: You are chatting with \(nickname)."])
            #expect(!lines.contains { $0.hasPrefix("JOINED") && !$0.hasSuffix(nickname) }, "the agent who missed the offer never joined")
            // breakOnTimeout: the agent who missed the offer went to Rest, so the next session skips it
            // although it has no sessions at all.
            let next = try await transfer(service, "conv-offer-2") { $0["CurrentState"] == "WaitingForAgentAnswering" }
            #expect(next["AgentId"] == other)
        }
    }

    @Test func anAgentToAgentTransferFramesBothSegments() async throws {
        try await Deployment.with(omarStatus: "Available") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let held = try await transfer(service, "conv-move") { $0["CurrentState"] == "Agent" }
            let first = try #require(held["AgentId"])
            let other = first == Self.lena ? Self.omar : Self.lena
            let sessionId = try #require(held["SessionId"])
            let user = Wire.clientUserId("conv-move")
            #expect(try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: first, ["To_Account": user, "MsgBody": Wire.textBody("One moment")])["ErrorCode"] as? Int == 0)
            let moved = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/transfer_session", as: first, ["SessionId": sessionId, "AgentId": other])
            #expect(moved["ErrorCode"] as? Int == 0)
            #expect(moved["AgentId"] as? String == other)
            #expect(try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: first, ["To_Account": user, "MsgBody": Wire.textBody("still me?")])["ErrorCode"] as? Int == 120001)
            #expect(try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: other, ["To_Account": user, "MsgBody": Wire.textBody("Hello, I take over")])["ErrorCode"] as? Int == 0)
            #expect(await deployment.google.waitForCalls(10))
            let (a, b) = first == Self.lena ? ("Lena", "Omar") : ("Omar", "Lena")
            #expect(Array(deployment.google.calls.map(\.line).suffix(6)) == [
                "BOT: You are chatting with \(a).", "HUMAN \(a): One moment", "LEFT \(a)", "JOINED \(b)", "BOT: You are chatting with \(b).",
                "HUMAN \(b): Hello, I take over",
            ])
        }
    }
}
