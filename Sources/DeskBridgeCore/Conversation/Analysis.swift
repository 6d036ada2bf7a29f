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

    /// What the analysis needs of one session, computed once from its summary and messages. The
    /// stores keep these for ended sessions (whose records no longer change but for a late
    /// rating, which computes them again), so an analysis of months reads small rows, not every
    /// message.
    package struct Facts: Sendable, Equatable {
        package var session: SessionID
        package var startTime: Date
        package var ended: Bool
        /// The group it was transferred to.
        package var skillGroup: SkillGroupID?
        /// Every agent who held it.
        package var agents: [AgentID]
        package var transferred: Bool
        package var queued: Bool
        package var abandoned: Bool
        /// From reaching its first agent to that agent's first message.
        package var firstResponse: TimeInterval?
        /// From reaching its first agent to the end.
        package var handleTime: TimeInterval?
        package var messages: Int
        package var ratingInvited: Bool
        package var score: Int?
        package var webhookAnswered: Int
        package var fallback: Int
        package var queuedAssignments: Int

        package init(session: SessionID, startTime: Date, ended: Bool, skillGroup: SkillGroupID?, agents: [AgentID], transferred: Bool, queued: Bool,
                     abandoned: Bool, firstResponse: TimeInterval?, handleTime: TimeInterval?, messages: Int, ratingInvited: Bool, score: Int?,
                     webhookAnswered: Int, fallback: Int, queuedAssignments: Int) {
            self.session = session
            self.startTime = startTime
            self.ended = ended
            self.skillGroup = skillGroup
            self.agents = agents
            self.transferred = transferred
            self.queued = queued
            self.abandoned = abandoned
            self.firstResponse = firstResponse
            self.handleTime = handleTime
            self.messages = messages
            self.ratingInvited = ratingInvited
            self.score = score
            self.webhookAnswered = webhookAnswered
            self.fallback = fallback
            self.queuedAssignments = queuedAssignments
        }

        package init(_ input: Input) {
            let summary = input.summary
            let outcomes = summary.assignments.map(\.outcome)
            let queued = outcomes.contains("queued")
            var firstResponse: TimeInterval?, handleTime: TimeInterval?
            if let reached = summary.assignments.first(where: { $0.agentId != nil && ["assigned", "accepted", "transferred", "redirected"].contains($0.outcome) })?.time
                ?? summary.assignments.first(where: { $0.agentId != nil })?.time, !summary.agentIds.isEmpty {
                firstResponse = input.messages.first(where: { $0.sender == .Agent && $0.time >= reached })?.time.timeIntervalSince(reached)
                handleTime = summary.endTime?.timeIntervalSince(reached)
            }
            self.init(
                session: summary.session, startTime: summary.startTime, ended: summary.endTime != nil, skillGroup: summary.skillGroup,
                agents: Array(Set(summary.agentIds)).sorted { $0.rawValue < $1.rawValue }, transferred: !summary.assignments.isEmpty, queued: queued,
                abandoned: queued && summary.agentIds.isEmpty && summary.endTime != nil, firstResponse: firstResponse, handleTime: handleTime,
                messages: input.messages.count,
                ratingInvited: input.messages.contains { message in message.direction == .Out && message.msgBody.contains { Analysis.isRatingCard($0) } },
                score: summary.satisfaction?.score,
                webhookAnswered: summary.assignments.filter { $0.strategy == "webhook" && $0.agentId != nil }.count,
                fallback: summary.assignments.filter { $0.strategy.hasPrefix("fallback") }.count,
                queuedAssignments: outcomes.filter { $0 == "queued" }.count)
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
        report(sessions.map(Facts.init), from: from, to: to, bucket: bucket, timeZone: timeZone)
    }

    package static func report(_ sessions: [Facts], from: Date, to: Date, bucket: Bucket, timeZone: TimeZone) -> Report {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let component: Calendar.Component = bucket == .day ? .day : .hour
        // The buckets' starts and keys, computed once; each session finds its bucket by search.
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = timeZone
        formatter.dateFormat = bucket == .day ? "yyyy-MM-dd" : "yyyy-MM-dd HH:00"
        var keys: [String] = [], starts: [Date] = []
        var cursor = calendar.dateInterval(of: component, for: from)?.start ?? from
        while cursor < to, keys.count < 10_000 {
            keys.append(formatter.string(from: max(cursor, from)))
            starts.append(cursor)
            guard let next = calendar.date(byAdding: component, value: 1, to: cursor) else { break }
            cursor = next
        }
        let inRange = sessions.filter { $0.startTime >= from && $0.startTime < to }
        var byBucket = Array(repeating: [Facts](), count: keys.count)
        for session in inRange {
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if starts[middle] <= session.startTime { low = middle + 1 } else { high = middle }
            }
            if low > 0 { byBucket[low - 1].append(session) }
        }
        var byGroup: [SkillGroupID: [Facts]] = [:], byAgent: [String: [Facts]] = [:]
        for session in inRange {
            if let group = session.skillGroup { byGroup[group, default: []].append(session) }
            for agent in session.agents { byAgent[agent.rawValue, default: []].append(session) }
        }
        return Report(total: figures(inRange), buckets: zip(keys, byBucket).map { Report.Row(key: $0, figures: figures($1)) },
                      byGroup: byGroup.keys.sorted().map { Report.Row(key: String($0.rawValue), figures: figures(byGroup[$0] ?? [])) },
                      byAgent: byAgent.keys.sorted().map { Report.Row(key: $0, figures: figures(byAgent[$0] ?? [])) })
    }

    static func figures(_ sessions: [Facts]) -> Figures {
        var out = Figures()
        var firstResponses: [Double] = [], handleTimes: [Double] = [], scores: [Int] = []
        var messages = 0
        for session in sessions {
            out.started += 1
            messages += session.messages
            if !session.transferred, session.ended { out.resolvedByBot += 1 }
            if session.transferred { out.transferred += 1 }
            if session.queued { out.queued += 1 }
            if session.abandoned { out.abandoned += 1 }
            if let first = session.firstResponse { firstResponses.append(first) }
            if let handle = session.handleTime { handleTimes.append(handle) }
            if session.ratingInvited { out.ratingsInvited += 1 }
            if let score = session.score { scores.append(score) }
            out.webhookAnswered += session.webhookAnswered
            out.fallback += session.fallback
            out.queuedAssignments += session.queuedAssignments
        }
        firstResponses.sort()
        handleTimes.sort()
        out.firstResponseMedianSeconds = percentile(sorted: firstResponses, 0.5)
        out.firstResponseP90Seconds = percentile(sorted: firstResponses, 0.9)
        out.handleTimeMedianSeconds = percentile(sorted: handleTimes, 0.5)
        out.messagesPerSession = sessions.isEmpty ? nil : Double(messages) / Double(sessions.count)
        out.ratingsGiven = scores.count
        out.ratingAverage = scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count)
        for score in scores { out.ratingDistribution[String(score), default: 0] += 1 }
        return out
    }

    /// The nearest-rank percentile (p in 0…1) of the values; nil for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double? { percentile(sorted: values.sorted(), p) }

    static func percentile(sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(Int((p * Double(sorted.count)).rounded(.up)), 1)
        return sorted[min(rank, sorted.count) - 1]
    }

    static func isRatingCard(_ element: MsgElement) -> Bool {
        if case .custom(let custom) = element, case .satisfaction? = DeskCustomMessage(data: custom.Data) { return true }
        return false
    }
}
