import DeskBridgeCore
import Foundation
import Testing

/// The data analysis over a corpus counted by hand.
@Suite("Data analysis: figures from the records")
struct AnalysisTests {
    let day1 = Date(timeIntervalSince1970: 1_772_323_200)  // 2026-03-01 00:00 UTC
    let key = ConversationKey(agent: "brands/b/agents/a", conversationId: "c")

    func session(_ ordinal: Int, at start: Date, group: Int? = nil, agents: [AgentID] = [], assignments: [(TimeInterval, String, String, AgentID?)] = [],
                 endAfter: TimeInterval?, rating: Int? = nil) throws -> SessionSummary {
        var state = ConversationState(key: key)
        var session = Session(id: SessionID.derive(conversation: key, ordinal: ordinal), startedAt: start, flow: FlowCursor(flow: "main"))
        session.skillGroup = group.map { SkillGroupID($0) }
        session.agentIds = agents
        session.assignments = assignments.map { AssignmentRecord(time: start.addingTimeInterval($0.0), strategy: $0.1, candidates: [], agentId: $0.3, outcome: $0.2, reason: "", latencyMs: nil) }
        session.satisfaction = rating.map { Rating(score: $0, time: start) }
        state.session = session
        var summary = try #require(state.openSessionSummary)
        summary.endTime = endAfter.map { start.addingTimeInterval($0) }
        return summary
    }

    func message(_ summary: SessionSummary, after seconds: TimeInterval, _ sender: MessageRecord.Sender, agent: AgentID? = nil, body: MsgElement = .text("x")) -> MessageRecord {
        MessageRecord(session: summary.session, time: summary.startTime.addingTimeInterval(seconds), direction: sender == .User ? .In : .Out, sender: sender,
                      agentId: agent, msgKey: "k", msgBody: [body], callIds: [])
    }

    @Test func aHandCountedCorpus() throws {
        let card = MsgElement.custom(.satisfaction(.init(head: "Rate", tail: nil, menu: [.init(id: "1", content: "★")], type: 1, sessionId: "s", effectiveHour: 1, expireTime: nil)))
        let bot = try session(1, at: day1.addingTimeInterval(3_600), endAfter: 30)
        let lena = try session(2, at: day1.addingTimeInterval(7_200), group: 1, agents: ["lena"], assignments: [(10, "automatic", "assigned", "lena")], endAfter: 100, rating: 4)
        let left = try session(3, at: day1.addingTimeInterval(10_800), group: 1, assignments: [(5, "automatic", "queued", nil)], endAfter: 60)
        let omar = try session(4, at: day1.addingTimeInterval(86_400 + 3_600), group: 2, agents: ["omar"], assignments: [(5, "webhook", "assigned", "omar")], endAfter: 50, rating: 5)
        let inputs = [
            Analysis.Input(summary: bot, messages: [message(bot, after: 0, .User), message(bot, after: 1, .Bot)]),
            Analysis.Input(summary: lena, messages: [message(lena, after: 0, .User), message(lena, after: 40, .Agent, agent: "lena"),
                                                     message(lena, after: 100, .Bot, body: card)]),
            Analysis.Input(summary: left, messages: [message(left, after: 0, .User)]),
            Analysis.Input(summary: omar, messages: [message(omar, after: 0, .User), message(omar, after: 15, .Agent, agent: "omar")]),
        ]
        let report = Analysis.report(inputs, from: day1, to: day1.addingTimeInterval(3 * 86_400), bucket: .day, timeZone: .gmt)
        let total = report.total
        #expect(total.started == 4 && total.resolvedByBot == 1 && total.transferred == 3 && total.queued == 1 && total.abandoned == 1)
        #expect(total.firstResponseMedianSeconds == 10 && total.firstResponseP90Seconds == 30, "30 s for Lena, 10 s for Omar")
        #expect(total.handleTimeMedianSeconds == 45, "90 s and 45 s")
        #expect(total.messagesPerSession == 2)
        #expect(total.ratingsInvited == 1 && total.ratingsGiven == 2 && total.ratingAverage == 4.5 && total.ratingDistribution == ["4": 1, "5": 1])
        #expect(total.webhookAnswered == 1 && total.fallback == 0 && total.queuedAssignments == 1)
        #expect(report.buckets.map(\.key) == ["2026-03-01", "2026-03-02", "2026-03-03"], "every day of the range, empty ones too")
        #expect(report.buckets.map(\.figures.started) == [3, 1, 0])
        #expect(report.byGroup.map(\.key) == ["1", "2"] && report.byGroup.map(\.figures.started) == [2, 1])
        #expect(report.byAgent.map(\.key) == ["lena", "omar"] && report.byAgent.map(\.figures.firstResponseMedianSeconds) == [30, 10])

        let hours = Analysis.report(inputs, from: day1, to: day1.addingTimeInterval(86_400), bucket: .hour, timeZone: .gmt)
        #expect(hours.buckets.count == 24)
        #expect(hours.buckets.filter { $0.figures.started > 0 }.map(\.key) == ["2026-03-01 01:00", "2026-03-01 02:00", "2026-03-01 03:00"])
    }
}
