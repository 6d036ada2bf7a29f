import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The website channel in a real browser: a shop's page on another site (127.0.0.2) embeds the
/// chat with one script tag; the visitor talks to the bot and to an agent in the workbench,
/// through the same pipeline as Google's. Screenshots in `.build/browser-screenshots/`.
@Suite("The website channel in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct WebChannelBrowserTests {
    static let screenshots = ServiceProcess.packageRoot.appendingPathComponent(".build/browser-screenshots")
    let lena = "lena@acme.example"

    /// Welcome → menu → an order number asked in a form → back to the menu → a person.
    static let orderFlow = """
        flows:
          default: main
          main:
            start: welcome
            nodes:
              welcome: { type: message, text: "Hello ${UserName}!", next: menu }
              menu:
                type: branch
                header: "How can we help?"
                items:
                  - { content: "Track an order", next: askOrder }
                  - { content: "Talk to a person", next: human }
              askOrder: { type: collect, header: "Your order number?", variable: orderNo, next: noted }
              noted: { type: message, text: "Order ${orderNo} is on its way.", next: menu }
              human: { type: transfer, skillGroup: 1, next: done }
              done: { type: end }
        """

    /// A real 24×24 PNG (a green square), so the screenshot shows it.
    static let picture = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAH0lEQVR4nGPQWBBAFcQwatCoQaMGjRo0atCoQQNvEADzHXYfpkiR5gAAAABJRU5ErkJggg==")!

    func live(_ browser: WebDriver.Browser) async throws -> Bool {
        try await eventually(timeout: .seconds(15)) { try await browser.run("return document.getElementById('connection').dataset.state") as? String == "live" }
    }

    func ids(_ browser: WebDriver.Browser) async throws -> [String] {
        try await browser.run("return Array.from(document.querySelectorAll('#timeline > li')).map(e => e.dataset.id)") as? [String] ?? []
    }

    func click(_ browser: WebDriver.Browser, last css: String, text: String) async throws {
        _ = try await browser.run("Array.from(document.querySelectorAll(arguments[0])).filter(b => b.textContent === arguments[1]).pop().click()", [css, text])
    }

    @Test func aVisitorOnAnotherSiteIsServedByTheBotAndAnAgentAndRatesTheChat() async throws {
        let hostPort = try FreePort.pick()
        let hostOrigin = "http://127.0.0.2:\(hostPort)"
        try await Deployment.with(reception: "{ automatic: false, acceptTimeoutSeconds: 300 }", webOrigins: [hostOrigin], flows: { _ in Self.orderFlow }) { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }

            // The business's own page, on another origin, with DeskBridge's embed script.
            let host = try await HostPage(html: """
                <!doctype html><html><head><title>Acme shop</title></head><body><h1>Acme shop</h1>
                <script src="\(service.baseURL)/web/im/imPublish.js?webAppId=shop-web"></script></body></html>
                """, in: deployment.directory.appendingPathComponent("shop"), port: hostPort)
            defer { host.stop() }

            let driver = try await WebDriver()
            defer { driver.stop() }
            let visitor = try await driver.session(width: 390, height: 844)
            let agent = try await driver.session()
            defer { Task { await visitor.close(); await agent.close() } }
            func shoot(_ name: String) async throws {
                try await visitor.screenshot(to: Self.screenshots.appendingPathComponent("web-\(name).png"))
            }
            try await WorkbenchBrowserTests().signIn(agent, service.baseURL, as: lena)

            try await visitor.go(host.url)
            #expect(try await eventually { try await visitor.count("[data-deskbridge=chat-button]") == 1 }, "the embed script adds its button")
            try await visitor.click("[data-deskbridge=chat-button]")
            try await visitor.enterFrame("[data-deskbridge=chat-frame]")
            #expect(try await live(visitor))
            #expect(try await visitor.texts("[data-test=title]") == ["Chat with Acme"])
            try await shoot("01-opened")

            // The bot answers with the flow's welcome, and its menu (src 15) as buttons.
            try await visitor.type("[data-test=text]", "hi")
            try await visitor.click("[data-test=send]")
            #expect(try await eventually { try await visitor.texts("[data-test=choice]") == ["Track an order", "Talk to a person"] })
            #expect(try await visitor.texts("[data-test=message-text]").contains("Hello Visitor!"))
            #expect(try await visitor.texts("[data-test=sender]").first == "Acme web", "the channel's bot speaks")
            try await shoot("02-menu")

            // A tap sends the choice as its text; the order number is asked in a form (src 21).
            try await click(visitor, last: "[data-test=choice]", text: "Track an order")
            #expect(try await eventually { try await visitor.count("[data-test=form-answer]") == 1 })
            try await visitor.type("[data-test=form-answer]", "A-7781")
            try await shoot("03-form")
            try await visitor.click("[data-test=form-submit]")
            #expect(try await eventually { try await visitor.texts("[data-test=message-text]").contains("Order A-7781 is on its way.") })

            // Back at the menu the visitor asks for a person; Lena accepts in her workbench.
            #expect(try await eventually { try await visitor.count("[data-test=choice]") == 4 })
            try await click(visitor, last: "[data-test=choice]", text: "Talk to a person")
            #expect(try await eventually(timeout: .seconds(15)) { try await agent.count("[data-test=offer]") == 1 }, "the offer reaches Lena's workbench")
            try await agent.click("[data-test=accept]")
            #expect(try await eventually { try await visitor.texts("[data-test=system-line]").contains("Lena joined the chat") })
            #expect(try await eventually { try await agent.texts("[data-test=message-text]").contains("A-7781") }, "Lena sees the bot part too")

            // Lena's reply (hostile text stays text) shows under her name; the visitor's page
            // says it was shown and seen, and Lena's workbench shows it read.
            // Typing shows both ways: the visitor's in Lena's workbench, Lena's on the visitor's page.
            try await visitor.type("[data-test=text]", "one moment")
            #expect(try await eventually { try await agent.texts("[data-test=user-typing]") == ["Visitor is typing…"] })
            _ = try await visitor.run("document.getElementById('text').value = ''")
            let hostile = "Hi, I am Lena <img src=x onerror=alert(1)>"
            #expect(try await eventually { try await agent.run("return document.getElementById('message').disabled") as? Bool == false })
            try await agent.type("[data-test=composer-text]", hostile)
            #expect(try await eventually { try await visitor.texts("[data-test=typing]") == ["Lena is typing…"] })
            try await agent.click("[data-test=send]")
            #expect(try await eventually { try await visitor.texts("[data-test=message-text]").contains(hostile) })
            #expect(try await visitor.texts("[data-test=sender]").contains("Lena"))
            #expect(try await visitor.count("#timeline img[src='x']") == 0, "no element is made from the agent's text")
            #expect(try await eventually(timeout: .seconds(15)) { try await agent.texts("[data-test=delivery]").last == "read" }, "the visitor's READ receipt reaches the workbench")

            // The visitor sends a picture: uploaded, kept, and shown on both sides.
            let picture = deployment.directory.appendingPathComponent("receipt.png")
            try Self.picture.write(to: picture)
            try await visitor.type("[data-test=picture-input]", picture.path)
            #expect(try await eventually { try await visitor.count("[data-test=visitor-picture]") == 1 })
            let pictureURL = try await visitor.run("return document.querySelector('[data-test=visitor-picture]').src") as? String ?? ""
            #expect(pictureURL.hasPrefix(service.baseURL + "/web/im/files/"))
            #expect(try await eventually { try await agent.texts("[data-test=message-text]").contains { $0.contains(pictureURL) } }, "Lena gets it as the visitor's picture")
            #expect(try await eventually { try await agent.run("return document.querySelector('#transcript img[data-test=picture]')?.naturalWidth") as? Int == 24 },
                    "and sees it inline")
            try await shoot("04-agent")

            // Lena ends the session: she leaves, and the rating card (src 9) shows as stars.
            try await agent.click("[data-test=end]")
            #expect(try await eventually { try await visitor.texts("[data-test=system-line]").contains("Lena left the chat") })
            #expect(try await eventually { try await visitor.count("[data-test=rating-option]") == 5 })
            _ = try await visitor.run("document.querySelectorAll('[data-test=rating-option]')[4].click()")
            #expect(try await eventually { try await visitor.texts("[data-test=rated]") == ["Rated: ★★★★★"] }, "the src 10 shows as the visitor's answer")
            let business = deployment.business
            #expect(try await eventually { business.requests.contains { $0.json?["Event"] as? String == "Satisfaction.Submitted" && $0.json?["SatisfactionSelected"] as? Int == 5 } })
            try await shoot("05-rated")

            // A reload shows the whole history once, in the same order.
            let before = try await ids(visitor)
            try await visitor.leaveFrame()
            try await visitor.go(host.url)
            try await visitor.click("[data-deskbridge=chat-button]")
            try await visitor.enterFrame("[data-deskbridge=chat-frame]")
            #expect(try await eventually { try await ids(visitor) == before })
            #expect(Set(before).count == before.count && before.count >= 12)
            try await shoot("06-reloaded")

            // Nothing of it went to the Google API; the business server heard a WEB session.
            let visitorId = try #require(try await visitor.run("return localStorage.getItem('deskbridge.visitor.shop-web')") as? String)
            let user = ClientUserID.derive(agent: "web/shop-web", conversationId: visitorId).rawValue
            #expect(deployment.google.requests.allSatisfy { !$0.path.contains(visitorId) })
            #expect(business.requests.filter { $0.json?["ClientUserId"] as? String == user }.allSatisfy { $0.json?["ChannelType"] as? String == "WEB" })
            try await visitor.leaveFrame()
        }
    }

    /// The page's connection is cut (the proxy goes away) while Lena sends three messages; when
    /// it is back the visitor sees all three, in order, once.
    @Test func messagesSentWhileThePageWasCutOffAllShowOnceItIsBack() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            var nginx = try await NginxProcess(upstreams: [service.port])
            defer { nginx.stop() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let visitor = try await driver.session(width: 390, height: 844)
            defer { Task { await visitor.close() } }
            try await visitor.go(nginx.baseURL + "/web/im/chat/?webAppId=shop-web")
            #expect(try await live(visitor))
            try await visitor.type("[data-test=text]", "hi")
            try await visitor.click("[data-test=send]")
            #expect(try await eventually { try await visitor.count("[data-test=ask-person]:not([hidden])") == 1 })
            try await visitor.click("[data-test=ask-person]")
            #expect(try await eventually { try await visitor.texts("[data-test=system-line]").contains("Lena joined the chat") })

            let port = nginx.port
            nginx.stop()
            #expect(try await eventually { try await visitor.run("return document.getElementById('connection').dataset.state") as? String == "down" })
            let visitorId = try #require(try await visitor.run("return localStorage.getItem('deskbridge.visitor.shop-web')") as? String)
            let user = ClientUserID.derive(agent: "web/shop-web", conversationId: visitorId).rawValue
            let texts = ["while you were away 1", "while you were away 2", "while you were away 3"]
            for (index, text) in texts.enumerated() {
                let sent = try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: lena, ["To_Account": user, "MsgRandom": index + 1, "MsgBody": Wire.textBody(text)])
                #expect(sent["ErrorCode"] as? Int == 0)
            }
            try await visitor.screenshot(to: Self.screenshots.appendingPathComponent("web-07-cut-off.png"))
            nginx = try await NginxProcess(upstreams: [service.port], port: port)
            #expect(try await eventually(timeout: .seconds(30)) { try await visitor.texts("[data-test=message-text]").filter { $0.hasPrefix("while you were away") } == texts },
                    "all three, in order, once")
            #expect(try await visitor.run("return document.getElementById('connection').dataset.state") as? String == "live")
            let shown = try await ids(visitor)
            #expect(Set(shown).count == shown.count)
            try await visitor.screenshot(to: Self.screenshots.appendingPathComponent("web-08-back.png"))
        }
    }

    /// A user the business signed continues on a second browser; a bad HMAC sees nothing.
    @Test func aSignedUserContinuesOnASecondBrowserAndABadHMACSeesNothing() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let user = "customer-4711"
            let hash = VisitorIdentity.hash(userId: user, secret: Wire.webIdentitySecret)
            let page = service.baseURL + "/web/im/chat/?webAppId=shop-web#userId=\(user)&userHash="
            let phone = try await driver.session(width: 390, height: 844)
            try await phone.go(page + hash)
            #expect(try await live(phone))
            try await phone.type("[data-test=text]", "sent from my phone")
            try await phone.click("[data-test=send]")
            #expect(try await eventually { try await phone.texts("[data-test=message-text]").contains("Hello customer-4711!") })
            let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
            try await phone.type("[data-test=text]", hostile)
            try await phone.click("[data-test=send]")
            #expect(try await eventually { try await phone.texts("[data-test=visitor-message]").contains(hostile) }, "the visitor's own script is text")
            #expect(try await phone.count("#timeline img, #timeline script") == 0)
            await phone.close()

            let laptop = try await driver.session()
            try await laptop.go(page + hash)
            #expect(try await eventually { try await laptop.texts("[data-test=visitor-message]").contains("sent from my phone") }, "the same conversation on another device")
            try await laptop.screenshot(to: Self.screenshots.appendingPathComponent("web-09-second-device.png"))
            await laptop.close()

            let intruder = try await driver.session()
            defer { Task { await intruder.close() } }
            try await intruder.go(page + VisitorIdentity.hash(userId: user, secret: "a-guess-at-the-secret"))
            #expect(try await eventually { (try await intruder.texts("[data-test=error]").first ?? "").contains("userHash") })
            #expect(try await intruder.count("#timeline > li") == 0, "a bad HMAC sees nothing")

            // A site that is not in allowedOrigins cannot frame the chat: the frame stays empty.
            let other = try await HostPage(html: """
                <!doctype html><html><body><script src="\(service.baseURL)/web/im/imPublish.js?webAppId=shop-web"></script></body></html>
                """, in: deployment.directory.appendingPathComponent("elsewhere"))
            defer { other.stop() }
            try await intruder.go(other.url)
            #expect(try await eventually { try await intruder.count("[data-deskbridge=chat-button]") == 1 })
            try await intruder.click("[data-deskbridge=chat-button]")
            try await intruder.enterFrame("[data-deskbridge=chat-frame]")
            #expect(try await eventually { try await intruder.run("return document.readyState") as? String == "complete" })
            #expect(try await intruder.count("[data-test=timeline]") == 0, "frame-ancestors keeps the chat out of a site not allowed")
            try await intruder.leaveFrame()
        }
    }

    /// Proactive contact: a visitor who was served before has the chat open; Lena sees them in
    /// her workbench, starts a chat, and the visitor sees her join and her message.
    @Test func anAgentStartsAChatWithAVisitorWhoHasThePageOpen() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let driver = try await WebDriver()
            defer { driver.stop() }
            let visitor = try await driver.session(width: 390, height: 844)
            let agent = try await driver.session()
            defer { Task { await visitor.close(); await agent.close() } }
            try await visitor.go(service.baseURL + "/web/im/chat/?webAppId=shop-web")
            #expect(try await live(visitor))
            try await visitor.type("[data-test=text]", "hi")
            try await visitor.click("[data-test=send]")
            #expect(try await eventually { try await visitor.texts("[data-test=choice]").contains("Opening hours") })
            try await click(visitor, last: "[data-test=choice]", text: "Opening hours")
            #expect(try await eventually { try await visitor.texts("[data-test=message-text]").contains("We are open 9 to 18.") }, "and the flow ends the session")

            try await WorkbenchBrowserTests().signIn(agent, service.baseURL, as: lena)
            #expect(try await eventually {
                try await agent.click("[data-test=visitors-refresh]")
                return try await agent.texts("[data-test=visitor]").contains { $0.contains("on the page now") }
            }, "Lena sees the visitor with the chat open")
            try await agent.click("[data-test=contact]")
            #expect(try await eventually { try await agent.run("return document.getElementById('message').disabled") as? Bool == false }, "she holds the new session")
            try await agent.type("[data-test=composer-text]", "Hello again! Can I help with anything else?")
            try await agent.click("[data-test=send]")
            #expect(try await eventually { try await visitor.texts("[data-test=system-line]").contains("Lena joined the chat") })
            #expect(try await eventually { try await visitor.texts("[data-test=message-text]").contains("Hello again! Can I help with anything else?") })
            #expect(try await visitor.count("[data-test=end]:not([hidden])") == 1, "the visitor may end it")
            try await agent.screenshot(to: Self.screenshots.appendingPathComponent("web-10-proactive-agent.png"))
            try await visitor.screenshot(to: Self.screenshots.appendingPathComponent("web-10-proactive-visitor.png"))
        }
    }
}

