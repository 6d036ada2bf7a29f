import DeskBridgeCore
import DeskBridgeSQLite
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import Testing

/// Agents and skill groups managed at run time through the console's API: in force at once for
/// routing and sign-in, kept in the store across a restart over an unchanged YAML, refused
/// (changing nothing) where the role does not reach, and audited.
@Suite("Console API: agents and skill groups")
struct ConsoleAgentsTests {
    let console = ConsoleAPITests()
    let workbench = WorkbenchAPITests()

    struct Session {
        var cookie: String
        var csrf: String
    }

    func signIn(_ app: AppHarness, _ who: String? = nil) async throws -> Session {
        let body: [String: Any] = who.map { ["agentId": $0, "userSig": console.sig($0)] } ?? ["userSig": console.sig("administrator")]
        let answer = try await console.call(app, .post, "/console/api/sign-in", body: body)
        let cookie = String(try #require(answer.headers[.setCookie]).split(separator: ";")[0])
        let csrf = try #require(try await console.call(app, .get, "/console/api/me", cookie: cookie).json["csrfToken"] as? String)
        return Session(cookie: cookie, csrf: csrf)
    }

    func post(_ app: AppHarness, _ session: Session, _ path: String, _ body: [String: Any]) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        let answer = try await console.call(app, .post, path, cookie: session.cookie, csrf: session.csrf, body: body)
        return (answer.status, answer.json)
    }

    func workbenchSignIn(_ app: AppHarness, _ agent: String, password: String) async throws -> (status: HTTPResponse.Status, cookie: String?, error: String?) {
        let answer = try await workbench.call(app, .post, "/workbench/api/sign-in", body: ["agentId": agent, "password": password])
        return (answer.status, answer.headers[.setCookie].map { String($0.split(separator: ";")[0]) }, answer.json["error"] as? String)
    }

    @Test func anAdministratorAddsAGroupAndAnAgentWhoWorksAtOnceAndStaysAfterARestart() async throws {
        let path = TestConfig.temporaryDirectory().appendingPathComponent("directory.sqlite").path
        let store = try SQLiteDeskStore(path: path)
        try await AppHarness.run(store: store, omarRole: "supervisor") { app throws in
            let admin = try await signIn(app)
            let group = try await post(app, admin, "/console/api/skill-groups", ["name": "Billing", "receptionLimit": 2])
            #expect(group.status == .ok)
            let billing = try #require(group.json["id"] as? Int)
            let added = try await post(app, admin, "/console/api/agents", [
                "id": "nadia@acme.example", "nickname": "Nadia", "staffNo": "2001",
                "skillGroups": [["id": billing, "priority": 2]], "password": "correct horse battery",
            ])
            #expect(added.status == .ok, "\(added.json)")
            #expect(try await app.store.routingSnapshot().agent("nadia@acme.example")?.groups == [SkillGroupID(billing): 2],
                    "routing knows the new agent's group and priority")

            // Nadia signs in to the workbench with the password she was given and sees her group.
            let nadia = try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery")
            #expect(nadia.status == .ok)
            let nadiaCookie = try #require(nadia.cookie)
            let me = try await workbench.call(app, .get, "/workbench/api/me", cookie: nadiaCookie)
            #expect((me.json["groups"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Billing"])

            // Refusals change nothing: a duplicate, an unknown group, a bad priority, the default group.
            let before = try await app.store.deskDirectory()
            #expect(try await post(app, admin, "/console/api/agents", ["id": "nadia@acme.example", "nickname": "Again"]).status == .badRequest)
            let unknown = try await post(app, admin, "/console/api/agents", ["id": "x@acme.example", "nickname": "X", "skillGroups": [["id": 99, "priority": 3]]])
            #expect(unknown.status == .badRequest)
            #expect((unknown.json["error"] as? String)?.contains("unknown skill group 99") == true)
            #expect(try await post(app, admin, "/console/api/agents/edit", ["id": "nadia@acme.example", "skillGroups": [["id": billing, "priority": 9]]]).status == .badRequest)
            #expect(try await post(app, admin, "/console/api/skill-groups/delete", ["id": 1]).status == .badRequest, "the default group stays")
            #expect(try await app.store.deskDirectory() == before)

            // Disabled, her open page is signed out and she cannot sign in; enabled, she can.
            #expect(try await post(app, admin, "/console/api/agents/edit", ["id": "nadia@acme.example", "enabled": false]).status == .ok)
            #expect(try await workbench.call(app, .get, "/workbench/api/me", cookie: nadiaCookie).status == .unauthorized)
            let refused = try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery")
            #expect(refused.status == .forbidden && refused.error?.contains("disabled") == true)
            #expect(try await app.store.routingSnapshot().agent("nadia@acme.example")?.status == .Offline)
            #expect(try await post(app, admin, "/console/api/agents/edit", ["id": "nadia@acme.example", "enabled": true]).status == .ok)
            #expect(try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery").status == .ok)

            // Forced offline, an edit of her nickname does not let her back in.
            #expect(try await post(app, admin, "/console/api/agent-status", ["agentId": "nadia@acme.example", "status": "Offline", "force": true]).status == .ok)
            #expect(try await post(app, admin, "/console/api/agents/edit", ["id": "nadia@acme.example", "nickname": "Nadia K."]).status == .ok)
            #expect(try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery").status == .forbidden)
            #expect(try await post(app, admin, "/console/api/agent-status", ["agentId": "nadia@acme.example", "status": "Available"]).status == .ok)

            let listed = try await console.call(app, .get, "/console/api/agents", cookie: admin.cookie)
            let nadiaRow = (listed.json["agents"] as? [[String: Any]])?.first { $0["id"] as? String == "nadia@acme.example" }
            #expect(nadiaRow?["hasPassword"] as? Bool == true && nadiaRow?["passwordHash"] == nil, "the list never shows a hash")
            let trail = try await app.store.auditTrail(limit: 10).map(\.action)
            #expect(trail.prefix(7) == ["resume_online", "edit_agent", "force_offline", "edit_agent", "edit_agent", "add_agent", "add_skill_group"],
                    "every change is audited, newest first")
            #expect(try await app.store.auditTrail(limit: 10).allSatisfy { !$0.detail.contains("scrypt") }, "no hash in the trail")
        }
        // A restart over the same YAML: the store wins, so Nadia and Billing are still there.
        try await AppHarness.run(store: store, omarRole: "supervisor") { app throws in
            #expect(try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery").status == .ok)
            let admin = try await signIn(app)
            let listed = try await console.call(app, .get, "/console/api/agents", cookie: admin.cookie)
            #expect((listed.json["skillGroups"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Support", "Billing"])

            // Deleted, she is gone from routing and sign-in; the group goes, memberships with it.
            #expect(try await post(app, admin, "/console/api/agents/delete", ["id": "nadia@acme.example"]).status == .ok)
            #expect(try await workbenchSignIn(app, "nadia@acme.example", password: "correct horse battery").status == .unauthorized,
                    "a deleted account is answered as an unknown one")
            #expect(try await app.store.routingSnapshot().agent("nadia@acme.example") == nil)
            #expect(try await post(app, admin, "/console/api/skill-groups/delete", ["id": 2]).status == .ok)
            #expect(try await app.store.deskDirectory()?.skillGroups.map(\.id) == [1])
        }
    }

    @Test func rolesThatDoNotReachAreRefusedAndChangeNothing() async throws {
        try await AppHarness.run(omarRole: "supervisor", roles: ConsoleRolesTests.roles, extraGroups: ConsoleRolesTests.groups,
                                 extraAgents: ConsoleRolesTests.agents) { app throws in
            let before = try await app.store.deskDirectory()
            // A supervisor may manage agents, but not give the admin role.
            let omar = try await signIn(app, "omar@acme.example")
            let promoted = try await post(app, omar, "/console/api/agents/edit", ["id": "lena@acme.example", "role": "admin"])
            #expect(promoted.status == .forbidden)
            #expect((promoted.json["error"] as? String)?.contains("admin role") == true)
            // A role scoped to group 2 sets its agents' statuses but changes no agent or group.
            let nora = try await signIn(app, "nora@acme.example")
            #expect(try await post(app, nora, "/console/api/agents", ["id": "z@acme.example", "nickname": "Z"]).status == .forbidden)
            #expect(try await post(app, nora, "/console/api/skill-groups", ["name": "Mine"]).status == .forbidden)
            let listed = try await console.call(app, .get, "/console/api/agents", cookie: nora.cookie)
            #expect((listed.json["agents"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["nora@acme.example"], "it lists only its groups' agents")
            #expect(try await app.store.deskDirectory() == before)
        }
    }

    @Test func aCSVAddsTheGoodRowsReportsTheBadOnesAndRefusesAFileThatIsNotOne() async throws {
        try await AppHarness.run { app throws in
            let admin = try await signIn(app)
            let csv = """
                AgentId,Nickname,StaffNo,Role,SkillGroups,Password\r
                ana@acme.example,Ana,3001,agent,1:2,\r
                lena@acme.example,Lena again,,agent,1,\r
                bo@acme.example,Bo,3002,agent,7:3,\r
                cy@acme.example,Cy,3003,wizard,1,\r
                dee@acme.example,"Dee, the second",3004,,1:5;,\r

                """
            let report = try await post(app, admin, "/console/api/agents/import", ["csv": csv])
            #expect(report.status == .ok)
            #expect(report.json["added"] as? Int == 2)
            let problems = try #require(report.json["problems"] as? [[String: Any]])
            #expect(problems.compactMap { $0["row"] as? Int } == [3, 4, 5], "each refused row by its line, the header being line 1")
            let errors = problems.compactMap { $0["error"] as? String }
            #expect(errors.count == 3 && errors[0].contains("already") && errors[1].contains("unknown skill group 7") && errors[2].contains("wizard"))
            let directory = try #require(try await app.store.deskDirectory())
            #expect(directory.agent("ana@acme.example")?.skillGroups == [.init(id: 1, priority: 2)])
            #expect(directory.agent("dee@acme.example")?.nickname == "Dee, the second")
            #expect(directory.agent("bo@acme.example") == nil && directory.agent("cy@acme.example") == nil, "no refused row is half added")
            #expect(directory.agent("lena@acme.example")?.nickname == "Lena", "an existing agent is not overwritten")
            #expect(try await app.store.auditTrail(limit: 1).first?.action == "import_agents")

            let notCSV = try await post(app, admin, "/console/api/agents/import", ["csv": "{\"agents\": [1, 2]}"])
            #expect(notCSV.status == .badRequest)
            #expect((notCSV.json["error"] as? String).map { $0.contains("AgentId,Nickname") || $0.contains("not CSV") } == true, "\(notCSV.json)")
            #expect(try await app.store.deskDirectory() == directory, "a refused file adds nothing")
            let template = try await app.client.execute(uri: "/console/api/agents/template", method: .get, headers: [.cookie: admin.cookie]) { String(buffer: $0.body) }
            #expect(template.hasPrefix("\"AgentId\",\"Nickname\",\"StaffNo\",\"Role\",\"SkillGroups\",\"Password\""))
        }
    }
}
