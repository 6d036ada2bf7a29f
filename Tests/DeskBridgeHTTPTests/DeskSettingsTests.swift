import DeskBridgeCore
import DeskBridgeStore
import DeskBridgeTestSupport
import Foundation
import HTTPTypes
import Testing

/// The desk settings at run time: seeded from the YAML, changed in the console, in force at once.
@Suite("Console API: desk settings")
struct DeskSettingsTests {
    let console = ConsoleAPITests()
    let workbench = WorkbenchAPITests()

    @Test func changedSettingsTakeEffectAtOnceAndABadOneChangesNothing() async throws {
        try await AppHarness.run { app throws in
            let signIn = try await console.call(app, .post, "/console/api/sign-in", body: ["userSig": console.sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            let csrf = try #require(try await console.call(app, .get, "/console/api/me", cookie: cookie).json["csrfToken"] as? String)
            let seeded = try await console.call(app, .get, "/console/api/settings", cookie: cookie).json
            #expect(seeded["restReasons"] as? [String] == ["Break", "Meal", "Meeting", "Training"], "seeded from the YAML's defaults")
            #expect((seeded["proactive"] as? [String: Any])?["enabled"] as? Bool == true)

            let bad = try await console.call(app, .post, "/console/api/settings", cookie: cookie, csrf: csrf,
                                             body: ["restReasons": ["Lunch"], "proactive": ["enabled": true, "timeoutSeconds": 10]])
            #expect(bad.status == .badRequest)
            #expect((bad.json["error"] as? String)?.contains("proactive.timeoutSeconds") == true)
            #expect(try await app.store.deskSettings()?.restReasons == ["Break", "Meal", "Meeting", "Training"], "nothing changed")

            let saved = try await console.call(app, .post, "/console/api/settings", cookie: cookie, csrf: csrf,
                                               body: ["restReasons": ["Lunch"], "signInStatus": "free", "proactive": ["enabled": false, "timeoutSeconds": 600]])
            #expect(saved.status == .ok)
            #expect(try await app.store.auditTrail(limit: 1).first?.action == "change_desk_settings")

            // In force at once: the rest reasons, proactive contact off, the sign-in status.
            let lena = try await workbench.signIn(app, "lena@acme.example")
            #expect((try await workbench.call(app, .get, "/workbench/api/me", cookie: lena.cookie).json["restReasons"] as? [String]) == ["Lunch"])
            #expect(try await workbench.call(app, .post, "/workbench/api/status", cookie: lena.cookie, csrf: lena.csrf,
                                             body: ["status": "rest", "restReason": "Meal"]).status == .badRequest)
            #expect(try await workbench.call(app, .post, "/workbench/api/status", cookie: lena.cookie, csrf: lena.csrf,
                                             body: ["status": "rest", "restReason": "Lunch"]).status == .ok)
            #expect(try await workbench.call(app, .get, "/workbench/api/visitors", cookie: lena.cookie).json["enabled"] as? Bool == false)

            #expect(try await app.store.routingSnapshot().agent("omar@acme.example")?.status == .Offline)
            let omar = try await workbench.call(app, .post, "/workbench/api/sign-in", body: ["agentId": "omar@acme.example", "password": Wire.omarPassword])
            #expect(omar.status == .ok)
            #expect(try await app.store.routingSnapshot().agent("omar@acme.example")?.status == .Available, "signInStatus: free")
        }
    }

    /// Extensions at run time: a page added in the settings is listed in the workbench and framed
    /// by its policy at the next load; an address a workbench may not frame is refused.
    @Test func anExtensionAddedInTheSettingsIsFramedAtTheNextLoad() async throws {
        try await AppHarness.run { app throws in
            let signIn = try await console.call(app, .post, "/console/api/sign-in", body: ["userSig": console.sig("administrator")])
            let cookie = String(try #require(signIn.headers[.setCookie]).split(separator: ";")[0])
            let csrf = try #require(try await console.call(app, .get, "/console/api/me", cookie: cookie).json["csrfToken"] as? String)
            let page: [String: Any] = ["name": "Orders", "url": "https://crm.acme.example/orders", "alwaysVisible": true, "enabled": true]
            let refused = try await console.call(app, .post, "/console/api/settings", cookie: cookie, csrf: csrf, body: [
                "restReasons": ["Break"], "proactive": ["enabled": false, "timeoutSeconds": 600],
                "extensions": [page, ["name": "Sneaky", "url": "http://evil.example/", "alwaysVisible": false, "enabled": true]],
            ])
            #expect(refused.status == .badRequest)
            #expect((refused.json["error"] as? String)?.contains("extensions[1].url") == true)
            #expect(try await app.store.deskSettings()?.extensions.isEmpty == true, "nothing changed")

            #expect(try await console.call(app, .post, "/console/api/settings", cookie: cookie, csrf: csrf, body: [
                "restReasons": ["Break"], "proactive": ["enabled": false, "timeoutSeconds": 600], "extensions": [page],
            ]).status == .ok)
            let lena = try await workbench.signIn(app, "lena@acme.example")
            let listed = try await workbench.call(app, .get, "/workbench/api/me", cookie: lena.cookie).json["extensions"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["url"] as? String } == ["https://crm.acme.example/orders"])
            let policy = try await app.client.execute(uri: "/workbench", method: .get) { $0.headers[.contentSecurityPolicy] ?? "" }
            #expect(policy.contains("frame-src https://crm.acme.example;"), "\(policy)")
        }
    }
}
