import Crypto
import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// Signed-in pages of one realm (the workbench's or the console's): a server-side session per
/// sign-in, named by an unguessable token in an HttpOnly, SameSite=Strict cookie (or the SDK's
/// bearer header), with its own CSRF token that every state-changing cookie call must echo in
/// `X-CSRF-Token`.
///
/// Kept in the store (by the SHA-256 of the token), so every replica behind the proxy answers
/// every page, a restart signs nobody out, and a forced offline ends the agent's pages wherever
/// they are open.
package struct WorkbenchSignIns: Sendable {
    package struct SignIn: Sendable, Equatable {
        package var agent: AgentID
        package var csrfToken: String
        package var expires: Date
    }

    let store: any SignInStore
    /// `workbench` or `console`; one-time links live in `<realm>-link`.
    let realm: String
    let lifetime: TimeInterval
    /// Password tries, by account and by client address.
    let attempts: RateLimiter

    /// How long an `SdkURL` (or a `CreateAdminURL` link) works, once: Tencent's 10 minutes.
    package static let linkLifetime: TimeInterval = 600

    package init(store: any SignInStore, realm: String, lifetime: TimeInterval = 12 * 3_600, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.realm = realm
        self.lifetime = lifetime
        attempts = RateLimiter(now: now)
    }

    private var linkRealm: String { realm + "-link" }
    /// Links made with `OnlyOnce: false`: each use within their lifetime signs in anew.
    private var reusableLinkRealm: String { realm + "-link-reusable" }

    /// A one-time token for a sign-in link (the agent Web SDK's script URL, the console's login link).
    package func mintLink(_ agent: AgentID, now: Date, onlyOnce: Bool = true) async throws -> String {
        let token = Self.randomToken()
        try await store.putSignIn(StoredSignIn(tokenHash: Self.hash(token), realm: onlyOnce ? linkRealm : reusableLinkRealm, agent: agent, csrfToken: "",
                                               expires: now.addingTimeInterval(Self.linkLifetime)))
        return token
    }

    /// The agent a link was made for, if it is unexpired and (unless made reusable) unused; a
    /// one-time link cannot be used again.
    package func redeemLink(_ token: String, now: Date) async throws -> AgentID? {
        guard !token.isEmpty else { return nil }
        if let once = try await store.signIn(tokenHash: Self.hash(token), realm: linkRealm, now: now, consume: true) { return once.agent }
        return try await store.signIn(tokenHash: Self.hash(token), realm: reusableLinkRealm, now: now, consume: false)?.agent
    }

    /// Starts a session for `agent`; returns the token for the cookie and the sign-in. Sign-ins
    /// that have expired (and unused links) go on each new one.
    package func signIn(_ agent: AgentID, now: Date) async throws -> (token: String, signIn: SignIn) {
        let token = Self.randomToken()
        let signIn = SignIn(agent: agent, csrfToken: Self.randomToken(), expires: now.addingTimeInterval(lifetime))
        try await store.endSignIns(.expired(before: now))
        try await store.putSignIn(StoredSignIn(tokenHash: Self.hash(token), realm: realm, agent: agent, csrfToken: signIn.csrfToken, expires: signIn.expires))
        return (token, signIn)
    }

    /// The live sign-in named by `token`, if any.
    package func signIn(token: String?, now: Date) async throws -> SignIn? {
        guard let token, !token.isEmpty else { return nil }
        return try await store.signIn(tokenHash: Self.hash(token), realm: realm, now: now, consume: false).map {
            SignIn(agent: $0.agent, csrfToken: $0.csrfToken, expires: $0.expires)
        }
    }

    func signOut(token: String) async throws { try await store.endSignIns(.token(hash: Self.hash(token))) }

    /// The realms of the pages people sign in to: the workbench and the console.
    static let pageRealms = ["workbench", "console"]

    /// Forced offline: ends every sign-in of `agent`, in the workbench and the console alike (its
    /// open pages are signed out on their next read), and refuses new ones until `resume`. False
    /// when it already was so.
    @discardableResult
    func forceOffline(_ agent: AgentID, now: Date) async throws -> Bool {
        let realms = Self.pageRealms.flatMap { [$0, $0 + "-link", $0 + "-link-reusable"] }
        return try await store.setForcedOffline(agent, true, endingSignInsIn: realms, at: now)
    }

    @discardableResult
    func resume(_ agent: AgentID, now: Date) async throws -> Bool { try await store.setForcedOffline(agent, false, endingSignInsIn: [], at: now) }

    func isForcedOffline(_ agent: AgentID) async throws -> Bool { try await store.forcedOffline().contains(agent) }

    /// Agents with a live sign-in, for the console.
    func signedIn(now: Date) async throws -> Set<AgentID> { try await store.signedInAgents(realm: realm, now: now) }

    /// 32 random bytes as hex: unguessable, safe in a cookie and a header.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// What the store keeps instead of the token.
    package static func hash(_ token: String) -> String { Hex.encode(Array(SHA256.hash(data: Data(token.utf8)))) }

    /// Compares a sent CSRF token with the session's in constant time.
    static func matches(_ sent: String?, _ expected: String) -> Bool {
        sent.map { ConstantTime.equal($0, expected) } ?? false
    }
}
