import Foundation

/// The console's data analysis, computed from the records alone (pure: the sessions and their
/// messages in, the figures out). Definitions, as the README gives them:
/// - **started**: sessions that began in the bucket;
/// - **resolved by the bot**: ended without a transfer being asked for;
/// - **transferred**: a transfer to a human was asked for; **queued**: it waited in a queue;
/// - **abandoned**: it waited in a queue and ended before any agent took it;
/// - **first response**: from the session reaching its first agent to that agent's first message;
/// - **handle time**: from reaching the first agent to the end;
/// - **ratings invited**: a rating card was sent; **given**: the user rated;
/// - **assignments**: decisions answered by the business server's webhook, made by a fallback, or queued.
package enum Analysis {
    package enum Bucket: String, Sendable { case day, hour }

    package struct Figures: Sendable, Equatable, Encodable {
        package var started = 0
        package var resolvedByBot = 0
        package var transferred = 0
        package var queued = 0
        package var abandoned = 0
        package var firstResponseMedianSeconds: Double?
        package var firstResponseP90Seconds: Double?
        package var handleTimeMedianSeconds: Double?
        package var messagesPerSession: Double?
        package var ratingsInvited = 0
        package var ratingsGiven = 0
        package var ratingAverage: Double?
        /// Score → how many gave it, as text keys for JSON.
        package var ratingDistribution: [String: Int] = [:]
        package var webhookAnswered = 0
        package var fallback = 0
        package var queuedAssignments = 0
    }

    /// One session with its messages.
    package struct Input: Sendable {
        package var summary: SessionSummary
        package var messages: [MessageRecord]
        package init(summary: SessionSummary, messages: [MessageRecord]) {
            self.summary = summary
            self.messages = messages
        }
    }

    package struct Report: Sendable, Encodable {
        package struct Row: Sendable, Encodable {
            package var key: String
            package var figures: Figures
        }
        package var total: Figures
        /// Every bucket of the range, oldest first, empty ones included (a chart has no gaps).
        package var buckets: [Row]
        package var byGroup: [Row]
        package var byAgent: [Row]
    }

    package static func report(_ sessions: [Input], from: Date, to: Date, bucket: Bucket, timeZone: TimeZone) -> Report {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = timeZone
        formatter.dateFormat = bucket == .day ? "yyyy-MM-dd" : "yyyy-MM-dd HH:00"
        let component: Calendar.Component = bucket == .day ? .day : .hour
        var keys: [String] = []
        var cursor = from
        while cursor < to, keys.count < 10_000 {
            keys.append(formatter.string(from: cursor))
            guard let next = calendar.date(byAdding: component, value: 1, to: calendar.dateInterval(of: component, for: cursor)?.start ?? cursor) else { break }
            cursor = next
        }
        let inRange = sessions.filter { $0.summary.startTime >= from && $0.summary.startTime < to }
        let byBucket = Dictionary(grouping: inRange) { formatter.string(from: $0.summary.startTime) }
        let byGroup = Dictionary(grouping: inRange.filter { $0.summary.skillGroup != nil }) { String($0.summary.skillGroup!.rawValue) }
        var byAgent: [String: [Input]] = [:]
        for input in inRange { for agent in Set(input.summary.agentIds) { byAgent[agent.rawValue, default: []].append(input) } }
        return Report(total: figures(inRange), buckets: keys.map { Report.Row(key: $0, figures: figures(byBucket[$0] ?? [])) },
                      byGroup: byGroup.keys.sorted().map { Report.Row(key: $0, figures: figures(byGroup[$0]!)) },
                      byAgent: byAgent.keys.sorted().map { Report.Row(key: $0, figures: figures(byAgent[$0]!)) })
    }

    static func figures(_ sessions: [Input]) -> Figures {
        var out = Figures()
        var firstResponses: [Double] = []
        var handleTimes: [Double] = []
        var scores: [Int] = []
        var messages = 0
        for input in sessions {
            let summary = input.summary
            out.started += 1
            messages += input.messages.count
            let outcomes = summary.assignments.map(\.outcome)
            let wasQueued = outcomes.contains("queued")
            if summary.assignments.isEmpty, summary.endTime != nil { out.resolvedByBot += 1 }
            if !summary.assignments.isEmpty { out.transferred += 1 }
            if wasQueued { out.queued += 1 }
            if wasQueued, summary.agentIds.isEmpty, summary.endTime != nil { out.abandoned += 1 }
            if let reached = summary.assignments.first(where: { $0.agentId != nil && ["assigned", "accepted", "transferred", "redirected"].contains($0.outcome) })?.time
                ?? summary.assignments.first(where: { $0.agentId != nil })?.time, !summary.agentIds.isEmpty {
                if let reply = input.messages.first(where: { $0.sender == .Agent && $0.time >= reached })?.time {
                    firstResponses.append(reply.timeIntervalSince(reached))
                }
                if let end = summary.endTime { handleTimes.append(end.timeIntervalSince(reached)) }
            }
            if input.messages.contains(where: { message in message.direction == .Out && message.msgBody.contains { Self.isRatingCard($0) } }) {
                out.ratingsInvited += 1
            }
            if let rating = summary.satisfaction { scores.append(rating.score) }
            for assignment in summary.assignments {
                if assignment.strategy == "webhook", assignment.agentId != nil { out.webhookAnswered += 1 }
                if assignment.strategy.hasPrefix("fallback") { out.fallback += 1 }
                if assignment.outcome == "queued" { out.queuedAssignments += 1 }
            }
        }
        out.firstResponseMedianSeconds = percentile(firstResponses, 0.5)
        out.firstResponseP90Seconds = percentile(firstResponses, 0.9)
        out.handleTimeMedianSeconds = percentile(handleTimes, 0.5)
        out.messagesPerSession = sessions.isEmpty ? nil : Double(messages) / Double(sessions.count)
        out.ratingsGiven = scores.count
        out.ratingAverage = scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count)
        for score in scores { out.ratingDistribution[String(score), default: 0] += 1 }
        return out
    }

    /// The nearest-rank percentile (p in 0…1) of the values; nil for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(Int((p * Double(sorted.count)).rounded(.up)), 1)
        return sorted[min(rank, sorted.count) - 1]
    }

    private static func isRatingCard(_ element: MsgElement) -> Bool {
        if case .custom(let custom) = element, case .satisfaction? = DeskCustomMessage(data: custom.Data) { return true }
        return false
    }
}
