import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// An agent as an administrator adds or edits it (the console's form, a CSV row, `CreateStaff`):
/// on an edit, an absent field keeps what the agent has.
package struct AgentChange: Sendable, Decodable {
    package var id: String
    package var nickname: String?
    package var staffNo: String?
    package var avatarImage: String?
    package var role: String?
    package var skillGroups: [DeskConfig.Agent.Membership]?
    /// A new password (hashed here, never stored or logged as sent); empty or absent keeps the old one.
    package var password: String?
    package var enabled: Bool?

    package init(id: String, nickname: String? = nil, staffNo: String? = nil, avatarImage: String? = nil, role: String? = nil,
                 skillGroups: [DeskConfig.Agent.Membership]? = nil, password: String? = nil, enabled: Bool? = nil) {
        self.id = id
        self.nickname = nickname
        self.staffNo = staffNo
        self.avatarImage = avatarImage
        self.role = role
        self.skillGroups = skillGroups
        self.password = password
        self.enabled = enabled
    }

    /// `agent` with this change applied (a new agent starts from the defaults).
    func applied(to agent: DeskConfig.Agent?, passwordCost: (logN: Int, blockSize: Int, parallelism: Int)) throws -> DeskConfig.Agent {
        var agent = agent ?? DeskConfig.Agent(id: AgentID(id), nickname: id)
        if let nickname { agent.nickname = nickname.trimmingCharacters(in: .whitespaces) }
        if let staffNo { agent.staffNo = staffNo }
        if let avatarImage { agent.avatarImage = avatarImage.isEmpty ? nil : avatarImage }
        if let role { agent.role = role }
        if let skillGroups { agent.skillGroups = skillGroups }
        if let enabled { agent.enabled = enabled }
        if let password, !password.isEmpty {
            guard (8...128).contains(password.count) else { throw DeskCommandError.badJSON("password must be 8 to 128 characters") }
            agent.passwordHash = try PasswordHash.make(password, cost: passwordCost)
        }
        return agent
    }
}

/// The agents and skill groups at run time (README, "Agents and skill groups"): changed by whoever's
/// console role opens agent management, or through the Cloud API; every change is checked as
/// `check-config` checks the YAML, stored with the routing rows in one transaction, in force at
/// once on every replica, and audited with its before and after.
extension DeskCommands {
    /// Adds (`isNew`) or edits one agent.
    @discardableResult
    package func saveAgent(by actor: String, _ change: AgentChange, isNew: Bool) async throws -> DeskConfig.Agent {
        let agent = try await changeDirectory(by: actor, action: isNew ? "add_agent" : "edit_agent", subject: "agent \(change.id)") { directory in
            let index = directory.agents.firstIndex { $0.id.rawValue == change.id }
            switch (isNew, index) {
            case (true, .some): throw DeskCommandError.badJSON("there already is an agent \(change.id)")
            case (false, nil): throw DeskCommandError.unknownAgentOrGroup
            case (true, nil): directory.agents.append(try change.applied(to: nil, passwordCost: passwordCost))
            case (false, let index?): directory.agents[index] = try change.applied(to: directory.agents[index], passwordCost: passwordCost)
            }
        }.agent(AgentID(change.id))
        guard let agent else { throw DeskCommandError.unknownAgentOrGroup }
        return agent
    }

    /// Removes an agent that holds no session; its records stay, under its ID.
    package func deleteAgent(by actor: String, _ id: AgentID) async throws {
        if let load = try await runtime.store.routingSnapshot().agent(id)?.load, load > 0 {
            throw DeskCommandError.badJSON("\(id) holds \(load) session(s); end or transfer them first")
        }
        try await changeDirectory(by: actor, action: "delete_agent", subject: "agent \(id)") { directory in
            guard directory.agent(id) != nil else { throw DeskCommandError.unknownAgentOrGroup }
            directory.agents.removeAll { $0.id == id }
        }
    }

    /// Adds (no `id`) or edits a skill group; answers it.
    @discardableResult
    package func saveSkillGroup(by actor: String, id: SkillGroupID?, name: String?, receptionLimit: Int?) async throws -> DeskConfig.SkillGroup {
        var saved: SkillGroupID?
        let directory = try await changeDirectory(by: actor, action: id == nil ? "add_skill_group" : "edit_skill_group",
                                                  subject: "skill group \(id.map { "\($0)" } ?? name ?? "")") { directory in
            if let id {
                guard let index = directory.skillGroups.firstIndex(where: { $0.id == id }) else { throw DeskCommandError.unknownAgentOrGroup }
                if let name { directory.skillGroups[index].name = name.trimmingCharacters(in: .whitespaces) }
                if let receptionLimit { directory.skillGroups[index].receptionLimit = receptionLimit }
                saved = id
            } else {
                guard let name else { throw DeskCommandError.badJSON("name is required") }
                let next = SkillGroupID((directory.skillGroups.map(\.id.rawValue).max() ?? 0) + 1)
                directory.skillGroups.append(DeskConfig.SkillGroup(id: next, name: name.trimmingCharacters(in: .whitespaces), receptionLimit: receptionLimit ?? 3))
                saved = next
            }
        }
        guard let saved, let group = directory.skillGroup(saved) else { throw DeskCommandError.unknownAgentOrGroup }
        return group
    }

    /// Removes a skill group no user is queued in, and every agent's membership of it.
    package func deleteSkillGroup(by actor: String, _ id: SkillGroupID) async throws {
        if let waiting = try await runtime.store.routingSnapshot().queueLengths[id], waiting > 0 {
            throw DeskCommandError.badJSON("\(waiting) user(s) wait in skill group \(id); wait until they are served")
        }
        try await changeDirectory(by: actor, action: "delete_skill_group", subject: "skill group \(id)") { directory in
            guard directory.skillGroup(id) != nil else { throw DeskCommandError.unknownAgentOrGroup }
            directory.skillGroups.removeAll { $0.id == id }
            for index in directory.agents.indices { directory.agents[index].skillGroups.removeAll { $0.id == id } }
        }
    }

    /// Binds agents to a skill group at a priority, or unbinds them (Tencent's
    /// `BindStaffSkillGroupList` and `UnbindStaffSkillGroupList`, the console's membership edit).
    package func setMembership(by actor: String, agent: AgentID, groups: [DeskConfig.Agent.Membership], bind: Bool) async throws {
        try await changeDirectory(by: actor, action: bind ? "bind_skill_groups" : "unbind_skill_groups", subject: "agent \(agent)") { directory in
            guard let index = directory.agents.firstIndex(where: { $0.id == agent }) else { throw DeskCommandError.unknownAgentOrGroup }
            for membership in groups {
                directory.agents[index].skillGroups.removeAll { $0.id == membership.id }
                if bind { directory.agents[index].skillGroups.append(membership) }
            }
        }
    }

    /// What a batch add did: how many agents it added, and each refused line with why.
    package struct AgentImport: Sendable {
        package var added: [AgentID]
        package var problems: [(line: Int, message: String)]
    }

    /// Adds every valid row in one change (one transaction, audited once) and reports the others
    /// by their line; a row is never half added.
    package func importAgents(by actor: String, rows: [(line: Int, change: AgentChange)]) async throws -> AgentImport {
        var problems: [(line: Int, message: String)] = [], added: [AgentID] = []
        let desk = config.desk
        try await changeDirectory(by: actor, action: "import_agents", subject: "agents from CSV") { directory in
            // Computed afresh on each attempt (a change that lost a race is computed again).
            (problems, added) = ([], [])
            for row in rows {
                do {
                    guard directory.agent(AgentID(row.change.id)) == nil else { throw DeskCommandError.badJSON("there already is an agent \(row.change.id)") }
                    var trial = directory
                    trial.agents.append(try row.change.applied(to: nil, passwordCost: passwordCost))
                    if let problem = trial.problems(in: desk).first { throw DeskCommandError.badJSON("\(Self.column(problem.key)): \(problem.message)") }
                    directory = trial
                    added.append(AgentID(row.change.id))
                } catch let error as DeskCommandError {
                    problems.append((row.line, error.detail))
                }
            }
        }
        return AgentImport(added: added, problems: problems)
    }

    /// A problem's key without the directory index (`agents[3].role` → `role`), for a CSV report.
    private static func column(_ key: String) -> String {
        key.split(separator: ".", maxSplits: 1).last.map(String.init).flatMap { $0.hasPrefix("agents[") ? "agent" : $0 } ?? key
    }

    /// Hashes cost what sign-in checks cost: the standard scrypt setting.
    private var passwordCost: (logN: Int, blockSize: Int, parallelism: Int) { PasswordHash.standard }

    /// Reads the stored directory, applies `change`, checks the result as `check-config` would,
    /// and stores it (retried when another change came first); the runtime, the other replicas
    /// and every page then run on it. Answers the directory in force.
    @discardableResult
    private func changeDirectory(by actor: String, action: String, subject: String,
                                 _ change: (inout DeskDirectory) throws -> Void) async throws -> DeskDirectory {
        for _ in 0..<5 {
            guard let before = try await runtime.store.deskDirectory() else { throw StoreError.corrupt("no agent directory is stored") }
            var after = before
            try change(&after)
            if after == before { return after }
            if let problem = after.problems(in: config.desk).first { throw DeskCommandError.badJSON("\(problem.key): \(problem.message)") }
            do {
                try await runtime.store.saveDeskDirectory(after, replacing: before, at: runtime.clock.now())
            } catch StoreError.conflict {
                continue
            }
            runtime.adopt(after)
            runtime.changes.directoryChanged()
            let (old, new) = (Self.described(before), Self.described(after))
            try await runtime.store.appendAudit(AuditEntry(at: runtime.clock.now(), actor: actor, action: action, subject: subject,
                                                           detail: AuditChange.json(before: old.subtracting(new).sorted().joined(separator: "\n"),
                                                                                    after: new.subtracting(old).sorted().joined(separator: "\n"))))
            return after
        }
        throw StoreError.conflict
    }

    /// The directory as the audit trail shows it, a line per group and agent (the trail keeps the
    /// lines that changed), never a password hash.
    private static func described(_ directory: DeskDirectory) -> Set<String> {
        let groups = directory.skillGroups.map { "group \($0.id) \($0.name) (limit \($0.receptionLimit))" }
        let agents = directory.agents.map { agent in
            let groups = agent.skillGroups.map { "\($0.id):\($0.priority)" }.joined(separator: ",")
            return "agent \(agent.id) \(agent.nickname) [\(agent.role)] groups \(groups)\(agent.enabled ? "" : " disabled")\(agent.passwordHash == nil ? "" : " password")"
        }
        return Set(groups + agents)
    }
}
