import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// The `ccc` actions on agents' statuses over time, from the store's status history: today's
/// durations per status (`DescribeStaffStatusMetrics`, "today" in the desk's time zone) and
/// the changes themselves (`DescribeStaffStatusHistory`). Wrap-up is Tencent's `afterCallWork`.
extension CloudAPIRoutes {
    func performStatus(_ action: String, _ parameters: [String: Any]) async throws -> [String: Any]? {
        switch action {
        case "DescribeStaffStatusMetrics": return try await statusMetrics(parameters)
        case "DescribeStaffStatusHistory": return try await statusHistory(parameters)
        default: return nil
        }
    }

    /// Each agent's status now and its time in each status today, filtered by `StaffList`,
    /// `GroupIdList` and `StatusList`. Mobile answering and call-out fields are always off.
    private func statusMetrics(_ parameters: [String: Any]) async throws -> [String: Any] {
        let mails = (parameters["StaffList"] as? [String]).map(Set.init)
        let groups = try Self.numbers(parameters, "GroupIdList").map { SkillGroupID($0) }
        let statuses = (parameters["StatusList"] as? [String]).map(Set.init)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = desk.timeZone
        let now = now(), dayStart = calendar.startOfDay(for: now)
        let store = commands.runtime.store
        let routing = try await store.routingSnapshot()
        let atStart = try await store.statuses(at: dayStart)
        var today: [AgentID: [StatusChange]] = [:]
        var cursor: Int64 = 0
        while true {
            let page = try await store.statusChanges(of: nil, from: dayStart, to: now, after: cursor, limit: 1_000)
            for change in page { today[change.agent, default: []].append(change) }
            guard let last = page.last, page.count == 1_000 else { break }
            cursor = last.cursor
        }
        let metrics: [[String: Any]] = desk.agents.compactMap { agent in
            guard mails?.contains(agent.id.rawValue) ?? true, groups.isEmpty || agent.skillGroups.contains(where: { groups.contains($0.id) }) else { return nil }
            let row = routing.agent(agent.id)
            let seat = SeatStatus(status: row?.status ?? .Offline, reason: row?.statusReason)
            guard statuses?.contains(seat.cloudName) ?? true else { return nil }
            let changes = today[agent.id] ?? []
            let totals = StatusTimeline.durations(initial: atStart[agent.id]?.seat, changes: changes.map { ($0.at, $0.seat) }, from: dayStart, to: now)
            var metric: [String: Any] = [
                "Email": agent.id.rawValue, "Status": seat.cloudName, "Reason": seat.restReason ?? "",
                "OnlineDuration": totals.filter { $0.key != "offline" }.values.reduce(0, +),
                "FreeDuration": totals["free"] ?? 0, "BusyDuration": totals["busy"] ?? 0, "NotReadyDuration": totals["notReady"] ?? 0,
                "RestDuration": totals["rest"] ?? 0, "AfterCallWorkDuration": totals["afterCallWork"] ?? 0,
                "ReserveRest": false, "ReserveNotReady": false, "UseMobileAccept": 0, "UseMobileCallOut": false,
            ]
            if let since = row?.statusSince { metric["LastStatusTimestamp"] = Int64(since.timeIntervalSince1970) }
            let online = ([atStart[agent.id]].compactMap { $0 } + changes).last { $0.seat != .offline }
            if let online { metric["LastOnlineTimestamp"] = Int64(online.at.timeIntervalSince1970) }
            return metric
        }
        return ["Metrics": metrics]
    }

    /// One agent's changes between `StartTimestamp` and `EndTimestamp` (under 7 days apart, as
    /// Tencent's), by pages of `PageSize` resumed with `Cursor`.
    private func statusHistory(_ parameters: [String: Any]) async throws -> [String: Any] {
        let staff = try agent(parameters, "StaffUserId")
        guard let start = (parameters["StartTimestamp"] as? NSNumber)?.int64Value, let end = (parameters["EndTimestamp"] as? NSNumber)?.int64Value else {
            throw Failure(code: "MissingParameter", message: "StartTimestamp and EndTimestamp are required")
        }
        guard end > start, end - start < 7 * 86_400 else {
            throw Failure(code: "InvalidParameterValue", message: "EndTimestamp must be after StartTimestamp and less than 7 days from it")
        }
        let cursor = try (parameters["Cursor"] as? String).map { text -> Int64 in
            guard text.isEmpty || Int64(text) != nil else { throw Failure(code: "InvalidParameterValue", message: "Cursor is not one this endpoint gave") }
            return Int64(text) ?? 0
        } ?? 0
        let pageSize = min(max((parameters["PageSize"] as? NSNumber)?.intValue ?? 100, 1), 1_000)
        let changes = try await commands.runtime.store.statusChanges(of: staff, from: Date(timeIntervalSince1970: TimeInterval(start)),
                                                                    to: Date(timeIntervalSince1970: TimeInterval(end)), after: cursor, limit: pageSize)
        let staffNo = desk.agent(staff)?.staffNo ?? ""
        return ["Data": changes.map { change -> [String: Any] in
            ["Cursor": String(change.cursor), "Timestamp": Int64(change.at.timeIntervalSince1970), "Status": change.seat.cloudName,
             "Reason": change.seat.restReason ?? "", "StaffEmail": change.agent.rawValue, "StaffNo": staffNo, "SessionId": ""]
        }]
    }
}
