import Foundation

/// Transfer, routing, queueing and reception: how a session gets to a human.
extension Turn {
    private var desk: DeskConfig { engine.config.desk }
    private var rules: RoutingRules { RoutingRules(order: desk.routing.order, preferLastReceptionist: desk.routing.preferLastReceptionist) }
    func limit(_ group: SkillGroupID?) -> Int {
        (group.flatMap(desk.skillGroup) ?? desk.skillGroup(desk.assignment.defaultSkillGroup))?.receptionLimit ?? 1
    }

    /// A transfer asked for by the flow or the user. `group` nil: the strategy decides (userChoice asks).
    mutating func transfer(to group: SkillGroupID?) {
        if group == nil, desk.assignment.strategy == .userChoice, desk.skillGroups.count > 1 {
            askForGroup()
            return
        }
        let group = group ?? desk.assignment.defaultSkillGroup
        state.session!.skillGroup = group
        state.session!.missedOffers = nil  // a new transfer: everyone may be offered it again
        notify("Transfer.Requested")
        say([.text(Template.render(desk.prompts.connecting, variables()))], as: .bot)
        if !engine.schedule.isOpen(at: context.now) {
            say([.text(Template.render(desk.workingHours.afterHoursReply, variables()))], as: .bot)
            record(strategy: desk.assignment.strategy.rawValue, candidates: [], agent: nil, outcome: "afterHours", reason: "outside working hours")
            notify("Transfer.Failed")
            handBackToBot()
            return
        }
        if desk.assignment.strategy == .webhook {
            requestAssignment(group: group)
            return
        }
        routeBuiltIn(group: group, strategy: desk.assignment.strategy.rawValue, reason: "")
    }

    /// `userChoice`: the user picks a skill group from a menu of their names.
    mutating func askForGroup() {
        state.session!.choosingGroup = true
        let items = desk.skillGroups.map { DeskCustomMessage.Menu.Item(content: $0.name) }
        say(.branch(.init(header: desk.assignment.userChoicePrompt, items: items, tail: nil)), as: .bot)
    }

    /// The answer to `askForGroup`: a group name (or its chip) transfers there; anything else asks again.
    mutating func chooseGroup(_ text: String) {
        guard let group = desk.skillGroups.first(where: { $0.name == text || $0.name.lowercased() == text.lowercased() }) else {
            askForGroup()
            return
        }
        state.session!.choosingGroup = false
        transfer(to: group.id)
    }

    mutating func requestAssignment(group: SkillGroupID) {
        let session = state.session!
        let requestId = "assign-\(session.id.rawValue.prefix(8))-\(session.eventSeq + 1)"
        state.session!.eventSeq += 1
        state.session!.pendingAssignment = PendingAssignment(requestId: requestId, group: group, requestedAt: context.now)
        step.effects.append(.requestAssignment(AssignHumanRequest(
            session: session.id, user: state.clientUserId, at: context.now, key: state.key, profile: state.profile, group: group,
            variables: session.variables, lastAgent: state.lastAgentId, requestId: requestId)))
    }

    /// The business server answered (or failed to) the request still pending.
    mutating func assignmentAnswered(_ answer: AssignHumanAnswer, requestId: String) {
        guard let pending = state.session?.pendingAssignment, pending.requestId == requestId,
            state.session?.ownership.owner == .bot
        else { return }
        state.session!.pendingAssignment = nil
        place(answer, group: pending.group, strategy: "webhook")
    }

    /// Places the session from a list of agents and/or a group (a webhook answer, or the
    /// `transfer_to_human` API): list first, then group, else the fallback strategy.
    mutating func place(_ answer: AssignHumanAnswer, group requested: SkillGroupID, strategy: String) {
        let agents = context.routing.agents
        if answer.failure == nil,
            let agentId = AssignmentRouter.resolve(agentIdList: answer.agentIdList, agentGroupId: answer.agentGroupId, agents: agents, rules: rules,
                                                   limit: limit, lastReceptionist: state.lastAgentId),
            let agent = desk.agent(agentId) {
            let group = answer.agentGroupId ?? requested
            state.session!.skillGroup = group
            place(agent, group: group, strategy: strategy, candidates: answer.agentIdList, reason: "", latencyMs: answer.latencyMs)
            return
        }
        let reason = answer.failure ?? (answer.agentIdList.isEmpty && answer.agentGroupId == nil ? "answer named nobody" : "nobody named is usable")
        let group = answer.failure == nil ? (answer.agentGroupId ?? requested) : requested
        guard strategy == "webhook" else {
            routeBuiltIn(group: group, strategy: strategy, reason: reason)
            return
        }
        record(strategy: strategy, candidates: answer.agentIdList, agent: nil, outcome: "fallback", reason: reason, latencyMs: answer.latencyMs)
        if desk.assignment.fallback == .userChoice, desk.skillGroups.count > 1 {
            askForGroup()
        } else {
            routeBuiltIn(group: group, strategy: "fallback:\(desk.assignment.fallback.rawValue)", reason: reason)
        }
    }

    /// The built-in rules inside `group`: nobody online fails; sessions already waiting in the group
    /// go first (FIFO); somebody usable is placed; else the queue.
    mutating func routeBuiltIn(group: SkillGroupID, strategy: String, reason: String, excluding: Set<AgentID> = []) {
        guard AssignmentRouter.anyoneOnline(in: group, agents: context.routing.agents) else {
            if sendsFailedPrompt { say([.text(Template.render(desk.prompts.failed, variables()))], as: .bot) }
            record(strategy: strategy, candidates: [], agent: nil, outcome: "failed", reason: reason.isEmpty ? "nobody online" : reason)
            notify("Transfer.Failed")
            handBackToBot()
            return
        }
        let waiting = context.routing.queueLengths[group] ?? 0
        if waiting == 0,
            let agentId = AssignmentRouter.automatic(group: group, limit: limit(group), agents: context.routing.agents, rules: rules,
                                                     lastReceptionist: state.lastAgentId, excluding: excluding),
            let agent = desk.agent(agentId) {
            place(agent, group: group, strategy: strategy, candidates: [], reason: reason, latencyMs: nil)
            return
        }
        enqueue(group: group, strategy: strategy, reason: reason.isEmpty ? (waiting > 0 ? "others are already waiting" : "everyone busy or at capacity") : reason)
    }

    /// Automatic reception: the agent holds the session at once. Manual: it is offered until the deadline.
    mutating func place(_ agent: DeskConfig.Agent, group: SkillGroupID, strategy: String, candidates: [AgentID], reason: String, latencyMs: Int?) {
        let limit = limit(group)
        if desk.reception.automatic {
            record(strategy: strategy, candidates: candidates, agent: agent.id, outcome: "assigned", reason: reason, latencyMs: latencyMs)
            assign(agent, limit: limit)
            return
        }
        var session = state.session!
        let previous = session.ownership.holder
        let framing = session.ownership.offer(to: agent.id)
        session.offer = Offer(agent: agent.id, until: context.now.addingTimeInterval(TimeInterval(desk.reception.acceptTimeoutSeconds)), limit: limit)
        session.queuedAt = nil
        state.session = session
        step.effects.append(.occupy(agent.id, limit: limit))
        frame(framing, previous: previous)
        record(strategy: strategy, candidates: candidates, agent: agent.id, outcome: "offered", reason: reason, latencyMs: latencyMs)
        notify("Transfer.Offered", agent: agent.id)
    }

    /// An agent starts a session with a website visitor it may reach (proactive contact): the
    /// agent joins at once, and the session waits `waiting` seconds for the visitor's answer.
    mutating func startProactive(_ agent: DeskConfig.Agent, waiting: TimeInterval) {
        startSession(welcome: false)
        let group = agent.skillGroups.first?.id
        state.session!.skillGroup = group
        let until = context.now.addingTimeInterval(waiting)
        state.session!.proactiveUntil = until
        record(strategy: "proactive", candidates: [agent.id], agent: agent.id, outcome: "assigned", reason: "")
        assign(agent, limit: limit(group))
        state.session!.idleDeadline = until
    }

    /// The agent takes the session: JOINED, then the connected prompt.
    mutating func assign(_ agent: DeskConfig.Agent, limit: Int, alreadyOccupied: Bool = false) {
        var session = state.session!
        let forwardedFrom = session.ownership.holder
        let framing = session.ownership.assign(to: agent.id, as: agent.representative)
        session.queuedAt = nil
        session.offer = nil
        session.missedOffers = nil
        session.announcedPosition = nil
        session.variables["StaffNo"] = agent.staffNo
        session.variables["StaffNickName"] = agent.nickname
        session.agentIds.append(agent.id)
        state.session = session
        state.lastAgentId = agent.id
        if !alreadyOccupied { step.effects.append(.occupy(agent.id, limit: limit)) }
        frame(framing, previous: forwardedFrom)
        say([.text(Template.render(desk.prompts.connected, variables()))], as: .bot)
        var event = "Transfer.Succeeded"
        if forwardedFrom != nil { event = "Agent.Reassigned" }
        notify(event, agent: agent.id, forwardedFrom: forwardedFrom)
    }

    mutating func enqueue(group: SkillGroupID, strategy: String, reason: String) {
        var session = state.session!
        let previous = session.ownership.holder
        let framing = session.ownership.queue(in: group)
        session.queuedAt = session.queuedAt ?? context.now
        session.offer = nil
        state.session = session
        frame(framing, previous: previous)
        record(strategy: strategy, candidates: [], agent: nil, outcome: "queued", reason: reason)
        state.session!.announcedPosition = nil
        notify("Transfer.Queued")
    }

    /// Tells a queued user its position: the first time at once, then on changes at most every 5 s.
    ///
    /// Positions come from the queue drain, which walks each group's queue in order; a position
    /// worked out while many sessions enqueue at once would be stale.
    mutating func announcePosition(_ position: Int, force: Bool = false) {
        guard let session = state.session, position >= 1 else { return }
        if !force, session.announcedPosition != nil {
            guard session.announcedPosition != position else { return }
            if let at = session.announcedAt, context.now.timeIntervalSince(at) < Self.positionPromptInterval { return }
        }
        state.session!.variables["QueuePosition"] = String(position)
        state.session!.variables["WaitNo"] = String(position - 1)
        state.session!.announcedPosition = position
        state.session!.announcedAt = context.now
        say([.text(Template.render(desk.queue.prompt, variables()))], as: .bot)
    }

    static var positionPromptInterval: TimeInterval { 5 }

    /// A queued session tries again; `position` updates the prompt. Agents who let its offer
    /// expire are skipped until the group's agents change (`MissedOffers`), and the recorded
    /// reason says what made the placement possible.
    mutating func retryFromQueue(position: Int?) {
        guard case .queued(let group) = state.session?.ownership.owner else { return }
        var excluding: Set<AgentID> = []
        var reason = "an agent has room"
        if let missed = state.session?.missedOffers {
            if let change = missed.change(in: context.routing, group: group) {
                // Everyone may be offered it again; what is seen now is the base for the next change.
                reason = change
                state.session!.missedOffers = MissedOffers(agents: [], seen: MissedOffers.signature(context.routing, group: group))
            } else if !missed.agents.isEmpty {
                excluding = Set(missed.agents)
                reason = "an agent who has not been offered it has room"
            }
        }
        if let agentId = AssignmentRouter.automatic(group: group, limit: limit(group), agents: context.routing.agents, rules: rules,
                                                    lastReceptionist: state.lastAgentId, excluding: excluding),
            let agent = desk.agent(agentId) {
            place(agent, group: group, strategy: "queue", candidates: [], reason: reason, latencyMs: nil)
        } else if let position {
            announcePosition(position, force: false)
        }
    }

    /// The offer deadline passed: free the agent (and send it to Rest), then redirect or queue.
    mutating func offerExpired() {
        guard let offer = state.session?.offer, context.now >= offer.until else { return }
        let group = state.session?.skillGroup ?? desk.assignment.defaultSkillGroup
        step.effects.append(.release(offer.agent))
        if desk.reception.breakOnTimeout { step.effects.append(.setAgentStatus(offer.agent, .Rest)) }
        var routing = context.routing
        if let index = routing.agents.firstIndex(where: { $0.id == offer.agent }) {
            routing.agents[index].load = max(routing.agents[index].load - 1, 0)
            if desk.reception.breakOnTimeout { routing.agents[index].status = .Rest }
        }
        record(strategy: "reception", candidates: [offer.agent], agent: nil, outcome: "timeout",
               reason: "not accepted within \(desk.reception.acceptTimeoutSeconds) s")
        context.routing = routing  // the freed (and resting) agent, as the commit will leave it
        var missed = state.session?.missedOffers?.agents ?? []
        if !missed.contains(offer.agent) { missed.append(offer.agent) }
        state.session!.missedOffers = MissedOffers(agents: missed, seen: MissedOffers.signature(routing, group: group))
        if desk.reception.redirectOnTimeout {
            routeBuiltIn(group: group, strategy: "redirect", reason: "offer to \(offer.agent) timed out", excluding: Set(missed))
        } else {
            enqueue(group: group, strategy: "reception", reason: "offer to \(offer.agent) timed out")
        }
        if state.session?.offer?.agent == offer.agent { state.session!.offer = nil }
    }

    mutating func record(strategy: String, candidates: [AgentID], agent: AgentID?, outcome: String, reason: String, latencyMs: Int? = nil) {
        let now = context.now
        state.session?.assignments.append(AssignmentRecord(time: now, strategy: strategy, candidates: candidates, agentId: agent,
                                                           outcome: outcome, reason: reason, latencyMs: latencyMs))
    }
}
