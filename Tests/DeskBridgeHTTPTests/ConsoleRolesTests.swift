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

/// Quick replies at run time: the console's settings edit them (audited), the workbench and the
/// desk API read them at once, and a role without settings cannot touch them.
@Suite("Console API: quick replies")
struct ConsoleQuickReplyTests {
    let console = ConsoleAPITests()
    let workbench = WorkbenchAPITests()

    @Test func anAdministratorEditsQuickRepliesThatAgentsUseAtOnce() async throws {
        try await AppHarness.run(omarRole: "supervisor") { app throws in
            let signIn = try await console.call(app, .post, "/console/api/sign-in", body: ["userSig": console.sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            let csrf = try #require(try await console.call(app, .get, "/console/api/me", cookie: cookie).json["csrfToken"] as? String)
            func replies(_ query: String = "") async throws -> [[String: Any]] {
                try await app.client.execute(uri: "/console/api/quick-replies?q=\(query)", method: .get, headers: [.cookie: cookie]) {
                    (try? JSONSerialization.jsonObject(with: Data(buffer: $0.body))) as? [[String: Any]] ?? []
                }
            }
            #expect(try await replies().map { $0["group"] as? String } == ["Greetings", "Hours"], "seeded from the YAML")

            let added = try await console.call(app, .post, "/console/api/quick-replies", cookie: cookie, csrf: csrf, body: ["group": "Returns", "text": "Send it back within 30 days."])
            #expect(added.status == .ok)
            let id = try #require(added.json["id"] as? Int)
            #expect(try await console.call(app, .post, "/console/api/quick-replies", cookie: cookie, csrf: csrf, body: ["group": "", "text": "x"]).status == .badRequest)
            #expect(try await console.call(app, .post, "/console/api/quick-replies/edit", cookie: cookie, csrf: csrf,
                                           body: ["id": id, "group": "Returns", "text": "Send it back within 60 days."]).status == .ok)
            #expect(try await replies("60%20days").count == 1)

            // An agent's workbench and the desk API see the change at once.
            let lena = try await workbench.signIn(app, "lena@acme.example")
            let shown = try await workbench.call(app, .get, "/workbench/api/quick-replies?q=return", cookie: lena.cookie)
            #expect((shown.json["groups"] as? [[String: Any]])?.first?["replies"] as? [String] == ["Send it back within 60 days."])
            let desk = try await app.desk("/v4/desk_http_svc/get_quick_replies", query: Wire.deskQuery(identifier: "lena@acme.example"), Wire.json([:]))
            #expect((desk["QuickReplies"] as? [[String: Any]])?.count == 3)

            // A supervisor (no settings) may not change them; nothing changes.
            let omar = try await console.call(app, .post, "/console/api/sign-in", body: ["agentId": "omar@acme.example", "userSig": console.sig("omar@acme.example")])
            let omarCookie = String(try #require(omar.headers[.setCookie]).split(separator: ";")[0])
            let omarCsrf = try #require(try await console.call(app, .get, "/console/api/me", cookie: omarCookie).json["csrfToken"] as? String)
            #expect(try await console.call(app, .post, "/console/api/quick-replies/delete", cookie: omarCookie, csrf: omarCsrf, body: ["id": id]).status == .forbidden)
            #expect(try await console.call(app, .get, "/console/api/quick-replies", cookie: omarCookie).status == .forbidden)
            #expect(try await replies().count == 3)

            #expect(try await console.call(app, .post, "/console/api/quick-replies/delete", cookie: cookie, csrf: csrf, body: ["id": id]).status == .ok)
            #expect(try await replies().count == 2)
            let trail = try await app.store.auditTrail(limit: 10).map(\.action)
            #expect(trail.prefix(3) == ["delete_quick_reply", "edit_quick_reply", "add_quick_reply"], "every change is audited, newest first")
            // A CSV upload: the valid rows are added (a quoted comma and line break kept), each refused row is reported.
            let upload = "Group,Reply\r\nShipping,\"Two days, usually.\nThree at most.\"\r\n,no group\r\nShipping,We ship worldwide.\r\n"
            let report = try await console.call(app, .post, "/console/api/quick-replies/import", cookie: cookie, csrf: csrf, body: ["csv": upload])
            #expect(report.status == .ok)
            #expect(report.json["added"] as? Int == 2)
            let problems = try #require(report.json["problems"] as? [[String: Any]])
            #expect(problems.map { $0["row"] as? Int } == [3])
            #expect((problems.first?["error"] as? String)?.contains("group") == true)
            #expect(try await replies("shipping").map { $0["text"] as? String } == ["Two days, usually.\nThree at most.", "We ship worldwide."])
            let wrongHeader = try await console.call(app, .post, "/console/api/quick-replies/import", cookie: cookie, csrf: csrf, body: ["csv": "Name,Text\r\na,b\r\n"])
            #expect(wrongHeader.status == .badRequest)
            #expect(try await replies().count == 4, "a refused file adds nothing")
            #expect(try await app.store.auditTrail(limit: 1).first?.action == "import_quick_replies")
            let template = try await app.client.execute(uri: "/console/api/quick-replies/template", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(template.hasPrefix("\"Group\",\"Reply\""))

            let csv = try await app.client.execute(uri: "/console/api/quick-replies?format=csv", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(csv.hasPrefix("\"Group\",\"Reply\"") && csv.contains("\"Hours\",\"We are open 9 to 18, Monday to Friday.\""))
        }
    }
}
