import DeskBridgeCore
import DeskBridgeRuntime
import Foundation

/// The `ccc` actions that manage staff and skill groups (docs/tencent-cloud-api.md): a staff
/// member's `Mail` is its DeskBridge agent ID; `Nick` (or `Name`) its nickname; `Role` 1, 2 and 3
/// are admin, supervisor and agent. Telephony fields (`Phone`, `ExtensionNumber`, call-out and
/// forwarding settings) are accepted and ignored; a skill group must be of type 1 (online).
extension CloudAPIRoutes {
    var directoryControl: DirectoryControl {
        DirectoryControl(commands: commands, signIns: signIns, actor: actor, actorIsAdmin: true, now: now)
    }

    func performDirectory(_ action: String, _ parameters: [String: Any]) async throws -> [String: Any]? {
        switch action {
        case "CreateStaff": return try await createStaff(parameters)
        case "ModifyStaff":
            let id = try Self.string(parameters, "Email")
            let current = desk.agent(AgentID(id))
            let groups = try (parameters["SkillGroupIds"] as? [Any]).map { ids in
                try ids.map { value -> DeskConfig.Agent.Membership in
                    guard let number = value as? NSNumber else { throw Failure(code: "InvalidParameterValue", message: "SkillGroupIds must be numbers") }
                    let group = SkillGroupID(number.intValue)
                    return .init(id: group, priority: current?.skillGroups.first { $0.id == group }?.priority ?? 3)
                }
            }
            let nickname = (parameters["Nick"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? parameters["Name"] as? String
            try await directoryControl.save(AgentChange(id: id, nickname: nickname, staffNo: parameters["StaffNo"] as? String, skillGroups: groups), isNew: false)
            return [:]
        case "ModifyStaffPassword":
            try await directoryControl.save(AgentChange(id: try Self.string(parameters, "Email"), password: try Self.string(parameters, "Password")), isNew: false)
            return [:]
        case "DeleteStaff": return try await deleteStaff(parameters)
        case "BindStaffSkillGroupList", "UnbindStaffSkillGroupList":
            let bind = action == "BindStaffSkillGroupList"
            var groups = try Self.numbers(parameters, "SkillGroupList").map { DeskConfig.Agent.Membership(id: SkillGroupID($0), priority: 3) }
            for item in parameters["StaffSkillGroupList"] as? [[String: Any]] ?? [] {
                guard let id = (item["SkillGroupId"] as? NSNumber)?.intValue else { throw Failure(code: "MissingParameter", message: "SkillGroupId is required") }
                groups.append(.init(id: SkillGroupID(id), priority: (item["Priority"] as? NSNumber)?.intValue ?? 3))
            }
            guard !groups.isEmpty else { throw Failure(code: "MissingParameter", message: "SkillGroupList or StaffSkillGroupList is required") }
            try await commands.setMembership(by: actor, agent: AgentID(try Self.string(parameters, "StaffEmail")), groups: groups, bind: bind)
            return [:]
        case "CreateCCCSkillGroup":
            guard (parameters["SkillGroupType"] as? NSNumber)?.intValue == 1 else {
                throw Failure(code: "InvalidParameterValue", message: "SkillGroupType must be 1 (online): DeskBridge serves online chat")
            }
            let group = try await commands.saveSkillGroup(by: actor, id: nil, name: try Self.string(parameters, "SkillGroupName"),
                                                          receptionLimit: (parameters["MaxConcurrency"] as? NSNumber)?.intValue)
            return ["SkillGroupId": group.id.rawValue]
        case "UpdateCCCSkillGroup":
            guard let id = (parameters["SkillGroupID"] as? NSNumber)?.intValue else { throw Failure(code: "MissingParameter", message: "SkillGroupID is required") }
            try await commands.saveSkillGroup(by: actor, id: SkillGroupID(id), name: parameters["SkillGroupName"] as? String,
                                              receptionLimit: (parameters["MaxConcurrency"] as? NSNumber)?.intValue)
            return [:]
        case "DeleteCCCSkillGroup":
            guard let id = (parameters["SkillGroupId"] as? NSNumber)?.intValue else { throw Failure(code: "MissingParameter", message: "SkillGroupId is required") }
            try await commands.deleteSkillGroup(by: actor, SkillGroupID(id))
            return [:]
        case "DescribeSkillGroupInfoList": return describeSkillGroups(parameters)
        default: return nil
        }
    }

    /// Who the audit trail names for a Cloud API change.
    var actor: String { "cloudapi:\(desk.cloudApi?.secretId ?? "")" }

    /// `CreateStaff`: every valid staff member is added in one change; the others are in
    /// `ErrorStaffList` with why. `SendPassword` is ignored: DeskBridge sends no mail, and an agent
    /// signs in with a UserSig or a password set by `ModifyStaffPassword` or in the console.
    private func createStaff(_ parameters: [String: Any]) async throws -> [String: Any] {
        guard let staffs = parameters["Staffs"] as? [[String: Any]], !staffs.isEmpty else { throw Failure(code: "MissingParameter", message: "Staffs is required") }
        guard staffs.count <= 100 else { throw Failure(code: "InvalidParameterValue", message: "Staffs has at most 100 items") }
        let groupIds = Dictionary(desk.skillGroups.map { ($0.name, $0.id) }) { first, _ in first }
        var errors: [[String: Any]] = [], rows: [(line: Int, change: AgentChange)] = []
        for (index, staff) in staffs.enumerated() {
            let mail = staff["Mail"] as? String ?? ""
            let names = staff["SkillGroupNameList"] as? [String] ?? []
            if let unknown = names.first(where: { groupIds[$0] == nil }) {
                errors.append(["StaffEmail": mail, "Code": "InvalidParameterValue", "Message": "unknown skill group \"\(unknown)\""])
                continue
            }
            let role: String?
            switch (staff["Role"] as? NSNumber)?.intValue {
            case nil, 3?: role = nil
            case 1?: role = "admin"
            case 2?: role = "supervisor"
            case let other?:
                errors.append(["StaffEmail": mail, "Code": "InvalidParameterValue", "Message": "Role \(other) is not 1, 2 or 3 (DeskBridge names custom roles)"])
                continue
            }
            let nickname = (staff["Nick"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? staff["Name"] as? String
            rows.append((index, AgentChange(id: mail, nickname: nickname, staffNo: staff["StaffNumber"] as? String, role: role,
                                            skillGroups: names.compactMap { groupIds[$0] }.map { .init(id: $0, priority: 3) })))
        }
        let report = try await directoryControl.importAgents(rows)
        for problem in report.problems {
            errors.append(["StaffEmail": staffs[problem.line]["Mail"] as? String ?? "", "Code": "InvalidParameterValue", "Message": problem.message])
        }
        return ["ErrorStaffList": errors]
    }

    /// `DeleteStaff`: an agent that is not Offline or still holds a session stays and is listed in
    /// `OnlineStaffList`, as Tencent keeps online staff; the others are deleted.
    private func deleteStaff(_ parameters: [String: Any]) async throws -> [String: Any] {
        guard let list = parameters["StaffList"] as? [String], !list.isEmpty else { throw Failure(code: "MissingParameter", message: "StaffList is required") }
        let routing = try await commands.runtime.store.routingSnapshot()
        var online: [String] = []
        for mail in list {
            _ = try agent(["Mail": mail], "Mail")
            if let row = routing.agent(AgentID(mail)), row.status != .Offline || row.load > 0 {
                online.append(mail)
                continue
            }
            try await directoryControl.delete(AgentID(mail))
        }
        return ["OnlineStaffList": online]
    }

    /// `DescribeSkillGroupInfoList`: the groups as `SkillGroupInfoItem`, by page, filtered by id
    /// or by a name they contain.
    private func describeSkillGroups(_ parameters: [String: Any]) -> [String: Any] {
        let pageSize = min(max((parameters["PageSize"] as? NSNumber)?.intValue ?? 100, 1), 9_999)
        let page = max((parameters["PageNumber"] as? NSNumber)?.intValue ?? 0, 0)
        let id = (parameters["SkillGroupId"] as? NSNumber).map { SkillGroupID($0.intValue) }
        let name = (parameters["SkillGroupName"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let matching = desk.skillGroups.filter { group in (id.map { $0 == group.id } ?? true) && (name.map { group.name.contains($0) } ?? true) }
        let (start, overflow) = page.multipliedReportingOverflow(by: pageSize)
        let items: [[String: Any]] = (overflow ? [] : Array(matching.dropFirst(start).prefix(pageSize))).map { group in
            ["SkillGroupId": group.id.rawValue, "SkillGroupName": group.name, "Type": "IM", "SkillGroupType": 1,
             "MaxConcurrency": group.receptionLimit, "UsingLastSeat": desk.routing.preferLastReceptionist ? 1 : 0]
        }
        return ["TotalCount": matching.count, "SkillGroupList": items]
    }

    static func string(_ parameters: [String: Any], _ name: String) throws -> String {
        guard let value = parameters[name] as? String, !value.isEmpty else { throw Failure(code: "MissingParameter", message: "\(name) is required") }
        return value
    }

    static func numbers(_ parameters: [String: Any], _ name: String) throws -> [Int] {
        guard let values = parameters[name] else { return [] }
        guard let list = values as? [NSNumber] else { throw Failure(code: "InvalidParameterValue", message: "\(name) must be a list of numbers") }
        return list.map(\.intValue)
    }
}
