import DeskBridgeCore
import DeskBridgeStore
import Foundation
import Testing

/// Signed-in pages' sessions in the store, on every store: what lets any replica answer any page.
@Suite("Sign-ins in the store")
struct SignInStoreTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func signIn(_ hash: String, _ agent: AgentID, realm: String = "workbench", for seconds: TimeInterval = 60) -> StoredSignIn {
        StoredSignIn(tokenHash: hash, realm: realm, agent: agent, csrfToken: "csrf-\(hash)", expires: now.addingTimeInterval(seconds))
    }

    @Test(arguments: Backend.available)
    func aSignInIsReadInItsRealmUntilItExpiresOrEnds(backend: Backend) async throws {
        let store = try await backend.make()
        try await store.putSignIn(signIn("a1", "lena"))
        try await store.putSignIn(signIn("a2", "lena", realm: "console"))
        try await store.putSignIn(signIn("b1", "omar", for: 10))
        #expect(try await store.signIn(tokenHash: "a1", realm: "workbench", now: now, consume: false) == signIn("a1", "lena"))
        #expect(try await store.signIn(tokenHash: "a1", realm: "console", now: now, consume: false) == nil, "another realm's pages")
        #expect(try await store.signIn(tokenHash: "b1", realm: "workbench", now: now.addingTimeInterval(10), consume: false) == nil, "expired")
        #expect(try await store.signedInAgents(realm: "workbench", now: now) == ["lena", "omar"])
        #expect(try await store.signedInAgents(realm: "workbench", now: now.addingTimeInterval(30)) == ["lena"])

        #expect(try await store.endSignIns(.expired(before: now.addingTimeInterval(30))) == 1)
        #expect(try await store.endSignIns(.token(hash: "a1")) == 1)
        #expect(try await store.signIn(tokenHash: "a1", realm: "workbench", now: now, consume: false) == nil, "signed out")
        #expect(try await store.signIn(tokenHash: "a2", realm: "console", now: now, consume: false) != nil, "the other realm stays")
    }

    @Test(arguments: Backend.available)
    func aOneTimeLinkWorksOnceEvenWhenRacedFor(backend: Backend) async throws {
        let store = try await backend.make()
        try await store.putSignIn(signIn("link", "lena", realm: "workbench-link"))
        let winners = try await withThrowingTaskGroup(of: StoredSignIn?.self) { group in
            for _ in 0..<8 { group.addTask { try await store.signIn(tokenHash: "link", realm: "workbench-link", now: now, consume: true) } }
            return try await group.reduce(into: [StoredSignIn]()) { if let found = $1 { $0.append(found) } }
        }
        #expect(winners.map(\.agent) == ["lena"])
        #expect(try await store.signIn(tokenHash: "link", realm: "workbench-link", now: now, consume: true) == nil)
    }

    @Test(arguments: Backend.available)
    func forcingOfflineEndsTheNamedRealmsSignInsUntilResumed(backend: Backend) async throws {
        let store = try await backend.make()
        try await store.putSignIn(signIn("a1", "lena"))
        try await store.putSignIn(signIn("a2", "lena", realm: "workbench-link"))
        try await store.putSignIn(signIn("a3", "lena", realm: "console"))
        try await store.putSignIn(signIn("b1", "omar"))
        #expect(try await store.setForcedOffline("lena", true, endingSignInsIn: ["workbench", "workbench-link"], at: now))
        #expect(try await store.setForcedOffline("lena", true, endingSignInsIn: ["workbench"], at: now) == false, "already so")
        #expect(try await store.forcedOffline() == ["lena"])
        #expect(try await store.signIn(tokenHash: "a1", realm: "workbench", now: now, consume: false) == nil)
        #expect(try await store.signIn(tokenHash: "a2", realm: "workbench-link", now: now, consume: false) == nil)
        #expect(try await store.signIn(tokenHash: "a3", realm: "console", now: now, consume: false) != nil, "a realm not named stays")
        #expect(try await store.signIn(tokenHash: "b1", realm: "workbench", now: now, consume: false) != nil, "another agent stays")
        #expect(try await store.setForcedOffline("lena", false, endingSignInsIn: [], at: now))
        #expect(try await store.forcedOffline().isEmpty)
        #expect(try await store.setForcedOffline("lena", false, endingSignInsIn: [], at: now) == false)
    }
}
