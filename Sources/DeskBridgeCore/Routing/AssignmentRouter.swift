import Foundation

/// An agent as routing sees it at one instant: status, load and when it last took a session.
package struct AgentSnapshot: Sendable, Equatable {
    package var id: AgentID
    package var status: DeskConfig.AgentStatus
    package var load: Int
    package var lastAssignedAt: Date?
    /// Skill group → priority (1 highest … 5).
    package var groups: [SkillGroupID: Int]
    /// When the status last changed (nil: not since the agent was first seeded).
    package var statusSince: Date?
    /// What the status means more closely (`AgentStatusReason`): a rest reason, wrap-up, not ready.
    package var statusReason: String?

    package init(id: AgentID, status: DeskConfig.AgentStatus, load: Int, lastAssignedAt: Date?, groups: [SkillGroupID: Int], statusSince: Date? = nil,
                 statusReason: String? = nil) {
        self.id = id
        self.status = status
        self.load = load
        self.lastAssignedAt = lastAssignedAt
        self.groups = groups
        self.statusSince = statusSince
        self.statusReason = statusReason
    }

    /// Signed in at all (Available or Busy), whether or not it can take more.
    package var isOnline: Bool { status == .Available || status == .Busy }
}

/// Everything outside one conversation that a routing decision needs, read in one snapshot.
package struct RoutingSnapshot: Sendable, Equatable {
    package var agents: [AgentSnapshot]
    /// How many sessions already wait in each group's queue.
    package var queueLengths: [SkillGroupID: Int]

    package init(agents: [AgentSnapshot], queueLengths: [SkillGroupID: Int] = [:]) {
        self.agents = agents
        self.queueLengths = queueLengths
    }

    package static let empty = RoutingSnapshot(agents: [])

    package func agent(_ id: AgentID) -> AgentSnapshot? { agents.first { $0.id == id } }
}

/// The rules routing follows, from `desk.routing`.
package struct RoutingRules: Sendable, Equatable {
    package var order: DeskConfig.RoutingOrder
    package var preferLastReceptionist: Bool

    package init(order: DeskConfig.RoutingOrder = .fifo, preferLastReceptionist: Bool = false) {
        self.order = order
        self.preferLastReceptionist = preferLastReceptionist
    }
}

/// The built-in assignment rules, as pure functions of a snapshot.
package enum AssignmentRouter {
    /// Whether `agent` can take one more session of `group` now: Available, in the group, under `limit`.
    package static func isUsable(_ agent: AgentSnapshot, group: SkillGroupID?, limit: Int) -> Bool {
        agent.status == .Available && agent.load < limit && (group.map { agent.groups[$0] != nil } ?? true)
    }

    /// `automatic`: the last receptionist first when preferred and usable; then by the order:
    /// `fifo` — the Available agent idle longest (never assigned counts as longest);
    /// `skillGroupPriority` — the highest priority in the group (1 before 5), idle longest among equals.
    /// Ties keep configuration order. `excluding` skips agents (e.g. one whose offer timed out).
    package static func automatic(group: SkillGroupID, limit: Int, agents: [AgentSnapshot], rules: RoutingRules = .init(),
                                  lastReceptionist: AgentID? = nil, excluding: Set<AgentID> = []) -> AgentID? {
        let usable = agents.enumerated().filter { !excluding.contains($0.element.id) && isUsable($0.element, group: group, limit: limit) }
        if rules.preferLastReceptionist, let last = lastReceptionist, usable.contains(where: { $0.element.id == last }) { return last }
        let best = usable.min { a, b in
            if rules.order == .skillGroupPriority {
                let (pa, pb) = (a.element.groups[group] ?? 3, b.element.groups[group] ?? 3)
                if pa != pb { return pa < pb }
            }
            switch (a.element.lastAssignedAt, b.element.lastAssignedAt) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x == y ? a.offset < b.offset : x < y
            }
        }
        return best?.element.id
    }

    /// An assignment webhook's answer (CONTRACT §4): agents in `agentIdList` in list order,
    /// skipping any not Available or at capacity; then `agentGroupId` by the built-in rules.
    /// `limit` gives a group's reception limit (an agent named in the list is checked against its
    /// own group's, or the answer's group when it belongs to it).
    package static func resolve(agentIdList: [AgentID], agentGroupId: SkillGroupID?, agents: [AgentSnapshot], rules: RoutingRules,
                                limit: (SkillGroupID?) -> Int, lastReceptionist: AgentID?) -> AgentID? {
        for id in agentIdList {
            guard let agent = agents.first(where: { $0.id == id }) else { continue }
            let group = agentGroupId.flatMap { agent.groups[$0] != nil ? $0 : nil } ?? agent.groups.keys.min()
            if isUsable(agent, group: nil, limit: limit(group)) { return id }
        }
        guard let group = agentGroupId else { return nil }
        return automatic(group: group, limit: limit(group), agents: agents, rules: rules, lastReceptionist: lastReceptionist)
    }

    /// Whether anybody in `group` is signed in; nobody online means the transfer fails
    /// instead of queueing (Tencent's "no agent online").
    package static func anyoneOnline(in group: SkillGroupID, agents: [AgentSnapshot]) -> Bool {
        agents.contains { $0.groups[group] != nil && $0.isOnline }
    }
}
