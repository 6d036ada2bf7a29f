import DeskBridgeCore
import DeskBridgeRuntime
import Foundation
import Hummingbird
import NIOCore

/// The console's data analysis (README, "Console"): figures by day or hour over a range of days in
/// the desk's time zone, in total, per skill group and per agent; as JSON for the page, or CSV.
struct AnalysisRoutes: Sendable {
    let commands: DeskCommands
    /// The desk in force (its agents and skill groups change at run time).
    var desk: DeskConfig { commands.desk }
    let gate: ConsoleGate
    let now: @Sendable () -> Date

    private var timeZone: TimeZone { desk.timeZone }

    struct Answer: Encodable {
        var report: Analysis.Report
        /// The range held more sessions than one analysis reads; narrow it.
        var truncated: Bool
        var timeZone: String
    }

    func register(on router: Router<DeskRequestContext>) {
        gate.respond(router, "/console/api/analysis", .analysis) { _, scope, request in
            let query = request.uri.queryParameters
            func text(_ name: Substring) -> String? { query[name].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
            guard let bucket = Analysis.Bucket(rawValue: text("by") ?? "day") else { throw DeskCommandError.badJSON("by must be day or hour") }
            let today = Self.day(now(), timeZone)
            let (report, truncated) = try await commands.analysis(as: .admin, fromDay: text("from") ?? Self.day(now().addingTimeInterval(-6 * 86_400), timeZone),
                                                                  toDay: text("to") ?? today, timeZone: timeZone, bucket: bucket,
                                                                  team: scope.agents(of: desk))
            if text("format") == "csv" {
                return Download.response(Self.csv(report), type: "text/csv; charset=utf-8", name: "analysis.csv")
            }
            return try SignedInAPI.json(Answer(report: report, truncated: truncated, timeZone: timeZone.identifier))
        }
    }

    static func day(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// One line per bucket, then per group and per agent, then the total.
    static func csv(_ report: Analysis.Report) -> String {
        let header = ["Scope", "Key", "Started", "ResolvedByBot", "Transferred", "Queued", "Abandoned", "FirstResponseMedianSeconds", "FirstResponseP90Seconds",
                      "HandleTimeMedianSeconds", "MessagesPerSession", "RatingsInvited", "RatingsGiven", "RatingAverage", "RatingDistribution",
                      "WebhookAnswered", "Fallback", "QueuedAssignments"]
        func number(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "" }
        func line(_ scope: String, _ key: String, _ f: Analysis.Figures) -> [String] {
            let distribution = f.ratingDistribution.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }.map { "\($0):\(f.ratingDistribution[$0]!)" }.joined(separator: " ")
            return [scope, key, String(f.started), String(f.resolvedByBot), String(f.transferred), String(f.queued), String(f.abandoned),
                    number(f.firstResponseMedianSeconds), number(f.firstResponseP90Seconds), number(f.handleTimeMedianSeconds), number(f.messagesPerSession),
                    String(f.ratingsInvited), String(f.ratingsGiven), number(f.ratingAverage), distribution,
                    String(f.webhookAnswered), String(f.fallback), String(f.queuedAssignments)]
        }
        let rows = report.buckets.map { line("bucket", $0.key, $0.figures) } + report.byGroup.map { line("group", $0.key, $0.figures) }
            + report.byAgent.map { line("agent", $0.key, $0.figures) } + [line("total", "", report.total)]
        return Download.csv(header: header, rows: rows)
    }
}
