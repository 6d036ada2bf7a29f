import DeskBridgeCore
import DeskBridgeTestSupport
import Foundation
import Testing

/// The agent Web SDK as the seed's integration describes it: the business server asks for an
/// SdkURL, its own page (another site, 127.0.0.2, third-party cookies blocked) loads it with a
/// `crossorigin="anonymous"` script tag, and the agent works through `window.tccc`.
@Suite("The agent Web SDK in a real browser", .serialized, .enabled(if: WebDriver.isAvailable))
struct AgentSDKBrowserTests {
    let lena = "lena@acme.example"

    @Test func aBusinessPageOnAnotherSiteWorksASessionThroughTccc() async throws {
        try await Deployment.with(reception: "{ automatic: false, acceptTimeoutSeconds: 300 }") { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let minted = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/create_sdk_login_token", as: "administrator", ["UserId": lena])
            #expect(minted["ErrorCode"] as? Int == 0)
            let sdkURL = try #require(minted["SdkURL"] as? String)
            #expect(sdkURL.hasPrefix(service.baseURL + "/workbench/sdk/"))
            let refused = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/create_sdk_login_token", as: lena, ["UserId": lena])
            #expect(refused["ErrorCode"] as? Int == 120005, "only the admin mints SDK logins")

            let host = try await HostPage(html: """
                <!doctype html><html><head><title>CRM</title></head><body><h1>Acme CRM</h1>
                <script>window.seen = []; window.sdkReady = false;</script>
                <script crossorigin="anonymous" src="\(sdkURL)" onload="
                  tccc.on(tccc.events.ready, () => { window.sdkReady = true; });
                  for (const e of ['callIn', 'userAccessed', 'sessionEnded', 'transfer', 'statusChanged']) tccc.on(e, (p) => window.seen.push([e, p]));
                "></script></body></html>
                """, in: deployment.directory.appendingPathComponent("crm"))
            defer { host.stop() }

            let driver = try await WebDriver()
            defer { driver.stop() }
            let page = try await driver.session(blockThirdPartyCookies: true)
            try await page.go(host.url)
            #expect(try await eventually { try await page.run("return window.sdkReady") as? Bool == true },
                    "ready reaches a listener registered in the script's onload")
            #expect(try await page.run("return tccc.Agent.getStatus()") as? String == "free", "getStatus answers at once")

            // An offer arrives as callIn; accepting it through the SDK sends REPRESENTATIVE_JOINED.
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "conv-sdk")).status == 200)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("human", conversation: "conv-sdk")).status == 200)
            #expect(try await eventually { try await page.run("return window.seen.some(e => e[0] === 'callIn')") as? Bool == true })
            let sessionId = try #require(try await page.run("return window.seen.find(e => e[0] === 'callIn')[1].sessionId") as? String)
            #expect(try await page.run("return window.seen.find(e => e[0] === 'callIn')[1].type") as? String == "im")
            let accepted = try await page.run("return tccc.Chat.accept({sessionId: arguments[0]})", [sessionId]) as? [String: Any]
            #expect(accepted?["status"] as? String == "success")
            let google = deployment.google
            #expect(try await eventually { google.calls.contains { $0.line == "JOINED Lena" } })
            #expect(try await eventually { try await page.run("return window.seen.some(e => e[0] === 'userAccessed')") as? Bool == true })

            // A call that cannot succeed answers an error, and changes nothing.
            let wrong = try await page.run("return tccc.Agent.setStatus({status: 'dancing'})") as? [String: Any]
            #expect(wrong?["status"] as? String == "error")
            let busy = try await page.run("return tccc.Agent.setStatus({status: 'Arrange'})") as? [String: Any]
            #expect(busy?["status"] as? String == "success", "the seed's spelling")
            #expect(try await eventually { try await page.run("return window.seen.some(e => e[0] === 'statusChanged' && e[1].status === 'arrange')") as? Bool == true })
            #expect(try await page.run("return tccc.Agent.getStatus()") as? String == "arrange", "wrap-up, kept as Busy with its reason")
            let nap = try await page.run("return tccc.Agent.setStatus({status: 'rest', restReason: 'Nap'})") as? [String: Any]
            #expect(nap?["status"] as? String == "error" && (nap?["errorMsg"] as? String)?.contains("Meal") == true, "not one of desk.restReasons")
            let meal = try await page.run("return tccc.Agent.setStatus({status: 'rest', restReason: 'Meal'})") as? [String: Any]
            #expect(meal?["status"] as? String == "success")
            #expect(try await page.run("return tccc.Agent.getStatus()") as? String == "rest")

            // Ending through the SDK: REPRESENTATIVE_LEFT and sessionEnded by the seat.
            let ended = try await page.run("return tccc.Chat.end({sessionId: arguments[0]})", [sessionId]) as? [String: Any]
            #expect(ended?["status"] as? String == "success")
            #expect(try await eventually { google.calls.contains { $0.line == "LEFT Lena" } })
            #expect(try await eventually {
                try await page.run("return window.seen.some(e => e[0] === 'sessionEnded' && e[1].closeBy === 'seat')") as? Bool == true
            })
            await page.close()

            // The SdkURL worked once: fetched again, it signs nobody in.
            let again = try await HTTP.get(sdkURL)
            #expect(again.headers["access-control-allow-origin"] == "*")
            #expect(again.text.contains("const DESKBRIDGE_SDK = {signIn: null, error:") && again.text.contains("expired or was already used"))
        }
    }
}
