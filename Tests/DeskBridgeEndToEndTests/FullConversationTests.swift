import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("End to end through `deskbridge serve`", .serialized)
struct FullConversationTests {
    let lena = "lena@acme.example"

    @Test func welcomeMenuHumanAndBackToTheBotCallByCall() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let google = deployment.google
            let conversation = "conv-full"
            let user = Wire.clientUserId(conversation)

            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: conversation)).status == 200)
            #expect(await google.waitForCalls(2))
            #expect(google.calls.map(\.line) == ["BOT: Hello Rosa!", "BOT: How can we help?"])
            let menu = try #require(google.calls[1].json)
            let chips = try #require(menu["suggestions"] as? [[String: Any]])
            let human = try #require(chips.compactMap { $0["reply"] as? [String: String] }.first { $0["text"] == "Talk to a person" })
            #expect(chips.last?["liveAgentRequest"] != nil)

            #expect(try await HTTP.webhook(service.baseURL, Wire.chip(human["postbackData"]!, text: "Talk to a person", conversation: conversation)).status == 200)
            #expect(await google.waitForCalls(5))
            #expect(google.calls.dropFirst(2).map(\.line) == ["BOT: Connecting…", "JOINED Lena", "BOT: You are chatting with Lena."])

            let sent = try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: lena, ["To_Account": user, "MsgRandom": 1, "MsgBody": Wire.textBody("Hi, I am Lena")])
            #expect(sent["ErrorCode"] as? Int == 0)
            #expect(await google.waitForCalls(6))
            #expect(google.calls[5].line == "HUMAN Lena: Hi, I am Lena")
            #expect((google.calls[5].json?["representative"] as? [String: Any])?["avatarImage"] as? String == "https://cdn.example/lena.png")

            #expect(try await HTTP.webhook(service.baseURL, Wire.text("My parcel is late", conversation: conversation)).status == 200)
            let business = deployment.business
            // The agent learns of the message through the session events before acting on it.
            #expect(try await eventually { business.requests.contains { $0.json?["Event"] as? String == "Agent.UserSendMsg" } })
            let state = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: lena, ["ClientUserId": user])
            #expect(state["CurrentState"] as? String == "Agent")
            #expect(state["AgentId"] as? String == lena)
            let ended = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/end_session", as: lena, ["SessionId": state["SessionId"]!])
            #expect(ended["ErrorCode"] as? Int == 0)
            #expect(await google.waitForCalls(9))
            #expect(google.calls.dropFirst(6).map(\.line) == ["LEFT Lena", "BOT: Chat ended.", "BOT: How would you rate this chat?"])

            // The rating card: one chip per score; a tap rates once, a second tap does not count.
            let card = try #require(google.calls[8].json?["suggestions"] as? [[String: Any]])
            let stars = card.compactMap { $0["reply"] as? [String: String] }
            #expect(stars.map { $0["text"]! } == ["★", "★★", "★★★", "★★★★", "★★★★★"])
            for _ in 0..<2 {
                #expect(try await HTTP.webhook(service.baseURL, Wire.chip(stars[3]["postbackData"]!, text: "★★★★", conversation: conversation)).status == 200)
            }
            #expect(await google.waitForCalls(10))
            #expect(google.calls[9].line == "BOT: Thank you for your feedback!")

            #expect(try await HTTP.webhook(service.baseURL, Wire.text("one more thing", conversation: conversation)).status == 200)
            #expect(await google.waitForCalls(12))
            #expect(google.calls.dropFirst(10).map(\.line) == ["BOT: Hello Rosa!", "BOT: How can we help?"], "the second tap sent nothing")
            #expect(Set(google.calls.map(\.callId)).count == 12, "every call has its own id")
            #expect(google.calls.allSatisfy { $0.path.hasPrefix("/v1/conversations/conv-full/") })

            // The business server saw the whole session, in order, signed, ids stable.
            let beforeEnd = try await eventually { business.requests.contains { $0.json?["Event"] as? String == "SessionEnd" } }
            #expect(beforeEnd)
            let events = business.calls.compactMap { $0.json?["Event"] as? String }
            let firstSession = Array(events.prefix { $0 != "SessionEnd" }) + ["SessionEnd"]
            #expect(firstSession == ["SessionBegin", "ChatBot.UserSendMsg", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg", "ChatBot.UserSendMsg",
                                     "Transfer.Requested", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg", "Transfer.Succeeded",
                                     "Agent.AgentSendMsg", "Agent.UserSendMsg", "ChatBot.RobotSendMsg", "SessionEnd"])
            let ratings = business.calls.filter { $0.json?["Event"] as? String == "Satisfaction.Submitted" }
            #expect(ratings.count == 1)
            #expect(ratings.first?.json?["SatisfactionSelected"] as? Int == 4)
            for request in business.requests {
                let time = try #require(request.queryValue("RequestTime").flatMap { Int64($0) })
                #expect(request.queryValue("Sign") == CallbackSignature.sign(token: "cb-token", requestTime: time))
                #expect(request.queryValue("ClientIP") == "127.0.0.1")
                #expect(request.json?["ClientUserId"] as? String == user)
                #expect(request.json?["ChannelType"] as? String == "GBM")
            }
            for attempts in Dictionary(grouping: business.requests, by: { $0.queryValue("RequestID") ?? "" }).values {
                #expect(Set(attempts.map(\.body)).count == 1, "a RequestID always carries the same event")
            }
            #expect(!service.log.contains(Wire.deskSecret) && !service.log.contains("cb-token") && !service.log.contains("test-bearer"))
            // At info, one line per session start, handoff and end.
            let milestones = service.log.split(separator: "\n").filter { $0.contains(" info ") && $0.contains("session ") }
            #expect(milestones.contains { $0.contains("session started") && $0.contains("channel=GBM") })
            #expect(milestones.contains { $0.contains("session handed to an agent") && $0.contains("agent=\(lena)") })
            #expect(milestones.contains { $0.contains("session ended") })

            // The service records: both sessions, every message both ways, who sent it, deliveries, decisions.
            let records = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_records", as: "administrator", ["ClientUserId": user])
            let sessions = try #require(records["Sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["State"] as? String } == ["Ended", "Chatbot"])
            let first = sessions[0]
            #expect(first["AgentIds"] as? [String] == [lena])
            #expect((first["EndTime"] as? Int64 ?? 0) >= (first["StartTime"] as? Int64 ?? .max))
            let messages = try #require(first["Messages"] as? [[String: Any]])
            let summary = messages.map { m -> String in
                let body = (m["MsgBody"] as? [[String: Any]])?.first
                let content = body?["MsgContent"] as? [String: Any]
                let custom = (content?["Data"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let text = content?["Text"] as? String ?? custom.map { "src \($0["src"] ?? "?")" } ?? (body?["MsgType"] as? String ?? "")
                return "\(m["Direction"]!) \(m["Sender"]!)\((m["AgentId"] as? String).map { $0.isEmpty ? "" : " " + $0 } ?? ""): \(text)"
            }
            #expect(summary == [
                "In User: hi", "Out Bot: Hello Rosa!", "Out Bot: src 15", "In User: Talk to a person", "Out Bot: Connecting…",
                "Out Bot \(lena): src 26", "Out Bot: You are chatting with Lena.", "Out Agent \(lena): Hi, I am Lena", "In User: My parcel is late",
                "Out Bot \(lena): src 26", "Out Bot: Chat ended.", "Out Bot: src 9", "In User: src 10", "Out Bot: Thank you for your feedback!",
            ], "the human joining and leaving are the desk's src 26, in place, naming the agent; the rating after the end belongs to the session")
            let outbound = messages.filter { $0["Direction"] as? String == "Out" }
            #expect(outbound.allSatisfy { (($0["Delivery"] as? [String: Any])?["State"] as? String) == "Delivered" })
            let rating = try #require(first["Satisfaction"] as? [String: Any])
            #expect(rating["Score"] as? Int == 4)
            let assignments = try #require(first["Assignments"] as? [[String: Any]])
            #expect(assignments.map { $0["Outcome"] as? String } == ["assigned"])
            #expect(assignments.first?["AgentId"] as? String == lena)
            let refused = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_records", as: "omar@acme.example", ["ClientUserId": user])
            #expect(refused["ErrorCode"] as? Int == 120001, "an agent sees only sessions it was part of")
        }
    }

    @Test func aRepeatedWebhookHasOneEffect() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let body = Wire.text("hi", conversation: "conv-dup", requestId: "same-request", messageId: "same-message")
            for _ in 0..<3 { #expect(try await HTTP.webhook(service.baseURL, body).status == 200) }
            let retriedWithNewRequestId = Wire.text("hi", conversation: "conv-dup", requestId: "other-request", messageId: "same-message")
            #expect(try await HTTP.webhook(service.baseURL, retriedWithNewRequestId).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("Opening hours", conversation: "conv-dup")).status == 200)
            #expect(await deployment.google.waitForCalls(3))
            #expect(deployment.google.calls.map(\.line) == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: We are open 9 to 18."])
        }
    }

    @Test func threeUnavailableAnswersThenSuccess() async throws {
        try await Deployment.with { deployment throws in
            deployment.google.answer { _, index in index < 3 ? .status(503, #"{"error":{"code":503,"status":"UNAVAILABLE"}}"#) : .status(200) }
            let service = try await deployment.start()
            defer { service.terminate() }
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "conv-503")).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("Opening hours", conversation: "conv-503")).status == 200)
            #expect(await deployment.google.waitForRequests(6))
            let calls = deployment.google.requests
            #expect(calls.map(\.callId).count == 6)
            let firstId = calls[0].callId
            #expect(calls.prefix(4).allSatisfy { $0.callId == firstId }, "retried with the same messageId")
            #expect(calls.map(\.line) == ["BOT: Hello Rosa!", "BOT: Hello Rosa!", "BOT: Hello Rosa!", "BOT: Hello Rosa!",
                                          "BOT: How can we help?", "BOT: We are open 9 to 18."])
        }
    }
}

@Suite("Graceful shutdown", .serialized)
struct GracefulShutdownTests {
    @Test func sigtermStopsCleanlyAndTheNextRunContinuesTheConversation() async throws {
        try await Deployment.with { deployment throws in
            var service = try await deployment.start()
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "conv-term")).status == 200)
            #expect(await deployment.google.waitForCalls(2))
            #expect(service.terminate() == 0, "SIGTERM is a clean exit")

            service = try await deployment.start()
            defer { service.terminate() }
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("Opening hours", conversation: "conv-term")).status == 200)
            #expect(await deployment.google.waitForCalls(3))
            #expect(deployment.google.calls.last?.line == "BOT: We are open 9 to 18.", "the menu state survived the restart")
        }
    }
}

@Suite("Session events while the business server is down", .serialized)
struct SessionEventOutageTests {
    @Test func everythingArrivesInOrderSignedWithStableRequestIDs() async throws {
        try await Deployment.with { deployment throws in
            let up = Locked(false)
            deployment.business.answer { _, _ in up.value ? .status(200) : .status(503) }
            let service = try await deployment.start()
            defer { service.terminate() }
            for text in ["hi", "blah", "Opening hours"] {
                #expect(try await HTTP.webhook(service.baseURL, Wire.text(text, conversation: "conv-outage")).status == 200)
            }
            #expect(await deployment.google.waitForCalls(5), "the user is served while the business server is down")
            #expect(await deployment.business.waitForRequests(4), "retries keep coming")
            up.update { $0 = true }

            let business = deployment.business
            let done = try await eventually { business.requests.contains { $0.json?["Event"] as? String == "SessionEnd" && up.value } }
            #expect(done)
            // Calls of one session go out strictly in order, each retried until delivered before the
            // next starts; so the first attempts, in arrival order, are the events in order.
            var seen: Set<String> = []
            let delivered = business.requests.filter { seen.insert($0.queryValue("RequestID") ?? "").inserted }
            #expect(delivered.compactMap { $0.json?["Event"] as? String } == [
                "SessionBegin", "ChatBot.UserSendMsg", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg",
                "ChatBot.UserSendMsg", "ChatBot.RobotSendMsg", "ChatBot.RobotSendMsg",
                "ChatBot.UserSendMsg", "ChatBot.RobotSendMsg", "SessionEnd",
            ])
            let retried = Dictionary(grouping: business.requests) { $0.queryValue("RequestID") ?? "" }.filter { $0.value.count > 1 }
            #expect(!retried.isEmpty, "some events were retried")
            for (_, attempts) in retried {
                #expect(Set(attempts.map(\.body)).count == 1, "a retry sends the same body under the same RequestID")
            }
            for request in business.requests {
                let time = try #require(request.queryValue("RequestTime").flatMap { Int64($0) })
                #expect(request.queryValue("Sign") == CallbackSignature.sign(token: "cb-token", requestTime: time))
            }
        }
    }
}
