import DeskBridgeCore
import DeskBridgeRuntime
import DeskBridgeStore
import Foundation
import Hummingbird
import NIOCore

/// The console's service-record search, a session's transcript, and the export of what a search
/// found as JSON or CSV. Days and times are in the desk's time zone (`desk.workingHours.timezone`).
struct RecordRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    let gate: ConsoleGate
    let now: @Sendable () -> Date

    private var timeZone: TimeZone { desk.timeZone }

    func register(on router: Router<DeskRequestContext>) {
        gate.respond(router, "/console/api/records", .records) { _, scope, request in
            let query = request.uri.queryParameters
            let format = query["format"].map(String.init) ?? "page"
            let filter = try scoped(try Self.filter(query, now: now(), timeZone: timeZone), scope)
            if format == "page" {
                let page = query["page"].flatMap { Int(String($0)) } ?? 0
                let result = try await commands.searchRecords(as: .admin, filter, page: page)
                return try SignedInAPI.json(Page(result, page: page))
            }
            // An export carries everything the search found, not one page.
            let all = try await commands.searchRecords(as: .admin, filter, page: 0, pageSize: .max).sessions.map(Row.init)
            switch format {
            case "csv": return Download.response(csv(all), type: "text/csv; charset=utf-8", name: "service-records.csv")
            case "json": return Download.response(String(decoding: try JSONEncoder().encode(all), as: UTF8.self), type: "application/json", name: "service-records.json")
            default: throw DeskCommandError.badJSON("format must be page, csv or json")
            }
        }
        gate.get(router, "/console/api/records/transcript", .records) { _, scope, request in
            let sessionId = request.uri.queryParameters["sessionId"].map(String.init)
            let records = try await commands.sessionRecords(as: .admin, sessionId: sessionId, clientUserId: nil)
            if let team = scope.agents(of: desk), records.sessions.allSatisfy({ team.isDisjoint(with: $0.agentIds) }) {
                throw DeskCommandError.outsideRole("the skill groups of that session")
            }
            return SessionRecordsAnswer.sessions(records)
        }
    }

    /// A search narrowed to the role's groups: a group outside them is refused; without one, the
    /// sessions of the groups' agents.
    private func scoped(_ filter: RecordFilter, _ scope: GroupScope) throws(DeskCommandError) -> RecordFilter {
        var filter = filter
        if let group = filter.group, !scope.contains(group) { throw .outsideRole("skill group \(group)") }
        filter.team = scope.agents(of: desk)
        return filter
    }

    /// One found session as the console lists and exports it; times are unix milliseconds.
    struct Row: Encodable {
        var sessionId: String
        var clientUserId: String
        var channel: String
        var state: String
        var startTime: Int64
        var endTime: Int64?
        var agentIds: [String]
        var rating: Int?
        var closeBy: String?

        init(_ found: FoundSession) {
            let summary = found.summary
            self.init(sessionId: summary.session.rawValue, clientUserId: found.conversation.clientUserId.rawValue, channel: found.conversation.agent,
                      state: summary.state, startTime: summary.startTime.unixMillis, endTime: summary.endTime?.unixMillis,
                      agentIds: summary.agentIds.map(\.rawValue), rating: summary.satisfaction?.score, closeBy: summary.closeBy)
        }

        init(sessionId: String, clientUserId: String, channel: String, state: String, startTime: Int64, endTime: Int64?, agentIds: [String],
             rating: Int?, closeBy: String?) {
            (self.sessionId, self.clientUserId, self.channel, self.state) = (sessionId, clientUserId, channel, state)
            (self.startTime, self.endTime, self.agentIds, self.rating, self.closeBy) = (startTime, endTime, agentIds, rating, closeBy)
        }
    }

    struct Page: Encodable {
        var sessions: [Row]
        var page: Int
        var total: Int
        /// The scan stopped at its limit: older matches may exist; narrow the dates.
        var truncated: Bool

        init(_ result: RecordSearchResult, page: Int) {
            (sessions, self.page, total, truncated) = (result.sessions.map(Row.init), page, result.total, result.truncated)
        }
    }

    /// The query's filters (`from`, `to`, `agent`, `user`, `group`, `rating`, `closeBy`, `q`);
    /// the days default to the last seven, today included.
    static func filter(_ query: Parameters, now today: Date, timeZone: TimeZone) throws -> RecordFilter {
        func text(_ name: Substring) -> String? { query[name].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
        var filter = RecordFilter(fromDay: text("from") ?? AnalysisRoutes.day(today.addingTimeInterval(-6 * 86_400), timeZone),
                                  toDay: text("to") ?? AnalysisRoutes.day(today, timeZone), timeZone: timeZone)
        filter.agent = text("agent").map { AgentID($0) }
        filter.user = text("user").map { ClientUserID($0) }
        filter.closeBy = text("closeBy")
        filter.keyword = text("q")
        if let group = text("group") {
            guard let id = Int(group) else { throw DeskCommandError.badJSON("group must be a skill group id") }
            filter.group = SkillGroupID(id)
        }
        if let rating = text("rating") {
            guard let score = Int(rating), (0...10).contains(score) else { throw DeskCommandError.badJSON("rating must be 0 (unrated) to 10") }
            filter.rating = score
        }
        return filter
    }

    /// Times in the desk's time zone (ISO 8601).
    private func csv(_ rows: [Row]) -> String {
        let iso = ISO8601DateFormatter()
        iso.timeZone = timeZone
        func time(_ millis: Int64?) -> String { millis.map { iso.string(from: Date(unixMillis: $0)) } ?? "" }
        return Download.csv(header: ["SessionId", "ClientUserId", "Channel", "State", "StartTime", "EndTime", "AgentIds", "Rating", "CloseBy"],
                            rows: rows.map { row in
                                [row.sessionId, row.clientUserId, row.channel, row.state, time(row.startTime), time(row.endTime),
                                 row.agentIds.joined(separator: " "), row.rating.map(String.init) ?? "", row.closeBy ?? ""]
                            })
    }
}
