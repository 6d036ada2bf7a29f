import Foundation

/// One step of a conversation being worked out: the state so far and the effects so far.
///
/// Effects are appended in the order they must go out, which is how JOINED comes before a
/// human's first message and LEFT before the closure message.
struct Turn {
    let engine: ConversationEngine
    let context: ConversationEngine.Context
    var step: ConversationEngine.Step

    init(engine: ConversationEngine, state: ConversationState, context: ConversationEngine.Context) {
        self.engine = engine
        self.context = context
        self.step = .init(state: state, effects: [], sent: nil)
    }

    var state: ConversationState {
        get { step.state }
        set { step.state = newValue }
    }

    private var config: DeskBridgeConfig { engine.config }

    // MARK: - User events

    mutating func userSaid(_ text: String, input: FlowInput) {
        guard state.session != nil else {
            startSession()
            notify("ChatBot.UserSendMsg", body: [.text(text)])
            runFlowStart()
            return
        }
        let owner = state.session!.ownership.owner
        switch owner {
        case .agent(let agent):
            notify("Agent.UserSendMsg", agent: agent, body: [.text(text)])
        case .queued:
            notify("ChatBot.UserSendMsg", body: [.text(text)])
        case .bot, .closed:
            notify("ChatBot.UserSendMsg", body: [.text(text)])
            guard let engine = engine.flowEngine(for: state.key.agent) else { return }
            var cursor = state.session!.flow
            let effects = engine.receive(input, &cursor, variables: variables())
            state.session!.flow = cursor
            apply(effects ?? [])
        }
    }

    /// `userStatus.requestedLiveAgent`: begins a session if needed and goes straight to transfer.
    mutating func userAskedForHuman() {
        if state.session == nil { startSession() }
        guard state.session?.ownership.owner == .bot else { return }
        transfer(to: state.session?.skillGroup ?? config.desk.assignment.defaultSkillGroup)
    }

    mutating func userTyping(_ typing: Bool) {
        guard state.session != nil else { return }
        let value = typing ? "1" : "0"
        if let last = state.typingNotifiedAt[value], context.now.timeIntervalSince(last) < 3 { return }
        state.typingNotifiedAt[value] = context.now
        var event = makeEvent("User.Typing")
        event.Typing = typing ? 1 : 0
        step.effects.append(.notify(event))
    }

    // MARK: - Session lifecycle

    mutating func startSession() {
        state.sessionCount += 1
        let id = SessionID.derive(conversation: state.key, ordinal: state.sessionCount)
        state.session = Session(id: id, startedAt: context.now, flow: FlowCursor(flow: engine.flowName(for: state.key.agent)))
        state.lastSessionId = id
        state.typingNotifiedAt = [:]
        notify("SessionBegin")
        if let welcome = config.desk.prompts.welcome, !welcome.isEmpty {
            say([.text(Template.render(welcome, variables()))], as: .bot)
        }
    }

    mutating func runFlowStart() {
        guard let engine = engine.flowEngine(for: state.key.agent), state.session != nil else {
            closeSession(event: "SessionEnd", message: nil)
            return
        }
        var cursor = state.session!.flow
        let effects = engine.start(&cursor, variables: variables())
        state.session!.flow = cursor
        apply(effects)
    }

    mutating func closeSession(event: String, message: String?) {
        guard var session = state.session else { return }
        let holder = session.ownership.holder
        let framing = session.ownership.close()
        state.session = session
        frame(framing)
        if let holder { step.effects.append(.release(holder)) }
        if let message, !message.isEmpty { say([.text(Template.render(message, variables()))], as: .bot) }
        notify(event, agent: holder)
        state.session = nil
    }

    // MARK: - Flow effects

    mutating func apply(_ effects: [FlowEffect]) {
        for effect in effects {
            guard state.session != nil else { return }
            switch effect {
            case .say(.text(let text)):
                say([.text(text)], as: .bot)
            case .say(.menu(let menu)):
                say([.custom(DeskCustomMessage.branch(menu))], as: .bot)
            case .transfer(let group):
                transfer(to: group ?? config.desk.assignment.defaultSkillGroup)
            case .end:
                closeSession(event: "SessionEnd", message: nil)
            }
        }
    }

    // MARK: - Transfer and assignment

    mutating func transfer(to group: SkillGroupID) {
        state.session!.skillGroup = group
        notify("Transfer.Requested")
        say([.text(Template.render(config.desk.prompts.connecting, variables()))], as: .bot)
        guard AssignmentRouter.anyoneOnline(in: group, agents: context.routing.agents) else {
            say([.text(Template.render(config.desk.prompts.failed, variables()))], as: .bot)
            notify("Transfer.Failed")
            resumeFlowAfterFailedTransfer()
            return
        }
        tryAssign(group: group, announce: true)
    }

    /// Assigns the session inside `group`, or queues it (announcing the position when asked).
    mutating func tryAssign(group: SkillGroupID, announce: Bool) {
        let limit = config.desk.skillGroup(group)?.receptionLimit ?? 0
        if let agentId = AssignmentRouter.automatic(group: group, limit: limit, agents: context.routing.agents),
            let agent = config.desk.agent(agentId) {
            assign(agent, limit: limit)
            return
        }
        guard announce else { return }
        var session = state.session!
        let framing = session.ownership.queue(in: group)
        session.queuedAt = context.now
        state.session = session
        frame(framing)
        let ahead = context.routing.queueLengths[group] ?? 0
        var vars = variables()
        vars["QueuePosition"] = String(ahead + 1)
        vars["WaitNo"] = String(ahead)
        state.session!.variables["QueuePosition"] = vars["QueuePosition"]
        state.session!.variables["WaitNo"] = vars["WaitNo"]
        say([.text(Template.render(config.desk.queue.prompt, vars))], as: .bot)
        notify("Transfer.Queued")
    }

    mutating func assign(_ agent: DeskConfig.Agent, limit: Int) {
        var session = state.session!
        let framing = session.ownership.assign(to: agent.id, as: agent.representative)
        session.queuedAt = nil
        session.variables["StaffNo"] = agent.staffNo
        session.variables["StaffNickName"] = agent.nickname
        state.session = session
        state.lastAgentId = agent.id
        step.effects.append(.occupy(agent.id, limit: limit))
        frame(framing)
        say([.text(Template.render(config.desk.prompts.connected, variables()))], as: .bot)
        notify("Transfer.Succeeded", agent: agent.id)
    }

    mutating func resumeFlowAfterFailedTransfer() {
        var session = state.session!
        frame(session.ownership.returnToBot())
        state.session = session
        guard let engine = engine.flowEngine(for: state.key.agent) else { return }
        var cursor = state.session!.flow
        let effects = engine.resumeAfterTransfer(&cursor, variables: variables())
        state.session!.flow = cursor
        apply(effects)
    }

    // MARK: - Output

    /// Sends a desk message to the user as `sender`; returns its MsgKey.
    @discardableResult
    mutating func say(_ body: [MsgElement], as sender: Ownership.Sender, cloudCustomData: String? = nil) -> String {
        state.outboundSeq += 1
        let msgKey = "\(state.outboundSeq)_\(Hex.ref12(state.key.storageKey).prefix(8))_\(Int64(context.now.timeIntervalSince1970))"
        let bot = engine.botRepresentative
        let representative = (try? state.session?.ownership.representative(for: sender, bot: bot)) ?? bot
        let offerLiveAgent = state.session?.ownership.owner == .bot
        let rendering = TencentToGoogle.render(body, msgKey: msgKey, as: representative, offerLiveAgent: offerLiveAgent)
        if let ref = rendering.menuRef { state.session?.flow.menuRef = ref }
        step.effects += rendering.messages.map { .google(.message($0)) }
        switch sender {
        case .bot: notify("ChatBot.RobotSendMsg", body: body, msgKey: msgKey, cloudCustomData: cloudCustomData)
        case .agent(let agent): notify("Agent.AgentSendMsg", agent: agent, body: body, msgKey: msgKey, cloudCustomData: cloudCustomData)
        }
        return msgKey
    }

    /// Turns ownership framing into Google events with deterministic ids.
    mutating func frame(_ effects: [Ownership.Effect]) {
        for effect in effects {
            guard state.session != nil else { return }
            let (kind, representative): (GoogleEvent.Kind, Representative) =
                switch effect {
                case .joined(let rep): (.REPRESENTATIVE_JOINED, rep)
                case .left(let rep): (.REPRESENTATIVE_LEFT, rep)
                }
            state.session!.eventSeq += 1
            let eventId = "ev-\(Hex.ref12(state.session!.id.rawValue))-\(kind == .REPRESENTATIVE_JOINED ? "joined" : "left")-\(state.session!.eventSeq)"
            step.effects.append(.google(.event(eventId: eventId, GoogleEvent(eventType: kind, representative: representative))))
        }
    }

    mutating func notify(_ event: String, agent: AgentID? = nil, body: [MsgElement] = [], msgKey: String = "", cloudCustomData: String? = nil) {
        guard state.session != nil else { return }
        var notification = makeEvent(event)
        notification.AgentId = agent?.rawValue ?? ""
        notification.MsgBody = body
        notification.MsgKey = msgKey
        notification.CloudCustomData = cloudCustomData ?? ""
        step.effects.append(.notify(notification))
    }

    private mutating func makeEvent(_ event: String) -> SessionEventNotification {
        state.session!.eventSeq += 1
        let session = state.session!
        return SessionEventNotification(session: session.id, event: event, at: context.now, user: state.clientUserId,
                                        requestId: "\(session.id.rawValue)-\(session.eventSeq)")
    }

    /// System variables (CONTRACT §2) overlaid with the session's flow variables.
    func variables() -> [String: String] {
        var vars: [String: String] = [
            "SystemClientUserID": state.clientUserId.rawValue,
            "UserName": state.profile.displayName ?? "",
            "Locale": state.profile.locale ?? "",
            "EntryPoint": state.profile.entryPoint ?? "",
            "PlaceId": state.profile.placeId ?? "",
            "ChannelId": state.key.agent,
            "ChannelName": config.channel.bot.displayName,
        ]
        if let session = state.session {
            vars["SystemSessionId"] = session.id.rawValue
            vars.merge(session.variables) { _, flow in flow }
        }
        return vars
    }
}
