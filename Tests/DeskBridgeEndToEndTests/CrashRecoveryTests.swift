import DeskBridgeTestSupport
import Foundation
import Testing

@Suite("kill -9 in the middle of a burst", .serialized)
struct CrashRecoveryTests {
    /// A rating card offered before a crash is still answered once after it.
    @Test func aRatingOfferedBeforeKill9IsCountedOnceAfterIt() async throws {
        try await Deployment.with { deployment throws in
            var service = try await deployment.start()
            let user = Wire.clientUserId("conv-rate")
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "conv-rate")).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("Talk to a person", conversation: "conv-rate")).status == 200)
            #expect(await deployment.google.waitForCalls(5))
            let state = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_state", as: "administrator", ["ClientUserId": user])
            #expect(try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/end_session", as: "lena@acme.example", ["SessionId": state["SessionId"]!])["ErrorCode"] as? Int == 0)
            #expect(await deployment.google.waitForCalls(8))
            let chips = try #require(deployment.google.calls[7].json?["suggestions"] as? [[String: Any]])
            let two = try #require(chips.compactMap { $0["reply"] as? [String: String] }.dropFirst().first)
            service.kill9()
            service = try await deployment.start()
            defer { service.terminate() }
            for _ in 0..<2 {
                #expect(try await HTTP.webhook(service.baseURL, Wire.chip(two["postbackData"]!, text: two["text"]!, conversation: "conv-rate")).status == 200)
            }
            let business = deployment.business
            #expect(try await eventually { business.requests.contains { $0.json?["Event"] as? String == "Satisfaction.Submitted" } })
            let submitted = Set(business.requests.filter { $0.json?["Event"] as? String == "Satisfaction.Submitted" }.compactMap { $0.queryValue("RequestID") })
            #expect(submitted.count == 1, "counted once")
            let records = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/get_session_records", as: "administrator", ["ClientUserId": user])
            let rating = (records["Sessions"] as? [[String: Any]])?.first?["Satisfaction"] as? [String: Any]
            #expect(rating?["Score"] as? Int == 2)
        }
    }

    /// The idle-closure timer lives in the database: a crash neither loses nor doubles it.
    @Test func anIdleTimeoutSurvivesKill9AndFiresOnce() async throws {
        try await Deployment.with(userTimeoutSeconds: 2) { deployment throws in
            var service = try await deployment.start()
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "conv-idle")).status == 200)
            #expect(await deployment.google.waitForCalls(2))
            service.kill9()
            service = try await deployment.start()
            defer { service.terminate() }
            let google = deployment.google
            // A call in flight at the kill goes out again under the same id; count distinct calls.
            let distinct: @Sendable () -> [String] = {
                var seen: [String: String] = [:]
                var order: [String] = []
                for call in google.calls where seen[call.callId] == nil {
                    seen[call.callId] = call.line
                    order.append(call.callId)
                }
                return order.map { seen[$0]! }
            }
            #expect(try await eventually { distinct().count >= 3 })
            #expect(distinct() == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: Closed for inactivity."])
            let events = try await eventually { deployment.business.requests.contains { $0.json?["Event"] as? String == "SessionTimeout" } }
            #expect(events)
            #expect(deployment.business.calls.filter { $0.json?["Event"] as? String == "SessionTimeout" }.count == 1)
        }
    }

    /// 40 conversations each send "hi" then "Opening hours" while the Google stand-in is down;
    /// the process is killed mid-burst, restarted, and the sender re-sends whatever was not
    /// acknowledged. Afterwards every conversation has exactly its three bot messages, in order.
    @Test func nothingAcknowledgedIsLostAndNothingIsDoubled() async throws {
        try await Deployment.with { deployment throws in
            let google = deployment.google
            let healthy = Locked(false)
            google.answer { _, _ in healthy.value ? .status(200) : .status(503) }
            let conversations = (0..<40).map { "burst-\($0)" }
            let bodies = conversations.flatMap { id in
                [(id, 0, Wire.text("hi", conversation: id, requestId: "\(id)-1")), (id, 1, Wire.text("Opening hours", conversation: id, requestId: "\(id)-2"))]
            }

            var service = try await deployment.start()
            let acknowledged = Locked<Set<String>>([])
            // First messages concurrently, then second messages; kill after half of all are acknowledged.
            for step in 0...1 {
                let base = service.baseURL
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (id, index, body) in bodies where index == step {
                        group.addTask {
                            if let answer = try? await HTTP.webhook(base, body), answer.status == 200 {
                                acknowledged.update { _ = $0.insert("\(id)-\(index)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                if step == 0 {
                    #expect(acknowledged.value.count == 40)
                    service.kill9()
                    service = try await deployment.start()
                }
            }
            // A second kill while calls are pending and the second messages are being processed.
            service.kill9()
            let acknowledgedBeforeRestart = acknowledged.value
            healthy.update { $0 = true }
            service = try await deployment.start()
            defer { service.terminate() }

            // The sender retries whatever it has no 200 for (and repeats some it has, as Google may).
            for (id, index, body) in bodies where !acknowledgedBeforeRestart.contains("\(id)-\(index)") || id.hasSuffix("7") {
                #expect(try await HTTP.webhook(service.baseURL, body).status == 200)
            }

            // Done when every conversation's three calls were seen and the outbox has drained.
            let base = service.baseURL
            let drained = try await eventually(timeout: .seconds(60)) {
                let metrics = try await HTTP.get(base + "/metrics").text
                return Set(google.calls.map(\.callId)).count >= 120
                    && metrics.range(of: #"deskbridge_outbox_pending 0(\.0)?\n"#, options: .regularExpression) != nil
            }
            #expect(drained)

            for id in conversations {
                let calls = google.calls.filter { $0.conversation == id }
                var firstSeen: [String] = []
                var lines: [String: String] = [:]
                for call in calls where !firstSeen.contains(call.callId) {
                    firstSeen.append(call.callId)
                    lines[call.callId] = call.line
                }
                #expect(firstSeen.map { lines[$0]! } == ["BOT: Hello Rosa!", "BOT: How can we help?", "BOT: We are open 9 to 18."], "\(id)")
                // Re-sends after a crash reuse the id; nothing is sent under a second id.
                #expect(Set(calls.map(\.callId)).count == 3, "\(id)")
            }
        }
    }

    /// Website visitors send while the service is killed with `kill -9` and restarted: every
    /// message a page was told was received is in the records once, in order, and a page that
    /// re-sends (the same messageId) after the restart changes nothing.
    @Test func everyVisitorMessageAnsweredOkSurvivesKill9OnceAndInOrder() async throws {
        try await Deployment.with { deployment throws in
            let visitors = (0..<6).map { String(format: "5e1f0c2a-0000-4000-8000-%012d", $0) }
            func body(_ visitor: String, _ index: Int) -> Data {
                Wire.json(["webAppId": "shop-web", "visitorId": visitor, "messageId": "m-\(visitor.suffix(4))-" + String(format: "%012d", index), "text": "message \(index)"])
            }
            let acknowledged = Locked<Set<String>>([])
            func send(_ base: String, _ visitor: String, _ index: Int) async -> Bool {
                guard let answer = try? await HTTP.post(base + "/web/im/api/messages", body: body(visitor, index)), answer.status == 200 else { return false }
                acknowledged.update { _ = $0.insert("\(visitor)#\(index)") }
                return true
            }

            var service = try await deployment.start()
            let base = service.baseURL
            // Each visitor sends ten messages one after the other (a page waits for each answer);
            // the process is killed once a third of them were acknowledged.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for visitor in visitors {
                    group.addTask {
                        for index in 0..<10 { guard await send(base, visitor, index) else { return } }
                    }
                }
                #expect(try await eventually { acknowledged.value.count >= 20 })
                service.kill9()
                try await group.waitForAll()
            }
            let before = acknowledged.value
            #expect(before.count < 60, "the kill came mid-burst")
            service = try await deployment.start()
            defer { service.terminate() }

            // Each page goes on from its last unanswered message, and re-sends its last answered one.
            for visitor in visitors {
                let sent = (0..<10).filter { before.contains("\(visitor)#\($0)") }
                for index in (sent.last.map { [$0] } ?? []) + Array((sent.count)..<10) {
                    #expect(await send(service.baseURL, visitor, index))
                }
            }
            let restarted = service.baseURL
            for visitor in visitors {
                let shown = Locked<[String]>([])
                _ = try await eventually(timeout: .seconds(30)) {
                    let timeline = try await HTTP.get(restarted + "/web/im/api/messages?webAppId=shop-web&visitorId=\(visitor)").json
                    let items = timeline?["items"] as? [[String: Any]] ?? []
                    let texts = items.filter { $0["kind"] as? String == "visitor" }.compactMap { (($0["elements"] as? [[String: Any]])?.first?["text"] as? String) }
                    shown.update { $0 = texts }
                    return texts.count >= 10
                }
                let texts = shown.value
                #expect(texts == (0..<10).map { "message \($0)" }, "\(visitor): each once, in order")
            }
        }
    }
}

