/// The desk's people and teams (README, "Agents and skill groups"): the skill groups with their
/// reception limits, and the agents with their roles, groups and priorities. The YAML's
/// `desk.skillGroups` and `desk.agents` seed it on the first start; from then on it is kept in the
/// store and changed in the console or through the Cloud API, and the store wins.
package struct DeskDirectory: Codable, Sendable, Equatable {
    package var skillGroups: [DeskConfig.SkillGroup]
    package var agents: [DeskConfig.Agent]

    package init(skillGroups: [DeskConfig.SkillGroup], agents: [DeskConfig.Agent]) {
        self.skillGroups = skillGroups
        self.agents = agents
    }

    /// What the configuration file says (the seed).
    package init(_ desk: DeskConfig) { self.init(skillGroups: desk.skillGroups, agents: desk.agents) }

    package func agent(_ id: AgentID) -> DeskConfig.Agent? { agents.first { $0.id == id } }
    package func skillGroup(_ id: SkillGroupID) -> DeskConfig.SkillGroup? { skillGroups.first { $0.id == id } }

    /// The most agents a directory holds: a limit on what one change may grow it to.
    package static let maxAgents = 5_000
    package static let maxSkillGroups = 500

    /// What is wrong with this directory on `desk` (its roles and default group), by key relative
    /// to `desk`; empty when nothing is.
    package func problems(in desk: DeskConfig) -> [(key: String, message: String)] {
        var found: [(key: String, message: String)] = []
        let groupIds = skillGroups.map(\.id)
        for (index, group) in skillGroups.enumerated() {
            if groupIds.prefix(index).contains(group.id) { found.append(("skillGroups[\(index)].id", "duplicate skill group \(group.id)")) }
            if group.id.rawValue < 1 { found.append(("skillGroups[\(index)].id", "must be a positive number")) }
            if group.name.trimmingCharacters(in: .whitespaces).isEmpty || group.name.count > 40 {
                found.append(("skillGroups[\(index)].name", "must be 1 to 40 characters"))
            }
            if group.receptionLimit < 1 { found.append(("skillGroups[\(index)].receptionLimit", "must be at least 1")) }
        }
        if skillGroups.isEmpty { found.append(("skillGroups", "at least one skill group")) }
        if skillGroups.count > Self.maxSkillGroups { found.append(("skillGroups", "at most \(Self.maxSkillGroups) skill groups")) }
        let agentIds = agents.map(\.id)
        for (index, agent) in agents.enumerated() {
            if agentIds.prefix(index).contains(agent.id) { found.append(("agents[\(index)].id", "duplicate agent \(agent.id)")) }
            if !Self.isValidAgentId(agent.id.rawValue) {
                found.append(("agents[\(index)].id", "must be 1 to 64 letters, digits or . _ @ -"))
            }
            if agent.id.rawValue == desk.adminIdentifier { found.append(("agents[\(index)].id", "is the administrator's identifier")) }
            if agent.nickname.trimmingCharacters(in: .whitespaces).isEmpty || agent.nickname.count > 40 {
                found.append(("agents[\(index)].nickname", "must be 1 to 40 characters"))
            }
            if !ConsoleAccess.builtInRoles.contains(agent.role), !desk.roles.contains(where: { $0.name == agent.role }) {
                found.append(("agents[\(index)].role", "unknown role \"\(agent.role)\" (admin, supervisor, agent or one of desk.roles)"))
            }
            for (g, membership) in agent.skillGroups.enumerated() {
                if !groupIds.contains(membership.id) { found.append(("agents[\(index)].skillGroups[\(g)].id", "unknown skill group \(membership.id)")) }
                if !(1...5).contains(membership.priority) { found.append(("agents[\(index)].skillGroups[\(g)].priority", "must be 1 to 5")) }
            }
        }
        if agents.count > Self.maxAgents { found.append(("agents", "at most \(Self.maxAgents) agents")) }
        if !groupIds.contains(desk.assignment.defaultSkillGroup) {
            found.append(("assignment.defaultSkillGroup", "unknown skill group \(desk.assignment.defaultSkillGroup)"))
        }
        return found
    }

    /// An agent ID as it appears in a UserSig and a URL: ASCII letters, digits and `. _ @ -`.
    package static func isValidAgentId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_@".unicodeScalars.contains(scalar))
        }
    }
}

extension DeskConfig {
    /// This desk with its skill groups and agents replaced by `directory`'s.
    package func with(_ directory: DeskDirectory) -> DeskConfig {
        var desk = self
        desk.skillGroups = directory.skillGroups
        desk.agents = directory.agents
        return desk
    }
}
