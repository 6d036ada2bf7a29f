import DeskBridgeCore
import DeskBridgeRuntime
import Foundation

/// An administrator's change to the agents and skill groups, the same from the console and from
/// the Tencent Cloud API: the change itself (`DeskCommands`), then what it means for sign-ins: a
/// disabled or deleted agent's open pages end at once and its sign-in is refused; an agent enabled
/// or added again may sign in. Pages everywhere hear of it.
struct DirectoryControl: Sendable {
    let commands: DeskCommands
    let signIns: WorkbenchSignIns
    let actor: String
    /// The actor has the admin role (the administrator, an admin agent, a Cloud API caller).
    let actorIsAdmin: Bool
    let now: @Sendable () -> Date

    /// Only an administrator gives or takes the admin role, or changes an admin.
    private func mayGrant(_ role: String?, over agent: AgentID?) throws(DeskCommandError) {
        let touchesAdmin = role == "admin" || agent.flatMap(commands.desk.agent)?.role == "admin"
        if touchesAdmin, !actorIsAdmin { throw .outsideRole("the admin role") }
    }

    @discardableResult
    func save(_ change: AgentChange, isNew: Bool) async throws -> DeskConfig.Agent {
        try mayGrant(change.role, over: isNew ? nil : AgentID(change.id))
        let wasEnabled = commands.desk.agent(AgentID(change.id))?.enabled
        let agent = try await commands.saveAgent(by: actor, change, isNew: isNew)
        // Only a change of `enabled` (or a new agent) touches sign-ins: editing the nickname of an
        // agent an administrator forced offline must not let it back in.
        if isNew || wasEnabled != agent.enabled { try await signInsFollow(agent.id, enabled: agent.enabled) }
        return agent
    }

    func delete(_ agent: AgentID) async throws {
        try mayGrant(nil, over: agent)
        try await commands.deleteAgent(by: actor, agent)
        try await signInsFollow(agent, enabled: false)
    }

    /// Adds the rows that are valid; an added agent may sign in at once.
    func importAgents(_ rows: [(line: Int, change: AgentChange)]) async throws -> DeskCommands.AgentImport {
        for row in rows { try mayGrant(row.change.role, over: nil) }
        let report = try await commands.importAgents(by: actor, rows: rows)
        for agent in report.added { try await signInsFollow(agent, enabled: true) }
        return report
    }

    private func signInsFollow(_ agent: AgentID, enabled: Bool) async throws {
        if enabled { try await signIns.resume(agent, now: now()) } else { try await signIns.forceOffline(agent, now: now()) }
        commands.runtime.changes.agentChanged(agent)
    }
}
