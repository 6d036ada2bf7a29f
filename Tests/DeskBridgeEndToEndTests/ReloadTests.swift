import DeskBridgeTestSupport
import Foundation
import Testing

/// Flows without a restart: `SIGHUP` (and the admin's `reload_config`) read the file again.
/// A broken file keeps the running flows and names the problem's key path; a good one serves
/// new sessions, while a session already in a flow finishes on the version it started with.
@Suite("Reloading flows without a restart", .serialized)
struct ReloadTests {
    @Test func aBrokenReloadKeepsTheFlowsAndAGoodOneServesNewSessionsOnly() async throws {
        try await Deployment.with { deployment throws in
            let service = try await deployment.start()
            defer { service.terminate() }
            let google = deployment.google
            let original = try String(contentsOfFile: deployment.configPath, encoding: .utf8)

            // Session A starts on the first version and waits at the menu.
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "reload-a")).status == 200)
            #expect(await google.waitForCalls(2))
            #expect(google.calls[0].line == "BOT: Hello Rosa!")

            // A broken file: refused, the key path named in the log, the old flows still serve.
            let broken = original.replacingOccurrences(of: "text: \"Hello ${UserName}!\", next: menu", with: "text: \"Welcome back ${UserName}!\", next: nowhere")
            try broken.write(toFile: deployment.configPath, atomically: true, encoding: .utf8)
            service.hangUp()
            #expect(try await eventually { service.log.contains("configuration reload refused") && service.log.contains("flows.main.nodes.welcome.next") })
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "reload-b")).status == 200)
            #expect(await google.waitForCalls(4))
            #expect(google.calls[2].line == "BOT: Hello Rosa!", "the running flows stayed")

            // A good file, through the admin API this time: new sessions get it.
            let good = original.replacingOccurrences(of: "Hello ${UserName}!", with: "Welcome back ${UserName}!")
                .replacingOccurrences(of: "We are open 9 to 18.", with: "We are open 8 to 20.")
            try good.write(toFile: deployment.configPath, atomically: true, encoding: .utf8)
            let reloaded = try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/reload_config", as: "administrator", [:])
            #expect(reloaded["ErrorCode"] as? Int == 0)
            #expect(reloaded["FlowsChanged"] as? Int == 1)
            #expect(reloaded["RestartNeeded"] as? [String] == [], "only the flows changed")
            #expect(try await HTTP.desk(service.baseURL, "/v4/desk_http_svc/reload_config", as: "lena@acme.example", [:])["ErrorCode"] as? Int == 120005)
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("hi", conversation: "reload-c")).status == 200)
            #expect(await google.waitForCalls(6))
            #expect(google.calls[4].line == "BOT: Welcome back Rosa!")

            // Session A still runs on the version it started with.
            #expect(try await HTTP.webhook(service.baseURL, Wire.text("Opening hours", conversation: "reload-a")).status == 200)
            #expect(await google.waitForCalls(7))
            #expect(google.calls[6].line == "BOT: We are open 9 to 18.")
        }
    }
}
