import Crypto
import DeskBridgeCore
import Foundation
import Synchronization

/// Signed-in workbench pages: a server-side session per sign-in, named by an unguessable token
/// in an HttpOnly, SameSite=Strict cookie, with its own CSRF token that every state-changing call
/// must echo in `X-CSRF-Token`.
///
/// Held in this process's memory: a restart signs everyone out, and behind several replicas the
/// proxy must keep a page on one replica (README, "Workbench").
package final class WorkbenchSignIns: Sendable {
    struct SignIn: Sendable, Equatable {
        var agent: AgentID
        var csrfToken: String
        var expires: Date
    }

    private let sessions = Mutex<[String: SignIn]>([:])
    private let blocked = Mutex<Set<AgentID>>([])
    private let sdkTokens = Mutex<[String: (agent: AgentID, expires: Date)]>([:])

    /// How long an `SdkURL` works, once (Tencent's CreateSDKLoginToken: 10 minutes).
    package static let sdkTokenLifetime: TimeInterval = 600

    /// A one-time token for the agent Web SDK's script URL.
    package func mintSDKToken(_ agent: AgentID, now: Date) -> String {
        let token = Self.randomToken()
        sdkTokens.withLock { all in
            all = all.filter { $0.value.expires > now }
            all[token] = (agent, now.addingTimeInterval(Self.sdkTokenLifetime))
        }
        return token
    }

    /// The agent an SDK token was made for, if it is unused and unexpired; it cannot be used again.
    package func redeemSDKToken(_ token: String, now: Date) -> AgentID? {
        sdkTokens.withLock { all in
            guard let entry = all.removeValue(forKey: token), entry.expires > now else { return nil }
            return entry.agent
        }
    }
    let lifetime: TimeInterval

    package init(lifetime: TimeInterval = 12 * 3_600) { self.lifetime = lifetime }

    /// Starts a session for `agent`; returns the cookie token and the sign-in.
    func signIn(_ agent: AgentID, now: Date) -> (token: String, signIn: SignIn) {
        let token = Self.randomToken()
        let signIn = SignIn(agent: agent, csrfToken: Self.randomToken(), expires: now.addingTimeInterval(lifetime))
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }  // expired sign-ins go on each new one
            all[token] = signIn
        }
        return (token, signIn)
    }

    /// The live sign-in named by `token`, if any.
    func signIn(token: String?, now: Date) -> SignIn? {
        guard let token, !token.isEmpty else { return nil }
        return sessions.withLock { all in
            guard let signIn = all[token] else { return nil }
            guard signIn.expires > now else {
                all.removeValue(forKey: token)
                return nil
            }
            return signIn
        }
    }

    func signOut(token: String) { sessions.withLock { _ = $0.removeValue(forKey: token) } }

    /// Forced offline: ends every sign-in of `agent` (its open pages are signed out on their next
    /// read) and refuses new ones until `resume`.
    func forceOffline(_ agent: AgentID) {
        blocked.withLock { _ = $0.insert(agent) }
        sessions.withLock { all in all = all.filter { $0.value.agent != agent } }
    }

    func resume(_ agent: AgentID) { blocked.withLock { _ = $0.remove(agent) } }
    func isForcedOffline(_ agent: AgentID) -> Bool { blocked.withLock { $0.contains(agent) } }

    /// Agents with a live sign-in, for the console.
    func signedIn(now: Date) -> Set<AgentID> { sessions.withLock { Set($0.values.filter { $0.expires > now }.map(\.agent)) } }

    /// 32 random bytes as hex: unguessable, safe in a cookie and a header.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Compares a sent CSRF token with the session's in constant time.
    static func matches(_ sent: String?, _ expected: String) -> Bool {
        sent.map { ConstantTime.equal($0, expected) } ?? false
    }
}
