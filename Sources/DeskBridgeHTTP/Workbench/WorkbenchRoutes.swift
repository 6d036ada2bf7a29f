import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// `/workbench`: the agent workbench page and the API behind it (README, "Workbench").
///
/// Sign-in takes a UserSig the business server minted for the agent, like every desk API, and
/// starts a server-side session in a cookie; every later call reads the agent from that session,
/// so the page never holds a UserSig. State-changing calls need the session's CSRF token in
/// `X-CSRF-Token` and a JSON body. The live stream tells the page *that* something changed; the
/// page reads what through the API, so a dropped stream loses nothing once it is back.
struct WorkbenchRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    let signIns: WorkbenchSignIns
    let trustedProxies: TrustedProxies
    let now: @Sendable () -> Date

    static let cookieName = "deskbridge_workbench"
    private var runtime: ConversationRuntime { commands.runtime }
    private var api: SignedInAPI { SignedInAPI(signIns: signIns, cookieName: Self.cookieName, now: now, allowsBearer: true) }

    func register(on router: Router<DeskRequestContext>) {
        WorkbenchAssets.register(on: router, extensions: { [commands] in try await commands.settings().extensions })
        router.post("/workbench/api/sign-in") { request, context in try await signIn(request, context) }
        api.get(router, "/workbench/api/me") { signIn, _ in try await me(signIn) }
        api.get(router, "/workbench/api/sessions") { signIn, _ in try await sessions(signIn) }
        api.get(router, "/workbench/api/transcript") { signIn, request in try await transcript(signIn, request.uri.queryParameters["sessionId"].map(String.init)) }
        api.get(router, "/workbench/api/transfer-targets") { signIn, _ in try await targets(signIn) }
        api.get(router, "/workbench/api/quick-replies") { _, request in
            let groups = try await commands.quickReplies(matching: request.uri.queryParameters["q"].map(String.init) ?? "")
            return WorkbenchViews.QuickReplies(groups: groups.map { .init(group: $0.group, replies: $0.replies) })
        }
        router.on("/workbench/api/events", method: .options) { _, _ in SignedInAPI.preflight() }
        router.get("/workbench/api/events") { request, context in try await events(request, context) }
        router.get("/workbench/sdk/:file") { _, context in try await sdkScript(context.parameters.get("file") ?? "") }
        api.post(router, "/workbench/api/sign-out") { _, token, _ in
            try await signIns.signOut(token: token)
            return Ok()
        }
        api.post(router, "/workbench/api/accept") { signIn, _, body in
            try await commands.acceptSession(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"), agentId: nil)
            return Ok()
        }
        api.post(router, "/workbench/api/send", as: WorkbenchComposition.self) { signIn, composition in
            let elements = try composition.elements()
            let row = try await heldSession(signIn, composition.sessionId)
            let sent = try await commands.sendMessage(as: .agent(signIn.agent), from: nil, to: row.clientUserId.rawValue, body: elements, cloudCustomData: nil)
            return Sent(msgKey: sent.msgKey)
        }
        api.post(router, "/workbench/api/typing") { signIn, _, body in
            try await commands.agentTyping(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"))
            return Ok()
        }
        api.post(router, "/workbench/api/read") { signIn, _, body in
            try await commands.markRead(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"))
            return Ok()
        }
        api.post(router, "/workbench/api/invite-rating") { signIn, _, body in
            try await commands.inviteRating(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"))
            return Ok()
        }
        api.post(router, "/workbench/api/end") { signIn, _, body in
            try await commands.endSession(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"))
            return Ok()
        }
        api.post(router, "/workbench/api/transfer") { signIn, _, body in
            let group = body["groupId"].flatMap { Int($0) }
            let agent = body["agentId"].flatMap { $0.isEmpty ? nil : $0 }
            guard group != nil || agent != nil else { throw DeskCommandError.badJSON("name an agentId or a groupId") }
            let result = try await commands.transferSession(as: .agent(signIn.agent), sessionId: try SignedInAPI.field(body, "sessionId"), agentId: agent, groupId: group)
            return Transferred(agentId: result.agentId, queued: result.queued)
        }
        api.get(router, "/workbench/api/visitors") { signIn, _ in try await visitors(signIn) }
        // The agent's own service records: the console's search, narrowed to the sessions it served.
        api.get(router, "/workbench/api/records") { signIn, request in
            let query = request.uri.queryParameters
            let page = query["page"].flatMap { Int(String($0)) } ?? 0
            let result = try await commands.searchRecords(as: .agent(signIn.agent), try RecordRoutes.filter(query, now: now(), timeZone: desk.timeZone),
                                                          page: page, pageSize: 20)
            return RecordRoutes.Page(result, page: page)
        }
        api.post(router, "/workbench/api/contact") { signIn, _, body in
            Contacted(sessionId: try await commands.contact(as: .agent(signIn.agent), clientUserId: try SignedInAPI.field(body, "clientUserId")))
        }
        api.post(router, "/workbench/api/status") { signIn, _, body in
            let name = try SignedInAPI.field(body, "status")
            guard let seat = SeatStatus(name: name, restReason: body["restReason"]) else {
                throw DeskCommandError.badJSON("status must be free, busy, arrange, notReady, rest, stopNotReady or offline")
            }
            try await commands.setAgentStatus(as: .agent(signIn.agent), agentId: signIn.agent.rawValue, seat: seat)
            return Ok()
        }
    }

    // MARK: - Sign-in

    /// A sign-in; once in, the agent gets the desk settings' `signInStatus`, when one is set.
    private func signIn(_ request: Request, _ context: DeskRequestContext) async throws -> Response {
        try await api.signIn(request, peer: context.peerAddress, desk: desk, trustedProxies: trustedProxies, path: "/workbench",
                             identify: { $0.agentId.flatMap { $0.isEmpty ? nil : $0 } }, passwordHash: { desk.agent($0)?.passwordHash }) { agent in
            guard let account = desk.agent(agent) else { return SignedInAPI.refusal(.forbidden, "\(agent) is not an agent of this desk") }
            if !account.enabled { return SignedInAPI.refusal(.forbidden, "this agent is disabled; an administrator enables it in agent management") }
            if try await signIns.isForcedOffline(agent) { return SignedInAPI.refusal(.forbidden, "an administrator has forced this agent offline") }
            try await commands.agentSignedIn(agent)
            return nil
        }
    }

    // MARK: - Reads

    private func me(_ signIn: WorkbenchSignIns.SignIn) async throws -> WorkbenchViews.Me {
        let agent = desk.agent(signIn.agent)
        let routing = try await runtime.store.routingSnapshot()
        let snapshot = routing.agent(signIn.agent)
        let seat = SeatStatus(status: snapshot?.status ?? .Offline, reason: snapshot?.statusReason)
        let settings = try await commands.settings()
        return WorkbenchViews.Me(agentId: signIn.agent.rawValue, nickname: agent?.nickname ?? signIn.agent.rawValue, avatarImage: agent?.avatarImage,
                                 status: seat.deskStatus.rawValue, seatStatus: seat.name, restReason: seat.restReason,
                                 restReasons: settings.restReasons, csrfToken: signIn.csrfToken,
                                 groups: WorkbenchViews.groups(desk, of: agent, routing: routing),
                                 extensions: settings.extensions.filter(\.enabled).map { .init(name: $0.name, url: $0.url, alwaysVisible: $0.alwaysVisible) })
    }

    /// Sessions offered to or held by this agent, and those waiting in its groups' queues.
    private func sessions(_ signIn: WorkbenchSignIns.SignIn) async throws -> WorkbenchViews.Sessions {
        let lastEventId = runtime.changes.lastId  // read first: anything later reaches the page as an event
        let found = try await commands.agentSessions(as: .agent(signIn.agent), agentId: nil)
        return WorkbenchViews.Sessions(sessions: found.mine.compactMap(WorkbenchViews.row), queued: found.queued.compactMap(WorkbenchViews.row),
                                       groups: found.groups.map { WorkbenchViews.Group(id: $0.group.id.rawValue, name: $0.group.name, waiting: $0.waiting) },
                                       seatStatus: found.status.name, restReason: found.status.restReason,
                                       lastEventId: lastEventId)
    }

    /// One session's transcript, the bot part included; for the agent holding or offered it, or who served it.
    private func transcript(_ signIn: WorkbenchSignIns.SignIn, _ sessionId: String?) async throws -> WorkbenchViews.Transcript {
        let records = try await commands.sessionRecords(as: .agent(signIn.agent), sessionId: sessionId, clientUserId: nil)
        let stored = try await runtime.store.conversation(sessionId: SessionID(sessionId ?? ""))
        return WorkbenchViews.transcript(records, session: SessionID(sessionId ?? ""), state: stored?.state, now: now())
    }

    /// Whom the session can go to: every agent with status and load, and the groups with their queues.
    private func targets(_ signIn: WorkbenchSignIns.SignIn) async throws -> WorkbenchViews.Targets {
        let routing = try await runtime.store.routingSnapshot()
        let agents = desk.agents.filter { $0.id != signIn.agent && $0.enabled }.map { agent in
            let snapshot = routing.agent(agent.id)
            return WorkbenchViews.Target(agentId: agent.id.rawValue, nickname: agent.nickname, status: snapshot?.status.rawValue ?? "Offline",
                                         load: snapshot?.load ?? 0, groups: agent.skillGroups.map(\.id.rawValue))
        }
        return WorkbenchViews.Targets(agents: agents, groups: WorkbenchViews.groups(desk, of: nil, routing: routing))
    }

    /// Website visitors this agent may start a chat with (proactive contact): those with the chat
    /// page open on this replica now, and those it served in the last seven days; never one in a session.
    private func visitors(_ signIn: WorkbenchSignIns.SignIn) async throws -> WorkbenchViews.Visitors {
        guard try await commands.settings().proactive.enabled else { return WorkbenchViews.Visitors(enabled: false, visitors: []) }
        let now = now()
        var rows: [ClientUserID: WorkbenchViews.Visitor] = [:]
        for key in runtime.changes.watchedConversations where key.isWebChannel {
            guard let state = try await runtime.store.conversation(key)?.state, state.session == nil else { continue }
            rows[state.clientUserId] = WorkbenchViews.Visitor(clientUserId: state.clientUserId.rawValue, userName: state.profile.displayName ?? "Visitor",
                                                              onPage: true, lastServedAt: nil)
        }
        let served = try await runtime.store.searchSessions(SessionSearch(from: now.addingTimeInterval(-7 * 86_400), to: now.addingTimeInterval(1), scanLimit: 500))
        for found in served where found.conversation.isWebChannel && found.summary.agentIds.contains(signIn.agent) && found.summary.endTime != nil {
            let user = found.conversation.clientUserId
            if rows[user]?.lastServedAt != nil || rows.count >= 100 && rows[user] == nil { continue }
            if rows[user] == nil {
                guard let state = try await runtime.store.conversation(found.conversation)?.state, state.session == nil else { continue }
                rows[user] = WorkbenchViews.Visitor(clientUserId: user.rawValue, userName: state.profile.displayName ?? "Visitor", onPage: false, lastServedAt: nil)
            }
            rows[user]?.lastServedAt = found.summary.endTime?.unixMillis
        }
        let sorted = rows.values.sorted { ($0.onPage ? 1 : 0, $0.lastServedAt ?? 0) > ($1.onPage ? 1 : 0, $1.lastServedAt ?? 0) }
        return WorkbenchViews.Visitors(enabled: true, visitors: sorted)
    }

    private func heldSession(_ signIn: WorkbenchSignIns.SignIn, _ sessionId: String) async throws -> ConversationState {
        guard let state = try await runtime.store.conversation(sessionId: SessionID(sessionId))?.state, state.session?.id.rawValue == sessionId else {
            throw DeskCommandError.unknownUserOrSession
        }
        guard state.session?.ownership.holder == signIn.agent else { throw DeskCommandError.notHolder }
        return state
    }

    // MARK: - Live stream

    /// The agent's live stream (`EventStream`); a page that reconnects reads its state again.
    private func events(_ request: Request, _ context: DeskRequestContext) async throws -> Response {
        let bearer = api.token(request)?.bearer ?? false
        guard let signIn = try await api.signIn(request) else { return SignedInAPI.crossOrigin(SignedInAPI.refusal(.unauthorized, "sign in first"), bearer: bearer) }
        let groups = Set(desk.agent(signIn.agent)?.skillGroups.map(\.id) ?? [])
        let changes = runtime.changes.subscribe(agent: signIn.agent, groups: groups)
        return SignedInAPI.crossOrigin(EventStream.response(changes, lastId: runtime.changes.lastId), bearer: bearer)
    }

    // MARK: - Agent Web SDK

    /// The script at an `SdkURL`: with an unused, unexpired token, a fresh sign-in for the agent
    /// and the SDK (`window.tccc`) around it; otherwise a script whose `tccc` reports
    /// `tokenExpired` and never becomes ready. Loadable cross-origin (`crossorigin="anonymous"`).
    private func sdkScript(_ file: String) async throws -> Response {
        let assets = WorkbenchAssets.assets
        let token = file.hasSuffix(".js") ? String(file.dropLast(3)) : ""
        let prelude: String
        if let agent = try await signIns.redeemLink(token, now: now()) {
            let (session, _) = try await signIns.signIn(agent, now: now())
            try await commands.agentSignedIn(agent)
            prelude = "const DESKBRIDGE_SDK = {signIn: \(Self.jsString(session)), agentId: \(Self.jsString(agent.rawValue))};\n"
        } else {
            prelude = "const DESKBRIDGE_SDK = {signIn: null, error: \"This SdkURL has expired or was already used; ask for a new one.\"};\n"
        }
        var body = ByteBuffer(string: "(function () {\n" + prelude)
        body.writeBytes(assets.files["sdk.js"] ?? Data())
        body.writeString("\n})();\n")
        return Response(status: .ok, headers: [
            .contentType: "text/javascript; charset=utf-8", .cacheControl: "no-store", .accessControlAllowOrigin: "*",
            .init("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: body))
    }

    private static func jsString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    // MARK: - Plumbing

    private struct Ok: Encodable { var ok = true }
    private struct Sent: Encodable { var msgKey: String }
    private struct Transferred: Encodable { var agentId: String; var queued: Bool }
    private struct Contacted: Encodable { var sessionId: String }

}
