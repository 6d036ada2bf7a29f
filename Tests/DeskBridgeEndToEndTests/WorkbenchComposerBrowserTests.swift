import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The rest of an agent's shift in a real browser: a status with a rest reason, a card and a
/// menu from the composer, a third-party extension (on another site) that sends a card into the
/// session with the seed's `ccc-sdk` message, and a search of the agent's own records.
@Suite("The workbench's composer, extensions and records in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct WorkbenchComposerBrowserTests {
    let lena = "lena@acme.example"

    /// The business's page in the workbench: it shows the user it was given and sends a card.
    static let extensionPage = """
        <!doctype html><meta charset="utf-8"><title>Orders</title>
        <p>Orders of <span id="user"></span></p>
        <button id="send-card" type="button">Send the order card</button>
        <p id="answer"></p>
        <script>
          document.getElementById("user").textContent = new URLSearchParams(location.search).get("userId") || "nobody";
          document.getElementById("send-card").addEventListener("click", () => window.parent.postMessage({source: "ccc-sdk",
            payload: {event: "sendCard", message: {header: "Order 1042", desc: "Two mugs, shipped", pic: "https://cdn.example/mug.png", url: "https://shop.example/o/1042"}}}, "*"));
          window.addEventListener("message", (e) => { if (e.data && e.data.source === "ccc-sdk") document.getElementById("answer").textContent = e.data.payload.status; });
        </script>
        """

    @Test func anAgentSendsACardAMenuAndAnExtensionsCardAndFindsTheSessionInItsRecords() async throws {
        let port = try FreePort.pick()
        let extensionURL = "http://127.0.0.2:\(port)/index.html"
        try await Deployment.with(extensions: ["{ name: Orders, url: \"\(extensionURL)\" }"]) { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let host = try await HostPage(html: Self.extensionPage, in: deployment.directory.appendingPathComponent("extension"), port: port)
            defer { host.stop() }
            let google = deployment.google
            let driver = try await WebDriver()
            defer { driver.stop() }
            let page = try await driver.session()
            let shots = WorkbenchBrowserTests.screenshots
            try await WorkbenchBrowserTests().signIn(page, service.baseURL, as: lena)
            #expect(try await page.run("return document.querySelector('[data-test=extension]').hidden") as? Bool == true,
                    "an extension not always visible waits for a session")

            // A short break for a meal, then back to work.
            _ = try await page.run("const s = document.getElementById('status'); s.value = 'rest:Meal'; s.dispatchEvent(new Event('change'))")
            let me = "return fetch('/workbench/api/me').then(r => r.json()).then(m => m.status + ' ' + m.restReason)"
            #expect(try await eventually { try await page.run(me) as? String == "Rest Meal" }, "the desk keeps the reason")
            let busy = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/set_agent_status", as: "administrator", ["AgentId": lena, "Status": "Busy"])
            #expect(busy["ErrorCode"] as? Int == 0)
            #expect(try await eventually { try await page.run("return document.getElementById('status').value") as? String == "busy" },
                    "the page follows a change made elsewhere")
            _ = try await page.run("const s = document.getElementById('status'); s.value = 'free'; s.dispatchEvent(new Event('change'))")

            let conversation = "conv-composer"
            for text in ["hi", "human"] { #expect(try await HTTP.webhook(service.baseURL, Wire.text(text, conversation: conversation)).status == 200) }
            #expect(try await eventually(timeout: .seconds(15)) { try await page.count("[data-test=session]") == 1 })
            try await page.click("[data-test=session] button")
            #expect(try await eventually { try await page.run("return document.getElementById('compose-kind').disabled") as? Bool == false })

            // A card, then a menu, from the composer.
            _ = try await page.run("const k = document.getElementById('compose-kind'); k.value = 'card'; k.dispatchEvent(new Event('change'))")
            try await page.type("[data-test=card-header]", "Your parcel")
            try await page.type("[data-test=card-desc]", "Arrives Friday")
            try await page.type("[data-test=card-url]", "https://shop.example/track")
            try await page.click("[data-test=send]")
            #expect(try await eventually { google.calls.contains { "\($0.json?["richCard"] ?? "")".contains("Your parcel") } })
            _ = try await page.run("const k = document.getElementById('compose-kind'); k.value = 'menu'; k.dispatchEvent(new Event('change'))")
            try await page.type("[data-test=menu-header]", "Anything else?")
            try await page.type("[data-test=menu-items]", "Track it\nReturn it")
            try await page.click("[data-test=send]")
            #expect(try await eventually { google.calls.contains { "\($0.json?["suggestions"] ?? "")".contains("Return it") } })
            #expect(try await eventually { try await page.texts("[data-test=message-text]").contains("Anything else?\n[Track it] [Return it]") },
                    "the transcript shows the menu's choices")
            try await page.screenshot(to: shots.appendingPathComponent("20-composer-card-and-menu.png"))

            // The extension shows beside the session, knows the user, and sends its card in.
            #expect(try await eventually { try await page.run("return document.querySelector('[data-test=extension]').hidden") as? Bool == false })
            try await page.enterFrame("[data-test=extension-frame]")
            #expect(try await eventually { try await page.texts("#user") == [Wire.clientUserId(conversation)] })
            try await page.click("#send-card")
            #expect(try await eventually { try await page.texts("#answer") == ["success"] }, "the workbench answers the extension")
            try await page.leaveFrame()
            #expect(try await eventually { google.calls.contains { "\($0.json?["richCard"] ?? "")".contains("Order 1042") } })
            #expect(google.calls.filter { "\($0.json?["richCard"] ?? "")".contains("Order 1042") }.allSatisfy {
                ($0.json?["representative"] as? [String: Any])?["displayName"] as? String == "Lena"
            }, "sent as Lena, a HUMAN message")
            try await page.screenshot(to: shots.appendingPathComponent("21-extension-sent-a-card.png"))

            // Ended, the session is in Lena's own records, found by a word of the conversation.
            try await page.click("[data-test=end]")
            #expect(try await eventually { google.calls.contains { $0.line == "LEFT Lena" } })
            _ = try await page.run("document.getElementById('records-panel').open = true")
            try await page.type("[data-test=records-q]", "human")
            try await page.click("[data-test=records-search]")
            #expect(try await eventually { try await page.count("[data-test=record]") == 1 })
            try await page.click("[data-test=record] button")
            #expect(try await eventually { try await page.texts("[data-test=message-text]").contains { $0.contains("Your parcel") } })
            try await page.screenshot(to: shots.appendingPathComponent("22-own-records.png"))
            await page.close()
        }
    }
}
