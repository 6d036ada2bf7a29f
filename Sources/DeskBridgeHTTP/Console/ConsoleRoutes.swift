import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import NIOCore

/// `/console`: the supervisor's real-time monitoring (README, "Console"): sessions by state,
/// the queues, every agent's status, load and sign-in, with the status set (and an agent forced
/// offline) from there. The administrator signs in with a UserSig for `desk.adminIdentifier`,
/// which works on a fresh install with nothing but the YAML file; supervisors and custom roles
/// sign in as themselves and see what their role opens (`ConsoleGate`).
struct ConsoleRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    /// The console's own sign-ins (the administrator's).
    let signIns: WorkbenchSignIns
    /// The workbench's, to end a forced-offline agent's pages.
    let agentSignIns: WorkbenchSignIns
    let trustedProxies: TrustedProxies
    let now: @Sendable () -> Date

    static let cookieName = "deskbridge_console"
    static let policy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    private var runtime: ConversationRuntime { commands.runtime }
    private var api: SignedInAPI { SignedInAPI(signIns: signIns, cookieName: Self.cookieName, now: now) }
    private var gate: ConsoleGate { ConsoleGate(commands: commands, api: api) }

    func register(on router: Router<DeskRequestContext>) {
        let assets = PageAssets(folder: "console")
        router.get("/console") { _, _ in assets.response("index.html", policy: Self.policy) }
        router.get("/console/assets/:file") { _, context in
            guard let name = context.parameters.get("file"), name != "index.html" else { return Response(status: .notFound) }
            return assets.response(name, policy: Self.policy)
        }
        router.post("/console/api/sign-in") { request, context in try await signIn(request, context) }
        // A one-time login link (Tencent's CreateAdminURL): signs the administrator in and opens the console.
        router.get("/console/login/:token") { request, context in
            guard let token = context.parameters.get("token"), try await signIns.redeemLink(token, now: now())?.rawValue == desk.adminIdentifier else {
                return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: "This login link has expired or was already used; ask for a new one.\n")))
            }
            let redirect = Response(status: .seeOther, headers: [.location: "/console", .cacheControl: "no-store"])
            return try await api.signedIn(AgentID(desk.adminIdentifier), redirect, request: request, peer: context.peerAddress, trustedProxies: trustedProxies, path: "/console")
        }
        api.get(router, "/console/api/me") { signIn, _ in try gate.me(signIn) }
        gate.get(router, "/console/api/overview", .monitoring) { signIn, scope, _ in try await overview(signIn, scope) }
        gate.respond(router, "/console/api/events", .monitoring) { _, scope, _ in
            let changes = switch scope {
            case .all: runtime.changes.subscribeToEverything()
            case .groups(let groups): runtime.changes.subscribe(agents: scope.agents(of: desk) ?? [], groups: groups)
            }
            return EventStream.response(changes, lastId: runtime.changes.lastId)
        }
        api.post(router, "/console/api/sign-out") { _, token, _ in
            try await signIns.signOut(token: token)
            return ["ok": true]
        }
        gate.post(router, "/console/api/agent-status", .agentManagement) { signIn, scope, body in
            let agent = AgentID(try SignedInAPI.field(body, "agentId"))
            guard let status = SeatStatus(deskName: try SignedInAPI.field(body, "status"), restReason: body["restReason"]) else {
                throw DeskCommandError.badJSON("status must be Available, Busy, Rest or Offline")
            }
            guard scope.agents(of: desk)?.contains(agent) ?? true else { throw DeskCommandError.outsideRole("\(agent)'s skill groups") }
            let forced = body["force"] == "1" || body["force"] == "true"
            try await AgentControl(commands: commands, signIns: agentSignIns, actor: signIn.agent.rawValue, now: now)
                .apply(forced ? .forceOffline : .status(status), to: agent)
            return ["ok": true]
        }
        gate.get(router, "/console/api/blacklist", .settings) { _, _, _ in
            try await runtime.store.blockedUsers().map(BlockedView.init)
        }
        gate.post(router, "/console/api/blacklist", .settings) { signIn, _, body in
            let changed = try await commands.setBlocked(as: .admin, actor: signIn.agent.rawValue, clientUserId: body["clientUserId"], blocked: true,
                                                        reason: body["reason"])
            return ["ok": true, "changed": changed]
        }
        gate.post(router, "/console/api/blacklist/remove", .settings) { signIn, _, body in
            let changed = try await commands.setBlocked(as: .admin, actor: signIn.agent.rawValue, clientUserId: body["clientUserId"], blocked: false, reason: nil)
            return ["ok": true, "changed": changed]
        }
        RecordRoutes(commands: commands, gate: gate, now: now).register(on: router)
        AnalysisRoutes(commands: commands, gate: gate, now: now).register(on: router)
        QuickReplyRoutes(commands: commands, gate: gate).register(on: router)
        AgentRoutes(commands: commands, gate: gate, agentSignIns: agentSignIns, now: now).register(on: router)
        // The desk settings changed at run time: rest reasons, the sign-in status, proactive contact.
        gate.get(router, "/console/api/settings", .settings) { _, _, _ in try await commands.settings() }
        gate.post(router, "/console/api/settings", .settings, as: DeskSettings.self) { signIn, _, settings in
            try await commands.saveSettings(by: signIn.agent.rawValue, settings)
            return ["ok": true]
        }
        gate.get(router, "/console/api/audit", .settings) { _, _, _ in
            try await commands.auditTrail(as: .admin, limit: 200).map(AuditAnswer.init)
        }
    }

    /// The administrator (no `agentId`, or `desk.adminIdentifier`) or an agent whose role opens
    /// a console module, with a UserSig or the account's password.
    private func signIn(_ request: Request, _ context: DeskRequestContext) async throws -> Response {
        try await api.signIn(request, peer: context.peerAddress, desk: desk, trustedProxies: trustedProxies, path: "/console",
                             identify: { $0.agentId.flatMap { $0.isEmpty ? nil : $0 } ?? desk.adminIdentifier },
                             passwordHash: { $0.rawValue == desk.adminIdentifier ? desk.adminPasswordHash : desk.agent($0)?.passwordHash }) { identity in
            guard identity.rawValue != desk.adminIdentifier else { return nil }
            if desk.agent(identity)?.enabled == false { return SignedInAPI.refusal(.forbidden, "this agent is disabled") }
            if desk.consoleAccess(identity) == nil { return SignedInAPI.refusal(.forbidden, "\(identity)'s role opens no console module") }
            if try await agentSignIns.isForcedOffline(identity) { return SignedInAPI.refusal(.forbidden, "an administrator has forced this agent offline") }
            return nil
        }
    }

    /// One blacklist entry as the console shows it; `since` is unix milliseconds.
    struct BlockedView: Encodable {
        var clientUserId: String
        var reason: String
        var since: Int64
        var by: String

        init(_ user: BlockedUser) {
            clientUserId = user.clientUserId.rawValue
            reason = user.reason
            since = user.since.unixMillis
            by = user.by
        }
    }

    private func overview(_ signIn: WorkbenchSignIns.SignIn, _ scope: GroupScope) async throws -> Overview {
        Overview(desk: desk, scope: scope, routing: try await runtime.store.routingSnapshot(), counts: try await runtime.store.sessionCounts(),
                 humanSide: try await runtime.store.humanSideConversations(limit: 5_000).compactMap { $0.state?.session },
                 signedIn: try await agentSignIns.signedIn(now: now()), forcedOffline: try await agentSignIns.store.forcedOffline(), csrfToken: signIn.csrfToken)
    }
}
