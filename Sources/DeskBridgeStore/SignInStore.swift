import DeskBridgeCore
import Foundation

/// Where signed-in pages' sessions live, so that any replica answers any page and a restart
/// signs nobody out (README, "Workbench").
///
/// A sign-in is named by the SHA-256 of its cookie or bearer token: the store never holds a
/// token a reader of the database could present. One-time links (Tencent's `SdkURL` and
/// `CreateAdminURL`) are sign-ins of their own realm, consumed as they are read.
package protocol SignInStore: Sendable {
    func putSignIn(_ signIn: StoredSignIn) async throws
    /// The unexpired sign-in named by `tokenHash` in `realm`; with `consume`, it is removed in
    /// the same statement, so a one-time link works once even when two replicas race for it.
    func signIn(tokenHash: String, realm: String, now: Date, consume: Bool) async throws -> StoredSignIn?
    /// Ends the sign-ins `scope` names; answers how many ended.
    @discardableResult
    func endSignIns(_ scope: SignInScope) async throws -> Int
    /// Agents with an unexpired sign-in in `realm`.
    func signedInAgents(realm: String, now: Date) async throws -> Set<AgentID>

    /// Agents an administrator forced offline (refused at sign-in until resumed).
    func forcedOffline() async throws -> Set<AgentID>
    /// Forces `agent` offline, ending its sign-ins in `realms` in the same transaction, or
    /// (`forced` false) lets it sign in again; false when it already was so.
    func setForcedOffline(_ agent: AgentID, _ forced: Bool, endingSignInsIn realms: [String], at now: Date) async throws -> Bool
}

/// One signed-in page's server-side session.
package struct StoredSignIn: Sendable, Equatable {
    /// Lower-case hex SHA-256 of the token.
    package var tokenHash: String
    /// Which pages it opens: `workbench`, `console`, or a one-time link's realm.
    package var realm: String
    package var agent: AgentID
    /// Echoed in `X-CSRF-Token` by every state-changing call of a cookie sign-in.
    package var csrfToken: String
    package var expires: Date

    package init(tokenHash: String, realm: String, agent: AgentID, csrfToken: String, expires: Date) {
        self.tokenHash = tokenHash
        self.realm = realm
        self.agent = agent
        self.csrfToken = csrfToken
        self.expires = expires
    }
}

/// Which sign-ins `endSignIns` ends.
package enum SignInScope: Sendable, Equatable {
    /// One sign-out.
    case token(hash: String)
    /// Every sign-in of an agent in a realm.
    case agent(AgentID, realm: String)
    /// Every sign-in that expired before the date, in any realm.
    case expired(before: Date)
}
