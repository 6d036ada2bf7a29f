import Foundation

/// An agent as routing sees it at one instant: status, load and when it last took a session.
package struct AgentSnapshot: Sendable, Equatable {
    package var id: AgentID
    package var status: DeskConfig.AgentStatus
    package var load: Int
    package var lastAssignedAt: Date?
    /// Skill group → priority (1 highest … 5).
    package var groups: [SkillGroupID: Int]

    package init(id: AgentID, status: DeskConfig.AgentStatus, load: Int, lastAssignedAt: Date?, groups: [SkillGroupID: Int]) {
        self.id = id
        self.status = status
        self.load = load
        self.lastAssignedAt = lastAssignedAt
        self.groups = groups
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
}

/// The built-in assignment rules, as pure functions.
package enum AssignmentRouter {
    /// `automatic`: the Available agent of `group` under `limit` who has been idle longest
    /// (never assigned counts as longest). Ties keep configuration order.
    package static func automatic(group: SkillGroupID, limit: Int, agents: [AgentSnapshot]) -> AgentID? {
        let usable = agents.enumerated().filter { _, agent in
            agent.groups[group] != nil && agent.status == .Available && agent.load < limit
        }
        let best = usable.min { a, b in
            switch (a.element.lastAssignedAt, b.element.lastAssignedAt) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x == y ? a.offset < b.offset : x < y
            }
        }
        return best?.element.id
    }

    /// Whether anybody in `group` is signed in; nobody online means the transfer fails
    /// instead of queueing (Tencent's "no agent online").
    package static func anyoneOnline(in group: SkillGroupID, agents: [AgentSnapshot]) -> Bool {
        agents.contains { $0.groups[group] != nil && $0.isOnline }
    }
}
