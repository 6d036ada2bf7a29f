import Foundation

/// One step of a conversation being worked out: the state so far and the effects so far.
///
/// Effects are appended in the order they must go out, which is how JOINED comes before a
/// human's first message and LEFT before the closure message.
struct Turn {
    let engine: ConversationEngine
    var context: ConversationEngine.Context
    var step: ConversationEngine.Step
    /// Whether a transfer that finds nobody online tells the user (`SendTipIfNoAgentOnline`).
    var sendsFailedPrompt = true
    /// The Google `messageId` of the user message being handled, kept with its record.
    var inboundMessageId: String?

    init(engine: ConversationEngine, state: ConversationState, context: ConversationEngine.Context) {
        self.engine = engine
        self.context = context
        self.step = .init(state: state, effects: [], sent: nil)
    }

    /// The step as the engine hands it out.
    var finished: ConversationEngine.Step {
        var finished = step
        finished.needsRouting = context.missedRouting
        return finished
    }

    var state: ConversationState {
        get { step.state }
        set { step.state = newValue }
    }

    private var config: DeskBridgeConfig { engine.config }

    // MARK: - User events

    /// A user message: it starts a session, or goes to the holding agent, or to the flow.
    mutating func userSaid(_ body: MsgElement, input: FlowInput) {
        if let card = state.ratingCard, card.score == nil, context.now < card.expiresAt, let text = input.text,
            let score = ratingAnswer(postback: nil, text: text) {
            rate(score, raw: text)
            return
        }
        let keyword = config.desk.closure.userEndKeyword
        if let session = state.session, session.ownership.holder != nil, !keyword.isEmpty,
            input.text?.trimmingCharacters(in: .whitespaces).lowercased() == keyword.lowercased() {
            recordUser(body)
            notify("Agent.UserSendMsg", agent: session.ownership.holder, body: [body])
            closeSession(event: "SessionEnd", message: config.desk.closure.closureMessage, by: .client)
            return
        }
        if let session = state.session, !session.agentIds.isEmpty, config.desk.satisfaction.userMayRequest,
            input.text?.lowercased() == config.desk.satisfaction.requestPhrase.lowercased() {
            offerRating(for: session.id)
            return
        }
        state.session?.idleDeadline = nil
        state.session?.proactiveUntil = nil
        state.session?.userTypingUntil = nil
        guard let session = state.session else {
            startSession()
            recordUser(body)
            notify("ChatBot.UserSendMsg", body: [body])
            runFlow { engine, cursor, scope in engine.start(&cursor, &scope) }
            return
        }
        recordUser(body)
        switch session.ownership.owner {
        case .agent(let agent):
            let now = context.now
            if state.session?.userWaitingSince == nil { state.session?.userWaitingSince = now }
            notify("Agent.UserSendMsg", agent: agent, body: [body])
        case .queued, .offered, .closed:
            notify("ChatBot.UserSendMsg", body: [body])
        case .bot where session.choosingGroup:
            notify("ChatBot.UserSendMsg", body: [body])
            chooseGroup(input.text ?? "")
        case .bot where session.pendingAssignment != nil:
            notify("ChatBot.UserSendMsg", body: [body])  // waiting for the assignment webhook
        case .bot:
            notify("ChatBot.UserSendMsg", body: [body])
            runFlow { engine, cursor, scope in engine.receive(input, &cursor, &scope) }
        }
    }

    /// A chip tap: back to the exact item text via the remembered menu (R3); URL chips are no-ops;
    /// rating chips rate.
    mutating func userTapped(_ tap: SuggestionResponse) {
        let postback = tap.postbackData.flatMap(Postback.init)
        guard postback?.kind != .url else { return }
        let visible = tap.text ?? ""
        if let postback, postback.kind == .satisfaction {
            if let score = ratingAnswer(postback: postback, text: visible) { rate(score, raw: postback.encoded) } else { staleRating(postback.encoded) }
            return
        }
        guard let postback, let menu = state.session?.openMenu, menu.ref == postback.ref, menu.items.indices.contains(postback.index) else {
            userSaid(.text(visible), input: .text(visible))
            return
        }
        let exact = menu.items[postback.index]
        userSaid(.text(exact), input: .chip(ref: postback.ref, index: postback.index, text: exact))
    }

    /// A src 27 from the website's page: the visitor ends the human part of the session (as
    /// typing `closure.userEndKeyword` does). With the bot it means nothing and changes nothing.
    mutating func userEndedHumanSession() {
        guard let session = state.session, session.ownership.holder != nil || session.ownership.offeree != nil || session.queuedAt != nil else { return }
        closeSession(event: "SessionEnd", message: config.desk.closure.closureMessage, by: .client)
    }

    /// `userStatus.requestedLiveAgent`: begins a session if needed and goes straight to transfer.
    mutating func userAskedForHuman() {
        if state.session == nil { startSession() }
        guard state.session?.ownership.owner == .bot, state.session?.pendingAssignment == nil, state.session?.choosingGroup == false else { return }
        state.session!.flow.waitingAt = nil
        transfer(to: state.session?.skillGroup ?? config.desk.assignment.defaultSkillGroup)
    }

    mutating func userTyping(_ typing: Bool) {
        guard state.session != nil else { return }
        let until = typing ? context.now.addingTimeInterval(Self.typingPause) : nil
        state.session?.userTypingUntil = until
        let value = typing ? "1" : "0"
        if let last = state.typingNotifiedAt[value], context.now.timeIntervalSince(last) < 3 { return }
        state.typingNotifiedAt[value] = context.now
        var event = makeEvent("User.Typing")
        event.Typing = typing ? 1 : 0
        step.effects.append(.notify(event))
    }

    // MARK: - Session lifecycle

    /// `welcome`: whether `prompts.welcome` greets the user (not when an agent starts the session).
    mutating func startSession(welcome: Bool = true) {
        state.sessionCount += 1
        let id = SessionID.derive(conversation: state.key, ordinal: state.sessionCount)
        state.session = Session(id: id, startedAt: context.now, flow: FlowCursor(flow: engine.flowName(for: state.key.agent), version: config.flows.version))
        state.lastSessionId = id
        state.typingNotifiedAt = [:]
        notify("SessionBegin")
        if welcome, let welcome = config.desk.prompts.welcome, !welcome.isEmpty {
            say([.text(Template.render(welcome, variables()))], as: .bot)
        }
    }

    /// Who ends a session, as Tencent's SDK tells it (`sessionEnded.closeBy`).
    enum CloseBy: String { case client, seat, admin, timer }

    mutating func closeSession(event: String, message: String?, by closer: CloseBy) {
        guard var session = state.session else { return }
        let holder = session.ownership.holder
        let offeree = session.ownership.offeree
        let framing = session.ownership.close()
        state.session = session
        frame(framing, previous: holder)
        if let agent = holder ?? offeree { step.effects.append(.release(agent)) }
        if let message, !message.isEmpty { say([.text(Template.render(message, variables()))], as: .bot) }
        notify(event, agent: holder, closeBy: closer)
        let now = context.now
        guard let ended = state.session else { return }
        let summary = SessionSummary(ended, state: event == "SessionTimeout" ? "Timeout" : "Ended", endTime: now, closeBy: closer.rawValue)
        step.effects.append(.archive(summary))
        state.lastEnded = summary
        state.session = nil
        if !ended.agentIds.isEmpty, config.desk.satisfaction.sendAfterEnd, ended.satisfaction == nil { offerRating(for: ended.id) }
    }

    // MARK: - Flow

    /// Runs one flow operation on the session's cursor and variables, then carries out its effects.
    mutating func runFlow(_ operation: (FlowEngine, inout FlowCursor, inout FlowEngine.Scope) -> [FlowEffect]?) {
        guard let session = state.session else { return }
        guard let engine = engine.flowEngine(for: session.flow, agent: state.key.agent) else {
            closeSession(event: "SessionEnd", message: nil, by: .admin)
            return
        }
        var cursor = session.flow
        var scope = FlowEngine.Scope(variables: session.variables, system: systemVariables(), now: context.now)
        let effects = operation(engine, &cursor, &scope)
        state.session!.flow = cursor
        state.session!.variables = scope.variables
        apply(effects ?? [])
    }

    mutating func apply(_ effects: [FlowEffect]) {
        for effect in effects {
            guard state.session != nil else { return }
            switch effect {
            case .say(let message):
                if let desk = message.desk {
                    say(desk, as: .bot)
                } else if case .text(let text) = message {
                    say([.text(text)], as: .bot)
                }
                // The node now waiting answers chips of the menu it just sent.
                let ref = state.session?.openMenu?.ref
                state.session?.flow.menuRef = ref
            case .transfer(let group):
                transfer(to: group)
            case .callInterface(let call):
                step.effects.append(.callInterface(call, session: state.session!.id))
            case .end:
                closeSession(event: "SessionEnd", message: nil, by: .admin)
            }
        }
    }

    // MARK: - Handing back
    /// The human part is over without ending the session: back to the bot, where the flow left off.
    mutating func handBackToBot() {
        var session = state.session!
        let agent = session.ownership.holder ?? session.ownership.offeree
        let framing = session.ownership.returnToBot()
        session.offer = nil
        session.queuedAt = nil
        state.session = session
        frame(framing, previous: agent)
        if let agent { step.effects.append(.release(agent)) }
        runFlow { engine, cursor, scope in engine.resumeAfterTransfer(&cursor, &scope) }
    }

    // MARK: - Output

    /// Sends a desk custom message DeskBridge built itself, rendered for Google from its value
    /// rather than parsed back from the JSON just made of it.
    @discardableResult
    mutating func say(_ message: DeskCustomMessage, as sender: Ownership.Sender) -> String {
        say([.custom(message)], parsed: [message], as: sender)
    }

    /// Sends a desk message to the user as `sender`; returns its MsgKey. `parsed` holds the payloads
    /// of custom elements built here (see `TencentToGoogle.render`).
    @discardableResult
    mutating func say(_ body: [MsgElement], parsed: [DeskCustomMessage?] = [], as sender: Ownership.Sender, cloudCustomData: String? = nil) -> String {
        state.outboundSeq += 1
        let msgKey = "\(state.outboundSeq)_\(Hex.ref12(state.key.storageKey).prefix(8))_\(Int64(context.now.timeIntervalSince1970))"
        let bot = engine.botRepresentative
        let representative = (try? state.session?.ownership.representative(for: sender, bot: bot)) ?? bot
        let rendering = TencentToGoogle.render(body, parsed: parsed, msgKey: msgKey, as: representative, offerLiveAgent: state.session?.ownership.owner == .bot)
        if !rendering.messages.isEmpty {
            // A message ends the agent's typing indicator, and starts the wait for the user's answer.
            if case .agent = sender, state.session?.typingUntil != nil { stopAgentTyping() }
            if case .agent = sender { state.session?.userWaitingSince = nil }
            if let owner = state.session?.ownership.owner, owner == .bot || owner.isAgent {
                let deadline = context.now.addingTimeInterval(TimeInterval(config.desk.closure.userTimeoutSeconds))
                // A session an agent started waits for the user's first answer until its own deadline.
                let proactive = state.session?.proactiveUntil
                state.session?.idleDeadline = proactive ?? deadline
            }
        }
        if let menu = rendering.menu {
            state.session?.openMenu = menu
            if menu.kind == Postback.Kind.satisfaction.rawValue, case .agent = sender, let session = state.session {
                // An agent's invitation (src 9) is answered like DeskBridge's own card.
                let card = parsed.lazy.compactMap { message -> DeskCustomMessage.SatisfactionCard? in
                    if case .satisfaction(let card)? = message { card } else { nil }
                }.first
                state.ratingCard = RatingCard(session: session.id, ref: menu.ref, options: menu.items,
                                              expiresAt: context.now.addingTimeInterval(TimeInterval(config.desk.satisfaction.validityHours) * 3_600),
                                              cardId: card?.sessionId, optionIds: card?.menu.map(\.id))
            }
        }
        step.dropped += rendering.dropped
        step.effects += rendering.messages.map { .google(.message($0)) }
        // After a session ended (its rating card, the thanks) the message still belongs to it.
        if let session = state.session?.id ?? state.lastSessionId {
            let agent: AgentID? = if case .agent(let id) = sender { id } else { nil }
            step.effects.append(.record(MessageRecord(session: session, time: context.now, direction: .Out, sender: agent == nil ? .Bot : .Agent,
                                                      agentId: agent, msgKey: msgKey, msgBody: body, callIds: rendering.messages.map(\.messageId))))
        }
        if !rendering.messages.isEmpty || rendering.signals.isEmpty {
            switch sender {
            case .bot: notify("ChatBot.RobotSendMsg", body: body, msgKey: msgKey, cloudCustomData: cloudCustomData)
            case .agent(let agent): notify("Agent.AgentSendMsg", agent: agent, body: body, msgKey: msgKey, cloudCustomData: cloudCustomData)
            }
        }
        for signal in rendering.signals { act(on: signal, representative: representative) }
        return msgKey
    }

    /// Control kinds (19, 20, 26, 12/31/35) drive the ownership state machine instead of showing.
    mutating func act(on signal: TencentToGoogle.Signal, representative: Representative) {
        switch signal {
        case .sessionEnded:
            closeSession(event: "SessionEnd", message: config.desk.closure.closureMessage, by: representative.representativeType == .HUMAN ? .seat : .admin)
        case .sessionTimedOut: closeSession(event: "SessionTimeout", message: config.desk.closure.timeoutMessage, by: .timer)
        case .seatStatus(inSeat: false): if state.session?.ownership.holder != nil { handBackToBot() }
        case .seatStatus(inSeat: true): break  // the sender already holds the session
        case .typing(let started):
            event(started ? .TYPING_STARTED : .TYPING_STOPPED, representative: representative)
            if representative.representativeType == .HUMAN {
                // The desk never says when an agent stops typing (src 12 has no "stop"): stop it after a pause.
                let until = started ? context.now.addingTimeInterval(Self.typingPause) : nil
                state.session?.typingUntil = until
            }
        }
    }

    static var typingPause: TimeInterval { 5 }
    /// What a user types to ask for the rating card (`satisfaction.userMayRequest`).

    /// Keeps the user's message in the session's records.
    /// A message a human holder has not yet seen waits for its READ receipt (`markRead`).
    /// `in`: the ended session a late answer belongs to (a rating after the end), when none is open.
    mutating func recordUser(_ body: MsgElement, in ended: SessionID? = nil) {
        let messageId = inboundMessageId.flatMap { $0.isEmpty ? nil : $0 }
        guard let session = state.session else {
            guard let ended else { return }
            step.effects.append(.record(MessageRecord(session: ended, time: context.now, direction: .In, sender: .User, agentId: nil,
                                                      msgKey: userMsgKey(messageId), msgBody: [body], callIds: messageId.map { [$0] } ?? [])))
            return
        }
        step.effects.append(.record(MessageRecord(session: session.id, time: context.now, direction: .In, sender: .User, agentId: nil,
                                                  msgKey: userMsgKey(messageId), msgBody: [body], callIds: messageId.map { [$0] } ?? [])))
        if let messageId, session.ownership.holder != nil { state.session!.unread = (session.unread ?? []) + [messageId] }
    }

    /// A user message's MsgKey: unique in its conversation, the same on every replay. The channel's
    /// message id when it has one; else (taps, ratings) the desk's message count and the time.
    private func userMsgKey(_ messageId: String?) -> String {
        if let messageId { return "in-\(messageId)" }
        return "in-\(state.outboundSeq)-\(Int64((context.now.timeIntervalSince1970 * 1_000).rounded()))"
    }

    /// Stops an agent's typing indicator (its message went out, or it paused).
    mutating func stopAgentTyping() {
        guard state.session?.typingUntil != nil, let human = state.session?.ownership.human else { return }
        state.session?.typingUntil = nil
        event(.TYPING_STOPPED, representative: human)
    }

    /// The user did not answer the last bot or agent message within `closure.userTimeoutSeconds`.
    mutating func userTimedOut() {
        guard let owner = state.session?.ownership.owner, owner == .bot || owner.isAgent else {
            state.session?.idleDeadline = nil  // waiting on the desk (queue, offer): not the user's silence
            return
        }
        closeSession(event: "SessionTimeout", message: config.desk.closure.timeoutMessage, by: .timer)
    }

    /// Turns ownership framing into Google events with deterministic ids. In the desk's terms
    /// each is a src 26 (`updateSeatStatus` `inSeat` / `outSeat`, seeds 000 and 001) sent to
    /// the user, and the records keep it so, with the event's delivery.
    /// `previous`: who held the session before the change (the one a LEFT is about).
    mutating func frame(_ effects: [Ownership.Effect], previous: AgentID?) {
        for effect in effects {
            let (kind, inSeat, rep): (GoogleEvent.Kind, Bool, Representative) = switch effect {
            case .joined(let rep): (.REPRESENTATIVE_JOINED, true, rep)
            case .left(let rep): (.REPRESENTATIVE_LEFT, false, rep)
            }
            guard let eventId = event(kind, representative: rep), let session = state.session else { continue }
            step.effects.append(.record(MessageRecord(session: session.id, time: context.now, direction: .Out, sender: .Bot,
                                                      agentId: inSeat ? session.ownership.holder : previous, msgKey: "seat-\(session.eventSeq)",
                                                      msgBody: [.custom(.seatStatus(inSeat: inSeat))], callIds: [eventId])))
        }
    }

    @discardableResult
    mutating func event(_ kind: GoogleEvent.Kind, representative: Representative) -> String? {
        guard state.session != nil else { return nil }
        state.session!.eventSeq += 1
        let name = kind.rawValue.split(separator: "_").last!.lowercased()
        let eventId = "ev-\(Hex.ref12(state.session!.id.rawValue))-\(name)-\(state.session!.eventSeq)"
        step.effects.append(.google(.event(eventId: eventId, GoogleEvent(eventType: kind, representative: representative))))
        return eventId
    }

    mutating func notify(_ event: String, agent: AgentID? = nil, body: [MsgElement] = [], msgKey: String = "", cloudCustomData: String? = nil,
                         forwardedFrom: AgentID? = nil, closeBy: CloseBy? = nil) {
        guard state.session != nil else { return }
        var notification = makeEvent(event)
        notification.AgentId = agent?.rawValue ?? ""
        notification.ForwardFromAgentId = forwardedFrom?.rawValue ?? ""
        notification.MsgBody = body
        notification.MsgKey = msgKey
        notification.CloudCustomData = cloudCustomData ?? ""
        notification.CloseBy = closeBy?.rawValue
        step.effects.append(.notify(notification))
    }

    private mutating func makeEvent(_ event: String) -> SessionEventNotification {
        state.session!.eventSeq += 1
        let session = state.session!
        var notification = SessionEventNotification(session: session.id, event: event, at: context.now, user: state.clientUserId,
                                                    requestId: "\(session.id.rawValue)-\(session.eventSeq)")
        notification.ChannelType = state.key.channelType
        return notification
    }

    /// System variables (CONTRACT §2).
    func systemVariables() -> [String: String] {
        var vars: [String: String] = [
            "SystemClientUserID": state.clientUserId.rawValue,
            "UserName": state.profile.displayName ?? "",
            "Locale": state.profile.locale ?? "",
            "EntryPoint": state.profile.entryPoint ?? "",
            "PlaceId": state.profile.placeId ?? "",
            "ChannelId": state.key.agent,
            "ChannelName": state.key.webAppId.flatMap { config.webChannel($0)?.name } ?? config.channel.bot.displayName,
        ]
        // The seeds' names for the same two.
        vars["ClientAppID"] = vars["ChannelId"]
        vars["ClientAppName"] = vars["ChannelName"]
        if let session = state.session { vars["SystemSessionId"] = session.id.rawValue }
        return vars
    }

    /// System variables overlaid with the session's flow variables.
    func variables() -> [String: String] {
        systemVariables().merging(state.session?.variables ?? [:]) { _, flow in flow }
    }
}
