/// Who holds a session: the one place that decides how each outbound message is tagged.
///
/// Invariants: exactly one owner at a time; a human segment opens with `REPRESENTATIVE_JOINED`
/// (before any HUMAN message or typing event of that segment) and closes with
/// `REPRESENTATIVE_LEFT` carrying the same representative; only the holding agent may send.
package struct Ownership: Codable, Sendable, Equatable {
    package enum Owner: Codable, Sendable, Equatable {
        case bot
        case queued(SkillGroupID)
        /// Offered to an agent who has not accepted yet (manual reception): no JOINED yet.
        case offered(AgentID)
        case agent(AgentID)
        case closed
    }

    /// Who is trying to say something to the user.
    package enum Sender: Sendable, Equatable {
        case bot
        case agent(AgentID)
    }

    /// A send that the state machine refuses; nothing is emitted.
    package enum Refusal: Error, Equatable {
        /// The agent does not hold this session (desk error 120001).
        case notHolder(AgentID)
        /// The session is closed (desk error 120004).
        case closed
    }

    /// Framing events the transitions emit, in order.
    package enum Effect: Sendable, Equatable {
        case joined(Representative)
        case left(Representative)
    }

    package private(set) var owner: Owner = .bot
    /// The representative of the open human segment; LEFT repeats what JOINED said.
    package private(set) var human: Representative?

    package init() {}

    package var holder: AgentID? {
        if case .agent(let id) = owner { return id }
        return nil
    }

    /// The agent the session is offered to, until it accepts.
    package var offeree: AgentID? {
        if case .offered(let id) = owner { return id }
        return nil
    }

    /// The representative for a message or typing event from `sender`, or a refusal.
    package func representative(for sender: Sender, bot: Representative) throws(Refusal) -> Representative {
        switch (sender, owner) {
        case (_, .closed): throw .closed
        case (.bot, _): return bot
        case (.agent(let id), .agent(let holder)) where id == holder:
            guard let human else { throw .notHolder(id) }
            return human
        case (.agent(let id), _): throw .notHolder(id)
        }
    }

    /// An agent takes the session. A different agent's segment ends first (transfer).
    package mutating func assign(to agent: AgentID, as representative: Representative) -> [Effect] {
        if case .agent(let current) = owner, current == agent { return [] }
        guard owner != .closed else { return [] }
        var effects = endSegment()
        owner = .agent(agent)
        human = representative
        effects.append(.joined(representative))
        return effects
    }

    /// The session is offered to `agent`; a human segment in progress ends (transfer away).
    package mutating func offer(to agent: AgentID) -> [Effect] {
        guard owner != .closed else { return [] }
        let effects = endSegment()
        owner = .offered(agent)
        return effects
    }

    /// The session waits for an agent of `group`; a human segment in progress ends.
    package mutating func queue(in group: SkillGroupID) -> [Effect] {
        guard owner != .closed else { return [] }
        let effects = endSegment()
        owner = .queued(group)
        return effects
    }

    /// The bot takes the session back (transfer failed, or the human handed back).
    package mutating func returnToBot() -> [Effect] {
        guard owner != .closed else { return [] }
        let effects = endSegment()
        owner = .bot
        return effects
    }

    /// The session ends; a human segment in progress ends first.
    package mutating func close() -> [Effect] {
        let effects = endSegment()
        owner = .closed
        return effects
    }

    private mutating func endSegment() -> [Effect] {
        defer { human = nil }
        guard case .agent = owner, let human else { return [] }
        return [.left(human)]
    }
}

extension Ownership.Owner {
    /// Held by an agent (after acceptance).
    package var isAgent: Bool {
        if case .agent = self { return true }
        return false
    }
}
