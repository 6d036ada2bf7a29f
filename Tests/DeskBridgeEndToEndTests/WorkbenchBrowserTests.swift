import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The workbench in a real browser (headless Chromium over WebDriver) against `deskbridge serve`:
/// two agents work one conversation from offer to end, through a dropped stream and a hostile
/// message. Each step leaves a screenshot in `.build/browser-screenshots/`.
@Suite("The workbench in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct WorkbenchBrowserTests {
    static let screenshots = ServiceProcess.packageRoot.appendingPathComponent(".build/browser-screenshots")
    let lena = "lena@acme.example"
    let omar = "omar@acme.example"

    /// Signs in with a UserSig, or with the password when one is given (Omar has a password account).
    func signIn(_ browser: WebDriver.Browser, _ base: String, as agent: String, password: String? = nil) async throws {
        try await browser.go(base + "/workbench")
        try await browser.type("[data-test=agent-id]", agent)
        if let password {
            try await browser.type("[data-test=password]", password)
        } else {
            let sig = UserSig.generate(identifier: agent, sdkAppId: Wire.sdkAppId, secretKey: Wire.deskSecret,
                                       issuedAt: Int64(Date().timeIntervalSince1970), expireSeconds: 3_600)
            try await browser.type("[data-test=user-sig]", sig)
        }
        try await browser.click("[data-test=sign-in-button]")
        #expect(try await eventually(timeout: .seconds(15)) { try await browser.run("return document.getElementById('connection').dataset.state") as? String == "live" },
                "\(agent) is signed in and the live stream is open")
    }

    func transcript(_ browser: WebDriver.Browser) async throws -> [String] { try await browser.texts("[data-test=message-text]") }

    @Test func twoAgentsWorkAConversationFromOfferToEnd() async throws {
        try await Deployment.with(omarStatus: "Available", reception: "{ automatic: false, acceptTimeoutSeconds: 300 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            // The pages go through nginx with the shipped location block, as deployed.
            var nginx = try await NginxProcess(upstreams: [service.port])
            defer { nginx.stop() }
            let base = nginx.baseURL
            let google = deployment.google
            let driver = try await WebDriver()
            defer { driver.stop() }
            let a = try await driver.session()
            let b = try await driver.session(width: 390, height: 844)
            let shots = Self.screenshots
            func shoot(_ name: String) async throws {
                try await a.screenshot(to: shots.appendingPathComponent("\(name)-lena.png"))
                try await b.screenshot(to: shots.appendingPathComponent("\(name)-omar.png"))
            }

            try await signIn(a, base, as: lena)
            try await signIn(b, base, as: omar, password: Wire.omarPassword)
            try await shoot("01-signed-in")

            // A user asks for a person: the offer shows in Lena's page, with its countdown.
            let conversation = "conv-workbench"
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: conversation)).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("human", conversation: conversation)).status == 200)
            #expect(try await eventually(timeout: .seconds(15)) { try await a.count("[data-test=offer]") == 1 }, "the offer reaches Lena's page")
            #expect(try await b.count("[data-test=offer]") == 0, "and only hers")
            try await shoot("02-offer")

            // Accept → REPRESENTATIVE_JOINED, and the whole transcript, the bot part included.
            try await a.click("[data-test=accept]")
            #expect(await google.waitForCalls(4))
            #expect(try await eventually { google.calls.contains { $0.line == "JOINED Lena" } })
            #expect(try await eventually {
                let shown = try await transcript(a)
                return shown.contains("Hello Rosa!") && shown.contains("human")
            })

            // A reply from the composer is a HUMAN message with Lena's name, and shows as delivered.
            #expect(try await eventually { try await a.run("return document.getElementById('message').disabled") as? Bool == false })
            try await a.type("[data-test=composer-text]", "Hi, I am Lena")
            try await a.click("[data-test=send]")
            #expect(try await eventually { google.calls.contains { $0.line == "HUMAN Lena: Hi, I am Lena" } })
            #expect(try await eventually { try await a.texts("[data-test=delivery]").last == "delivered" })
            try await shoot("03-accepted-and-replied")

            // `#` opens the quick replies; the search narrows them; Enter inserts one, Send sends it.
            try await a.type("[data-test=composer-text]", "#open")
            #expect(try await eventually { try await a.texts("[data-test=quick-reply]").map { $0.hasSuffix("We are open 9 to 18, Monday to Friday.") } == [true] })
            try await shoot("04-quick-replies")
            try await a.type("[data-test=composer-text]", "\u{E007}")
            #expect(try await a.run("return document.getElementById('message').value") as? String == "We are open 9 to 18, Monday to Friday.")
            try await a.click("[data-test=send]")
            #expect(try await eventually { google.calls.contains { $0.line == "HUMAN Lena: We are open 9 to 18, Monday to Friday." } })

            // Hostile user text is shown as text: no element is made from it.
            let hostile = "<img src=x onerror=alert(1)>"
            #expect(try await HTTP.webhook(service.baseURL, Wire.text(hostile, conversation: conversation)).status == 200)
            #expect(try await eventually { try await transcript(a).contains(hostile) })
            #expect(try await a.count("#transcript img") == 0)
            // Lena has the user's message on screen: its READ receipt goes to Google, once.
            #expect(try await eventually { google.requests.contains { $0.method == "PATCH" && $0.path.hasSuffix("/receipt") } })
            let receipts = google.requests.filter { $0.method == "PATCH" }
            #expect(receipts.allSatisfy { $0.json?["receiptType"] as? String == "READ" && $0.path.hasPrefix("/v1/conversations/conv-workbench/messages/") })
            #expect(Set(receipts.map(\.path)).count == receipts.count, "one receipt per message")
            try await shoot("05-hostile-text")

            // The stream is cut mid-conversation (the proxy goes away); messages sent meanwhile
            // all show once it is back, none twice.
            let port = nginx.port
            nginx.stop()
            #expect(try await eventually { try await a.run("return document.getElementById('connection').dataset.state") as? String == "down" },
                    "the page says it is disconnected")
            try await shoot("06-disconnected")
            for text in ["sent while you were away 1", "sent while you were away 2"] {
                #expect(try await HTTP.webhook(service.baseURL, Wire.text(text, conversation: conversation)).status == 200)
            }
            nginx = try await NginxProcess(upstreams: [service.port], port: port)
            #expect(try await eventually(timeout: .seconds(30)) {
                let shown = try await transcript(a)
                return shown.contains("sent while you were away 1") && shown.contains("sent while you were away 2")
            }, "the page reconnects by itself and shows what it missed")
            #expect(try await a.run("return document.getElementById('connection').dataset.state") as? String == "live")
            let keys = try await a.run("return Array.from(document.querySelectorAll('[data-test=message]')).map(e => e.dataset.key)") as? [String] ?? []
            #expect(!keys.isEmpty && Set(keys).count == keys.count, "no message shows twice")
            try await shoot("07-reconnected")

            // Transfer to Omar: his page gets the offer; Lena's composer is disabled.
            _ = try await a.run("document.getElementById('transfer-target').value = arguments[0]", ["agent:\(omar)"])
            try await a.click("[data-test=transfer-button]")
            try await a.acceptAlert()
            #expect(try await eventually { try await b.count("[data-test=offer]") == 1 }, "the session reaches Omar's page")
            #expect(try await eventually { try await a.run("return document.getElementById('message').disabled") as? Bool == true })
            try await b.click("[data-test=accept]")
            #expect(try await eventually { google.calls.contains { $0.line == "JOINED Omar" } })
            #expect(try await eventually { try await b.run("return document.getElementById('end').disabled") as? Bool == false })
            try await shoot("08-transferred")

            // Omar invites a rating: the rating card reaches the user.
            try await b.click("[data-test=invite-rating]")
            #expect(try await eventually { google.calls.contains { $0.line == "BOT: How would you rate this chat?" } })

            // Omar ends: REPRESENTATIVE_LEFT.
            try await b.click("[data-test=end]")
            #expect(try await eventually { google.calls.contains { $0.line == "LEFT Omar" } })
            try await shoot("09-ended")
            await a.close()
            await b.close()
        }
    }
}
