import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// The console's real-time monitoring, from the routing snapshot and the sessions on the human
/// side: per skill group the queue, its longest wait, the sessions in service and the agents by
/// status; per agent its status and since when, its load against its limit, and since when its
/// oldest unanswered user has been waiting. Times are unix milliseconds, so the page needs no
/// clock of its own to stay right. A role scoped to some groups sees those groups, their agents
/// and their sessions (and no count of sessions with the bot, which belong to no group).
struct Overview: Encodable {
    struct State: Encodable { var state: String; var count: Int }
    struct Group: Encodable {
        var id: Int
        var name: String
        var waiting: Int
        var receptionLimit: Int
        /// When the user waiting longest in this queue started waiting.
        var longestWaitSince: Int64?
        /// Sessions of this group held by an agent.
        var inService: Int
        /// The group's agents by status.
        var agentsByStatus: [String: Int]
    }
    struct Agent: Encodable {
        var agentId: String
        var nickname: String
        var status: String
        var statusSince: Int64?
        var load: Int
        /// The most sessions it takes (its groups' largest reception limit).
        var limit: Int
        var signedIn: Bool
        var forcedOffline: Bool
        var groups: [String]
        /// Since when the longest-waiting user of its sessions has had no answer.
        var waitingSince: Int64?
    }
    var csrfToken: String
    var sessions: [State]
    var groups: [Group]
    var agents: [Agent]

    init(desk: DeskConfig, scope: GroupScope, routing: RoutingSnapshot, counts: [String: Int], humanSide: [Session], signedIn: Set<AgentID>,
         forcedOffline: Set<AgentID>, csrfToken: String) {
        self.csrfToken = csrfToken
        let humanSide = humanSide.filter { session in session.skillGroup.map(scope.contains) ?? (scope == .all) }
        if scope == .all {
            sessions = ["Chatbot", "Queueing", "WaitingForAgentAnswering", "Agent"].map { .init(state: $0, count: counts[$0] ?? 0) }
        } else {
            sessions = ["Queueing", "WaitingForAgentAnswering", "Agent"].map { state in .init(state: state, count: humanSide.filter { $0.deskState == state }.count) }
        }
        let team = scope.agents(of: desk)
        let names = Dictionary(uniqueKeysWithValues: desk.skillGroups.map { ($0.id, $0.name) })
        let limits = Dictionary(uniqueKeysWithValues: desk.skillGroups.map { ($0.id, $0.receptionLimit) })
        groups = desk.skillGroups.filter { scope.contains($0.id) }.map { group in
            let members = desk.agents.filter { $0.skillGroups.contains { $0.id == group.id } }.map(\.id)
            var byStatus: [String: Int] = [:]
            for id in members { byStatus[(routing.agent(id)?.status ?? .Offline).rawValue, default: 0] += 1 }
            let mine = humanSide.filter { $0.skillGroup == group.id }
            return Group(id: group.id.rawValue, name: group.name, waiting: routing.queueLengths[group.id] ?? 0, receptionLimit: group.receptionLimit,
                         longestWaitSince: mine.filter { $0.deskState == "Queueing" }.compactMap(\.queuedAt).min()?.unixMillis,
                         inService: mine.filter { $0.ownership.holder != nil }.count, agentsByStatus: byStatus)
        }
        agents = desk.agents.filter { team?.contains($0.id) ?? true }.map { agent in
            let snapshot = routing.agent(agent.id)
            let held = humanSide.filter { $0.ownership.holder == agent.id }
            return Agent(agentId: agent.id.rawValue, nickname: agent.nickname, status: (snapshot?.status ?? .Offline).rawValue,
                         statusSince: snapshot?.statusSince?.unixMillis, load: snapshot?.load ?? 0,
                         limit: agent.skillGroups.compactMap { limits[$0.id] }.max() ?? 0, signedIn: signedIn.contains(agent.id),
                         forcedOffline: forcedOffline.contains(agent.id), groups: agent.skillGroups.compactMap { names[$0.id] },
                         waitingSince: held.compactMap(\.userWaitingSince).min()?.unixMillis)
        }
    }
}
