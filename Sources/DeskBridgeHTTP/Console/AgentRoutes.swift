import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import SwiftCSV

/// Agent management in the console (README, "Agents and skill groups"): the agents and skill
/// groups, added, edited, disabled and deleted at run time, agents also in batches from a CSV (a
/// template to download, a report of every refused line). Changing them takes agent management
/// over every skill group; a role scoped to some groups sets its agents' statuses only.
struct AgentRoutes: Sendable {
    let commands: DeskCommands
    let gate: ConsoleGate
    /// The workbench's sign-ins, ended for an agent disabled or deleted.
    let agentSignIns: WorkbenchSignIns
    let now: @Sendable () -> Date

    func register(on router: Router<DeskRequestContext>) {
        gate.get(router, "/console/api/agents", .agentManagement) { _, scope, _ in
            let desk = commands.desk
            let team = scope.agents(of: desk)
            return Directory(skillGroups: desk.skillGroups.filter { scope.contains($0.id) }.map(Directory.Group.init),
                             agents: desk.agents.filter { team?.contains($0.id) ?? true }.map(Directory.Agent.init),
                             roles: ConsoleAccess.builtInRoles + desk.roles.map(\.name))
        }
        post(router, "/console/api/agents", as: AgentChange.self) { control, change in Saved(id: try await control.save(change, isNew: true).id.rawValue) }
        post(router, "/console/api/agents/edit", as: AgentChange.self) { control, change in
            Saved(id: try await control.save(change, isNew: false).id.rawValue)
        }
        post(router, "/console/api/agents/delete", as: Target.self) { control, target in
            try await control.delete(AgentID(target.id))
            return Saved(id: target.id)
        }
        gate.respond(router, "/console/api/agents/template", .agentManagement) { _, _, _ in
            Download.response(Download.csv(header: Self.header, rows: [["lena@acme.example", "Lena", "1001", "agent", "1:3;2:5", ""]]),
                              type: "text/csv; charset=utf-8", name: "agents-template.csv")
        }
        post(router, "/console/api/agents/import", as: Upload.self) { control, upload in
            let report = try await control.importAgents(try Self.rows(upload.csv))
            return QuickReplyRoutes.ImportReport(added: report.added.count, problems: report.problems.map { .init(row: $0.line, error: $0.message) })
        }
        post(router, "/console/api/skill-groups", as: GroupChange.self) { control, change in
            Saved(id: try await commands.saveSkillGroup(by: control.actor, id: change.id.map { SkillGroupID($0) }, name: change.name,
                                                        receptionLimit: change.receptionLimit).id.rawValue)
        }
        post(router, "/console/api/skill-groups/delete", as: GroupTarget.self) { control, target in
            try await commands.deleteSkillGroup(by: control.actor, SkillGroupID(target.id))
            return Saved(id: target.id)
        }
    }

    /// A directory change: agent management over every skill group.
    private func post<Body: Decodable & Sendable>(
        _ router: Router<DeskRequestContext>, _ path: RouterPath, as type: Body.Type,
        _ handler: @escaping @Sendable (DirectoryControl, Body) async throws -> any Encodable
    ) {
        gate.post(router, path, .agentManagement, as: type) { signIn, scope, body in
            guard scope == .all else { throw DeskCommandError.outsideRole("every skill group, which changing agents and groups takes") }
            let control = DirectoryControl(commands: commands, signIns: agentSignIns, actor: signIn.agent.rawValue,
                                           actorIsAdmin: commands.desk.consoleAccess(signIn.agent)?.role == "admin", now: now)
            return try await handler(control, body)
        }
    }

    /// What a change answers: `{ok, id}` of the agent or group.
    struct Saved<ID: Encodable & Sendable>: Encodable, Sendable { var ok = true; var id: ID }
    struct Target: Decodable, Sendable { var id: String }
    struct GroupTarget: Decodable, Sendable { var id: Int }
    struct Upload: Decodable, Sendable { var csv: String }
    struct GroupChange: Decodable, Sendable {
        var id: Int?
        var name: String?
        var receptionLimit: Int?
    }

    /// The directory as the console lists it: no password hash, only whether there is one.
    struct Directory: Encodable {
        struct Group: Encodable {
            var id: Int
            var name: String
            var receptionLimit: Int
            init(_ group: DeskConfig.SkillGroup) { (id, name, receptionLimit) = (group.id.rawValue, group.name, group.receptionLimit) }
        }
        struct Agent: Encodable {
            struct Membership: Encodable { var id: Int; var priority: Int }
            var id: String
            var nickname: String
            var staffNo: String
            var avatarImage: String?
            var role: String
            var skillGroups: [Membership]
            var enabled: Bool
            var hasPassword: Bool
            init(_ agent: DeskConfig.Agent) {
                id = agent.id.rawValue
                nickname = agent.nickname
                staffNo = agent.staffNo
                avatarImage = agent.avatarImage
                role = agent.role
                skillGroups = agent.skillGroups.map { Membership(id: $0.id.rawValue, priority: $0.priority) }
                enabled = agent.enabled
                hasPassword = agent.passwordHash != nil
            }
        }
        var skillGroups: [Group]
        var agents: [Agent]
        var roles: [String]
    }

    static let header = ["AgentId", "Nickname", "StaffNo", "Role", "SkillGroups", "Password"]
    /// The most rows one upload takes (each password is hashed as a sign-in checks it).
    static let maxRows = 200

    /// The upload's rows with their numbers (the header is row 1); a file that is not CSV, has
    /// another header or too many rows is refused whole. `SkillGroups` is `id:priority` pairs
    /// separated by `;` (the priority defaults to 3).
    static func rows(_ text: String) throws(DeskCommandError) -> [(line: Int, change: AgentChange)] {
        let csv: EnumeratedCSV
        do { csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false) } catch { throw .badJSON("the file is not CSV: \(error)") }
        guard csv.header.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header.map({ $0.lowercased() }) else {
            throw .badJSON("the first line must be \(header.joined(separator: ",")) (download the template)")
        }
        guard csv.rows.count <= maxRows else { throw .badJSON("at most \(maxRows) rows in one upload") }
        return csv.rows.enumerated().map { index, row in
            func field(_ column: Int) -> String { column < row.count ? row[column].trimmingCharacters(in: .whitespaces) : "" }
            let groups = field(4).split(separator: ";").map { pair -> DeskConfig.Agent.Membership in
                let parts = pair.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                // An unreadable id or priority becomes one the directory's check refuses, naming the column.
                return .init(id: SkillGroupID(Int(parts[0]) ?? 0), priority: parts.count > 1 ? Int(parts[1]) ?? 0 : 3)
            }
            return (index + 2, AgentChange(id: field(0), nickname: field(1).isEmpty ? nil : field(1), staffNo: field(2), role: field(3).isEmpty ? nil : field(3),
                                           skillGroups: groups, password: field(5)))
        }
    }
}
