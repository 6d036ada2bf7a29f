import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import Testing

/// Roles and scopes in the console: a supervisor, a custom role scoped to one skill group, and an
/// agent, each reaching only what its role opens; every refusal changes nothing.
@Suite("Console API: roles and scopes")
struct ConsoleRolesTests {
    let api = ConsoleAPITests()
    /// Nora works in Billing (group 2) and leads it: her role shows group 2's monitoring and records.
    static let roles = [#"{ name: "Billing lead", modules: { monitoring: [2], records: [2], agentManagement: [2] } }"#]
    static let groups = ["{ id: 2, name: Billing, receptionLimit: 2 }"]
    static let agents = [#"{ id: "nora@acme.example", nickname: Nora, status: Available, skillGroups: [ { id: 2 } ], role: "Billing lead" }"#]

    func signIn(_ app: AppHarness, _ who: String) async throws -> (status: HTTPResponse.Status, cookie: String?) {
        let answer = try await api.call(app, .post, "/console/api/sign-in", body: ["agentId": who, "userSig": api.sig(who)])
        return (answer.status, answer.headers[.setCookie].map { String($0.split(separator: ";")[0]) })
    }

    @Test func aSupervisorSeesEverythingButSettingsAndAnAgentNothing() async throws {
        try await AppHarness.run(omarRole: "supervisor") { app throws in
            let lena = try await signIn(app, "lena@acme.example")
            #expect(lena.status == .forbidden && lena.cookie == nil, "an agent's role opens no console module")

            let omar = try await signIn(app, "omar@acme.example")
            let cookie = try #require(omar.cookie)
            let me = try await api.call(app, .get, "/console/api/me", cookie: cookie)
            #expect(me.json["role"] as? String == "supervisor")
            #expect(Set((me.json["modules"] as? [String: Any])?.keys.map { $0 } ?? []) == ["monitoring", "analysis", "records", "agentManagement"])
            let csrf = try #require(me.json["csrfToken"] as? String)
            #expect(try await api.call(app, .get, "/console/api/overview", cookie: cookie).status == .ok)
            #expect(try await api.call(app, .get, "/console/api/records", cookie: cookie).status == .ok)

            for path in ["/console/api/blacklist", "/console/api/audit"] {
                let refused = try await api.call(app, .get, path, cookie: cookie)
                #expect(refused.status == .forbidden, "\(path)")
                #expect((refused.json["error"] as? String)?.contains("settings") == true)
            }
            let block = try await api.call(app, .post, "/console/api/blacklist", cookie: cookie, csrf: csrf, body: ["clientUserId": "gbm_x", "reason": "spam"])
            #expect(block.status == .forbidden)
            #expect(try await app.store.blockedUsers().isEmpty, "the refused block changed nothing")

            // The supervisor's own status changes are audited under its own name.
            #expect(try await api.call(app, .post, "/console/api/agent-status", cookie: cookie, csrf: csrf,
                                       body: ["agentId": "lena@acme.example", "status": "Busy"]).status == .ok)
            let trail = try await app.store.auditTrail(limit: 10)
            #expect(trail.first.map { $0.actor == "omar@acme.example" && $0.action == "set_agent_status" } == true)
        }
    }

    @Test func aCustomRoleSeesOnlyItsGroups() async throws {
        try await AppHarness.run(roles: Self.roles, extraGroups: Self.groups, extraAgents: Self.agents) { app throws in
            // Lena (Support) serves a user, so there is a group-1 record Nora must not see.
            for text in ["hi", "human"] {
                let body = Wire.text(text, conversation: "roles-1")
                #expect(try await app.webhook(body, signature: Wire.signature(body)).status == .ok)
            }
            let user = ClientUserID(Wire.clientUserId("roles-1"))
            #expect(try await eventually { try await app.store.conversation(clientUserId: user)?.state?.session?.ownership.holder == "lena@acme.example" })
            let sessionId = try #require(try await app.store.conversation(clientUserId: user)?.state?.session?.id.rawValue)

            let nora = try #require(try await signIn(app, "nora@acme.example").cookie)
            let overview = try await api.call(app, .get, "/console/api/overview", cookie: nora)
            #expect((overview.json["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Billing"])
            #expect((overview.json["agents"] as? [[String: Any]])?.map { $0["agentId"] as? String } == ["nora@acme.example"])
            #expect((overview.json["sessions"] as? [[String: Any]])?.first { $0["state"] as? String == "Agent" }?["count"] as? Int == 0,
                    "Lena's Support session is not counted for Billing")
            let csrf = try #require(overview.json["csrfToken"] as? String)

            #expect(try await api.call(app, .get, "/console/api/records/transcript?sessionId=\(sessionId)", cookie: nora).status == .forbidden)
            #expect(try await api.call(app, .get, "/console/api/records?group=1", cookie: nora).status == .forbidden)
            #expect(try await api.call(app, .get, "/console/api/analysis", cookie: nora).status == .forbidden, "her role has no analysis")
            #expect(try await api.call(app, .post, "/console/api/agent-status", cookie: nora, csrf: csrf,
                                       body: ["agentId": "lena@acme.example", "status": "Offline", "force": true]).status == .forbidden)
            #expect(try await app.store.routingSnapshot().agent("lena@acme.example")?.status == .Available, "nothing changed")
            #expect(try await api.call(app, .post, "/console/api/agent-status", cookie: nora, csrf: csrf,
                                       body: ["agentId": "nora@acme.example", "status": "Busy"]).status == .ok, "her own group's agent")

            // The administrator sees both groups and the session.
            let admin = try #require(try await api.call(app, .post, "/console/api/sign-in", body: ["userSig": api.sig("administrator")]).headers[.setCookie])
            let adminCookie = String(admin.split(separator: ";")[0])
            #expect((try await api.call(app, .get, "/console/api/overview", cookie: adminCookie).json["groups"] as? [Any])?.count == 2)
            #expect(try await api.call(app, .get, "/console/api/records/transcript?sessionId=\(sessionId)", cookie: adminCookie).status == .ok)
        }
    }
}
