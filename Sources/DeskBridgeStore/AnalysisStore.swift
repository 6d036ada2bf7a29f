import DeskBridgeCore
import Foundation

/// What the console's data analysis reads (docs/console.md, "Data analysis"): a small row of facts
/// per session instead of every message, so months of records answer in milliseconds.
///
/// The stores keep the facts of ended sessions, computed in the commit that ends (or, for a late
/// rating, updates) a session from its summary and its messages; open sessions, which are few,
/// are computed when asked.
package protocol AnalysisStore: Sendable {
    /// The facts of every session that started in `from ..< to`, at most `limit`.
    func sessionFacts(from: Date, to: Date, limit: Int) async throws -> [Analysis.Facts]
    /// Computes the facts of ended sessions stored before they were kept (after an upgrade), in
    /// batches; answers how many it computed.
    @discardableResult
    func backfillSessionFacts() async throws -> Int
}

extension MessageRecord {
    /// The text the record search looks in: the message's text elements, one per line; nil for
    /// a message without text.
    package var searchText: String? {
        let texts = msgBody.compactMap { element -> String? in if case .text(let text) = element { text } else { nil } }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }
}

extension Analysis.Facts {
    /// The yes-or-no facts as one stored number, a bit each.
    package var flags: Int {
        [ended, transferred, queued, abandoned, ratingInvited].enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    }

    /// The facts as stored: times in milliseconds, the agents joined by newlines.
    package static func stored(session: String, startTime: Int64, skillGroup: Int?, agents: String, flags: Int, firstResponseMs: Int64?,
                               handleMs: Int64?, messages: Int, score: Int?, webhookAnswered: Int, fallback: Int, queuedAssignments: Int) -> Analysis.Facts {
        Analysis.Facts(session: SessionID(session), startTime: Date(unixMillis: startTime), ended: flags & 1 != 0, skillGroup: skillGroup.map { SkillGroupID($0) },
                       agents: agents.isEmpty ? [] : agents.split(separator: "\n").map { AgentID(String($0)) }, transferred: flags & 2 != 0,
                       queued: flags & 4 != 0, abandoned: flags & 8 != 0, firstResponse: firstResponseMs.map { Double($0) / 1_000 },
                       handleTime: handleMs.map { Double($0) / 1_000 }, messages: messages, ratingInvited: flags & 16 != 0, score: score,
                       webhookAnswered: webhookAnswered, fallback: fallback, queuedAssignments: queuedAssignments)
    }

    package var storedAgents: String { agents.map(\.rawValue).joined(separator: "\n") }
    package var firstResponseMs: Int64? { firstResponse.map { Int64(($0 * 1_000).rounded()) } }
    package var handleMs: Int64? { handleTime.map { Int64(($0 * 1_000).rounded()) } }
}
