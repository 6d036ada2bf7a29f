import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// Who is calling a desk API, as proven by a verified UserSig.
package enum DeskIdentity: Sendable, Equatable {
    case admin
    case agent(AgentID)
}

/// The desk APIs (CONTRACT §3, desk side) over the runtime, with their permission rules.
/// A refused command throws `DeskCommandError` and changes nothing.
package struct DeskCommands: Sendable {
    package let runtime: ConversationRuntime

    package init(runtime: ConversationRuntime) { self.runtime = runtime }

    var config: DeskBridgeConfig { runtime.engine.config }
    /// The desk in force: the YAML's, with the stored agents and skill groups (`DeskDirectory`).
    package var desk: DeskConfig { config.desk }

    /// `sendmsg`: `from` absent means the caller itself (an agent) or the BOT (the admin).
    package func sendMessage(as identity: DeskIdentity, from: String?, to: String?, body: [MsgElement], cloudCustomData: String?) async throws -> (msgKey: String, msgTime: Int64) {
        guard let to, !to.isEmpty else { throw DeskCommandError.missingToAccount }
        let sender: AgentID?
        switch (identity, from.flatMap { $0.isEmpty ? nil : $0 }) {
        case (.admin, nil), (.admin, config.desk.adminIdentifier?): sender = nil
        case (.admin, let account?):
            guard config.desk.agent(AgentID(account)) != nil else { throw DeskCommandError.unknownAgentOrGroup }
            sender = AgentID(account)
        case (.agent(let me), nil): sender = me
        case (.agent(let me), let account?):
            guard account == me.rawValue else { throw DeskCommandError.identityMayNotAct }
            sender = me
        }
        guard let stored = try await runtime.store.conversation(clientUserId: ClientUserID(to)) else { throw DeskCommandError.unknownUserOrSession }
        let step = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            try runtime.engine.send(body, cloudCustomData: cloudCustomData, from: sender, state: state, context: context)
        }
        return step.sent ?? ("", 0)
    }

    /// Proactive contact (`desk.proactive`): the agent starts a session with a website visitor
    /// who has written before, and holds it at once. Answers the new session's id.
    package func contact(as identity: DeskIdentity, clientUserId: String?) async throws -> String {
        guard case .agent(let me) = identity else { throw DeskCommandError.identityMayNotAct }
        guard let clientUserId, !clientUserId.isEmpty, let stored = try await runtime.store.conversation(clientUserId: ClientUserID(clientUserId)) else {
            throw DeskCommandError.unknownUserOrSession
        }
        let proactive = try await settings().proactive
        let step = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            try runtime.engine.contact(by: me, proactive: proactive, state: state, context: context)
        }
        return step.state.session?.id.rawValue ?? ""
    }

    /// `end_session`: the admin, or the agent holding the session.
    package func endSession(as identity: DeskIdentity, sessionId: String?) async throws {
        let stored = try await openSession(sessionId)
        let agent: AgentID? = if case .agent(let me) = identity { me } else { nil }
        _ = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            guard state.session?.id.rawValue == sessionId else { throw .notAllowedInState("NotInSession") }
            return try runtime.engine.endSession(by: agent, state: state, context: context)
        }
    }

    /// `get_session_state` by `SessionId` or `ClientUserId`.
    package func sessionState(as identity: DeskIdentity, sessionId: String?, clientUserId: String?) async throws -> (sessionId: String, state: String, agentId: String) {
        let stored: StoredConversation?
        if let sessionId, !sessionId.isEmpty {
            stored = try await runtime.store.conversation(sessionId: SessionID(sessionId))
            guard stored != nil else { throw DeskCommandError.unknownUserOrSession }
        } else if let clientUserId, !clientUserId.isEmpty {
            stored = try await runtime.store.conversation(clientUserId: ClientUserID(clientUserId))
        } else {
            throw DeskCommandError.unknownUserOrSession
        }
        let state = stored?.state
        if case .agent(let me) = identity, !Self.involves(state, me) { throw DeskCommandError.notHolder }
        guard let session = state?.session, sessionId == nil || sessionId!.isEmpty || session.id.rawValue == sessionId else {
            return (state?.lastSessionId?.rawValue ?? "", "NotInSession", "")
        }
        return (session.id.rawValue, session.deskState, (session.ownership.holder ?? session.ownership.offeree)?.rawValue ?? "")
    }

    /// `set_agent_status`: the admin for anyone, an agent for itself. Becoming Available
    /// offers the agent's capacity to the queue.
    /// `set_agent_status` in the desk's words (`Available`, `Busy`, `Rest`, `Offline`), with a
    /// rest reason for `Rest`.
    package func setAgentStatus(as identity: DeskIdentity, agentId: String?, status: String?, restReason: String? = nil) async throws {
        guard let seat = status.flatMap({ SeatStatus(deskName: $0, restReason: restReason) }) else {
            throw DeskCommandError.badJSON("Status must be Available, Busy, Rest or Offline")
        }
        try await setAgentStatus(as: identity, agentId: agentId, seat: seat)
    }

    /// Sets an agent's status in the SDK's words (`SeatStatus`); a rest reason must be one of
    /// the rest reasons of the desk settings.
    package func setAgentStatus(as identity: DeskIdentity, agentId: String?, seat: SeatStatus) async throws {
        guard let agentId, !agentId.isEmpty, let agent = config.desk.agent(AgentID(agentId)) else { throw DeskCommandError.unknownAgentOrGroup }
        if case .agent(let me) = identity, me.rawValue != agentId { throw DeskCommandError.identityMayNotAct }
        if !agent.enabled, seat != .offline { throw DeskCommandError.badJSON("\(agentId) is disabled; an administrator enables it in agent management") }
        if seat.restReason != nil, let refusal = try await settings().refusal(of: seat) { throw DeskCommandError.badJSON(refusal) }
        guard try await runtime.store.setAgentStatus(AgentID(agentId), seat.deskStatus, reason: seat.reason, at: runtime.clock.now()) else {
            throw DeskCommandError.unknownAgentOrGroup
        }
        if seat.deskStatus == .Available { runtime.processing.signal() }
        runtime.changes.agentChanged(AgentID(agentId))
    }

    /// `get_session_records` by `SessionId` (that session) or `ClientUserId` (all of the conversation's).
    package func sessionRecords(as identity: DeskIdentity, sessionId: String?, clientUserId: String?) async throws -> ConversationRecords {
        let stored: StoredConversation?
        if let sessionId, !sessionId.isEmpty {
            stored = try await runtime.store.conversation(sessionId: SessionID(sessionId))
        } else if let clientUserId, !clientUserId.isEmpty {
            stored = try await runtime.store.conversation(clientUserId: ClientUserID(clientUserId))
        } else {
            throw DeskCommandError.unknownUserOrSession
        }
        guard let stored else { throw DeskCommandError.unknownUserOrSession }
        var records = try await runtime.store.records(stored.key)
        if let sessionId, !sessionId.isEmpty {
            records.sessions = records.sessions.filter { $0.session.rawValue == sessionId }
            records.messages = records.messages.filter { $0.session.rawValue == sessionId }
        }
        if case .agent(let me) = identity, !Self.involves(stored.state, me), !records.sessions.contains(where: { $0.agentIds.contains(me) }) {
            throw DeskCommandError.notHolder
        }
        return records
    }

    /// The holding agent has seen the user's messages: READ receipts go to Google (CONTRACT §4).
    package func markRead(as identity: DeskIdentity, sessionId: String?) async throws {
        try await byAgent(identity, in: sessionId) { agent, state, context throws(DeskCommandError) in
            try runtime.engine.markRead(by: agent, state: state, context: context)
        }
    }

    /// The holding agent is typing: the user sees it (Google's `TYPING_STARTED`, the website's indicator).
    package func agentTyping(as identity: DeskIdentity, sessionId: String?) async throws {
        try await byAgent(identity, in: sessionId) { agent, state, context throws(DeskCommandError) in
            try runtime.engine.agentTyping(by: agent, state: state, context: context)
        }
    }

    /// The holding agent invites the user to rate the session: the rating card goes out as BOT.
    package func inviteRating(as identity: DeskIdentity, sessionId: String?) async throws {
        try await byAgent(identity, in: sessionId) { agent, state, context throws(DeskCommandError) in
            try runtime.engine.inviteRating(by: agent, state: state, context: context)
        }
    }

    /// An agent's own command on the open session `sessionId` (the engine checks it holds it).
    private func byAgent(
        _ identity: DeskIdentity, in sessionId: String?,
        _ compute: (AgentID, ConversationState, ConversationEngine.Context) throws(DeskCommandError) -> ConversationEngine.Step
    ) async throws {
        guard case .agent(let agent) = identity else { throw DeskCommandError.identityMayNotAct }
        let stored = try await openSession(sessionId)
        _ = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            guard state.session?.id.rawValue == sessionId else { throw .notAllowedInState("NotInSession") }
            return try compute(agent, state, context)
        }
    }

    /// `accept_session`: the agent the session is offered to takes it.
    package func acceptSession(as identity: DeskIdentity, sessionId: String?, agentId: String?) async throws {
        let agent = try actingAgent(identity, agentId)
        let stored = try await openSession(sessionId)
        _ = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            guard state.session?.id.rawValue == sessionId else { throw .notAllowedInState("NotInSession") }
            return try runtime.engine.accept(by: agent, state: state, context: context)
        }
    }

    /// `transfer_to_human`: listed agents first, then the group. Returns the agent and whether it queued.
    package func transferToHuman(as identity: DeskIdentity, sessionId: String?, agentIdList: [String], groupId: Int?, sendTip: Bool) async throws -> (agentId: String, queued: Bool) {
        guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
        let stored = try await openSession(sessionId)
        let step = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            guard state.session?.id.rawValue == sessionId else { throw .notAllowedInState("NotInSession") }
            return try runtime.engine.transferToHuman(agentIdList: agentIdList.map { AgentID($0) }, group: groupId.map { SkillGroupID($0) },
                                                      sendTipIfNoAgentOnline: sendTip, state: state, context: context)
        }
        let ownership = step.state.session?.ownership
        return (((ownership?.holder ?? ownership?.offeree)?.rawValue) ?? "", step.state.queuePosition != nil)
    }

    /// `transfer_session`: the holding agent (or the admin) moves the session to an agent or a group.
    package func transferSession(as identity: DeskIdentity, sessionId: String?, agentId: String?, groupId: Int?) async throws -> (agentId: String, queued: Bool) {
        let stored = try await openSession(sessionId)
        let by: AgentID? = if case .agent(let me) = identity { me } else { nil }
        let step = try await runtime.apply(to: stored.key) { state, context throws(DeskCommandError) in
            guard state.session?.id.rawValue == sessionId else { throw .notAllowedInState("NotInSession") }
            return try runtime.engine.transferSession(by: by, toAgent: agentId.flatMap { $0.isEmpty ? nil : AgentID($0) },
                                                      toGroup: groupId.map { SkillGroupID($0) }, state: state, context: context)
        }
        let ownership = step.state.session?.ownership
        return (((ownership?.holder ?? ownership?.offeree)?.rawValue) ?? "", step.state.queuePosition != nil)
    }

    /// `erase_user_data` (an addition): the admin erases everything stored about one user, for a
    /// privacy request. Refused while the user has a session open (end it first), so no agent
    /// holds a session whose conversation is gone. Audited under a digest of the user id.
    package func eraseUserData(as identity: DeskIdentity, actor: String, clientUserId: String?) async throws -> ErasedData {
        guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
        guard let clientUserId, !clientUserId.isEmpty else { throw DeskCommandError.unknownUserOrSession }
        let user = ClientUserID(clientUserId)
        let audit = AuditEntry(at: runtime.clock.now(), actor: actor, action: "erase_user_data", subject: AuditDetail.subject(user))
        switch try await runtime.store.erase(clientUserId: user, audit: audit) {
        case .erased(let erased):
            runtime.logger.info("user data erased", metadata: ["subject": "\(audit.subject)", "conversations": "\(erased.conversations)"])
            return erased
        case .unknownUser:
            throw DeskCommandError.unknownUserOrSession
        case .sessionOpen(let state):
            throw DeskCommandError.notAllowedInState("\(state); end the session first")
        }
    }

    /// The blacklist (README, "Console"): the admin blocks a user (its webhooks are answered and
    /// kept, but start nothing) or unblocks it; each change is audited. False: it already was so.
    package func setBlocked(as identity: DeskIdentity, actor: String, clientUserId: String?, blocked: Bool, reason: String?) async throws -> Bool {
        guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
        guard let clientUserId, (1...128).contains(clientUserId.count), !clientUserId.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DeskCommandError.badJSON("clientUserId must be 1 to 128 characters without control characters")
        }
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 200 else { throw DeskCommandError.badJSON("reason must be at most 200 characters") }
        let user = ClientUserID(clientUserId)
        let now = runtime.clock.now()
        let entry = blocked ? BlockedUser(clientUserId: user, reason: reason, since: now, by: actor) : nil
        let audit = AuditEntry(at: now, actor: actor, action: blocked ? "block_user" : "unblock_user", subject: "user \(clientUserId)",
                               detail: AuditChange.json(before: blocked ? "served" : "blocked", after: blocked ? "blocked" : "served"))
        let changed = try await runtime.store.setBlocked(user, entry, audit: audit)
        if changed, !blocked { runtime.processing.signal() }
        return changed
    }

    /// `get_audit_trail` (an addition): the admin reads the newest audit entries.
    package func auditTrail(as identity: DeskIdentity, limit: Int?) async throws -> [AuditEntry] {
        guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
        return try await runtime.store.auditTrail(limit: min(max(limit ?? 100, 1), 1_000))
    }

    /// An agent acts for itself; the admin names the agent.
    private func actingAgent(_ identity: DeskIdentity, _ agentId: String?) throws -> AgentID {
        switch identity {
        case .agent(let me):
            if let agentId, !agentId.isEmpty, agentId != me.rawValue { throw DeskCommandError.identityMayNotAct }
            return me
        case .admin:
            guard let agentId, !agentId.isEmpty, config.desk.agent(AgentID(agentId)) != nil else { throw DeskCommandError.unknownAgentOrGroup }
            return AgentID(agentId)
        }
    }

    /// Whether an agent may look at a conversation: it holds or was offered the session, or served it last.
    static func involves(_ state: ConversationState?, _ agent: AgentID) -> Bool {
        let ownership = state?.session?.ownership
        return ownership?.holder == agent || ownership?.offeree == agent || state?.lastAgentId == agent
    }

    private func openSession(_ sessionId: String?) async throws -> StoredConversation {
        guard let sessionId, !sessionId.isEmpty, let stored = try await runtime.store.conversation(sessionId: SessionID(sessionId)) else {
            throw DeskCommandError.unknownUserOrSession
        }
        return stored
    }
}
