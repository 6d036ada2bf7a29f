import DeskBridgeCore
import DeskBridgeStore
import Foundation
import GRDB

extension SQLiteDeskStore {
    package func sessionFacts(from: Date, to: Date, limit: Int) async throws -> [Analysis.Facts] {
        let decoder = decoder
        return try await read { db in
            // Read through a cursor (its row is reused, nothing is copied): a range holds up to a million.
            var facts: [Analysis.Facts] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT session_id, start_time, skill_group, agents, flags, first_response_ms, handle_ms, messages, score,
                       webhook_answered, fallback, queued_assignments
                FROM session_facts WHERE start_time >= ? AND start_time < ? ORDER BY start_time DESC LIMIT ?
                """), arguments: [from.unixMillis, to.unixMillis, limit])
            while let row = try rows.next() {
                facts.append(.stored(session: row[0], startTime: row[1], skillGroup: row[2], agents: row[3], flags: row[4], firstResponseMs: row[5],
                                     handleMs: row[6], messages: row[7], score: row[8], webhookAnswered: row[9], fallback: row[10], queuedAssignments: row[11]))
            }
            // Open sessions are computed now (ended ones stored before facts were kept are
            // computed at start, by `backfillSessionFacts`).
            let pending = try Data.fetchAll(db.cachedStatement(sql: """
                SELECT s.summary FROM conversations c JOIN session_records s ON s.session_id = c.open_session_id
                WHERE c.open_session_id IS NOT NULL AND s.start_time >= ? AND s.start_time < ? ORDER BY s.start_time DESC LIMIT ?
                """), arguments: [from.unixMillis, to.unixMillis, max(limit - facts.count, 0)])
            for data in pending { facts.append(Analysis.Facts(try Self.input(db, try decoder.decode(SessionSummary.self, from: data), decoder: decoder))) }
            return facts
        }
    }

    package func backfillSessionFacts() async throws -> Int {
        let decoder = decoder
        var total = 0
        while true {
            let done = try await write { db in
                let summaries = try Data.fetchAll(db.cachedStatement(sql: """
                    SELECT s.summary FROM session_records s LEFT JOIN session_facts f ON f.session_id = s.session_id
                    WHERE f.session_id IS NULL AND json_extract(CAST(s.summary AS TEXT), '$.endTime') IS NOT NULL LIMIT 500
                    """))
                for data in summaries { try Self.keepFacts(db, of: try decoder.decode(SessionSummary.self, from: data), decoder: decoder) }
                return summaries.count
            }
            total += done
            if done < 500 { return total }
        }
    }

    /// Computes and keeps the facts of an ended session from its summary and its stored messages.
    static func keepFacts(_ db: Database, of summary: SessionSummary, decoder: JSONDecoder) throws {
        let facts = Analysis.Facts(try input(db, summary, decoder: decoder))
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO session_facts (session_id, start_time, skill_group, agents, flags, first_response_ms, handle_ms, messages, score,
                                                  webhook_answered, fallback, queued_assignments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [facts.session.rawValue, facts.startTime.unixMillis, facts.skillGroup?.rawValue, facts.storedAgents, facts.flags,
                                     facts.firstResponseMs, facts.handleMs, facts.messages, facts.score, facts.webhookAnswered, facts.fallback,
                                     facts.queuedAssignments])
    }

    private static func input(_ db: Database, _ summary: SessionSummary, decoder: JSONDecoder) throws -> Analysis.Input {
        let messages = try Data.fetchAll(db.cachedStatement(sql: "SELECT record FROM message_records WHERE session_id = ? ORDER BY id"),
                                         arguments: [summary.session.rawValue]).map { try decoder.decode(MessageRecord.self, from: $0) }
        return Analysis.Input(summary: summary, messages: messages)
    }
}
