import DeskBridgeCore
import DeskBridgeStore
import Foundation

/// The service-record search (README, "Console"): the store narrows by dates, user and keyword;
/// agent, skill group, rating and who ended the session are filtered here, over at most
/// `SessionSearch.scanLimit` sessions, newest first.
package struct RecordFilter: Sendable, Equatable {
    /// The first and last day searched (inclusive), `yyyy-MM-dd` in `timeZone`.
    package var fromDay: String
    package var toDay: String
    package var timeZone: TimeZone
    package var agent: AgentID?
    package var group: SkillGroupID?
    package var user: ClientUserID?
    /// A score 1…10, or 0 for sessions nobody rated.
    package var rating: Int?
    package var closeBy: String?
    package var keyword: String?
    /// A console scoped to skill groups sees only sessions one of these agents served.
    package var team: Set<AgentID>?

    package init(fromDay: String, toDay: String, timeZone: TimeZone, agent: AgentID? = nil, group: SkillGroupID? = nil, user: ClientUserID? = nil,
                 rating: Int? = nil, closeBy: String? = nil, keyword: String? = nil) {
        self.fromDay = fromDay
        self.toDay = toDay
        self.timeZone = timeZone
        self.agent = agent
        self.group = group
        self.user = user
        self.rating = rating
        self.closeBy = closeBy
        self.keyword = keyword
    }

    /// The instants the days span: from the first day's midnight to the midnight after the last.
    package func range() throws(DeskCommandError) -> (from: Date, to: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func day(_ text: String, _ name: String) throws(DeskCommandError) -> Date {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
                  calendar.component(.day, from: date) == parts[2]
            else { throw .badJSON("\(name) must be a date such as 2026-12-01") }
            return date
        }
        let from = try day(fromDay, "from")
        guard let to = calendar.date(byAdding: .day, value: 1, to: try day(toDay, "to")), to > from else {
            throw .badJSON("to must not be before from")
        }
        return (from, to)
    }
}

/// One page of the search, and whether the scan stopped at its limit (narrow the dates then).
package struct RecordSearchResult: Sendable {
    package var sessions: [FoundSession]
    package var total: Int
    package var truncated: Bool
}

extension DeskCommands {
    /// The search over the service records; `page` 0 is the newest `pageSize`. The admin searches
    /// all of them; an agent only the sessions it served, and naming another agent is refused.
    package func searchRecords(as identity: DeskIdentity, _ filter: RecordFilter, page: Int, pageSize: Int = 50) async throws -> RecordSearchResult {
        var filter = filter
        if case .agent(let me) = identity {
            guard filter.agent == nil || filter.agent == me else { throw DeskCommandError.identityMayNotAct }
            filter.agent = me
        }
        let (from, to) = try filter.range()
        let keyword = filter.keyword?.trimmingCharacters(in: .whitespacesAndNewlines)
        let search = SessionSearch(from: from, to: to, user: filter.user, keyword: keyword?.isEmpty == false ? keyword : nil)
        let scanned = try await runtime.store.searchSessions(search)
        let members = filter.group.map { group in
            Set(runtime.engine.config.desk.agents.filter { $0.skillGroups.contains { $0.id == group } }.map(\.id))
        }
        let matching = scanned.filter { found in
            let summary = found.summary
            if let agent = filter.agent, !summary.agentIds.contains(agent) { return false }
            if let team = filter.team, team.isDisjoint(with: summary.agentIds) { return false }
            if let members, members.isDisjoint(with: summary.agentIds) { return false }
            if let rating = filter.rating, (summary.satisfaction?.score ?? 0) != rating { return false }
            if let closeBy = filter.closeBy, summary.closeBy != closeBy { return false }
            return true
        }
        let (start, overflow) = max(page, 0).multipliedReportingOverflow(by: pageSize)
        return RecordSearchResult(sessions: overflow ? [] : Array(matching.dropFirst(start).prefix(pageSize)), total: matching.count,
                                  truncated: scanned.count == search.scanLimit)
    }
}

extension DeskCommands {
    /// The most sessions one analysis reads (newest first); beyond it the answer says so.
    package static let analysisLimit = 1_000_000

    /// The admin's data analysis over the days `fromDay`…`toDay` in `timeZone`, by day or hour.
    /// Answers the report and whether the range held more sessions than were read.
    /// With `team`, only the sessions one of those agents served (a console scoped to skill groups).
    package func analysis(as identity: DeskIdentity, fromDay: String, toDay: String, timeZone: TimeZone,
                          bucket: Analysis.Bucket, team: Set<AgentID>? = nil) async throws -> (report: Analysis.Report, truncated: Bool) {
        guard identity == .admin else { throw DeskCommandError.identityMayNotAct }
        let (from, to) = try RecordFilter(fromDay: fromDay, toDay: toDay, timeZone: timeZone).range()
        if bucket == .hour, to.timeIntervalSince(from) > 31 * 86_400 { throw DeskCommandError.badJSON("by hour covers at most 31 days") }
        let facts = try await runtime.store.sessionFacts(from: from, to: to, limit: Self.analysisLimit)
        let found = team.map { team in facts.filter { !team.isDisjoint(with: $0.agents) } } ?? facts
        return (Analysis.report(found, from: from, to: to, bucket: bucket, timeZone: timeZone), facts.count == Self.analysisLimit)
    }
}
