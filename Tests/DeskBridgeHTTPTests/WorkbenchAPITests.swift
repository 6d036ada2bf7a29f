import DeskBridgeCore
import DeskBridgeHTTP
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The workbench API behind the page: sign-in, cookies, CSRF and who may see and do what.
@Suite("Workbench API: sign-in, CSRF and permissions")
struct WorkbenchAPITests {
    let lena = "lena@acme.example"

    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var json: [String: Any]
    }

    func call(_ app: AppHarness, _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil, csrf: String? = nil,
              body: [String: Any]? = nil) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        if let csrf { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        return try await app.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: Wire.json($0)) }) { response in
            Answer(status: response.status, headers: response.headers,
                   json: (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    func userSig(_ agent: String, secret: String = Wire.deskSecret) -> String {
        UserSig.generate(identifier: agent, sdkAppId: Wire.sdkAppId, secretKey: secret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 600)
    }

    /// Signs in and returns the cookie header and the CSRF token.
    func signIn(_ app: AppHarness, _ agent: String) async throws -> (cookie: String, csrf: String) {
        let answer = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": agent, "userSig": userSig(agent)])
        #expect(answer.status == .ok)
        let setCookie = try #require(answer.headers[.setCookie])
        let cookie = String(setCookie.split(separator: ";")[0])
        let me = try await call(app, .get, "/workbench/api/me", cookie: cookie)
        return (cookie, try #require(me.json["csrfToken"] as? String))
    }

    @Test func signInNeedsAValidUserSigOfAnAgentAndSetsAStrictHttpOnlyCookie() async throws {
        try await AppHarness.run { app throws in
            let wrong = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": lena, "userSig": userSig(lena, secret: "nope")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            let admin = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": "administrator", "userSig": userSig("administrator")])
            #expect(admin.status == .forbidden, "the admin is not an agent of the workbench")
            let ok = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": lena, "userSig": userSig(lena)])
            let cookie = try #require(ok.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/workbench"))
            #expect(!cookie.contains(Wire.deskSecret))
            #expect(try await call(app, .get, "/workbench/api/sessions").status == .unauthorized, "no cookie, no sessions")
        }
    }

    /// Omar has a password account (`passwordHash`), Lena has none: the right password signs Omar
    /// in; a wrong one, Lena's (she has no account) and an unknown agent get one answer and no
    /// cookie; after five tries a minute the account is refused with 429 and `Retry-After`, even
    /// with the right password. The administrator signs in to the console the same way.
    @Test func aPasswordAccountSignsInAndGuessingIsRefused() async throws {
        try await AppHarness.run { app throws in
            let omar = "omar@acme.example"
            let ok = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": omar, "password": Wire.omarPassword])
            #expect(ok.status == .ok)
            let cookie = try #require(ok.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains(Wire.omarPassword))
            let me = try await call(app, .get, "/workbench/api/me", cookie: String(cookie.split(separator: ";")[0]))
            #expect(me.json["agentId"] as? String == omar)

            for (agent, password) in [(omar, "wrong"), (lena, Wire.omarPassword), ("nobody@acme.example", "x")] {
                let refused = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": agent, "password": password])
                #expect(refused.status == .unauthorized)
                #expect(refused.json["error"] as? String == "the ID or password is wrong", "one answer, whoever asks")
                #expect(refused.headers[.setCookie] == nil)
            }
            for _ in 0..<3 { _ = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": omar, "password": "guess"]) }
            let throttled = try await call(app, .post, "/workbench/api/sign-in", body: ["agentId": omar, "password": Wire.omarPassword])
            #expect(throttled.status == .tooManyRequests, "the sixth try in a minute")
            #expect(throttled.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(throttled.headers[.setCookie] == nil)

            let admin = try await call(app, .post, "/console/api/sign-in", body: ["password": Wire.adminPassword])
            #expect(admin.status == .ok)
            #expect(admin.headers[.setCookie]?.contains("Path=/console") == true)
            #expect(try await call(app, .post, "/console/api/sign-in", body: ["password": Wire.omarPassword]).status == .unauthorized)
            #expect(try await call(app, .post, "/console/api/sign-in", body: [:]).status == .badRequest)
        }
    }

    @Test func aStateChangingCallWithoutTheCSRFTokenIsRefusedAndChangesNothing() async throws {
        try await AppHarness.run { app throws in
            let session = try await signIn(app, lena)
            let refused = try await call(app, .post, "/workbench/api/status", cookie: session.cookie, body: ["status": "Rest"])
            #expect(refused.status == .forbidden)
            let wrongToken = try await call(app, .post, "/workbench/api/status", cookie: session.cookie, csrf: String(repeating: "0", count: 64), body: ["status": "Rest"])
            #expect(wrongToken.status == .forbidden)
            #expect(try await app.store.routingSnapshot().agent(AgentID(lena))?.status == .Available)
            let accepted = try await call(app, .post, "/workbench/api/status", cookie: session.cookie, csrf: session.csrf, body: ["status": "Rest"])
            #expect(accepted.status == .ok)
            #expect(try await app.store.routingSnapshot().agent(AgentID(lena))?.status == .Rest)
            let out = try await call(app, .post, "/workbench/api/sign-out", cookie: session.cookie, csrf: session.csrf, body: [:])
            #expect(out.status == .ok)
            #expect(try await call(app, .get, "/workbench/api/me", cookie: session.cookie).status == .unauthorized, "signed out at once")
        }
    }

    @Test func anAgentSeesAndActsOnlyWhereItsRoleReaches() async throws {
        try await AppHarness.run { app throws in
            let body = Wire.text("hi", conversation: "wb-perm")
            #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            #expect(await app.google.waitForRequests(2))
            let state = try await app.desk("/v4/desk_http_svc/get_session_state", query: Wire.deskQuery(identifier: "administrator"),
                                           Wire.json(["ClientUserId": Wire.clientUserId("wb-perm")]))
            let sessionId = try #require(state["SessionId"] as? String)
            let session = try await signIn(app, lena)
            let list = try await call(app, .get, "/workbench/api/sessions", cookie: session.cookie)
            #expect((list.json["sessions"] as? [Any])?.isEmpty == true, "a bot session is nobody's yet")
            let before = app.google.requests.count
            let send = try await call(app, .post, "/workbench/api/send", cookie: session.cookie, csrf: session.csrf, body: ["sessionId": sessionId, "text": "psst"])
            #expect(send.status == .forbidden)
            #expect(send.json["code"] as? Int == 120001)
            let transcript = try await call(app, .get, "/workbench/api/transcript?sessionId=\(sessionId)", cookie: session.cookie)
            #expect(transcript.status == .forbidden, "nor may it read the transcript")
            #expect(app.google.requests.count == before, "nothing was sent")
        }
    }

    @Test func thePageIsServedWithAStrictContentSecurityPolicy() async throws {
        try await AppHarness.run { app throws in
            try await app.client.execute(uri: "/workbench", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(!String(buffer: response.body).contains("<script>"), "no inline script")
            }
            try await app.client.execute(uri: "/workbench/assets/app.js", method: .get) { #expect($0.headers[.contentType]?.hasPrefix("text/javascript") == true) }
            try await app.client.execute(uri: "/workbench/assets/../../Package.swift", method: .get) { #expect($0.status == .notFound) }
        }
    }
}

@Suite("SDK login tokens")
struct SDKLoginTokenTests {
    @Test func aTokenWorksOnceAndOnlyWithinTenMinutes() async throws {
        let store = InMemoryDeskStore()
        let signIns = WorkbenchSignIns(store: store, realm: "workbench", now: Date.init)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        let once = try await signIns.mintLink("lena@acme.example", now: t0)
        #expect(try await signIns.redeemLink(once, now: t0.addingTimeInterval(599)) == "lena@acme.example")
        #expect(try await signIns.redeemLink(once, now: t0.addingTimeInterval(600)) == nil, "used")
        let late = try await signIns.mintLink("lena@acme.example", now: t0)
        #expect(try await signIns.redeemLink(late, now: t0.addingTimeInterval(WorkbenchSignIns.linkLifetime)) == nil, "expired")
        #expect(try await signIns.redeemLink("guess", now: t0) == nil)
    }

    @Test func theStoreKeepsOnlyTheHashOfASignInsToken() async throws {
        let store = InMemoryDeskStore()
        let signIns = WorkbenchSignIns(store: store, realm: "workbench", now: Date.init)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        let (token, signIn) = try await signIns.signIn("lena@acme.example", now: t0)
        #expect(try await signIns.signIn(token: token, now: t0) == signIn)
        #expect(try await store.signIn(tokenHash: token, realm: "workbench", now: t0, consume: false) == nil, "the token itself is not a key")
        let stored = try await store.signIn(tokenHash: WorkbenchSignIns.hash(token), realm: "workbench", now: t0, consume: false)
        #expect(stored?.agent == "lena@acme.example")
        #expect(stored.map { $0.tokenHash != token && $0.csrfToken == signIn.csrfToken } == true)
    }
}
