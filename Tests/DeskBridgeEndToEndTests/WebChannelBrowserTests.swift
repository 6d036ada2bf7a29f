import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The website channel in a real browser: a shop's page on another site (127.0.0.2) embeds the
/// chat with one script tag; the visitor talks to the bot and to an agent through the same
/// pipeline as Google's. Screenshots in `.build/browser-screenshots/`.
@Suite("The website channel in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct WebChannelBrowserTests {
    static let screenshots = ServiceProcess.packageRoot.appendingPathComponent(".build/browser-screenshots")

    @Test func aVisitorOnAnotherSiteTalksToTheBotAndToAnAgent() async throws {
        let hostPort = try FreePort.pick()
        let hostOrigin = "http://127.0.0.2:\(hostPort)"
        try await Deployment.with(webOrigins: [hostOrigin]) { deployment throws in
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
            defer { Task { await visitor.close() } }
            func shoot(_ name: String) async throws { try await visitor.screenshot(to: Self.screenshots.appendingPathComponent("web-\(name).png")) }
            try await visitor.go(host.url)
            #expect(try await eventually { try await visitor.count("[data-deskbridge=chat-button]") == 1 }, "the embed script adds its button")
            try await visitor.click("[data-deskbridge=chat-button]")
            try await shoot("01-opened")
            try await visitor.enterFrame("[data-deskbridge=chat-frame]")
            #expect(try await eventually { try await visitor.run("return document.getElementById('connection').dataset.state") as? String == "live" })
            #expect(try await visitor.texts("[data-test=title]") == ["Chat with Acme"])

            // The bot answers with the flow's welcome and its menu as buttons.
            try await visitor.type("[data-test=text]", "hi")
            try await visitor.click("[data-test=send]")
            #expect(try await eventually { try await visitor.texts("[data-test=chip]").contains("Talk to a person") })
            #expect(try await visitor.texts("[data-test=message-text]").contains("Hello Visitor!"))
            try await shoot("02-bot")

            // A tap on the menu reaches an agent: the visitor sees Lena join.
            _ = try await visitor.run("Array.from(document.querySelectorAll('[data-test=chip]')).find(b => b.textContent === 'Talk to a person').click()")
            #expect(try await eventually { try await visitor.texts("[data-test=system-line]").contains("Lena joined the chat") })

            // Lena answers (here through the desk API): the visitor sees her name; hostile text stays text.
            let visitorId = try #require(try await visitor.run("return localStorage.getItem('deskbridge.visitor.shop-web')") as? String)
            let user = ClientUserID.derive(agent: "web/shop-web", conversationId: visitorId).rawValue
            let hostile = "Hi, I am Lena <img src=x onerror=alert(1)>"
            let sent = try await HTTP.desk(service.baseURL, "/v4/openim/sendmsg", as: "lena@acme.example",
                                           ["To_Account": user, "MsgRandom": 1, "MsgBody": Wire.textBody(hostile)])
            #expect(sent["ErrorCode"] as? Int == 0)
            #expect(try await eventually { try await visitor.texts("[data-test=message-text]").contains(hostile) })
            #expect(try await visitor.texts("[data-test=sender]").contains("Lena"))
            #expect(try await visitor.count("#timeline img[src='x']") == 0, "no element is made from the agent's text")
            try await shoot("03-agent")

            // The page sent src 7 on opening and was told (src 23) that a visitor may ask for the
            // rating: with Lena in the chat it offers that, and a click (src 24) brings the card.
            #expect(try await eventually { try await visitor.run("return document.getElementById('rate').hidden") as? Bool == false })
            try await visitor.click("[data-test=rate]")
            #expect(try await eventually { try await visitor.texts("[data-test=chip]").contains("★★★★★") })
            #expect(try await visitor.texts("[data-test=message-text]").contains("How would you rate this chat?"))

            // Nothing of it went to the Google API; the business server heard a WEB session.
            #expect(deployment.google.requests.allSatisfy { !$0.path.contains(visitorId) })
            let business = deployment.business
            #expect(try await eventually { business.requests.contains { $0.json?["Event"] as? String == "Transfer.Succeeded" } })
            #expect(business.requests.filter { $0.json?["ClientUserId"] as? String == user }.allSatisfy { $0.json?["ChannelType"] as? String == "WEB" })
            try await visitor.leaveFrame()
        }
    }
}
