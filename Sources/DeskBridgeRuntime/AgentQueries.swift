import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// What an agent reads to work (the workbench and the Tencent-style desk APIs behind it): its
/// sessions, a transcript page by page, the quick replies and whom it may transfer to. An agent
/// sees only the sessions it holds or was offered and the queues of its own groups; the admin
/// may ask for any agent.
package struct AgentSessions: Sendable {
    /// Offered to or held by the agent.
    package var mine: [ConversationState]
    /// Waiting in the queue of one of the agent's groups, oldest first.
    package var queued: [ConversationState]
    /// The agent's groups and how many wait in each.
    package var groups: [(group: DeskConfig.SkillGroup, waiting: Int)]
    /// The agent's status now (it may change without the agent: an admin, a missed offer).
    package var status: SeatStatus
}

/// One page of a session's messages, and where the next one starts (nil: there is no more).
package struct TranscriptPage: Sendable {
    package var records: ConversationRecords
    package var nextCursor: Int?
}

extension DeskCommands {
    /// The most sessions of the human side read for one agent's list.
    static let humanSideLimit = 1_000

    package func agentSessions(as identity: DeskIdentity, agentId: String?) async throws -> AgentSessions {
        let agent = try Self.subject(identity, agentId, config: config.desk)
        let groups = Set(config.desk.agent(agent)?.skillGroups.map(\.id) ?? [])
        let routing = try await runtime.store.routingSnapshot()
        var mine: [ConversationState] = [], queued: [(Date, ConversationState)] = []
        for stored in try await runtime.store.humanSideConversations(limit: Self.humanSideLimit) {
            guard let state = stored.state, let ownership = state.session?.ownership else { continue }
            if ownership.holder == agent || ownership.offeree == agent {
                mine.append(state)
            } else if let queue = state.queuePosition, groups.contains(queue.group) {
                queued.append((queue.since, state))
            }
        }
        let snapshot = routing.agent(agent)
        return AgentSessions(mine: mine, queued: queued.sorted { $0.0 < $1.0 }.map(\.1),
                             groups: config.desk.skillGroups.filter { groups.contains($0.id) }.map { ($0, routing.queueLengths[$0.id] ?? 0) },
                             status: SeatStatus(status: snapshot?.status ?? .Offline, reason: snapshot?.statusReason))
    }

    /// A session's messages from `cursor` (0: the first), at most `limit`; for whoever may read
    /// its records (`sessionRecords`).
    package func transcriptPage(as identity: DeskIdentity, sessionId: String?, cursor: Int, limit: Int) async throws -> TranscriptPage {
        guard cursor >= 0 else { throw DeskCommandError.badJSON("Cursor must not be negative") }
        guard (1...100).contains(limit) else { throw DeskCommandError.badJSON("Limit must be 1 to 100") }
        var records = try await sessionRecords(as: identity, sessionId: sessionId, clientUserId: nil)
        let all = records.messages
        records.messages = Array(all.dropFirst(cursor).prefix(limit))
        let next = cursor + records.messages.count
        return TranscriptPage(records: records, nextCursor: next < all.count ? next : nil)
    }

    /// Agents of `group` (or of every group the caller shares) a session can go to now:
    /// Available and under the group's limit, the caller left out.
    package func freeAgents(as identity: DeskIdentity, group: Int?) async throws -> [(agent: DeskConfig.Agent, snapshot: AgentSnapshot, limit: Int)] {
        let me: AgentID? = if case .agent(let agent) = identity { agent } else { nil }
        let desk = config.desk
        if let group, desk.skillGroup(SkillGroupID(group)) == nil { throw DeskCommandError.unknownAgentOrGroup }
        let groups = group.map { [SkillGroupID($0)] } ?? desk.skillGroups.map(\.id)
        let routing = try await runtime.store.routingSnapshot()
        return desk.agents.compactMap { agent in
            guard agent.id != me, let snapshot = routing.agent(agent.id), snapshot.status == .Available,
                  let limit = agent.skillGroups.filter({ groups.contains($0.id) }).compactMap({ desk.skillGroup($0.id)?.receptionLimit }).max(),
                  snapshot.load < limit else { return nil }
            return (agent, snapshot, limit)
        }
    }

    /// The agent a read is about: an agent reads its own; the admin names one.
    private static func subject(_ identity: DeskIdentity, _ agentId: String?, config: DeskConfig) throws(DeskCommandError) -> AgentID {
        let named = agentId.flatMap { $0.isEmpty ? nil : AgentID($0) }
        switch identity {
        case .agent(let me):
            guard named == nil || named == me else { throw .identityMayNotAct }
            return me
        case .admin:
            guard let named, config.agent(named) != nil else { throw .unknownAgentOrGroup }
            return named
        }
    }
}
