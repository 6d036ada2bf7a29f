import Foundation

/// The conversation as a pure state machine: (state, input, now, routing snapshot) → (state, effects).
///
/// It composes the flow engine, the ownership state machine, routing and translation; the shell
/// persists the new state and the effects in one transaction and carries the effects out.
package struct ConversationEngine: Sendable {
    package let config: DeskBridgeConfig
    let schedule: WorkingSchedule
    /// Earlier `flows` versions by their digest, kept for the sessions that started on them
    /// (a reload replaces `config.flows` for new sessions only).
    package let retiredFlows: [String: FlowsConfig]

    package init(config: DeskBridgeConfig, retiredFlows: [String: FlowsConfig] = [:]) {
        self.config = config
        self.schedule = WorkingSchedule(config.desk.workingHours)
        self.retiredFlows = retiredFlows
    }

    /// The same desk with `flows` replaced for new sessions; the current ones stay for the
    /// sessions running on them.
    package func reloading(_ flows: FlowsConfig) -> ConversationEngine {
        var config = config
        var retired = retiredFlows
        if flows.version != config.flows.version { retired[config.flows.version] = config.flows }
        retired[flows.version] = nil
        config.flows = flows
        return ConversationEngine(config: config, retiredFlows: retired)
    }

    /// The same desk with its agents and skill groups replaced by `directory`'s (a change made
    /// in the console or through the Cloud API); every session sees it from its next step.
    package func adopting(_ directory: DeskDirectory) -> ConversationEngine {
        var config = config
        config.desk = config.desk.with(directory)
        return ConversationEngine(config: config, retiredFlows: retiredFlows)
    }

    /// The result of one step.
    package struct Step: Sendable {
        package var state: ConversationState
        package var effects: [ConversationEffect]
        /// For `sendmsg`: the MsgKey and MsgTime of the message.
        package var sent: (msgKey: String, msgTime: Int64)?
        /// Desk message kinds that had no rendering, for the log.
        package var dropped: [String] = []
        /// The step looked at routing but was computed without a snapshot: compute it again with one.
        package var needsRouting = false

        package init(state: ConversationState, effects: [ConversationEffect], sent: (msgKey: String, msgTime: Int64)?) {
            self.state = state
            self.effects = effects
            self.sent = sent
        }
    }

    /// What the step may look at besides the conversation itself.
    ///
    /// Most steps never route, and reading agents and queue lengths costs a database read per
    /// event, so the shell may leave `routing` out. A step that then reads it comes back with
    /// `needsRouting`, and the shell computes it again with a snapshot (the engine is pure, so
    /// the first attempt is simply dropped).
    package struct Context: Sendable {
        package var now: Date
        private var snapshot: RoutingSnapshot?
        private var readRouting = false

        package init(now: Date, routing: RoutingSnapshot? = .empty) {
            self.now = now
            self.snapshot = routing
        }

        package var routing: RoutingSnapshot {
            mutating get {
                readRouting = true
                return snapshot ?? .empty
            }
            set { snapshot = newValue }
        }

        /// True when the step read `routing` and there was none to read.
        var missedRouting: Bool { readRouting && snapshot == nil }
    }

    // MARK: - Inputs

    /// A user event from the channel.
    package func handle(_ webhook: GoogleWebhook, state: ConversationState?, context: Context) -> Step {
        var turn = Turn(engine: self, state: state ?? ConversationState(key: webhook.conversation), context: context)
        turn.state.profile.absorb(webhook.context)
        switch webhook.payload {
        case .message(let message):
            let picture = message.isImageURL || (webhook.conversation.isWebChannel && message.image == true)
            let body: MsgElement = picture ? .image(.init(url: message.text)) : .text(message.text)
            turn.inboundMessageId = message.messageId
            turn.userSaid(body, input: .text(message.text))
        case .suggestionResponse(let tap):
            turn.userTapped(tap)
        case .userStatus(let status):
            if status.requestedLiveAgent == true { turn.userAskedForHuman() }
            if let typing = status.isTyping { turn.userTyping(typing) }
        case .receipts(let receipts):
            for receipt in receipts.receipts { turn.state.session?.receipts[receipt.message] = receipt.receiptType }
        case .surveyResponse(let survey):
            if let answer = survey.rating ?? survey.questionResponseText { turn.state.session?.surveyAnswers.append(answer) }
        case .authenticationResponse:
            break  // stored with the inbound event; DeskBridge requests no authentication
        case .deskCustom(.satisfactionSelection(let id, _, let cardId)):
            turn.userRated(optionId: id, cardId: cardId)
        case .deskCustom(.userEndsSession):
            turn.userEndedHumanSession()
        case .deskCustom:
            break  // the page sends no other kind into the pipeline (src 7 and 24 are answered at the door)
        }
        return turn.finished
    }

    /// An event DeskBridge appended itself (an interface call's result).
    package func handle(_ event: InternalEvent, state: ConversationState, context: Context) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        switch event {
        case .interfaceResult(let session, let callId, let values, _):
            guard turn.state.session?.id == session else { break }  // the session ended meanwhile
            turn.runFlow { engine, cursor, scope in engine.receive(.interfaceResult(callId: callId, values: values), &cursor, &scope) }
        case .assignmentAnswer(let session, let requestId, let answer):
            guard turn.state.session?.id == session else { break }
            turn.assignmentAnswered(answer, requestId: requestId)
        }
        return turn.finished
    }

    /// A message from an agent (`agent` set) or from the admin as BOT (`agent` nil).
    package func send(_ body: [MsgElement], cloudCustomData: String?, from agent: AgentID?, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        let sender: Ownership.Sender = agent.map { .agent($0) } ?? .bot
        do {
            _ = try session.ownership.representative(for: sender, bot: botRepresentative)
        } catch .notHolder {
            throw .notHolder
        } catch {
            throw .notAllowedInState(session.deskState)
        }
        guard !body.isEmpty else { throw .badMsgBody("MsgBody is empty") }
        for (index, element) in body.enumerated() {
            try checkDeliverable(element, at: index, from: agent)
        }
        let key = turn.say(body, as: sender, cloudCustomData: cloudCustomData)
        turn.step.sent = (key, Int64(context.now.timeIntervalSince1970))
        return turn.finished
    }

    /// Refuses (90002, naming the element) what would reach the user as nothing, so an `OK`
    /// with a `MsgKey` always means something is on its way: an element kind Google has no
    /// form for, a custom element that is not a desk message (and has no `Desc` to show), a
    /// desk kind that does not decode, and an image that is not at an `https:` URL.
    private func checkDeliverable(_ element: MsgElement, at index: Int, from agent: AgentID?) throws(DeskCommandError) {
        let name = "MsgBody[\(index)] (\(element.typeName))"
        switch element {
        case .text(let text):
            if text.isEmpty { throw .badMsgBody("\(name) has an empty Text") }
        case .image(let image):
            guard let url = image.originalURL, url.hasPrefix("https://") else { throw .badMsgBody("\(name) needs an https: image URL") }
        case .other:
            throw .badMsgBody("\(name) cannot be delivered on this channel; send TIMTextElem, TIMImageElem or TIMCustomElem")
        case .custom(let custom):
            guard let desk = DeskCustomMessage(data: custom.Data) else {
                if !(custom.Desc ?? "").isEmpty { return }  // shown as its Desc text (README, "Agent messages")
                throw .badMsgBody("\(name) Data is not a desk custom message (JSON with a src) and there is no Desc to show")
            }
            switch desk {
            case .trigger, .satisfactionSelection, .requestRating, .userEndsSession:
                throw .badMsgBody("\(name) src \(desk.src) is sent by the user end, not to it")
            case .ratingSettings:
                // Desk → user, but only the desk itself answers a trigger with it, and a Google
                // user has no client that reads it.
                throw .badMsgBody("\(name) src 23 is the desk's own answer to a src 7 trigger; it has nothing to show on this channel")
            case .satisfaction where agent != nil && !config.desk.satisfaction.agentMayInvite:
                throw .badMsgBody("agents may not invite ratings (desk.satisfaction.agentMayInvite)")
            case .unknown(let src, _):
                throw .badMsgBody("\(name) src \(src) is not a kind DeskBridge delivers, or its content does not decode")
            default:
                return
            }
        }
    }

    /// The holding agent invites the user to rate the session (`desk.satisfaction.agentMayInvite`).
    package func inviteRating(by agent: AgentID, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard session.ownership.holder == agent else { throw .notHolder }
        guard config.desk.satisfaction.agentMayInvite else { throw .badMsgBody("agents may not invite ratings (desk.satisfaction.agentMayInvite)") }
        turn.offerRating(for: session.id)
        return turn.finished
    }

    /// The holding agent has seen the user's messages: a READ receipt for each one not yet receipted.
    package func markRead(by agent: AgentID, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard session.ownership.holder == agent else { throw .notHolder }
        for messageId in session.unread ?? [] { turn.step.effects.append(.google(.readReceipt(messageId: messageId))) }
        turn.state.session!.unread = nil
        return turn.finished
    }

    /// The holding agent is typing (the workbench's composer): `TYPING_STARTED` to the user,
    /// stopped by its message or after a pause, as a src 12 would. Nothing is recorded.
    package func agentTyping(by agent: AgentID, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard session.ownership.holder == agent, let human = session.ownership.human else { throw .notHolder }
        if let until = session.typingUntil, until > context.now.addingTimeInterval(Turn.typingPause - 2) { return turn.finished }  // said just now
        turn.act(on: .typing(started: true), representative: human)
        return turn.finished
    }

    /// `end_session`: by the holding agent, or by the admin (`agent` nil) in any phase.
    package func endSession(by agent: AgentID?, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        if let agent, session.ownership.holder != agent { throw .notHolder }
        turn.closeSession(event: "SessionEnd", message: config.desk.closure.closureMessage, by: agent == nil ? .admin : .seat)
        return turn.finished
    }

    /// A queued session tries again to reach an agent (capacity freed, an agent came online);
    /// with `position`, a changed queue position is announced (at most every 5 s).
    package func retryAssignment(state: ConversationState, position: Int? = nil, context: Context) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        turn.retryFromQueue(position: position)
        return turn.finished
    }

    /// A queued session that may not be assigned yet (someone older waits first) hears its new position.
    package func announcePosition(state: ConversationState, position: Int, context: Context) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        if turn.state.queuePosition != nil { turn.announcePosition(position, force: false) }
        return turn.finished
    }

    /// Timers that are due at `context.now`: an agent's typing indicator stops; an offer nobody
    /// accepted is redirected or queued; a session the user left unanswered closes.
    package func tick(state: ConversationState, context: Context) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        if let until = turn.state.session?.typingUntil, context.now >= until { turn.stopAgentTyping() }
        if let until = turn.state.session?.offer?.until, context.now >= until { turn.offerExpired() }
        if let deadline = turn.state.session?.idleDeadline, context.now >= deadline { turn.userTimedOut() }
        return turn.finished
    }

    /// `accept_session`: only the agent the session is offered to.
    package func accept(by agent: AgentID, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard session.ownership.offeree == agent, let offer = session.offer, let profile = config.desk.agent(agent) else {
            if session.ownership.holder == agent { return turn.finished }  // accepting twice changes nothing
            // Someone else's session (offered or held) is "not the holder"; a bot or queued session is the wrong state.
            throw session.ownership.offeree == nil && session.ownership.holder == nil ? .notAllowedInState(session.deskState) : .notHolder
        }
        turn.record(strategy: "reception", candidates: [agent], agent: agent, outcome: "accepted", reason: "")
        turn.assign(profile, limit: offer.limit, alreadyOccupied: true)
        return turn.finished
    }

    /// An agent starts a chat with a website visitor (`proactive`, from the desk settings; seed 001 "Agent
    /// Proactively Contacts Chat Users"): only when enabled, only on the website channel (Google
    /// lets a business speak first only inside a conversation the user opened), and only while
    /// no session is open; the agent must be Available with room under its limit.
    package func contact(by agent: AgentID, proactive: DeskConfig.Proactive, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        guard proactive.enabled else { throw .notAllowedInState("ProactiveContactOff") }
        guard state.key.isWebChannel else { throw .notAllowedInState("NotAWebsiteVisitor") }
        guard state.session == nil else { throw .notAllowedInState(state.session!.deskState) }
        guard let profile = config.desk.agent(agent) else { throw .unknownAgentOrGroup }
        var turn = Turn(engine: self, state: state, context: context)
        guard let snapshot = turn.context.routing.agent(agent),
              AssignmentRouter.isUsable(snapshot, group: nil, limit: turn.limit(profile.skillGroups.first?.id)) else {
            throw .notAllowedInState("AgentNotAvailable")
        }
        turn.startProactive(profile, waiting: TimeInterval(proactive.timeoutSeconds))
        return turn.finished
    }

    /// `transfer_to_human` (Tencent API): from the bot, to the listed agents, else the group.
    /// Returns the step and whether the session ended up queued.
    package func transferToHuman(agentIdList: [AgentID], group: SkillGroupID?, sendTipIfNoAgentOnline: Bool,
                                 state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard session.ownership.owner == .bot else { return turn.finished }  // already with (or waiting for) a human
        if let group, config.desk.skillGroup(group) == nil { throw .unknownAgentOrGroup }
        let target = group ?? session.skillGroup ?? config.desk.assignment.defaultSkillGroup
        turn.state.session!.skillGroup = target
        turn.state.session!.flow.waitingAt = nil
        turn.notify("Transfer.Requested")
        turn.say([.text(Template.render(config.desk.prompts.connecting, turn.variables()))], as: .bot)
        turn.sendsFailedPrompt = sendTipIfNoAgentOnline
        turn.place(AssignHumanAnswer(agentIdList: agentIdList, agentGroupId: target, failure: nil, latencyMs: 0), group: target, strategy: "api")
        return turn.finished
    }

    /// `transfer_session`: the holding agent (or the admin) hands the session to an agent or a group.
    /// The old segment ends with LEFT; the new one begins with JOINED.
    package func transferSession(by agent: AgentID?, toAgent: AgentID?, toGroup: SkillGroupID?, state: ConversationState, context: Context) throws(DeskCommandError) -> Step {
        var turn = Turn(engine: self, state: state, context: context)
        guard let session = turn.state.session else { throw .notAllowedInState("NotInSession") }
        guard let holder = session.ownership.holder else { throw .notAllowedInState(session.deskState) }
        if let agent, agent != holder { throw .notHolder }
        if let toGroup, config.desk.skillGroup(toGroup) == nil { throw .unknownAgentOrGroup }
        if let toAgent {
            guard let profile = config.desk.agent(toAgent) else { throw .unknownAgentOrGroup }
            let group = toGroup ?? profile.skillGroups.first?.id ?? config.desk.assignment.defaultSkillGroup
            let limit = config.desk.skillGroup(group)?.receptionLimit ?? 1
            guard toAgent != holder, let snapshot = turn.context.routing.agent(toAgent), AssignmentRouter.isUsable(snapshot, group: nil, limit: limit) else {
                throw .notAllowedInState("\(toAgent) cannot take the session now")
            }
            turn.step.effects.append(.release(holder))
            turn.state.session!.skillGroup = group
            turn.place(profile, group: group, strategy: "transfer", candidates: [toAgent], reason: "transferred by \(holder)", latencyMs: nil)
            return turn.finished
        }
        let group = toGroup ?? session.skillGroup ?? config.desk.assignment.defaultSkillGroup
        turn.step.effects.append(.release(holder))
        var routing = turn.context.routing
        if let index = routing.agents.firstIndex(where: { $0.id == holder }) { routing.agents[index].load = max(routing.agents[index].load - 1, 0) }
        turn.context.routing = routing
        turn.state.session!.skillGroup = group
        turn.routeBuiltIn(group: group, strategy: "transfer", reason: "transferred by \(holder)", excluding: [holder])
        return turn.finished
    }

    package var botRepresentative: Representative {
        Representative(.BOT, displayName: config.channel.bot.displayName, avatarImage: config.channel.bot.avatarImage)
    }

    func flowName(for agent: String) -> String {
        config.flowName(forAgent: agent)
    }

    /// The flow a session's cursor runs on: the version it started on while this process keeps
    /// it, else the current one.
    func flowEngine(for cursor: FlowCursor, agent: String) -> FlowEngine? {
        let flows = cursor.version.flatMap { retiredFlows[$0] } ?? config.flows
        return (flows.flows[cursor.flow] ?? config.flows.flows[flowName(for: agent)]).map { FlowEngine(flow: $0, schedule: schedule) }
    }
}
