import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The console in a real browser: the administrator watches a session reach an agent, forces the
/// agent offline (its workbench page is signed out at once and cannot sign in again), and resumes it.
@Suite("The console in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct ConsoleBrowserTests {
    static let screenshots = ServiceProcess.packageRoot.appendingPathComponent(".build/browser-screenshots")
    let lena = "lena@acme.example"

    func sig(_ who: String) -> String {
        UserSig.generate(identifier: who, sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret, issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
    }

    func signInToWorkbench(_ browser: WebDriver.Browser, _ base: String) async throws {
        try await browser.go(base + "/workbench")
        try await browser.type("[data-test=agent-id]", lena)
        try await browser.type("[data-test=user-sig]", sig(lena))
        try await browser.click("[data-test=sign-in-button]")
    }

    func signInToConsole(_ browser: WebDriver.Browser, _ base: String) async throws {
        try await browser.go(base + "/console")
        try await browser.type("[data-test=user-sig]", sig("administrator"))
        try await browser.click("[data-test=sign-in-button]")
    }

    @Test func theAdministratorWatchesTheDeskAndForcesAnAgentOffline() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let admin = try await driver.session()
            let agent = try await driver.session()
            let base = service.baseURL

            try await signInToConsole(admin, base)
            #expect(try await eventually { try await admin.run("return document.getElementById('connection').dataset.state") as? String == "live" })
            try await signInToWorkbench(agent, base)
            #expect(try await eventually { try await agent.run("return document.getElementById('connection').dataset.state") as? String == "live" })

            // A session reaches Lena: the console shows it with her, live.
            #expect(try await HTTP.webhook(base, Wire.text("hi", conversation: "conv-console")).status == 200)
            #expect(try await HTTP.webhook(base, Wire.text("human", conversation: "conv-console")).status == 200)
            let withAgent = "return document.querySelector('#sessions tr[data-state=Agent] td.number').textContent"
            #expect(try await eventually { try await admin.run(withAgent) as? String == "1" }, "one session with an agent")
            let lenaRow = "return document.querySelector('tr[data-agent=\"\(lena)\"]').textContent"
            #expect(try await eventually { (try await admin.run(lenaRow) as? String)?.contains("signed in") == true })
            #expect(try await admin.run("return document.querySelectorAll('#sessions-chart svg rect').length") as? Int == 4, "the chart draws the table's numbers")
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-01-monitoring.png"))

            // Force offline: her page is signed out at once, and she cannot sign in again.
            try await admin.click("tr[data-agent=\"\(lena)\"] [data-test=force-offline]")
            #expect(try await eventually { try await agent.run("return document.getElementById('workbench').hidden") as? Bool == true },
                    "the agent's open page is signed out")
            #expect(try await agent.texts("[data-test=sign-in-error]") == ["You were signed out."])
            try await signInToWorkbench(agent, base)
            #expect(try await eventually { (try await agent.texts("[data-test=sign-in-error]").first ?? "").contains("forced this agent offline") })
            #expect(try await eventually { (try await admin.run(lenaRow) as? String)?.contains("forced offline") == true })
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-02-forced-offline.png"))

            // Resume online: she can sign in again.
            try await admin.click("tr[data-agent=\"\(lena)\"] [data-test=resume]")
            #expect(try await eventually { (try await admin.run(lenaRow) as? String)?.contains("Force offline") == true })
            try await signInToWorkbench(agent, base)
            #expect(try await eventually { try await agent.run("return document.getElementById('workbench').hidden") as? Bool == false })

            // The blacklist: a blocked user is listed (its id shown as text), the audit trail has
            // every change, and unblocking empties the list.
            let spammer = ClientUserID.derive(agent: Wire.googleAgent, conversationId: "conv-spam").rawValue
            try await admin.type("[data-test=block-user]", spammer)
            try await admin.type("[data-test=block-reason]", "<b>spam</b>")
            try await admin.click("[data-test=block]")
            #expect(try await eventually { try await admin.texts("[data-test=blocked-row] td").prefix(2) == [spammer, "<b>spam</b>"] })
            #expect(try await admin.count("#blacklist b") == 0, "the reason is shown as text")
            #expect(try await eventually { try await admin.texts("[data-test=audit-row] td:nth-child(3)") == ["block_user", "resume_online", "force_offline"] })
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-03-blacklist.png"))
            #expect(try await HTTP.webhook(base, Wire.text("buy now", conversation: "conv-spam")).status == 200, "a blocked user's webhook is answered")
            try await admin.click("[data-test=unblock]")
            #expect(try await eventually { try await admin.count("[data-test=blocked-row]") == 0 })

            // Quick replies: added, edited in place, found by the search.
            try await admin.type("[data-test=reply-group]", "Returns")
            try await admin.type("[data-test=reply-text]", "Within 30 days.")
            try await admin.click("[data-test=reply-save]")
            #expect(try await eventually { try await admin.texts("[data-test=reply-row] td:nth-child(2)").contains("Within 30 days.") })
            try await admin.click("[data-test=reply-row]:last-child [data-test=reply-edit]")
            _ = try await admin.run("document.getElementById('reply-text').value = 'Within 60 days.'")
            try await admin.click("[data-test=reply-save]")
            try await admin.type("[data-test=reply-search]", "60")
            #expect(try await eventually { try await admin.texts("[data-test=reply-row] td:nth-child(2)") == ["Within 60 days."] })
            // A CSV file from the computer: one row added, the bad one reported by its number.
            let file = deployment.directory.appendingPathComponent("replies.csv")
            try "Group,Reply\r\nShipping,We ship worldwide.\r\nShipping,\r\n".write(to: file, atomically: true, encoding: .utf8)
            try await admin.type("[data-test=reply-file]", file.path)
            try await admin.click("[data-test=reply-upload]")
            #expect(try await eventually { try await admin.texts("[data-test=reply-upload-report]") == ["1 added, 1 refused:"] })
            #expect(try await admin.texts("[data-test=reply-upload-problem]").first?.hasPrefix("Row 3:") == true)

            // Desk settings: the form shows the seeded ones; a new rest reason is saved and in force.
            #expect(try await admin.run("return document.getElementById('settings-reasons').value") as? String == "Break\nMeal\nMeeting\nTraining")
            _ = try await admin.run("document.getElementById('settings-reasons').value = 'Lunch\\nTraining'")
            // A third-party page for the workbench, added with the keyboard-reachable form.
            try await admin.click("[data-test=settings-extension-add]")
            try await admin.type("[data-test=settings-extension] [name=name]", "Orders")
            _ = try await admin.run("document.querySelector('[data-test=settings-extension] [name=url]').value = 'https://crm.acme.example/orders'")
            try await admin.click("[data-test=settings-save]")
            #expect(try await eventually { try await admin.texts("[data-test=settings-message]") == ["Saved."] })
            let stored = "return fetch('/console/api/settings').then(r => r.json()).then(s => s.restReasons)"
            #expect(try await admin.run(stored) as? [String] == ["Lunch", "Training"])
            let pages = "return fetch('/console/api/settings').then(r => r.json()).then(s => s.extensions.map(e => e.name + ' ' + e.url))"
            #expect(try await admin.run(pages) as? [String] == ["Orders https://crm.acme.example/orders"])

            // Service records: a keyword finds the session, its transcript opens as text.
            try await admin.type("[data-test=records-q]", "human")
            try await admin.click("[data-test=records-search]")
            #expect(try await eventually { try await admin.count("[data-test=record-row]") == 1 })
            try await admin.click("[data-test=open-transcript]")
            #expect(try await eventually { try await admin.texts("[data-test=transcript-line] .text").contains("human") })
            #expect(try await admin.run("return document.getElementById('export-csv').getAttribute('href')") as? String == "/console/api/records?q=human&format=csv")
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-04-records.png"))

            // Data analysis: the chart's bars are the table's "Started" column.
            try await admin.click("[data-test=analyse]")
            #expect(try await eventually { try await admin.count("[data-test=analysis-row]") == 7 }, "the last seven days")
            let bars = try await admin.run("return Array.from(document.querySelectorAll('#analysis-chart rect')).map(r => r.getAttribute('data-value'))") as? [String]
            let started = try await admin.run("return Array.from(document.querySelectorAll('[data-test=analysis-row]')).map(r => r.cells[1].textContent)") as? [String]
            #expect(bars == started)
            #expect(bars?.last == "1", "today: the console conversation (the blocked user's webhook started no session)")
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-05-analysis.png"))
            await admin.close()
            await agent.close()
        }
    }

    /// Agent management in the page: a skill group and an agent added with the forms, the agent
    /// at work in the workbench with the password it was given; disabled from its row, its open
    /// page is signed out at once; a CSV of agents uploaded from the computer.
    @Test func theAdministratorAddsAndDisablesAnAgentFromThePage() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let admin = try await driver.session()
            let agent = try await driver.session()
            let base = service.baseURL
            try await signInToConsole(admin, base)
            #expect(try await eventually { try await admin.count("[data-test=group-row]") == 1 })

            try await admin.type("[data-test=group-name]", "Billing <team>")
            try await admin.click("[data-test=group-save]")
            #expect(try await eventually { try await admin.texts("[data-test=group-row] td:nth-child(2)") == ["Support", "Billing <team>"] })
            try await admin.type("[data-test=directory-id]", "nadia@acme.example")
            try await admin.type("[data-test=directory-nickname]", "Nadia")
            try await admin.type("[data-test=directory-groups]", "2:1")
            try await admin.type("[data-test=directory-password]", "correct horse battery")
            try await admin.click("[data-test=directory-save]")
            let nadiaRow = "tr[data-test=directory-row][data-agent=\"nadia@acme.example\"]"
            #expect(try await eventually { try await admin.texts("\(nadiaRow) td:nth-child(5)") == ["2:1"] })
            #expect(try await eventually { try await admin.count("tr[data-test=agent-row][data-agent=\"nadia@acme.example\"]") == 1 },
                    "the monitoring table lists her too")

            try await agent.go(base + "/workbench")
            try await agent.type("[data-test=agent-id]", "nadia@acme.example")
            try await agent.type("[data-test=password]", "correct horse battery")
            try await agent.click("[data-test=sign-in-button]")
            #expect(try await eventually { try await agent.run("return document.getElementById('connection').dataset.state") as? String == "live" })

            try await admin.click("\(nadiaRow) [data-test=directory-disable]")
            #expect(try await eventually(timeout: .seconds(1)) { try await agent.run("return document.getElementById('workbench').hidden") as? Bool == true },
                    "her open page is signed out within a second")
            #expect(try await eventually { try await admin.texts("\(nadiaRow) td:nth-child(6)") == ["disabled"] })

            let file = deployment.directory.appendingPathComponent("agents.csv")
            try "AgentId,Nickname,StaffNo,Role,SkillGroups,Password\r\nana@acme.example,Ana,3001,agent,1:2,\r\nbo@acme.example,Bo,,agent,9,\r\n"
                .write(to: file, atomically: true, encoding: .utf8)
            try await admin.type("[data-test=directory-file]", file.path)
            try await admin.click("[data-test=directory-upload]")
            #expect(try await eventually { try await admin.texts("[data-test=directory-upload-report]") == ["1 added, 1 refused:"] })
            #expect(try await admin.texts("[data-test=directory-upload-problem]").first?.hasPrefix("Row 3:") == true)
            #expect(try await admin.count("tr[data-test=directory-row][data-agent=\"ana@acme.example\"]") == 1)
            try await admin.screenshot(to: Self.screenshots.appendingPathComponent("console-07-agents.png"))
            await admin.close()
            await agent.close()
        }
    }

    /// A supervisor signs in as itself with its password: the page shows monitoring, analysis and
    /// records, and not the settings its role does not open.
    @Test func aSupervisorSeesOnlyWhatItsRoleOpens() async throws {
        try await Deployment.with(omarRole: "supervisor") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let page = try await driver.session(width: 390, height: 844)
            try await page.go(service.baseURL + "/console")
            try await page.type("[data-test=agent-id]", "omar@acme.example")
            try await page.type("[data-test=password]", Wire.omarPassword)
            try await page.click("[data-test=sign-in-button]")
            #expect(try await eventually { try await page.run("return document.getElementById('connection').dataset.state") as? String == "live" })
            #expect(try await page.texts("[data-test=who]") == ["omar@acme.example (supervisor)"])
            let shown = "return Array.from(document.querySelectorAll('[data-module]')).filter(s => !s.hidden).map(s => s.dataset.module)"
            #expect(Set(try await page.run(shown) as? [String] ?? []) == ["monitoring", "analysis", "records", "agentManagement"])
            #expect(try await page.run("return document.querySelector('[data-test=blacklist-table]').closest('section').hidden") as? Bool == true)
            try await page.screenshot(to: Self.screenshots.appendingPathComponent("console-06-supervisor-phone.png"))
        }
    }
}
