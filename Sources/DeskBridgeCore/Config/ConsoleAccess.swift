/// Who may open what in the console (README, "Roles and scopes"): the built-in roles `admin`
/// (everything), `supervisor` (everything but settings, over every group) and `agent` (no
/// console; the workbench and its own records), and the custom roles of `desk.roles`, each a set
/// of modules and, per module, the skill groups it shows.
package enum ConsoleModule: String, CaseIterable, Sendable, Codable {
    /// Real-time monitoring: sessions, queues and agents now.
    case monitoring
    case analysis
    /// The service records and their transcripts.
    case records
    /// Setting an agent's status, forcing it offline and back.
    case agentManagement
    /// The blacklist, the quick replies, the desk settings and the audit trail.
    case settings
}

/// The skill groups a module shows: every group, or these.
package enum GroupScope: Sendable, Equatable {
    case all
    case groups(Set<SkillGroupID>)

    package func contains(_ group: SkillGroupID) -> Bool {
        switch self {
        case .all: true
        case .groups(let groups): groups.contains(group)
        }
    }

    /// The agents a scope reaches: members of one of its groups (nil: every agent).
    package func agents(of desk: DeskConfig) -> Set<AgentID>? {
        guard case .groups(let groups) = self else { return nil }
        return Set(desk.agents.filter { $0.skillGroups.contains { groups.contains($0.id) } }.map(\.id))
    }
}

/// What one signed-in console user may open.
package struct ConsoleAccess: Sendable, Equatable {
    package var role: String
    package var modules: [ConsoleModule: GroupScope]

    package func scope(_ module: ConsoleModule) -> GroupScope? { modules[module] }

    package static let builtInRoles = ["admin", "supervisor", "agent"]
    package static let admin = ConsoleAccess(role: "admin", modules: Dictionary(uniqueKeysWithValues: ConsoleModule.allCases.map { ($0, .all) }))
    package static let supervisor = ConsoleAccess(role: "supervisor", modules: [.monitoring: .all, .analysis: .all, .records: .all, .agentManagement: .all])
}

extension DeskConfig {
    /// The console access of `identity`: the administrator's, or its role's; nil when its role
    /// opens no module (an agent) or it is not of this desk.
    package func consoleAccess(_ identity: AgentID) -> ConsoleAccess? {
        if identity.rawValue == adminIdentifier { return .admin }
        guard let agent = agent(identity) else { return nil }
        switch agent.role {
        case "admin": return .admin
        case "supervisor": return .supervisor
        case "agent": return nil
        case let name:
            guard let role = roles.first(where: { $0.name == name }), !role.modules.isEmpty else { return nil }
            return ConsoleAccess(role: name, modules: role.modules)
        }
    }

    /// `desk.roles[]`: a custom role, its modules and the groups each shows (`all` or a list of ids).
    package struct Role: Sendable, Decodable, Equatable {
        package var name: String
        package var modules: [ConsoleModule: GroupScope]

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, modules }
        package init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            let raw = try c.value(.modules, default: [String: ScopeValue]())
            var modules: [ConsoleModule: GroupScope] = [:]
            for (key, value) in raw {
                guard let module = ConsoleModule(rawValue: key) else {
                    throw DecodingError.dataCorruptedError(forKey: .modules, in: c,
                        debugDescription: "unknown module \"\(key)\" (monitoring, analysis, records, agentManagement, settings)")
                }
                modules[module] = value.scope
            }
            self.modules = modules
        }

        /// `all`, or a list of skill group ids.
        private struct ScopeValue: Decodable {
            var scope: GroupScope
            init(from decoder: any Decoder) throws {
                let single = try decoder.singleValueContainer()
                if let word = try? single.decode(String.self), word == "all" {
                    scope = .all
                } else if let ids = try? single.decode([Int].self) {
                    scope = .groups(Set(ids.map { SkillGroupID($0) }))
                } else {
                    throw DecodingError.dataCorruptedError(in: single, debugDescription: "must be all or a list of skill group ids")
                }
            }
        }
    }
}
