import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The console API: only the administrator signs in; changes need the CSRF token.
@Suite("Console API")
struct ConsoleAPITests {
    func sig(_ who: String) -> String {
        UserSig.generate(identifier: who, sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 600)
    }

    func call(_ app: AppHarness, _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil, csrf: String? = nil,
              body: [String: Any]? = nil) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, json: [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        if let csrf { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        return try await app.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: Wire.json($0)) }) { response in
            (response.status, response.headers, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    @Test func onlyTheAdministratorSignsInAndChangesNeedTheCSRFToken() async throws {
        try await AppHarness.run { app throws in
            #expect(try await call(app, .post, "/console/api/sign-in", body: ["userSig": sig("lena@acme.example")]).status == .unauthorized,
                    "an agent's UserSig does not open the console")
            #expect(try await call(app, .get, "/console/api/overview").status == .unauthorized)
            let signIn = try await call(app, .post, "/console/api/sign-in", body: ["userSig": sig("administrator")])
            #expect(signIn.status == .ok)
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            let overview = try await call(app, .get, "/console/api/overview", cookie: cookie)
            let agents = try #require(overview.json["agents"] as? [[String: Any]])
            #expect(agents.map { $0["agentId"] as? String } == ["lena@acme.example", "omar@acme.example"])
            let csrf = try #require(overview.json["csrfToken"] as? String)

            let refused = try await call(app, .post, "/console/api/agent-status", cookie: cookie, body: ["agentId": "lena@acme.example", "status": "Offline", "force": true])
            #expect(refused.status == .forbidden)
            #expect(try await app.store.routingSnapshot().agent("lena@acme.example")?.status == .Available, "nothing changed")
            let forced = try await call(app, .post, "/console/api/agent-status", cookie: cookie, csrf: csrf, body: ["agentId": "lena@acme.example", "status": "Offline", "force": true])
            #expect(forced.status == .ok)
            #expect(try await app.store.routingSnapshot().agent("lena@acme.example")?.status == .Offline)
            let blocked = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": "lena@acme.example", "userSig": sig("lena@acme.example")])
            #expect(blocked.status == .forbidden, "a forced-offline agent cannot sign in to the workbench")
        }
    }

    /// The blacklist through the running service: a blocked user's webhooks are answered 200
    /// and kept, but start no flow and send nothing; unblocking restores service. Audited.
    @Test func aBlockedUserIsKeptButNotServedUntilUnblocked() async throws {
        try await AppHarness.run { app throws in
            let signIn = try await call(app, .post, "/console/api/sign-in", body: ["userSig": sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            let csrf = try #require(try await call(app, .get, "/console/api/overview", cookie: cookie).json["csrfToken"] as? String)
            let key = ConversationKey(agent: Wire.googleAgent, conversationId: "spammer")
            let user = key.clientUserId.rawValue

            #expect(try await call(app, .post, "/console/api/blacklist", cookie: cookie, body: ["clientUserId": user]).status == .forbidden, "CSRF first")
            #expect(try await app.store.blockedUsers().isEmpty)
            #expect(try await call(app, .post, "/console/api/blacklist", cookie: cookie, csrf: csrf, body: ["clientUserId": "bad\u{7}id"]).status == .badRequest)
            let block = try await call(app, .post, "/console/api/blacklist", cookie: cookie, csrf: csrf, body: ["clientUserId": user, "reason": "spam"])
            #expect(block.status == .ok && block.json["changed"] as? Bool == true)
            #expect(try await app.store.blockedUsers().map(\.reason) == ["spam"])

            let body = Wire.text("buy now", conversation: "spammer")
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            #expect(try await eventually { try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty }, "processed")
            #expect(try await app.storedEvents("spammer") == 1, "the webhook is kept")
            #expect(try await app.store.conversation(key)?.state?.session == nil, "no flow started")
            #expect(try await app.store.outbox(lane: ConversationCommit.lane(key, .google)).isEmpty, "nothing sent to the user")
            #expect(try await app.store.outbox(lane: ConversationCommit.lane(key, .sessionEvents)).isEmpty, "no callback")
            #expect(app.google.requests.isEmpty)

            let unblock = try await call(app, .post, "/console/api/blacklist/remove", cookie: cookie, csrf: csrf, body: ["clientUserId": user])
            #expect(unblock.json["changed"] as? Bool == true)
            let again = Wire.text("hello", conversation: "spammer")
            #expect(try await app.webhook(again, signature: Wire.signature(again)).status == .ok)
            #expect(await app.google.waitForRequests(2), "the bot answers again")
            let trail = try await app.store.auditTrail(limit: 10).map(\.action)
            #expect(trail == ["unblock_user", "block_user"])
        }
    }

    /// Service records: search by dates and a keyword, filter, open the transcript, export CSV.
    @Test func serviceRecordsAreSearchedOpenedAndExported() async throws {
        try await AppHarness.run { app throws in
            let signIn = try await call(app, .post, "/console/api/sign-in", body: ["userSig": sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            for (conversation, text) in [("rec-1", "where is my parcel"), ("rec-2", "hello")] {
                let body = Wire.text(text, conversation: conversation)
                #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            }
            #expect(try await eventually { try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty })
            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])

            let all = try await call(app, .get, "/console/api/records?from=\(today)&to=\(today)", cookie: cookie)
            #expect(all.json["total"] as? Int == 2)
            let parcel = try await call(app, .get, "/console/api/records?from=\(today)&to=\(today)&q=PARCEL", cookie: cookie)
            let rows = try #require(parcel.json["sessions"] as? [[String: Any]])
            #expect(rows.map { $0["clientUserId"] as? String } == [Wire.clientUserId("rec-1")])
            #expect(try await call(app, .get, "/console/api/records?from=\(today)&to=\(today)&agent=lena@acme.example", cookie: cookie).json["total"] as? Int == 0,
                    "no agent served either")
            #expect(try await call(app, .get, "/console/api/records?from=\(today)&to=\(today)&rating=0&closeBy=seat", cookie: cookie).json["total"] as? Int == 0)
            #expect(try await call(app, .get, "/console/api/records?from=2026-02-30", cookie: cookie).status == .badRequest)
            #expect(try await call(app, .get, "/console/api/records", cookie: nil).status == .unauthorized)

            let sessionId = try #require(rows.first?["sessionId"] as? String)
            let transcript = try await app.client.execute(uri: "/console/api/records/transcript?sessionId=\(sessionId)", method: .get, headers: [.cookie: cookie]) {
                String(buffer: $0.body)
            }
            #expect(transcript.contains("where is my parcel"))
            let csv = try await app.client.execute(uri: "/console/api/records?from=\(today)&to=\(today)&q=parcel&format=csv", method: .get, headers: [.cookie: cookie]) {
                ($0.headers[.contentType], String(buffer: $0.body))
            }
            #expect(csv.0 == "text/csv; charset=utf-8")
            let lines = csv.1.split(separator: "\r\n")
            #expect(lines.first == #""SessionId","ClientUserId","Channel","State","StartTime","EndTime","AgentIds","Rating","CloseBy""#)
            #expect(lines.count == 2 && lines[1].hasPrefix("\"\(sessionId)\",\"\(Wire.clientUserId("rec-1"))\""))
        }
    }

    /// Real-time monitoring: per group the queue, its longest wait, sessions in service and agents
    /// by status; per agent its load against its limit, since when its status, and since when
    /// its oldest unanswered user waits (cleared by its reply).
    @Test func theOverviewShowsQueuesLoadsAndWhoWaitsForAnAnswer() async throws {
        try await AppHarness.run { app throws in
            let signIn = try await call(app, .post, "/console/api/sign-in", body: ["userSig": sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            for index in 1...4 {
                for text in ["hi", "human"] {
                    let body = Wire.text(text, conversation: "mon-\(index)")
                    #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
                }
            }
            @Sendable func overview() async throws -> [String: Any] { try await call(app, .get, "/console/api/overview", cookie: cookie).json }
            #expect(try await eventually { (try await overview()["groups"] as? [[String: Any]])?.first?["waiting"] as? Int == 1 }, "three with Lena, one queued")
            let group = try #require((try await overview()["groups"] as? [[String: Any]])?.first)
            #expect(group["inService"] as? Int == 3)
            #expect(group["longestWaitSince"] as? Int64 != nil)
            #expect(group["agentsByStatus"] as? [String: Int] == ["Available": 1, "Offline": 1])
            @Sendable func lena() async throws -> [String: Any] {
                try #require((try await overview()["agents"] as? [[String: Any]])?.first { $0["agentId"] as? String == "lena@acme.example" })
            }
            let atLimit = try await lena()
            #expect(atLimit["load"] as? Int == 3 && atLimit["limit"] as? Int == 3)
            #expect(try await lena()["waitingSince"] == nil, "nobody has written to Lena yet")

            let held = try #require(try await (1...4).asyncFirst { index in
                try await app.store.conversation(clientUserId: ClientUserID(Wire.clientUserId("mon-\(index)")))?.state?.session?.ownership.holder != nil ? index : nil
            })
            let question = Wire.text("where is my parcel?", conversation: "mon-\(held)")
            #expect(try await app.webhook(question, signature: Wire.signature(question)).status == .ok)
            #expect(try await eventually { try await lena()["waitingSince"] as? Int64 != nil }, "a user waits for Lena's answer")
            let reply = try await app.desk("/v4/openim/sendmsg", query: Wire.deskQuery(identifier: "lena@acme.example"),
                                           Wire.json(["To_Account": Wire.clientUserId("mon-\(held)"), "MsgBody": Wire.textBody("On its way.")]))
            #expect(reply["ErrorCode"] as? Int == 0)
            #expect(try await lena()["waitingSince"] == nil, "her reply answers it")

            let csrf = try #require(try await overview()["csrfToken"] as? String)
            #expect(try await call(app, .post, "/console/api/agent-status", cookie: cookie, csrf: csrf, body: ["agentId": "omar@acme.example", "status": "Busy"]).status == .ok)
            let omar = try #require((try await overview()["agents"] as? [[String: Any]])?.first { $0["agentId"] as? String == "omar@acme.example" })
            #expect(omar["statusSince"] as? Int64 != nil, "a status change is stamped")
        }
    }
}

/// The data analysis through the running service: figures from real sessions, JSON and CSV.
@Suite("Console API: data analysis")
struct ConsoleAnalysisTests {
    @Test func theDaysFiguresComeFromTheRecords() async throws {
        try await AppHarness.run { app throws in
            let sig = UserSig.generate(identifier: "administrator", sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret,
                                       issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 600)
            let signIn = try await app.post("/console/api/sign-in", Wire.json(["userSig": sig]), headers: [.contentType: "application/json"])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            for (conversation, texts) in [("an-1", ["hi", "Opening hours"]), ("an-2", ["hi", "human"])] {
                for text in texts {
                    let body = Wire.text(text, conversation: conversation)
                    #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
                }
            }
            #expect(try await eventually { try await app.store.conversationsWithPendingInbound(limit: 10).isEmpty })
            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            let answer = try await app.client.execute(uri: "/console/api/analysis?from=\(today)&to=\(today)", method: .get, headers: [.cookie: cookie]) {
                (try? JSONSerialization.jsonObject(with: Data(buffer: $0.body))) as? [String: Any] ?? [:]
            }
            let total = try #require((answer["report"] as? [String: Any])?["total"] as? [String: Any])
            #expect(total["started"] as? Int == 2)
            #expect(total["resolvedByBot"] as? Int == 1, "the opening-hours session ended with the bot")
            #expect(total["transferred"] as? Int == 1)
            let agents = try #require((answer["report"] as? [String: Any])?["byAgent"] as? [[String: Any]])
            #expect(agents.map { $0["key"] as? String } == ["lena@acme.example"])
            let csv = try await app.client.execute(uri: "/console/api/analysis?from=\(today)&to=\(today)&format=csv", method: .get, headers: [.cookie: cookie]) {
                String(buffer: $0.body)
            }
            let lines = csv.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix(#""Scope","Key","Started","ResolvedByBot""#) == true)
            #expect(lines.contains { $0.hasPrefix("\"bucket\",\"\(today)\",\"2\",\"1\",\"1\"") })
            #expect(lines.last?.hasPrefix(#""total","","2","1","1""#) == true)
            let bad = try await app.client.execute(uri: "/console/api/analysis?by=week", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(bad == .badRequest)
        }
    }
}

extension ClosedRange where Bound == Int {
    /// The first non-nil answer of `transform`, in order.
    fileprivate func asyncFirst(_ transform: (Int) async throws -> Int?) async rethrows -> Int? {
        for value in self { if let found = try await transform(value) { return found } }
        return nil
    }
}
